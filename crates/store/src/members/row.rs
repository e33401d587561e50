//! The stored member row ([`MemberRow`]), and what is made of it: the member a reader
//! sees, the draft a correction is laid over, the audit snapshot, the ledger's facts, and
//! the checks every write makes on the row it loaded.

use chrono::{DateTime, NaiveDate, Utc};
use jakpreneur_core::nik::mask;
use jakpreneur_core::{Actor, Channel, Sex, Status};
use serde_json::json;

use super::{Member, Personal};
use crate::access::require_covers;
use crate::crypto::Vault;
use crate::{Result, StoreError};

/// Columns of a member row, in [`MemberRow`] order.
macro_rules! member_cols {
    () => {
        "id, member_no, nik_cipher, nik_legacy, full_name, birth_date, sex, phone, email, address, \
         province_code, city_code, district_code, village_code, business_name, sector, channel, \
         registered_on, status, withdrawn_on, withdrawal_reason, consent_version, consent_at, \
         erased_at, version, created_at, updated_at"
    };
}
pub(crate) use member_cols;

#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct MemberRow {
    pub(super) id: i64,
    pub(super) member_no: String,
    pub(super) nik_cipher: Option<Vec<u8>>,
    pub(super) nik_legacy: Option<String>,
    pub(super) full_name: Option<String>,
    pub(super) birth_date: Option<NaiveDate>,
    #[sqlx(try_from = "String")]
    pub(super) sex: Sex,
    pub(super) phone: Option<String>,
    pub(super) email: Option<String>,
    pub(super) address: Option<String>,
    pub(super) province_code: String,
    pub(super) city_code: String,
    pub(super) district_code: String,
    pub(super) village_code: String,
    pub(super) business_name: String,
    pub(super) sector: String,
    #[sqlx(try_from = "String")]
    pub(super) channel: Channel,
    pub(super) registered_on: NaiveDate,
    #[sqlx(try_from = "String")]
    pub(super) status: Status,
    pub(super) withdrawn_on: Option<NaiveDate>,
    pub(super) withdrawal_reason: Option<String>,
    pub(super) consent_version: Option<String>,
    pub(super) consent_at: Option<DateTime<Utc>>,
    pub(super) erased_at: Option<DateTime<Utc>>,
    pub(super) version: i64,
    pub(super) created_at: DateTime<Utc>,
    pub(super) updated_at: DateTime<Utc>,
}

impl MemberRow {
    /// What the ledger needs to know of the member.
    pub(crate) fn facts(&self) -> crate::facts::LedgerFacts {
        crate::facts::LedgerFacts {
            id: self.id,
            member_no: self.member_no.clone(),
            village_code: self.village_code.clone(),
            district_code: self.district_code.clone(),
            sector: self.sector.clone(),
            channel: self.channel.as_str().to_owned(),
            registered_on: self.registered_on,
            status: self.status.as_str().to_owned(),
            withdrawn_on: self.withdrawn_on,
            erased_at: self.erased_at,
        }
    }

    /// The NIK in the clear (decrypted), if the member still has one.
    fn nik(&self, vault: &Vault) -> Result<Option<String>> {
        match (&self.nik_cipher, &self.nik_legacy) {
            (Some(c), _) => vault.decrypt_nik(c).map(Some),
            (None, Some(legacy)) => Ok(Some(legacy.clone())),
            (None, None) => Ok(None),
        }
    }

    pub(super) fn into_member(self, vault: &Vault, reveal_nik: bool) -> Result<Member> {
        let nik = self.nik(vault)?;
        let personal = match (
            nik,
            &self.full_name,
            self.birth_date,
            &self.phone,
            &self.address,
        ) {
            (Some(nik), Some(full_name), Some(birth_date), Some(phone), Some(address))
                if self.erased_at.is_none() =>
            {
                Some(Personal {
                    nik: if reveal_nik { nik } else { mask(&nik) },
                    nik_revealed: reveal_nik,
                    full_name: full_name.clone(),
                    birth_date,
                    phone: phone.clone(),
                    email: self.email.clone(),
                    address: address.clone(),
                })
            }
            _ if self.erased_at.is_some() => None,
            _ => {
                return Err(StoreError::Corrupt(format!(
                    "member {}: personal data missing but not erased",
                    self.member_no
                )));
            }
        };
        Ok(Member {
            sex: self.sex,
            channel: self.channel,
            status: self.status,
            id: self.id,
            personal,
            province_code: self.province_code,
            city_code: self.city_code,
            district_code: self.district_code,
            village_code: self.village_code,
            business_name: self.business_name,
            sector: self.sector,
            registered_on: self.registered_on,
            withdrawn_on: self.withdrawn_on,
            withdrawal_reason: self.withdrawal_reason,
            consent_version: self.consent_version,
            consent_at: self.consent_at,
            erased_at: self.erased_at,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
            member_no: self.member_no,
        })
    }
}

impl Member {
    /// The stored record as a draft, to lay a correction over and validate again. Needs
    /// the member read with the NIK revealed.
    pub(super) fn to_draft(&self) -> Option<jakpreneur_core::MemberDraft> {
        let p = self.personal.as_ref().filter(|p| p.nik_revealed)?;
        Some(jakpreneur_core::MemberDraft {
            nik: Some(p.nik.clone()),
            full_name: Some(p.full_name.clone()),
            birth_date: Some(p.birth_date.to_string()),
            sex: Some(self.sex.as_str().to_owned()),
            phone: Some(p.phone.clone()),
            email: p.email.clone(),
            address: Some(p.address.clone()),
            village_code: Some(self.village_code.clone()),
            business_name: Some(self.business_name.clone()),
            sector: Some(self.sector.clone()),
            channel: Some(self.channel.as_str().to_owned()),
            registered_on: Some(self.registered_on.to_string()),
            consent: Some(true),
        })
    }

    /// What the audit log records of this member: no personal value in the clear. The
    /// NIK is masked; other personal fields are keyed fingerprints, which show that a
    /// value changed without recording it.
    pub(super) fn audit_snapshot(&self, vault: &Vault) -> serde_json::Value {
        let fp = |field: &str, v: &str| vault.field_fingerprint(field, v);
        let personal = self.personal.as_ref().map(|p| {
            json!({
                "nik": mask(&p.nik),
                "full_name": fp("full_name", &p.full_name),
                "birth_date": fp("birth_date", &p.birth_date.to_string()),
                "phone": fp("phone", &p.phone),
                "email": p.email.as_deref().map(|e| fp("email", e)),
                "address": fp("address", &p.address),
            })
        });
        json!({
            "member_no": self.member_no,
            "personal": personal,
            "sex": self.sex.as_str(),
            "village_code": self.village_code,
            "business_name": self.business_name,
            "sector": self.sector,
            "channel": self.channel.as_str(),
            "registered_on": self.registered_on,
            "status": self.status.as_str(),
            "withdrawn_on": self.withdrawn_on,
            "withdrawal_reason": self.withdrawal_reason,
            "consent_version": self.consent_version,
            "erased_at": self.erased_at,
            "version": self.version,
        })
    }
}

/// The checks every member write makes on the row it loaded, in order: it exists (404),
/// it is in the actor's scope (403), it is not erased (409), it is at the expected
/// version (409).
pub(super) fn check_writable(
    row: Option<MemberRow>,
    actor: &Actor,
    member_no: &str,
    expected_version: Option<i64>,
) -> Result<MemberRow> {
    let row = row.ok_or(StoreError::NotFound)?;
    require_covers(actor, &row.village_code, member_no)?;
    if row.erased_at.is_some() {
        return Err(StoreError::Erased);
    }
    if let Some(v) = expected_version
        && v != row.version
    {
        return Err(StoreError::StaleVersion {
            current: row.version,
        });
    }
    Ok(row)
}

pub(super) fn row_snapshot(row: &MemberRow, vault: &Vault) -> Result<serde_json::Value> {
    Ok(row.clone().into_member(vault, true)?.audit_snapshot(vault))
}
