//! A trainee's classes and job-fair applications, for the trainee's page: where the
//! trainee was taught (with attendance and assessment) and applied for work.

use chrono::NaiveDate;
use jakpreneur_core::Actor;
use serde::Serialize;

use crate::query::query;
use crate::{Result, Store};

/// A class the trainee sits in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct TraineeClass {
    pub class_id: i64,
    pub title: String,
    pub centre_code: String,
    pub mode: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub sessions: i64,
    pub attended: i64,
    /// `competent` or `not_yet_competent` once assessed.
    pub assessment: Option<String>,
}

/// An application at a job fair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct TraineeApplication {
    pub fair_id: i64,
    pub fair_title: String,
    pub held_on: NaiveDate,
    pub employer: String,
    pub position: String,
    /// `applied`, `hired` or `rejected`.
    pub status: String,
    pub applied_on: NaiveDate,
    pub decided_on: Option<NaiveDate>,
}

impl Store {
    /// The classes and applications of one enrolment in the reader's scope (404 outside).
    pub async fn trainee_activity(
        &self,
        actor: &Actor,
        enrolment_no: &str,
    ) -> Result<(Vec<TraineeClass>, Vec<TraineeApplication>)> {
        let id = self.enrolment_id(actor, enrolment_no).await?;
        let classes = query(
            "SELECT j.id AS class_id, j.title, j.centre_code, j.mode, j.starts_on, j.ends_on, \
             CAST(j.sessions AS BIGINT) AS sessions, CAST(t.attended AS BIGINT) AS attended, \
             t.assessment FROM job_class_trainees t JOIN job_classes j ON j.id = t.class_id \
             WHERE t.enrolment_id = $1 ORDER BY j.starts_on, j.id",
        )
        .bind(id)
        .fetch_all(self.read())
        .await?;
        let applications = query(
            "SELECT f.id AS fair_id, f.title AS fair_title, f.held_on, v.employer, v.position, \
             a.status, a.applied_on, a.decided_on FROM job_fair_applications a \
             JOIN job_fair_vacancies v ON v.id = a.vacancy_id JOIN job_fairs f ON f.id = v.fair_id \
             WHERE a.enrolment_id = $1 ORDER BY a.applied_on, a.id",
        )
        .bind(id)
        .fetch_all(self.read())
        .await?;
        Ok((classes, applications))
    }
}
