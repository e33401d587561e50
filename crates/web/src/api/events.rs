//! `/api/v1/members/{member_no}/events`: the ledger of services a member received, and
//! `/facilities`: the stages it has reached.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use jakpreneur_core::member::parse_withdrawal_reason;
use jakpreneur_core::programme::{EventDraft, NewEvent};

use crate::AppState;
use crate::auth::{SignedIn, SignedInJson};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::views::{
    EventList, EventView, NoParams, ReachedList, ReachedView, RecordEvent, VoidEvent,
};

/// The `Idempotency-Key` header: 1–100 printable ASCII characters, if sent.
pub fn idempotency_key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    let Some(v) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    match v.to_str() {
        Ok(k)
            if (1..=100).contains(&k.trim().len())
                && k.trim().bytes().all(|b| b.is_ascii_graphic()) =>
        {
            Ok(Some(k.trim().to_owned()))
        }
        _ => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "idempotency_key_invalid",
            "Idempotency-Key must be 1 to 100 printable ASCII characters",
        )
        .with_field("Idempotency-Key")),
    }
}

/// Record a service a member received (facilities P2–P7).
#[utoipa::path(
    post, path = "/api/v1/members/{member_no}/events", tag = "ledger",
    params(
        ("member_no" = String, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "A retried request with the same key returns the event it created"),
    ),
    request_body = RecordEvent,
    responses(
        (status = 201, description = "Recorded", body = EventView),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not record services, or the member is outside its region", body = ErrorBody),
        (status = 404, description = "No such member", body = ErrorBody),
        (status = 409, description = "`member_erased`", body = ErrorBody),
        (status = 422, description = "A field is invalid; `facility_order` names the facility the rule in force needs first", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn record_event(
    State(app): State<AppState>,
    ApiPath(member_no): ApiPath<String>,
    headers: HeaderMap,
    SignedInJson(actor, body): SignedInJson<RecordEvent>,
) -> ApiResult<Response> {
    let key = idempotency_key(&headers)?;
    let draft = EventDraft::from(body);
    let e = NewEvent::parse(&draft, app.clock.today())?;
    let event = app
        .store
        .record_event(&actor, &member_no, &e, key.as_deref())
        .await?;
    Ok((StatusCode::CREATED, axum::Json(EventView::from(event))).into_response())
}

/// A member's services in date order; voided ones carry their void.
#[utoipa::path(
    get, path = "/api/v1/members/{member_no}/events", tag = "ledger",
    params(("member_no" = String, Path)),
    responses(
        (status = 200, description = "Every event of the member", body = EventList),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not read members", body = ErrorBody),
        (status = 404, description = "No such member in the caller's region", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list_events(
    State(app): State<AppState>,
    ApiPath(member_no): ApiPath<String>,
    ApiQuery(_none): ApiQuery<NoParams>,
    SignedIn(actor): SignedIn,
) -> ApiResult<axum::Json<EventList>> {
    let events = app.store.list_events(&actor, &member_no).await?;
    Ok(axum::Json(EventList {
        items: events.into_iter().map(EventView::from).collect(),
        next: None,
    }))
}

/// Void a recorded service, with a reason. The event stays in the ledger, struck out.
#[utoipa::path(
    post, path = "/api/v1/members/{member_no}/events/{id}/void", tag = "ledger",
    params(("member_no" = String, Path), ("id" = i64, Path)),
    request_body = VoidEvent,
    responses(
        (status = 200, description = "Voided", body = EventView),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Not allowed, or the member is outside the caller's region", body = ErrorBody),
        (status = 404, description = "No such member or event", body = ErrorBody),
        (status = 409, description = "`already_voided`", body = ErrorBody),
        (status = 422, description = "Reason missing, or the registration event (corrected on the member record)", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn void_event(
    State(app): State<AppState>,
    ApiPath((member_no, id)): ApiPath<(String, i64)>,
    SignedInJson(actor, body): SignedInJson<VoidEvent>,
) -> ApiResult<axum::Json<EventView>> {
    let reason = parse_withdrawal_reason(body.reason.as_deref())?;
    let event = app
        .store
        .void_event(&actor, &member_no, id, &reason, app.clock.today())
        .await?;
    Ok(axum::Json(EventView::from(event)))
}

/// Void a facility record as a whole, with a reason: `permit-{id}`, `market-{market event id}`,
/// `session-{id}`, `mentor-{assignment id}`, `enrolment-{class id}`, `report-{id}` or
/// `referral-{id}`. Every ledger event the record wrote is voided together; the record
/// then counts for nothing (a freed class seat, a size class recomputed, …).
#[utoipa::path(
    post, path = "/api/v1/members/{member_no}/records/{record}/void", tag = "ledger",
    params(("member_no" = String, Path), ("record" = String, Path, example = "permit-12")),
    request_body = VoidEvent,
    responses(
        (status = 204, description = "Voided"),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Not allowed, or the member is outside the caller's region", body = ErrorBody),
        (status = 404, description = "No such member, or no such record of the member", body = ErrorBody),
        (status = 409, description = "`already_voided`", body = ErrorBody),
        (status = 422, description = "Reason missing, or the record name malformed", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn void_record(
    State(app): State<AppState>,
    ApiPath((member_no, record)): ApiPath<(String, String)>,
    SignedInJson(actor, body): SignedInJson<VoidEvent>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let record = jakpreneur_store::RecordRef::parse("record", &record)?;
    let reason = parse_withdrawal_reason(body.reason.as_deref())?;
    app.store
        .void_record(&actor, &member_no, record, &reason, app.clock.today())
        .await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}

/// The facilities a member has reached, each with the date of its first qualifying event.
#[utoipa::path(
    get, path = "/api/v1/members/{member_no}/facilities", tag = "ledger",
    params(("member_no" = String, Path)),
    responses(
        (status = 200, description = "Facilities reached", body = ReachedList),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 404, description = "No such member in the caller's region", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list_facilities(
    State(app): State<AppState>,
    ApiPath(member_no): ApiPath<String>,
    ApiQuery(_none): ApiQuery<NoParams>,
    SignedIn(actor): SignedIn,
) -> ApiResult<axum::Json<ReachedList>> {
    let reached = app.store.member_reached(&actor, &member_no).await?;
    Ok(axum::Json(ReachedList {
        items: reached
            .into_iter()
            .map(|r| ReachedView {
                facility: r.stage,
                first_reached_on: r.first_reached_on,
                event_id: r.event_id,
            })
            .collect(),
        next: None,
    }))
}
