//! Facility P2 (and P6's finance classes): courses, classes, enrolment (refused when the
//! class is full), attendance per session and completion by the rule in
//! [`jakpreneur_core::training`]. Every step writes its ledger event in the same
//! transaction, credited to the agency that runs the class and placed where it is held.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use jakpreneur_core::programme::{JAKPRENEUR, NewEvent};
use jakpreneur_core::training::{NewClass, NewCourse, class_kinds, completes};
use jakpreneur_core::{Actor, Permission, Role};
use serde::Serialize;
use serde_json::json;

use crate::access::require;
use crate::access::scope_filter_on;
use crate::audit::{self, Change, Who};
use crate::facts::LedgerFacts;
use crate::ledger::{member_for_write, write_event};
use crate::query::{Tx, query, query_text};
use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Course {
    pub id: i64,
    pub title: String,
    pub topic: String,
    pub hours: i64,
    pub stage: String,
    pub agency_code: String,
    pub classes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Class {
    pub id: i64,
    pub course_id: i64,
    pub title: String,
    pub stage: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub sessions: i64,
    pub place_code: Option<String>,
    pub capacity: i64,
    pub enrolled: i64,
    pub trainer: Option<String>,
    pub agency_code: String,
}

/// One enrolled member of a class, as far as the reader's scope reaches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct RosterRow {
    pub member_no: String,
    pub business_name: String,
    pub village_code: String,
    pub enrolled_on: NaiveDate,
    pub attended: i64,
    pub certificate_no: Option<String>,
}

/// What closing a class did for one member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Completion {
    pub member_no: String,
    pub attended: i64,
    /// `completed` (certificate issued now), `already_completed`, `not_enough_attendance`,
    /// or `refused` (the ledger refused the event; see `reason`). Members outside the
    /// caller's region are left out (someone whose region covers them completes them).
    pub outcome: &'static str,
    pub certificate_no: Option<String>,
    pub reason: Option<String>,
}

/// A member's class, for the member's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct MemberClass {
    pub class_id: i64,
    pub title: String,
    pub stage: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub sessions: i64,
    pub attended: i64,
    pub certificate_no: Option<String>,
}

const COURSE_SELECT: &str = "SELECT c.id, c.title, c.topic, c.hours, c.stage, c.agency_code, \
     (SELECT COUNT(*) FROM classes k WHERE k.course_id = c.id) AS classes FROM courses c";
const CLASS_SELECT: &str = "SELECT k.id, k.course_id, c.title, c.stage, k.starts_on, k.ends_on, \
    k.sessions, \
     k.place_code, k.capacity, k.enrolled, u.username AS trainer, k.agency_code \
     FROM classes k JOIN courses c ON c.id = k.course_id LEFT JOIN users u ON u.id = \
     k.trainer_user_id";

/// The sessions an enrolment `e` attended, voided attendance left out.
const ATTENDED: &str = "(SELECT COUNT(*) FROM attendance a \
     WHERE a.class_id = e.class_id AND a.member_id = e.member_id \
     AND NOT EXISTS (SELECT 1 FROM member_events v WHERE v.voids_event_id = a.event_id))";
/// The enrolment `e` is not voided.
const ENROLMENT_STANDS: &str =
    "NOT EXISTS (SELECT 1 FROM member_events v WHERE v.voids_event_id = e.event_id)";

fn class_event(class: &Class, kind: &str, qualifying: bool, on: NaiveDate) -> NewEvent {
    NewEvent {
        programme: JAKPRENEUR.into(),
        stage: class.stage.clone(),
        kind: kind.into(),
        qualifying,
        occurred_on: on,
        place_code: class.place_code.clone(),
        agency: None,
        reference: Some(format!("class {}", class.id)),
        note: None,
    }
}

/// A trainer acts only on their own classes; staff with the permission on any.
fn check_trainer(actor: &Actor, class: &Class) -> Result<()> {
    if actor.role == Role::Trainer && class.trainer.as_deref() != Some(actor.name.as_str()) {
        return Err(StoreError::Forbidden(
            "the class belongs to another trainer".into(),
        ));
    }
    Ok(())
}

impl Store {
    pub async fn create_course(&self, actor: &Actor, c: &NewCourse) -> Result<Course> {
        require(actor, Permission::EventRecord)?;
        let who = Who::from(actor);
        let agency = actor.agency_or_default();
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let id: i64 = query(
            "INSERT INTO courses (title, topic, hours, stage, agency_code, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(&c.title)
        .bind(&c.topic)
        .bind(c.hours)
        .bind(&c.stage)
        .bind(&agency)
        .bind(&who.name)
        .bind(now)
        .scalar(&mut tx)
        .await?;
        let change = Change {
            who: who.clone(),
            action: "training.course_create",
            record_type: "course",
            record_id: id.to_string(),
            before: None,
            after: Some(
                json!({ "title": c.title, "topic": c.topic, "hours": c.hours, "stage": c.stage }),
            ),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        self.course(id).await
    }

    pub async fn course(&self, id: i64) -> Result<Course> {
        let q = format!("{COURSE_SELECT} WHERE c.id = $1");
        let row: Option<Course> = query_text(q).bind(id).fetch_optional(self.read()).await?;
        row.ok_or(StoreError::NotFound)
    }

    /// Every course, by title. Courses and classes are programme-wide, not personal data.
    pub async fn list_courses(&self, actor: &Actor) -> Result<Vec<Course>> {
        require(actor, Permission::MemberRead)?;
        let q = format!("{COURSE_SELECT} ORDER BY c.title, c.id LIMIT 500");
        query_text(q).fetch_all(self.read()).await
    }

    /// Schedules a class of a course. The trainer, when named, must be an active account
    /// with the trainer role; a trainer who names no one schedules their own class.
    pub async fn create_class(&self, actor: &Actor, course_id: i64, k: &NewClass) -> Result<Class> {
        require(actor, Permission::EventRecord)?;
        self.course(course_id).await?;
        let who = Who::from(actor);
        let agency = actor.agency_or_default();
        let now = Utc::now();
        let trainer = match (&k.trainer, actor.role) {
            (None, Role::Trainer) => Some(actor.name.clone()),
            (t, _) => t.clone(),
        };
        let mut tx = self.begin().await?;
        let trainer_id: Option<i64> = match &trainer {
            None => None,
            Some(name) => {
                let found: Option<i64> = query(
                    "SELECT id FROM users WHERE username = $1 AND role = 'trainer' \
                     AND disabled_at IS NULL",
                )
                .bind(name)
                .scalar_optional(&mut tx)
                .await?;
                Some(found.ok_or_else(|| {
                    StoreError::invalid(
                        "trainer",
                        "trainer_unknown",
                        "no active account with the trainer role has this username",
                    )
                })?)
            }
        };
        let id: i64 = query(
            "INSERT INTO classes (course_id, starts_on, ends_on, sessions, place_code, capacity, \
             trainer_user_id, agency_code, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(course_id)
        .bind(k.starts_on)
        .bind(k.ends_on)
        .bind(k.sessions)
        .bind(&k.place_code)
        .bind(k.capacity)
        .bind(trainer_id)
        .bind(&agency)
        .bind(&who.name)
        .bind(now)
        .scalar(&mut tx)
        .await?;
        let change = Change {
            who: who.clone(),
            action: "training.class_create",
            record_type: "class",
            record_id: id.to_string(),
            before: None,
            after: Some(json!({
                "course_id": course_id, "starts_on": k.starts_on, "ends_on": k.ends_on,
                "sessions": k.sessions, "capacity": k.capacity, "trainer": trainer,
            })),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        self.class(id).await
    }

    pub async fn class(&self, id: i64) -> Result<Class> {
        let q = format!("{CLASS_SELECT} WHERE k.id = $1");
        let row: Option<Class> = query_text(q).bind(id).fetch_optional(self.read()).await?;
        row.ok_or(StoreError::NotFound)
    }

    /// Classes that end on or after `from`, soonest first (at most 200); a trainer's own only.
    pub async fn list_classes(&self, actor: &Actor, from: NaiveDate) -> Result<Vec<Class>> {
        require(actor, Permission::MemberRead)?;
        let mut q = query(CLASS_SELECT);
        let p = q.arg(from);
        q.push(&format!(" WHERE k.ends_on >= {p}"));
        if actor.role == Role::Trainer {
            let p = q.arg(actor.user_id.unwrap_or(-1));
            q.push(&format!(" AND k.trainer_user_id = {p}"));
        }
        q.push(" ORDER BY k.starts_on, k.id LIMIT 200");
        q.fetch_all(self.read()).await
    }

    /// Enrols a member, dated `on` (by default today, or the class's first day when the
    /// class is entered after it began). Refused with 422 `class_full` once every seat is taken
    /// (the seat count is claimed by a guarded update, so two officers cannot both take
    /// the last seat), and `already_enrolled` for a second enrolment.
    #[tracing::instrument(skip_all)]
    pub async fn enrol(
        &self,
        actor: &Actor,
        class_id: i64,
        member_no: &str,
        on: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<Class> {
        require(actor, Permission::EventRecord)?;
        let class = self.class(class_id).await?;

        check_trainer(actor, &class)?;
        let who = Who::from(actor);
        let now = Utc::now();
        let kinds = class_kinds(&class.stage);
        let mut tx = self.begin().await?;
        let f = member_for_write(&mut tx, actor, member_no, false).await?;
        let on = on.unwrap_or_else(|| today.min(class.starts_on).max(f.registered_on));
        // An enrolment voided earlier is taken up again rather than added twice.
        let already: Option<bool> = query(
            "SELECT EXISTS (SELECT 1 FROM member_events v WHERE v.voids_event_id = e.event_id) \
             FROM enrolments e WHERE class_id = $1 AND member_id = $2",
        )
        .bind(class_id)
        .bind(f.id)
        .scalar_optional(&mut tx)
        .await?;
        if already == Some(false) {
            return Err(StoreError::invalid(
                "member_no",
                "already_enrolled",
                "the member is already enrolled in this class",
            ));
        }
        let seat: Option<i64> = query(
            "UPDATE classes SET enrolled = enrolled + 1 WHERE id = $1 AND enrolled < capacity \
             RETURNING enrolled",
        )
        .bind(class_id)
        .scalar_optional(&mut tx)
        .await?;
        if seat.is_none() {
            return Err(StoreError::invalid(
                "class_id",
                "class_full",
                format!("the class is full: all {} seats are taken", class.capacity),
            ));
        }
        let e = class_event(&class, kinds.enrolled, false, on);
        let event_id = write_event(&mut tx, &f, &e, &class.agency_code, &who, None, now).await?;
        query(
            "INSERT INTO enrolments (class_id, member_id, enrolled_on, event_id, created_at) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (class_id, member_id) DO UPDATE SET enrolled_on = excluded.enrolled_on, \
             event_id = excluded.event_id, completed_event_id = NULL, certificate_no = NULL, \
             created_at = excluded.created_at",
        )
        .bind(class_id)
        .bind(f.id)
        .bind(on)
        .bind(event_id)
        .bind(now)
        .execute(&mut tx)
        .await?;
        let change = Change {
            who: who.clone(),
            action: "training.enrol",
            record_type: "class",
            record_id: class_id.to_string(),
            before: None,
            after: Some(json!({ "member_no": member_no, "enrolled_on": on, "event_id": event_id })),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        self.class(class_id).await
    }

    /// Records who attended session `session_no` (held on `held_on`, within the class's
    /// dates). All or nothing: a member not enrolled names itself in the error and nothing
    /// is written. Attendance already recorded is left as it is, so a retried request
    /// changes nothing. Returns how many attendances were new.
    #[tracing::instrument(skip_all)]
    pub async fn record_attendance(
        &self,
        actor: &Actor,
        class_id: i64,
        session_no: i64,
        held_on: NaiveDate,
        member_nos: &[String],
    ) -> Result<usize> {
        require(actor, Permission::EventRecord)?;
        let class = self.class(class_id).await?;
        check_trainer(actor, &class)?;
        if session_no < 1 || session_no > class.sessions {
            return Err(StoreError::invalid(
                "session",
                "session_out_of_range",
                format!("session must be 1 to {}", class.sessions),
            ));
        }
        if held_on < class.starts_on || held_on > class.ends_on {
            return Err(StoreError::invalid(
                "held_on",
                "date_range",
                format!(
                    "held_on must fall within the class, {} to {}",
                    class.starts_on, class.ends_on
                ),
            ));
        }
        let who = Who::from(actor);
        let now = Utc::now();
        let kinds = class_kinds(&class.stage);
        let mut added = 0usize;
        // Members are locked in number order, so two requests never wait on each other.
        let mut member_nos: Vec<String> = member_nos.to_vec();
        member_nos.sort();
        member_nos.dedup();
        let mut tx = self.begin().await?;
        for no in &member_nos {
            let f = member_for_write(&mut tx, actor, no, false).await?;
            let enrolled: Option<i64> = query(
                "SELECT member_id FROM enrolments e WHERE class_id = $1 AND member_id = $2 \
                 AND NOT EXISTS (SELECT 1 FROM member_events v \
                 WHERE v.voids_event_id = e.event_id)",
            )
            .bind(class_id)
            .bind(f.id)
            .scalar_optional(&mut tx)
            .await?;
            if enrolled.is_none() {
                return Err(StoreError::invalid(
                    "members",
                    "not_enrolled",
                    format!("{no} is not enrolled in this class"),
                ));
            }
            let done: Option<i64> = query(
                "SELECT session_no FROM attendance a WHERE class_id = $1 AND member_id = $2 \
                 AND session_no = $3 AND NOT EXISTS (SELECT 1 FROM member_events v \
                 WHERE v.voids_event_id = a.event_id)",
            )
            .bind(class_id)
            .bind(f.id)
            .bind(session_no)
            .scalar_optional(&mut tx)
            .await?;
            if done.is_some() {
                continue;
            }
            let e = class_event(&class, kinds.attended, false, held_on);
            let event_id =
                write_event(&mut tx, &f, &e, &class.agency_code, &who, None, now).await?;
            query(
                "INSERT INTO attendance (class_id, member_id, session_no, attended_on, event_id, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (class_id, member_id, session_no) DO UPDATE \
                 SET attended_on = excluded.attended_on, event_id = excluded.event_id, \
                 created_at = excluded.created_at",
            )
            .bind(class_id)
            .bind(f.id)
            .bind(session_no)
            .bind(held_on)
            .bind(event_id)
            .bind(now)
            .execute(&mut tx)
            .await?;
            added += 1;
        }
        let change = Change {
            who: who.clone(),
            action: "training.attendance",
            record_type: "class",
            record_id: class_id.to_string(),
            before: None,
            after: Some(json!({
                "session": session_no, "held_on": held_on, "members": member_nos, "added": added,
            })),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        Ok(added)
    }

    /// Closes a class once it has ended: every enrolled member within the actor's scope
    /// who attended enough sessions completes it (ledger: `training_completed` or
    /// `finance_training_completed`, dated the class's last day) and gets a certificate
    /// number. Running it again completes only those not yet completed.
    #[tracing::instrument(skip_all)]
    pub async fn complete_class(
        &self,
        actor: &Actor,
        class_id: i64,
        today: NaiveDate,
    ) -> Result<Vec<Completion>> {
        require(actor, Permission::EventRecord)?;
        let class = self.class(class_id).await?;
        check_trainer(actor, &class)?;
        if class.ends_on > today {
            return Err(StoreError::invalid(
                "class_id",
                "class_not_ended",
                format!("the class runs until {}; complete it after", class.ends_on),
            ));
        }
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        // Only members the actor's scope reaches: the others are neither completed nor
        // told about (their outcomes named members of another region).
        let mut q = query_text(format!(
            "SELECT m.member_no, {ATTENDED}, e.certificate_no \
             FROM enrolments e JOIN members m ON m.id = e.member_id \
             WHERE e.class_id = $1 AND {ENROLMENT_STANDS}"
        ))
        .bind(class_id);
        scope_filter_on(actor, &mut q, "m.");
        q.push(" ORDER BY m.member_no");
        let rows: Vec<(String, i64, Option<String>)> = q.fetch_all(&mut tx).await?;
        // First lock every member to complete, in member-number order (as attendance
        // does, so two requests never wait on each other in a circle) …
        let mut locked = Vec::new();
        for (no, attended, certificate) in rows {
            let mut c = Completion {
                member_no: no.clone(),
                attended,
                outcome: "completed",
                certificate_no: certificate.clone(),
                reason: None,
            };
            if certificate.is_some() {
                c.outcome = "already_completed";
            } else if !completes(attended, class.sessions) {
                c.outcome = "not_enough_attendance";
            } else {
                match member_for_write(&mut tx, actor, &no, false).await {
                    // Left for someone whose region covers the member; not shown here.
                    Err(StoreError::Forbidden(_)) => continue,
                    Err(StoreError::Erased) => {
                        c.outcome = "refused";
                        c.reason = Some("the member's personal data has been erased".into());
                    }
                    Err(e) => return Err(e),
                    Ok(f) => {
                        locked.push((c, Some(f)));
                        continue;
                    }
                }
            }
            locked.push((c, None));
        }
        // … then, with the members held, look again (another request may have completed
        // or voided the enrolment meanwhile) and complete.
        let mut out = Vec::new();
        for (mut c, f) in locked {
            if let Some(f) = f {
                let Some((attended, open)) = still_enrolled(&mut tx, class_id, f.id).await? else {
                    continue;
                };
                if !open {
                    c.outcome = "already_completed";
                } else if !completes(attended, class.sessions) {
                    c.attended = attended;
                    c.outcome = "not_enough_attendance";
                } else {
                    complete_member(&mut tx, &class, &f, &who, now, &mut c).await?;
                }
            }
            out.push(c);
        }
        let completed: Vec<&str> = out
            .iter()
            .filter(|c| c.outcome == "completed")
            .map(|c| c.member_no.as_str())
            .collect();
        let change = Change {
            who: who.clone(),
            action: "training.complete",
            record_type: "class",
            record_id: class_id.to_string(),
            before: None,
            after: Some(json!({ "completed": completed })),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// The enrolled members of a class whom the actor's scope reaches.
    pub async fn class_roster(&self, actor: &Actor, class_id: i64) -> Result<Vec<RosterRow>> {
        require(actor, Permission::MemberRead)?;
        check_trainer(actor, &self.class(class_id).await?)?;
        let mut q = query_text(format!(
            "SELECT m.member_no, m.business_name, m.village_code, e.enrolled_on, \
             {ATTENDED} AS attended, e.certificate_no \
             FROM enrolments e JOIN members m ON m.id = e.member_id WHERE e.class_id = $1 \
             AND {ENROLMENT_STANDS}"
        ))
        .bind(class_id);
        scope_filter_on(actor, &mut q, "m.");
        q.push(" ORDER BY m.member_no");
        q.fetch_all(self.read()).await
    }

    /// A member's classes, newest first.
    pub async fn member_classes(&self, actor: &Actor, member_no: &str) -> Result<Vec<MemberClass>> {
        require(actor, Permission::MemberRead)?;
        self.member_facts(actor, member_no)
            .await?
            .ok_or(StoreError::NotFound)?;
        query_text(format!(
            "SELECT k.id AS class_id, c.title, c.stage, k.starts_on, k.ends_on, k.sessions, \
             {ATTENDED} AS attended, e.certificate_no \
             FROM enrolments e JOIN classes k ON k.id = e.class_id \
             JOIN courses c ON c.id = k.course_id JOIN members m ON m.id = e.member_id \
             WHERE m.member_no = $1 AND {ENROLMENT_STANDS} \
             ORDER BY k.starts_on DESC, k.id DESC"
        ))
        .bind(member_no)
        .fetch_all(self.read())
        .await
    }
}

/// A member's enrolment in the class, looked at again with the member locked: the sessions
/// attended and whether it is still without a certificate; `None` once voided.
async fn still_enrolled(tx: &mut Tx, class_id: i64, member_id: i64) -> Result<Option<(i64, bool)>> {
    query_text(format!(
        "SELECT {ATTENDED}, e.certificate_no IS NULL FROM enrolments e \
         WHERE e.class_id = $1 AND e.member_id = $2 AND {ENROLMENT_STANDS}"
    ))
    .bind(class_id)
    .bind(member_id)
    .fetch_optional(tx)
    .await
}

/// Completes one locked member: the next certificate number of the class (never reused,
/// even after an enrolment is voided), the completion event, and the enrolment marked. A
/// completion the ledger refuses is reported in `c`, not raised.
async fn complete_member(
    tx: &mut Tx,
    class: &Class,
    f: &LedgerFacts,
    who: &Who,
    now: DateTime<Utc>,
    c: &mut Completion,
) -> Result<()> {
    let n: i64 = query(
        "UPDATE classes SET certificates_issued = certificates_issued + 1 WHERE id = $1 \
         RETURNING certificates_issued",
    )
    .bind(class.id)
    .scalar(&mut *tx)
    .await?;
    let cert = format!(
        "{}-{}-{:06}-{:04}",
        class.stage,
        class.ends_on.year(),
        class.id,
        n
    );
    let mut e = class_event(
        class,
        class_kinds(&class.stage).completed,
        true,
        class.ends_on,
    );
    e.reference = Some(cert.clone());
    match write_event(&mut *tx, f, &e, &class.agency_code, who, None, now).await {
        Ok(event_id) => {
            query(
                "UPDATE enrolments SET completed_event_id = $1, certificate_no = $2 \
                 WHERE class_id = $3 AND member_id = $4 AND certificate_no IS NULL",
            )
            .bind(event_id)
            .bind(&cert)
            .bind(class.id)
            .bind(f.id)
            .execute(&mut *tx)
            .await?;
            c.certificate_no = Some(cert);
        }
        Err(StoreError::Invalid(errs)) => {
            c.outcome = "refused";
            c.reason = errs.first().map(|e| e.message.clone());
        }
        Err(e) => return Err(e),
    }
    Ok(())
}
