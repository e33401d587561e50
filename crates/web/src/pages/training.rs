//! Facility P2 (and P6's finance classes) on pages: `/training` (classes to come, the
//! courses, and the forms to create a course and schedule a class) and
//! `/training/classes/{id}` (the roster with attendance, and the forms to enrol, take
//! attendance and close the class).

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jakpreneur_core::text::not_future;
use jakpreneur_core::training::{COMPLETION_PERCENT, COURSE_TOPICS, NewClass, NewCourse};
use jakpreneur_core::{FieldError, Permission};
use jakpreneur_store::{Class, Completion, Course, RosterRow, StoreError};

use super::ctx::{PageCtx, SignedInPage};
use super::{Chrome, field_errors};

#[derive(Template)]
#[template(path = "training/list.html")]
struct ListPage<'a> {
    c: Chrome<'a>,
    classes: Vec<Class>,
    courses: Vec<Course>,
    topics: &'static [&'static str],
    can_create: bool,
    /// Where a class may be held and who may teach it, limited to the reader's region.
    places: Vec<super::Choice>,
    trainers: Vec<super::Choice>,
    /// Which form the errors belong to: `course` or `class`.
    form: &'static str,
    errors: HashMap<String, String>,
    values: HashMap<String, String>,
}

impl ListPage<'_> {
    fn v(&self, k: &str) -> &str {
        self.values.get(k).map_or("", String::as_str)
    }
    fn err(&self, form: &str, k: &str) -> &str {
        if form != self.form {
            return "";
        }
        self.errors.get(k).map_or("", String::as_str)
    }
}

async fn list_page<'a>(page: &'a PageCtx, c: Chrome<'a>) -> Result<ListPage<'a>, StoreError> {
    Ok(ListPage {
        classes: page
            .app
            .store
            .list_classes(page.actor(), page.today())
            .await?,
        courses: page.app.store.list_courses(page.actor()).await?,
        topics: &COURSE_TOPICS,
        can_create: page.actor().can(Permission::EventRecord),
        places: super::names::districts_for(&page.tr(), &page.actor().scope),
        trainers: if page.actor().can(Permission::EventRecord) {
            page.app
                .store
                .staff_for_choice(page.actor(), jakpreneur_core::Role::Trainer)
                .await?
                .into_iter()
                .map(|(name, region)| super::Choice {
                    label: match region {
                        Some(r) => format!("{name} — {}", super::names::place(&page.tr(), &r)),
                        None => name.clone(),
                    },
                    value: name,
                })
                .collect()
        } else {
            Vec::new()
        },
        form: "",
        errors: HashMap::new(),
        values: HashMap::new(),
        c,
    })
}

pub async fn list(page: SignedInPage) -> Response {
    match list_page(&page, page.chrome()).await {
        Ok(shown) => page.render(StatusCode::OK, &shown),
        Err(e) => page.error(page.chrome(), e),
    }
}

/// The list page again with a form's errors, or where the form led.
async fn list_after(
    page: &PageCtx,
    which: &'static str,
    values: HashMap<String, String>,
    outcome: Result<String, StoreError>,
) -> Response {
    let c = || page.chrome_at("/training");
    let reload = async { list_page(page, c()).await.map_err(|e| page.failure(c(), e)) };
    page.after_form(outcome, reload, |p, errs| {
        p.form = which;
        p.errors = errs;
        p.values = values;
    })
    .await
    .unwrap_or_else(|e| page.error(c(), e))
}

/// `POST /training/courses`.
pub async fn create_course(page: SignedInPage, body: Bytes) -> Response {
    if let Some(refused) = page.require(Permission::EventRecord) {
        return refused;
    }
    let f = super::form(&body);
    let g = |k: &str| f.get(k).map(String::as_str);
    let outcome = match NewCourse::parse(g("title"), g("topic"), g("hours"), g("facility")) {
        Ok(course) => page
            .app
            .store
            .create_course(page.actor(), &course)
            .await
            .map(|_| "/training#courses".to_owned()),
        Err(errs) => Err(StoreError::Invalid(errs)),
    };
    list_after(&page, "course", f, outcome).await
}

/// `POST /training/classes`.
pub async fn create_class(page: SignedInPage, body: Bytes) -> Response {
    if let Some(refused) = page.require(Permission::EventRecord) {
        return refused;
    }
    let f = super::form(&body);
    let g = |k: &str| f.get(k).map(String::as_str);
    let course = g("course_id").and_then(|c| c.trim().parse::<i64>().ok());
    let parsed = NewClass::parse(
        g("starts_on"),
        g("ends_on"),
        g("sessions"),
        g("place_code"),
        g("capacity"),
        g("trainer"),
    );
    let outcome = match (course, parsed) {
        (None, _) => Err(StoreError::Invalid(
            FieldError::required("course_id").into(),
        )),
        (Some(_), Err(errs)) => Err(StoreError::Invalid(errs)),
        (Some(course), Ok(k)) => {
            match page.app.store.create_class(page.actor(), course, &k).await {
                Ok(class) => Ok(format!("/training/classes/{}", class.id)),
                Err(StoreError::NotFound) => Err(StoreError::Invalid(
                    FieldError::new(
                        "course_id",
                        "course_unknown",
                        "choose a course from the list",
                    )
                    .into(),
                )),
                Err(e) => Err(e),
            }
        }
    };
    list_after(&page, "class", f, outcome).await
}

#[derive(Template)]
#[template(path = "training/show.html")]
struct ShowPage<'a> {
    c: Chrome<'a>,
    k: Class,
    roster: Vec<RosterRow>,
    sessions: Vec<i64>,
    completion_percent: i64,
    can_act: bool,
    ended: bool,
    error: Option<String>,
    completions: Vec<Completion>,
}

async fn show_page<'a>(
    page: &'a PageCtx,
    c: Chrome<'a>,
    id: i64,
) -> Result<ShowPage<'a>, StoreError> {
    let actor = page.actor();
    let roster = page.app.store.class_roster(actor, id).await?;
    let k = page.app.store.class(id).await?;
    let today = page.today();
    let trainer_ok = actor.role != jakpreneur_core::Role::Trainer
        || k.trainer.as_deref() == Some(actor.name.as_str());
    Ok(ShowPage {
        sessions: (1..=k.sessions).collect(),
        completion_percent: COMPLETION_PERCENT,
        can_act: actor.can(Permission::EventRecord) && trainer_ok,
        ended: k.ends_on <= today,
        error: None,
        completions: Vec::new(),
        roster,
        k,
        c,
    })
}

fn class_id(raw: &str) -> Result<i64, StoreError> {
    raw.parse::<i64>().map_err(|_| StoreError::NotFound)
}

pub async fn show(Path(id): Path<String>, page: SignedInPage) -> Response {
    let shown = match class_id(&id) {
        Ok(id) => show_page(&page, page.chrome(), id).await,
        Err(e) => Err(e),
    };
    match shown {
        Ok(shown) => page.render(StatusCode::OK, &shown),
        Err(e) => page.error(page.chrome(), e),
    }
}

/// The class page again after one of its forms: the message when refused, the
/// completion results when closed, or back to the page.
async fn show_after(
    page: &PageCtx,
    id: i64,
    outcome: Result<Vec<Completion>, StoreError>,
) -> Response {
    let tr = page.tr();
    let path = format!("/training/classes/{id}");
    let c = || page.chrome_at(&path);
    let (status, error, completions) = match outcome {
        Ok(done) if done.is_empty() => return Redirect::to(&path).into_response(),
        Ok(done) => (StatusCode::OK, None, done),
        Err(StoreError::Invalid(errs)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(
                field_errors(tr, &errs)
                    .into_values()
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            Vec::new(),
        ),
        Err(StoreError::Erased) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(tr.t("error.member_erased").to_owned()),
            Vec::new(),
        ),
        Err(e) => return page.error(c(), e),
    };
    match show_page(page, c(), id).await {
        Ok(mut shown) => {
            shown.error = error;
            shown.completions = completions;
            page.render(status, &shown)
        }
        Err(e) => page.error(c(), e),
    }
}

/// `POST /training/classes/{id}/enrolments`.
pub async fn enrol(Path(id): Path<String>, page: SignedInPage, body: Bytes) -> Response {
    let Ok(id) = class_id(&id) else {
        return page.error(page.chrome_at(page.uri.path()), StoreError::NotFound);
    };
    let f = super::form(&body);
    let no = f.get("member_no").map(|s| s.trim()).unwrap_or_default();
    let outcome = if no.is_empty() {
        Err(StoreError::Invalid(
            FieldError::required("member_no").into(),
        ))
    } else {
        page.app
            .store
            .enrol(page.actor(), id, no, None, page.today())
            .await
            .map(|_| Vec::new())
    };
    show_after(&page, id, outcome).await
}

/// `POST /training/classes/{id}/attendance`: the session, its date and a checkbox per
/// member present.
pub async fn attendance(Path(id): Path<String>, page: SignedInPage, body: Bytes) -> Response {
    let Ok(id) = class_id(&id) else {
        return page.error(page.chrome_at(page.uri.path()), StoreError::NotFound);
    };
    let pairs: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let members: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "present")
        .map(|(_, v)| v.trim().to_owned())
        .collect();
    let mut errs = jakpreneur_core::ValidationErrors::default();
    let session = errs.take(
        get("session")
            .and_then(|s| s.trim().parse::<i64>().ok())
            .ok_or_else(|| FieldError::required("session")),
    );
    let held_on = errs.take(not_future("held_on", get("held_on"), page.today()));
    if members.is_empty() {
        errs.push(FieldError::new(
            "members",
            "required",
            "tick at least one member present",
        ));
    }
    let outcome = match (session, held_on, errs.is_empty()) {
        (Some(session), Some(held_on), true) => page
            .app
            .store
            .record_attendance(page.actor(), id, session, held_on, &members)
            .await
            .map(|_| Vec::new()),
        _ => Err(StoreError::Invalid(errs)),
    };
    show_after(&page, id, outcome).await
}

/// `POST /training/classes/{id}/complete`.
pub async fn complete(Path(id): Path<String>, page: SignedInPage) -> Response {
    let Ok(id) = class_id(&id) else {
        return page.error(page.chrome_at(page.uri.path()), StoreError::NotFound);
    };
    let outcome = page
        .app
        .store
        .complete_class(page.actor(), id, page.today())
        .await;
    show_after(&page, id, outcome).await
}
