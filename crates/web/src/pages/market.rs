//! Facility P5 on pages: `/market-events` (upcoming bazaars, exhibitions and outlets, with
//! the form to create one and its monthly repeats) and `/market-events/{id}` (the
//! participants one's region reaches, with the form to add a member).

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jakpreneur_core::Permission;
use jakpreneur_store::{MarketEvent, NewMarketEvent, StoreError};

use super::ctx::{PageCtx, SignedInPage};
use super::{Chrome, field_errors};

#[derive(Template)]
#[template(path = "market/list.html")]
struct ListPage<'a> {
    c: Chrome<'a>,
    items: Vec<MarketEvent>,
    can_create: bool,
    errors: HashMap<String, String>,
    values: HashMap<String, String>,
}

impl ListPage<'_> {
    fn v(&self, k: &str) -> &str {
        self.values.get(k).map_or("", String::as_str)
    }
    fn err(&self, k: &str) -> &str {
        self.errors.get(k).map_or("", String::as_str)
    }
}

async fn list_page<'a>(page: &'a PageCtx, c: Chrome<'a>) -> Result<ListPage<'a>, StoreError> {
    Ok(ListPage {
        items: page
            .app
            .store
            .list_market_events(page.actor(), page.today())
            .await?,
        can_create: page.actor().can(Permission::EventRecord),
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

pub async fn create(page: SignedInPage, body: Bytes) -> Response {
    let c = || page.chrome_at("/market-events");
    let f = super::form(&body);
    let g = |k: &str| f.get(k).map(String::as_str);
    let outcome = match NewMarketEvent::parse(
        g("kind"),
        g("name"),
        g("level"),
        g("place_code"),
        g("starts_on"),
        g("ends_on"),
        g("repeat_monthly"),
    ) {
        Ok(m) => page
            .app
            .store
            .create_market_events(page.actor(), &m)
            .await
            .map(|_| "/market-events".to_owned()),
        Err(errs) => Err(StoreError::Invalid(errs)),
    };
    let reload = async {
        list_page(&page, c())
            .await
            .map_err(|e| page.failure(c(), e))
    };
    page.after_form(outcome, reload, |p, errs| {
        p.errors = errs;
        p.values = f;
    })
    .await
    .unwrap_or_else(|e| page.error(c(), e))
}

#[derive(Template)]
#[template(path = "market/show.html")]
struct ShowPage<'a> {
    c: Chrome<'a>,
    m: MarketEvent,
    participants: Vec<(String, String, String)>,
    /// Booth applications and their allocation, when the reader may see them.
    allocation: jakpreneur_store::Allocation,
    can_add: bool,
    /// Members (their own) and staff apply for a booth.
    can_apply: bool,
    error: Option<String>,
}

async fn show_page<'a>(
    page: &'a PageCtx,
    c: Chrome<'a>,
    id: i64,
) -> Result<ShowPage<'a>, StoreError> {
    let participants = page.app.store.market_participants(page.actor(), id).await?;
    Ok(ShowPage {
        m: page.app.store.market_event(id).await?,
        participants,
        allocation: page.app.store.allocation(page.actor(), id).await?,
        can_add: page.actor().can(Permission::EventRecord),
        can_apply: page.actor().can(Permission::EventRecord)
            || page.actor().can(Permission::ProductManage),
        error: None,
        c,
    })
}

pub async fn show(Path(id): Path<String>, page: SignedInPage) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return page.error(page.chrome(), StoreError::NotFound);
    };
    match show_page(&page, page.chrome(), id).await {
        Ok(shown) => page.render(StatusCode::OK, &shown),
        Err(e) => page.error(page.chrome(), e),
    }
}

pub async fn add(Path(id): Path<String>, page: SignedInPage, body: Bytes) -> Response {
    member_form(&id, &page, &body, MemberForm::Participant).await
}

/// A member applies for a booth.
pub async fn apply(Path(id): Path<String>, page: SignedInPage, body: Bytes) -> Response {
    member_form(&id, &page, &body, MemberForm::Application).await
}

/// The two forms on a market event's page that name one member.
enum MemberForm {
    Participant,
    Application,
}

async fn member_form(id: &str, page: &PageCtx, body: &Bytes, form: MemberForm) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return page.error(page.chrome(), StoreError::NotFound);
    };
    let store = &page.app.store;
    let outcome = match (member_no_of(body), form) {
        (Ok(no), MemberForm::Participant) => store
            .add_market_participant(page.actor(), id, &no)
            .await
            .map(|_| ()),
        (Ok(no), MemberForm::Application) => store
            .apply_for_booth(page.actor(), id, &no)
            .await
            .map(|_| ()),
        (Err(e), _) => Err(e),
    };
    finish(page, id, outcome).await
}

/// The booths allocated among the applicants with a published seed.
pub async fn allocate(Path(id): Path<String>, page: SignedInPage, body: Bytes) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return page.error(page.chrome(), StoreError::NotFound);
    };
    if let Some(refused) = page.require(Permission::EventRecord) {
        return refused;
    }
    let f = super::form(&body);
    let mut errs = jakpreneur_core::ValidationErrors::default();
    let seed = errs.take(jakpreneur_store::parse_seed(
        f.get("seed").map(String::as_str),
    ));
    let booths = errs.take(jakpreneur_core::text::parse_int(
        "booths",
        f.get("booths").map_or("", String::as_str),
        1,
        10_000,
    ));
    let outcome = match (seed, booths) {
        (Some(seed), Some(booths)) => page
            .app
            .store
            .allocate_booths(page.actor(), id, booths, &seed)
            .await
            .map(|_| ()),
        _ => Err(StoreError::Invalid(errs)),
    };
    finish(&page, id, outcome).await
}

fn member_no_of(body: &Bytes) -> Result<String, StoreError> {
    let no = super::form(body)
        .get("member_no")
        .map(|s| s.trim().to_owned())
        .unwrap_or_default();
    if no.is_empty() {
        Err(StoreError::Invalid(
            jakpreneur_core::FieldError::required("member_no").into(),
        ))
    } else {
        Ok(no)
    }
}

/// Ends a form on the market event's page: back to it, or the page again with the reason.
async fn finish(page: &PageCtx, id: i64, outcome: Result<(), StoreError>) -> Response {
    let tr = page.tr();
    let c = || page.chrome_at(page.uri.path());
    let message = match outcome {
        Ok(()) => return Redirect::to(&format!("/market-events/{id}")).into_response(),
        Err(StoreError::Invalid(errs)) => field_errors(tr, &errs)
            .into_values()
            .collect::<Vec<_>>()
            .join(" "),
        Err(StoreError::NotFound) => tr.t("members.not_found").to_owned(),
        Err(e @ StoreError::Forbidden(_)) => {
            return page.error(c(), e);
        }
        Err(StoreError::Erased) => tr.t("error.member_erased").to_owned(),
        Err(e) => return page.failure(c(), e),
    };
    match show_page(page, c(), id).await {
        Ok(mut shown) => {
            shown.error = Some(message);
            page.render(StatusCode::UNPROCESSABLE_ENTITY, &shown)
        }
        Err(e) => page.error(c(), e),
    }
}
