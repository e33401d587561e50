//! Facility P2 and P6's finance classes under `/api/v1/courses`, `/api/v1/classes` and
//! `/api/v1/members/{member_no}/classes`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jakpreneur_core::text::not_future;
use jakpreneur_core::training::{NewClass, NewCourse};
use jakpreneur_core::{FieldError, ValidationErrors};

use crate::AppState;
use crate::auth::{SignedIn, SignedInJson};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::views::{
    AttendanceRecorded, ClassDetail, ClassList, CompletionList, CourseList, CreateClass,
    CreateCourse, Enrol, MemberClassList, NoParams, RecordAttendance,
};

/// Create a course (a P2 training course, or a P6 finance class course).
#[utoipa::path(
    post, path = "/api/v1/courses", tag = "training",
    request_body = CreateCourse,
    responses(
        (status = 201, description = "Created", body = jakpreneur_store::Course),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not record services", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn create_course(
    State(app): State<AppState>,
    SignedInJson(actor, b): SignedInJson<CreateCourse>,
) -> ApiResult<Response> {
    let c = NewCourse::parse(
        b.title.as_deref(),
        b.topic.as_deref(),
        b.hours.map(|h| h.to_string()).as_deref(),
        b.facility.as_deref(),
    )?;
    let course = app.store.create_course(&actor, &c).await?;
    Ok((StatusCode::CREATED, axum::Json(course)).into_response())
}

/// Every course, by title.
#[utoipa::path(
    get, path = "/api/v1/courses", tag = "training",
    responses(
        (status = 200, description = "Courses", body = CourseList),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not read members' services", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list_courses(
    State(app): State<AppState>,
    ApiQuery(_none): ApiQuery<NoParams>,
    SignedIn(actor): SignedIn,
) -> ApiResult<axum::Json<CourseList>> {
    Ok(axum::Json(CourseList {
        items: app.store.list_courses(&actor).await?,
        next: None,
    }))
}

/// Schedule a class of a course.
#[utoipa::path(
    post, path = "/api/v1/courses/{id}/classes", tag = "training",
    params(("id" = i64, Path)),
    request_body = CreateClass,
    responses(
        (status = 201, description = "Scheduled", body = jakpreneur_store::Class),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not record services", body = ErrorBody),
        (status = 404, description = "No such course", body = ErrorBody),
        (status = 422, description = "A field is invalid, or the trainer is unknown", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn create_class(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    SignedInJson(actor, b): SignedInJson<CreateClass>,
) -> ApiResult<Response> {
    let k = NewClass::parse(
        b.starts_on.as_deref(),
        b.ends_on.as_deref(),
        b.sessions.map(|n| n.to_string()).as_deref(),
        b.place_code.as_deref(),
        b.capacity.map(|n| n.to_string()).as_deref(),
        b.trainer.as_deref(),
    )?;
    let class = app.store.create_class(&actor, id, &k).await?;
    Ok((StatusCode::CREATED, axum::Json(class)).into_response())
}

/// Classes still running or to come, soonest first (a trainer's own).
#[utoipa::path(
    get, path = "/api/v1/classes", tag = "training",
    responses(
        (status = 200, description = "Classes", body = ClassList),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not read members' services", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list_classes(
    State(app): State<AppState>,
    ApiQuery(_none): ApiQuery<NoParams>,
    SignedIn(actor): SignedIn,
) -> ApiResult<axum::Json<ClassList>> {
    Ok(axum::Json(ClassList {
        items: app.store.list_classes(&actor, app.clock.today()).await?,
        next: None,
    }))
}

/// A class and its roster (the enrolled members within the caller's region).
#[utoipa::path(
    get, path = "/api/v1/classes/{id}", tag = "training",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The class", body = ClassDetail),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not read members' services", body = ErrorBody),
        (status = 404, description = "No such class", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn show_class(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(_none): ApiQuery<NoParams>,
    SignedIn(actor): SignedIn,
) -> ApiResult<axum::Json<ClassDetail>> {
    let roster = app.store.class_roster(&actor, id).await?;
    Ok(axum::Json(ClassDetail {
        class: app.store.class(id).await?,
        roster,
    }))
}

/// Enrol a member; refused with 422 `class_full` when every seat is taken.
#[utoipa::path(
    post, path = "/api/v1/classes/{id}/enrolments", tag = "training",
    params(("id" = i64, Path)),
    request_body = Enrol,
    responses(
        (status = 201, description = "Enrolled; writes `training_enrolled`", body = jakpreneur_store::Class),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Not allowed, the member is outside the caller's region, or another trainer's class", body = ErrorBody),
        (status = 404, description = "No such class or member", body = ErrorBody),
        (status = 422, description = "`class_full`, `already_enrolled`, a date, or `facility_order`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn enrol(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    SignedInJson(actor, b): SignedInJson<Enrol>,
) -> ApiResult<Response> {
    let mut errs = ValidationErrors::default();
    let no = b
        .member_no
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if no.is_none() {
        errs.push(FieldError::required("member_no"));
    }
    let today = app.clock.today();
    let on = match b
        .enrolled_on
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Some(None),
        Some(d) => errs
            .take(not_future("enrolled_on", Some(d), today))
            .map(Some),
    };
    let (Some(no), Some(on), true) = (no, on, errs.is_empty()) else {
        return Err(errs.into());
    };
    let class = app.store.enrol(&actor, id, no, on, today).await?;
    Ok((StatusCode::CREATED, axum::Json(class)).into_response())
}

/// Record who attended one session. All or nothing; attendance already on file is kept.
#[utoipa::path(
    post, path = "/api/v1/classes/{id}/attendance", tag = "training",
    params(("id" = i64, Path)),
    request_body = RecordAttendance,
    responses(
        (status = 200, description = "Recorded; writes `training_attended` per new attendance", body = AttendanceRecorded),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Not allowed, a member outside the caller's region, or another trainer's class", body = ErrorBody),
        (status = 404, description = "No such class or member", body = ErrorBody),
        (status = 422, description = "Session out of range, date outside the class, or a member not enrolled", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn attendance(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    SignedInJson(actor, b): SignedInJson<RecordAttendance>,
) -> ApiResult<axum::Json<AttendanceRecorded>> {
    let mut errs = ValidationErrors::default();
    if b.session.is_none() {
        errs.push(FieldError::required("session"));
    }
    let held_on = errs.take(not_future(
        "held_on",
        b.held_on.as_deref(),
        app.clock.today(),
    ));
    let members: Vec<String> = b
        .members
        .iter()
        .flatten()
        .map(|m| m.trim().to_owned())
        .filter(|m| !m.is_empty())
        .collect();
    if members.is_empty() {
        errs.push(FieldError::new(
            "members",
            "required",
            "name at least one member present",
        ));
    }
    let (Some(session), Some(held_on), true) = (b.session, held_on, errs.is_empty()) else {
        return Err(errs.into());
    };
    let added = app
        .store
        .record_attendance(&actor, id, session, held_on, &members)
        .await?;
    Ok(axum::Json(AttendanceRecorded { added }))
}

/// Close a class that has ended: members who attended at least 80% of its sessions
/// complete it and get a certificate number.
#[utoipa::path(
    post, path = "/api/v1/classes/{id}/complete", tag = "training",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "What happened for each enrolled member; completion writes `training_completed` (P2) or `finance_training_completed` (P6)", body = CompletionList),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Not allowed, or another trainer's class", body = ErrorBody),
        (status = 404, description = "No such class", body = ErrorBody),
        (status = 422, description = "`class_not_ended`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn complete(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    SignedIn(actor): SignedIn,
) -> ApiResult<axum::Json<CompletionList>> {
    let items = app
        .store
        .complete_class(&actor, id, app.clock.today())
        .await?;
    Ok(axum::Json(CompletionList { items }))
}

/// A member's classes, newest first, with attendance and certificate.
#[utoipa::path(
    get, path = "/api/v1/members/{member_no}/classes", tag = "training",
    params(("member_no" = String, Path)),
    responses(
        (status = 200, description = "Classes", body = MemberClassList),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 404, description = "No such member in the caller's region", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn member_classes(
    State(app): State<AppState>,
    ApiPath(member_no): ApiPath<String>,
    ApiQuery(_none): ApiQuery<NoParams>,
    SignedIn(actor): SignedIn,
) -> ApiResult<axum::Json<MemberClassList>> {
    Ok(axum::Json(MemberClassList {
        items: app.store.member_classes(&actor, &member_no).await?,
    }))
}
