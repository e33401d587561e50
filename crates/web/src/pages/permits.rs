//! Facility P4 on pages: the application and decision forms on the member page, and
//! `/permits/expiring`, the issued permits of one's region that expire soon.

use askama::Template;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use jakpreneur_core::permit::{expiry_window, parse_application};
use jakpreneur_store::{Permit, StoreError};

use super::ctx::{PageCtx, PageQuery, SignedInPage};
use super::member_page::back_to_member;
use super::{Chrome, field_errors};
use crate::params::parse_decision;
use crate::views::{DecidePermit, ExpiringQuery};

/// `POST /members/{member_no}/permits`: a new application.
pub async fn apply(Path(member_no): Path<String>, page: SignedInPage, body: Bytes) -> Response {
    let f = super::form(&body);
    let g = |k: &str| f.get(k).map(String::as_str);
    let outcome = match parse_application(g("type"), g("applied_on"), g("note"), page.today()) {
        Ok((t, on, note)) => page
            .app
            .store
            .apply_permit(page.actor(), &member_no, t, on, note)
            .await
            .map(|_| ()),
        Err(errs) => Err(StoreError::Invalid(errs)),
    };
    finish(&page, &member_no, outcome, f).await
}

/// `POST /members/{member_no}/permits/{id}/decision`.
pub async fn decide(
    Path((member_no, id)): Path<(String, String)>,
    page: SignedInPage,
    body: Bytes,
) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return page.error(page.chrome_at(page.uri.path()), StoreError::NotFound);
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
    let outcome = match parse_decision(&input, page.today()) {
        Ok(d) => page
            .app
            .store
            .decide_permit(page.actor(), &member_no, id, &d)
            .await
            .map(|_| ()),
        Err(errs) => Err(StoreError::Invalid(errs)),
    };
    finish(&page, &member_no, outcome, f).await
}

/// Back to the member's permits; an application already decided is no error.
async fn finish(
    page: &PageCtx,
    member_no: &str,
    outcome: Result<(), StoreError>,
    values: std::collections::HashMap<String, String>,
) -> Response {
    let outcome = match outcome {
        Err(StoreError::PermitDecided(_)) => Ok(()),
        other => other,
    };
    back_to_member(page, member_no, "permits", outcome, |t, errs| {
        t.permit_errors = errs;
        t.permit_values = values;
    })
    .await
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
    page: SignedInPage,
    PageQuery { value: q, raw }: PageQuery<ExpiringQuery>,
) -> Response {
    let mut shown = ExpiringPage {
        c: page.chrome(),
        from: raw.get("from").cloned().unwrap_or_default(),
        to: raw.get("to").cloned().unwrap_or_default(),
        items: Vec::new(),
        errors: Vec::new(),
    };
    let (from, to) = match expiry_window(q.from.as_deref(), q.to.as_deref(), page.today()) {
        Ok(w) => w,
        Err(errs) => {
            shown.errors = field_errors(page.tr(), &errs).into_values().collect();
            return page.render(StatusCode::UNPROCESSABLE_ENTITY, &shown);
        }
    };
    shown.from = from.to_string();
    shown.to = to.to_string();
    match page
        .app
        .store
        .expiring_permits(page.actor(), from, to)
        .await
    {
        Ok(items) => {
            shown.items = items;
            page.render(StatusCode::OK, &shown)
        }
        Err(e) => page.error(page.chrome_at(page.uri.path()), e),
    }
}
