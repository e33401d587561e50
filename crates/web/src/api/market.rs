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
