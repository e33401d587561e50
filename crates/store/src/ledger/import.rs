//! Services from a file (`jakpreneur import events`): each row written through the same
//! path as `POST /api/v1/members/{member_no}/events` (the member's scope, the dates, the
//! order rule, the first reach, the counters, an audit entry), a batch per transaction.
//! A row that the rules refuse is reported and leaves nothing behind; a row whose service
//! is on file already (the same member, kind, day, agency and reference, voided or not)
//! is left alone, so importing a file twice, or again after a crash, adds each service
//! exactly once.

use chrono::Utc;
use jakpreneur_core::programme::NewEvent;
use jakpreneur_core::{Actor, Permission, ValidationErrors};
use serde_json::json;

use super::{member_for_write, write_event};
use crate::access::require;
use crate::audit::{self, Change, Who};
use crate::query::{Conn, query};
use crate::{Result, Store, StoreError};

/// One service to import, for the member numbered `member_no`.
#[derive(Debug, Clone)]
pub struct ImportedService {
    pub member_no: String,
    pub event: NewEvent,
}

/// What became of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceOutcome {
    /// Written as this event.
    Added(i64),
    /// The same service is on file as this event; nothing written.
    OnFile(i64),
    /// No member with that number in the importer's scope.
    NoMember,
    /// The rules refused it (dates, order of facilities, an erased member).
    Refused(ValidationErrors),
}

const SAME_SERVICE: &str = "SELECT id FROM member_events WHERE member_id = $1 AND kind = $2 \
     AND occurred_on = $3 AND agency_code = $4 AND COALESCE(reference, '') = $5 \
     ORDER BY id LIMIT 1";

async fn same_service(
    tx: &mut (impl Conn + ?Sized),
    member_id: i64,
    e: &NewEvent,
    agency: &str,
) -> Result<Option<i64>> {
    query(SAME_SERVICE)
        .bind(member_id)
        .bind(&e.kind)
        .bind(e.occurred_on)
        .bind(agency)
        .bind(e.reference.clone().unwrap_or_default())
        .scalar_optional(tx)
        .await
}

impl Store {
    /// Writes `rows` in one transaction, each as [`Self::record_event`] would; a refused
    /// row is reported in its place and the others still go in. Needs the right to record
    /// services; rows outside the importer's region are reported as having no member.
    /// `dry_run`: the same, rolled back at the end (so a row that depends on an earlier
    /// row of the batch is judged as the import would judge it).
    pub async fn import_services(
        &self,
        actor: &Actor,
        rows: &[ImportedService],
        dry_run: bool,
    ) -> Result<Vec<ServiceOutcome>> {
        require(actor, Permission::EventRecord)?;
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let mut out = Vec::with_capacity(rows.len());
        let mut changes = Vec::new();
        for r in rows {
            let agency = r
                .event
                .agency
                .clone()
                .or_else(|| actor.agency.clone())
                .unwrap_or_else(|| jakpreneur_core::programme::DEFAULT_AGENCY.to_owned());
            let f = match member_for_write(&mut tx, actor, &r.member_no, false).await {
                Ok(f) => f,
                Err(StoreError::NotFound | StoreError::Forbidden(_)) => {
                    out.push(ServiceOutcome::NoMember);
                    continue;
                }
                Err(StoreError::Erased) => {
                    out.push(ServiceOutcome::Refused(
                        jakpreneur_core::FieldError::new(
                            "member_no",
                            "member_erased",
                            "the member's personal data was erased; no service can be added",
                        )
                        .into(),
                    ));
                    continue;
                }
                Err(e) => return Err(e),
            };
            if let Some(id) = same_service(&mut tx, f.id, &r.event, &agency).await? {
                out.push(ServiceOutcome::OnFile(id));
                continue;
            }
            match write_event(&mut tx, &f, &r.event, &agency, &who, None, now).await {
                Ok(id) => {
                    changes.push(Change {
                        who: who.clone(),
                        action: "event.record",
                        record_type: "member",
                        record_id: r.member_no.clone(),
                        before: None,
                        after: Some(event_snapshot(id, &r.event, &agency)),
                    });
                    out.push(ServiceOutcome::Added(id));
                }
                // Every refusal comes before the event's first write.
                Err(StoreError::Invalid(errs)) => out.push(ServiceOutcome::Refused(errs)),
                Err(e) => return Err(e),
            }
        }
        if dry_run {
            // Every row went through the real checks and writes; none of it is kept.
            tx.rollback().await?;
            return Ok(out);
        }
        audit::append(&mut tx, self.vault()?, now, &changes).await?;
        tx.commit().await?;
        Ok(out)
    }
}

/// The audit snapshot of a recorded service.
pub(crate) fn event_snapshot(id: i64, e: &NewEvent, agency: &str) -> serde_json::Value {
    json!({
        "event_id": id, "stage": e.stage, "kind": e.kind, "occurred_on": e.occurred_on,
        "place_code": e.place_code, "agency_code": agency, "reference": e.reference,
    })
}
