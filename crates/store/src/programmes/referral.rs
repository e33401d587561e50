//! A trainee who works on their own account is referred to Jakpreneur in one step: the
//! person is registered as a member (facility P1) from what the enrolment holds and the
//! business details given, and the referral is recorded in both programmes — a
//! `referred_to_jakpreneur` service in the enrolment's ledger, and the member's
//! registration naming the enrolment it came from — in one transaction.

use chrono::Utc;
use jakpreneur_core::{Actor, MemberDraft, NewMember, Permission};
use serde_json::json;

use super::enrolments::enrolment_for_write;
use super::events::write_event;
use crate::access::require;
use crate::audit::{self, Change, Who};
use crate::query::query;
use crate::{Result, Store, StoreError};

/// The business a referral registers.
#[derive(Debug, Clone, Default)]
pub struct JakpreneurReferral {
    pub business_name: Option<String>,
    pub sector: Option<String>,
    /// Needed when the enrolment has no phone number (a member must have one).
    pub phone: Option<String>,
}

impl Store {
    /// Refers the trainee to Jakpreneur; returns the new member number. Refused when the
    /// person is a member already, was referred already, or the member record the
    /// enrolment gives would break a registration rule (each field named).
    pub async fn refer_to_jakpreneur(
        &self,
        actor: &Actor,
        enrolment_no: &str,
        r: &JakpreneurReferral,
        today: chrono::NaiveDate,
    ) -> Result<String> {
        require(actor, Permission::TraineeRefer)?;
        let defs = self.programme_definitions().await?;
        let vault = self.vault()?;
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let f = enrolment_for_write(&mut tx, actor, enrolment_no).await?;
        if let Some(no) = &f.referred_member_no {
            return Err(StoreError::invalid(
                "enrolment_no",
                "already_referred",
                format!("this trainee was referred already and is member {no}"),
            ));
        }
        type Person = (
            Option<Vec<u8>>,
            Option<String>,
            Option<chrono::NaiveDate>,
            String,
            Option<String>,
            Option<String>,
            bool,
        );
        let (cipher, name, birth, sex, phone, address, member): Person = query(
            "SELECT p.nik_cipher, p.full_name, p.birth_date, p.sex, e.phone, e.address, \
             EXISTS (SELECT 1 FROM members m WHERE m.nik_hash = p.nik_hash) \
             FROM programme_enrolments e JOIN people p ON p.id = e.person_id WHERE e.id = $1",
        )
        .bind(f.id)
        .fetch_one(&mut tx)
        .await?;
        if member {
            return Err(StoreError::invalid(
                "enrolment_no",
                "already_member",
                "this person is a Jakpreneur member already",
            ));
        }
        let cipher = cipher.ok_or(StoreError::Erased)?;
        let draft = MemberDraft {
            nik: Some(vault.decrypt_nik(&cipher)?),
            full_name: name,
            birth_date: birth.map(|b| b.to_string()),
            sex: Some(sex),
            phone: r.phone.clone().or(phone),
            email: None,
            address,
            village_code: Some(f.village_code.clone()),
            business_name: r.business_name.clone(),
            sector: r.sector.clone(),
            channel: Some("centre".into()),
            registered_on: Some(today.to_string()),
            consent: Some(true),
        };
        let m = NewMember::parse(&draft, today).map_err(StoreError::Invalid)?;
        // The referral in job training's ledger first: it needs the stage before it.
        let e = jakpreneur_core::programme::NewEvent {
            programme: f.programme.clone(),
            stage: defs
                .kind(&f.programme, "referred_to_jakpreneur")
                .map(|k| k.stage.clone())
                .ok_or_else(|| {
                    StoreError::invalid(
                        "enrolment_no",
                        "referral_not_defined",
                        format!("{} has no referral to Jakpreneur", f.programme),
                    )
                })?,
            kind: "referred_to_jakpreneur".into(),
            qualifying: false,
            occurred_on: today,
            place_code: Some(f.district_code.clone()),
            agency: None,
            reference: None,
            note: None,
        };
        let agency = actor
            .agency
            .clone()
            .unwrap_or_else(|| "NAKERTRANSGI".into());
        let event_id = write_event(&mut tx, &defs, &f, &e, &agency, &who, None, now).await?;
        let member_no =
            crate::members::register_in_tx(&mut tx, actor, &m, vault, Some(&agency), now)
                .await?
                .ok_or_else(|| {
                    StoreError::invalid(
                        "enrolment_no",
                        "already_member",
                        "this person is a Jakpreneur member already",
                    )
                })?;
        // The member's registration names where it came from; the event was written in
        // this transaction, so nothing recorded earlier changes.
        query(
            "UPDATE member_events SET reference = $1, note = $2 WHERE kind = 'registered' \
             AND member_id = (SELECT id FROM members WHERE member_no = $3)",
        )
        .bind(enrolment_no.to_owned())
        .bind(format!("referred from {}", f.programme))
        .bind(member_no.clone())
        .execute(&mut tx)
        .await?;
        query("UPDATE programme_events SET reference = $1 WHERE id = $2")
            .bind(member_no.clone())
            .bind(event_id)
            .execute(&mut tx)
            .await?;
        query(
            "UPDATE programme_enrolments SET referred_member_no = $1, version = version + 1, updated_at = $2 \
             WHERE id = $3",
        )
        .bind(member_no.clone())
        .bind(now)
        .bind(f.id)
        .execute(&mut tx)
        .await?;
        let change = Change {
            who,
            action: "enrolment.refer",
            record_type: "enrolment",
            record_id: enrolment_no.to_owned(),
            before: None,
            after: Some(json!({"member_no": member_no, "programme": "jakpreneur"})),
        };
        audit::append(&mut tx, vault, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        Ok(member_no)
    }
}
