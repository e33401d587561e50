//! Job-training classes: `/api/v1/job-classes` with their sessions (a mobile training
//! unit's each in its own place), trainees, attendance and competency assessment.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jakpreneur_core::job_training::{Assessment, JobClassDraft, NewJobClass, SessionPlan};
use jakpreneur_core::text::given;
use jakpreneur_core::{FieldError, ValidationErrors};

use crate::AppState;
use crate::auth::{SignedIn, SignedInJson};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::views::{
    AttendanceAdded, ClassAssessment, ClassAttendance, ClassEnrol, ClassSessionView,
    CreateJobClass, JobClassDetail, JobClassList, JobClassView, NoParams, ScheduleSession,
};

async fn detail(
    app: &AppState,
    actor: &jakpreneur_core::Actor,
    id: i64,
) -> ApiResult<JobClassDetail> {
    let (class, sessions, trainees) = app.store.job_class(actor, id).await?;
    Ok(JobClassDetail {
        class: class.into(),
        sessions: sessions.into_iter().map(Into::into).collect(),
        trainees: trainees.into_iter().map(Into::into).collect(),
    })
}

/// Open a class at a training centre.
#[utoipa::path(
    post, path = "/api/v1/job-classes", tag = "programmes",
    request_body = CreateJobClass,
    responses(
        (status = 201, description = "Opened", body = JobClassView),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not open classes, or the centre is outside its region", body = ErrorBody),
        (status = 422, description = "A field is invalid (each named), or `centre_unknown`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn create(
    State(app): State<AppState>,
    SignedInJson(actor, b): SignedInJson<CreateJobClass>,
) -> ApiResult<Response> {
    let c = NewJobClass::parse(&JobClassDraft {
        centre_code: b.centre_code,
        title: b.title,
        mode: b.mode,
        starts_on: b.starts_on,
        ends_on: b.ends_on,
        sessions: b.sessions,
        capacity: b.capacity,
    })?;
    let class = app.store.create_job_class(&actor, &c).await?;
    Ok((StatusCode::CREATED, Json(JobClassView::from(class))).into_response())
}

/// Classes, latest first.
#[utoipa::path(
    get, path = "/api/v1/job-classes", tag = "programmes",
    responses(
        (status = 200, description = "The classes", body = JobClassList),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not read job training", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list(
    State(app): State<AppState>,
    ApiQuery(_none): ApiQuery<NoParams>,
    SignedIn(actor): SignedIn,
) -> ApiResult<Json<JobClassList>> {
    let items = app.store.job_classes(&actor).await?;
    Ok(Json(JobClassList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// A class with its sessions and trainees (named only inside the reader's region).
#[utoipa::path(
    get, path = "/api/v1/job-classes/{id}", tag = "programmes",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The class", body = JobClassDetail),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not read job training", body = ErrorBody),
        (status = 404, description = "No such class", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn show(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(_none): ApiQuery<NoParams>,
    SignedIn(actor): SignedIn,
) -> ApiResult<Json<JobClassDetail>> {
    Ok(Json(detail(&app, &actor, id).await?))
}

/// Schedule a session: its day, and for a mobile training unit its place.
#[utoipa::path(
    post, path = "/api/v1/job-classes/{id}/sessions", tag = "programmes",
    params(("id" = i64, Path)),
    request_body = ScheduleSession,
    responses(
        (status = 200, description = "Scheduled", body = ClassSessionView),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not record services", body = ErrorBody),
        (status = 404, description = "No such class", body = ErrorBody),
        (status = 422, description = "`session_unknown`, `outside_class_dates`, `place_fixed`, `session_held` or a field", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn schedule(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    SignedInJson(actor, b): SignedInJson<ScheduleSession>,
) -> ApiResult<Json<ClassSessionView>> {
    let plan = SessionPlan::parse(
        b.session_no.map(|n| n.to_string()).as_deref(),
        b.held_on.as_deref(),
        b.place_code.as_deref(),
    )?;
    let s = app
        .store
        .schedule_session(
            &actor,
            id,
            plan.session_no,
            plan.held_on,
            plan.place.as_ref(),
        )
        .await?;
    Ok(Json(ClassSessionView::from(s)))
}

/// Enrol a trainee in the class (takes a seat; writes `class_enrolled`).
#[utoipa::path(
    post, path = "/api/v1/job-classes/{id}/trainees", tag = "programmes",
    params(("id" = i64, Path)),
    request_body = ClassEnrol,
    responses(
        (status = 200, description = "Enrolled: the class", body = JobClassDetail),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not record services", body = ErrorBody),
        (status = 404, description = "No such class, or no such trainee in the caller's region", body = ErrorBody),
        (status = 422, description = "`class_full`, `already_in_class`, `before_registration` or a field", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn enrol(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    SignedInJson(actor, b): SignedInJson<ClassEnrol>,
) -> ApiResult<Json<JobClassDetail>> {
    let Some(no) = given(b.enrolment_no.as_deref()) else {
        return Err(FieldError::required("enrolment_no").into());
    };
    app.store.enrol_in_class(&actor, id, no).await?;
    Ok(Json(detail(&app, &actor, id).await?))
}

/// Record who attended a scheduled session (a retry adds nothing; all or nothing).
#[utoipa::path(
    post, path = "/api/v1/job-classes/{id}/attendance", tag = "programmes",
    params(("id" = i64, Path)),
    request_body = ClassAttendance,
    responses(
        (status = 200, description = "Recorded", body = AttendanceAdded),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not record services", body = ErrorBody),
        (status = 404, description = "No such class, or a trainee outside the caller's region", body = ErrorBody),
        (status = 422, description = "`session_not_scheduled`, `not_in_class` or a field", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn attendance(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    SignedInJson(actor, b): SignedInJson<ClassAttendance>,
) -> ApiResult<Json<AttendanceAdded>> {
    let mut errs = ValidationErrors::default();
    if b.session_no.is_none() {
        errs.push(FieldError::required("session_no"));
    }
    let nos = b.enrolment_nos.unwrap_or_default();
    if nos.is_empty() || nos.len() > 500 {
        errs.push(FieldError::new(
            "enrolment_nos",
            "count",
            "enrolment_nos lists 1 to 500 trainees",
        ));
    }
    let (Some(session), true) = (b.session_no, errs.is_empty()) else {
        return Err(errs.into());
    };
    app.store.class_row(&actor, id).await?;
    let added = app
        .store
        .record_class_attendance(&actor, id, session, &nos)
        .await?;
    Ok(Json(AttendanceAdded { added }))
}

/// The competency assessment at the end of the class: competent (needs 80% attendance;
/// completes skills training, K2) or not yet competent.
#[utoipa::path(
    post, path = "/api/v1/job-classes/{id}/assessments", tag = "programmes",
    params(("id" = i64, Path)),
    request_body = ClassAssessment,
    responses(
        (status = 200, description = "Assessed: the class", body = JobClassDetail),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not record services", body = ErrorBody),
        (status = 404, description = "No such class, or no such trainee in the caller's region", body = ErrorBody),
        (status = 422, description = "`class_not_ended`, `attendance_short`, `already_assessed`, `not_in_class` or a field", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn assess(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    SignedInJson(actor, b): SignedInJson<ClassAssessment>,
) -> ApiResult<Json<JobClassDetail>> {
    let a = Assessment::parse(
        b.enrolment_no.as_deref(),
        b.competent,
        b.assessed_on.as_deref(),
        app.clock.today(),
    )?;
    app.store
        .assess_in_class(&actor, id, &a.enrolment_no, a.competent, a.assessed_on)
        .await?;
    Ok(Json(detail(&app, &actor, id).await?))
}
