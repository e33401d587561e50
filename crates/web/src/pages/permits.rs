//! Facility P4 on pages: the application and decision forms on the member page, and
//! `/permits/expiring`, the issued permits of one's region that expire soon.

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jakpreneur_store::{Permit, StoreError};

use super::members::{no_store, show_page};
use super::timeline::Timeline;
use super::{Chrome, field_errors, login_redirect, page_error, render, store_failure};
use crate::AppState;
use crate::api::permits::{parse_application, parse_decision, parse_window};
use crate::i18n::PageLang;
use crate::security::Caller;
use crate::views::{ApplyPermit, DecidePermit, ExpiringQuery};

/// The member page again, with the permit form's errors.
async fn with_errors(
    app: &AppState,
    caller: &Caller,
    lang: PageLang,
    member_no: &str,
    errs: &jakpreneur_core::ValidationErrors,
    values: HashMap<String, String>,
) -> Response {
    let tr = app.i18n.tr(lang.lang);
    let chrome = || Chrome::new(tr, &format!("/members/{member_no}"), None).for_caller(caller);
    let m = match app.store.get_member(&caller.actor, member_no, false).await {
        Ok(m) => m,
        Err(e) => {
            return page_error(lang, chrome(), e);
        }
    };
    let mut page = show_page(chrome(), caller, m, false);
    match Timeline::load(app, caller, member_no, tr).await {
        Ok(t) => page.timeline = t,
        Err(e) => return store_failure(lang, chrome(), e),
    }
    page.timeline.permit_errors = field_errors(tr, errs);
    page.timeline.permit_values = values;
    no_store(render(StatusCode::UNPROCESSABLE_ENTITY, lang, &page))
}

/// `POST /members/{member_no}/permits`: a new application.
pub async fn apply(
    State(app): State<AppState>,
    caller: Caller,
    lang: PageLang,
    OriginalUri(uri): OriginalUri,
    Path(member_no): Path<String>,
    body: Bytes,
) -> Response {
    if caller.actor.is_anonymous() {
        return login_redirect(&uri);
    }
    let f = super::form(&body);
    let input = ApplyPermit {
        r#type: f.get("type").cloned(),
        applied_on: f.get("applied_on").cloned(),
        note: f.get("note").cloned(),
    };
    let outcome = match parse_application(&input, app.clock.today()) {
        Ok((t, on, note)) => app
            .store
            .apply_permit(&caller.actor, &member_no, t, on, note)
            .await
            .map(|_| ()),
        Err(errs) => Err(StoreError::Invalid(errs)),
    };
    finish(&app, &caller, lang, &member_no, outcome, f).await
}

/// `POST /members/{member_no}/permits/{id}/decision`.
pub async fn decide(
    State(app): State<AppState>,
    caller: Caller,
    lang: PageLang,
    OriginalUri(uri): OriginalUri,
    Path((member_no, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    if caller.actor.is_anonymous() {
        return login_redirect(&uri);
    }
    let Ok(id) = id.parse::<i64>() else {
        let tr = app.i18n.tr(lang.lang);
        let c = Chrome::new(tr, uri.path(), None).for_caller(&caller);
        return page_error(lang, c, StoreError::NotFound);
    };
    let f = super::form(&body);
    let get = |k: &str| f.get(k).cloned();
    let input = DecidePermit {
        decision: get("decision"),
        number: get("number"),
        issued_on: get("issued_on"),
        expires_on: get("expires_on"),
        reason: get("reason"),
        rejected_on: get("rejected_on"),
    };
    let outcome = match parse_decision(&input, app.clock.today()) {
        Ok(d) => app
            .store
            .decide_permit(&caller.actor, &member_no, id, &d)
            .await
            .map(|_| ()),
        Err(errs) => Err(StoreError::Invalid(errs)),
    };
    finish(&app, &caller, lang, &member_no, outcome, f).await
}

async fn finish(
    app: &AppState,
    caller: &Caller,
    lang: PageLang,
    member_no: &str,
    outcome: Result<(), StoreError>,
    values: HashMap<String, String>,
) -> Response {
    let tr = app.i18n.tr(lang.lang);
    let chrome = || Chrome::new(tr, &format!("/members/{member_no}"), None).for_caller(caller);
    match outcome {
        Ok(()) | Err(StoreError::PermitDecided(_)) => {
            Redirect::to(&format!("/members/{member_no}#permits")).into_response()
        }
        Err(StoreError::Invalid(errs)) => {
            with_errors(app, caller, lang, member_no, &errs, values).await
        }
        Err(e) => page_error(lang, chrome(), e),
    }
}

#[derive(Template)]
#[template(path = "permits/expiring.html")]
struct ExpiringPage<'a> {
    c: Chrome<'a>,
    from: String,
    to: String,
    items: Vec<Permit>,
    errors: Vec<String>,
}

/// `GET /permits/expiring?from=&to=`.
pub async fn expiring(
    State(app): State<AppState>,
    caller: Caller,
    lang: PageLang,
    OriginalUri(uri): OriginalUri,
) -> Response {
    if caller.actor.is_anonymous() {
        return login_redirect(&uri);
    }
    let tr = app.i18n.tr(lang.lang);
    let c = Chrome::new(tr, uri.path(), uri.query()).for_caller(&caller);
    let q: HashMap<String, String> = uri
        .query()
        .map(|s| form_urlencoded::parse(s.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    let query = ExpiringQuery {
        from: q.get("from").cloned(),
        to: q.get("to").cloned(),
    };
    let mut page = ExpiringPage {
        c,
        from: q.get("from").cloned().unwrap_or_default(),
        to: q.get("to").cloned().unwrap_or_default(),
        items: Vec::new(),
        errors: Vec::new(),
    };
    let (from, to) = match parse_window(&query, app.clock.today()) {
        Ok(w) => w,
        Err(errs) => {
            page.errors = field_errors(tr, &errs).into_values().collect();
            return render(StatusCode::UNPROCESSABLE_ENTITY, lang, &page);
        }
    };
    page.from = from.to_string();
    page.to = to.to_string();
    match app.store.expiring_permits(&caller.actor, from, to).await {
        Ok(items) => {
            page.items = items;
            render(StatusCode::OK, lang, &page)
        }
        Err(e) => page_error(
            lang,
            Chrome::new(tr, uri.path(), None).for_caller(&caller),
            e,
        ),
    }
}
