//! The ledger of services: append-only events per member, each member's first reach of
//! every stage (`member_facility`), and the statistics counters (`counters.rs`), all kept
//! in the transaction that writes the event (and its audit entry). A void is a new event
//! naming the one it voids; when it removes a first reach, the next non-voided qualifying
//! event takes its place and the counters follow.
//!
//! This module owns the event and reach types and the reads; [`events`] writes a service,
//! [`void`] voids one, and [`registration`] keeps the registration event (P1) in step
//! with the member record.

mod events;
mod export;
mod import;
mod registration;
mod void;

use chrono::{DateTime, NaiveDate, Utc};
use jakpreneur_core::programme::{JAKPRENEUR, NewEvent};
use jakpreneur_core::{Actor, FieldError, Permission, Status};
use serde::Serialize;

use crate::access::{require, scope_filter};
use crate::facts::FACTS_COLS;
use crate::query::{query, query_text};
use crate::{Result, Store, StoreError};

pub(crate) use crate::facts::LedgerFacts;
pub(crate) use events::{member_facts_locked, member_for_write, write_event};
pub use export::ServicePage;
pub use import::{ImportedService, ServiceOutcome};
pub(crate) use registration::{
    follow_member_change, record_registration, record_registrations_sqlite,
};
pub(crate) use void::{event_state, void_in_tx};

/// A recorded service, with its void if it has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    pub id: i64,
    pub member_no: String,
    pub programme: String,
    pub stage: String,
    pub kind: String,
    pub qualifying: bool,
    pub occurred_on: NaiveDate,
    pub place_code: Option<String>,
    pub agency_code: String,
    pub recorded_by: String,
    pub reference: Option<String>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub voided: Option<Void>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Void {
    pub void_event_id: i64,
    pub on: NaiveDate,
    pub by: String,
    pub reason: String,
}

impl Void {
    /// The void a query found beside its event (`LEFT JOIN … v ON v.voids_event_id = e.id`):
    /// `None` when nothing voids it. Members' and other programmes' ledgers read it alike.
    pub(crate) fn joined(
        id: Option<i64>,
        on: Option<NaiveDate>,
        by: Option<String>,
        note: Option<String>,
        occurred_on: NaiveDate,
    ) -> Option<Self> {
        id.map(|void_event_id| Void {
            void_event_id,
            on: on.unwrap_or(occurred_on),
            by: by.unwrap_or_default(),
            reason: note.unwrap_or_default(),
        })
    }
}

/// A stage a member has reached, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Reached {
    pub stage: String,
    pub first_reached_on: NaiveDate,
    pub event_id: i64,
}

#[derive(Debug, sqlx::FromRow)]
struct EventRow {
    id: i64,
    programme: String,
    stage: String,
    kind: String,
    qualifying: bool,
    occurred_on: NaiveDate,
    place_code: Option<String>,
    agency_code: String,
    recorded_by: String,
    reference: Option<String>,
    note: Option<String>,
    created_at: DateTime<Utc>,
    void_id: Option<i64>,
    void_on: Option<NaiveDate>,
    void_by: Option<String>,
    void_note: Option<String>,
}

impl EventRow {
    fn into_event(self, member_no: &str) -> Event {
        Event {
            voided: Void::joined(
                self.void_id,
                self.void_on,
                self.void_by.clone(),
                self.void_note.clone(),
                self.occurred_on,
            ),
            id: self.id,
            member_no: member_no.to_owned(),
            programme: self.programme,
            stage: self.stage,
            kind: self.kind,
            qualifying: self.qualifying,
            occurred_on: self.occurred_on,
            place_code: self.place_code,
            agency_code: self.agency_code,
            recorded_by: self.recorded_by,
            reference: self.reference,
            note: self.note,
            created_at: self.created_at,
        }
    }
}

const EVENT_SELECT: &str = "SELECT e.id, e.programme, e.stage, e.kind, e.qualifying, \
    e.occurred_on, \
     e.place_code, e.agency_code, e.recorded_by, e.reference, e.note, e.created_at, \
     v.id AS void_id, v.occurred_on AS void_on, v.recorded_by AS void_by, v.note AS void_note \
     FROM member_events e LEFT JOIN member_events v ON v.voids_event_id = e.id \
     WHERE e.kind <> 'void'";

/// An event as a void needs it: stage, kind, qualifying, date, the void naming it.
pub(crate) type EventState = (String, String, bool, NaiveDate, Option<i64>);

/// SQL that is true when event `$ev` was written by a facility record: such services are
/// corrected through their record (`Store::void_record`), which voids all of its events
/// together, so record and ledger never disagree. Attendance is the exception: one
/// attended session is voided on its own.
macro_rules! owned_by_record {
    ($ev:literal) => {
        concat!(
            "(EXISTS (SELECT 1 FROM permits WHERE applied_event_id = ",
            $ev,
            " OR decision_event_id = ",
            $ev,
            ") \
             OR EXISTS (SELECT 1 FROM market_participants WHERE event_id = ",
            $ev,
            ") \
             OR EXISTS (SELECT 1 FROM product_listings WHERE event_id = ",
            $ev,
            ") \
             OR EXISTS (SELECT 1 FROM curation_submissions WHERE assisted_event_id = ",
            $ev,
            " OR curated_event_id = ",
            $ev,
            ") \
             OR EXISTS (SELECT 1 FROM mentoring_sessions WHERE event_id = ",
            $ev,
            ") \
             OR EXISTS (SELECT 1 FROM mentor_assignments WHERE event_id = ",
            $ev,
            ") \
             OR EXISTS (SELECT 1 FROM enrolments WHERE event_id = ",
            $ev,
            " OR completed_event_id = ",
            $ev,
            ") \
             OR EXISTS (SELECT 1 FROM financial_reports WHERE event_id = ",
            $ev,
            ") \
             OR EXISTS (SELECT 1 FROM referrals WHERE referred_event_id = ",
            $ev,
            " OR decision_event_id = ",
            $ev,
            " OR disbursed_event_id = ",
            $ev,
            "))"
        )
    };
}
pub(crate) use owned_by_record;

impl Store {
    pub(crate) async fn member_facts(
        &self,
        actor: &Actor,
        member_no: &str,
    ) -> Result<Option<LedgerFacts>> {
        let mut sql = query_text(format!(
            "SELECT {FACTS_COLS} FROM members WHERE member_no = $1"
        ))
        .bind(member_no);
        scope_filter(actor, &mut sql);
        sql.fetch_optional(self.read()).await
    }

    pub(crate) async fn event(&self, member_no: &str, id: i64) -> Result<Event> {
        let q = format!("{EVENT_SELECT} AND e.id = $1");
        let row: Option<EventRow> = query_text(q).bind(id).fetch_optional(self.read()).await?;
        row.map(|r| r.into_event(member_no))
            .ok_or(StoreError::NotFound)
    }

    /// A member's services in date order (voided ones included, with their void), if the
    /// actor's scope reaches the member.
    pub async fn list_events(&self, actor: &Actor, member_no: &str) -> Result<Vec<Event>> {
        require(actor, Permission::MemberRead)?;
        let f = self
            .member_facts(actor, member_no)
            .await?
            .ok_or(StoreError::NotFound)?;
        let q = format!("{EVENT_SELECT} AND e.member_id = $1 ORDER BY e.occurred_on, e.id");
        let rows: Vec<EventRow> = query_text(q).bind(f.id).fetch_all(self.read()).await?;
        Ok(rows.into_iter().map(|r| r.into_event(member_no)).collect())
    }

    /// The stages a member has reached, with dates.
    pub async fn member_reached(&self, actor: &Actor, member_no: &str) -> Result<Vec<Reached>> {
        require(actor, Permission::MemberRead)?;
        let f = self
            .member_facts(actor, member_no)
            .await?
            .ok_or(StoreError::NotFound)?;
        query(
            "SELECT stage, first_reached_on, event_id FROM member_facility \
             WHERE member_id = $1 AND programme = $2 ORDER BY stage",
        )
        .bind(f.id)
        .bind(JAKPRENEUR)
        .fetch_all(self.read())
        .await
    }
}

pub(crate) fn check_dates(f: &LedgerFacts, e: &NewEvent) -> Result<()> {
    if e.occurred_on < f.registered_on {
        return Err(StoreError::Invalid(
            FieldError::new(
                "occurred_on",
                "before_registration",
                format!(
                    "occurred_on {} is before the member registered ({})",
                    e.occurred_on, f.registered_on
                ),
            )
            .into(),
        ));
    }
    if f.status == Status::Withdrawn.as_str()
        && let Some(w) = f.withdrawn_on
        && e.occurred_on > w
    {
        return Err(StoreError::Invalid(
            FieldError::new(
                "occurred_on",
                "after_withdrawal",
                format!(
                    "occurred_on {} is after the member withdrew ({w})",
                    e.occurred_on
                ),
            )
            .into(),
        ));
    }
    Ok(())
}
