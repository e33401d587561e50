//! Facility P4 under `/api/v1/members/{member_no}/permits`, and the permits about to expire.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Days;
use jakpreneur_core::member::parse_withdrawal_reason;
use jakpreneur_core::permit::{PermitIssue, PermitType};
use jakpreneur_core::text::{parse_date, parse_reference};
use jakpreneur_core::{FieldError, ValidationErrors};
use jakpreneur_store::PermitDecision;

use crate::AppState;
use crate::api::members::signed_in;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::security::Caller;
use crate::views::{ApplyPermit, DecidePermit, ExpiringQuery, NoParams, PermitList, PermitView};

/// Parses an application: type, date (not in the future), optional note.
pub fn parse_application(
    b: &ApplyPermit,
    today: chrono::NaiveDate,
) -> Result<(PermitType, chrono::NaiveDate, Option<String>), ValidationErrors> {
    let mut errs = ValidationErrors::default();
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let t = match given(&b.r#type) {
        None => {
            errs.push(FieldError::required("type"));
            None
        }
        Some(t) => errs.take(PermitType::parse("type", &t)),
    };
    let applied_on = match given(&b.applied_on) {
        None => {
            errs.push(FieldError::required("applied_on"));
            None
        }
        Some(d) => errs.take(parse_date("applied_on", &d).and_then(|d| {
            if d > today {
                Err(FieldError::new(
                    "applied_on",
                    "date_in_future",
                    "applied_on is in the future",
                ))
            } else {
                Ok(d)
            }
        })),
    };
    let note = given(&b.note).and_then(|n| errs.take(parse_reference("note", &n, 1000)));
    match (t, applied_on, errs.is_empty()) {
        (Some(t), Some(d), true) => Ok((t, d, note)),
        _ => Err(errs),
    }
}

/// Parses a decision. The number is checked against the permit's type by the store, which
/// knows the type (and the caller's right to the member) before it reveals anything.
pub fn parse_decision(
    b: &DecidePermit,
    today: chrono::NaiveDate,
) -> Result<PermitDecision, ValidationErrors> {
    match b.decision.as_deref().map(str::trim) {
        Some("process") => Ok(PermitDecision::Process),
        Some("issue") => PermitIssue::parse(
            PermitType::Other,
            b.number.as_deref(),
            b.issued_on.as_deref(),
            b.expires_on.as_deref(),
            today,
        )
        .map(PermitDecision::Issue),
        Some("reject") => {
            let mut errs = ValidationErrors::default();
            let reason = errs.take(parse_withdrawal_reason(b.reason.as_deref()).map_err(
                |mut e| {
                    e.field = "reason";
                    e
                },
            ));
            let on = match b
                .rejected_on
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                None => Some(today),
                Some(d) => errs.take(parse_date("rejected_on", d).and_then(|d| {
                    if d > today {
                        Err(FieldError::new(
                            "rejected_on",
                            "date_in_future",
                            "rejected_on is in the future",
                        ))
                    } else {
                        Ok(d)
                    }
                })),
            };
            match (reason, on, errs.is_empty()) {
                (Some(reason), Some(on), true) => Ok(PermitDecision::Reject { reason, on }),
                _ => Err(errs),
            }
        }
        None => Err(FieldError::required("decision").into()),
        Some(_) => Err(FieldError::new(
            "decision",
            "decision_invalid",
            "decision must be process, issue or reject",
        )
        .into()),
    }
}

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
    caller: Caller,
    ApiPath(member_no): ApiPath<String>,
    ApiJson(body): ApiJson<ApplyPermit>,
) -> ApiResult<Response> {
    let actor = signed_in(&caller)?;
    let (t, on, note) = parse_application(&body, app.clock.today())?;
    let p = app
        .store
        .apply_permit(actor, &member_no, t, on, note)
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
    caller: Caller,
    ApiPath(member_no): ApiPath<String>,
    ApiQuery(_none): ApiQuery<NoParams>,
) -> ApiResult<axum::Json<PermitList>> {
    let actor = signed_in(&caller)?;
    let items = app.store.list_permits(actor, &member_no).await?;
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
    caller: Caller,
    ApiPath((member_no, id)): ApiPath<(String, i64)>,
    ApiJson(body): ApiJson<DecidePermit>,
) -> ApiResult<axum::Json<PermitView>> {
    let actor = signed_in(&caller)?;
    let decision = parse_decision(&body, app.clock.today())?;
    let p = app
        .store
        .decide_permit(actor, &member_no, id, &decision)
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
    caller: Caller,
    ApiQuery(q): ApiQuery<ExpiringQuery>,
) -> ApiResult<axum::Json<PermitList>> {
    let actor = signed_in(&caller)?;
    let (from, to) = parse_window(&q, app.clock.today())?;
    let items = app.store.expiring_permits(actor, from, to).await?;
    Ok(axum::Json(PermitList {
        items: items.into_iter().map(PermitView::from).collect(),
        next: None,
    }))
}

/// The expiry window: `from` (default today) to `to` (default 90 days later).
pub fn parse_window(
    q: &ExpiringQuery,
    today: chrono::NaiveDate,
) -> Result<(chrono::NaiveDate, chrono::NaiveDate), ValidationErrors> {
    let mut errs = ValidationErrors::default();
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let from = given(&q.from).map_or(Some(today), |d| errs.take(parse_date("from", &d)));
    let to = given(&q.to).map_or(today.checked_add_days(Days::new(90)), |d| {
        errs.take(parse_date("to", &d))
    });
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        errs.push(FieldError::new(
            "to",
            "date_range",
            "to must not be before from",
        ));
    }
    match (from, to, errs.is_empty()) {
        (Some(f), Some(t), true) => Ok((f, t)),
        _ => Err(errs),
    }
}
