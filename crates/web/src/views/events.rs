//! The ledger: services recorded, voided, and the facilities reached.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A service to record. `kind` decides the facility; `facility` may be sent as a check.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordEvent {
    /// `P2`…`P7`; must agree with `kind`.
    #[schema(example = "P2")]
    pub facility: Option<String>,
    /// E.g. `training_completed`, `mentoring_session`, `permit_issued`, `bazaar`,
    /// `finance_training_completed`, `financing_disbursed`; every kind is listed in docs/ledger.md.
    #[schema(required = true, nullable = false, example = "training_completed")]
    pub kind: Option<String>,
    #[schema(required = true, nullable = false, format = Date, example = "2021-05-01")]
    pub occurred_on: Option<String>,
    /// The district (kecamatan) where it happened.
    #[schema(example = "31.71.01")]
    pub place_code: Option<String>,
    /// PPKUKM, PPAPP, KPKP, PAREKRAF, SOSIAL or NAKERTRANSGI; default the recorder's agency.
    pub agency: Option<String>,
    /// Certificate, permit or loan number.
    pub reference: Option<String>,
    pub note: Option<String>,
}

impl From<RecordEvent> for jakpreneur_core::programme::EventDraft {
    fn from(r: RecordEvent) -> Self {
        Self {
            facility: r.facility,
            kind: r.kind,
            occurred_on: r.occurred_on,
            place_code: r.place_code,
            agency: r.agency,
            reference: r.reference,
            note: r.note,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoidEvent {
    /// Why the event is void (3–500 characters).
    #[schema(required = true, nullable = false, min_length = 3, max_length = 500)]
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VoidView {
    pub void_event_id: i64,
    pub on: NaiveDate,
    pub by: String,
    pub reason: String,
}

/// One service in the ledger.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub id: i64,
    pub member_no: String,
    #[schema(example = "P2")]
    pub facility: String,
    pub kind: String,
    /// Whether it makes the member reach its facility.
    pub qualifying: bool,
    pub occurred_on: NaiveDate,
    pub place_code: Option<String>,
    pub agency: String,
    pub recorded_by: String,
    pub reference: Option<String>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Present when the event was voided; it then counts nowhere.
    pub voided: Option<VoidView>,
}

impl From<jakpreneur_store::Event> for EventView {
    fn from(e: jakpreneur_store::Event) -> Self {
        Self {
            id: e.id,
            member_no: e.member_no,
            facility: e.stage,
            kind: e.kind,
            qualifying: e.qualifying,
            occurred_on: e.occurred_on,
            place_code: e.place_code,
            agency: e.agency_code,
            recorded_by: e.recorded_by,
            reference: e.reference,
            note: e.note,
            created_at: e.created_at,
            voided: e.voided.map(|v| VoidView {
                void_event_id: v.void_event_id,
                on: v.on,
                by: v.by,
                reason: v.reason,
            }),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventList {
    pub items: Vec<EventView>,
    /// A member's events come whole: always `null`.
    pub next: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReachedView {
    pub facility: String,
    pub first_reached_on: NaiveDate,
    /// The qualifying event that reached it.
    pub event_id: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReachedList {
    pub items: Vec<ReachedView>,
    pub next: Option<String>,
}
