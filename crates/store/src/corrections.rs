//! Corrections of facility records. A permit, a market participation, a mentoring session
//! or assignment, a class enrolment, a financial report or a financing referral is voided
//! as a whole, with a reason: every ledger event it wrote is voided in one transaction (so
//! record and ledger never disagree), and the record then counts for nothing anywhere.
//! Nothing is edited or deleted: the voids, their reasons and the audit entry remain.

use std::collections::HashSet;

use chrono::{NaiveDate, Utc};
use jakpreneur_core::{Actor, FieldError, Permission, Role};
use serde_json::json;

use crate::access::require;
use crate::audit::{self, Change, Who};
use crate::finance::refresh_size;
use crate::ledger::{event_state, member_for_write, owned_by_record, void_in_tx};
use crate::query::query;
use crate::{Result, Store, StoreError};

/// A facility record of one member, named as `{kind}-{id}` in URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordRef {
    /// A permit application, by its id.
    Permit(i64),
    /// The member's participation in a market event, by the market event's id.
    Market(i64),
    /// A mentoring session, by its id.
    Session(i64),
    /// A mentor assignment, by its id (voiding it also ends it).
    Mentor(i64),
    /// The member's enrolment in a class, by the class's id (with its attendance and
    /// completion; the seat is freed).
    Enrolment(i64),
    /// A financial report, by its id.
    Report(i64),
    /// A financing referral, by its id (with its decision and disbursement).
    Referral(i64),
}

impl RecordRef {
    pub const KINDS: [&'static str; 7] = [
        "permit",
        "market",
        "session",
        "mentor",
        "enrolment",
        "report",
        "referral",
    ];

    /// Parses `permit-12`, `enrolment-3`, ….
    pub fn parse(field: &'static str, raw: &str) -> std::result::Result<Self, FieldError> {
        let bad = || {
            FieldError::new(
                field,
                "record_invalid",
                format!(
                    "{field} must be one of {} followed by a dash and a number, e.g. permit-12",
                    Self::KINDS.join(", ")
                ),
            )
        };
        let (kind, id) = raw.trim().rsplit_once('-').ok_or_else(bad)?;
        let id: i64 = id.parse().ok().filter(|n| *n > 0).ok_or_else(bad)?;
        Ok(match kind {
            "permit" => Self::Permit(id),
            "market" => Self::Market(id),
            "session" => Self::Session(id),
            "mentor" => Self::Mentor(id),
            "enrolment" => Self::Enrolment(id),
            "report" => Self::Report(id),
            "referral" => Self::Referral(id),
            _ => return Err(bad()),
        })
    }

    pub fn name(self) -> String {
        let (kind, id) = match self {
            Self::Permit(i) => ("permit", i),
            Self::Market(i) => ("market", i),
            Self::Session(i) => ("session", i),
            Self::Mentor(i) => ("mentor", i),
            Self::Enrolment(i) => ("enrolment", i),
            Self::Report(i) => ("report", i),
            Self::Referral(i) => ("referral", i),
        };
        format!("{kind}-{id}")
    }

    /// The record's events with their rank; rank 0 is the one whose void marks the whole
    /// record (sorted on it, so the order never depends on the database).
    fn events_sql(self) -> &'static str {
        match self {
            Self::Permit(_) => {
                "SELECT applied_event_id, 0 FROM permits WHERE id = $1 AND member_id = $2 \
                 UNION ALL SELECT decision_event_id, 1 FROM permits WHERE id = $1 AND member_id = \
                 $2 AND decision_event_id IS NOT NULL \
                 ORDER BY 2, 1"
            }
            Self::Market(_) => {
                "SELECT event_id, 0 FROM market_participants WHERE market_event_id = $1 AND \
                    member_id = $2"
            }
            Self::Session(_) => {
                "SELECT event_id, 0 FROM mentoring_sessions WHERE id = $1 AND member_id = $2"
            }
            Self::Mentor(_) => {
                "SELECT event_id, 0 FROM mentor_assignments WHERE id = $1 AND member_id = $2"
            }
            Self::Enrolment(_) => {
                "SELECT event_id, 0 FROM enrolments WHERE class_id = $1 AND member_id = $2 \
                 UNION ALL SELECT completed_event_id, 1 FROM enrolments WHERE class_id = $1 AND \
                 member_id = $2 AND completed_event_id IS NOT NULL \
                 UNION ALL SELECT event_id, 2 FROM attendance WHERE class_id = $1 AND member_id = \
                 $2 \
                 ORDER BY 2, 1"
            }
            Self::Report(_) => {
                "SELECT event_id, 0 FROM financial_reports WHERE id = $1 AND member_id = $2"
            }
            Self::Referral(_) => {
                "SELECT referred_event_id, 0 FROM referrals WHERE id = $1 AND member_id = $2 \
                 UNION ALL SELECT decision_event_id, 1 FROM referrals WHERE id = $1 AND member_id \
                 = $2 AND decision_event_id IS NOT NULL \
                 UNION ALL SELECT disbursed_event_id, 2 FROM referrals WHERE id = $1 AND \
                 member_id = $2 AND disbursed_event_id IS NOT NULL \
                 ORDER BY 2, 1"
            }
        }
    }

    fn id(self) -> i64 {
        match self {
            Self::Permit(i)
            | Self::Market(i)
            | Self::Session(i)
            | Self::Mentor(i)
            | Self::Enrolment(i)
            | Self::Report(i)
            | Self::Referral(i) => i,
        }
    }
}

impl Store {
    /// Voids a facility record of the member with a reason (see the module). 404 when the
    /// member has no such record, 409 `already_voided` the second time.
    #[tracing::instrument(skip_all)]
    pub async fn void_record(
        &self,
        actor: &Actor,
        member_no: &str,
        record: RecordRef,
        reason: &str,
        today: NaiveDate,
    ) -> Result<()> {
        require(actor, Permission::EventRecord)?;
        self.check_record_owner(actor, record).await?;
        let who = Who::from(actor);
        let agency = actor.agency_or_default();
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let f = member_for_write(&mut tx, actor, member_no, true).await?;
        let ranked: Vec<(i64, i32)> = query(record.events_sql())
            .bind(record.id())
            .bind(f.id)
            .fetch_all(&mut tx)
            .await?;
        let events: Vec<i64> = ranked.iter().map(|(e, _)| *e).collect();
        let primary = ranked
            .iter()
            .find(|(_, r)| *r == 0)
            .map(|(e, _)| *e)
            .ok_or(StoreError::NotFound)?;
        let (_, _, _, _, voided) = event_state(&mut tx, f.id, primary)
            .await?
            .ok_or(StoreError::NotFound)?;
        if voided.is_some() {
            return Err(StoreError::AlreadyVoided);
        }
        let mut count = 0;
        for e in &events {
            if void_in_tx(&mut tx, &f, *e, reason, &who, &agency, today, now).await? {
                count += 1;
            }
        }
        match record {
            RecordRef::Enrolment(class_id) => {
                query("UPDATE classes SET enrolled = enrolled - 1 WHERE id = $1 AND enrolled > 0")
                    .bind(class_id)
                    .execute(&mut tx)
                    .await?;
            }
            RecordRef::Mentor(id) => {
                query(
                    "UPDATE mentor_assignments SET ended_on = COALESCE(ended_on, $1) WHERE id = $2",
                )
                .bind(today)
                .bind(id)
                .execute(&mut tx)
                .await?;
            }
            RecordRef::Report(_) => refresh_size(&mut tx, &f).await?,
            _ => {}
        }
        let change = Change {
            who: who.clone(),
            action: "record.void",
            record_type: "member",
            record_id: member_no.to_owned(),
            before: Some(json!({ "record": record.name(), "events": events })),
            after: Some(json!({ "voided": count, "reason": reason })),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await
    }

    /// The owner rules of each facility hold for its corrections too: a trainer voids only
    /// enrolments in their own classes, a mentor only their own sessions and assignments.
    async fn check_record_owner(&self, actor: &Actor, record: RecordRef) -> Result<()> {
        let mentor_of = |sql: &'static str, id: i64| async move {
            let found: Option<Option<i64>> =
                query(sql).bind(id).scalar_optional(self.read()).await?;
            Ok::<_, StoreError>(found.flatten())
        };
        let own = match (actor.role, record) {
            (Role::Trainer, RecordRef::Enrolment(class_id)) => {
                let class = self.class(class_id).await?;
                class.trainer.as_deref() == Some(actor.name.as_str())
            }
            (Role::Mentor, RecordRef::Session(id)) => {
                mentor_of(
                    "SELECT mentor_user_id FROM mentoring_sessions WHERE id = $1",
                    id,
                )
                .await?
                    == actor.user_id
            }
            (Role::Mentor, RecordRef::Mentor(id)) => {
                mentor_of(
                    "SELECT mentor_user_id FROM mentor_assignments WHERE id = $1",
                    id,
                )
                .await?
                    == actor.user_id
            }
            _ => true,
        };
        if own {
            Ok(())
        } else {
            Err(StoreError::Forbidden(
                "the record belongs to another trainer or mentor".into(),
            ))
        }
    }

    /// The member's events written by a facility record: the timeline offers no plain
    /// void for them (their record is voided instead).
    pub async fn record_owned_events(
        &self,
        actor: &Actor,
        member_no: &str,
    ) -> Result<HashSet<i64>> {
        require(actor, Permission::MemberRead)?;
        let f = self
            .member_facts(actor, member_no)
            .await?
            .ok_or(StoreError::NotFound)?;
        let ids: Vec<i64> = query(concat!(
            "SELECT e.id FROM member_events e WHERE e.member_id = $1 AND e.kind <> 'void' AND ",
            owned_by_record!("e.id")
        ))
        .bind(f.id)
        .scalars(self.read())
        .await?;
        Ok(ids.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::RecordRef;

    #[test]
    fn record_names_round_trip() {
        for r in [
            RecordRef::Permit(12),
            RecordRef::Market(1),
            RecordRef::Session(3),
            RecordRef::Mentor(4),
            RecordRef::Enrolment(5),
            RecordRef::Report(6),
            RecordRef::Referral(7),
        ] {
            assert_eq!(RecordRef::parse("record", &r.name()), Ok(r));
        }
        for bad in [
            "permit", "permit-", "permit-0", "permit-x", "loan-3", "", "-3",
        ] {
            assert_eq!(
                RecordRef::parse("record", bad).unwrap_err().code,
                "record_invalid",
                "{bad}"
            );
        }
    }
}
