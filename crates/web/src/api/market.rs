//! Facility P5 under `/api/v1/market-events`: bazaars, exhibitions, outlets and the
//! members taking part.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jakpreneur_store::NewMarketEvent;

use crate::AppState;
use crate::auth::{SignedIn, SignedInJson};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::views::{
    AddParticipant, CreateMarketEvent, MarketEventList, MarketEventView, NoParams, ParticipantList,
    ParticipantView,
};

/// Create a bazaar, exhibition or outlet (and its monthly repeats).
#[utoipa::path(
    post, path = "/api/v1/market-events", tag = "market",
    request_body = CreateMarketEvent,
    responses(
        (status = 201, description = "Created, in date order", body = MarketEventList),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not record services", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn create(
    State(app): State<AppState>,
    SignedInJson(actor, b): SignedInJson<CreateMarketEvent>,
) -> ApiResult<Response> {
    let m = NewMarketEvent::parse(
        b.kind.as_deref(),
        b.name.as_deref(),
        b.level.as_deref(),
        b.place_code.as_deref(),
        b.starts_on.as_deref(),
        b.ends_on.as_deref(),
        b.repeat_monthly.map(|n| n.to_string()).as_deref(),
    )?;
    let created = app.store.create_market_events(&actor, &m).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(MarketEventList {
            items: created.into_iter().map(MarketEventView::from).collect(),
            next: None,
        }),
    )
        .into_response())
}

/// Market events still running or to come, soonest first.
#[utoipa::path(
    get, path = "/api/v1/market-events", tag = "market",
    responses(
        (status = 200, description = "Up to 200 market events", body = MarketEventList),
        (status = 401, description = "No API token", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list(
    State(app): State<AppState>,
    ApiQuery(_none): ApiQuery<NoParams>,
    SignedIn(actor): SignedIn,
) -> ApiResult<axum::Json<MarketEventList>> {
    let items = app
        .store
        .list_market_events(&actor, app.clock.today())
        .await?;
    Ok(axum::Json(MarketEventList {
        items: items.into_iter().map(MarketEventView::from).collect(),
        next: None,
    }))
}

/// Add a member to a market event; writes the member's P5 ledger event.
#[utoipa::path(
    post, path = "/api/v1/market-events/{id}/participants", tag = "market",
    params(("id" = i64, Path)),
    request_body = AddParticipant,
    responses(
        (status = 200, description = "Added", body = MarketEventView),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Not allowed, or the member is outside the caller's region", body = ErrorBody),
        (status = 404, description = "No such market event or member", body = ErrorBody),
        (status = 422, description = "Already taking part, or against the order rule", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn add_participant(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    SignedInJson(actor, b): SignedInJson<AddParticipant>,
) -> ApiResult<axum::Json<MarketEventView>> {
    let no = b.member_no.as_deref().map(str::trim).unwrap_or_default();
    if no.is_empty() {
        return Err(jakpreneur_core::FieldError::required("member_no").into());
    }
    let m = app.store.add_market_participant(&actor, id, no).await?;
    Ok(axum::Json(MarketEventView::from(m)))
}

/// The participants the caller's region reaches.
#[utoipa::path(
    get, path = "/api/v1/market-events/{id}/participants", tag = "market",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "Participants in the caller's region", body = ParticipantList),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 404, description = "No such market event", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn participants(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(_none): ApiQuery<NoParams>,
    SignedIn(actor): SignedIn,
) -> ApiResult<axum::Json<ParticipantList>> {
    let items = app.store.market_participants(&actor, id).await?;
    Ok(axum::Json(ParticipantList {
        items: items
            .into_iter()
            .map(|(member_no, business_name, village_code)| ParticipantView {
                member_no,
                business_name,
                village_code,
            })
            .collect(),
        next: None,
    }))
}

/// A member applies for a booth (the member itself, or staff of its region).
#[utoipa::path(
    post, path = "/api/v1/market-events/{id}/applications", tag = "market",
    params(("id" = i64, Path)),
    request_body = crate::views::ApplyForBooth,
    responses(
        (status = 201, description = "Applied; the applications the caller may see", body = jakpreneur_store::Allocation),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Not allowed, or the member is outside the caller's region", body = ErrorBody),
        (status = 404, description = "No such market event or member", body = ErrorBody),
        (status = 422, description = "`already_applied`, `already_allocated`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn apply(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    SignedInJson(actor, b): SignedInJson<crate::views::ApplyForBooth>,
) -> ApiResult<Response> {
    let no = b.member_no.unwrap_or_default();
    if no.trim().is_empty() {
        return Err(jakpreneur_core::FieldError::required("member_no").into());
    }
    let a = app.store.apply_for_booth(&actor, id, no.trim()).await?;
    Ok((StatusCode::CREATED, axum::Json(a)).into_response())
}

/// Allocate the booths among the applicants with a published seed: grade first, then
/// fewer places in the last 12 months, then the draw (SHA-256 of `seed:member_no`).
/// Winners become participants (their P5 event). Once per market event.
#[utoipa::path(
    post, path = "/api/v1/market-events/{id}/allocation", tag = "market",
    params(("id" = i64, Path)),
    request_body = crate::views::AllocateBooths,
    responses(
        (status = 200, description = "Allocated: every applicant with its rank and reasons", body = jakpreneur_store::Allocation),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Not allowed", body = ErrorBody),
        (status = 404, description = "No such market event", body = ErrorBody),
        (status = 422, description = "`already_allocated`, or a field", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn allocate(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    SignedInJson(actor, b): SignedInJson<crate::views::AllocateBooths>,
) -> ApiResult<axum::Json<jakpreneur_store::Allocation>> {
    let mut errs = jakpreneur_core::ValidationErrors::default();
    let seed = errs.take(jakpreneur_store::parse_seed(b.seed.as_deref()));
    let booths = match b.booths {
        Some(n) if (1..=10_000).contains(&n) => Some(n),
        Some(_) => {
            errs.push(jakpreneur_core::FieldError::new(
                "booths",
                "out_of_range",
                "booths must be between 1 and 10000",
            ));
            None
        }
        None => {
            errs.push(jakpreneur_core::FieldError::required("booths"));
            None
        }
    };
    let (Some(seed), Some(booths)) = (seed, booths) else {
        return Err(errs.into());
    };
    Ok(axum::Json(
        app.store.allocate_booths(&actor, id, booths, &seed).await?,
    ))
}

/// The applications the caller's region reaches, in allocation order once allocated,
/// with the seed.
#[utoipa::path(
    get, path = "/api/v1/market-events/{id}/allocation", tag = "market",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The allocation", body = jakpreneur_store::Allocation),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not read members", body = ErrorBody),
        (status = 404, description = "No such market event", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn allocation(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(_none): ApiQuery<NoParams>,
    SignedIn(actor): SignedIn,
) -> ApiResult<axum::Json<jakpreneur_store::Allocation>> {
    Ok(axum::Json(app.store.allocation(&actor, id).await?))
}
