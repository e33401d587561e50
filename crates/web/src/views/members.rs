//! Members (facility P1): registration, correction, withdrawal, erasure, the list and its
//! filters, and the export.

use chrono::{DateTime, NaiveDate, Utc};
use jakpreneur_core::{MemberDraft, MemberPatch};
use jakpreneur_store::Member;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use super::audit::AuditEntryView;

/// A member registration. Every value is a string; `email`, `channel` (default `centre`)
/// and `registered_on` (default today, Asia/Jakarta) may be left out.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterMember {
    #[schema(example = "3171015503900001")]
    #[schema(required = true, nullable = false, pattern = "^[0-9]{16}$")]
    pub nik: Option<String>,
    #[schema(example = "Siti Aminah")]
    #[schema(required = true, nullable = false, min_length = 2, max_length = 100)]
    pub full_name: Option<String>,
    #[schema(example = "1990-03-15")]
    #[schema(required = true, nullable = false, format = Date)]
    pub birth_date: Option<String>,
    /// `F` or `M`; must agree with the NIK.
    #[schema(example = "F")]
    #[schema(required = true, nullable = false, pattern = "^[FMfm]$")]
    pub sex: Option<String>,
    #[schema(example = "0812-3456-7890")]
    #[schema(required = true, nullable = false)]
    pub phone: Option<String>,
    #[schema(nullable = false)]
    pub email: Option<String>,
    #[schema(example = "Jl. Kebon Sirih No. 1")]
    #[schema(required = true, nullable = false, min_length = 5, max_length = 300)]
    pub address: Option<String>,
    #[schema(example = "31.71.01.1001")]
    #[schema(
        required = true,
        nullable = false,
        pattern = "^[0-9]{2}[.][0-9]{2}[.][0-9]{2}[.][0-9]{4}$"
    )]
    pub village_code: Option<String>,
    #[schema(example = "Warung Bu Siti")]
    #[schema(required = true, nullable = false, min_length = 2, max_length = 120)]
    pub business_name: Option<String>,
    /// KBLI 2020 section letter A–U.
    #[schema(example = "I")]
    #[schema(required = true, nullable = false, pattern = "^[A-Ua-u]$")]
    pub sector: Option<String>,
    /// `centre` or `online`.
    #[schema(nullable = false)]
    pub channel: Option<String>,
    #[schema(nullable = false, format = Date)]
    pub registered_on: Option<String>,
    /// Must be `true`: the applicant agrees to the processing of their personal data
    /// (consent text version `2026-11-v1`, recorded with the time).
    #[schema(required = true, nullable = false)]
    pub consent: Option<bool>,
}

impl From<RegisterMember> for MemberDraft {
    fn from(r: RegisterMember) -> Self {
        MemberDraft {
            nik: r.nik,
            full_name: r.full_name,
            birth_date: r.birth_date,
            sex: r.sex,
            phone: r.phone,
            email: r.email,
            address: r.address,
            village_code: r.village_code,
            business_name: r.business_name,
            sector: r.sector,
            channel: r.channel,
            registered_on: r.registered_on,
            consent: r.consent,
        }
    }
}

/// Distinguishes an absent field (leave as is) from `null` (clear it).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// A correction: only the fields sent change. `"email": null` removes the e-mail.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMember {
    pub nik: Option<String>,
    pub full_name: Option<String>,
    pub birth_date: Option<String>,
    pub sex: Option<String>,
    pub phone: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    pub address: Option<String>,
    pub village_code: Option<String>,
    pub business_name: Option<String>,
    pub sector: Option<String>,
    pub channel: Option<String>,
    pub registered_on: Option<String>,
}

impl From<UpdateMember> for MemberPatch {
    fn from(u: UpdateMember) -> Self {
        MemberPatch {
            nik: u.nik,
            full_name: u.full_name,
            birth_date: u.birth_date,
            sex: u.sex,
            phone: u.phone,
            email: u.email,
            address: u.address,
            village_code: u.village_code,
            business_name: u.business_name,
            sector: u.sector,
            channel: u.channel,
            registered_on: u.registered_on,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawMember {
    /// Why the member leaves (3–500 characters).
    #[schema(required = true, nullable = false, min_length = 3, max_length = 500)]
    pub reason: Option<String>,
}

/// A member as the API shows it. The NIK is masked (`3171**********01`) unless it was
/// asked for with `reveal=nik` by a role that may see it. Personal fields are `null` once
/// the member is erased.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberView {
    pub id: i64,
    #[schema(example = "JP-3171-0000123")]
    pub member_no: String,
    pub nik: Option<String>,
    /// Whether `nik` is in the clear.
    pub nik_revealed: bool,
    pub full_name: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub sex: String,
    /// Normalised, `+62…`.
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    pub village_code: String,
    pub district_code: String,
    pub city_code: String,
    pub province_code: String,
    pub business_name: String,
    pub sector: String,
    pub channel: String,
    pub registered_on: NaiveDate,
    /// `active` or `withdrawn`.
    pub status: String,
    pub withdrawn_on: Option<NaiveDate>,
    pub withdrawal_reason: Option<String>,
    /// The consent text version agreed to at registration, and when.
    pub consent_version: Option<String>,
    pub consent_at: Option<DateTime<Utc>>,
    /// When the personal data was erased.
    pub erased_at: Option<DateTime<Utc>>,
    /// Send it back in `If-Match` to correct the record.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Member> for MemberView {
    fn from(m: Member) -> Self {
        let p = m.personal;
        Self {
            id: m.id,
            member_no: m.member_no,
            nik_revealed: p.as_ref().is_some_and(|p| p.nik_revealed),
            nik: p.as_ref().map(|p| p.nik.clone()),
            full_name: p.as_ref().map(|p| p.full_name.clone()),
            birth_date: p.as_ref().map(|p| p.birth_date),
            sex: m.sex.as_str().to_owned(),
            phone: p.as_ref().map(|p| p.phone.clone()),
            email: p.as_ref().and_then(|p| p.email.clone()),
            address: p.map(|p| p.address),
            village_code: m.village_code,
            district_code: m.district_code,
            city_code: m.city_code,
            province_code: m.province_code,
            business_name: m.business_name,
            sector: m.sector,
            channel: m.channel.as_str().to_owned(),
            registered_on: m.registered_on,
            status: m.status.as_str().to_owned(),
            withdrawn_on: m.withdrawn_on,
            withdrawal_reason: m.withdrawal_reason,
            consent_version: m.consent_version,
            consent_at: m.consent_at,
            erased_at: m.erased_at,
            version: m.version,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// `?reveal=nik` asks for the NIK in the clear (the view is audited).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RevealQuery {
    /// `nik` to see the NIK unmasked.
    #[param(pattern = "^nik$")]
    pub reveal: Option<String>,
}

impl RevealQuery {
    pub fn reveal(&self) -> Result<bool, crate::error::ApiError> {
        match self.reveal.as_deref().map(str::trim) {
            None | Some("") => Ok(false),
            Some("nik") => Ok(true),
            Some(_) => Err(crate::error::ApiError::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "reveal_invalid",
                "reveal must be nik",
            )
            .with_field("reveal")),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseMember {
    /// Why the data is erased, e.g. the member's request (3–500 characters).
    #[schema(required = true, nullable = false, min_length = 3, max_length = 500)]
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkedAccount {
    pub username: String,
    pub role: String,
    pub created_at: DateTime<Utc>,
}

/// Everything held about one member.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberExportView {
    pub member: MemberView,
    pub accounts: Vec<LinkedAccount>,
    pub history: Vec<AuditEntryView>,
}

impl From<jakpreneur_store::MemberExport> for MemberExportView {
    fn from(e: jakpreneur_store::MemberExport) -> Self {
        Self {
            member: e.member.into(),
            accounts: e
                .accounts
                .into_iter()
                .map(|(username, role, created_at)| LinkedAccount {
                    username,
                    role,
                    created_at,
                })
                .collect(),
            // The member learns who handled their record and when, not staff addresses.
            history: e
                .history
                .into_iter()
                .map(|h| AuditEntryView {
                    address: None,
                    ..h.into()
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberList {
    pub items: Vec<MemberView>,
    /// Pass as `after` to get the next page; `null` on the last page.
    pub next: Option<String>,
}

/// Filters for the member list; all optional.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MemberQuery {
    /// Region code at any level: `31`, `31.71`, `31.71.01` or `31.71.01.1001`.
    pub region: Option<String>,
    /// Registered on or after (YYYY-MM-DD).
    pub registered_from: Option<String>,
    /// Registered on or before (YYYY-MM-DD).
    pub registered_to: Option<String>,
    /// KBLI 2020 section letter.
    pub sector: Option<String>,
    /// `active` or `withdrawn`.
    #[param(pattern = "^(active|withdrawn)$")]
    pub status: Option<String>,
    /// Part of the full name or business name, any case.
    pub q: Option<String>,
    /// Page size, 1–500 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500)]
    pub limit: Option<String>,
    /// The `next` cursor of the previous page.
    #[param(value_type = Option<u64>, minimum = 1)]
    pub after: Option<String>,
    /// `newest` (default), `oldest`, or `business` (business name A–Z).
    #[param(pattern = "^(newest|oldest|business)$")]
    pub sort: Option<String>,
}
