//! Changing a member: a correction (validated as a whole, under optimistic concurrency),
//! withdrawal, and erasure of the personal data. Each loads the row locked, checks it
//! ([`check_writable`]) and writes the change with its audit entry in one transaction.

use chrono::{NaiveDate, Utc};
use jakpreneur_core::{Actor, MemberPatch, NewMember, Permission, Status};
use serde_json::json;

use super::Member;
use super::insert::region_args;
use super::row::{MemberRow, check_writable, member_cols, row_snapshot};
use crate::access::{require, require_covers};
use crate::audit::{self, Change, Who};
use crate::ledger;
use crate::query::{Tx, query, query_text};
use crate::{Result, Store, StoreError};

const UPDATE_MEMBER: &str = concat!(
    "UPDATE members SET nik_hash = $1, nik_cipher = $2, nik_legacy = NULL, full_name = $3, \
     birth_date = $4, sex = $5, phone = $6, email = $7, address = $8, province_code = $9, \
     city_code = $10, district_code = $11, village_code = $12, business_name = $13, sector = $14, \
     channel = $15, registered_on = $16, version = version + 1, updated_at = $17 \
     WHERE id = $18 AND version = $19 RETURNING ",
    member_cols!()
);
const WITHDRAW_MEMBER: &str = concat!(
    "UPDATE members SET status = 'withdrawn', withdrawn_on = $2, withdrawal_reason = $3, \
     version = version + 1, updated_at = $4 WHERE id = $1 RETURNING ",
    member_cols!()
);
const ERASE_MEMBER: &str = concat!(
    "UPDATE members SET nik_hash = NULL, nik_cipher = NULL, nik_legacy = NULL, full_name = NULL, \
     birth_date = NULL, phone = NULL, email = NULL, address = NULL, erased_at = $2, \
     status = 'withdrawn', withdrawn_on = COALESCE(withdrawn_on, $3), \
     withdrawal_reason = COALESCE(withdrawal_reason, $4), version = version + 1, updated_at = $2 \
     WHERE id = $1 RETURNING ",
    member_cols!()
);

/// The member row, locked for the rest of the transaction.
async fn locked_row(tx: &mut Tx, member_no: &str) -> Result<Option<MemberRow>> {
    let sql = format!(
        concat!(
            "SELECT ",
            member_cols!(),
            " FROM members WHERE member_no = $1{}"
        ),
        tx.for_update()
    );
    query_text(sql).bind(member_no).fetch_optional(tx).await
}

impl Store {
    /// Corrects a member: `patch` is laid over the stored record, the result validated
    /// as a whole (`Invalid` names every bad field), and written if the record is still at
    /// `expected_version` (`None`: whatever it is now). The member number never changes,
    /// even when the business moves to another city; it may not move out of the actor's
    /// region.
    #[tracing::instrument(skip_all)]
    pub async fn update_member(
        &self,
        actor: &Actor,
        member_no: &str,
        expected_version: Option<i64>,
        patch: &MemberPatch,
        today: NaiveDate,
    ) -> Result<Member> {
        require(actor, Permission::MemberUpdate)?;
        let vault = self.vault()?;
        let now = Utc::now();
        let outcome: Result<(MemberRow, Vec<u8>)> = {
            async {
                let mut tx = self.begin().await?;
                let row = locked_row(&mut tx, member_no).await?;
                let row = check_writable(row, actor, member_no, expected_version)?;
                let before = row_snapshot(&row, vault)?;
                let before_facts = row.facts();
                let current = MemberRow::into_member(row, vault, true)?;
                let draft = current.to_draft().ok_or_else(|| {
                    StoreError::Corrupt(format!("member {member_no}: no personal data"))
                })?;
                let new =
                    NewMember::parse(&patch.apply_to(draft), today).map_err(StoreError::Invalid)?;
                require_covers(actor, new.village.as_str(), "")?;
                let [province, city, district, village] = region_args(&new)?;
                let hash = vault.nik_hash(new.nik.as_str());
                let row: MemberRow = query(UPDATE_MEMBER)
                    .bind(hash.clone())
                    .bind(vault.encrypt_nik(new.nik.as_str()))
                    .bind(&new.full_name)
                    .bind(new.birth_date)
                    .bind(new.sex.as_str())
                    .bind(new.phone.as_str())
                    .bind(&new.email)
                    .bind(&new.address)
                    .bind(province)
                    .bind(city)
                    .bind(district)
                    .bind(village)
                    .bind(&new.business_name)
                    .bind(&new.sector)
                    .bind(new.channel.as_str())
                    .bind(new.registered_on)
                    .bind(now)
                    .bind(current.id)
                    .bind(current.version)
                    .fetch_one(&mut tx)
                    .await?;
                let after = row_snapshot(&row, vault)?;
                let who = Who::from(actor);
                let agency = actor.agency_or_default();
                ledger::follow_member_change(
                    &mut tx,
                    &before_facts,
                    &row.facts(),
                    &who,
                    &agency,
                    now,
                )
                .await?;
                let change = Change {
                    who,
                    action: "member.update",
                    record_type: "member",
                    record_id: member_no.to_owned(),
                    before: Some(before),
                    after: Some(after),
                };
                audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
                tx.commit().await?;
                Ok((row, hash))
            }
            .await
        };
        match outcome {
            Ok((row, _)) => row.into_member(vault, false),
            Err(e) if e.is_unique_violation() => {
                // The corrected NIK belongs to another member.
                let nik = patch.nik.as_deref().map(str::trim).unwrap_or_default();
                match self.member_no_by_hash(&vault.nik_hash(nik)).await? {
                    Some(other) if other != member_no => {
                        Err(self.duplicate_nik(actor, other).await)
                    }
                    _ => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// Marks a member withdrawn; the record stays. `expected_version` is checked when given.
    #[tracing::instrument(skip_all)]
    pub async fn withdraw_member(
        &self,
        actor: &Actor,
        member_no: &str,
        reason: &str,
        on: NaiveDate,
        expected_version: Option<i64>,
    ) -> Result<Member> {
        require(actor, Permission::MemberWithdraw)?;
        let vault = self.vault()?;
        let now = Utc::now();
        let row: MemberRow = {
            let mut tx = self.begin().await?;
            let row = locked_row(&mut tx, member_no).await?;
            let row = check_writable(row, actor, member_no, expected_version)?;
            if row.status == Status::Withdrawn {
                return Err(StoreError::AlreadyWithdrawn);
            }
            let before = row_snapshot(&row, vault)?;
            let row: MemberRow = query(WITHDRAW_MEMBER)
                .bind(row.id)
                .bind(on)
                .bind(reason)
                .bind(now)
                .fetch_one(&mut tx)
                .await?;
            let change = Change {
                who: Who::from(actor),
                action: "member.withdraw",
                record_type: "member",
                record_id: member_no.to_owned(),
                before: Some(before),
                after: Some(row_snapshot(&row, vault)?),
            };
            audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
            tx.commit().await?;
            row
        };
        row.into_member(vault, false)
    }

    /// Erases a member's personal data (NIK, name, birth date, phone, e-mail, address):
    /// the member number, region, sector, sex, dates and status stay, so counts do not
    /// change. An erased member is withdrawn; accounts linked to it are disabled.
    #[tracing::instrument(skip_all)]
    pub async fn erase_member(
        &self,
        actor: &Actor,
        member_no: &str,
        reason: &str,
        today: NaiveDate,
    ) -> Result<Member> {
        require(actor, Permission::MemberErase)?;
        let vault = self.vault()?;
        let now = Utc::now();
        let row: MemberRow = {
            let mut tx = self.begin().await?;
            let row = locked_row(&mut tx, member_no).await?;
            let row = check_writable(row, actor, member_no, None)?;
            let before = row_snapshot(&row, vault)?;
            let row: MemberRow = query(ERASE_MEMBER)
                .bind(row.id)
                .bind(now)
                .bind(today)
                .bind(reason)
                .fetch_one(&mut tx)
                .await?;
            query("UPDATE users SET disabled_at = COALESCE(disabled_at, $1) WHERE member_no = $2")
                .bind(now)
                .bind(member_no)
                .execute(&mut tx)
                .await?;
            query(
                "DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE member_no = $1)",
            )
            .bind(member_no)
            .execute(&mut tx)
            .await?;
            let change = Change {
                who: Who::from(actor),
                action: "member.erase",
                record_type: "member",
                record_id: member_no.to_owned(),
                before: Some(before),
                after: Some({
                    let mut after = row_snapshot(&row, vault)?;
                    after["erase_reason"] = json!(reason);
                    after
                }),
            };
            audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
            tx.commit().await?;
            row
        };
        row.into_member(vault, false)
    }
}
