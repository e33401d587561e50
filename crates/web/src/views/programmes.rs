//! Enrolments in programmes beside Jakpreneur (job training first), their services,
//! placements, referrals and placement statistics.

use chrono::{DateTime, NaiveDate, Utc};
use jakpreneur_store::{EnrolmentEvent, Placement, ProgrammeEnrolment, StageReached};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::VoidView;

/// A person to enrol. The NIK is the person's one identity across programmes.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolPerson {
    #[schema(required = true, nullable = false, example = "3171014101990001")]
    pub nik: Option<String>,
    #[schema(required = true, nullable = false, min_length = 2, max_length = 100)]
    pub full_name: Option<String>,
    #[schema(required = true, nullable = false, format = Date, example = "1999-01-01")]
    pub birth_date: Option<String>,
    /// `F` or `M`.
    #[schema(required = true, nullable = false, example = "F")]
    pub sex: Option<String>,
    #[schema(example = "+6281234567890")]
    pub phone: Option<String>,
    #[schema(required = true, nullable = false, min_length = 5, max_length = 300)]
    pub address: Option<String>,
    /// Where the person lives (kelurahan).
    #[schema(required = true, nullable = false, example = "31.71.01.1001")]
    pub village_code: Option<String>,
    /// Default today.
    #[schema(format = Date)]
    pub registered_on: Option<String>,
    /// The person agreed to the processing of their data.
    #[schema(required = true, nullable = false)]
    pub consent: Option<bool>,
}

impl From<EnrolPerson> for jakpreneur_core::enrolment::EnrolmentDraft {
    fn from(b: EnrolPerson) -> Self {
        Self {
            nik: b.nik,
            full_name: b.full_name,
            birth_date: b.birth_date,
            sex: b.sex,
            phone: b.phone,
            address: b.address,
            village_code: b.village_code,
            registered_on: b.registered_on,
            consent: b.consent,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EnrolmentView {
    pub enrolment_no: String,
    pub programme: String,
    /// Masked: `3171**********01`.
    pub nik: String,
    pub full_name: String,
    pub birth_date: NaiveDate,
    pub sex: String,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub village_code: String,
    pub district_code: String,
    pub city_code: String,
    pub registered_on: NaiveDate,
    /// `active` or `withdrawn`.
    pub status: String,
    pub withdrawn_on: Option<NaiveDate>,
    pub withdrawal_reason: Option<String>,
    pub consent_version: String,
    pub consent_at: DateTime<Utc>,
    /// The Jakpreneur member this person is (same NIK), for readers who may see members
    /// across the province.
    pub jakpreneur_member_no: Option<String>,
    /// The member this enrolment referred the person to.
    pub referred_member_no: Option<String>,
    pub version: i64,
}

impl From<ProgrammeEnrolment> for EnrolmentView {
    fn from(e: ProgrammeEnrolment) -> Self {
        Self {
            enrolment_no: e.enrolment_no,
            programme: e.programme,
            nik: e.nik_masked,
            full_name: e.full_name,
            birth_date: e.birth_date,
            sex: e.sex,
            phone: e.phone,
            address: e.address,
            village_code: e.village_code,
            district_code: e.district_code,
            city_code: e.city_code,
            registered_on: e.registered_on,
            status: e.status,
            withdrawn_on: e.withdrawn_on,
            withdrawal_reason: e.withdrawal_reason,
            consent_version: e.consent_version,
            consent_at: e.consent_at,
            jakpreneur_member_no: e.jakpreneur_member_no,
            referred_member_no: e.referred_member_no,
            version: e.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EnrolmentList {
    pub items: Vec<EnrolmentView>,
    pub total: i64,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EnrolmentQuery {
    /// A city, district or village code.
    pub region: Option<String>,
    /// Only those who reached this stage (`K2`).
    pub reached: Option<String>,
    /// Part of the name, or the whole enrolment number.
    pub q: Option<String>,
    /// 1–500, default 50.
    pub limit: Option<String>,
    pub offset: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EnrolmentEventView {
    pub id: i64,
    pub stage: String,
    pub kind: String,
    pub qualifying: bool,
    pub occurred_on: NaiveDate,
    pub place_code: Option<String>,
    pub agency: String,
    pub recorded_by: String,
    pub reference: Option<String>,
    pub note: Option<String>,
    pub voided: Option<VoidView>,
}

impl From<EnrolmentEvent> for EnrolmentEventView {
    fn from(e: EnrolmentEvent) -> Self {
        Self {
            id: e.id,
            stage: e.stage,
            kind: e.kind,
            qualifying: e.qualifying,
            occurred_on: e.occurred_on,
            place_code: e.place_code,
            agency: e.agency_code,
            recorded_by: e.recorded_by,
            reference: e.reference,
            note: e.note,
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
pub struct StageReachedView {
    pub stage: String,
    pub first_reached_on: NaiveDate,
}

impl From<StageReached> for StageReachedView {
    fn from(s: StageReached) -> Self {
        Self {
            stage: s.stage,
            first_reached_on: s.first_reached_on,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlacementView {
    pub id: i64,
    /// `hired`, `self_employed` or `not_placed`.
    pub outcome: String,
    pub employer: Option<String>,
    pub placed_on: NaiveDate,
    /// `below_min`, `min_to_1_5` or `above_1_5` (against the provincial minimum wage).
    pub wage_band: Option<String>,
    pub event_id: i64,
    pub void_reason: Option<String>,
}

impl From<Placement> for PlacementView {
    fn from(p: Placement) -> Self {
        Self {
            id: p.id,
            outcome: p.outcome,
            employer: p.employer,
            placed_on: p.placed_on,
            wage_band: p.wage_band,
            event_id: p.event_id,
            void_reason: p.void_reason,
        }
    }
}

/// An enrolment with its ledger, stages reached and placements.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnrolmentDetail {
    pub enrolment: EnrolmentView,
    pub stages: Vec<StageReachedView>,
    pub events: Vec<EnrolmentEventView>,
    pub placements: Vec<PlacementView>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordPlacement {
    /// `hired`, `self_employed` or `not_placed`.
    #[schema(required = true, nullable = false, example = "hired")]
    pub outcome: Option<String>,
    /// Required for `hired`, refused otherwise.
    pub employer: Option<String>,
    #[schema(required = true, nullable = false, format = Date)]
    pub placed_on: Option<String>,
    /// `below_min`, `min_to_1_5` or `above_1_5`; not for `not_placed`.
    pub wage_band: Option<String>,
    pub note: Option<String>,
}

impl From<RecordPlacement> for jakpreneur_core::enrolment::PlacementDraft {
    fn from(b: RecordPlacement) -> Self {
        Self {
            outcome: b.outcome,
            employer: b.employer,
            placed_on: b.placed_on,
            wage_band: b.wage_band,
            note: b.note,
        }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawEnrolment {
    #[schema(required = true, nullable = false, min_length = 3, max_length = 500)]
    pub reason: Option<String>,
    /// Default today.
    #[schema(format = Date)]
    pub withdrawn_on: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferToJakpreneur {
    #[schema(required = true, nullable = false, min_length = 2, max_length = 120)]
    pub business_name: Option<String>,
    /// KBLI 2020 section letter A–U.
    #[schema(required = true, nullable = false, example = "C")]
    pub sector: Option<String>,
    /// Needed when the enrolment has no phone number.
    pub phone: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralView {
    pub enrolment_no: String,
    pub member_no: String,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PlacementQuery {
    /// Default today.
    pub as_of: Option<String>,
    /// Only trainees who completed training on or after this date.
    pub from: Option<String>,
    /// The province, a city or (staff) a district.
    pub region: Option<String>,
    /// The agency that trained (`NAKERTRANSGI`, …).
    pub agency: Option<String>,
    /// `pelatihan_kerja` (the default; the only programme with placements).
    pub programme: Option<String>,
}
