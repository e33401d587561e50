//! Facility P3, mentoring: a member's mentor, the sessions held (topics, notes,
//! follow-ups with due dates) and each mentor's overdue follow-ups. Assignments and
//! sessions write their ledger events in the same transaction.

use chrono::{NaiveDate, Utc};
use jakpreneur_core::programme::{JAKPRENEUR, NewEvent};
use jakpreneur_core::{Actor, FieldError, Permission, Role};
use serde::Serialize;
use serde_json::json;

use crate::access::scope_filter_on;
use crate::access::{require, require_covers};
use crate::audit::{self, Change, Who};
use crate::ledger::{member_for_write, write_event};
use crate::query::{query, query_text};
use crate::{Result, Store, StoreError};

/// The topics a session can cover.
pub const TOPICS: [&str; 7] = [
    "permit",
    "npwp",
    "halal",
    "product",
    "marketing",
    "finance",
    "other",
];

/// A session to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMentoringSession {
    pub held_on: NaiveDate,
    pub topics: Vec<String>,
    pub notes: Option<String>,
    /// (action, due date)
    pub follow_ups: Vec<(String, NaiveDate)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct MentoringSession {
    pub id: i64,
    pub member_no: String,
    pub mentor: Option<String>,
    pub held_on: NaiveDate,
    pub topics: String,
    pub notes: Option<String>,
    /// Why the session was voided, if it was (it then counts for nothing).
    pub void_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct FollowUp {
    pub id: i64,
    pub session_id: i64,
    pub member_no: String,
    pub mentor: Option<String>,
    pub action: String,
    pub due_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
}

/// A prospective mentor's account: id, role, region, disabled.
type MentorRow = (i64, String, Option<String>, Option<chrono::DateTime<Utc>>);

const SESSION_SELECT: &str = "SELECT s.id, m.member_no, u.username AS mentor, s.held_on, \
    s.topics, s.notes, \
     (SELECT v.note FROM member_events v WHERE v.voids_event_id = s.event_id) AS void_reason \
     FROM mentoring_sessions s JOIN members m ON m.id = s.member_id \
     LEFT JOIN users u ON u.id = s.mentor_user_id WHERE 1 = 1";
const FOLLOW_UP_SELECT: &str = "SELECT f.id, f.session_id, m.member_no, u.username AS mentor, \
    f.action, f.due_on, f.done_on \
     FROM follow_ups f JOIN members m ON m.id = f.member_id \
     LEFT JOIN users u ON u.id = f.mentor_user_id WHERE NOT EXISTS (SELECT 1 FROM \
     mentoring_sessions s \
       JOIN member_events v ON v.voids_event_id = s.event_id WHERE s.id = f.session_id)";

fn p3_event(kind: &str, qualifying: bool, on: NaiveDate, note: Option<String>) -> NewEvent {
    NewEvent {
        programme: JAKPRENEUR.into(),
        stage: "P3".into(),
        kind: kind.into(),
        qualifying,
        occurred_on: on,
        place_code: None,
        agency: None,
        reference: None,
        note,
    }
}

impl Store {
    /// Makes `mentor` (an account with the mentor role whose region covers the member) the
    /// member's mentor from `on`, ending any earlier assignment the day before.
    #[tracing::instrument(skip_all)]
    pub async fn assign_mentor(
        &self,
        actor: &Actor,
        member_no: &str,
        mentor: &str,
        on: NaiveDate,
    ) -> Result<()> {
        require(actor, Permission::EventRecord)?;
        let who = Who::from(actor);
        let agency = actor.agency_or_default();
        let now = Utc::now();
        let mentor_name = mentor.trim().to_lowercase();
        let mut tx = self.begin().await?;
        let f = member_for_write(&mut tx, actor, member_no, false).await?;
        let m: Option<MentorRow> =
            query("SELECT id, role, region_code, disabled_at FROM users WHERE username = $1")
                .bind(&mentor_name)
                .fetch_optional(&mut tx)
                .await?;
        let not_a_mentor = || {
            StoreError::Invalid(
                FieldError::new(
                    "mentor",
                    "mentor_unknown",
                    "no active account with the mentor role has this username",
                )
                .into(),
            )
        };
        let (mentor_id, role, region, disabled) = m.ok_or_else(not_a_mentor)?;
        if role != Role::Mentor.as_str() || disabled.is_some() {
            return Err(not_a_mentor());
        }
        if !region
            .as_deref()
            .is_some_and(|r| jakpreneur_core::access::region_contains(r, &f.village_code))
        {
            return Err(StoreError::Invalid(
                FieldError::new(
                    "mentor",
                    "mentor_out_of_region",
                    "the mentor's region does not include the member's village",
                )
                .into(),
            ));
        }
        query(
            "UPDATE mentor_assignments SET ended_on = $1 WHERE member_id = $2 AND ended_on IS NULL",
        )
        .bind(on.pred_opt().unwrap_or(on))
        .bind(f.id)
        .execute(&mut tx)
        .await?;
        let e = p3_event(
            "mentoring_assigned",
            false,
            on,
            Some(format!("mentor {mentor_name}")),
        );
        let event_id = write_event(&mut tx, &f, &e, &agency, &who, None, now).await?;
        query(
            "INSERT INTO mentor_assignments (member_id, mentor_user_id, assigned_on, event_id, \
             created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(f.id)
        .bind(mentor_id)
        .bind(on)
        .bind(event_id)
        .bind(now)
        .execute(&mut tx)
        .await?;
        let change = Change {
            who: who.clone(),
            action: "mentoring.assign",
            record_type: "member",
            record_id: member_no.to_owned(),
            before: None,
            after: Some(json!({ "mentor": mentor_name, "assigned_on": on })),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await
    }

    /// Records a session with its follow-ups (ledger: `mentoring_session`, which reaches
    /// P3). A mentor records sessions only for members assigned to them; officers and
    /// administrators for any member in their scope, credited to the member's mentor.
    #[tracing::instrument(skip_all)]
    pub async fn record_session(
        &self,
        actor: &Actor,
        member_no: &str,
        s: &NewMentoringSession,
    ) -> Result<MentoringSession> {
        require(actor, Permission::EventRecord)?;
        let who = Who::from(actor);
        let agency = actor.agency_or_default();
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let f = member_for_write(&mut tx, actor, member_no, false).await?;
        let assigned: Option<i64> = query(
            "SELECT mentor_user_id FROM mentor_assignments \
             WHERE member_id = $1 AND ended_on IS NULL",
        )
        .bind(f.id)
        .scalar_optional(&mut tx)
        .await?;
        let mentor = if actor.role == Role::Mentor {
            if assigned != actor.user_id {
                return Err(StoreError::Forbidden(
                    "the member is not assigned to you".into(),
                ));
            }
            actor.user_id
        } else {
            assigned
        };
        let e = p3_event("mentoring_session", true, s.held_on, None);
        let event_id = write_event(&mut tx, &f, &e, &agency, &who, None, now).await?;
        let id: i64 = query(
            "INSERT INTO mentoring_sessions (member_id, mentor_user_id, held_on, topics, notes, \
             event_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(f.id)
        .bind(mentor)
        .bind(s.held_on)
        .bind(s.topics.join(","))
        .bind(&s.notes)
        .bind(event_id)
        .bind(now)
        .scalar(&mut tx)
        .await?;
        for (action, due) in &s.follow_ups {
            query(
                "INSERT INTO follow_ups (session_id, member_id, mentor_user_id, action, due_on, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(f.id)
            .bind(mentor)
            .bind(action)
            .bind(due)
            .bind(now)
            .execute(&mut tx)
            .await?;
        }
        let change = Change {
            who: who.clone(),
            action: "mentoring.session",
            record_type: "member",
            record_id: member_no.to_owned(),
            before: None,
            after: Some(json!({
                "session_id": id, "held_on": s.held_on, "topics": s.topics,
                "follow_ups": s.follow_ups.len(),
            })),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        let mut q = query(SESSION_SELECT);
        let p = q.arg(id);
        q.push(&format!(" AND s.id = {p}"));
        let row: Option<MentoringSession> = q.fetch_optional(self.read()).await?;
        row.ok_or(StoreError::NotFound)
    }

    /// A member's sessions, newest first, and their follow-ups.
    pub async fn list_sessions(
        &self,
        actor: &Actor,
        member_no: &str,
    ) -> Result<(Vec<MentoringSession>, Vec<FollowUp>)> {
        require(actor, Permission::MemberRead)?;
        self.member_facts(actor, member_no)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut q = query(SESSION_SELECT);
        let p = q.arg(member_no);
        q.push(&format!(
            " AND m.member_no = {p} ORDER BY s.held_on DESC, s.id DESC"
        ));
        let sessions: Vec<MentoringSession> = q.fetch_all(self.read()).await?;
        let mut q = query(FOLLOW_UP_SELECT);
        let p = q.arg(member_no);
        q.push(&format!(" AND m.member_no = {p} ORDER BY f.due_on, f.id"));
        let follow_ups: Vec<FollowUp> = q.fetch_all(self.read()).await?;
        Ok((sessions, follow_ups))
    }

    /// The member's current mentor: the assignment's id, the mentor's username and since
    /// when.
    pub async fn current_mentor(
        &self,
        actor: &Actor,
        member_no: &str,
    ) -> Result<Option<(i64, String, NaiveDate)>> {
        require(actor, Permission::MemberRead)?;
        let f = self
            .member_facts(actor, member_no)
            .await?
            .ok_or(StoreError::NotFound)?;
        query(
            "SELECT a.id, u.username, a.assigned_on FROM mentor_assignments a \
             JOIN users u ON u.id = a.mentor_user_id \
             WHERE a.member_id = $1 AND a.ended_on IS NULL",
        )
        .bind(f.id)
        .fetch_optional(self.read())
        .await
    }

    /// Marks a follow-up done (a mentor only their own).
    pub async fn complete_follow_up(
        &self,
        actor: &Actor,
        id: i64,
        done_on: NaiveDate,
    ) -> Result<FollowUp> {
        require(actor, Permission::EventRecord)?;
        // A write: the follow-up is found first, then refused (403) outside the scope.
        let q = format!("{FOLLOW_UP_SELECT} AND f.id = $1");
        let found: Option<FollowUp> = query_text(q).bind(id).fetch_optional(self.read()).await?;
        let found = found.ok_or(StoreError::NotFound)?;
        let village: String = query("SELECT village_code FROM members WHERE member_no = $1")
            .bind(&found.member_no)
            .scalar(self.read())
            .await?;
        require_covers(actor, &village, &found.member_no)?;
        if actor.role == Role::Mentor && found.mentor.as_deref() != Some(actor.name.as_str()) {
            return Err(StoreError::Forbidden(
                "the follow-up belongs to another mentor".into(),
            ));
        }
        let now = Utc::now();
        let who = Who::from(actor);
        let mut tx = self.begin().await?;
        query("UPDATE follow_ups SET done_on = COALESCE(done_on, $1) WHERE id = $2")
            .bind(done_on)
            .bind(id)
            .execute(&mut tx)
            .await?;
        let change = Change {
            who: who.clone(),
            action: "mentoring.follow_up_done",
            record_type: "member",
            record_id: found.member_no.clone(),
            before: None,
            after: Some(json!({ "follow_up_id": id, "done_on": done_on })),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        Ok(FollowUp {
            done_on: found.done_on.or(Some(done_on)),
            ..found
        })
    }

    /// Open follow-ups past their due date: a mentor's own; for others, those of members in
    /// their scope. Oldest first, at most 500.
    pub async fn overdue_follow_ups(
        &self,
        actor: &Actor,
        today: NaiveDate,
    ) -> Result<Vec<FollowUp>> {
        require(actor, Permission::MemberRead)?;
        let mut q = query(FOLLOW_UP_SELECT);
        let p = q.arg(today);
        q.push(&format!(" AND f.done_on IS NULL AND f.due_on < {p}"));
        if actor.role == Role::Mentor {
            let p = q.arg(actor.user_id.unwrap_or(-1));
            q.push(&format!(" AND f.mentor_user_id = {p}"));
        }
        scope_filter_on(actor, &mut q, "m.");
        q.push(" ORDER BY f.due_on, f.id LIMIT 500");
        q.fetch_all(self.read()).await
    }
}
