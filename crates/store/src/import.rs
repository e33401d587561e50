//! Bulk loads of history (the demo, imports of old records) straight into the ledger:
//! many events in few statements, without the per-event checks, first reaches and
//! counters of a live write. A load ends with [`Store::finish_import`], which recounts the
//! first reaches and every statistics counter from the raw events, so the result is the
//! same as if each event had been recorded one by one.

use chrono::{NaiveDate, Utc};
use jakpreneur_core::programme::JAKPRENEUR;
use jakpreneur_core::{Actor, Permission, Scope};

use crate::access::require;
use crate::query::{query, query_text};
use crate::{Result, Store, StoreError};

/// One service to load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedEvent {
    pub member_id: i64,
    pub stage: String,
    pub kind: String,
    pub qualifying: bool,
    pub occurred_on: NaiveDate,
    pub agency: String,
}

/// Rows per INSERT: few, as binding `$n` on SQLite costs the square of the parameters
/// (see `counters::CHUNK`).
const ROWS: usize = 50;

const REACH: &str = "INSERT INTO member_facility (member_id, programme, stage, first_reached_on, \
    event_id) \
     SELECT member_id, programme, stage, occurred_on, id FROM ( \
       SELECT e.member_id, e.programme, e.stage, e.occurred_on, e.id, \
         ROW_NUMBER() OVER (PARTITION BY e.member_id, e.programme, e.stage ORDER BY \
         e.occurred_on, e.id) AS rn \
       FROM member_events e WHERE e.qualifying AND e.kind <> 'void' \
       AND NOT EXISTS (SELECT 1 FROM member_events v WHERE v.voids_event_id = e.id)) t \
     WHERE rn = 1";

impl Store {
    pub(crate) fn require_bulk(actor: &Actor) -> Result<()> {
        require(actor, Permission::EventRecord)?;
        if actor.scope != Scope::All {
            return Err(StoreError::Forbidden(
                "bulk loads need the whole province in scope".into(),
            ));
        }
        Ok(())
    }

    /// Members by id after `after_id`: (id, registration date), for a loader that walks
    /// every member.
    pub async fn member_dates_after(
        &self,
        actor: &Actor,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<(i64, NaiveDate)>> {
        Self::require_bulk(actor)?;
        query("SELECT id, registered_on FROM members WHERE id > $1 ORDER BY id LIMIT $2")
            .bind(after_id)
            .bind(limit)
            .fetch_all(self.read())
            .await
    }

    /// Inserts `rows` as they are. The first reaches and counters are stale until
    /// [`Self::finish_import`]; run it with no other writer.
    pub async fn import_events(&self, actor: &Actor, rows: &[ImportedEvent]) -> Result<()> {
        Self::require_bulk(actor)?;
        let who = format!("import:{}", actor.name);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        for chunk in rows.chunks(ROWS) {
            let mut q = query_text(
                "INSERT INTO member_events (member_id, programme, stage, kind, qualifying, \
                 occurred_on, agency_code, recorded_by, created_at) VALUES ",
            );
            for (i, r) in chunk.iter().enumerate() {
                let values = [
                    q.arg(r.member_id),
                    q.arg(JAKPRENEUR),
                    q.arg(r.stage.as_str()),
                    q.arg(r.kind.as_str()),
                    q.arg(r.qualifying),
                    q.arg(r.occurred_on),
                    q.arg(r.agency.as_str()),
                    q.arg(who.as_str()),
                    q.arg(now),
                ];
                if i > 0 {
                    q.push(", ");
                }
                q.push(&format!("({})", values.join(", ")));
            }
            q.execute(&mut tx).await?;
        }
        tx.commit().await
    }

    /// Puts one import on record: what kind of records, the file's SHA-256, whether it was
    /// a dry run, and its counts (never its rows).
    pub async fn record_import(
        &self,
        actor: &Actor,
        kind: &str,
        summary: serde_json::Value,
    ) -> Result<()> {
        Self::require_bulk(actor)?;
        self.audit_now(crate::audit::Change {
            who: crate::audit::Who::from(actor),
            action: "import.run",
            record_type: "import",
            record_id: kind.to_owned(),
            before: None,
            after: Some(summary),
        })
        .await
    }

    /// After a bulk load: every member's first reaches, then every counter, recounted
    /// from the raw events.
    pub async fn finish_import(&self, actor: &Actor) -> Result<()> {
        Self::require_bulk(actor)?;
        let mut tx = self.begin().await?;
        query("DELETE FROM member_facility")
            .execute(&mut tx)
            .await?;
        query(REACH).execute(&mut tx).await?;
        tx.commit().await?;
        self.rebuild_stats().await?;
        Ok(())
    }
}
