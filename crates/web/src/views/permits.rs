//! Facility P4: permit applications, decisions and the expiring list.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
