//! Facility P4: permit applications (applied → in process → issued or rejected), each step
//! written with its ledger event and audit entry in one transaction, and the list of issued
//! permits about to expire. Scoped through the member the permit belongs to.

use chrono::{DateTime, NaiveDate, Utc};
use jakpreneur_core::permit::{PermitIssue, PermitStatus, PermitType};
use jakpreneur_core::programme::{JAKPRENEUR, NewEvent};
use jakpreneur_core::{Actor, FieldError, Permission};
use serde::Serialize;
use serde_json::json;

use crate::access::require;
use crate::access::scope_filter_on;
use crate::audit::{self, Change, Who};
use crate::ledger::{member_for_write, write_event};
use crate::query::query;
use crate::{Result, Store, StoreError};

/// A permit application and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Permit {
    pub id: i64,
    pub member_no: String,
    pub permit_type: String,
    pub status: String,
    pub applied_on: NaiveDate,
    pub number: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    pub rejected_on: Option<NaiveDate>,
    pub rejection_reason: Option<String>,
    pub agency_code: String,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
    /// Why the permit record was voided, if it was (it then counts for nothing).
    pub void_reason: Option<String>,
}

const PERMIT_SELECT: &str = "SELECT p.id, m.member_no, p.permit_type, p.status, p.applied_on, \
    p.number, \
     p.issued_on, p.expires_on, p.rejected_on, p.rejection_reason, p.agency_code, p.version, \
     p.updated_at, \
     (SELECT v.note FROM member_events v WHERE v.voids_event_id = p.applied_event_id) AS \
     void_reason \
     FROM permits p JOIN members m ON m.id = p.member_id WHERE 1 = 1";

/// What a decision on an application does.
#[derive(Debug, Clone)]
pub enum PermitDecision {
    /// Under review by the issuing office (no ledger event).
    Process,
    Issue(PermitIssue),
    Reject {
        reason: String,
        on: NaiveDate,
    },
}

fn event(
    kind: &str,
    stage_kind_qualifying: bool,
    on: NaiveDate,
    reference: Option<String>,
    note: Option<String>,
) -> NewEvent {
    NewEvent {
        programme: JAKPRENEUR.into(),
        stage: "P4".into(),
        kind: kind.into(),
        qualifying: stage_kind_qualifying,
        occurred_on: on,
        place_code: None,
        agency: None,
        reference,
        note,
    }
}

impl Store {
    /// Records that a member applied for a permit (ledger: `permit_applied`).
    #[tracing::instrument(skip_all)]
    pub async fn apply_permit(
        &self,
        actor: &Actor,
        member_no: &str,
        permit_type: PermitType,
        applied_on: NaiveDate,
        note: Option<String>,
    ) -> Result<Permit> {
        require(actor, Permission::EventRecord)?;
        let who = Who::from(actor);
        let agency = actor.agency_or_default();
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let f = member_for_write(&mut tx, actor, member_no, false).await?;
        let e = event("permit_applied", false, applied_on, None, note.clone());
        let event_id = write_event(&mut tx, &f, &e, &agency, &who, None, now).await?;
        let id: i64 = query(
            "INSERT INTO permits (member_id, permit_type, status, applied_on, agency_code, \
             applied_event_id, created_at, updated_at) \
             VALUES ($1, $2, 'applied', $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(f.id)
        .bind(permit_type.as_str())
        .bind(applied_on)
        .bind(&agency)
        .bind(event_id)
        .bind(now)
        .scalar(&mut tx)
        .await?;
        let change = Change {
            who: who.clone(),
            action: "permit.apply",
            record_type: "permit",
            record_id: id.to_string(),
            before: None,
            after: Some(json!({
                "member_no": member_no, "type": permit_type.as_str(), "applied_on": applied_on,
            })),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        self.permit(actor, member_no, id).await
    }

    /// Moves an open application on: in process, issued (ledger: `permit_issued`, which
    /// reaches P4 under the rule in force on the issue date) or rejected with a reason
    /// (`permit_rejected`). A decided application is not decided again (409).
    #[tracing::instrument(skip_all)]
    pub async fn decide_permit(
        &self,
        actor: &Actor,
        member_no: &str,
        permit_id: i64,
        decision: &PermitDecision,
    ) -> Result<Permit> {
        require(actor, Permission::EventRecord)?;
        let who = Who::from(actor);
        let agency = actor.agency_or_default();
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let f = member_for_write(&mut tx, actor, member_no, true).await?;
        let row: Option<(String, String, NaiveDate)> = query(
            // The member's row is locked: decisions on its permits come one at a time.
            "SELECT permit_type, status, applied_on FROM permits p \
             WHERE id = $1 AND member_id = $2 AND NOT EXISTS (SELECT 1 FROM member_events v \
             WHERE v.voids_event_id = p.applied_event_id)",
        )
        .bind(permit_id)
        .bind(f.id)
        .fetch_optional(&mut tx)
        .await?;
        let (ptype, status, applied_on) = row.ok_or(StoreError::NotFound)?;
        let status = PermitStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("permit {permit_id}: status {status}")))?;
        if !status.is_open() {
            return Err(StoreError::PermitDecided(status.as_str().to_owned()));
        }
        let permit_type = PermitType::parse("type", &ptype)
            .map_err(|e| StoreError::Corrupt(format!("permit {permit_id}: {e}")))?;
        let (action, after) = match decision {
            PermitDecision::Process => {
                query(
                    "UPDATE permits SET status = 'in_process', version = version + 1, \
                     updated_at = $1 WHERE id = $2",
                )
                .bind(now)
                .bind(permit_id)
                .execute(&mut tx)
                .await?;
                ("permit.process", json!({ "status": "in_process" }))
            }
            PermitDecision::Issue(i) => {
                let number = permit_type
                    .parse_number("number", &i.number)
                    .map_err(|e| StoreError::Invalid(e.into()))?;
                let i = PermitIssue {
                    number,
                    ..i.clone()
                };
                if i.issued_on < applied_on {
                    return Err(StoreError::Invalid(
                        FieldError::new(
                            "issued_on",
                            "before_application",
                            format!(
                                "issued_on {} is before the application ({applied_on})",
                                i.issued_on
                            ),
                        )
                        .into(),
                    ));
                }
                // The same number for the same kind of permit can only be issued once.
                let taken: Option<i64> = query(
                    "SELECT id FROM permits p WHERE permit_type = $1 AND number = $2 \
                     AND status = 'issued' AND NOT EXISTS (SELECT 1 FROM member_events v \
                     WHERE v.voids_event_id = p.applied_event_id)",
                )
                .bind(permit_type.as_str())
                .bind(&i.number)
                .scalar_optional(&mut tx)
                .await?;
                if taken.is_some() {
                    return Err(StoreError::Invalid(
                        FieldError::new(
                            "number",
                            "permit_number_taken",
                            "a permit of this type with this number is already recorded",
                        )
                        .into(),
                    ));
                }
                let reference = format!("{} {}", permit_type.as_str().to_uppercase(), i.number);
                let e = event("permit_issued", true, i.issued_on, Some(reference), None);
                let event_id = write_event(&mut tx, &f, &e, &agency, &who, None, now).await?;
                query(
                    "UPDATE permits SET status = 'issued', number = $1, issued_on = $2, \
                     expires_on = $3, decision_event_id = $4, version = version + 1, \
                     updated_at = $5 WHERE id = $6",
                )
                .bind(&i.number)
                .bind(i.issued_on)
                .bind(i.expires_on)
                .bind(event_id)
                .bind(now)
                .bind(permit_id)
                .execute(&mut tx)
                .await?;
                (
                    "permit.issue",
                    json!({
                        "status": "issued", "number": i.number, "issued_on": i.issued_on,
                        "expires_on": i.expires_on,
                    }),
                )
            }
            PermitDecision::Reject { reason, on } => {
                if *on < applied_on {
                    return Err(StoreError::Invalid(
                        FieldError::new(
                            "rejected_on",
                            "before_application",
                            format!("rejected_on {on} is before the application ({applied_on})"),
                        )
                        .into(),
                    ));
                }
                let e = event("permit_rejected", false, *on, None, Some(reason.clone()));
                let event_id = write_event(&mut tx, &f, &e, &agency, &who, None, now).await?;
                query(
                    "UPDATE permits SET status = 'rejected', rejected_on = $1, \
                     rejection_reason = $2, decision_event_id = $3, version = version + 1, \
                     updated_at = $4 WHERE id = $5",
                )
                .bind(on)
                .bind(reason)
                .bind(event_id)
                .bind(now)
                .bind(permit_id)
                .execute(&mut tx)
                .await?;
                (
                    "permit.reject",
                    json!({ "status": "rejected", "reason": reason, "rejected_on": on }),
                )
            }
        };
        let change = Change {
            who: who.clone(),
            action,
            record_type: "permit",
            record_id: permit_id.to_string(),
            before: Some(json!({ "status": status.as_str() })),
            after: Some(after),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        self.permit(actor, member_no, permit_id).await
    }

    async fn permit(&self, actor: &Actor, member_no: &str, id: i64) -> Result<Permit> {
        let mut q = query(PERMIT_SELECT);
        let p = q.arg(id);
        q.push(&format!(" AND p.id = {p}"));
        let p = q.arg(member_no);
        q.push(&format!(" AND m.member_no = {p}"));
        scope_filter_on(actor, &mut q, "m.");
        let row: Option<Permit> = q.fetch_optional(self.read()).await?;
        row.ok_or(StoreError::NotFound)
    }

    /// A member's permit applications, newest first.
    pub async fn list_permits(&self, actor: &Actor, member_no: &str) -> Result<Vec<Permit>> {
        require(actor, Permission::MemberRead)?;
        self.member_facts(actor, member_no)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut q = query(PERMIT_SELECT);
        let p = q.arg(member_no);
        q.push(&format!(" AND m.member_no = {p} ORDER BY p.id DESC"));
        q.fetch_all(self.read()).await
    }

    /// Issued permits of members in the actor's scope that expire from `from` to `to`
    /// (inclusive), soonest first; at most 500.
    pub async fn expiring_permits(
        &self,
        actor: &Actor,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Permit>> {
        require(actor, Permission::MemberRead)?;
        let mut q = query(PERMIT_SELECT);
        q.push(
            " AND p.status = 'issued' AND p.expires_on IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM member_events v \
             WHERE v.voids_event_id = p.applied_event_id)",
        );
        let a = q.arg(from);
        let b = q.arg(to);
        q.push(&format!(" AND p.expires_on >= {a} AND p.expires_on <= {b}"));
        scope_filter_on(actor, &mut q, "m.");
        q.push(" ORDER BY p.expires_on, p.id LIMIT 500");
        q.fetch_all(self.read()).await
    }
}
