//! Facility P7 on pages: `/financing` (the referrals one may see: a partner its own,
//! staff those of their region), `/financing/referrals/{id}` (with the partner's decision
//! and disbursement forms) and `/financing/partners` (the partners; administrators add
//! them).

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jakpreneur_core::Permission;
use jakpreneur_store::{
    Decision, PARTNER_KINDS, Partner, Referral, StoreError, parse_disbursement, parse_partner,
};

use super::{
    Chrome, field_errors, login_redirect, page_error, render, require_page, rupiah, store_failure,
};
use crate::AppState;
use crate::i18n::PageLang;
use crate::security::Caller;

const STATUSES: [&str; 4] = ["referred", "approved", "rejected", "disbursed"];

#[derive(Template)]
#[template(path = "financing/list.html")]
struct ListPage<'a> {
    c: Chrome<'a>,
    items: Vec<Referral>,
    statuses: [&'static str; 4],
    status: String,
}

impl ListPage<'_> {
    fn rp(&self, n: &i64) -> String {
        rupiah(*n)
    }
}

pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    lang: PageLang,
    OriginalUri(uri): OriginalUri,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if caller.actor.is_anonymous() {
        return login_redirect(&uri);
    }
    let tr = app.i18n.tr(lang.lang);
    let c = || Chrome::new(tr, uri.path(), uri.query()).for_caller(&caller);
    let status = q
        .get("status")
        .map(|s| s.trim().to_owned())
        .filter(|s| STATUSES.contains(&s.as_str()));
    match app
        .store
        .list_referrals(&caller.actor, status.as_deref())
        .await
    {
        Ok(items) => render(
            StatusCode::OK,
            lang,
            &ListPage {
                c: c(),
                items,
                statuses: STATUSES,
                status: status.unwrap_or_default(),
            },
        ),
        Err(e) => page_error(lang, c(), e),
    }
}

#[derive(Template)]
#[template(path = "financing/show.html")]
struct ShowPage<'a> {
    c: Chrome<'a>,
    r: Referral,
    can_decide: bool,
    errors: HashMap<String, String>,
    values: HashMap<String, String>,
}

impl ShowPage<'_> {
    fn rp(&self, n: &i64) -> String {
        rupiah(*n)
    }
    fn v(&self, k: &str) -> &str {
        self.values.get(k).map_or("", String::as_str)
    }
    fn err(&self, k: &str) -> &str {
        self.errors.get(k).map_or("", String::as_str)
    }
    /// Errors not shown beside a field of the forms (e.g. `already_decided`).
    fn general_errors(&self) -> Vec<&str> {
        const FIELDS: [&str; 7] = [
            "decision",
            "amount_approved",
            "reason",
            "decided_on",
            "amount",
            "loan_reference",
            "disbursed_on",
        ];
        super::timeline::general(&self.errors, &FIELDS)
    }
}

fn referral_id(raw: &str) -> Result<i64, StoreError> {
    raw.parse::<i64>().map_err(|_| StoreError::NotFound)
}

async fn show_page<'a>(
    app: &AppState,
    caller: &Caller,
    c: Chrome<'a>,
    id: &str,
) -> Result<ShowPage<'a>, StoreError> {
    let r = app.store.referral(&caller.actor, referral_id(id)?).await?;
    Ok(ShowPage {
        r,
        can_decide: caller.actor.can(Permission::FinancingDecide),
        errors: HashMap::new(),
        values: HashMap::new(),
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
    match show_page(&app, &caller, c(), &id).await {
        Ok(page) => render(StatusCode::OK, lang, &page),
        Err(e) => page_error(lang, c(), e),
    }
}

async fn show_after(
    app: &AppState,
    caller: &Caller,
    lang: PageLang,
    id: &str,
    values: HashMap<String, String>,
    outcome: Result<Referral, StoreError>,
) -> Response {
    let tr = app.i18n.tr(lang.lang);
    let path = format!("/financing/referrals/{id}");
    let c = || Chrome::new(tr, &path, None).for_caller(caller);
    match outcome {
        Ok(_) => Redirect::to(&path).into_response(),
        Err(StoreError::Invalid(errs)) => match show_page(app, caller, c(), id).await {
            Ok(mut page) => {
                page.errors = field_errors(tr, &errs);
                page.values = values;
                render(StatusCode::UNPROCESSABLE_ENTITY, lang, &page)
            }
            Err(e) => store_failure(lang, c(), e),
        },
        Err(e) => page_error(lang, c(), e),
    }
}

/// `POST /financing/referrals/{id}/decision`.
pub async fn decide(
    State(app): State<AppState>,
    caller: Caller,
    lang: PageLang,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    if let Some(refused) = require_page(&app, lang, &caller, &uri, Permission::FinancingDecide) {
        return refused;
    }
    let f = super::form(&body);
    let g = |k: &str| f.get(k).map(String::as_str);
    let outcome = match (
        referral_id(&id),
        Decision::parse(
            g("decision"),
            g("amount_approved"),
            g("reason"),
            g("decided_on"),
            app.clock.today(),
        ),
    ) {
        (Err(e), _) => Err(e),
        (Ok(_), Err(errs)) => Err(StoreError::Invalid(errs)),
        (Ok(rid), Ok((d, on))) => app.store.decide_referral(&caller.actor, rid, &d, on).await,
    };
    show_after(&app, &caller, lang, &id, f, outcome).await
}

/// `POST /financing/referrals/{id}/disbursement`.
pub async fn disburse(
    State(app): State<AppState>,
    caller: Caller,
    lang: PageLang,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    if let Some(refused) = require_page(&app, lang, &caller, &uri, Permission::FinancingDecide) {
        return refused;
    }
    let f = super::form(&body);
    let g = |k: &str| f.get(k).map(String::as_str);
    let outcome = match (
        referral_id(&id),
        parse_disbursement(
            g("amount"),
            g("loan_reference"),
            g("disbursed_on"),
            app.clock.today(),
        ),
    ) {
        (Err(e), _) => Err(e),
        (Ok(_), Err(errs)) => Err(StoreError::Invalid(errs)),
        (Ok(rid), Ok((amount, reference, on))) => {
            app.store
                .disburse(&caller.actor, rid, amount, &reference, on)
                .await
        }
    };
    show_after(&app, &caller, lang, &id, f, outcome).await
}

#[derive(Template)]
#[template(path = "financing/partners.html")]
struct PartnersPage<'a> {
    c: Chrome<'a>,
    items: Vec<Partner>,
    kinds: [&'static str; 4],
    can_create: bool,
    errors: HashMap<String, String>,
    values: HashMap<String, String>,
}

impl PartnersPage<'_> {
    fn v(&self, k: &str) -> &str {
        self.values.get(k).map_or("", String::as_str)
    }
    fn err(&self, k: &str) -> &str {
        self.errors.get(k).map_or("", String::as_str)
    }
}

async fn partners_page<'a>(
    app: &AppState,
    caller: &Caller,
    c: Chrome<'a>,
) -> Result<PartnersPage<'a>, StoreError> {
    Ok(PartnersPage {
        items: app.store.list_partners(&caller.actor).await?,
        kinds: PARTNER_KINDS,
        can_create: caller.actor.can(Permission::UserManage),
        errors: HashMap::new(),
        values: HashMap::new(),
        c,
    })
}

pub async fn partners(
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
    match partners_page(&app, &caller, c()).await {
        Ok(page) => render(StatusCode::OK, lang, &page),
        Err(e) => page_error(lang, c(), e),
    }
}

/// `POST /financing/partners` (administrators).
pub async fn create_partner(
    State(app): State<AppState>,
    caller: Caller,
    lang: PageLang,
    OriginalUri(uri): OriginalUri,
    body: Bytes,
) -> Response {
    if let Some(refused) = require_page(&app, lang, &caller, &uri, Permission::UserManage) {
        return refused;
    }
    let tr = app.i18n.tr(lang.lang);
    let c = || Chrome::new(tr, "/financing/partners", None).for_caller(&caller);
    let f = super::form(&body);
    let g = |k: &str| f.get(k).map(String::as_str);
    let outcome = match parse_partner(g("code"), g("name"), g("kind")) {
        Ok(p) => app.store.create_partner(&caller.actor, &p).await,
        Err(errs) => Err(StoreError::Invalid(errs)),
    };
    match outcome {
        Ok(_) => Redirect::to("/financing/partners").into_response(),
        Err(StoreError::Invalid(errs)) => match partners_page(&app, &caller, c()).await {
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
