//! Facility P7 under `/api/v1/financing-partners`, `/api/v1/members/{member_no}/referrals`
//! and `/api/v1/referrals`. A partner account sees and decides only its own referrals.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jakpreneur_core::FieldError;
use jakpreneur_store::{Decision, NewReferral, parse_disbursement, parse_partner};

use crate::AppState;
use crate::auth::{SignedIn, SignedInJson};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::views::{
    CreatePartner, DecideReferral, Disburse, NoParams, PartnerList, Refer, ReferralList,
    ReferralQuery,
};

/// Add a financing partner (administrators).
#[utoipa::path(
    post, path = "/api/v1/financing-partners", tag = "financing",
    request_body = CreatePartner,
    responses(
        (status = 201, description = "Created", body = jakpreneur_store::Partner),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Administrators only", body = ErrorBody),
        (status = 422, description = "A field is invalid, or the code is taken", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn create_partner(
    State(app): State<AppState>,
    SignedInJson(actor, b): SignedInJson<CreatePartner>,
) -> ApiResult<Response> {
    let p = parse_partner(b.code.as_deref(), b.name.as_deref(), b.kind.as_deref())?;
    let p = app.store.create_partner(&actor, &p).await?;
    Ok((StatusCode::CREATED, axum::Json(p)).into_response())
}

/// Every financing partner.
#[utoipa::path(
    get, path = "/api/v1/financing-partners", tag = "financing",
    responses(
        (status = 200, description = "Partners by name", body = PartnerList),
        (status = 401, description = "No API token", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list_partners(
    State(app): State<AppState>,
    ApiQuery(_none): ApiQuery<NoParams>,
    SignedIn(actor): SignedIn,
) -> ApiResult<axum::Json<PartnerList>> {
    Ok(axum::Json(PartnerList {
        items: app.store.list_partners(&actor).await?,
    }))
}

/// Refer a member to a financing partner, with the member's consent.
#[utoipa::path(
    post, path = "/api/v1/members/{member_no}/referrals", tag = "financing",
    params(("member_no" = String, Path)),
    request_body = Refer,
    responses(
        (status = 201, description = "Referred; writes `financing_referred`", body = jakpreneur_store::Referral),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Not allowed, or the member is outside the caller's region", body = ErrorBody),
        (status = 404, description = "No such member", body = ErrorBody),
        (status = 422, description = "`partner_consent_required`, unknown partner, a field, or `facility_order`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn refer(
    State(app): State<AppState>,
    ApiPath(member_no): ApiPath<String>,
    SignedInJson(actor, b): SignedInJson<Refer>,
) -> ApiResult<Response> {
    let r = NewReferral::parse(
        b.partner.as_deref(),
        b.purpose.as_deref(),
        b.amount_requested.map(|a| a.to_string()).as_deref(),
        b.consent == Some(true),
        b.referred_on.as_deref(),
        app.clock.today(),
    )?;
    let referral = app.store.refer(&actor, &member_no, &r).await?;
    Ok((StatusCode::CREATED, axum::Json(referral)).into_response())
}

/// A member's referrals, newest first.
#[utoipa::path(
    get, path = "/api/v1/members/{member_no}/referrals", tag = "financing",
    params(("member_no" = String, Path)),
    responses(
        (status = 200, description = "Referrals", body = ReferralList),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not read members", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn member_referrals(
    State(app): State<AppState>,
    ApiPath(member_no): ApiPath<String>,
    ApiQuery(_none): ApiQuery<NoParams>,
    SignedIn(actor): SignedIn,
) -> ApiResult<axum::Json<ReferralList>> {
    Ok(axum::Json(ReferralList {
        items: app.store.member_referrals(&actor, &member_no).await?,
        next: None,
    }))
}

/// Referrals the caller may see, newest first: a partner its own, staff those of members
/// in their region.
#[utoipa::path(
    get, path = "/api/v1/referrals", tag = "financing",
    params(ReferralQuery),
    responses(
        (status = 200, description = "At most 500", body = ReferralList),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not read referrals", body = ErrorBody),
        (status = 422, description = "Unknown status", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list(
    State(app): State<AppState>,
    ApiQuery(q): ApiQuery<ReferralQuery>,
    SignedIn(actor): SignedIn,
) -> ApiResult<axum::Json<ReferralList>> {
    let status = q.status.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if let Some(s) = status
        && !["referred", "approved", "rejected", "disbursed"].contains(&s)
    {
        return Err(FieldError::new(
            "status",
            "status_invalid",
            "status must be referred, approved, rejected or disbursed",
        )
        .into());
    }
    Ok(axum::Json(ReferralList {
        items: app.store.list_referrals(&actor, status).await?,
        next: None,
    }))
}

/// One referral.
#[utoipa::path(
    get, path = "/api/v1/referrals/{id}", tag = "financing",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The referral", body = jakpreneur_store::Referral),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 404, description = "No such referral that the caller may see", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn show(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(_none): ApiQuery<NoParams>,
    SignedIn(actor): SignedIn,
) -> ApiResult<axum::Json<jakpreneur_store::Referral>> {
    Ok(axum::Json(app.store.referral(&actor, id).await?))
}

/// The partner's decision: approved with an amount, or rejected with a reason.
#[utoipa::path(
    post, path = "/api/v1/referrals/{id}/decision", tag = "financing",
    params(("id" = i64, Path)),
    request_body = DecideReferral,
    responses(
        (status = 200, description = "Decided; writes `financing_approved` or `financing_rejected`", body = jakpreneur_store::Referral),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Only the partner (or an administrator) decides", body = ErrorBody),
        (status = 404, description = "No such referral sent to the caller's partner", body = ErrorBody),
        (status = 422, description = "A field is invalid, or `already_decided`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn decide(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    SignedInJson(actor, b): SignedInJson<DecideReferral>,
) -> ApiResult<axum::Json<jakpreneur_store::Referral>> {
    let (d, on) = Decision::parse(
        b.decision.as_deref(),
        b.amount_approved.map(|a| a.to_string()).as_deref(),
        b.reason.as_deref(),
        b.decided_on.as_deref(),
        app.clock.today(),
    )?;
    Ok(axum::Json(
        app.store.decide_referral(&actor, id, &d, on).await?,
    ))
}

/// Record the disbursement of an approved referral; reaches P7.
#[utoipa::path(
    post, path = "/api/v1/referrals/{id}/disbursement", tag = "financing",
    params(("id" = i64, Path)),
    request_body = Disburse,
    responses(
        (status = 200, description = "Disbursed; writes `financing_disbursed`, which reaches P7", body = jakpreneur_store::Referral),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Only the partner (or an administrator) records it", body = ErrorBody),
        (status = 404, description = "No such referral sent to the caller's partner", body = ErrorBody),
        (status = 422, description = "A field is invalid, `not_approved`, or `above_approved`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn disburse(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    SignedInJson(actor, b): SignedInJson<Disburse>,
) -> ApiResult<axum::Json<jakpreneur_store::Referral>> {
    let (amount, reference, on) = parse_disbursement(
        b.amount.map(|a| a.to_string()).as_deref(),
        b.loan_reference.as_deref(),
        b.disbursed_on.as_deref(),
        app.clock.today(),
    )?;
    Ok(axum::Json(
        app.store
            .disburse(&actor, id, amount, &reference, on)
            .await?,
    ))
}
