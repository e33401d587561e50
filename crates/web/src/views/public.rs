//! The open endpoints: the membership check and the facility release.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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

impl From<jakpreneur_store::PublicMember> for PublicMemberView {
    fn from(m: jakpreneur_store::PublicMember) -> Self {
        Self {
            district: jakpreneur_core::reference::reference()
                .region(&m.district_code)
                .map_or_else(|| m.district_code.clone(), |r| r.name.clone()),
            member_no: m.member_no,
            business_name: m.business_name,
            district_code: m.district_code,
            status: m.status.as_str().to_owned(),
            facilities: m.facilities,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicMembership {
    pub q: String,
    /// How many members matched; at most 20 are listed.
    pub total: i64,
    pub items: Vec<PublicMemberView>,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PublicQuery {
    /// A member number (`JP-3171-0000123`) or at least 3 letters of a business name.
    pub q: Option<String>,
}

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
