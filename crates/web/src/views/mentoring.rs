//! Facility P3: mentors, sessions and follow-ups.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignMentor {
    /// The mentor's username.
    #[schema(required = true, nullable = false)]
    pub mentor: Option<String>,
    /// Default today.
    #[schema(format = Date)]
    pub assigned_on: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpInput {
    pub action: Option<String>,
    #[schema(format = Date)]
    pub due_on: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordSession {
    #[schema(required = true, nullable = false, format = Date)]
    pub held_on: Option<String>,
    /// Among permit, npwp, halal, product, marketing, finance, other.
    #[schema(required = true, nullable = false)]
    pub topics: Option<Vec<String>>,
    pub notes: Option<String>,
    pub follow_ups: Option<Vec<FollowUpInput>>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteFollowUp {
    #[schema(format = Date)]
    pub done_on: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    pub id: i64,
    pub member_no: String,
    pub mentor: Option<String>,
    pub held_on: NaiveDate,
    pub topics: Vec<String>,
    pub notes: Option<String>,
    /// Why the session was voided, if it was.
    pub void_reason: Option<String>,
}

impl From<jakpreneur_store::MentoringSession> for SessionView {
    fn from(s: jakpreneur_store::MentoringSession) -> Self {
        Self {
            id: s.id,
            member_no: s.member_no,
            mentor: s.mentor,
            held_on: s.held_on,
            topics: s
                .topics
                .split(',')
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
            notes: s.notes,
            void_reason: s.void_reason,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpView {
    pub id: i64,
    pub session_id: i64,
    pub member_no: String,
    pub mentor: Option<String>,
    pub action: String,
    pub due_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
}

impl From<jakpreneur_store::FollowUp> for FollowUpView {
    fn from(f: jakpreneur_store::FollowUp) -> Self {
        Self {
            id: f.id,
            session_id: f.session_id,
            member_no: f.member_no,
            mentor: f.mentor,
            action: f.action,
            due_on: f.due_on,
            done_on: f.done_on,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionList {
    pub items: Vec<SessionView>,
    pub follow_ups: Vec<FollowUpView>,
    pub next: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpList {
    pub items: Vec<FollowUpView>,
    pub next: Option<String>,
}
