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
    /// The training centre's code (`GET /api/v1/training-centres`); a full centre is 422
    /// `centre_full`.
    pub centre_code: Option<String>,
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
            centre_code: b.centre_code,
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
    /// The training centre the trainee is enrolled at.
    pub centre_code: Option<String>,
    pub version: i64,
    /// When the person's personal data was erased; the name and NIK are empty since.
    pub erased_at: Option<DateTime<Utc>>,
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
            centre_code: e.centre_code,
            version: e.version,
            erased_at: e.erased_at,
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

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCentre {
    /// 2–20 capitals, digits or dashes, e.g. `PPKD-JT`.
    #[schema(required = true, nullable = false, example = "PPKD-JT")]
    pub code: Option<String>,
    #[schema(required = true, nullable = false)]
    pub name: Option<String>,
    /// `centre` (default) or `office`.
    pub kind: Option<String>,
    #[schema(required = true, nullable = false, example = "31.75.01")]
    pub district_code: Option<String>,
    #[schema(required = true, nullable = false)]
    pub address: Option<String>,
    /// Trainees it holds in training at once, 1–10000.
    #[schema(required = true, nullable = false, example = "60")]
    pub capacity: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CentreView {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub district_code: String,
    pub city_code: String,
    pub address: String,
    pub capacity: i64,
    /// Active trainees enrolled there who have not completed skills training.
    pub in_training: i64,
}

impl From<jakpreneur_store::TrainingCentre> for CentreView {
    fn from(c: jakpreneur_store::TrainingCentre) -> Self {
        Self {
            code: c.code,
            name: c.name,
            kind: c.kind,
            district_code: c.district_code,
            city_code: c.city_code,
            address: c.address,
            capacity: c.capacity,
            in_training: c.in_training,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CentreList {
    pub items: Vec<CentreView>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateFair {
    #[schema(required = true, nullable = false)]
    pub title: Option<String>,
    #[schema(required = true, nullable = false, example = "31.71")]
    pub city_code: Option<String>,
    #[schema(required = true, nullable = false, format = Date)]
    pub held_on: Option<String>,
    #[schema(required = true, nullable = false)]
    pub place: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FairView {
    pub id: i64,
    pub title: String,
    pub city_code: String,
    pub held_on: NaiveDate,
    pub place: String,
    pub vacancies: i64,
    pub openings: i64,
    pub applications: i64,
    pub hires: i64,
}

impl From<jakpreneur_store::JobFair> for FairView {
    fn from(f: jakpreneur_store::JobFair) -> Self {
        Self {
            id: f.id,
            title: f.title,
            city_code: f.city_code,
            held_on: f.held_on,
            place: f.place,
            vacancies: f.vacancies,
            openings: f.openings,
            applications: f.applications,
            hires: f.hires,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FairList {
    pub items: Vec<FairView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VacancyView {
    pub id: i64,
    pub employer: String,
    pub position: String,
    pub openings: i64,
    pub hired: i64,
}

impl From<jakpreneur_store::FairVacancy> for VacancyView {
    fn from(v: jakpreneur_store::FairVacancy) -> Self {
        Self {
            id: v.id,
            employer: v.employer,
            position: v.position,
            openings: v.openings,
            hired: v.hired,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationView {
    pub id: i64,
    pub vacancy_id: i64,
    /// Only for a reader whose region holds the trainee.
    pub enrolment_no: Option<String>,
    pub full_name: Option<String>,
    /// `applied`, `hired` or `rejected`.
    pub status: String,
    pub applied_on: NaiveDate,
    pub decided_on: Option<NaiveDate>,
    pub placement_id: Option<i64>,
}

impl From<jakpreneur_store::FairApplication> for ApplicationView {
    fn from(a: jakpreneur_store::FairApplication) -> Self {
        Self {
            id: a.id,
            vacancy_id: a.vacancy_id,
            enrolment_no: a.enrolment_no,
            full_name: a.full_name,
            status: a.status,
            applied_on: a.applied_on,
            decided_on: a.decided_on,
            placement_id: a.placement_id,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FairDetail {
    pub fair: FairView,
    pub vacancies: Vec<VacancyView>,
    pub applications: Vec<ApplicationView>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddVacancy {
    #[schema(required = true, nullable = false)]
    pub employer: Option<String>,
    #[schema(required = true, nullable = false)]
    pub position: Option<String>,
    #[schema(required = true, nullable = false, example = "5")]
    pub openings: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyAtFair {
    #[schema(required = true, nullable = false)]
    pub vacancy_id: Option<i64>,
    #[schema(required = true, nullable = false, example = "PK-3171-000001")]
    pub enrolment_no: Option<String>,
    /// Default the fair's day.
    #[schema(format = Date)]
    pub applied_on: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecideApplication {
    /// `hired` or `rejected`.
    #[schema(required = true, nullable = false, example = "hired")]
    pub decision: Option<String>,
    /// Default today.
    #[schema(format = Date)]
    pub decided_on: Option<String>,
    /// For a hire: `below_min`, `min_to_1_5` or `above_1_5`.
    pub wage_band: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateJobClass {
    #[schema(required = true, nullable = false, example = "PPKD-JT")]
    pub centre_code: Option<String>,
    #[schema(required = true, nullable = false, example = "Las listrik dasar")]
    pub title: Option<String>,
    /// `regular` (at the centre, default) or `mobile` (a mobile training unit).
    pub mode: Option<String>,
    #[schema(required = true, nullable = false, format = Date)]
    pub starts_on: Option<String>,
    #[schema(required = true, nullable = false, format = Date)]
    pub ends_on: Option<String>,
    #[schema(required = true, nullable = false, example = "10")]
    pub sessions: Option<String>,
    #[schema(required = true, nullable = false, example = "20")]
    pub capacity: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JobClassView {
    pub id: i64,
    pub centre_code: String,
    pub title: String,
    pub mode: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub sessions: i64,
    pub capacity: i64,
    pub enrolled: i64,
}

impl From<jakpreneur_store::JobClass> for JobClassView {
    fn from(c: jakpreneur_store::JobClass) -> Self {
        Self {
            id: c.id,
            centre_code: c.centre_code,
            title: c.title,
            mode: c.mode,
            starts_on: c.starts_on,
            ends_on: c.ends_on,
            sessions: c.sessions,
            capacity: c.capacity,
            enrolled: c.enrolled,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JobClassList {
    pub items: Vec<JobClassView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClassSessionView {
    pub session_no: i64,
    pub held_on: NaiveDate,
    /// The district where it is held.
    pub place_code: String,
}

impl From<jakpreneur_store::ClassSession> for ClassSessionView {
    fn from(s: jakpreneur_store::ClassSession) -> Self {
        Self {
            session_no: s.session_no,
            held_on: s.held_on,
            place_code: s.place_code,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClassTraineeView {
    pub enrolment_no: Option<String>,
    pub full_name: Option<String>,
    pub attended: i64,
    pub assessment: Option<String>,
}

impl From<jakpreneur_store::ClassTrainee> for ClassTraineeView {
    fn from(t: jakpreneur_store::ClassTrainee) -> Self {
        Self {
            enrolment_no: t.enrolment_no,
            full_name: t.full_name,
            attended: t.attended,
            assessment: t.assessment,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JobClassDetail {
    pub class: JobClassView,
    pub sessions: Vec<ClassSessionView>,
    pub trainees: Vec<ClassTraineeView>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleSession {
    #[schema(required = true, nullable = false, example = 1)]
    pub session_no: Option<i64>,
    #[schema(required = true, nullable = false, format = Date)]
    pub held_on: Option<String>,
    /// Required for a mobile class; a regular class meets at its centre.
    #[schema(example = "31.75.01")]
    pub place_code: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassEnrol {
    #[schema(required = true, nullable = false, example = "PK-3175-000001")]
    pub enrolment_no: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassAttendance {
    #[schema(required = true, nullable = false, example = 1)]
    pub session_no: Option<i64>,
    #[schema(required = true, nullable = false)]
    pub enrolment_nos: Option<Vec<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttendanceAdded {
    pub added: usize,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassAssessment {
    #[schema(required = true, nullable = false, example = "PK-3175-000001")]
    pub enrolment_no: Option<String>,
    #[schema(required = true, nullable = false)]
    pub competent: Option<bool>,
    /// Default today; not before the class's last day.
    #[schema(format = Date)]
    pub assessed_on: Option<String>,
}

/// People at one stage of a programme other than Jakpreneur.
#[derive(Debug, Serialize, ToSchema)]
pub struct StageCountView {
    pub stage: String,
    pub name_id: String,
    pub name_en: String,
    /// `null` when hidden in the published figures.
    pub reached: Option<i64>,
}

/// A programme's stage release (`programme_reached`).
#[derive(Debug, Serialize, ToSchema)]
pub struct StageReleaseView {
    pub programme: String,
    pub as_of: NaiveDate,
    pub region: Option<String>,
    pub stages: Vec<StageCountView>,
    /// Set when counts below it are hidden (a district or village, published figures).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed_below: Option<i64>,
}

/// `/stats/facilities`: Jakpreneur's facility release, or another programme's stage release.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum FacilitiesResponse {
    Jakpreneur(jakpreneur_reports::FacilityRelease),
    Programme(StageReleaseView),
}

/// `/stats/funnel`: Jakpreneur's funnel, or another programme's stage release.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum FunnelResponse {
    Jakpreneur(jakpreneur_reports::Funnel),
    Programme(StageReleaseView),
}
