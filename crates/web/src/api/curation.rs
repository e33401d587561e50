//! Curation under `/api/v1/curation-calls`, `/api/v1/curation-submissions` and
//! `/api/v1/curation-queue`: calls, submissions and the chain (verify → validate →
//! forward → grade, `return` at any step, `resubmit` after a return).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jakpreneur_core::curation::{Action, CallDraft, Grading, NewCall, parse_note};
use jakpreneur_store::{Call, CurationQueue, Submission};

use crate::AppState;
use crate::auth::{SignedIn, SignedInJson};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::views::{CallList, CreateCall, CurationStepBody, NoParams, SubmitProduct};

/// Open a call for curation (city and province officers, within their region).
#[utoipa::path(
    post, path = "/api/v1/curation-calls", tag = "curation",
    request_body = CreateCall,
    responses(
        (status = 201, description = "Opened", body = Call),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Not allowed, or the region is outside the caller's", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn create_call(
    State(app): State<AppState>,
    SignedInJson(actor, b): SignedInJson<CreateCall>,
) -> ApiResult<Response> {
    let c = NewCall::parse(&CallDraft {
        title: b.title,
        opens_on: b.opens_on,
        closes_on: b.closes_on,
        categories: b.categories,
        region: b.region,
        places: b.places.flatten(),
        exclude_own_region_curators: b.exclude_own_region_curators,
    })?;
    let call = app.store.create_call(&actor, &c, app.clock.today()).await?;
    Ok((StatusCode::CREATED, axum::Json(call)).into_response())
}

/// Every call for curation, newest window first.
#[utoipa::path(
    get, path = "/api/v1/curation-calls", tag = "curation",
    responses(
        (status = 200, description = "Calls", body = CallList),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role takes no part in curation", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list_calls(
    State(app): State<AppState>,
    ApiQuery(_none): ApiQuery<NoParams>,
    SignedIn(actor): SignedIn,
) -> ApiResult<axum::Json<CallList>> {
    Ok(axum::Json(CallList {
        items: app.store.list_calls(&actor, app.clock.today()).await?,
    }))
}

/// Submit a product to a call: inside its window, in one of its categories, from a member
/// in its region, while places remain, with at least one photo.
#[utoipa::path(
    post, path = "/api/v1/curation-calls/{id}/submissions", tag = "curation",
    params(("id" = i64, Path)),
    request_body = SubmitProduct,
    responses(
        (status = 201, description = "Submitted", body = Submission),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Not allowed, or the product's member is outside the caller's region", body = ErrorBody),
        (status = 404, description = "No such call or product", body = ErrorBody),
        (status = 422, description = "`call_not_open`, `call_closed`, `call_full`, `category_not_in_call`, `member_outside_call_region`, `photo_required`, `already_submitted`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn submit(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    SignedInJson(actor, b): SignedInJson<SubmitProduct>,
) -> ApiResult<Response> {
    let product = b.product_id.ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "required",
            "product_id is required",
        )
        .with_field("product_id")
    })?;
    let s = app
        .store
        .submit_to_call(&actor, id, product, app.clock.today())
        .await?;
    Ok((StatusCode::CREATED, axum::Json(s)).into_response())
}

/// A submission with every step of its chain.
#[utoipa::path(
    get, path = "/api/v1/curation-submissions/{id}", tag = "curation",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The submission", body = Submission),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 404, description = "No such submission within the caller's reach", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn show_submission(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(_none): ApiQuery<NoParams>,
    SignedIn(actor): SignedIn,
) -> ApiResult<axum::Json<Submission>> {
    Ok(axum::Json(app.store.submission(&actor, id).await?))
}

/// Take a step of the chain: `verify` (the member's mentor; a district officer for a
/// member without one), `validate` (district officer), `forward` (city or province
/// officer), `grade` (a curator: `grade` A/B/C/fail, scores 1–5 for `taste`,
/// `packaging`, `hygiene`, `halal`, `photos`, and a `note`), `return` (whoever may take
/// the current step; `note` is the reason), `resubmit` (the member or its staff, after a
/// return). A pass issues the certificate and writes the member's P3 and P5 events.
#[utoipa::path(
    post, path = "/api/v1/curation-submissions/{id}/{action}", tag = "curation",
    params(("id" = i64, Path), ("action" = String, Path, description = "verify, validate, forward, grade, return or resubmit")),
    request_body = CurationStepBody,
    responses(
        (status = 200, description = "The submission after the step", body = Submission),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Not this actor's step, outside its region, or a conflict of interest", body = ErrorBody),
        (status = 404, description = "No such submission or action", body = ErrorBody),
        (status = 422, description = "`submission_state` (the step does not follow from where it stands), or a field", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn step(
    State(app): State<AppState>,
    ApiPath((id, action)): ApiPath<(i64, String)>,
    SignedInJson(actor, b): SignedInJson<CurationStepBody>,
) -> ApiResult<axum::Json<Submission>> {
    let action = Action::parse(&action).map_err(|_| ApiError::not_found())?;
    let grading = match action {
        Action::Grade => Some(Grading::parse(&b.grade_draft())?),
        _ => None,
    };
    let note = parse_note(b.note.as_deref(), action == Action::Return)?;
    let s = app
        .store
        .curation_step(
            &actor,
            id,
            action,
            &note,
            grading.as_ref(),
            app.clock.today(),
        )
        .await?;
    Ok(axum::Json(s))
}

/// What waits for the caller in the chain, oldest first.
#[utoipa::path(
    get, path = "/api/v1/curation-queue", tag = "curation",
    responses(
        (status = 200, description = "Submissions waiting for the caller", body = CurationQueue),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role takes no part in curation", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn queue(
    State(app): State<AppState>,
    ApiQuery(_none): ApiQuery<NoParams>,
    SignedIn(actor): SignedIn,
) -> ApiResult<axum::Json<CurationQueue>> {
    Ok(axum::Json(app.store.curation_queue(&actor).await?))
}
