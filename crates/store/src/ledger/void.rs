//! Voiding a service: a new event naming the one it voids. The voided event stops
//! counting, and when it was the member's first reach of its stage the next non-voided
//! qualifying event takes its place. [`void_in_tx`] is shared with the corrections of
//! facility records (`corrections.rs`), which void all of a record's events together.

use chrono::{DateTime, NaiveDate, Utc};
use jakpreneur_core::programme::{JAKPRENEUR, NewEvent, REGISTERED};
use jakpreneur_core::{Actor, FieldError, Permission};
use serde_json::json;

use super::events::{insert_event, member_for_write, reached_stages, set_reach};
use super::{Event, EventState};
use crate::access::require;
use crate::audit::{self, Change, Who};
use crate::counters;
use crate::facts::LedgerFacts;
use crate::query::{Conn, query};
use crate::{Result, Store, StoreError};

/// The earliest non-voided qualifying event of a stage.
pub(crate) async fn earliest_qualifying(
    tx: &mut (impl Conn + ?Sized),
    member_id: i64,
    stage: &str,
) -> Result<Option<(i64, NaiveDate)>> {
    query(
        "SELECT e.id, e.occurred_on FROM member_events e \
         WHERE e.member_id = $1 AND e.programme = $2 AND e.stage = $3 AND e.qualifying \
         AND NOT EXISTS (SELECT 1 FROM member_events v WHERE v.voids_event_id = e.id) \
         ORDER BY e.occurred_on, e.id LIMIT 1",
    )
    .bind(member_id)
    .bind(JAKPRENEUR)
    .bind(stage)
    .fetch_optional(tx)
    .await
}

/// An event of the member: stage, kind, qualifying, date, and the void that names it.
pub(crate) async fn event_state(
    tx: &mut (impl Conn + ?Sized),
    member_id: i64,
    event_id: i64,
) -> Result<Option<EventState>> {
    query(
        "SELECT e.stage, e.kind, e.qualifying, e.occurred_on, \
         (SELECT v.id FROM member_events v WHERE v.voids_event_id = e.id) \
         FROM member_events e WHERE e.id = $1 AND e.member_id = $2 AND e.kind <> 'void'",
    )
    .bind(event_id)
    .bind(member_id)
    .fetch_optional(tx)
    .await
}

/// Was the event written by a facility record (which is then corrected as a whole)?
pub(crate) async fn owned_by_record(tx: &mut (impl Conn + ?Sized), event_id: i64) -> Result<bool> {
    query(concat!("SELECT ", super::owned_by_record!("$1")))
        .bind(event_id)
        .scalar(tx)
        .await
}

/// Voids event `event_id` of member `f` inside the caller's transaction: the void event,
/// the counters, and the member's first reach of the stage moved to the next qualifying
/// event (or removed). Returns `false`, changing nothing, when it was already voided.
#[allow(clippy::too_many_arguments)] // reason: the event, why, who, and the two dates
pub(crate) async fn void_in_tx(
    tx: &mut (impl Conn + ?Sized),
    f: &LedgerFacts,
    event_id: i64,
    reason: &str,
    who: &Who,
    agency: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<bool> {
    let (stage, _, qualifying, _, voided) = event_state(&mut *tx, f.id, event_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    if voided.is_some() {
        return Ok(false);
    }
    let void = NewEvent {
        programme: JAKPRENEUR.into(),
        stage: stage.clone(),
        kind: "void".into(),
        qualifying: false,
        occurred_on: today,
        place_code: None,
        agency: None,
        reference: None,
        note: Some(reason.to_owned()),
    };
    let (mut entries, moved_up_on) = counters::stat_inputs(&mut *tx, f.id).await?;
    let before = counters::contribution_from(f, &entries, moved_up_on);
    insert_event(
        &mut *tx,
        f.id,
        &void,
        agency,
        who,
        Some(event_id),
        None,
        now,
    )
    .await?;
    if qualifying {
        let reached = reached_stages(&mut *tx, f.id).await?;
        if reached
            .iter()
            .any(|r| r.stage == stage && r.event_id == event_id)
        {
            let next = earliest_qualifying(&mut *tx, f.id, &stage).await?;
            set_reach(&mut *tx, f.id, &stage, next).await?;
        }
    }
    entries.retain(|x| x.id != event_id);
    let after = counters::contribution_from(f, &entries, moved_up_on);
    counters::apply_change(tx, &before, &after).await?;
    Ok(true)
}

impl Store {
    /// Voids a recorded service with a reason: a new event that names it. The voided event
    /// stops counting; if it was the member's first reach of its stage, the next
    /// non-voided qualifying event takes its place (or the stage is no longer reached).
    #[tracing::instrument(skip_all)]
    pub async fn void_event(
        &self,
        actor: &Actor,
        member_no: &str,
        event_id: i64,
        reason: &str,
        today: NaiveDate,
    ) -> Result<Event> {
        require(actor, Permission::EventRecord)?;
        let who = Who::from(actor);
        let agency = actor.agency_or_default();
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let f = member_for_write(&mut tx, actor, member_no, true).await?;
        let (stage, kind, _, occurred_on, voided) = event_state(&mut tx, f.id, event_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        if voided.is_some() {
            return Err(StoreError::AlreadyVoided);
        }
        if owned_by_record(&mut tx, event_id).await? {
            return Err(StoreError::Invalid(
                FieldError::new(
                    "event_id",
                    "event_owned_by_record",
                    "this service belongs to a facility record (permit, market participation, \
                     mentoring, class enrolment, financial report or referral); void that \
                     record instead",
                )
                .into(),
            ));
        }
        if kind == REGISTERED {
            return Err(StoreError::Invalid(
                FieldError::new(
                    "event_id",
                    "registration_not_voidable",
                    "the registration event follows the member record: correct \
                     registered_on, or withdraw the member",
                )
                .into(),
            ));
        }
        void_in_tx(&mut tx, &f, event_id, reason, &who, &agency, today, now).await?;
        let change = Change {
            who: who.clone(),
            action: "event.void",
            record_type: "member",
            record_id: member_no.to_owned(),
            before: Some(json!({
                "event_id": event_id,
                "stage": stage,
                "kind": kind,
                "occurred_on": occurred_on,
            })),
            after: Some(json!({ "voided": true, "reason": reason })),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        self.event(member_no, event_id).await
    }
}
