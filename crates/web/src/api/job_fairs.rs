//! Job training's places and fairs: `/api/v1/training-centres` and `/api/v1/job-fairs`
//! with their vacancies, applications and decisions (a hire is a placement).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jakpreneur_core::job_training::{
    CentreDraft, Decision, FairDraft, NewCentre, NewFair, NewVacancy,
};
use jakpreneur_core::text::{date_or_today, given};
use jakpreneur_core::{FieldError, ValidationErrors};

use crate::AppState;
use crate::auth::{SignedIn, SignedInJson};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::views::{
    AddVacancy, ApplicationView, ApplyAtFair, CentreList, CentreView, CreateCentre, CreateFair,
    DecideApplication, FairDetail, FairList, FairView, NoParams, VacancyView,
};

/// Add a training centre (Pusat Pelatihan Kerja, or an office that trains) with its capacity.
#[utoipa::path(
    post, path = "/api/v1/training-centres", tag = "programmes",
    request_body = CreateCentre,
    responses(
        (status = 201, description = "Added", body = CentreView),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not add centres, or the district is outside its region", body = ErrorBody),
        (status = 422, description = "A field is invalid (each named), or `centre_exists`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn create_centre(
    State(app): State<AppState>,
    SignedInJson(actor, b): SignedInJson<CreateCentre>,
) -> ApiResult<Response> {
    let c = NewCentre::parse(&CentreDraft {
        code: b.code,
        name: b.name,
        kind: b.kind,
        district_code: b.district_code,
        address: b.address,
        capacity: b.capacity,
    })?;
    let centre = app.store.create_centre(&actor, &c).await?;
    Ok((StatusCode::CREATED, Json(CentreView::from(centre))).into_response())
}

/// Every training centre, with its capacity and the trainees it holds in training.
#[utoipa::path(
    get, path = "/api/v1/training-centres", tag = "programmes",
    responses(
        (status = 200, description = "The centres", body = CentreList),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not read job training", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list_centres(
    State(app): State<AppState>,
    ApiQuery(_none): ApiQuery<NoParams>,
    SignedIn(actor): SignedIn,
) -> ApiResult<Json<CentreList>> {
    let items = app.store.centres(&actor).await?;
    Ok(Json(CentreList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// Announce a job fair in a city.
#[utoipa::path(
    post, path = "/api/v1/job-fairs", tag = "programmes",
    request_body = CreateFair,
    responses(
        (status = 201, description = "Announced", body = FairView),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not announce fairs, or the city is outside its region", body = ErrorBody),
        (status = 422, description = "A field is invalid (each named)", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn create_fair(
    State(app): State<AppState>,
    SignedInJson(actor, b): SignedInJson<CreateFair>,
) -> ApiResult<Response> {
    let f = NewFair::parse(&FairDraft {
        title: b.title,
        city_code: b.city_code,
        held_on: b.held_on,
        place: b.place,
    })?;
    let fair = app.store.create_fair(&actor, &f).await?;
    Ok((StatusCode::CREATED, Json(FairView::from(fair))).into_response())
}

/// Job fairs, latest first, with their vacancies, openings, applications and hires.
#[utoipa::path(
    get, path = "/api/v1/job-fairs", tag = "programmes",
    responses(
        (status = 200, description = "The fairs", body = FairList),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not read job training", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list_fairs(
    State(app): State<AppState>,
    ApiQuery(_none): ApiQuery<NoParams>,
    SignedIn(actor): SignedIn,
) -> ApiResult<Json<FairList>> {
    let items = app.store.fairs(&actor).await?;
    Ok(Json(FairList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// A fair with its vacancies and applications (trainees named only inside the reader's region).
#[utoipa::path(
    get, path = "/api/v1/job-fairs/{id}", tag = "programmes",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The fair", body = FairDetail),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not read job training", body = ErrorBody),
        (status = 404, description = "No such fair", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn show_fair(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(_none): ApiQuery<NoParams>,
    SignedIn(actor): SignedIn,
) -> ApiResult<Json<FairDetail>> {
    let (fair, vacancies, applications) = app.store.fair(&actor, id).await?;
    Ok(Json(FairDetail {
        fair: fair.into(),
        vacancies: vacancies.into_iter().map(Into::into).collect(),
        applications: applications.into_iter().map(Into::into).collect(),
    }))
}

/// Add an employer's vacancy to a fair.
#[utoipa::path(
    post, path = "/api/v1/job-fairs/{id}/vacancies", tag = "programmes",
    params(("id" = i64, Path)),
    request_body = AddVacancy,
    responses(
        (status = 201, description = "Added", body = VacancyView),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Not allowed, or the fair's city is outside the caller's region", body = ErrorBody),
        (status = 404, description = "No such fair", body = ErrorBody),
        (status = 422, description = "A field is invalid (each named)", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn add_vacancy(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    SignedInJson(actor, b): SignedInJson<AddVacancy>,
) -> ApiResult<Response> {
    let v = NewVacancy::parse(
        b.employer.as_deref(),
        b.position.as_deref(),
        b.openings.as_deref(),
    )?;
    let vacancy = app.store.add_vacancy(&actor, id, &v).await?;
    Ok((StatusCode::CREATED, Json(VacancyView::from(vacancy))).into_response())
}

/// A trainee applies for a vacancy of the fair.
#[utoipa::path(
    post, path = "/api/v1/job-fairs/{id}/applications", tag = "programmes",
    params(("id" = i64, Path)),
    request_body = ApplyAtFair,
    responses(
        (status = 201, description = "Applied", body = ApplicationView),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not record services", body = ErrorBody),
        (status = 404, description = "No such fair, or no such trainee in the caller's region", body = ErrorBody),
        (status = 422, description = "`vacancy_unknown`, `already_applied`, `not_applicable` or a field", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn apply(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    SignedInJson(actor, b): SignedInJson<ApplyAtFair>,
) -> ApiResult<Response> {
    let (fair, _, _) = app.store.fair(&actor, id).await?;
    let mut errs = ValidationErrors::default();
    if b.vacancy_id.is_none() {
        errs.push(FieldError::required("vacancy_id"));
    }
    let no = given(b.enrolment_no.as_deref()).map(str::to_owned);
    if no.is_none() {
        errs.push(FieldError::required("enrolment_no"));
    }
    let on = errs.take(date_or_today(
        "applied_on",
        b.applied_on.as_deref(),
        fair.held_on,
    ));
    let (Some(vacancy), Some(no), Some(on), true) = (b.vacancy_id, no, on, errs.is_empty()) else {
        return Err(errs.into());
    };
    let application = app
        .store
        .apply_at_fair(&actor, id, vacancy, &no, on)
        .await?;
    let (_, _, apps) = app.store.fair(&actor, id).await?;
    let view = apps
        .into_iter()
        .find(|a| a.id == application)
        .map(ApplicationView::from)
        .ok_or(jakpreneur_store::StoreError::NotFound)?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

/// Decide an application: `hired` fills one opening and records the trainee's placement
/// (hired by the vacancy's employer); `rejected` closes it.
#[utoipa::path(
    post, path = "/api/v1/job-fair-applications/{id}/decision", tag = "programmes",
    params(("id" = i64, Path)),
    request_body = DecideApplication,
    responses(
        (status = 200, description = "Decided", body = ApplicationView),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not record services", body = ErrorBody),
        (status = 404, description = "No such application, or its trainee is outside the caller's region", body = ErrorBody),
        (status = 422, description = "`already_decided`, `vacancy_filled`, `facility_order` or a field", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn decide(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    SignedInJson(actor, b): SignedInJson<DecideApplication>,
) -> ApiResult<Json<ApplicationView>> {
    let d = Decision::parse(
        b.decision.as_deref(),
        b.decided_on.as_deref(),
        b.wage_band.as_deref(),
        app.clock.today(),
    )?;
    let a = app
        .store
        .decide_application(&actor, id, d.hired, d.decided_on, d.wage_band)
        .await?;
    Ok(Json(ApplicationView::from(a)))
}
