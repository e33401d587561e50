//! Facility P4 under `/api/v1/members/{member_no}/permits`, and the permits about to expire.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jakpreneur_core::permit::{expiry_window, parse_application};

use crate::AppState;
use crate::auth::{SignedIn, SignedInJson};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::params::parse_decision;
use crate::views::{ApplyPermit, DecidePermit, ExpiringQuery, NoParams, PermitList, PermitView};

/// Record a permit application (P4).
#[utoipa::path(
    post, path = "/api/v1/members/{member_no}/permits", tag = "permits",
    params(("member_no" = String, Path)),
    request_body = ApplyPermit,
    responses(
        (status = 201, description = "Recorded, with its ledger event `permit_applied`", body = PermitView),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Not allowed, or the member is outside the caller's region", body = ErrorBody),
        (status = 404, description = "No such member", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn apply_permit(
    State(app): State<AppState>,
    ApiPath(member_no): ApiPath<String>,
    SignedInJson(actor, body): SignedInJson<ApplyPermit>,
) -> ApiResult<Response> {
    let (t, on, note) = parse_application(
        body.r#type.as_deref(),
        body.applied_on.as_deref(),
        body.note.as_deref(),
        app.clock.today(),
    )?;
    let p = app
        .store
        .apply_permit(&actor, &member_no, t, on, note)
        .await?;
    Ok((StatusCode::CREATED, axum::Json(PermitView::from(p))).into_response())
}

/// A member's permit applications, newest first.
#[utoipa::path(
    get, path = "/api/v1/members/{member_no}/permits", tag = "permits",
    params(("member_no" = String, Path)),
    responses(
        (status = 200, description = "The member's permits", body = PermitList),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 404, description = "No such member in the caller's region", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list_permits(
    State(app): State<AppState>,
    ApiPath(member_no): ApiPath<String>,
    ApiQuery(_none): ApiQuery<NoParams>,
    SignedIn(actor): SignedIn,
) -> ApiResult<axum::Json<PermitList>> {
    let items = app.store.list_permits(&actor, &member_no).await?;
    Ok(axum::Json(PermitList {
        items: items.into_iter().map(PermitView::from).collect(),
        next: None,
    }))
}

/// Decide an open application: `process`, `issue` (number checked for its type: NIB 13
/// digits, NPWP 15 or 16) or `reject` (with a reason).
#[utoipa::path(
    post, path = "/api/v1/members/{member_no}/permits/{id}/decision", tag = "permits",
    params(("member_no" = String, Path), ("id" = i64, Path)),
    request_body = DecidePermit,
    responses(
        (status = 200, description = "Decided; issuing writes `permit_issued`, which reaches P4", body = PermitView),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Not allowed, or the member is outside the caller's region", body = ErrorBody),
        (status = 404, description = "No such member or application", body = ErrorBody),
        (status = 409, description = "`permit_decided`: already issued or rejected", body = ErrorBody),
        (status = 422, description = "A field is invalid, or `facility_order`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn decide_permit(
    State(app): State<AppState>,
    ApiPath((member_no, id)): ApiPath<(String, i64)>,
    SignedInJson(actor, body): SignedInJson<DecidePermit>,
) -> ApiResult<axum::Json<PermitView>> {
    let decision = parse_decision(&body, app.clock.today())?;
    let p = app
        .store
        .decide_permit(&actor, &member_no, id, &decision)
        .await?;
    Ok(axum::Json(PermitView::from(p)))
}

/// Issued permits of members in the caller's region that expire in a window (default:
/// the next 90 days).
#[utoipa::path(
    get, path = "/api/v1/permits/expiring", tag = "permits",
    params(ExpiringQuery),
    responses(
        (status = 200, description = "Soonest first, at most 500", body = PermitList),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 422, description = "A date is invalid", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn expiring(
    State(app): State<AppState>,
    ApiQuery(q): ApiQuery<ExpiringQuery>,
    SignedIn(actor): SignedIn,
) -> ApiResult<axum::Json<PermitList>> {
    let (from, to) = expiry_window(q.from.as_deref(), q.to.as_deref(), app.clock.today())?;
    let items = app.store.expiring_permits(&actor, from, to).await?;
    Ok(axum::Json(PermitList {
        items: items.into_iter().map(PermitView::from).collect(),
        next: None,
    }))
}
