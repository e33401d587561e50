//! Statistics under `/api/v1/stats`: the facility release as of a date and the period
//! report, for the province or any region below it. Counted from the daily aggregates;
//! every figure is defined in docs/indicators.md.

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use jakpreneur_core::access::region_contains;
use jakpreneur_core::reference::reference;
use jakpreneur_core::text::{given, parse_date};
use jakpreneur_core::{FieldError, RegionCode, RegionLevel, ValidationErrors};

use crate::AppState;
use crate::api::members::signed_in;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::ApiQuery;
use crate::security::Caller;
use crate::views::{
    FacilityRelease, FacilityReleaseQuery, Funnel, FunnelStage, PeriodQuery, PeriodReport,
    PublicFacilityRelease, RegionCounts,
};

fn region(errs: &mut ValidationErrors, raw: Option<&str>) -> Option<RegionCode> {
    given(raw).and_then(|r| errs.take(RegionCode::parse("region", r)))
}

fn date(
    errs: &mut ValidationErrors,
    field: &'static str,
    raw: Option<&str>,
    default: Option<NaiveDate>,
) -> Option<NaiveDate> {
    match given(raw) {
        Some(d) => errs.take(parse_date(field, d)),
        None if default.is_some() => default,
        None => {
            errs.push(FieldError::required(field));
            None
        }
    }
}

/// `group_by` is served by the facility release only.
fn no_group_by(q: &FacilityReleaseQuery) -> Result<(), FieldError> {
    match given(q.group_by.as_deref()) {
        None => Ok(()),
        Some(_) => Err(FieldError::new(
            "group_by",
            "group_by_not_supported",
            "group_by is served by /api/v1/stats/facilities only",
        )),
    }
}

/// The facility release: members who reached each facility P1–P7 as of a date.
#[utoipa::path(
    get, path = "/api/v1/stats/facilities", tag = "statistics",
    params(FacilityReleaseQuery),
    responses(
        (status = 200, description = "Counts per facility", body = FacilityRelease),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not read statistics", body = ErrorBody),
        (status = 422, description = "A malformed date or unknown region", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn facilities(
    State(app): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<FacilityReleaseQuery>,
) -> ApiResult<Json<FacilityRelease>> {
    let actor = signed_in(&caller)?;
    let mut errs = ValidationErrors::default();
    let as_of = date(
        &mut errs,
        "as_of",
        q.as_of.as_deref(),
        Some(app.clock.today()),
    );
    let region = region(&mut errs, q.region.as_deref());
    let (Some(as_of), true) = (as_of, errs.is_empty()) else {
        return Err(errs.into());
    };
    let group_by = match given(q.group_by.as_deref()) {
        None => None,
        Some(g) => {
            let own = region
                .as_ref()
                .map_or(RegionLevel::Province, RegionCode::level);
            match RegionLevel::parse("group_by", g) {
                Ok(l) if l > own => Some(l),
                Ok(_) => {
                    return Err(FieldError::new(
                        "group_by",
                        "group_by_level",
                        format!(
                            "group_by must be a level below the region's ({})",
                            own.as_str()
                        ),
                    )
                    .into());
                }
                Err(e) => return Err(e.into()),
            }
        }
    };
    let counts = app
        .store
        .facility_counts(actor, region.as_ref(), as_of)
        .await?;
    let groups = match group_by {
        None => None,
        Some(level) => {
            let mut found = app
                .store
                .facility_counts_by(actor, region.as_ref(), level, as_of)
                .await?;
            Some(
                reference()
                    .regions_at(level)
                    .filter(|r| {
                        region
                            .as_ref()
                            .is_none_or(|p| region_contains(p.as_str(), &r.code))
                    })
                    .map(|r| RegionCounts {
                        region: r.code.clone(),
                        name: r.name.clone(),
                        counts: found
                            .remove(&r.code)
                            .unwrap_or_else(jakpreneur_store::zeroes),
                    })
                    .collect(),
            )
        }
    };
    Ok(Json(FacilityRelease {
        as_of,
        region: region.map(|r| r.as_str().to_owned()),
        counts,
        groups,
    }))
}

/// The period report: new registrants, members first reaching each facility, and
/// qualifying events, dated from `from` to `to` (both included).
#[utoipa::path(
    get, path = "/api/v1/stats/period", tag = "statistics",
    params(PeriodQuery),
    responses(
        (status = 200, description = "The period's figures", body = PeriodReport),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not read statistics", body = ErrorBody),
        (status = 422, description = "A date missing or malformed, `to` before `from`, or an unknown region", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn period(
    State(app): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> ApiResult<Json<PeriodReport>> {
    let actor = signed_in(&caller)?;
    let mut errs = ValidationErrors::default();
    let from = date(&mut errs, "from", q.from.as_deref(), None);
    let to = date(&mut errs, "to", q.to.as_deref(), None);
    let region = region(&mut errs, q.region.as_deref());
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        errs.push(FieldError::new(
            "to",
            "date_range",
            "to must not be before from",
        ));
    }
    let (Some(from), Some(to), true) = (from, to, errs.is_empty()) else {
        return Err(errs.into());
    };
    let mut c = app
        .store
        .period_counts(actor, region.as_ref(), from, to)
        .await?;
    let new_registrants = c.first_reached.remove("P1").unwrap_or(0);
    c.events.remove("P1");
    Ok(Json(PeriodReport {
        from,
        to,
        region: region.map(|r| r.as_str().to_owned()),
        new_registrants,
        first_reached: c.first_reached,
        events: c.events,
    }))
}

/// The funnel: members at each facility P1–P7 as of a date, with the share of
/// registrants (the headline) and the share of the previous stage (the gap) side by side.
#[utoipa::path(
    get, path = "/api/v1/stats/funnel", tag = "statistics",
    params(FacilityReleaseQuery),
    responses(
        (status = 200, description = "Stages in order", body = Funnel),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not read statistics", body = ErrorBody),
        (status = 422, description = "A malformed date or unknown region", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn funnel(
    State(app): State<AppState>,
    caller: Caller,
    q: ApiQuery<FacilityReleaseQuery>,
) -> ApiResult<Json<Funnel>> {
    no_group_by(&q.0)?;
    let Json(release) = facilities(State(app), caller, q).await?;
    Ok(Json(funnel_of(release)))
}

/// Shares are fractions (0.25 is a quarter), `null` when the base is zero.
fn funnel_of(release: FacilityRelease) -> Funnel {
    Funnel {
        stages: jakpreneur_core::indicators::funnel(&release.counts)
            .into_iter()
            .map(|s| FunnelStage {
                facility: s.facility,
                count: s.count,
                share_of_registrants: s.share_of_registrants,
                share_of_previous: s.share_of_previous,
            })
            .collect(),
        as_of: release.as_of,
        region: release.region,
    }
}

/// The facility release as open data: no login, no personal data. For a district or a
/// village, a count below the suppression threshold (default 5) is `null`; province and
/// city totals are shown as they are.
#[utoipa::path(
    get, path = "/api/v1/public/stats/facilities", tag = "public",
    params(FacilityReleaseQuery),
    responses(
        (status = 200, description = "Counts per facility, small ones suppressed", body = PublicFacilityRelease),
        (status = 422, description = "A malformed date or unknown region", body = ErrorBody),
        (status = 429, description = "Too many requests from this address", body = ErrorBody),
    )
)]
pub async fn public_facilities(
    State(app): State<AppState>,
    ApiQuery(q): ApiQuery<FacilityReleaseQuery>,
) -> ApiResult<Json<PublicFacilityRelease>> {
    no_group_by(&q)?;
    let mut errs = ValidationErrors::default();
    let as_of = date(
        &mut errs,
        "as_of",
        q.as_of.as_deref(),
        Some(app.clock.today()),
    );
    let region = region(&mut errs, q.region.as_deref());
    let (Some(as_of), true) = (as_of, errs.is_empty()) else {
        return Err(errs.into());
    };
    let counts = app
        .store
        .public_facility_counts(region.as_ref(), as_of)
        .await?;
    let min = app.security.public_stats_min_count;
    let small_area = region.as_ref().is_some_and(|r| {
        matches!(
            r.level(),
            jakpreneur_core::RegionLevel::District | jakpreneur_core::RegionLevel::Village
        )
    });
    Ok(Json(PublicFacilityRelease {
        as_of,
        region: region.map(|r| r.as_str().to_owned()),
        suppressed_below: small_area.then_some(min),
        counts: counts
            .into_iter()
            .map(|(stage, n)| (stage, (!small_area || n >= min).then_some(n)))
            .collect(),
    }))
}
