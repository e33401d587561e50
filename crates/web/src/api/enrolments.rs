//! Programmes beside Jakpreneur: `/api/v1/programmes/{code}/enrolments` (enrol, list),
//! `/api/v1/enrolments/{enrolment_no}` with its services, placements, withdrawal and
//! referral to Jakpreneur, and `/api/v1/stats/placement` (+ the open
//! `/api/v1/public/stats/placement`): job training's `placement_rate`.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use jakpreneur_core::access::region_contains;
use jakpreneur_core::enrolment::{
    EnrolmentDraft, NewEnrolment, NewPlacement, PELATIHAN_KERJA, PlacementDraft,
};
use jakpreneur_core::member::parse_withdrawal_reason;
use jakpreneur_core::programme::{EventDraft, NewEvent, parse_programme_in};
use jakpreneur_core::text::date_or_today;
use jakpreneur_core::{
    Actor, FieldError, Permission, RegionCode, RegionLevel, Scope, ValidationErrors,
};
use jakpreneur_reports::{parse_day, parse_region};
use jakpreneur_store::{EnrolmentFilter, JakpreneurReferral, PlacementReport, StoreError};

use super::events::idempotency_key;
use crate::AppState;
use crate::auth::{SignedIn, SignedInJson};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::views::{
    EnrolPerson, EnrolmentDetail, EnrolmentEventView, EnrolmentList, EnrolmentQuery, EnrolmentView,
    NoParams, PlacementQuery, PlacementView, RecordEvent, RecordPlacement, ReferToJakpreneur,
    ReferralView, VoidEvent, WithdrawEnrolment,
};

/// The programme in the path: one the installation holds, other than Jakpreneur (whose
/// members register under `/api/v1/members`).
async fn enrolling_programme(app: &AppState, raw: &str) -> ApiResult<String> {
    let codes = app.store.programme_codes().await?;
    let refs: Vec<&str> = codes.iter().map(String::as_str).collect();
    let code = parse_programme_in("programme", Some(raw), &refs)?;
    if code == jakpreneur_core::programme::JAKPRENEUR {
        return Err(FieldError::new(
            "programme",
            "programme_has_members",
            "Jakpreneur's members register at /api/v1/members",
        )
        .into());
    }
    Ok(code)
}

/// Enrol a person in a programme: their identity is found by NIK (a Jakpreneur member or
/// someone in another programme is the same person), the programme gives its own number.
#[utoipa::path(
    post, path = "/api/v1/programmes/{code}/enrolments", tag = "programmes",
    params(("code" = String, Path, example = "pelatihan_kerja")),
    request_body = EnrolPerson,
    responses(
        (status = 201, description = "Enrolled; writes `registered` at the first stage", body = EnrolmentView),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not enrol, or the village is outside its region", body = ErrorBody),
        (status = 409, description = "`already_enrolled`: the person is in the programme already", body = ErrorBody),
        (status = 422, description = "A field is invalid (each named), or an unknown programme", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn enrol(
    State(app): State<AppState>,
    ApiPath(code): ApiPath<String>,
    SignedInJson(actor, body): SignedInJson<EnrolPerson>,
) -> ApiResult<Response> {
    let programme = enrolling_programme(&app, &code).await?;
    let n = NewEnrolment::parse(&EnrolmentDraft::from(body), app.clock.today())?;
    let e = app.store.enrol_person(&actor, &programme, &n).await?;
    Ok((StatusCode::CREATED, Json(EnrolmentView::from(e))).into_response())
}

/// A programme's enrolments within the caller's region, newest first.
#[utoipa::path(
    get, path = "/api/v1/programmes/{code}/enrolments", tag = "programmes",
    params(("code" = String, Path, example = "pelatihan_kerja"), EnrolmentQuery),
    responses(
        (status = 200, description = "A page of enrolments", body = EnrolmentList),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not read enrolments", body = ErrorBody),
        (status = 422, description = "A malformed parameter, or an unknown programme", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list(
    State(app): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<EnrolmentQuery>,
    SignedIn(actor): SignedIn,
) -> ApiResult<Json<EnrolmentList>> {
    let programme = enrolling_programme(&app, &code).await?;
    let mut errs = ValidationErrors::default();
    let region = parse_region(&mut errs, q.region.as_deref());
    let number = |field: &'static str, raw: Option<&str>, default: i64, max: i64| {
        match jakpreneur_core::text::given(raw) {
            None => Ok(default),
            Some(s) => s
                .parse::<i64>()
                .ok()
                .filter(|n| (0..=max).contains(n))
                .ok_or_else(|| {
                    FieldError::new(
                        field,
                        "invalid_number",
                        format!("{field} must be a whole number from 0 to {max}"),
                    )
                }),
        }
    };
    let limit = errs.take(number("limit", q.limit.as_deref(), 50, 500));
    let offset = errs.take(number(
        "offset",
        q.offset.as_deref(),
        0,
        i64::from(i32::MAX),
    ));
    let (Some(limit), Some(offset), true) = (limit, offset, errs.is_empty()) else {
        return Err(errs.into());
    };
    let page = app
        .store
        .list_enrolments(
            &actor,
            &programme,
            &EnrolmentFilter {
                region,
                reached: jakpreneur_core::text::given(q.reached.as_deref())
                    .map(|s| s.to_uppercase()),
                q: jakpreneur_core::text::given(q.q.as_deref()).map(str::to_owned),
                limit: limit.max(1),
                offset,
            },
        )
        .await?;
    Ok(Json(EnrolmentList {
        items: page.items.into_iter().map(EnrolmentView::from).collect(),
        total: page.total,
    }))
}

async fn detail(app: &AppState, actor: &Actor, no: &str) -> ApiResult<EnrolmentDetail> {
    let enrolment = app.store.enrolment(actor, no).await?;
    let (events, stages) = app.store.enrolment_events(actor, no).await?;
    let placements = app.store.placements(actor, no).await?;
    Ok(EnrolmentDetail {
        enrolment: EnrolmentView::from(enrolment),
        stages: stages.into_iter().map(Into::into).collect(),
        events: events.into_iter().map(Into::into).collect(),
        placements: placements.into_iter().map(Into::into).collect(),
    })
}

/// An enrolment with its services, stages reached and placements.
#[utoipa::path(
    get, path = "/api/v1/enrolments/{enrolment_no}", tag = "programmes",
    params(("enrolment_no" = String, Path, example = "PK-3171-000001")),
    responses(
        (status = 200, description = "The enrolment", body = EnrolmentDetail),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not read enrolments", body = ErrorBody),
        (status = 404, description = "No such enrolment in the caller's region", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn show(
    State(app): State<AppState>,
    ApiPath(no): ApiPath<String>,
    ApiQuery(_none): ApiQuery<NoParams>,
    SignedIn(actor): SignedIn,
) -> ApiResult<Json<EnrolmentDetail>> {
    Ok(Json(detail(&app, &actor, &no).await?))
}

/// Record a service of the enrolment's programme (kinds in `GET /api/v1/programmes`),
/// checked against the programme's order rule.
#[utoipa::path(
    post, path = "/api/v1/enrolments/{enrolment_no}/events", tag = "programmes",
    params(
        ("enrolment_no" = String, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "A retried request with the same key returns the event it created"),
    ),
    request_body = RecordEvent,
    responses(
        (status = 201, description = "Recorded", body = EnrolmentEventView),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not record services", body = ErrorBody),
        (status = 404, description = "No such enrolment in the caller's region", body = ErrorBody),
        (status = 422, description = "A field is invalid; `facility_order` names the stage needed first", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn record_event(
    State(app): State<AppState>,
    ApiPath(no): ApiPath<String>,
    headers: HeaderMap,
    SignedInJson(actor, body): SignedInJson<RecordEvent>,
) -> ApiResult<Response> {
    let key = idempotency_key(&headers)?;
    let enrolment = app.store.enrolment(&actor, &no).await?;
    let defs = app.store.programme_definitions().await?;
    let e = NewEvent::parse_in(
        &defs,
        &enrolment.programme,
        &EventDraft::from(body),
        app.clock.today(),
    )?;
    let event = app
        .store
        .record_enrolment_event(&actor, &no, &e, key.as_deref())
        .await?;
    Ok((StatusCode::CREATED, Json(EnrolmentEventView::from(event))).into_response())
}

/// Void a service with a reason (a placement's is voided with the placement).
#[utoipa::path(
    post, path = "/api/v1/enrolments/{enrolment_no}/events/{id}/void", tag = "programmes",
    params(("enrolment_no" = String, Path), ("id" = i64, Path)),
    request_body = VoidEvent,
    responses(
        (status = 200, description = "Voided", body = EnrolmentEventView),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not record services", body = ErrorBody),
        (status = 404, description = "No such enrolment or event", body = ErrorBody),
        (status = 409, description = "`already_voided`", body = ErrorBody),
        (status = 422, description = "Reason missing; the registration; a placement's event", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn void_event(
    State(app): State<AppState>,
    ApiPath((no, id)): ApiPath<(String, i64)>,
    SignedInJson(actor, body): SignedInJson<VoidEvent>,
) -> ApiResult<Json<EnrolmentEventView>> {
    let reason = parse_withdrawal_reason(body.reason.as_deref())?;
    let e = app
        .store
        .void_enrolment_event(&actor, &no, id, &reason, app.clock.today())
        .await?;
    Ok(Json(EnrolmentEventView::from(e)))
}

/// Record where a trainee went after training: hired (naming the employer),
/// self-employed, or not placed. Needs certification first.
#[utoipa::path(
    post, path = "/api/v1/enrolments/{enrolment_no}/placements", tag = "programmes",
    params(("enrolment_no" = String, Path)),
    request_body = RecordPlacement,
    responses(
        (status = 201, description = "Recorded; writes its `K4` service", body = PlacementView),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not record services", body = ErrorBody),
        (status = 404, description = "No such enrolment in the caller's region", body = ErrorBody),
        (status = 422, description = "A field is invalid, `facility_order`, or not a job-training enrolment", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn place(
    State(app): State<AppState>,
    ApiPath(no): ApiPath<String>,
    SignedInJson(actor, body): SignedInJson<RecordPlacement>,
) -> ApiResult<Response> {
    let p = NewPlacement::parse(&PlacementDraft::from(body), app.clock.today())?;
    let placement = app.store.record_placement(&actor, &no, &p).await?;
    Ok((StatusCode::CREATED, Json(PlacementView::from(placement))).into_response())
}

/// Void a placement whole, with a reason.
#[utoipa::path(
    post, path = "/api/v1/enrolments/{enrolment_no}/placements/{id}/void", tag = "programmes",
    params(("enrolment_no" = String, Path), ("id" = i64, Path)),
    request_body = VoidEvent,
    responses(
        (status = 200, description = "Voided", body = PlacementView),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not record services", body = ErrorBody),
        (status = 404, description = "No such enrolment or placement", body = ErrorBody),
        (status = 409, description = "`already_voided`", body = ErrorBody),
        (status = 422, description = "Reason missing", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn void_placement(
    State(app): State<AppState>,
    ApiPath((no, id)): ApiPath<(String, i64)>,
    SignedInJson(actor, body): SignedInJson<VoidEvent>,
) -> ApiResult<Json<PlacementView>> {
    let reason = parse_withdrawal_reason(body.reason.as_deref())?;
    let p = app
        .store
        .void_placement(&actor, &no, id, &reason, app.clock.today())
        .await?;
    Ok(Json(PlacementView::from(p)))
}

/// Erase the trainee's personal data (NIK, name, birth date, phone, address) on request.
/// The enrolment numbers, residence, services and placements stay, so no published figure
/// changes; each of the person's enrolments ends withdrawn.
#[utoipa::path(
    post, path = "/api/v1/enrolments/{enrolment_no}/erase", tag = "programmes",
    params(("enrolment_no" = String, Path)),
    request_body = crate::views::EraseMember,
    responses(
        (status = 200, description = "Erased", body = EnrolmentView),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Only an administrator may erase", body = ErrorBody),
        (status = 404, description = "No such enrolment", body = ErrorBody),
        (status = 422, description = "Reason missing or invalid, or `already_erased`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn erase(
    State(app): State<AppState>,
    ApiPath(no): ApiPath<String>,
    SignedInJson(actor, body): SignedInJson<crate::views::EraseMember>,
) -> ApiResult<Json<EnrolmentView>> {
    let reason = parse_withdrawal_reason(body.reason.as_deref())?;
    let e = app
        .store
        .erase_trainee(&actor, &no, &reason, app.clock.today())
        .await?;
    Ok(Json(EnrolmentView::from(e)))
}

/// Withdraw the enrolment from its programme (the person's other programmes stay).
#[utoipa::path(
    post, path = "/api/v1/enrolments/{enrolment_no}/withdraw", tag = "programmes",
    params(("enrolment_no" = String, Path)),
    request_body = WithdrawEnrolment,
    responses(
        (status = 200, description = "Withdrawn", body = EnrolmentView),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not withdraw enrolments", body = ErrorBody),
        (status = 404, description = "No such enrolment in the caller's region", body = ErrorBody),
        (status = 409, description = "`already_withdrawn`", body = ErrorBody),
        (status = 422, description = "Reason missing, a date before the enrolment or before a recorded service", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn withdraw(
    State(app): State<AppState>,
    ApiPath(no): ApiPath<String>,
    SignedInJson(actor, body): SignedInJson<WithdrawEnrolment>,
) -> ApiResult<Json<EnrolmentView>> {
    let mut errs = ValidationErrors::default();
    let reason = errs.take(parse_withdrawal_reason(body.reason.as_deref()));
    let today = app.clock.today();
    let on = errs.take(
        date_or_today("withdrawn_on", body.withdrawn_on.as_deref(), today).and_then(|d| {
            if d > today {
                Err(FieldError::new(
                    "withdrawn_on",
                    "date_in_future",
                    format!("withdrawn_on {d} is in the future"),
                ))
            } else {
                Ok(d)
            }
        }),
    );
    let (Some(reason), Some(on), true) = (reason, on, errs.is_empty()) else {
        return Err(errs.into());
    };
    let e = app
        .store
        .withdraw_enrolment(&actor, &no, on, &reason)
        .await?;
    Ok(Json(EnrolmentView::from(e)))
}

/// Refer the trainee to Jakpreneur in one step: registers them as a member (P1) from the
/// enrolment and the business given, and records the referral in both programmes.
#[utoipa::path(
    post, path = "/api/v1/enrolments/{enrolment_no}/referral", tag = "programmes",
    params(("enrolment_no" = String, Path)),
    request_body = ReferToJakpreneur,
    responses(
        (status = 201, description = "Referred: the new member number", body = ReferralView),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not refer", body = ErrorBody),
        (status = 404, description = "No such enrolment in the caller's region", body = ErrorBody),
        (status = 422, description = "`already_referred`, `already_member`, `facility_order`, or a member field (each named)", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn refer(
    State(app): State<AppState>,
    ApiPath(no): ApiPath<String>,
    SignedInJson(actor, body): SignedInJson<ReferToJakpreneur>,
) -> ApiResult<Response> {
    let member_no = app
        .store
        .refer_to_jakpreneur(
            &actor,
            &no,
            &JakpreneurReferral {
                business_name: body.business_name,
                sector: body.sector,
                phone: body.phone,
            },
            app.clock.today(),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(ReferralView {
            enrolment_no: no,
            member_no,
        }),
    )
        .into_response())
}

type PlacementArgs = (
    chrono::NaiveDate,
    Option<chrono::NaiveDate>,
    Option<RegionCode>,
    Option<String>,
);

fn placement_args(app: &AppState, q: &PlacementQuery) -> ApiResult<PlacementArgs> {
    let mut errs = ValidationErrors::default();
    let today = app.clock.today();
    let as_of = parse_day(&mut errs, "as_of", q.as_of.as_deref(), Some(today));
    let from = jakpreneur_core::text::given(q.from.as_deref())
        .and_then(|_| parse_day(&mut errs, "from", q.from.as_deref(), None));
    let region = parse_region(&mut errs, q.region.as_deref());
    let agency = jakpreneur_core::text::given(q.agency.as_deref()).and_then(|a| {
        let code = a.to_uppercase();
        if jakpreneur_core::programme::programmes()
            .agency(&code)
            .is_some()
        {
            Some(code)
        } else {
            errs.push(FieldError::new(
                "agency",
                "agency_unknown",
                format!("agency {a:?} is not one of the agencies"),
            ));
            None
        }
    });
    if let Some(p) = jakpreneur_core::text::given(q.programme.as_deref())
        && p.to_lowercase() != PELATIHAN_KERJA
    {
        errs.push(FieldError::new(
            "programme",
            "programme_without_placement",
            format!("placement_rate is an indicator of {PELATIHAN_KERJA} only"),
        ));
    }
    if let (Some(f), Some(a)) = (from, as_of)
        && f > a
    {
        errs.push(FieldError::new(
            "from",
            "period_reversed",
            "from is after as_of",
        ));
    }
    match (as_of, errs.is_empty()) {
        (Some(a), true) => Ok((a, from, region, agency)),
        _ => Err(errs.into()),
    }
}

/// Job training's `placement_rate` (docs/indicators.md): trainees who completed skills
/// training by `as_of`, and those placed in work within six months of completing. Exact
/// for administrators and manpower staff inside their region; the published figures for
/// other readers.
#[utoipa::path(
    get, path = "/api/v1/stats/placement", tag = "statistics",
    params(PlacementQuery),
    responses(
        (status = 200, description = "The indicator with its counts, and the cities (or a city's districts)"),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 422, description = "A malformed date, unknown region, agency or programme", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn placement(
    State(app): State<AppState>,
    ApiQuery(q): ApiQuery<PlacementQuery>,
    SignedIn(actor): SignedIn,
) -> ApiResult<Json<PlacementReport>> {
    let (as_of, from, region, agency) = placement_args(&app, &q)?;
    let report = app
        .store
        .placement_report(as_of, from, region.as_ref(), agency.as_deref())
        .await?;
    if sees_exact_placement(&actor, region.as_ref()) {
        Ok(Json(report))
    } else {
        published(report, region.as_ref(), app.security.shown_from())
    }
}

/// The open `placement_rate`: for the province or a city (a district's is not
/// published), groups below the threshold hidden with a second one beside a lone hidden
/// group, so no group is the total minus the others.
#[utoipa::path(
    get, path = "/api/v1/public/stats/placement", tag = "public",
    params(PlacementQuery),
    responses(
        (status = 200, description = "The published indicator"),
        (status = 422, description = "A malformed date, a region below a city, unknown agency or programme", body = ErrorBody),
    )
)]
pub async fn public_placement(
    State(app): State<AppState>,
    ApiQuery(q): ApiQuery<PlacementQuery>,
) -> ApiResult<Json<PlacementReport>> {
    let (as_of, from, region, agency) = placement_args(&app, &q)?;
    let report = app
        .store
        .placement_report(as_of, from, region.as_ref(), agency.as_deref())
        .await?;
    published(report, region.as_ref(), app.security.shown_from())
}

/// Administrators, and manpower staff inside their own region, read exact figures.
pub(crate) fn sees_exact_placement(actor: &Actor, region: Option<&RegionCode>) -> bool {
    actor.can(Permission::TraineeRead)
        && match (&actor.scope, region) {
            (Scope::All, _) => true,
            (Scope::Region(r), Some(x)) => region_contains(r.as_str(), x.as_str()),
            (Scope::Region(r), None) => r.level() == RegionLevel::Province,
            _ => false,
        }
}

fn published(
    r: PlacementReport,
    region: Option<&RegionCode>,
    min: i64,
) -> ApiResult<Json<PlacementReport>> {
    if region.is_some_and(|x| matches!(x.level(), RegionLevel::District | RegionLevel::Village)) {
        return Err(StoreError::invalid(
            "region",
            "region_too_small",
            "placement is published for the province and its cities; a district's is for staff",
        )
        .into());
    }
    Ok(Json(published_report(r, min)))
}

/// The published figures of a province's or a city's report: groups below `min`
/// trainees, placed or not placed hidden, and a second one beside a lone hidden group.
pub(crate) fn published_report(mut r: PlacementReport, min: i64) -> PlacementReport {
    let small = |n: Option<i64>| n.is_some_and(|n| n < min);
    let mut hidden = 0;
    for g in &mut r.groups {
        if small(g.trainees)
            || small(g.placed)
            || small(g.trainees.zip(g.placed).map(|(t, p)| t - p))
        {
            g.trainees = None;
            g.placed = None;
            g.placement_rate = None;
            hidden += 1;
        }
    }
    if hidden == 1 {
        // A lone hidden group would be the total minus the others: hide the smallest
        // shown one too.
        if let Some(g) = r
            .groups
            .iter_mut()
            .filter(|g| g.trainees.is_some())
            .min_by_key(|g| g.trainees)
        {
            g.trainees = None;
            g.placed = None;
            g.placement_rate = None;
        }
    }
    r
}
