//! Facility P3 on pages: assigning a mentor and recording sessions from the member page,
//! closing follow-ups, and `/follow-ups/overdue`.

use askama::Template;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jakpreneur_store::{FollowUp, StoreError};

use super::Chrome;
use super::ctx::{PageCtx, SignedInPage};
use super::member_page::back_to_member;
use crate::params::parse_session;
use crate::views::{FollowUpInput, RecordSession};

async fn back(page: &PageCtx, member_no: &str, outcome: Result<(), StoreError>) -> Response {
    back_to_member(page, member_no, "mentoring", outcome, |t, errs| {
        t.mentoring_errors = errs.into_values().collect();
    })
    .await
}

/// `POST /members/{member_no}/mentor`.
pub async fn assign(Path(member_no): Path<String>, page: SignedInPage, body: Bytes) -> Response {
    let f = super::form(&body);
    let mentor = f
        .get("mentor")
        .map(|s| s.trim().to_owned())
        .unwrap_or_default();
    let outcome = if mentor.is_empty() {
        Err(StoreError::Invalid(
            jakpreneur_core::FieldError::required("mentor").into(),
        ))
    } else {
        page.app
            .store
            .assign_mentor(page.actor(), &member_no, &mentor, page.today())
            .await
    };
    back(&page, &member_no, outcome).await
}

/// `POST /members/{member_no}/mentoring-sessions`: one session, with up to one follow-up.
pub async fn record(Path(member_no): Path<String>, page: SignedInPage, body: Bytes) -> Response {
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
    let outcome = match parse_session(&input, page.today()) {
        Ok(s) => page
            .app
            .store
            .record_session(page.actor(), &member_no, &s)
            .await
            .map(|_| ()),
        Err(errs) => Err(StoreError::Invalid(errs)),
    };
    back(&page, &member_no, outcome).await
}

/// `POST /follow-ups/{id}/done`, back to where the form was.
pub async fn done(Path(id): Path<String>, page: SignedInPage) -> Response {
    let c = || page.chrome_at(page.uri.path());
    let Ok(id) = id.parse::<i64>() else {
        return page.error(c(), StoreError::NotFound);
    };
    match page
        .app
        .store
        .complete_follow_up(page.actor(), id, page.today())
        .await
    {
        Ok(f) => Redirect::to(&format!("/members/{}#mentoring", f.member_no)).into_response(),
        Err(e) => page.error(c(), e),
    }
}

#[derive(Template)]
#[template(path = "mentoring/overdue.html")]
struct OverduePage<'a> {
    c: Chrome<'a>,
    items: Vec<FollowUp>,
}

/// `GET /follow-ups/overdue`.
pub async fn overdue(page: SignedInPage) -> Response {
    match page
        .app
        .store
        .overdue_follow_ups(page.actor(), page.today())
        .await
    {
        Ok(items) => page.render(
            StatusCode::OK,
            &OverduePage {
                c: page.chrome(),
                items,
            },
        ),
        Err(e) => page.error(page.chrome(), e),
    }
}
