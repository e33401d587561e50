//! Job fairs (bursa kerja) in the five cities: employers' vacancies, trainees'
//! applications and hires. A hire is a placement (hired, with the vacancy's employer),
//! written in the same transaction as the decision; a vacancy takes no more hires than
//! its openings (one guarded update, so two officers cannot both fill the last one).

use chrono::{NaiveDate, Utc};
use jakpreneur_core::enrolment::{NewPlacement, Outcome, WageBand};
use jakpreneur_core::job_training::{NewFair, NewVacancy};
use jakpreneur_core::{Actor, Permission, Scope};
use serde::Serialize;
use serde_json::json;

use super::enrolments::enrolment_for_write;
use super::placements::place_in_tx;
use crate::access::require;
use crate::audit::{self, Change, Who};
use crate::query::{query, query_text};
use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct JobFair {
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct FairVacancy {
    pub id: i64,
    pub employer: String,
    pub position: String,
    pub openings: i64,
    pub hired: i64,
}

/// An application; the trainee's number and name only for a reader whose region holds
/// the trainee (others see that a place was applied for, not by whom).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FairApplication {
    pub id: i64,
    pub vacancy_id: i64,
    pub enrolment_no: Option<String>,
    pub full_name: Option<String>,
    pub status: String,
    pub applied_on: NaiveDate,
    pub decided_on: Option<NaiveDate>,
    pub placement_id: Option<i64>,
}

const FAIR_SELECT: &str = "SELECT f.id, f.title, f.city_code, f.held_on, f.place, \
     (SELECT COUNT(*) FROM job_fair_vacancies v WHERE v.fair_id = f.id) AS vacancies, \
     (SELECT CAST(COALESCE(SUM(v.openings), 0) AS BIGINT) FROM job_fair_vacancies v WHERE v.fair_id = f.id) AS openings, \
     (SELECT COUNT(*) FROM job_fair_applications a JOIN job_fair_vacancies v ON v.id = a.vacancy_id \
        WHERE v.fair_id = f.id) AS applications, \
     (SELECT CAST(COALESCE(SUM(v.hired), 0) AS BIGINT) FROM job_fair_vacancies v WHERE v.fair_id = f.id) AS hires \
     FROM job_fairs f";

fn covers_city(actor: &Actor, city: &str) -> bool {
    match &actor.scope {
        Scope::All => true,
        // A city's or a district's staff work at their city's fairs.
        Scope::Region(r) => {
            jakpreneur_core::access::region_contains(city, r.as_str())
                || jakpreneur_core::access::region_contains(r.as_str(), city)
        }
        Scope::Member(_) | Scope::Nothing => false,
    }
}

impl Store {
    /// Announces a job fair in a city (staff whose region holds the city).
    pub async fn create_fair(&self, actor: &Actor, f: &NewFair) -> Result<JobFair> {
        require(actor, Permission::TraineeRegister)?;
        if !actor.scope.covers(f.city.as_str(), "") {
            return Err(StoreError::Forbidden(
                "the city lies outside your region".into(),
            ));
        }
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let id: i64 = query(
            "INSERT INTO job_fairs (title, city_code, held_on, place, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(f.title.clone())
        .bind(f.city.as_str().to_owned())
        .bind(f.held_on)
        .bind(f.place.clone())
        .bind(actor.name.clone())
        .bind(now)
        .scalar(&mut tx)
        .await?;
        let change = Change {
            who: Who::from(actor),
            action: "job_fair.create",
            record_type: "job_fair",
            record_id: id.to_string(),
            before: None,
            after: Some(json!({"title": f.title, "city": f.city.as_str(), "held_on": f.held_on})),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        self.fair(actor, id).await.map(|(f, _, _)| f)
    }

    /// Job fairs, latest first (they are public events: every trainee reader sees them).
    pub async fn fairs(&self, actor: &Actor) -> Result<Vec<JobFair>> {
        require(actor, Permission::TraineeRead)?;
        query_text(format!("{FAIR_SELECT} ORDER BY f.held_on DESC, f.id DESC"))
            .fetch_all(self.read())
            .await
    }

    /// A fair with its vacancies and applications.
    pub async fn fair(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<(JobFair, Vec<FairVacancy>, Vec<FairApplication>)> {
        require(actor, Permission::TraineeRead)?;
        let fair: JobFair = query_text(format!("{FAIR_SELECT} WHERE f.id = $1"))
            .bind(id)
            .fetch_optional(self.read())
            .await?
            .ok_or(StoreError::NotFound)?;
        let vacancies: Vec<FairVacancy> = query(
            "SELECT id, employer, position, CAST(openings AS BIGINT) AS openings, \
             CAST(hired AS BIGINT) AS hired FROM job_fair_vacancies WHERE fair_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.read())
        .await?;
        type Row = (
            i64,
            i64,
            String,
            String,
            Option<String>,
            String,
            NaiveDate,
            Option<NaiveDate>,
            Option<i64>,
        );
        let rows: Vec<Row> = query(
            "SELECT a.id, a.vacancy_id, e.enrolment_no, e.village_code, p.full_name, a.status, \
             a.applied_on, a.decided_on, a.placement_id FROM job_fair_applications a \
             JOIN job_fair_vacancies v ON v.id = a.vacancy_id \
             JOIN programme_enrolments e ON e.id = a.enrolment_id \
             JOIN people p ON p.id = e.person_id WHERE v.fair_id = $1 ORDER BY a.id",
        )
        .bind(id)
        .fetch_all(self.read())
        .await?;
        let applications = rows
            .into_iter()
            .map(
                |(
                    id,
                    vacancy_id,
                    no,
                    village,
                    name,
                    status,
                    applied_on,
                    decided_on,
                    placement_id,
                )| {
                    let visible = actor.scope.covers(&village, "")
                        && !matches!(actor.scope, Scope::Member(_));
                    FairApplication {
                        id,
                        vacancy_id,
                        enrolment_no: visible.then_some(no),
                        full_name: if visible { name } else { None },
                        status,
                        applied_on,
                        decided_on,
                        placement_id,
                    }
                },
            )
            .collect();
        Ok((fair, vacancies, applications))
    }

    /// Adds an employer's vacancy to a fair.
    pub async fn add_vacancy(
        &self,
        actor: &Actor,
        fair_id: i64,
        v: &NewVacancy,
    ) -> Result<FairVacancy> {
        require(actor, Permission::TraineeRegister)?;
        let city: String = query("SELECT city_code FROM job_fairs WHERE id = $1")
            .bind(fair_id)
            .scalar_optional(self.read())
            .await?
            .ok_or(StoreError::NotFound)?;
        if !covers_city(actor, &city) {
            return Err(StoreError::Forbidden(
                "the fair's city lies outside your region".into(),
            ));
        }
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let id: i64 = query(
            "INSERT INTO job_fair_vacancies (fair_id, employer, position, openings) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(fair_id)
        .bind(v.employer.clone())
        .bind(v.position.clone())
        .bind(v.openings)
        .scalar(&mut tx)
        .await?;
        let change = Change {
            who: Who::from(actor),
            action: "job_fair.vacancy",
            record_type: "job_fair",
            record_id: fair_id.to_string(),
            before: None,
            after: Some(
                json!({"vacancy_id": id, "employer": v.employer, "position": v.position, "openings": v.openings}),
            ),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        Ok(FairVacancy {
            id,
            employer: v.employer.clone(),
            position: v.position.clone(),
            openings: v.openings,
            hired: 0,
        })
    }

    /// A trainee applies for a vacancy of a fair (once per vacancy).
    pub async fn apply_at_fair(
        &self,
        actor: &Actor,
        fair_id: i64,
        vacancy_id: i64,
        enrolment_no: &str,
        on: NaiveDate,
    ) -> Result<i64> {
        require(actor, Permission::TraineeRecord)?;
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let f = enrolment_for_write(&mut tx, actor, enrolment_no).await?;
        let ok: Option<i64> =
            query("SELECT id FROM job_fair_vacancies WHERE id = $1 AND fair_id = $2")
                .bind(vacancy_id)
                .bind(fair_id)
                .scalar_optional(&mut tx)
                .await?;
        if ok.is_none() {
            return Err(StoreError::invalid(
                "vacancy_id",
                "vacancy_unknown",
                "the fair has no vacancy with this id",
            ));
        }
        if f.status != "active" || on < f.registered_on {
            return Err(StoreError::invalid(
                "enrolment_no",
                "not_applicable",
                "only an active trainee applies, on or after enrolling",
            ));
        }
        let id: Option<i64> = query(
            "INSERT INTO job_fair_applications (vacancy_id, enrolment_id, applied_on, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (vacancy_id, enrolment_id) DO NOTHING RETURNING id",
        )
        .bind(vacancy_id)
        .bind(f.id)
        .bind(on)
        .bind(now)
        .scalar_optional(&mut tx)
        .await?;
        let Some(id) = id else {
            return Err(StoreError::invalid(
                "enrolment_no",
                "already_applied",
                "this trainee has applied for this vacancy already",
            ));
        };
        let change = Change {
            who: Who::from(actor),
            action: "job_fair.apply",
            record_type: "enrolment",
            record_id: enrolment_no.to_owned(),
            before: None,
            after: Some(
                json!({"fair_id": fair_id, "vacancy_id": vacancy_id, "application_id": id}),
            ),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Decides an application: `hired` takes one of the vacancy's openings and records
    /// the placement (hired by the vacancy's employer) with it; `rejected` closes it.
    pub async fn decide_application(
        &self,
        actor: &Actor,
        application_id: i64,
        hired: bool,
        on: NaiveDate,
        wage_band: Option<WageBand>,
    ) -> Result<FairApplication> {
        require(actor, Permission::TraineeRecord)?;
        let defs = self.programme_definitions().await?;
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        type Row = (String, i64, String, String, i64, NaiveDate);
        let (no, vacancy_id, employer, status, fair_id, applied_on): Row = query(
            "SELECT e.enrolment_no, a.vacancy_id, v.employer, a.status, v.fair_id, a.applied_on \
             FROM job_fair_applications a JOIN job_fair_vacancies v ON v.id = a.vacancy_id \
             JOIN programme_enrolments e ON e.id = a.enrolment_id WHERE a.id = $1",
        )
        .bind(application_id)
        .fetch_optional(&mut tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let f = enrolment_for_write(&mut tx, actor, &no).await?;
        if status != "applied" {
            return Err(StoreError::invalid(
                "decision",
                "already_decided",
                format!("the application is {status} already"),
            ));
        }
        if on < applied_on {
            return Err(StoreError::invalid(
                "decided_on",
                "before_application",
                format!("decided_on {on} is before the application ({applied_on})"),
            ));
        }
        let placement_id = if hired {
            let taken = query(
                "UPDATE job_fair_vacancies SET hired = hired + 1 WHERE id = $1 AND hired < openings",
            )
            .bind(vacancy_id)
            .execute(&mut tx)
            .await?;
            if taken == 0 {
                return Err(StoreError::invalid(
                    "decision",
                    "vacancy_filled",
                    "every opening of this vacancy is filled",
                ));
            }
            let p = NewPlacement {
                outcome: Outcome::Hired,
                employer: Some(employer.clone()),
                placed_on: on,
                wage_band,
                note: Some(format!("job fair {fair_id}")),
            };
            let agency = actor
                .agency
                .clone()
                .unwrap_or_else(|| "NAKERTRANSGI".into());
            Some(place_in_tx(&mut tx, &defs, &f, &p, &who, &agency, now).await?)
        } else {
            None
        };
        query(
            "UPDATE job_fair_applications SET status = $1, decided_on = $2, placement_id = $3 \
             WHERE id = $4",
        )
        .bind(if hired { "hired" } else { "rejected" })
        .bind(on)
        .bind(placement_id)
        .bind(application_id)
        .execute(&mut tx)
        .await?;
        let change = Change {
            who,
            action: "job_fair.decide",
            record_type: "enrolment",
            record_id: no.clone(),
            before: Some(json!({"application_id": application_id, "status": status})),
            after: Some(
                json!({"status": if hired { "hired" } else { "rejected" }, "placement_id": placement_id, "employer": employer}),
            ),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        let (_, _, apps) = self.fair(actor, fair_id).await?;
        apps.into_iter()
            .find(|a| a.id == application_id)
            .ok_or(StoreError::NotFound)
    }
}
