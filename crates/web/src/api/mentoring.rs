//! Facility P3 under `/api/v1/members/{member_no}/mentor`, `…/mentoring-sessions` and
//! `/api/v1/follow-ups`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jakpreneur_core::text::date_or_today;
use jakpreneur_core::{FieldError, ValidationErrors};

use crate::AppState;
use crate::auth::{SignedIn, SignedInJson};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::params::parse_session;
use crate::views::{
    AssignMentor, CompleteFollowUp, FollowUpList, FollowUpView, NoParams, RecordSession,
    SessionList, SessionView,
};

/// Assign a mentor (an account with the mentor role whose region covers the member).
#[utoipa::path(
    post, path = "/api/v1/members/{member_no}/mentor", tag = "mentoring",
    params(("member_no" = String, Path)),
    request_body = AssignMentor,
    responses(
        (status = 204, description = "Assigned; writes `mentoring_assigned`"),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Not allowed, or the member is outside the caller's region", body = ErrorBody),
        (status = 404, description = "No such member", body = ErrorBody),
        (status = 422, description = "Unknown mentor, mentor outside the member's region, or a date", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn assign(
    State(app): State<AppState>,
    ApiPath(member_no): ApiPath<String>,
    SignedInJson(actor, b): SignedInJson<AssignMentor>,
) -> ApiResult<Response> {
    let today = app.clock.today();
    let mut errs = ValidationErrors::default();
    let mentor = b.mentor.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if mentor.is_none() {
        errs.push(FieldError::required("mentor"));
    }
    let on = errs.take(date_or_today(
        "assigned_on",
        b.assigned_on.as_deref(),
        today,
    ));
    let (Some(mentor), Some(on), true) = (mentor, on, errs.is_empty()) else {
        return Err(errs.into());
    };
    app.store
        .assign_mentor(&actor, &member_no, mentor, on)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Record a mentoring session with its topics and follow-ups.
#[utoipa::path(
    post, path = "/api/v1/members/{member_no}/mentoring-sessions", tag = "mentoring",
    params(("member_no" = String, Path)),
    request_body = RecordSession,
    responses(
        (status = 201, description = "Recorded; writes `mentoring_session`, which reaches P3", body = SessionView),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Not allowed: outside the region, or a mentor not assigned to the member", body = ErrorBody),
        (status = 404, description = "No such member", body = ErrorBody),
        (status = 422, description = "A field is invalid, or `facility_order`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn record(
    State(app): State<AppState>,
    ApiPath(member_no): ApiPath<String>,
    SignedInJson(actor, b): SignedInJson<RecordSession>,
) -> ApiResult<Response> {
    let s = parse_session(&b, app.clock.today())?;
    let session = app.store.record_session(&actor, &member_no, &s).await?;
    Ok((StatusCode::CREATED, axum::Json(SessionView::from(session))).into_response())
}

/// A member's sessions (newest first) and follow-ups (by due date).
#[utoipa::path(
    get, path = "/api/v1/members/{member_no}/mentoring-sessions", tag = "mentoring",
    params(("member_no" = String, Path)),
    responses(
        (status = 200, description = "Sessions and follow-ups", body = SessionList),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 404, description = "No such member in the caller's region", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list(
    State(app): State<AppState>,
    ApiPath(member_no): ApiPath<String>,
    ApiQuery(_none): ApiQuery<NoParams>,
    SignedIn(actor): SignedIn,
) -> ApiResult<axum::Json<SessionList>> {
    let (sessions, follow_ups) = app.store.list_sessions(&actor, &member_no).await?;
    Ok(axum::Json(SessionList {
        items: sessions.into_iter().map(SessionView::from).collect(),
        follow_ups: follow_ups.into_iter().map(FollowUpView::from).collect(),
        next: None,
    }))
}

/// Mark a follow-up done (default today).
#[utoipa::path(
    post, path = "/api/v1/follow-ups/{id}/done", tag = "mentoring",
    params(("id" = i64, Path)),
    request_body = CompleteFollowUp,
    responses(
        (status = 200, description = "Done", body = FollowUpView),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Another mentor's follow-up", body = ErrorBody),
        (status = 404, description = "No such follow-up in the caller's region", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn done(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    SignedInJson(actor, b): SignedInJson<CompleteFollowUp>,
) -> ApiResult<axum::Json<FollowUpView>> {
    let today = app.clock.today();
    let on = date_or_today("done_on", b.done_on.as_deref(), today)?;
    let f = app.store.complete_follow_up(&actor, id, on).await?;
    Ok(axum::Json(FollowUpView::from(f)))
}

/// Open follow-ups past their due date: a mentor's own, otherwise those in the caller's region.
#[utoipa::path(
    get, path = "/api/v1/follow-ups/overdue", tag = "mentoring",
    responses(
        (status = 200, description = "Oldest first, at most 500", body = FollowUpList),
        (status = 401, description = "No API token", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn overdue(
    State(app): State<AppState>,
    ApiQuery(_none): ApiQuery<NoParams>,
    SignedIn(actor): SignedIn,
) -> ApiResult<axum::Json<FollowUpList>> {
    let items = app
        .store
        .overdue_follow_ups(&actor, app.clock.today())
        .await?;
    Ok(axum::Json(FollowUpList {
        items: items.into_iter().map(FollowUpView::from).collect(),
        next: None,
    }))
}
