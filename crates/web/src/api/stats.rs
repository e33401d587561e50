//! Statistics under `/api/v1/stats` (staff) and `/api/v1/public/stats` (open data): the
//! facility release, the period report, the funnel, every stock indicator, and cohorts, for
//! the province or any region below it, broken down on request. Built by
//! `jakpreneur_reports` from the aggregates; every figure is defined in docs/indicators.md.

use axum::Json;
use axum::extract::State;
use jakpreneur_core::{Actor, Permission, RegionCode, ValidationErrors};
use jakpreneur_reports::{
    self as reports, Audience, CohortReport, Funnel, PeriodReport, Summary, Suppression, parse_day,
    parse_group_by, parse_period, parse_region,
};
use jakpreneur_store::{Breakdown, StoreError};
use serde_json::Value;

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::ApiQuery;
use crate::views::{CohortQuery, FacilityReleaseQuery, PeriodQuery};
use jakpreneur_core::programme::parse_programme;

type AsOfArgs = (chrono::NaiveDate, Option<RegionCode>, Option<Breakdown>);

/// The programme a statistics request names, checked against the stored definitions
/// (a programme loaded after the build is one too).
async fn programme_of(app: &AppState, raw: Option<&str>) -> ApiResult<String> {
    let codes = app.store.programme_codes().await?;
    let refs: Vec<&str> = codes.iter().map(String::as_str).collect();
    Ok(jakpreneur_core::programme::parse_programme_in(
        "programme",
        raw,
        &refs,
    )?)
}

/// Period and cohort reports are kept for Jakpreneur's members: another programme named
/// (known from the stored definitions, so one loaded from files too) is 422
/// `programme_report_unavailable`, an unknown one `programme_unknown`.
async fn jakpreneur_only(app: &AppState, raw: Option<&str>, report: &str) -> ApiResult<()> {
    let named = jakpreneur_core::text::given(raw).map(str::to_lowercase);
    if named
        .as_deref()
        .is_none_or(|p| p == jakpreneur_core::programme::JAKPRENEUR)
    {
        return Ok(());
    }
    let programme = programme_of(app, raw).await?;
    Err(jakpreneur_core::FieldError::new(
        "programme",
        "programme_report_unavailable",
        format!(
            "{programme} has the stage release (/api/v1/stats/facilities or /funnel), not {report}"
        ),
    )
    .into())
}

/// For a programme other than Jakpreneur, the facility release and the funnel are its
/// stage release: people who reached each stage as of the date (exact for staff of the
/// programme inside their region; counts below the threshold hidden for a district or
/// village otherwise). Its other reports are not kept: 422 naming the programme.
async fn other_programme(
    app: &AppState,
    actor: Option<&Actor>,
    q: &FacilityReleaseQuery,
    release: bool,
) -> ApiResult<Option<Json<Value>>> {
    // Jakpreneur, named or by default, needs no look at the stored definitions.
    let named = jakpreneur_core::text::given(q.programme.as_deref()).map(str::to_lowercase);
    if named
        .as_deref()
        .is_none_or(|p| p == jakpreneur_core::programme::JAKPRENEUR)
    {
        return Ok(None);
    }
    let programme = programme_of(app, q.programme.as_deref()).await?;
    if programme == jakpreneur_core::programme::JAKPRENEUR {
        return Ok(None);
    }
    if !release {
        return Err(jakpreneur_core::FieldError::new(
            "programme",
            "programme_report_unavailable",
            format!(
                "{programme} has the stage release (/api/v1/stats/facilities or /funnel){}",
                if programme == jakpreneur_core::enrolment::PELATIHAN_KERJA {
                    " and /api/v1/stats/placement"
                } else {
                    ""
                }
            ),
        )
        .into());
    }
    let (as_of, region, by) = as_of_args(app, q)?;
    if by.is_some() {
        return Err(jakpreneur_core::FieldError::new(
            "group_by",
            "group_by_not_supported",
            "a programme's stage release is not broken down",
        )
        .into());
    }
    let r = app
        .store
        .stage_release(&programme, as_of, region.as_ref())
        .await?;
    let exact =
        actor.is_some_and(|a| crate::api::enrolments::sees_exact_placement(a, region.as_ref()));
    let mut v = serde_json::to_value(r).unwrap_or_default();
    let small_area = region.as_ref().is_some_and(|x| {
        matches!(
            x.level(),
            jakpreneur_core::RegionLevel::District | jakpreneur_core::RegionLevel::Village
        )
    });
    if !exact && small_area {
        let min = app.security.shown_from();
        if let Some(stages) = v["stages"].as_array_mut() {
            for s in stages {
                if s["reached"].as_i64().is_some_and(|n| n < min) {
                    s["reached"] = Value::Null;
                }
            }
        }
        v["suppressed_below"] = Value::from(min);
    }
    Ok(Some(Json(v)))
}

fn as_of_args(app: &AppState, q: &FacilityReleaseQuery) -> ApiResult<AsOfArgs> {
    let mut errs = ValidationErrors::default();
    let as_of = parse_day(
        &mut errs,
        "as_of",
        q.as_of.as_deref(),
        Some(app.clock.today()),
    );
    let region = parse_region(&mut errs, q.region.as_deref());
    let by = parse_group_by(&mut errs, q.group_by.as_deref(), region.as_ref());
    match (as_of, errs.is_empty()) {
        (Some(d), true) => Ok((d, region, by)),
        _ => Err(errs.into()),
    }
}

type PeriodArgs = (
    (chrono::NaiveDate, chrono::NaiveDate),
    Option<RegionCode>,
    Option<Breakdown>,
);

fn period_args(q: &PeriodQuery) -> ApiResult<PeriodArgs> {
    let mut errs = ValidationErrors::default();
    let period = parse_period(&mut errs, q.from.as_deref(), q.to.as_deref());
    let region = parse_region(&mut errs, q.region.as_deref());
    let by = parse_group_by(&mut errs, q.group_by.as_deref(), region.as_ref());
    if let Some(p) = errs.take(parse_programme("programme", q.programme.as_deref()))
        && p != jakpreneur_core::programme::JAKPRENEUR
    {
        errs.push(jakpreneur_core::FieldError::new(
            "programme",
            "programme_report_unavailable",
            format!("{p} has the stage release (/api/v1/stats/facilities or /funnel), not a period report"),
        ));
    }
    match (period, errs.is_empty()) {
        (Some(p), true) => Ok((p, region, by)),
        _ => Err(errs.into()),
    }
}

fn no_group_by(q: &FacilityReleaseQuery) -> ApiResult<()> {
    match jakpreneur_core::text::given(q.group_by.as_deref()) {
        None => Ok(()),
        Some(_) => Err(jakpreneur_core::FieldError::new(
            "group_by",
            "group_by_not_supported",
            "this report is not broken down; use /api/v1/stats/facilities",
        )
        .into()),
    }
}

/// The facility release: members who reached each facility P1–P7 as of a date.
#[utoipa::path(
    get, path = "/api/v1/stats/facilities", tag = "statistics",
    params(FacilityReleaseQuery),
    responses(
        (status = 200, description = "Counts per facility; exact for administrators and officers inside their region, the published figures (small counts null) for other readers; for `programme` other than jakpreneur its stage release", body = crate::views::FacilitiesResponse),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not read statistics", body = ErrorBody),
        (status = 422, description = "A malformed date, unknown region or group", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn facilities(
    State(app): State<AppState>,
    ApiQuery(q): ApiQuery<FacilityReleaseQuery>,
    SignedIn(actor): SignedIn,
) -> ApiResult<Json<Value>> {
    if let Some(j) = other_programme(&app, Some(&actor), &q, true).await? {
        return Ok(j);
    }
    let (as_of, region, by) = as_of_args(&app, &q)?;
    if !exact_for(&actor, region.as_ref())? {
        return public_facilities(State(app), ApiQuery(q)).await;
    }
    let r = reports::facility_release(
        &app.store,
        Audience::Staff(&actor),
        as_of,
        region.as_ref(),
        by,
    )
    .await?;
    Ok(exact(r))
}

/// The period report: new registrants, members first reaching each facility, qualifying
/// events, permits issued and exhibition participations, dated from `from` to `to`
/// (both included).
#[utoipa::path(
    get, path = "/api/v1/stats/period", tag = "statistics",
    params(PeriodQuery),
    responses(
        (status = 200, description = "The period's figures; exact for administrators and officers inside their region, the published figures (small counts null) for other readers", body = PeriodReport),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not read statistics", body = ErrorBody),
        (status = 422, description = "A date missing or malformed, `to` before `from`, an unknown region or group", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn period(
    State(app): State<AppState>,
    ApiQuery(q): ApiQuery<PeriodQuery>,
    SignedIn(actor): SignedIn,
) -> ApiResult<Json<Value>> {
    jakpreneur_only(&app, q.programme.as_deref(), "a period report").await?;
    let (p, region, by) = period_args(&q)?;
    if !exact_for(&actor, region.as_ref())? {
        return public_period(State(app), ApiQuery(q)).await;
    }
    let r =
        reports::period_report(&app.store, Audience::Staff(&actor), p, region.as_ref(), by).await?;
    Ok(exact(r))
}

/// The funnel: members at each facility P1–P7 as of a date, with the share of
/// registrants (the headline) and the share of the previous stage (the gap) side by side.
#[utoipa::path(
    get, path = "/api/v1/stats/funnel", tag = "statistics",
    params(FacilityReleaseQuery),
    responses(
        (status = 200, description = "Stages in order; exact for administrators and officers inside their region, the published figures (small counts null) for other readers; for `programme` other than jakpreneur its stage release", body = crate::views::FunnelResponse),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not read statistics", body = ErrorBody),
        (status = 422, description = "A malformed date, unknown region or group", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn funnel(
    State(app): State<AppState>,
    ApiQuery(q): ApiQuery<FacilityReleaseQuery>,
    SignedIn(actor): SignedIn,
) -> ApiResult<Json<Value>> {
    if let Some(j) = other_programme(&app, Some(&actor), &q, true).await? {
        return Ok(j);
    }
    let (as_of, region, by) = as_of_args(&app, &q)?;
    if !exact_for(&actor, region.as_ref())? {
        return public_funnel(State(app), ApiQuery(q)).await;
    }
    let r = reports::facility_release(
        &app.store,
        Audience::Staff(&actor),
        as_of,
        region.as_ref(),
        by,
    )
    .await?;
    Ok(exact(Funnel::from(r)))
}

/// Every stock indicator as of a date: registered and active members, members at each
/// facility, members that reached at least k facilities, members that moved up a class.
#[utoipa::path(
    get, path = "/api/v1/stats/summary", tag = "statistics",
    params(FacilityReleaseQuery),
    responses(
        (status = 200, description = "The indicators; exact for administrators and officers inside their region, the published figures (small counts null) for other readers", body = Summary),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not read statistics", body = ErrorBody),
        (status = 422, description = "A malformed date or unknown region; group_by given", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn summary(
    State(app): State<AppState>,
    ApiQuery(q): ApiQuery<FacilityReleaseQuery>,
    SignedIn(actor): SignedIn,
) -> ApiResult<Json<Value>> {
    if let Some(j) = other_programme(&app, Some(&actor), &q, false).await? {
        return Ok(j);
    }
    no_group_by(&q)?;
    let (as_of, region, _) = as_of_args(&app, &q)?;
    if !exact_for(&actor, region.as_ref())? {
        return public_summary(State(app), ApiQuery(q)).await;
    }
    Ok(exact(
        reports::summary(&app.store, Audience::Staff(&actor), as_of, region.as_ref()).await?,
    ))
}

/// Cohorts by registration month: per facility P2–P7, the share of the month's
/// registrants that reached it within 3, 6, 12 and 24 months, and the median days.
#[utoipa::path(
    get, path = "/api/v1/stats/cohorts", tag = "statistics",
    params(CohortQuery),
    responses(
        (status = 200, description = "One entry per registration month", body = CohortReport),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not read statistics, or the region lies outside the caller's (exact cohorts are for administrators and officers inside their region; the public page /statistik/kohort has the published ones)", body = ErrorBody),
        (status = 422, description = "A malformed month, `to` before `from`, more than 120 months, or an unknown region", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn cohorts(
    State(app): State<AppState>,
    ApiQuery(q): ApiQuery<CohortQuery>,
    SignedIn(actor): SignedIn,
) -> ApiResult<Json<CohortReport>> {
    let today = app.clock.today();
    jakpreneur_only(&app, q.programme.as_deref(), "cohorts").await?;
    let (range, region) = reports::cohort_args(today, &q)?;
    Ok(Json(
        reports::cohort_report(&app.store, &actor, range, region.as_ref(), today).await?,
    ))
}

/// Whether `actor` reads `region`'s exact figures (staff inside their region) or the
/// published ones (every other reader of members); roles that read no member are refused.
fn exact_for(actor: &Actor, region: Option<&RegionCode>) -> ApiResult<bool> {
    if !actor.can(Permission::MemberRead) {
        return Err(StoreError::Forbidden("the role may not read statistics".into()).into());
    }
    Ok(actor.sees_exact_statistics(region))
}

/// A report with its exact figures, for staff inside their region.
fn exact<T: serde::Serialize>(report: T) -> Json<Value> {
    Json(serde_json::to_value(report).unwrap_or_default())
}

/// A report as open data: serialised, then small counts hidden (`suppress`).
fn open_data<T: serde::Serialize>(
    app: &AppState,
    report: T,
    region: Option<&RegionCode>,
    by: Option<Breakdown>,
) -> Json<Value> {
    let v = serde_json::to_value(report).unwrap_or_default();
    Json(suppress(v, region, by, app.security.shown_from()))
}

/// Counts below the threshold are hidden in the open data wherever they describe a
/// district, a village, or a part (group) of any area other than a city's or province's.
fn suppress(mut v: Value, region: Option<&RegionCode>, by: Option<Breakdown>, min: i64) -> Value {
    let Suppression {
        small_area,
        small_groups,
        ..
    } = Suppression::new(min, region, by);
    if let Value::Object(top) = &mut v {
        let may_hide = small_area || (by.is_some() && small_groups);
        top.insert(
            "suppressed_below".into(),
            if may_hide {
                Value::from(min)
            } else {
                Value::Null
            },
        );
        for (k, x) in top.iter_mut() {
            match k.as_str() {
                "groups" if small_groups => {
                    hide(x, min);
                    complement(x, by);
                }
                "groups" | "as_of" | "from" | "to" | "region" | "group_by" | "suppressed_below" => {
                }
                _ if small_area => hide(x, min),
                _ => {}
            }
        }
    }
    v
}

/// Complementary suppression over the groups (`reports::protect`): siblings are the
/// regions of one parent, or all groups of another breakdown. Every count (per facility,
/// per figure) is a family of its own; a funnel stage hidden this way loses its shares.
fn complement(groups: &mut Value, by: Option<Breakdown>) {
    let Value::Array(items) = groups else { return };
    let parent = |key: &str| match by {
        Some(Breakdown::Region(_)) => key.rsplit_once('.').map_or("", |(p, _)| p).to_owned(),
        _ => String::new(),
    };
    // Every numeric leaf of a group by its path (shares left out).
    fn leaves(v: &Value, path: String, out: &mut Vec<(String, Option<i64>)>) {
        match v {
            Value::Object(o) => {
                for (k, x) in o {
                    if !(k.starts_with("share_of") || k == "key" || k == "name") {
                        leaves(x, format!("{path}/{k}"), out);
                    }
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    leaves(x, format!("{path}/{i}"), out);
                }
            }
            Value::Number(n) => out.push((path, n.as_i64())),
            Value::Null => out.push((path, None)),
            _ => {}
        }
    }
    let mut cells: Vec<(usize, String, String, Option<i64>)> = Vec::new();
    for (i, g) in items.iter().enumerate() {
        let key = g.get("key").and_then(Value::as_str).unwrap_or_default();
        let mut out = Vec::new();
        leaves(g, String::new(), &mut out);
        for (path, n) in out {
            cells.push((i, path, parent(key), n));
        }
    }
    let mut paths: Vec<String> = cells.iter().map(|c| c.1.clone()).collect();
    paths.sort();
    paths.dedup();
    for path in paths {
        let idx: Vec<usize> = (0..cells.len()).filter(|&j| cells[j].1 == path).collect();
        let mut family: Vec<(String, Option<i64>)> = idx
            .iter()
            .map(|&j| (cells[j].2.clone(), cells[j].3))
            .collect();
        if reports::protect(&mut family) {
            for (&j, (_, n)) in idx.iter().zip(&family) {
                if n.is_none()
                    && cells[j].3.is_some()
                    && let Some(slot) = items[cells[j].0].pointer_mut(&path)
                {
                    *slot = Value::Null;
                }
            }
        }
    }
    // A stage hidden by the step above loses the shares that would reveal it.
    for g in items.iter_mut() {
        if let Some(Value::Array(stages)) = g.get_mut("stages") {
            let mut previous_hidden = false;
            for st in stages {
                let hidden = st.get("count").is_some_and(Value::is_null);
                if hidden {
                    st["share_of_registrants"] = Value::Null;
                }
                if hidden || previous_hidden {
                    st["share_of_previous"] = Value::Null;
                }
                previous_hidden = hidden;
            }
        }
    }
}

/// Replaces every count below `min` with `null`, and the shares that would reveal it.
fn hide(v: &mut Value, min: i64) {
    match v {
        Value::Array(items) => {
            let mut previous_hidden = false;
            for x in items {
                if let Value::Object(o) = x
                    && o.contains_key("share_of_previous")
                {
                    let hidden = o
                        .get("count")
                        .and_then(Value::as_i64)
                        .is_some_and(|n| n < min);
                    if hidden {
                        o.insert("count".into(), Value::Null);
                        o.insert("share_of_registrants".into(), Value::Null);
                    }
                    if hidden || previous_hidden {
                        o.insert("share_of_previous".into(), Value::Null);
                    }
                    previous_hidden = hidden;
                } else {
                    hide(x, min);
                }
            }
        }
        Value::Object(o) => {
            for (k, x) in o.iter_mut() {
                if !matches!(k.as_str(), "key" | "name") {
                    hide(x, min);
                }
            }
        }
        Value::Number(n) if n.as_i64().is_some_and(|n| n < min) => *v = Value::Null,
        _ => {}
    }
}

/// The facility release as open data: no login, no personal data. For a district or a
/// village, and for groups other than cities, a count below the suppression threshold
/// (default 5) is `null`; province and city totals are shown as they are.
#[utoipa::path(
    get, path = "/api/v1/public/stats/facilities", tag = "public",
    params(FacilityReleaseQuery),
    responses(
        (status = 200, description = "Counts per facility, small ones suppressed; for `programme` other than jakpreneur its stage release", body = crate::views::FacilitiesResponse),
        (status = 422, description = "A malformed date, unknown region or group", body = ErrorBody),
        (status = 429, description = "Too many requests from this address", body = ErrorBody),
    )
)]
pub async fn public_facilities(
    State(app): State<AppState>,
    ApiQuery(q): ApiQuery<FacilityReleaseQuery>,
) -> ApiResult<Json<Value>> {
    if let Some(j) = other_programme(&app, None, &q, true).await? {
        return Ok(j);
    }
    let (as_of, region, by) = as_of_args(&app, &q)?;
    let r =
        reports::facility_release(&app.store, Audience::Public, as_of, region.as_ref(), by).await?;
    Ok(open_data(&app, r, region.as_ref(), by))
}

/// The funnel as open data, small counts suppressed as for the facility release.
#[utoipa::path(
    get, path = "/api/v1/public/stats/funnel", tag = "public",
    params(FacilityReleaseQuery),
    responses(
        (status = 200, description = "Stages in order, small ones suppressed; for `programme` other than jakpreneur its stage release", body = crate::views::FunnelResponse),
        (status = 422, description = "A malformed date, unknown region or group", body = ErrorBody),
        (status = 429, description = "Too many requests from this address", body = ErrorBody),
    )
)]
pub async fn public_funnel(
    State(app): State<AppState>,
    ApiQuery(q): ApiQuery<FacilityReleaseQuery>,
) -> ApiResult<Json<Value>> {
    if let Some(j) = other_programme(&app, None, &q, true).await? {
        return Ok(j);
    }
    let (as_of, region, by) = as_of_args(&app, &q)?;
    let r =
        reports::facility_release(&app.store, Audience::Public, as_of, region.as_ref(), by).await?;
    let f: Funnel = r.into();
    Ok(open_data(&app, f, region.as_ref(), by))
}

/// The period report as open data, small counts suppressed as for the facility release.
#[utoipa::path(
    get, path = "/api/v1/public/stats/period", tag = "public",
    params(PeriodQuery),
    responses(
        (status = 200, description = "The period's figures, small ones suppressed", body = PeriodReport),
        (status = 422, description = "A date missing or malformed, `to` before `from`, an unknown region or group", body = ErrorBody),
        (status = 429, description = "Too many requests from this address", body = ErrorBody),
    )
)]
pub async fn public_period(
    State(app): State<AppState>,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> ApiResult<Json<Value>> {
    jakpreneur_only(&app, q.programme.as_deref(), "a period report").await?;
    let (p, region, by) = period_args(&q)?;
    let r = reports::period_report(&app.store, Audience::Public, p, region.as_ref(), by).await?;
    Ok(open_data(&app, r, region.as_ref(), by))
}

/// Every stock indicator as open data, small counts suppressed.
#[utoipa::path(
    get, path = "/api/v1/public/stats/summary", tag = "public",
    params(FacilityReleaseQuery),
    responses(
        (status = 200, description = "The indicators, small ones suppressed", body = Summary),
        (status = 422, description = "A malformed date or unknown region; group_by given", body = ErrorBody),
        (status = 429, description = "Too many requests from this address", body = ErrorBody),
    )
)]
pub async fn public_summary(
    State(app): State<AppState>,
    ApiQuery(q): ApiQuery<FacilityReleaseQuery>,
) -> ApiResult<Json<Value>> {
    if let Some(j) = other_programme(&app, None, &q, false).await? {
        return Ok(j);
    }
    no_group_by(&q)?;
    let (as_of, region, _) = as_of_args(&app, &q)?;
    let r = reports::summary(&app.store, Audience::Public, as_of, region.as_ref()).await?;
    Ok(open_data(&app, r, region.as_ref(), None))
}
