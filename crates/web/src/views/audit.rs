//! The audit log and the calling account.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
pub struct AuditList {
    pub items: Vec<AuditEntryView>,
    pub next: Option<String>,
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
