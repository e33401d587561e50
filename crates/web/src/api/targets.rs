//! Targets under `/api/v1/targets`: the programme's promises as records, each with its
//! progress and the date it is reached at the pace of the last twelve months.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jakpreneur_core::targets::{NewTarget, TargetDraft};
use jakpreneur_reports::{self as reports, Audience, TargetReport, TargetView};

use crate::AppState;
use crate::auth::{SignedIn, SignedInJson};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::views::{CreateTarget, NoParams};

/// Every target in force, in deadline order, with its progress today.
#[utoipa::path(
    get, path = "/api/v1/targets", tag = "statistics",
    responses(
        (status = 200, description = "Targets with progress", body = TargetReport),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not read statistics", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list(
    State(app): State<AppState>,
    ApiQuery(_none): ApiQuery<NoParams>,
    SignedIn(actor): SignedIn,
) -> ApiResult<axum::Json<TargetReport>> {
    Ok(axum::Json(
        reports::target_report(&app.store, Audience::Staff(&actor), app.clock.today()).await?,
    ))
}

/// Record a target (administrators).
#[utoipa::path(
    post, path = "/api/v1/targets", tag = "statistics",
    request_body = CreateTarget,
    responses(
        (status = 201, description = "Recorded, with its progress", body = TargetView),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Administrators only", body = ErrorBody),
        (status = 422, description = "A field is invalid (every one is named in `details`)", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn create(
    State(app): State<AppState>,
    SignedInJson(actor, b): SignedInJson<CreateTarget>,
) -> ApiResult<Response> {
    let t = NewTarget::parse(&TargetDraft::from(b))?;
    let created = app.store.create_target(&actor, &t).await?;
    let today = app.clock.today();
    let view = reports::target_report(&app.store, Audience::Staff(&actor), today)
        .await?
        .items
        .into_iter()
        .find(|v| v.id == created.id)
        .ok_or_else(crate::error::ApiError::not_found)?;
    Ok((StatusCode::CREATED, axum::Json(view)).into_response())
}

/// Withdraw a target (administrators); the audit log keeps it.
#[utoipa::path(
    post, path = "/api/v1/targets/{id}/withdraw", tag = "statistics",
    params(("id" = i64, Path)),
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Administrators only", body = ErrorBody),
        (status = 404, description = "No such target in force", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn withdraw(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    SignedIn(actor): SignedIn,
) -> ApiResult<StatusCode> {
    app.store.withdraw_target(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
