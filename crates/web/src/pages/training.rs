//! Facility P2 (and P6's finance classes) on pages: `/training` (classes to come, the
//! courses, and the forms to create a course and schedule a class) and
//! `/training/classes/{id}` (the roster with attendance, and the forms to enrol, take
//! attendance and close the class).

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jakpreneur_core::training::{COMPLETION_PERCENT, COURSE_TOPICS, NewClass, NewCourse};
use jakpreneur_core::{FieldError, Permission};
use jakpreneur_store::{Class, Completion, Course, RosterRow, StoreError};

use super::{
    Chrome, field_errors, login_redirect, page_error, render, require_page, store_failure,
};
use crate::AppState;
use crate::api::not_future;
use crate::i18n::PageLang;
use crate::security::Caller;

#[derive(Template)]
#[template(path = "training/list.html")]
struct ListPage<'a> {
    c: Chrome<'a>,
    classes: Vec<Class>,
    courses: Vec<Course>,
    topics: &'static [&'static str],
    can_create: bool,
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

async fn list_page<'a>(
    app: &AppState,
    caller: &Caller,
    c: Chrome<'a>,
) -> Result<ListPage<'a>, StoreError> {
    Ok(ListPage {
        classes: app
            .store
            .list_classes(&caller.actor, app.clock.today())
            .await?,
        courses: app.store.list_courses(&caller.actor).await?,
        topics: &COURSE_TOPICS,
        can_create: caller.actor.can(Permission::EventRecord),
        form: "",
        errors: HashMap::new(),
        values: HashMap::new(),
        c,
    })
}

pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    lang: PageLang,
    OriginalUri(uri): OriginalUri,
) -> Response {
    if caller.actor.is_anonymous() {
        return login_redirect(&uri);
    }
    let tr = app.i18n.tr(lang.lang);
    let c = || Chrome::new(tr, uri.path(), uri.query()).for_caller(&caller);
    match list_page(&app, &caller, c()).await {
        Ok(page) => render(StatusCode::OK, lang, &page),
        Err(e) => page_error(lang, c(), e),
    }
}

/// The list page again with a form's errors, or where the form led.
async fn list_after(
    app: &AppState,
    caller: &Caller,
    lang: PageLang,
    which: &'static str,
    values: HashMap<String, String>,
    outcome: Result<String, StoreError>,
) -> Response {
    let tr = app.i18n.tr(lang.lang);
    let c = || Chrome::new(tr, "/training", None).for_caller(caller);
    match outcome {
        Ok(to) => Redirect::to(&to).into_response(),
        Err(StoreError::Invalid(errs)) => match list_page(app, caller, c()).await {
            Ok(mut page) => {
                page.form = which;
                page.errors = field_errors(tr, &errs);
                page.values = values;
                render(StatusCode::UNPROCESSABLE_ENTITY, lang, &page)
            }
            Err(e) => store_failure(lang, c(), e),
        },
        Err(e) => page_error(lang, c(), e),
    }
}

/// `POST /training/courses`.
pub async fn create_course(
    State(app): State<AppState>,
    caller: Caller,
    lang: PageLang,
    OriginalUri(uri): OriginalUri,
    body: Bytes,
) -> Response {
    if let Some(refused) = require_page(&app, lang, &caller, &uri, Permission::EventRecord) {
        return refused;
    }
    let f = super::form(&body);
    let g = |k: &str| f.get(k).map(String::as_str);
    let outcome = match NewCourse::parse(g("title"), g("topic"), g("hours"), g("facility")) {
        Ok(course) => app
            .store
            .create_course(&caller.actor, &course)
            .await
            .map(|_| "/training#courses".to_owned()),
        Err(errs) => Err(StoreError::Invalid(errs)),
    };
    list_after(&app, &caller, lang, "course", f, outcome).await
}

/// `POST /training/classes`.
pub async fn create_class(
    State(app): State<AppState>,
    caller: Caller,
    lang: PageLang,
    OriginalUri(uri): OriginalUri,
    body: Bytes,
) -> Response {
    if let Some(refused) = require_page(&app, lang, &caller, &uri, Permission::EventRecord) {
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
        (Some(course), Ok(k)) => match app.store.create_class(&caller.actor, course, &k).await {
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
        },
    };
    list_after(&app, &caller, lang, "class", f, outcome).await
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
    app: &AppState,
    caller: &Caller,
    c: Chrome<'a>,
    id: i64,
) -> Result<ShowPage<'a>, StoreError> {
    let roster = app.store.class_roster(&caller.actor, id).await?;
    let k = app.store.class(id).await?;
    let today = app.clock.today();
    let trainer_ok = caller.actor.role != jakpreneur_core::Role::Trainer
        || k.trainer.as_deref() == Some(caller.actor.name.as_str());
    Ok(ShowPage {
        sessions: (1..=k.sessions).collect(),
        completion_percent: COMPLETION_PERCENT,
        can_act: caller.actor.can(Permission::EventRecord) && trainer_ok,
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

pub async fn show(
    State(app): State<AppState>,
    caller: Caller,
    lang: PageLang,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
) -> Response {
    if caller.actor.is_anonymous() {
        return login_redirect(&uri);
    }
    let tr = app.i18n.tr(lang.lang);
    let c = || Chrome::new(tr, uri.path(), uri.query()).for_caller(&caller);
    let page = match class_id(&id) {
        Ok(id) => show_page(&app, &caller, c(), id).await,
        Err(e) => Err(e),
    };
    match page {
        Ok(page) => render(StatusCode::OK, lang, &page),
        Err(e) => page_error(lang, c(), e),
    }
}

/// The class page again after one of its forms: the message when refused, the
/// completion results when closed, or back to the page.
async fn show_after(
    app: &AppState,
    caller: &Caller,
    lang: PageLang,
    id: i64,
    outcome: Result<Vec<Completion>, StoreError>,
) -> Response {
    let tr = app.i18n.tr(lang.lang);
    let path = format!("/training/classes/{id}");
    let c = || Chrome::new(tr, &path, None).for_caller(caller);
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
        Err(e) => return page_error(lang, c(), e),
    };
    match show_page(app, caller, c(), id).await {
        Ok(mut page) => {
            page.error = error;
            page.completions = completions;
            render(status, lang, &page)
        }
        Err(e) => page_error(lang, c(), e),
    }
}

/// `POST /training/classes/{id}/enrolments`.
pub async fn enrol(
    State(app): State<AppState>,
    caller: Caller,
    lang: PageLang,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    if caller.actor.is_anonymous() {
        return login_redirect(&uri);
    }
    let Ok(id) = class_id(&id) else {
        let tr = app.i18n.tr(lang.lang);
        return page_error(
            lang,
            Chrome::new(tr, uri.path(), None).for_caller(&caller),
            StoreError::NotFound,
        );
    };
    let f = super::form(&body);
    let no = f.get("member_no").map(|s| s.trim()).unwrap_or_default();
    let outcome = if no.is_empty() {
        Err(StoreError::Invalid(
            FieldError::required("member_no").into(),
        ))
    } else {
        app.store
            .enrol(&caller.actor, id, no, None, app.clock.today())
            .await
            .map(|_| Vec::new())
    };
    show_after(&app, &caller, lang, id, outcome).await
}

/// `POST /training/classes/{id}/attendance`: the session, its date and a checkbox per
/// member present.
pub async fn attendance(
    State(app): State<AppState>,
    caller: Caller,
    lang: PageLang,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    if caller.actor.is_anonymous() {
        return login_redirect(&uri);
    }
    let Ok(id) = class_id(&id) else {
        let tr = app.i18n.tr(lang.lang);
        return page_error(
            lang,
            Chrome::new(tr, uri.path(), None).for_caller(&caller),
            StoreError::NotFound,
        );
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
    let held_on = errs.take(not_future("held_on", get("held_on"), app.clock.today()));
    if members.is_empty() {
        errs.push(FieldError::new(
            "members",
            "required",
            "tick at least one member present",
        ));
    }
    let outcome = match (session, held_on, errs.is_empty()) {
        (Some(session), Some(held_on), true) => app
            .store
            .record_attendance(&caller.actor, id, session, held_on, &members)
            .await
            .map(|_| Vec::new()),
        _ => Err(StoreError::Invalid(errs)),
    };
    show_after(&app, &caller, lang, id, outcome).await
}

/// `POST /training/classes/{id}/complete`.
pub async fn complete(
    State(app): State<AppState>,
    caller: Caller,
    lang: PageLang,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
) -> Response {
    if caller.actor.is_anonymous() {
        return login_redirect(&uri);
    }
    let Ok(id) = class_id(&id) else {
        let tr = app.i18n.tr(lang.lang);
        return page_error(
            lang,
            Chrome::new(tr, uri.path(), None).for_caller(&caller),
            StoreError::NotFound,
        );
    };
    let outcome = app
        .store
        .complete_class(&caller.actor, id, app.clock.today())
        .await;
    show_after(&app, &caller, lang, id, outcome).await
}
