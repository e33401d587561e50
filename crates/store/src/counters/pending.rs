//! Counter changes waiting to be rolled up (`stat_pending`). The hot path appends a
//! contribution's cells as they are (village, day, cell): a registration writes six rows
//! here instead of some fifty upserts of day, month and year rows at every level, and no
//! two writers ever update the same row. [`Store::fold_pending`] rolls the waiting rows up
//! into `stat_counts` and deletes them in one transaction; every read of the counters adds
//! the rows still waiting ([`pending_part`]), so a figure is exact whether or not the fold
//! has run.

use std::time::Duration;

use chrono::NaiveDate;
use jakpreneur_core::programme::JAKPRENEUR;
use jakpreneur_core::stats::{Cell, Contribution, Delta};

use super::{Levels, Rows, write_rows};
use crate::query::{Conn, Query, query_text_on};
use crate::{Result, Store};

/// Rows per multi-row append (8 values each).
const APPEND_CHUNK: usize = 60;

/// Waiting rows folded per transaction by an import or a check, with no registration
/// waiting beside it: the more rows a fold takes, the more of them share upper rows.
const FOLD_BATCH: i64 = 1_000;

/// The background fold's batch on SQLite, smaller: it runs beside registrations.
const BACKGROUND_BATCH: i64 = 250;

/// How long the background fold lets waiting registrations go first before each batch.
const YIELD_AT_MOST: Duration = Duration::from_millis(500);

/// Appends the cells of `c` (its cohorts are not here) to `stat_pending`.
pub(crate) async fn append(tx: &mut (impl Conn + ?Sized), c: &Contribution) -> Result<()> {
    let cells: Vec<(&Cell, &Delta)> = c.cells.iter().filter(|(_, d)| !d.is_zero()).collect();
    let backend = tx.backend();
    for chunk in cells.chunks(APPEND_CHUNK) {
        let mut q = query_text_on(
            backend,
            "INSERT INTO stat_pending (programme, dim, village_code, dim_value, measure, day, \
             reached, events) VALUES ",
        );
        for (i, (cell, d)) in chunk.iter().enumerate() {
            let values = [
                q.arg_once(JAKPRENEUR),
                q.arg_once(cell.dim),
                q.arg_once(cell.village.as_str()),
                q.arg_once(cell.value.as_str()),
                q.arg_once(cell.measure.as_str()),
                q.arg_once(cell.day),
                q.arg_once(d.reached),
                q.arg_once(d.events),
            ];
            if i > 0 {
                q.push(", ");
            }
            q.push(&format!("({})", values.join(", ")));
        }
        q.execute(&mut *tx).await?;
    }
    Ok(())
}

/// The condition on `stat_pending` for rows inside `region` (none without one).
pub(crate) fn pending_region(sql: &mut Query, region: Option<&str>) -> String {
    match region {
        Some(r) => {
            let n = sql.arg(r.len() as i32);
            let code = sql.arg(r.to_owned());
            format!(" AND substr(village_code, 1, {n}) = {code}")
        }
        None => String::new(),
    }
}

/// The part of a counters read that sums the waiting rows of `dim` dated [`from`, `to`]
/// inside `region` (every region without one), as rows of (village, dim_value, measure,
/// reached, events) to add to what `stat_counts` gives.
pub(crate) fn pending_part(
    sql: &mut Query,
    dim_p: &str,
    region: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
) -> String {
    let programme = sql.arg(JAKPRENEUR.to_owned());
    let a = sql.arg(from);
    let b = sql.arg(to);
    let filter = pending_region(sql, region);
    format!(
        "SELECT village_code, dim_value, measure, CAST(SUM(reached) AS BIGINT), \
            CAST(SUM(events) AS BIGINT) \
         FROM stat_pending WHERE programme = {programme} AND dim = {dim_p} \
         AND day >= {a} AND day <= {b}{filter} GROUP BY village_code, dim_value, measure"
    )
}

impl Store {
    /// Rolls every waiting counter change up into `stat_counts`, a batch per transaction;
    /// returns the rows folded. Safe beside writers and beside another fold: each waiting
    /// row is deleted (and so counted) by exactly one transaction.
    pub async fn fold_pending(&self) -> Result<u64> {
        self.fold_batches(FOLD_BATCH, false).await
    }

    /// Folds `batch` rows per transaction until none wait. `yielding`: on SQLite, before
    /// each batch, let registrations waiting for the one writer go first (for at most
    /// [`YIELD_AT_MOST`]), so a fold beside a stream of registrations holds them up by
    /// one small batch at most.
    async fn fold_batches(&self, batch: i64, yielding: bool) -> Result<u64> {
        let mut folded = 0u64;
        loop {
            if yielding {
                let since = tokio::time::Instant::now();
                while self.registrations_waiting() && since.elapsed() < YIELD_AT_MOST {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            }
            let mut tx = self.begin().await?;
            let n = fold_batch(&mut tx, batch).await?;
            tx.commit().await?;
            folded += n as u64;
            if (n as i64) < batch {
                return Ok(folded);
            }
        }
    }

    /// How many counter changes wait to be rolled up (a backlog to watch).
    pub async fn pending_rows(&self) -> Result<i64> {
        crate::query::query("SELECT COUNT(*) FROM stat_pending")
            .scalar(self.read())
            .await
    }

    /// Folds the waiting counter changes every `every` until the store is closed, so the
    /// rows each read adds stay few. Started by the server.
    pub fn spawn_folder(&self, every: Duration) {
        let store = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if store.is_closed() {
                    break;
                }
                // SQLite's one writer is shared with registrations: small batches that
                // let them go first. PostgreSQL's writers do not wait on the fold.
                let batch = match store.backend() {
                    crate::query::Backend::Sqlite => BACKGROUND_BATCH,
                    crate::query::Backend::Postgres => FOLD_BATCH,
                };
                if let Err(e) = store.fold_batches(batch, true).await {
                    if store.is_closed() {
                        break;
                    }
                    tracing::warn!(error = %e, "rolling up the statistics counters failed");
                }
            }
        });
    }
}

/// Deletes up to `batch` waiting rows and adds them to `stat_counts`; the number
/// deleted.
async fn fold_batch(tx: &mut (impl Conn + ?Sized), batch: i64) -> Result<usize> {
    let backend = tx.backend();
    let mut q = query_text_on(
        backend,
        "DELETE FROM stat_pending WHERE id IN (SELECT id FROM stat_pending ORDER BY id LIMIT ",
    );
    let limit = q.arg_once(batch);
    q.push(&format!(
        "{limit}) RETURNING dim, village_code, dim_value, measure, day, reached, events"
    ));
    let taken: Vec<(String, String, String, String, NaiveDate, i64, i64)> =
        q.fetch_all(&mut *tx).await?;
    let n = taken.len();
    let mut c = Contribution::default();
    for (d, village, value, measure, day, reached, events) in taken {
        let dim = super::static_dim(&d)?;
        let e = c
            .cells
            .entry(Cell {
                village,
                dim,
                value,
                measure,
                day,
            })
            .or_default();
        e.reached += reached;
        e.events += events;
    }
    let mut rows = Rows::default();
    rows.add(&c, Levels::All);
    rows.compact();
    write_rows(tx, &rows, false).await?;
    Ok(n)
}
