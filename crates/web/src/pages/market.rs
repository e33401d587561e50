//! Facility P5 on pages: `/market-events` (upcoming bazaars, exhibitions and outlets, with
//! the form to create one and its monthly repeats) and `/market-events/{id}` (the
//! participants one's region reaches, with the form to add a member).

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jakpreneur_core::Permission;
use jakpreneur_store::{MarketEvent, NewMarketEvent, StoreError};

use super::{Chrome, field_errors, login_redirect, page_error, render, store_failure};
use crate::AppState;
use crate::i18n::PageLang;
use crate::security::Caller;

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

async fn list_page<'a>(
    app: &AppState,
    caller: &Caller,
    c: Chrome<'a>,
) -> Result<ListPage<'a>, StoreError> {
    Ok(ListPage {
        items: app
            .store
            .list_market_events(&caller.actor, app.clock.today())
            .await?,
        can_create: caller.actor.can(Permission::EventRecord),
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

pub async fn create(
    State(app): State<AppState>,
    caller: Caller,
    lang: PageLang,
    OriginalUri(uri): OriginalUri,
    body: Bytes,
) -> Response {
    if caller.actor.is_anonymous() {
        return login_redirect(&uri);
    }
    let tr = app.i18n.tr(lang.lang);
    let c = || Chrome::new(tr, "/market-events", None).for_caller(&caller);
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
        Ok(m) => app
            .store
            .create_market_events(&caller.actor, &m)
            .await
            .map(|_| ()),
        Err(errs) => Err(StoreError::Invalid(errs)),
    };
    match outcome {
        Ok(()) => Redirect::to("/market-events").into_response(),
        Err(StoreError::Invalid(errs)) => match list_page(&app, &caller, c()).await {
            Ok(mut page) => {
                page.errors = field_errors(tr, &errs);
                page.values = f;
                render(StatusCode::UNPROCESSABLE_ENTITY, lang, &page)
            }
            Err(e) => store_failure(lang, c(), e),
        },
        Err(e) => page_error(lang, c(), e),
    }
}

#[derive(Template)]
#[template(path = "market/show.html")]
struct ShowPage<'a> {
    c: Chrome<'a>,
    m: MarketEvent,
    participants: Vec<(String, String, String)>,
    can_add: bool,
    error: Option<String>,
}

async fn show_page<'a>(
    app: &AppState,
    caller: &Caller,
    c: Chrome<'a>,
    id: i64,
) -> Result<ShowPage<'a>, StoreError> {
    let participants = app.store.market_participants(&caller.actor, id).await?;
    Ok(ShowPage {
        m: app.store.market_event(id).await?,
        participants,
        can_add: caller.actor.can(Permission::EventRecord),
        error: None,
        c,
    })
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
    let Ok(id) = id.parse::<i64>() else {
        return page_error(lang, c(), StoreError::NotFound);
    };
    match show_page(&app, &caller, c(), id).await {
        Ok(page) => render(StatusCode::OK, lang, &page),
        Err(e) => page_error(lang, c(), e),
    }
}

pub async fn add(
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
    let tr = app.i18n.tr(lang.lang);
    let c = || Chrome::new(tr, uri.path(), None).for_caller(&caller);
    let Ok(id) = id.parse::<i64>() else {
        return page_error(lang, c(), StoreError::NotFound);
    };
    let f = super::form(&body);
    let no = f
        .get("member_no")
        .map(|s| s.trim().to_owned())
        .unwrap_or_default();
    let outcome = if no.is_empty() {
        Err(StoreError::Invalid(
            jakpreneur_core::FieldError::required("member_no").into(),
        ))
    } else {
        app.store
            .add_market_participant(&caller.actor, id, &no)
            .await
            .map(|_| ())
    };
    let message = match outcome {
        Ok(()) => return Redirect::to(&format!("/market-events/{id}")).into_response(),
        Err(StoreError::Invalid(errs)) => field_errors(tr, &errs)
            .into_values()
            .collect::<Vec<_>>()
            .join(" "),
        Err(StoreError::NotFound) => tr.t("members.not_found").to_owned(),
        Err(e @ StoreError::Forbidden(_)) => {
            return page_error(lang, c(), e);
        }
        Err(StoreError::Erased) => tr.t("error.member_erased").to_owned(),
        Err(e) => return store_failure(lang, c(), e),
    };
    match show_page(&app, &caller, c(), id).await {
        Ok(mut page) => {
            page.error = Some(message);
            render(StatusCode::UNPROCESSABLE_ENTITY, lang, &page)
        }
        Err(e) => page_error(lang, c(), e),
    }
}
