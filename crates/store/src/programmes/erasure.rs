//! Erasing a trainee's personal data on request: the person's NIK (cipher and keyed hash),
//! name and birth date, and every enrolment's phone and address. The enrolment numbers,
//! residence, sex, dates, services and placements stay, so no published figure changes;
//! each enrolment of the person ends withdrawn. The NIK is forgotten: enrolling it again
//! makes a new person.

use chrono::{NaiveDate, Utc};
use jakpreneur_core::{Actor, Permission};
use serde_json::json;

use super::ProgrammeEnrolment;
use super::enrolments::enrolment_for_write;
use crate::access::require;
use crate::audit::{self, Change, Who};
use crate::query::query;
use crate::{Result, Store, StoreError};

impl Store {
    /// Erases the personal data of the person enrolled as `enrolment_no` (administrators:
    /// the permission that erases members). 422 `already_erased` the second time.
    pub async fn erase_trainee(
        &self,
        actor: &Actor,
        enrolment_no: &str,
        reason: &str,
        today: NaiveDate,
    ) -> Result<ProgrammeEnrolment> {
        require(actor, Permission::MemberErase)?;
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let f = enrolment_for_write(&mut tx, actor, enrolment_no).await?;
        let (person, erased): (i64, bool) = query(
            "SELECT p.id, p.erased_at IS NOT NULL FROM people p \
             JOIN programme_enrolments e ON e.person_id = p.id WHERE e.id = $1",
        )
        .bind(f.id)
        .fetch_one(&mut tx)
        .await?;
        if erased {
            return Err(StoreError::invalid(
                "enrolment_no",
                "already_erased",
                "this trainee's personal data is erased already",
            ));
        }
        query(
            "UPDATE people SET nik_hash = NULL, nik_cipher = NULL, full_name = NULL, \
             birth_date = NULL, erased_at = $1, updated_at = $1 WHERE id = $2",
        )
        .bind(now)
        .bind(person)
        .execute(&mut tx)
        .await?;
        let enrolments: Vec<(String,)> = query(
            "UPDATE programme_enrolments SET phone = NULL, address = NULL, status = 'withdrawn', \
             withdrawn_on = COALESCE(withdrawn_on, $1), \
             withdrawal_reason = COALESCE(withdrawal_reason, $2), version = version + 1, \
             updated_at = $3 WHERE person_id = $4 RETURNING enrolment_no",
        )
        .bind(today)
        .bind(reason.to_owned())
        .bind(now)
        .bind(person)
        .fetch_all(&mut tx)
        .await?;
        let change = Change {
            who: Who::from(actor),
            action: "trainee.erase",
            record_type: "enrolment",
            record_id: enrolment_no.to_owned(),
            before: None,
            after: Some(json!({
                "enrolments": enrolments.into_iter().map(|(no,)| no).collect::<Vec<_>>(),
                "reason": reason,
            })),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        self.enrolment(actor, enrolment_no).await
    }
}
