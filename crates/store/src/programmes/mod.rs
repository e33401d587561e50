//! Programmes beside Jakpreneur, on the same platform: their definitions as stored data
//! ([`definitions`]), one identity per person across programmes ([`people`]), each
//! person's enrolment with its own number, consent and status ([`enrolments`]), the
//! enrolment's ledger of services ([`events`]), job training's placements
//! ([`placements`]), the referral of a trainee to Jakpreneur ([`referral`]) and the
//! statistics every programme gets ([`stats`]).
//!
//! Jakpreneur's members keep their own table and ledger (`members`, `member_events`); a
//! person in both is the `people` row whose keyed NIK hash equals the member's.

mod centres;
mod definitions;
pub(crate) use definitions::write_definitions;
mod enrolments;
mod erasure;
mod events;
mod job_classes;
mod job_fairs;
mod people;
mod placements;
mod referral;
mod stats;
mod trainee_activity;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

pub use centres::TrainingCentre;
pub use enrolments::{EnrolmentFilter, EnrolmentPage};
pub use job_classes::{ClassSession, ClassTrainee, JobClass};
pub use job_fairs::{FairApplication, FairVacancy, JobFair};
pub use placements::Placement;
pub use referral::JakpreneurReferral;
pub use stats::{PlacementGroup, PlacementReport, StageCount, StageRelease};
pub use trainee_activity::{TraineeApplication, TraineeClass};

/// A person's enrolment in a programme. `personal` is `None` for a reader who may not see
/// it (never the case for trainee readers today; kept like a member's for erasure).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProgrammeEnrolment {
    pub id: i64,
    pub programme: String,
    pub enrolment_no: String,
    /// The NIK masked (`3171**********01`).
    pub nik_masked: String,
    pub full_name: String,
    pub birth_date: NaiveDate,
    pub sex: String,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub province_code: String,
    pub city_code: String,
    pub district_code: String,
    pub village_code: String,
    pub registered_on: NaiveDate,
    pub status: String,
    pub withdrawn_on: Option<NaiveDate>,
    pub withdrawal_reason: Option<String>,
    pub consent_version: String,
    pub consent_at: DateTime<Utc>,
    /// The Jakpreneur member this person is, when they are one (same NIK), in the
    /// reader's view: the number only when the reader may read members there.
    pub jakpreneur_member_no: Option<String>,
    /// The Jakpreneur member this enrolment referred the person to.
    pub referred_member_no: Option<String>,
    /// The training centre the trainee is enrolled at.
    pub centre_code: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    /// When the person's personal data was erased (name, NIK, birth date, contact).
    pub erased_at: Option<DateTime<Utc>>,
}

/// A service in an enrolment's ledger, with its void if it has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnrolmentEvent {
    pub id: i64,
    pub enrolment_no: String,
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
    pub voided: Option<crate::Void>,
}

/// A stage an enrolment has reached, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct StageReached {
    pub stage: String,
    pub first_reached_on: NaiveDate,
    pub event_id: i64,
}
