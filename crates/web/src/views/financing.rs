//! Facility P7: partners, referrals, decisions and disbursements.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
