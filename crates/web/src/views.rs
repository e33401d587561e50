//! JSON shapes the API sends and receives. Field names are fixed by DESIGN.md.

use chrono::{DateTime, NaiveDate, Utc};
use jakpreneur_core::{MemberDraft, MemberPatch};
use jakpreneur_store::Member;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

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

/// One audit entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryView {
    pub seq: i64,
    /// RFC 3339, UTC.
    pub at: String,
    pub actor: String,
    pub address: Option<String>,
    pub action: String,
    pub record_type: String,
    pub record_id: String,
    /// JSON text; personal values appear masked or as keyed fingerprints.
    pub before: Option<String>,
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl From<jakpreneur_store::AuditEntry> for AuditEntryView {
    fn from(e: jakpreneur_store::AuditEntry) -> Self {
        Self {
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            address: e.address,
            action: e.action,
            record_type: e.record_type,
            record_id: e.record_id,
            before: e.before,
            after: e.after,
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }
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
pub struct AuditList {
    pub items: Vec<AuditEntryView>,
    pub next: Option<String>,
}

/// What the public check shows of a member: never personal data.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicMemberView {
    pub member_no: String,
    pub business_name: String,
    pub district_code: String,
    pub district: String,
    pub status: String,
    /// Facilities reached (`P1` … `P7`).
    pub facilities: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicMembership {
    pub q: String,
    pub items: Vec<PublicMemberView>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PublicQuery {
    /// A member number (`JP-3171-0000123`) or at least 3 letters of a business name.
    pub q: Option<String>,
}

/// Who the token belongs to.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeView {
    pub username: String,
    pub role: String,
    pub permissions: Vec<String>,
    /// `all`, `region:<code>`, `member:<member_no>` or `none`.
    pub scope: String,
}

/// Filters for the audit log.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    pub action: Option<String>,
    /// From this date (YYYY-MM-DD, UTC), inclusive.
    pub from: Option<String>,
    /// To this date, inclusive.
    pub to: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500)]
    pub limit: Option<String>,
    /// The `next` cursor of the previous page.
    pub before: Option<String>,
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
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegionView {
    #[schema(example = "31.71.01")]
    pub code: String,
    /// `province`, `city`, `district` or `village`.
    pub level: String,
    pub name: String,
    pub parent_code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegionList {
    pub items: Vec<RegionView>,
    /// Reference lists are short and come whole: always `null`.
    pub next: Option<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RegionQuery {
    /// `province`, `city`, `district` or `village`.
    pub level: Option<String>,
    /// Only the children of this region code.
    pub parent: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SectorView {
    pub code: String,
    pub name_id: String,
    pub name_en: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SectorList {
    pub items: Vec<SectorView>,
    pub next: Option<String>,
}

/// An endpoint without query parameters: any given is refused, as elsewhere.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

/// A service to record. `kind` decides the facility; `facility` may be sent as a check.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordEvent {
    /// `P2`…`P7`; must agree with `kind`.
    #[schema(example = "P2")]
    pub facility: Option<String>,
    /// E.g. `training_completed`, `mentoring_session`, `permit_issued`, `bazaar`,
    /// `finance_training_completed`, `financing_disbursed`; every kind is listed in docs/ledger.md.
    #[schema(required = true, nullable = false, example = "training_completed")]
    pub kind: Option<String>,
    #[schema(required = true, nullable = false, format = Date, example = "2021-05-01")]
    pub occurred_on: Option<String>,
    /// The district (kecamatan) where it happened.
    #[schema(example = "31.71.01")]
    pub place_code: Option<String>,
    /// PPKUKM, PPAPP, KPKP, PAREKRAF, SOSIAL or NAKERTRANSGI; default the recorder's agency.
    pub agency: Option<String>,
    /// Certificate, permit or loan number.
    pub reference: Option<String>,
    pub note: Option<String>,
}

impl From<RecordEvent> for jakpreneur_core::programme::EventDraft {
    fn from(r: RecordEvent) -> Self {
        Self {
            facility: r.facility,
            kind: r.kind,
            occurred_on: r.occurred_on,
            place_code: r.place_code,
            agency: r.agency,
            reference: r.reference,
            note: r.note,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoidEvent {
    /// Why the event is void (3–500 characters).
    #[schema(required = true, nullable = false, min_length = 3, max_length = 500)]
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VoidView {
    pub void_event_id: i64,
    pub on: NaiveDate,
    pub by: String,
    pub reason: String,
}

/// One service in the ledger.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub id: i64,
    pub member_no: String,
    #[schema(example = "P2")]
    pub facility: String,
    pub kind: String,
    /// Whether it makes the member reach its facility.
    pub qualifying: bool,
    pub occurred_on: NaiveDate,
    pub place_code: Option<String>,
    pub agency: String,
    pub recorded_by: String,
    pub reference: Option<String>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Present when the event was voided; it then counts nowhere.
    pub voided: Option<VoidView>,
}

impl From<jakpreneur_store::Event> for EventView {
    fn from(e: jakpreneur_store::Event) -> Self {
        Self {
            id: e.id,
            member_no: e.member_no,
            facility: e.stage,
            kind: e.kind,
            qualifying: e.qualifying,
            occurred_on: e.occurred_on,
            place_code: e.place_code,
            agency: e.agency_code,
            recorded_by: e.recorded_by,
            reference: e.reference,
            note: e.note,
            created_at: e.created_at,
            voided: e.voided.map(|v| VoidView {
                void_event_id: v.void_event_id,
                on: v.on,
                by: v.by,
                reason: v.reason,
            }),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventList {
    pub items: Vec<EventView>,
    /// A member's events come whole: always `null`.
    pub next: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReachedView {
    pub facility: String,
    pub first_reached_on: NaiveDate,
    /// The qualifying event that reached it.
    pub event_id: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReachedList {
    pub items: Vec<ReachedView>,
    pub next: Option<String>,
}

/// A permit application (facility P4).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyPermit {
    /// nib, npwp, halal, pirt, hki, bpom, sni, tkdn or other.
    #[schema(required = true, nullable = false, example = "nib")]
    pub r#type: Option<String>,
    #[schema(required = true, nullable = false, format = Date)]
    pub applied_on: Option<String>,
    pub note: Option<String>,
}

/// A decision on an open application.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecidePermit {
    /// process, issue or reject.
    #[schema(required = true, nullable = false, example = "issue")]
    pub decision: Option<String>,
    /// For `issue`: the permit number (NIB 13 digits; NPWP 15, or 16 in the NIK form).
    pub number: Option<String>,
    #[schema(format = Date)]
    pub issued_on: Option<String>,
    #[schema(format = Date)]
    pub expires_on: Option<String>,
    /// For `reject`: why (3–500 characters).
    pub reason: Option<String>,
    /// For `reject`: default today.
    #[schema(format = Date)]
    pub rejected_on: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PermitView {
    pub id: i64,
    pub member_no: String,
    pub r#type: String,
    /// applied, in_process, issued or rejected.
    pub status: String,
    pub applied_on: NaiveDate,
    pub number: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    pub rejected_on: Option<NaiveDate>,
    pub rejection_reason: Option<String>,
    pub agency: String,
    pub version: i64,
    /// Why the permit record was voided, if it was (it then counts for nothing).
    pub void_reason: Option<String>,
}

impl From<jakpreneur_store::Permit> for PermitView {
    fn from(p: jakpreneur_store::Permit) -> Self {
        Self {
            id: p.id,
            member_no: p.member_no,
            r#type: p.permit_type,
            status: p.status,
            applied_on: p.applied_on,
            number: p.number,
            issued_on: p.issued_on,
            expires_on: p.expires_on,
            rejected_on: p.rejected_on,
            rejection_reason: p.rejection_reason,
            agency: p.agency_code,
            version: p.version,
            void_reason: p.void_reason,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PermitList {
    pub items: Vec<PermitView>,
    pub next: Option<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExpiringQuery {
    /// First expiry date to include (default today).
    pub from: Option<String>,
    /// Last expiry date to include (default 90 days from today).
    pub to: Option<String>,
}

/// A bazaar, exhibition or outlet to create.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMarketEvent {
    /// bazaar, exhibition or outlet.
    #[schema(required = true, nullable = false, example = "bazaar")]
    pub kind: Option<String>,
    #[schema(
        required = true,
        nullable = false,
        example = "Bazar Jakpreneur Balai Kota"
    )]
    pub name: Option<String>,
    /// local (default), national or international.
    pub level: Option<String>,
    /// The district where it is held, e.g. 31.71.01.
    pub place_code: Option<String>,
    #[schema(required = true, nullable = false, format = Date)]
    pub starts_on: Option<String>,
    /// Default: the same day.
    #[schema(format = Date)]
    pub ends_on: Option<String>,
    /// Also create this many monthly repeats (0–24), e.g. the three-day monthly bazaar.
    pub repeat_monthly: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MarketEventView {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub level: String,
    pub place_code: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub agency: String,
    /// All participants, whatever the caller's region.
    pub participants: i64,
}

impl From<jakpreneur_store::MarketEvent> for MarketEventView {
    fn from(m: jakpreneur_store::MarketEvent) -> Self {
        Self {
            id: m.id,
            kind: m.kind,
            name: m.name,
            level: m.level,
            place_code: m.place_code,
            starts_on: m.starts_on,
            ends_on: m.ends_on,
            agency: m.agency_code,
            participants: m.participants,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MarketEventList {
    pub items: Vec<MarketEventView>,
    pub next: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddParticipant {
    #[schema(required = true, nullable = false, example = "JP-3171-0000123")]
    pub member_no: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ParticipantView {
    pub member_no: String,
    pub business_name: String,
    pub village_code: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ParticipantList {
    pub items: Vec<ParticipantView>,
    pub next: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignMentor {
    /// The mentor's username.
    #[schema(required = true, nullable = false)]
    pub mentor: Option<String>,
    /// Default today.
    #[schema(format = Date)]
    pub assigned_on: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpInput {
    pub action: Option<String>,
    #[schema(format = Date)]
    pub due_on: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordSession {
    #[schema(required = true, nullable = false, format = Date)]
    pub held_on: Option<String>,
    /// Among permit, npwp, halal, product, marketing, finance, other.
    #[schema(required = true, nullable = false)]
    pub topics: Option<Vec<String>>,
    pub notes: Option<String>,
    pub follow_ups: Option<Vec<FollowUpInput>>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteFollowUp {
    #[schema(format = Date)]
    pub done_on: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    pub id: i64,
    pub member_no: String,
    pub mentor: Option<String>,
    pub held_on: NaiveDate,
    pub topics: Vec<String>,
    pub notes: Option<String>,
    /// Why the session was voided, if it was.
    pub void_reason: Option<String>,
}

impl From<jakpreneur_store::MentoringSession> for SessionView {
    fn from(s: jakpreneur_store::MentoringSession) -> Self {
        Self {
            id: s.id,
            member_no: s.member_no,
            mentor: s.mentor,
            held_on: s.held_on,
            topics: s
                .topics
                .split(',')
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
            notes: s.notes,
            void_reason: s.void_reason,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpView {
    pub id: i64,
    pub session_id: i64,
    pub member_no: String,
    pub mentor: Option<String>,
    pub action: String,
    pub due_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
}

impl From<jakpreneur_store::FollowUp> for FollowUpView {
    fn from(f: jakpreneur_store::FollowUp) -> Self {
        Self {
            id: f.id,
            session_id: f.session_id,
            member_no: f.member_no,
            mentor: f.mentor,
            action: f.action,
            due_on: f.due_on,
            done_on: f.done_on,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionList {
    pub items: Vec<SessionView>,
    pub follow_ups: Vec<FollowUpView>,
    pub next: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpList {
    pub items: Vec<FollowUpView>,
    pub next: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCourse {
    #[schema(
        required = true,
        nullable = false,
        example = "Pengemasan produk pangan"
    )]
    pub title: Option<String>,
    /// business, production, marketing, digital, finance, halal, packaging or other.
    #[schema(required = true, nullable = false, example = "packaging")]
    pub topic: Option<String>,
    #[schema(required = true, nullable = false, example = 16)]
    pub hours: Option<i64>,
    /// `P2` (training, the default) or `P6` (a finance class).
    #[schema(example = "P2")]
    pub facility: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CourseList {
    pub items: Vec<jakpreneur_store::Course>,
    pub next: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateClass {
    #[schema(required = true, nullable = false, format = Date)]
    pub starts_on: Option<String>,
    /// Default: the start date.
    #[schema(format = Date)]
    pub ends_on: Option<String>,
    /// Number of sessions (1–100, default 1).
    pub sessions: Option<i64>,
    /// The district where the class is held.
    #[schema(example = "31.71.01")]
    pub place_code: Option<String>,
    #[schema(required = true, nullable = false, example = 30)]
    pub capacity: Option<i64>,
    /// Username of an account with the trainer role; a trainer's own by default.
    pub trainer: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClassList {
    pub items: Vec<jakpreneur_store::Class>,
    pub next: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClassDetail {
    pub class: jakpreneur_store::Class,
    /// The enrolled members within the caller's region.
    pub roster: Vec<jakpreneur_store::RosterRow>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Enrol {
    #[schema(required = true, nullable = false, example = "JP-3171-0000001")]
    pub member_no: Option<String>,
    /// Default today, or the class's first day for a class entered after it began.
    #[schema(format = Date)]
    pub enrolled_on: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordAttendance {
    /// The session's number, 1 to the class's number of sessions.
    #[schema(required = true, nullable = false, example = 1)]
    pub session: Option<i64>,
    /// Within the class's dates, not in the future.
    #[schema(required = true, nullable = false, format = Date)]
    pub held_on: Option<String>,
    /// Member numbers of those present (each enrolled in the class).
    #[schema(required = true, nullable = false)]
    pub members: Option<Vec<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttendanceRecorded {
    /// Attendances newly recorded (those already on file are not counted again).
    pub added: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CompletionList {
    pub items: Vec<jakpreneur_store::Completion>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberClassList {
    pub items: Vec<jakpreneur_store::MemberClass>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FileReport {
    #[schema(required = true, nullable = false, example = "2026-10")]
    pub month: Option<String>,
    /// The month's sales, whole rupiah.
    #[schema(required = true, nullable = false, example = 45000000)]
    pub sales: Option<i64>,
    #[schema(required = true, nullable = false, example = 30000000)]
    pub costs: Option<i64>,
    #[schema(required = true, nullable = false, example = 3)]
    pub employees: Option<i64>,
    /// Business capital excluding land and buildings, whole rupiah.
    #[schema(required = true, nullable = false, example = 80000000)]
    pub assets: Option<i64>,
    /// Default today.
    #[schema(format = Date)]
    pub filed_on: Option<String>,
}

/// The class of one reported month.
#[derive(Debug, Serialize, ToSchema)]
pub struct MonthClassView {
    #[schema(example = "2026-10")]
    pub month: String,
    /// Sales of the reported months among the twelve ending here, scaled to a year.
    pub annual_sales: i64,
    pub size_class: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FinanceView {
    /// Every filing, newest month first; `superseded` ones were replaced by a later filing.
    pub items: Vec<jakpreneur_store::FinancialReport>,
    /// The current class and naik-kelas date, once a report is on file.
    pub size: Option<jakpreneur_store::MemberSize>,
    /// The class of each reported month, oldest first.
    pub months: Vec<MonthClassView>,
}

/// A target to record.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTarget {
    /// An indicator code of docs/indicators.md: `registered_members`, `active_members`,
    /// `moved_up_class`, `reached_p1`…`reached_p7`, `reached_at_least_2`…`_7` (as of the
    /// deadline); `new_registrants`, `first_reached_p2`…, `events_p2`…, `permits_issued`,
    /// `exhibition_participations`, `mentored_members` (from `from` to the deadline).
    #[schema(required = true, nullable = false, example = "registered_members")]
    pub indicator: Option<String>,
    #[schema(required = true, nullable = false, example = 200000)]
    pub value: Option<i64>,
    /// A region code (default the whole programme).
    pub region: Option<String>,
    /// An agency credited with the facility (e.g. `KPKP`).
    pub agency: Option<String>,
    /// A mentor's username, for `mentored_members`.
    pub mentor: Option<String>,
    /// First day counted, for a target over a period.
    #[schema(format = Date)]
    pub from: Option<String>,
    #[schema(required = true, nullable = false, format = Date, example = "2022-12-31")]
    pub deadline: Option<String>,
    #[schema(required = true, nullable = false, example = "RPJMD 2017–2022")]
    pub source: Option<String>,
}

impl From<CreateTarget> for jakpreneur_core::targets::TargetDraft {
    fn from(b: CreateTarget) -> Self {
        Self {
            indicator: b.indicator,
            value: b.value,
            region: b.region,
            agency: b.agency,
            mentor: b.mentor,
            from: b.from,
            deadline: b.deadline,
            source: b.source,
        }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePartner {
    /// 2–20 capital letters, digits or hyphens.
    #[schema(required = true, nullable = false, example = "BANKDKI")]
    pub code: Option<String>,
    #[schema(required = true, nullable = false, example = "Bank DKI")]
    pub name: Option<String>,
    /// bank, fintech, cooperative or government_fund.
    #[schema(required = true, nullable = false, example = "bank")]
    pub kind: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerList {
    pub items: Vec<jakpreneur_store::Partner>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Refer {
    #[schema(required = true, nullable = false, example = "BANKDKI")]
    pub partner: Option<String>,
    #[schema(required = true, nullable = false, example = "Modal kerja: bahan baku")]
    pub purpose: Option<String>,
    /// Whole rupiah.
    #[schema(required = true, nullable = false, example = 25000000)]
    pub amount_requested: Option<i64>,
    /// The member agreed that their data be sent to the partner. Must be `true`.
    #[schema(required = true, nullable = false)]
    pub consent: Option<bool>,
    /// Default today.
    #[schema(format = Date)]
    pub referred_on: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralList {
    pub items: Vec<jakpreneur_store::Referral>,
    pub next: Option<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReferralQuery {
    /// referred, approved, rejected or disbursed.
    pub status: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecideReferral {
    /// `approved` or `rejected`.
    #[schema(required = true, nullable = false, example = "approved")]
    pub decision: Option<String>,
    /// Required when approved; whole rupiah.
    pub amount_approved: Option<i64>,
    /// Required when rejected.
    pub reason: Option<String>,
    /// Default today.
    #[schema(format = Date)]
    pub decided_on: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Disburse {
    /// Whole rupiah, at most the approved amount.
    #[schema(required = true, nullable = false, example = 25000000)]
    pub amount: Option<i64>,
    /// The partner's loan or contract number.
    #[schema(required = true, nullable = false, example = "KUR-2026-000123")]
    pub loan_reference: Option<String>,
    /// Default today.
    #[schema(format = Date)]
    pub disbursed_on: Option<String>,
}

/// One indicator's definition.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorView {
    #[schema(example = "reached")]
    pub code: String,
    pub name_id: String,
    pub name_en: String,
    /// `as_of` (a stock on a date) or `period` (a flow over dates, both ends included).
    pub measure: String,
    /// Exists once per facility, coded `{code}_p1` … `{code}_p7`.
    pub per_facility: bool,
    pub definition: String,
    pub unit: String,
    /// The tables it is counted from.
    pub counts: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorList {
    pub items: Vec<IndicatorView>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FacilityReleaseQuery {
    /// The date counted up to, included (default today).
    pub as_of: Option<String>,
    /// A province, city, district or village code (default: the whole province).
    pub region: Option<String>,
    /// Also count each group: `city`, `district` or `village` (a level below the
    /// region's own), `agency` (a member counts once for each agency that served it),
    /// `sector` or `year` (of registration).
    pub group_by: Option<String>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// First day, included.
    pub from: Option<String>,
    /// Last day, included.
    pub to: Option<String>,
    /// A province, city, district or village code (default: the whole province).
    pub region: Option<String>,
    /// As for the facility release: `city`, `district`, `village`, `agency`, `sector`
    /// or `year`.
    pub group_by: Option<String>,
}

pub use jakpreneur_reports::CohortQuery;

/// The open facility release.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicFacilityRelease {
    pub as_of: NaiveDate,
    pub region: Option<String>,
    /// For a district or village: counts below this are `null`.
    pub suppressed_below: Option<i64>,
    /// `{"P1": n, …}`; `null` where suppressed.
    pub counts: std::collections::BTreeMap<String, Option<i64>>,
}
