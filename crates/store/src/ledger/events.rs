//! Writing a service: the member row locked for the write, the checks (dates, scope, the
//! order rule), the event itself, the member's first reach of its stage and the counters.
//! [`write_event`] is the one way every facility writes a service;
//! [`Store::record_event`] is the plain service of the ledger API.

use chrono::{DateTime, NaiveDate, Utc};
use jakpreneur_core::programme::{DEFAULT_AGENCY, JAKPRENEUR, NewEvent, programmes};
use jakpreneur_core::stats::Entry;
use jakpreneur_core::{Actor, FieldError, Permission};

use super::{Event, Reached, check_dates};
use crate::access::{require, require_covers};
use crate::audit::{self, Change, Who};
use crate::counters;
use crate::facts::{FACTS_COLS, LedgerFacts};
use crate::query::{Conn, Exec, query, query_text};
use crate::{Result, Store, StoreError};

/// ` FOR UPDATE` on PostgreSQL; nothing on SQLite, whose write transaction
/// (`BEGIN IMMEDIATE`) already holds the only write lock (as `Tx::for_update`, for any
/// connection).
fn for_update(tx: &mut (impl Conn + ?Sized)) -> &'static str {
    match tx.exec() {
        Exec::Sqlite(_) | Exec::SqlitePool(_) => "",
        Exec::Postgres(_) | Exec::PgPool(_) => " FOR UPDATE",
    }
}

/// The member row, locked for the rest of the transaction where the backend needs it.
pub(crate) async fn member_facts_locked(
    tx: &mut (impl Conn + ?Sized),
    member_no: &str,
) -> Result<Option<LedgerFacts>> {
    let lock = for_update(tx);
    query_text(format!(
        "SELECT {FACTS_COLS} FROM members WHERE member_no = $1{lock}"
    ))
    .bind(member_no)
    .fetch_optional(tx)
    .await
}

/// The member a write aims at, locked for the transaction: 404 when missing, 403 outside
/// the actor's scope, 409 once erased (unless `erased_ok`). Every facility writer starts
/// here.
pub(crate) async fn member_for_write(
    tx: &mut (impl Conn + ?Sized),
    actor: &Actor,
    member_no: &str,
    erased_ok: bool,
) -> Result<LedgerFacts> {
    let f = member_facts_locked(tx, member_no)
        .await?
        .ok_or(StoreError::NotFound)?;
    require_covers(actor, &f.village_code, member_no)?;
    if f.erased_at.is_some() && !erased_ok {
        return Err(StoreError::Erased);
    }
    Ok(f)
}

pub(crate) async fn reached_stages(
    tx: &mut (impl Conn + ?Sized),
    member_id: i64,
) -> Result<Vec<Reached>> {
    query(
        "SELECT stage, first_reached_on, event_id FROM member_facility \
         WHERE member_id = $1 AND programme = $2 ORDER BY stage",
    )
    .bind(member_id)
    .bind(JAKPRENEUR)
    .fetch_all(tx)
    .await
}

/// Sets (or, with `None`, removes) the member's first reach of `stage`.
pub(crate) async fn set_reach(
    tx: &mut (impl Conn + ?Sized),
    member_id: i64,
    stage: &str,
    reach: Option<(i64, NaiveDate)>,
) -> Result<()> {
    match reach {
        Some((event_id, on)) => {
            query(
                "INSERT INTO member_facility (member_id, programme, stage, first_reached_on, \
                    event_id) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (member_id, programme, stage) \
                 DO UPDATE SET first_reached_on = excluded.first_reached_on, event_id = \
                 excluded.event_id",
            )
            .bind(member_id)
            .bind(JAKPRENEUR)
            .bind(stage)
            .bind(on)
            .bind(event_id)
            .execute(tx)
            .await?;
        }
        None => {
            query(
                "DELETE FROM member_facility WHERE member_id = $1 AND programme = $2 AND stage = \
                    $3",
            )
            .bind(member_id)
            .bind(JAKPRENEUR)
            .bind(stage)
            .execute(tx)
            .await?;
        }
    }
    Ok(())
}

/// Inserts one event row and returns its id.
#[allow(clippy::too_many_arguments)] // reason: one argument per column
pub(crate) async fn insert_event(
    tx: &mut (impl Conn + ?Sized),
    member_id: i64,
    e: &NewEvent,
    agency: &str,
    who: &Who,
    voids: Option<i64>,
    idempotency_key: Option<&str>,
    now: DateTime<Utc>,
) -> Result<i64> {
    query(
        "INSERT INTO member_events (member_id, programme, stage, kind, qualifying, occurred_on, \
         place_code, agency_code, recorded_by, recorded_by_user, reference, note, voids_event_id, \
         created_at, \
         idempotency_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
         $15) RETURNING id",
    )
    .bind(member_id)
    .bind(&e.programme)
    .bind(&e.stage)
    .bind(&e.kind)
    .bind(e.qualifying)
    .bind(e.occurred_on)
    .bind(&e.place_code)
    .bind(agency)
    .bind(&who.name)
    .bind(who.user_id)
    .bind(&e.reference)
    .bind(&e.note)
    .bind(voids)
    .bind(now)
    .bind(idempotency_key)
    .scalar(tx)
    .await
}

/// Writes one service for member `f` inside the caller's transaction: checks its dates and
/// the order rule in force on its date, inserts it, and keeps `member_facility` and the
/// counters. Returns the event's id. Every writer of services goes through here.
pub(crate) async fn write_event(
    tx: &mut (impl Conn + ?Sized),
    f: &LedgerFacts,
    e: &NewEvent,
    agency: &str,
    who: &Who,
    idempotency_key: Option<&str>,
    now: DateTime<Utc>,
) -> Result<i64> {
    check_dates(f, e)?;
    let reached = reached_stages(&mut *tx, f.id).await?;
    programmes()
        .check_order(&e.programme, &e.stage, e.occurred_on, |s| {
            reached
                .iter()
                .find(|r| r.stage == s)
                .map(|r| r.first_reached_on)
        })
        .map_err(|err| StoreError::Invalid(err.into()))?;
    let (mut entries, moved_up_on) = counters::stat_inputs(&mut *tx, f.id).await?;
    let id = insert_event(&mut *tx, f.id, e, agency, who, None, idempotency_key, now).await?;
    if e.qualifying {
        let current = reached.iter().find(|r| r.stage == e.stage);
        if current.is_none_or(|c| e.occurred_on < c.first_reached_on) {
            set_reach(&mut *tx, f.id, &e.stage, Some((id, e.occurred_on))).await?;
        }
    }
    let before = counters::contribution_from(f, &entries, moved_up_on);
    entries.push(Entry {
        id,
        stage: e.stage.clone(),
        kind: e.kind.clone(),
        qualifying: e.qualifying,
        occurred_on: e.occurred_on,
        agency: agency.to_owned(),
    });
    let after = counters::contribution_from(f, &entries, moved_up_on);
    counters::apply_change(tx, &before, &after).await?;
    Ok(id)
}

/// The service an `Idempotency-Key` was first used for: id, member, kind, day, agency,
/// place, reference, note.
type Earlier = (
    i64,
    i64,
    String,
    NaiveDate,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

impl Store {
    /// Records a service for a member: the event, the member's first reach of its stage
    /// and the daily counters, with the audit entry, in one transaction. Refused (422) when
    /// dated before the registration, after a withdrawal, or against the order rule in force
    /// on its date (`facility_order`, naming the missing stage).
    /// With an `idempotency_key`, a retried request returns the event it created instead
    /// of adding another, even when the retry races the original.
    #[tracing::instrument(skip_all)]
    pub async fn record_event(
        &self,
        actor: &Actor,
        member_no: &str,
        e: &NewEvent,
        idempotency_key: Option<&str>,
    ) -> Result<Event> {
        match self
            .record_event_once(actor, member_no, e, idempotency_key)
            .await
        {
            Err(err) if err.is_unique_violation() && idempotency_key.is_some() => {
                self.record_event_once(actor, member_no, e, idempotency_key)
                    .await
            }
            other => other,
        }
    }

    async fn record_event_once(
        &self,
        actor: &Actor,
        member_no: &str,
        e: &NewEvent,
        idempotency_key: Option<&str>,
    ) -> Result<Event> {
        require(actor, Permission::EventRecord)?;
        let who = Who::from(actor);
        let agency = e
            .agency
            .clone()
            .or_else(|| actor.agency.clone())
            .unwrap_or_else(|| DEFAULT_AGENCY.to_owned());
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let f = member_for_write(&mut tx, actor, member_no, false).await?;
        if let Some(key) = idempotency_key {
            let earlier: Option<Earlier> = query(
                "SELECT id, member_id, kind, occurred_on, agency_code, place_code, reference, \
                 note FROM member_events WHERE recorded_by = $1 AND idempotency_key = $2",
            )
            .bind(&who.name)
            .bind(key)
            .fetch_optional(&mut tx)
            .await?;
            if let Some((id, member_id, kind, on, earlier_agency, place, reference, note)) = earlier
            {
                // The same request again, field for field; anything else under the same
                // key is a mistake the caller must hear of, not a silent first answer.
                let same = member_id == f.id
                    && kind == e.kind
                    && on == e.occurred_on
                    && earlier_agency == agency
                    && place == e.place_code
                    && reference == e.reference
                    && note == e.note;
                if same {
                    // A retry of a request that succeeded: the same event, nothing new.
                    drop(tx);
                    return self.event(member_no, id).await;
                }
                return Err(StoreError::Invalid(
                    FieldError::new(
                        "Idempotency-Key",
                        "idempotency_key_reused",
                        "this Idempotency-Key was used for a different event",
                    )
                    .into(),
                ));
            }
        }
        let id = write_event(&mut tx, &f, e, &agency, &who, idempotency_key, now).await?;
        let change = Change {
            who: who.clone(),
            action: "event.record",
            record_type: "member",
            record_id: member_no.to_owned(),
            before: None,
            after: Some(super::import::event_snapshot(id, e, &agency)),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        self.event(member_no, id).await
    }
}
