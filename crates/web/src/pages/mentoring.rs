//! Facility P3 on pages: assigning a mentor and recording sessions from the member page,
//! closing follow-ups, and `/follow-ups/overdue`.

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jakpreneur_store::{FollowUp, StoreError};

use super::timeline::back_to_member;
use super::{Chrome, login_redirect, page_error, render};
use crate::AppState;
use crate::api::mentoring::parse_session;
use crate::i18n::PageLang;
use crate::security::Caller;
use crate::views::{FollowUpInput, RecordSession};

async fn back(
    app: &AppState,
    caller: &Caller,
    lang: PageLang,
    member_no: &str,
    outcome: Result<(), StoreError>,
) -> Response {
    back_to_member(
        app,
        caller,
        lang,
        member_no,
        "mentoring",
        outcome,
        |t, errs| {
            t.mentoring_errors = errs.into_values().collect();
        },
    )
    .await
}

/// `POST /members/{member_no}/mentor`.
pub async fn assign(
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
    let f: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
    let mentor = f
        .get("mentor")
        .map(|s| s.trim().to_owned())
        .unwrap_or_default();
    let outcome = if mentor.is_empty() {
        Err(StoreError::Invalid(
            jakpreneur_core::FieldError::required("mentor").into(),
        ))
    } else {
        app.store
            .assign_mentor(&caller.actor, &member_no, &mentor, app.clock.today())
            .await
    };
    back(&app, &caller, lang, &member_no, outcome).await
}

/// `POST /members/{member_no}/mentoring-sessions`: one session, with up to one follow-up.
pub async fn record(
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
    let pairs: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let action = get("follow_up_action").filter(|s| !s.trim().is_empty());
    let input = RecordSession {
        held_on: get("held_on"),
        topics: Some(
            pairs
                .iter()
                .filter(|(k, _)| k == "topics")
                .map(|(_, v)| v.clone())
                .collect(),
        ),
        notes: get("notes"),
        follow_ups: action.map(|a| {
            vec![FollowUpInput {
                action: Some(a),
                due_on: get("follow_up_due_on"),
            }]
        }),
    };
    let outcome = match parse_session(&input, app.clock.today()) {
        Ok(s) => app
            .store
            .record_session(&caller.actor, &member_no, &s)
            .await
            .map(|_| ()),
        Err(errs) => Err(StoreError::Invalid(errs)),
    };
    back(&app, &caller, lang, &member_no, outcome).await
}

/// `POST /follow-ups/{id}/done`, back to where the form was.
pub async fn done(
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
    let c = || Chrome::new(tr, uri.path(), None).for_caller(&caller);
    let Ok(id) = id.parse::<i64>() else {
        return page_error(lang, c(), StoreError::NotFound);
    };
    match app
        .store
        .complete_follow_up(&caller.actor, id, app.clock.today())
        .await
    {
        Ok(f) => Redirect::to(&format!("/members/{}#mentoring", f.member_no)).into_response(),
        Err(e) => page_error(lang, c(), e),
    }
}

#[derive(Template)]
#[template(path = "mentoring/overdue.html")]
struct OverduePage<'a> {
    c: Chrome<'a>,
    items: Vec<FollowUp>,
}

/// `GET /follow-ups/overdue`.
pub async fn overdue(
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
    match app
        .store
        .overdue_follow_ups(&caller.actor, app.clock.today())
        .await
    {
        Ok(items) => render(StatusCode::OK, lang, &OverduePage { c: c(), items }),
        Err(e) => page_error(lang, c(), e),
    }
}
