//! The statistics counters (`stat_counts`, `stat_cohorts`, `stat_cohort_days`): every
//! write that changes a member's services or facts applies the difference between the
//! member's contribution before and after (`jakpreneur_core::stats::Contribution`), in its
//! own transaction, so the counters are always the sum of every member's contribution.
//! The same contributions, summed afresh from the raw records, rebuild or verify them
//! ([`Store::rebuild_stats`], [`Store::verify_stats`]).
//!
//! A cell (village, day) is written at the day grain for its village, and at the month
//! and year grains for the village and each region above it. Rows are written in key
//! order, so two PostgreSQL transactions never lock the same counters in opposite orders.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use jakpreneur_core::programme::JAKPRENEUR;
use jakpreneur_core::stats::{
    CohortCell, Contribution, Delta, Entry, Grain, MemberFacts as StatFacts, dim, first_of_month,
    first_of_year,
};

mod pending;

pub(crate) use pending::{pending_part, pending_region};

use crate::facts::LedgerFacts;
use crate::query::{Conn, Query, query, query_text, query_text_on};
use crate::{Result, Store, StoreError};

/// A row of `stat_counts`. Ordered as the table's key is (`Grain` in the order of its
/// stored text: day, month, year).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct CountKey {
    pub dim: &'static str,
    pub region: String,
    pub grain: Grain,
    pub measure: String,
    pub period: NaiveDate,
    pub value: String,
}

/// As a verification reports a difference: the grain as stored.
impl std::fmt::Debug for CountKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CountKey")
            .field("dim", &self.dim)
            .field("region", &self.region)
            .field("grain", &self.grain.as_str())
            .field("measure", &self.measure)
            .field("period", &self.period)
            .field("value", &self.value)
            .finish()
    }
}

/// A row of `stat_cohorts` (`days` = None) or of `stat_cohort_days`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct CohortKey {
    pub region: String,
    pub cohort: NaiveDate,
    pub stage: String,
    pub months: i32,
    pub days: Option<i32>,
}

/// Which regions a cell is written for: all (a live write), or, for a rebuild that
/// goes village by village, the village alone or the regions above it alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Levels {
    All,
    Village,
    Above,
}

/// The village and every region above it, village first: 31.71.01.1001, 31.71.01, 31.71, 31.
fn regions_of(village: &str) -> impl Iterator<Item = &str> {
    let cuts: Vec<usize> = village.match_indices('.').map(|(i, _)| i).rev().collect();
    std::iter::once(village).chain(cuts.into_iter().map(move |i| &village[..i]))
}

/// The rows a contribution changes.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Rows {
    pub counts: BTreeMap<CountKey, Delta>,
    pub cohorts: BTreeMap<CohortKey, i64>,
}

impl Rows {
    pub fn add(&mut self, c: &Contribution, levels: Levels) {
        for (cell, d) in &c.cells {
            // Without a breakdown: days per village, months and years per region at every
            // level. A breakdown goes down to districts only (per village and day it would
            // cost a row per service): its days per district, months and years per
            // district and above.
            let breakdown = cell.dim != dim::ALL;
            let day_level = usize::from(breakdown);
            for (i, region) in regions_of(&cell.village).enumerate() {
                if breakdown && i == 0 {
                    continue;
                }
                match levels {
                    Levels::Village if i > 0 => break,
                    Levels::Above if i == 0 => continue,
                    _ => {}
                }
                let grains = [
                    (Grain::Day, cell.day),
                    (Grain::Month, first_of_month(cell.day)),
                    (Grain::Year, first_of_year(cell.day)),
                ];
                for (grain, period) in grains {
                    if grain == Grain::Day && i != day_level {
                        continue;
                    }
                    let key = CountKey {
                        dim: cell.dim,
                        region: region.to_owned(),
                        grain,
                        measure: cell.measure.clone(),
                        period,
                        value: cell.value.clone(),
                    };
                    let e = self.counts.entry(key).or_default();
                    e.reached += d.reached;
                    e.events += d.events;
                }
            }
        }
        for (cell, n) in &c.cohorts {
            for (i, region) in regions_of(&cell.village).enumerate() {
                match levels {
                    Levels::Village if i > 0 => break,
                    Levels::Above if i == 0 => continue,
                    _ => {}
                }
                for days in [None, Some(cell.days)] {
                    *self
                        .cohorts
                        .entry(cohort_key(cell, region, days))
                        .or_default() += n;
                }
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.counts.is_empty() && self.cohorts.is_empty()
    }

    /// Drops rows whose change is zero (a +1 and a −1 on the same row).
    fn compact(&mut self) {
        self.counts.retain(|_, d| !d.is_zero());
        self.cohorts.retain(|_, n| *n != 0);
    }
}

fn cohort_key(cell: &CohortCell, region: &str, days: Option<i32>) -> CohortKey {
    CohortKey {
        region: region.to_owned(),
        cohort: cell.cohort,
        stage: cell.stage.clone(),
        months: cell.months,
        days,
    }
}

/// The layout of the counter rows: which dimensions, measures and grains [`Rows::add`]
/// writes. A database whose counters were built in another layout is recounted at start.
const LAYOUT: &str = "3";

/// Rows per multi-row upsert on SQLite (9 values each, 4,500 a statement, well under
/// SQLite's 32,766). Its placeholders are anonymous ([`Query::arg_once`]): with named
/// `$n`, sqlx looked each one up among all of a statement's parameters, and 50 rows a
/// statement was the most that paid.
const CHUNK: usize = 500;

const ENTRIES: &str = "SELECT e.id, e.stage, e.kind, e.qualifying, e.occurred_on, e.agency_code \
     FROM member_events e WHERE e.member_id = $1 AND e.programme = $2 AND e.kind <> 'void' \
     AND NOT EXISTS (SELECT 1 FROM member_events v WHERE v.voids_event_id = e.id)";

type EntryRow = (i64, String, String, bool, NaiveDate, String);

fn entry((id, stage, kind, qualifying, occurred_on, agency): EntryRow) -> Entry {
    Entry {
        id,
        stage,
        kind,
        qualifying,
        occurred_on,
        agency,
    }
}

/// The member's non-voided services and naik-kelas date.
pub(crate) async fn stat_inputs(
    tx: &mut (impl Conn + ?Sized),
    member_id: i64,
) -> Result<(Vec<Entry>, Option<NaiveDate>)> {
    let rows: Vec<EntryRow> = query(ENTRIES)
        .bind(member_id)
        .bind(JAKPRENEUR)
        .fetch_all(&mut *tx)
        .await?;
    let up: Option<Option<NaiveDate>> =
        query("SELECT moved_up_on FROM member_size WHERE member_id = $1")
            .bind(member_id)
            .scalar_optional(&mut *tx)
            .await?;
    Ok((rows.into_iter().map(entry).collect(), up.flatten()))
}

/// Adds `rows` to the counters; `fresh`: none of them exists yet (a rebuild), so they
/// are inserted without looking for a row to add to.
pub(crate) async fn write_rows(
    tx: &mut (impl Conn + ?Sized),
    rows: &Rows,
    fresh: bool,
) -> Result<()> {
    let backend = tx.backend();
    let counts: Vec<_> = rows.counts.iter().filter(|(_, d)| !d.is_zero()).collect();
    for chunk in counts.chunks(CHUNK) {
        let mut q = query_text_on(
            backend,
            "INSERT INTO stat_counts (programme, dim, region_code, grain, measure, period, \
             dim_value, reached, events) VALUES ",
        );
        for (i, (k, d)) in chunk.iter().enumerate() {
            let values = [
                q.arg_once(JAKPRENEUR),
                q.arg_once(k.dim),
                q.arg_once(k.region.as_str()),
                q.arg_once(k.grain.as_str()),
                q.arg_once(k.measure.as_str()),
                q.arg_once(k.period),
                q.arg_once(k.value.as_str()),
                q.arg_once(d.reached),
                q.arg_once(d.events),
            ];
            if i > 0 {
                q.push(", ");
            }
            q.push(&format!("({})", values.join(", ")));
        }
        if !fresh {
            q.push(
                " ON CONFLICT (programme, dim, region_code, grain, measure, period, dim_value) \
                 DO UPDATE SET reached = stat_counts.reached + excluded.reached, \
                 events = stat_counts.events + excluded.events",
            );
        }
        q.execute(&mut *tx).await?;
    }
    for (table, with_days) in [("stat_cohorts", false), ("stat_cohort_days", true)] {
        let rows: Vec<_> = rows
            .cohorts
            .iter()
            .filter(|(k, n)| k.days.is_some() == with_days && **n != 0)
            .collect();
        let cols = if with_days {
            "programme, region_code, cohort, stage, months, days"
        } else {
            "programme, region_code, cohort, stage, months"
        };
        for chunk in rows.chunks(CHUNK) {
            let mut q = query_text_on(
                backend,
                format!("INSERT INTO {table} ({cols}, members) VALUES "),
            );
            for (i, (k, n)) in chunk.iter().enumerate() {
                let mut values = vec![
                    q.arg_once(JAKPRENEUR),
                    q.arg_once(k.region.as_str()),
                    q.arg_once(k.cohort),
                    q.arg_once(k.stage.as_str()),
                    q.arg_once(k.months),
                ];
                if let Some(d) = k.days {
                    values.push(q.arg_once(d));
                }
                values.push(q.arg_once(**n));
                if i > 0 {
                    q.push(", ");
                }
                q.push(&format!("({})", values.join(", ")));
            }
            if !fresh {
                q.push(&format!(
                    " ON CONFLICT ({cols}) DO UPDATE SET members = {table}.members + \
                        excluded.members"
                ));
            }
            q.execute(&mut *tx).await?;
        }
    }
    Ok(())
}

/// What member `f` with these services contributes.
pub(crate) fn contribution_from(
    f: &LedgerFacts,
    entries: &[Entry],
    moved_up_on: Option<NaiveDate>,
) -> Contribution {
    Contribution::of(&f.stat_facts(moved_up_on), entries)
}

/// What member `f` contributes now, read inside the caller's transaction.
pub(crate) async fn contribution(
    tx: &mut (impl Conn + ?Sized),
    f: &LedgerFacts,
) -> Result<Contribution> {
    let (entries, moved_up_on) = stat_inputs(tx, f.id).await?;
    Ok(contribution_from(f, &entries, moved_up_on))
}

/// Applies the change from `before` to `after` to the counters.
pub(crate) async fn apply_change(
    tx: &mut (impl Conn + ?Sized),
    before: &Contribution,
    after: &Contribution,
) -> Result<()> {
    apply(tx, &Contribution::diff(before, after)).await
}

/// Adds a contribution (or a difference) to the counters: its cells wait in
/// `stat_pending` for the fold ([`Store::fold_pending`]); its cohort rows are written now.
pub(crate) async fn apply(tx: &mut (impl Conn + ?Sized), c: &Contribution) -> Result<()> {
    if c.is_empty() {
        return Ok(());
    }
    pending::append(tx, c).await?;
    if c.cohorts.is_empty() {
        return Ok(());
    }
    let cohorts = Contribution {
        cells: BTreeMap::new(),
        cohorts: c.cohorts.clone(),
    };
    let mut rows = Rows::default();
    rows.add(&cohorts, Levels::All);
    rows.compact();
    if rows.is_empty() {
        return Ok(());
    }
    write_rows(tx, &rows, false).await
}

/// Member facts for a recount, village by village.
type FactsRow = (i64, String, String, NaiveDate, Option<NaiveDate>);

const ALL_FACTS: &str = "SELECT m.id, m.village_code, m.sector, m.registered_on, s.moved_up_on \
     FROM members m LEFT JOIN member_size s ON s.member_id = m.id ORDER BY m.village_code, m.id";

const VILLAGE_ENTRIES: &str = "SELECT e.member_id, e.id, e.stage, e.kind, e.qualifying, \
    e.occurred_on, e.agency_code \
     FROM member_events e JOIN members m ON m.id = e.member_id \
     WHERE m.village_code = $1 AND e.programme = $2 AND e.kind <> 'void' \
     AND NOT EXISTS (SELECT 1 FROM member_events v WHERE v.voids_event_id = e.id)";

/// What a verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatsCheck {
    pub members: i64,
    pub rows_checked: i64,
    /// The first differences found (at most 20): the row and its stored and expected sums.
    pub differences: Vec<String>,
}

impl Store {
    /// The expected rows, from the raw records: `on_village` receives each village's own
    /// rows in turn; the rows of regions above villages are returned at the end.
    async fn recount<F>(&self, mut on_village: F) -> Result<(i64, Rows)>
    where
        F: AsyncFnMut(&str, Rows) -> Result<()>,
    {
        let facts: Vec<FactsRow> = query(ALL_FACTS).fetch_all(self.read()).await?;
        let mut above = Rows::default();
        let mut start = 0;
        while start < facts.len() {
            let village = facts[start].1.clone();
            let end = start + facts[start..].iter().take_while(|f| f.1 == village).count();
            let rows: Vec<(i64, i64, String, String, bool, NaiveDate, String)> =
                query(VILLAGE_ENTRIES)
                    .bind(&village)
                    .bind(JAKPRENEUR)
                    .fetch_all(self.read())
                    .await?;
            let mut by_member: BTreeMap<i64, Vec<Entry>> = BTreeMap::new();
            for (member_id, id, stage, kind, qualifying, occurred_on, agency) in rows {
                by_member.entry(member_id).or_default().push(entry((
                    id,
                    stage,
                    kind,
                    qualifying,
                    occurred_on,
                    agency,
                )));
            }
            // The village's members summed first, then spread over grains and regions
            // once: members of a village share most of their cells (a day, a measure).
            let mut total = Contribution::default();
            for (id, v, sector, registered_on, moved_up_on) in &facts[start..end] {
                let entries = by_member.remove(id).unwrap_or_default();
                total.absorb(Contribution::of(
                    &StatFacts {
                        village: v,
                        sector,
                        registered_on: *registered_on,
                        moved_up_on: *moved_up_on,
                    },
                    &entries,
                ));
            }
            let mut mine = Rows::default();
            mine.add(&total, Levels::Village);
            above.add(&total, Levels::Above);
            mine.compact();
            on_village(&village, mine).await?;
            start = end;
        }
        above.compact();
        Ok((facts.len() as i64, above))
    }

    /// Recounts every counter from the raw records (members, their non-voided services,
    /// their size class) and replaces what is stored. For a bulk load, a migration, or a
    /// repair; other writers must be stopped (the CLI runs it with the server down).
    pub async fn rebuild_stats(&self) -> Result<i64> {
        for t in [
            "stat_pending",
            "stat_counts",
            "stat_cohorts",
            "stat_cohort_days",
            "stat_meta",
        ] {
            query_text(format!("DELETE FROM {t}"))
                .execute(self.write())
                .await?;
        }
        let mut villages = 0u32;
        let (members, above) = self
            .recount(async |_, rows| {
                let mut tx = self.begin().await?;
                write_rows(&mut tx, &rows, true).await?;
                tx.commit().await?;
                villages += 1;
                // Keep SQLite's log short: a rebuild writes the counters many times over.
                if villages.is_multiple_of(16) {
                    self.checkpoint().await?;
                }
                Ok(())
            })
            .await?;
        let mut tx = self.begin().await?;
        write_rows(&mut tx, &above, true).await?;
        query("INSERT INTO stat_meta (key, value) VALUES ('built', $1), ('layout', $2)")
            .bind(chrono::Utc::now().to_rfc3339())
            .bind(LAYOUT)
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(members)
    }

    /// Rebuilds the counters if they were never built (after the migration that made
    /// them) or were built in another layout (what `Rows::add` writes).
    pub(crate) async fn build_stats_if_missing(&self) -> Result<()> {
        let layout: Option<String> = query("SELECT value FROM stat_meta WHERE key = 'layout'")
            .scalar_optional(self.read())
            .await?;
        if layout.as_deref() != Some(LAYOUT) {
            // Minutes on a large database (about ten at a million members): say so.
            tracing::warn!(
                found = layout.as_deref().unwrap_or("none"),
                wanted = LAYOUT,
                "recounting every statistics counter from the raw records (new counter layout)"
            );
            self.rebuild_stats().await?;
        }
        Ok(())
    }

    /// Recounts every counter from the raw records and compares it with what is stored.
    /// Rolls up the waiting changes first, then only reads; run it when no one writes (a
    /// write in between shows as a difference).
    pub async fn verify_stats(&self) -> Result<StatsCheck> {
        // The waiting changes are part of the counters: roll them up to compare rows.
        self.fold_pending().await?;
        let mut differences = Vec::new();
        let mut checked = 0i64;
        let (members, above) = self
            .recount(async |village, rows| {
                let stored = self.stored_rows(Some(village)).await?;
                checked += compare(&stored, &rows, &mut differences);
                Ok(())
            })
            .await?;
        let stored = self.stored_rows(None).await?;
        checked += compare(&stored, &above, &mut differences);
        Ok(StatsCheck {
            members,
            rows_checked: checked,
            differences,
        })
    }

    /// The stored non-zero rows of one village, or of every region above the villages.
    async fn stored_rows(&self, village: Option<&str>) -> Result<Rows> {
        let (filter, cohort_filter) = match village {
            Some(_) => ("region_code = $2", "region_code = $2"),
            None => ("length(region_code) < 13", "length(region_code) < 13"),
        };
        let q = format!(
            "SELECT dim, region_code, grain, measure, period, dim_value, reached, events FROM \
                stat_counts \
             WHERE programme = $1 AND {filter} AND (reached <> 0 OR events <> 0)"
        );
        type Row = (String, String, String, String, NaiveDate, String, i64, i64);
        let counts: Vec<Row> = with_village(query_text(q).bind(JAKPRENEUR), village)
            .fetch_all(self.read())
            .await?;
        let q = format!(
            "SELECT region_code, cohort, stage, months, NULL, members FROM stat_cohorts WHERE \
                programme = $1 AND {cohort_filter} AND members <> 0 \
             UNION ALL SELECT region_code, cohort, stage, months, days, members FROM \
             stat_cohort_days WHERE programme = $1 AND {cohort_filter} AND members <> 0"
        );
        type CRow = (String, NaiveDate, String, i32, Option<i32>, i64);
        let cohorts: Vec<CRow> = with_village(query_text(q).bind(JAKPRENEUR), village)
            .fetch_all(self.read())
            .await?;
        let mut rows = Rows::default();
        for (dim, region, grain, measure, period, value, reached, events) in counts {
            let key = CountKey {
                dim: static_dim(&dim)?,
                region,
                grain: stored_grain(&grain)?,
                measure,
                period,
                value,
            };
            rows.counts.insert(key, Delta { reached, events });
        }
        for (region, cohort, stage, months, days, members) in cohorts {
            rows.cohorts.insert(
                CohortKey {
                    region,
                    cohort,
                    stage,
                    months,
                    days,
                },
                members,
            );
        }
        Ok(rows)
    }
}

fn static_dim(d: &str) -> Result<&'static str> {
    [dim::ALL, dim::SECTOR, dim::YEAR, dim::AGENCY]
        .into_iter()
        .find(|x| *x == d)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown statistics dimension {d}")))
}

fn stored_grain(g: &str) -> Result<Grain> {
    [Grain::Day, Grain::Month, Grain::Year]
        .into_iter()
        .find(|x| x.as_str() == g)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown grain {g}")))
}

/// Binds `$2`, the village, when the statement filters on one.
fn with_village(q: Query, village: Option<&str>) -> Query {
    match village {
        Some(v) => q.bind(v.to_owned()),
        None => q,
    }
}

/// Counts the rows compared and notes the first differences.
fn compare(stored: &Rows, expected: &Rows, out: &mut Vec<String>) -> i64 {
    let mut note = |s: String| {
        if out.len() < 20 {
            out.push(s);
        }
    };
    for (k, want) in &expected.counts {
        let got = stored.counts.get(k).copied().unwrap_or_default();
        if got != *want {
            note(format!("{k:?}: stored {got:?}, recounted {want:?}"));
        }
    }
    for (k, got) in &stored.counts {
        if !expected.counts.contains_key(k) {
            note(format!("{k:?}: stored {got:?}, recounted nothing"));
        }
    }
    for (k, want) in &expected.cohorts {
        let got = stored.cohorts.get(k).copied().unwrap_or_default();
        if got != *want {
            note(format!("{k:?}: stored {got}, recounted {want}"));
        }
    }
    for (k, got) in &stored.cohorts {
        if !expected.cohorts.contains_key(k) {
            note(format!("{k:?}: stored {got}, recounted nothing"));
        }
    }
    (expected.counts.len() + expected.cohorts.len()) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_village_has_three_regions_above_it() {
        let all: Vec<&str> = regions_of("31.71.01.1001").collect();
        assert_eq!(all, ["31.71.01.1001", "31.71.01", "31.71", "31"]);
    }
}
