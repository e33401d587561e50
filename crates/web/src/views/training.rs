//! Facility P2: courses, classes, enrolment, attendance and completion.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCourse {
    #[schema(
        required = true,
        nullable = false,
        example = "Pengemasan produk pangan"
    )]
    pub title: Option<String>,
    /// business, production, marketing, digital, finance, halal, packaging or other.
    #[schema(required = true, nullable = false, example = "packaging")]
    pub topic: Option<String>,
    #[schema(required = true, nullable = false, example = 16)]
    pub hours: Option<i64>,
    /// `P2` (training, the default) or `P6` (a finance class).
    #[schema(example = "P2")]
    pub facility: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CourseList {
    pub items: Vec<jakpreneur_store::Course>,
    pub next: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateClass {
    #[schema(required = true, nullable = false, format = Date)]
    pub starts_on: Option<String>,
    /// Default: the start date.
    #[schema(format = Date)]
    pub ends_on: Option<String>,
    /// Number of sessions (1–100, default 1).
    pub sessions: Option<i64>,
    /// The district where the class is held.
    #[schema(example = "31.71.01")]
    pub place_code: Option<String>,
    #[schema(required = true, nullable = false, example = 30)]
    pub capacity: Option<i64>,
    /// Username of an account with the trainer role; a trainer's own by default.
    pub trainer: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClassList {
    pub items: Vec<jakpreneur_store::Class>,
    pub next: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClassDetail {
    pub class: jakpreneur_store::Class,
    /// The enrolled members within the caller's region.
    pub roster: Vec<jakpreneur_store::RosterRow>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Enrol {
    #[schema(required = true, nullable = false, example = "JP-3171-0000001")]
    pub member_no: Option<String>,
    /// Default today, or the class's first day for a class entered after it began.
    #[schema(format = Date)]
    pub enrolled_on: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordAttendance {
    /// The session's number, 1 to the class's number of sessions.
    #[schema(required = true, nullable = false, example = 1)]
    pub session: Option<i64>,
    /// Within the class's dates, not in the future.
    #[schema(required = true, nullable = false, format = Date)]
    pub held_on: Option<String>,
    /// Member numbers of those present (each enrolled in the class).
    #[schema(required = true, nullable = false)]
    pub members: Option<Vec<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttendanceRecorded {
    /// Attendances newly recorded (those already on file are not counted again).
    pub added: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CompletionList {
    pub items: Vec<jakpreneur_store::Completion>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberClassList {
    pub items: Vec<jakpreneur_store::MemberClass>,
}
