//! The member registry: register (with a per-city member number), read, list with keyset
//! pages, correct under optimistic concurrency, withdraw, export and erase. Every function
//! takes the [`Actor`](jakpreneur_core::Actor): permissions are checked and the actor's
//! scope is part of the SQL. The NIK is stored encrypted with its keyed hash beside it;
//! every change is appended to the audit log in the same transaction.
//!
//! - [`row`]: the stored row, and what a reader, the audit log and the ledger see of it;
//! - [`insert`]: the INSERT of registrations, one or a batch, inside a transaction;
//! - [`group_commit`]: SQLite's registrations in batches, one task owning the writer;
//! - [`register`]: registration, one at a time or in bulk;
//! - [`queries`]: reads, lists, the export and the public check;
//! - [`lifecycle`]: correction, withdrawal and erasure.

use chrono::{DateTime, NaiveDate, Utc};
use jakpreneur_core::{Channel, RegionCode, Sex, Status};

pub(crate) mod group_commit;
mod insert;
pub(crate) use insert::ensure_member_no_sequences;
pub(crate) use register::register_in_tx;
mod lifecycle;
mod queries;
mod register;
pub(crate) mod row;

/// A member's personal data (UU 27/2022). Absent once the member is erased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Personal {
    /// Masked (`3171**********01`) unless `nik_revealed`.
    pub nik: String,
    pub nik_revealed: bool,
    pub full_name: String,
    pub birth_date: NaiveDate,
    pub phone: String,
    pub email: Option<String>,
    pub address: String,
}

/// A stored member, as the actor who asked may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: i64,
    pub member_no: String,
    pub personal: Option<Personal>,
    pub sex: Sex,
    pub province_code: String,
    pub city_code: String,
    pub district_code: String,
    pub village_code: String,
    pub business_name: String,
    pub sector: String,
    pub channel: Channel,
    pub registered_on: NaiveDate,
    pub status: Status,
    pub withdrawn_on: Option<NaiveDate>,
    pub withdrawal_reason: Option<String>,
    pub consent_version: Option<String>,
    pub consent_at: Option<DateTime<Utc>>,
    pub erased_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Which members a list shows. Every filter is optional.
#[derive(Debug, Clone, Default)]
pub struct MemberFilter {
    /// A region at any level; members whose business village lies in it.
    pub region: Option<RegionCode>,
    pub registered_from: Option<NaiveDate>,
    pub registered_to: Option<NaiveDate>,
    pub sector: Option<String>,
    pub status: Option<Status>,
    /// A member number, a phone number, or words each of which starts a word of the full
    /// name or business name (any case; `sant` finds "Santoso"; a single letter only itself).
    pub q: Option<String>,
    pub sort: MemberSort,
}

/// The order of a members list. Every order pages by the member's id as its cursor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MemberSort {
    /// Most recently recorded first.
    #[default]
    Newest,
    /// First recorded first.
    Oldest,
    /// By business name, A to Z (ties by id).
    Business,
}

impl MemberSort {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "newest" => Some(Self::Newest),
            "oldest" => Some(Self::Oldest),
            "business" => Some(Self::Business),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Newest => "newest",
            Self::Oldest => "oldest",
            Self::Business => "business",
        }
    }
}

/// A keyset page: most recently recorded first (by id); `after` is the last id of the
/// previous page.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub limit: u32,
    pub after: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct MemberPage {
    pub items: Vec<Member>,
    /// The cursor for the next page, if there is one.
    pub next: Option<i64>,
}

/// Everything held about one member, for the member's own download (UU 27/2022).
#[derive(Debug, Clone)]
pub struct MemberExport {
    pub member: Member,
    /// Accounts linked to the member: (username, role, created).
    pub accounts: Vec<(String, String, DateTime<Utc>)>,
    /// The audit trail of the record.
    pub history: Vec<crate::AuditEntry>,
}

/// What the public check shows: never personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicMember {
    pub member_no: String,
    pub business_name: String,
    pub district_code: String,
    pub status: Status,
    /// Facilities reached, `P1` (registration) first.
    pub facilities: Vec<String>,
}
