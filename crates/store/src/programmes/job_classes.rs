//! Job-training classes at the centres: seats, dates, sessions (a mobile training unit's
//! sessions each name their place; a regular class meets at its centre), the trainees
//! enrolled, their attendance and their competency assessment. Each step writes the
//! trainee's K2 service in the same transaction, referencing the class.

use chrono::{NaiveDate, Utc};
use jakpreneur_core::job_training::{
    COMPETENT_ATTENDANCE_PERCENT, NewJobClass, sessions_for_competence,
};
use jakpreneur_core::programme::NewEvent;
use jakpreneur_core::{Actor, Permission, RegionCode, Scope};
use serde::Serialize;
use serde_json::json;

use super::enrolments::enrolment_for_write;
use super::events::write_event;
use crate::access::require;
use crate::audit::{self, Change, Who};
use crate::query::{query, query_text};
use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct JobClass {
    pub id: i64,
    pub centre_code: String,
    pub title: String,
    pub mode: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub sessions: i64,
    pub capacity: i64,
    pub enrolled: i64,
    /// The centre's district: where a regular class meets.
    pub centre_district: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ClassSession {
    pub session_no: i64,
    pub held_on: NaiveDate,
    pub place_code: String,
}

/// A trainee of a class: number and name only for a reader whose region holds them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClassTrainee {
    pub enrolment_no: Option<String>,
    pub full_name: Option<String>,
    pub attended: i64,
    pub assessment: Option<String>,
}

const CLASS_SELECT: &str = "SELECT j.id, j.centre_code, j.title, j.mode, j.starts_on, \
     j.ends_on, CAST(j.sessions AS BIGINT) AS sessions, CAST(j.capacity AS BIGINT) AS capacity, \
     CAST(j.enrolled AS BIGINT) AS enrolled, c.district_code AS centre_district \
     FROM job_classes j JOIN training_centres c ON c.code = j.centre_code";

fn service(kind: &str, on: NaiveDate, place: &str, reference: String) -> NewEvent {
    NewEvent {
        programme: jakpreneur_core::enrolment::PELATIHAN_KERJA.into(),
        stage: jakpreneur_core::enrolment::STAGE_TRAINING.into(),
        kind: kind.into(),
        qualifying: kind == "assessed_competent",
        occurred_on: on,
        place_code: Some(place.to_owned()),
        agency: None,
        reference: Some(reference),
        note: None,
    }
}

impl Store {
    /// Opens a class at a centre (staff whose region holds the centre).
    pub async fn create_job_class(&self, actor: &Actor, c: &NewJobClass) -> Result<JobClass> {
        require(actor, Permission::TraineeRegister)?;
        let district: Option<String> =
            query("SELECT district_code FROM training_centres WHERE code = $1")
                .bind(c.centre_code.clone())
                .scalar_optional(self.read())
                .await?;
        let Some(district) = district else {
            return Err(StoreError::invalid(
                "centre_code",
                "centre_unknown",
                format!("no training centre has the code {:?}", c.centre_code),
            ));
        };
        if !actor.scope.covers(&district, "") {
            return Err(StoreError::Forbidden(
                "the centre lies outside your region".into(),
            ));
        }
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let id: i64 = query(
            "INSERT INTO job_classes (centre_code, title, mode, starts_on, ends_on, sessions, \
             capacity, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(c.centre_code.clone())
        .bind(c.title.clone())
        .bind(if c.mobile { "mobile" } else { "regular" })
        .bind(c.starts_on)
        .bind(c.ends_on)
        .bind(c.sessions)
        .bind(c.capacity)
        .bind(actor.name.clone())
        .bind(now)
        .scalar(&mut tx)
        .await?;
        let change = Change {
            who: Who::from(actor),
            action: "job_class.create",
            record_type: "job_class",
            record_id: id.to_string(),
            before: None,
            after: Some(
                json!({"centre": c.centre_code, "title": c.title, "mobile": c.mobile,
                "starts_on": c.starts_on, "ends_on": c.ends_on, "capacity": c.capacity}),
            ),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        self.class_row(actor, id).await
    }

    /// Classes, latest first.
    pub async fn job_classes(&self, actor: &Actor) -> Result<Vec<JobClass>> {
        require(actor, Permission::TraineeRead)?;
        query_text(format!(
            "{CLASS_SELECT} ORDER BY j.starts_on DESC, j.id DESC"
        ))
        .fetch_all(self.read())
        .await
    }

    /// The class alone (with its centre's district), for the writes that need only it.
    pub async fn class_row(&self, actor: &Actor, id: i64) -> Result<JobClass> {
        require(actor, Permission::TraineeRead)?;
        query_text(format!("{CLASS_SELECT} WHERE j.id = $1"))
            .bind(id)
            .fetch_optional(self.read())
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// A class with its sessions and trainees.
    pub async fn job_class(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<(JobClass, Vec<ClassSession>, Vec<ClassTrainee>)> {
        require(actor, Permission::TraineeRead)?;
        let class = self.class_row(actor, id).await?;
        let sessions: Vec<ClassSession> = query(
            "SELECT CAST(session_no AS BIGINT) AS session_no, held_on, place_code \
             FROM job_class_sessions WHERE class_id = $1 ORDER BY session_no",
        )
        .bind(id)
        .fetch_all(self.read())
        .await?;
        type Row = (String, String, Option<String>, i64, Option<String>);
        let rows: Vec<Row> = query(
            "SELECT e.enrolment_no, e.village_code, p.full_name, CAST(t.attended AS BIGINT), \
             t.assessment FROM job_class_trainees t \
             JOIN programme_enrolments e ON e.id = t.enrolment_id \
             JOIN people p ON p.id = e.person_id WHERE t.class_id = $1 ORDER BY e.enrolment_no",
        )
        .bind(id)
        .fetch_all(self.read())
        .await?;
        let trainees = rows
            .into_iter()
            .map(|(no, village, name, attended, assessment)| {
                let visible =
                    actor.scope.covers(&village, "") && !matches!(actor.scope, Scope::Member(_));
                ClassTrainee {
                    enrolment_no: visible.then_some(no),
                    full_name: if visible { name } else { None },
                    attended,
                    assessment,
                }
            })
            .collect();
        Ok((class, sessions, trainees))
    }

    /// Sets a session's day (within the class's dates) and, for a mobile class, its place;
    /// a regular class meets at its centre. Setting it again moves it, until someone
    /// attended it.
    pub async fn schedule_session(
        &self,
        actor: &Actor,
        class_id: i64,
        session_no: i64,
        held_on: NaiveDate,
        place: Option<&RegionCode>,
    ) -> Result<ClassSession> {
        require(actor, Permission::TraineeRecord)?;
        let class = self.class_row(actor, class_id).await?;
        let centre_district = class.centre_district.clone();
        if !actor.scope.covers(&centre_district, "") {
            return Err(StoreError::Forbidden(
                "the class's centre lies outside your region".into(),
            ));
        }
        if !(1..=class.sessions).contains(&session_no) {
            return Err(StoreError::invalid(
                "session_no",
                "session_unknown",
                format!("the class has sessions 1 to {}", class.sessions),
            ));
        }
        if held_on < class.starts_on || held_on > class.ends_on {
            return Err(StoreError::invalid(
                "held_on",
                "outside_class_dates",
                format!(
                    "held_on must lie from {} to {}",
                    class.starts_on, class.ends_on
                ),
            ));
        }
        let place = match (class.mode.as_str(), place) {
            ("mobile", Some(p)) => p.as_str().to_owned(),
            ("mobile", None) => {
                return Err(StoreError::invalid(
                    "place_code",
                    "required",
                    "a mobile training unit's session names the district where it is held",
                ));
            }
            (_, Some(p)) if p.as_str() != centre_district => {
                return Err(StoreError::invalid(
                    "place_code",
                    "place_fixed",
                    format!("a regular class meets at its centre ({centre_district})"),
                ));
            }
            _ => centre_district,
        };
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let attended: i64 = query(
            "SELECT COUNT(*) FROM job_class_attendance WHERE class_id = $1 AND session_no = $2",
        )
        .bind(class_id)
        .bind(session_no)
        .scalar(&mut tx)
        .await?;
        if attended > 0 {
            return Err(StoreError::invalid(
                "session_no",
                "session_held",
                "attendance is recorded for this session; it can no longer move",
            ));
        }
        query(
            "INSERT INTO job_class_sessions (class_id, session_no, held_on, place_code) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (class_id, session_no) DO UPDATE \
             SET held_on = excluded.held_on, place_code = excluded.place_code",
        )
        .bind(class_id)
        .bind(session_no)
        .bind(held_on)
        .bind(place.clone())
        .execute(&mut tx)
        .await?;
        let change = Change {
            who: Who::from(actor),
            action: "job_class.session",
            record_type: "job_class",
            record_id: class_id.to_string(),
            before: None,
            after: Some(json!({"session_no": session_no, "held_on": held_on, "place": place})),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        Ok(ClassSession {
            session_no,
            held_on,
            place_code: place,
        })
    }

    /// Takes a seat in the class for a trainee (a guarded update: two officers cannot both
    /// take the last one) and writes `class_enrolled` on the class's first day.
    pub async fn enrol_in_class(
        &self,
        actor: &Actor,
        class_id: i64,
        enrolment_no: &str,
    ) -> Result<()> {
        require(actor, Permission::TraineeRecord)?;
        let defs = self.programme_definitions().await?;
        let class = self.class_row(actor, class_id).await?;
        let place = class.centre_district.clone();
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let f = enrolment_for_write(&mut tx, actor, enrolment_no).await?;
        let inserted = query(
            "INSERT INTO job_class_trainees (class_id, enrolment_id) VALUES ($1, $2) \
             ON CONFLICT (class_id, enrolment_id) DO NOTHING",
        )
        .bind(class_id)
        .bind(f.id)
        .execute(&mut tx)
        .await?;
        if inserted == 0 {
            return Err(StoreError::invalid(
                "enrolment_no",
                "already_in_class",
                "this trainee is in the class already",
            ));
        }
        let seat = query(
            "UPDATE job_classes SET enrolled = enrolled + 1 WHERE id = $1 AND enrolled < capacity",
        )
        .bind(class_id)
        .execute(&mut tx)
        .await?;
        if seat == 0 {
            return Err(StoreError::invalid(
                "class",
                "class_full",
                format!("the class's {} seats are taken", class.capacity),
            ));
        }
        let agency = actor
            .agency
            .clone()
            .unwrap_or_else(|| "NAKERTRANSGI".into());
        let e = service(
            "class_enrolled",
            class.starts_on,
            &place,
            format!("class-{class_id}"),
        );
        write_event(&mut tx, &defs, &f, &e, &agency, &who, None, now).await?;
        let change = Change {
            who,
            action: "job_class.enrol",
            record_type: "enrolment",
            record_id: enrolment_no.to_owned(),
            before: None,
            after: Some(json!({"class_id": class_id})),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await
    }

    /// Records who attended a scheduled session: one `class_attended` each, at the
    /// session's day and place; attendance already on file is left alone (a retry adds
    /// nothing). All or nothing. Returns how many were added.
    pub async fn record_class_attendance(
        &self,
        actor: &Actor,
        class_id: i64,
        session_no: i64,
        enrolment_nos: &[String],
    ) -> Result<usize> {
        require(actor, Permission::TraineeRecord)?;
        let defs = self.programme_definitions().await?;
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let session: Option<(NaiveDate, String)> = query(
            "SELECT held_on, place_code FROM job_class_sessions WHERE class_id = $1 AND session_no = $2",
        )
        .bind(class_id)
        .bind(session_no)
        .fetch_optional(&mut tx)
        .await?;
        let Some((held_on, place)) = session else {
            return Err(StoreError::invalid(
                "session_no",
                "session_not_scheduled",
                "schedule the session (its day and place) before recording attendance",
            ));
        };
        let agency = actor
            .agency
            .clone()
            .unwrap_or_else(|| "NAKERTRANSGI".into());
        let mut added = 0;
        for no in enrolment_nos {
            let f = enrolment_for_write(&mut tx, actor, no).await?;
            let in_class: i64 = query(
                "SELECT COUNT(*) FROM job_class_trainees WHERE class_id = $1 AND enrolment_id = $2",
            )
            .bind(class_id)
            .bind(f.id)
            .scalar(&mut tx)
            .await?;
            if in_class == 0 {
                return Err(StoreError::invalid(
                    "enrolment_nos",
                    "not_in_class",
                    format!("{no} is not in the class"),
                ));
            }
            let e = service(
                "class_attended",
                held_on,
                &place,
                format!("class-{class_id}/{session_no}"),
            );
            let done: i64 = query(
                "SELECT COUNT(*) FROM job_class_attendance WHERE class_id = $1 AND session_no = $2 \
                 AND enrolment_id = $3",
            )
            .bind(class_id)
            .bind(session_no)
            .bind(f.id)
            .scalar(&mut tx)
            .await?;
            if done > 0 {
                continue;
            }
            let event_id = write_event(&mut tx, &defs, &f, &e, &agency, &who, None, now).await?;
            query(
                "INSERT INTO job_class_attendance (class_id, session_no, enrolment_id, event_id) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(class_id)
            .bind(session_no)
            .bind(f.id)
            .bind(event_id)
            .execute(&mut tx)
            .await?;
            query(
                "UPDATE job_class_trainees SET attended = attended + 1 WHERE class_id = $1 \
                 AND enrolment_id = $2",
            )
            .bind(class_id)
            .bind(f.id)
            .execute(&mut tx)
            .await?;
            added += 1;
        }
        let change = Change {
            who,
            action: "job_class.attendance",
            record_type: "job_class",
            record_id: class_id.to_string(),
            before: None,
            after: Some(json!({"session_no": session_no, "added": added})),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        Ok(added)
    }

    /// The competency assessment at the end of the class: `assessed_competent` (which
    /// completes skills training, K2) needs attendance at 80% of the sessions or more;
    /// `assessed_not_yet_competent` may be given to anyone in the class. Once per trainee.
    pub async fn assess_in_class(
        &self,
        actor: &Actor,
        class_id: i64,
        enrolment_no: &str,
        competent: bool,
        on: NaiveDate,
    ) -> Result<()> {
        require(actor, Permission::TraineeRecord)?;
        let defs = self.programme_definitions().await?;
        let class = self.class_row(actor, class_id).await?;
        if on < class.ends_on {
            return Err(StoreError::invalid(
                "assessed_on",
                "class_not_ended",
                format!("the class ends on {}; assess from that day", class.ends_on),
            ));
        }
        let place = class.centre_district.clone();
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let f = enrolment_for_write(&mut tx, actor, enrolment_no).await?;
        let row: Option<(i64, Option<String>)> = query(
            "SELECT CAST(attended AS BIGINT), assessment FROM job_class_trainees \
             WHERE class_id = $1 AND enrolment_id = $2",
        )
        .bind(class_id)
        .bind(f.id)
        .fetch_optional(&mut tx)
        .await?;
        let Some((attended, assessment)) = row else {
            return Err(StoreError::invalid(
                "enrolment_no",
                "not_in_class",
                format!("{enrolment_no} is not in the class"),
            ));
        };
        if assessment.is_some() {
            return Err(StoreError::invalid(
                "enrolment_no",
                "already_assessed",
                "this trainee was assessed already",
            ));
        }
        if competent && attended < sessions_for_competence(class.sessions) {
            return Err(StoreError::invalid(
                "competent",
                "attendance_short",
                format!(
                    "attended {attended} of {} sessions; competence needs {COMPETENT_ATTENDANCE_PERCENT}%",
                    class.sessions
                ),
            ));
        }
        let kind = if competent {
            "assessed_competent"
        } else {
            "assessed_not_yet_competent"
        };
        let agency = actor
            .agency
            .clone()
            .unwrap_or_else(|| "NAKERTRANSGI".into());
        let e = service(kind, on, &place, format!("class-{class_id}"));
        write_event(&mut tx, &defs, &f, &e, &agency, &who, None, now).await?;
        query("UPDATE job_class_trainees SET assessment = $1 WHERE class_id = $2 AND enrolment_id = $3")
            .bind(if competent { "competent" } else { "not_yet_competent" })
            .bind(class_id)
            .bind(f.id)
            .execute(&mut tx)
            .await?;
        let change = Change {
            who,
            action: "job_class.assess",
            record_type: "enrolment",
            record_id: enrolment_no.to_owned(),
            before: None,
            after: Some(json!({"class_id": class_id, "competent": competent, "on": on})),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await
    }
}
