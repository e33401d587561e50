//! Open contracting data under `/api/v1/ocds`: release packages over a date range and the
//! record of one contracting process, in OCDS 1.1, open to anyone (rate limited like the
//! other public endpoints). Mapping: `crate::ocds`.

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use chrono::SecondsFormat;
use jakpreneur_core::text::{given, parse_date, parse_int};
use jakpreneur_core::{FieldError, ValidationErrors};
use jakpreneur_store::{BuyerUnit, Order};
use serde::Deserialize;
use serde_json::Value;

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::ocds;

/// The period and page of a release package.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReleasesQuery {
    /// First day a step was taken, included (default: 30 days before `to`).
    pub from: Option<String>,
    /// Last day, included (default: today).
    pub to: Option<String>,
    /// Continue after this order id (the `links.next` of the previous page says it).
    pub after: Option<String>,
    /// Releases per page, 1–500 (default 100).
    pub limit: Option<String>,
}

/// The address a package names itself by.
fn base(headers: &HeaderMap) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

async fn units(app: &AppState, orders: &[Order]) -> ApiResult<HashMap<String, BuyerUnit>> {
    let mut out = HashMap::new();
    for o in orders {
        if !out.contains_key(&o.unit_code)
            && let Some(u) = app.store.unit(&o.unit_code).await?
        {
            out.insert(o.unit_code.clone(), u);
        }
    }
    Ok(out)
}

/// A release package: every e-order contracting process with a step taken in the
/// period, as it stands now, oldest order first; `links.next` continues it.
#[utoipa::path(
    get, path = "/api/v1/ocds/releases", tag = "public",
    params(ReleasesQuery),
    responses(
        (status = 200, description = "An OCDS 1.1 release package"),
        (status = 422, description = "A malformed date or number, `to` before `from`", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody),
    )
)]
pub async fn releases(
    State(app): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<ReleasesQuery>,
) -> ApiResult<Json<Value>> {
    let today = app.clock.today();
    let mut errs = ValidationErrors::default();
    let to = match given(q.to.as_deref()) {
        None => Some(today),
        Some(d) => errs.take(parse_date("to", d)),
    };
    let from = match given(q.from.as_deref()) {
        None => to.map(|t| t - chrono::Duration::days(30)),
        Some(d) => errs.take(parse_date("from", d)),
    };
    let after = match given(q.after.as_deref()) {
        None => Some(0),
        Some(a) => errs.take(parse_int("after", a, 0, i64::MAX)),
    };
    let limit = match given(q.limit.as_deref()) {
        None => Some(100),
        Some(l) => errs.take(parse_int("limit", l, 1, 500)),
    };
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        errs.push(FieldError::new(
            "to",
            "to_before_from",
            "to lies before from",
        ));
    }
    let (Some(from), Some(to), Some(after), Some(limit), true) =
        (from, to, after, limit, errs.is_empty())
    else {
        return Err(errs.into());
    };
    let orders = app
        .store
        .orders_for_publication(from, to, after, limit)
        .await?;
    let units = units(&app, &orders).await?;
    let base = base(&headers);
    let next = (orders.len() as i64 == limit).then(|| {
        let last = orders.last().map_or(after, |o| o.id);
        format!("{base}/api/v1/ocds/releases?from={from}&to={to}&after={last}&limit={limit}")
    });
    let releases: Vec<Value> = orders
        .iter()
        .map(|o| ocds::release(&app.ocid_prefix, o, units.get(&o.unit_code)))
        .collect();
    let uri =
        format!("{base}/api/v1/ocds/releases?from={from}&to={to}&after={after}&limit={limit}");
    let published = chrono::Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    Ok(Json(ocds::package(
        &uri, &published, "releases", releases, next,
    )))
}

/// The record of one contracting process: its release and the same compiled.
#[utoipa::path(
    get, path = "/api/v1/ocds/records/{ocid}", tag = "public",
    params(("ocid" = String, Path, description = "`<prefix>-eorder-<order id>`")),
    responses(
        (status = 200, description = "An OCDS 1.1 record package"),
        (status = 404, description = "No such contracting process", body = ErrorBody),
        (status = 429, description = "Too many requests", body = ErrorBody),
    )
)]
pub async fn record(
    State(app): State<AppState>,
    headers: HeaderMap,
    ApiPath(ocid): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    let id = ocds::order_id(&app.ocid_prefix, &ocid).ok_or_else(ApiError::not_found)?;
    let o = app.store.order_for_publication(id).await?;
    let unit = app.store.unit(&o.unit_code).await?;
    let base = base(&headers);
    let uri = format!("{base}/api/v1/ocds/records/{ocid}");
    let published = chrono::Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    let record = ocds::record(&app.ocid_prefix, &o, unit.as_ref());
    Ok(Json(ocds::package(
        &uri,
        &published,
        "records",
        vec![record],
        None,
    )))
}
