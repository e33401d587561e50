//! Facility P7 on pages: `/financing` (the referrals one may see: a partner its own,
//! staff those of their region), `/financing/referrals/{id}` (with the partner's decision
//! and disbursement forms) and `/financing/partners` (the partners; administrators add
//! them).

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use jakpreneur_core::Permission;
use jakpreneur_store::{
    Decision, PARTNER_KINDS, Partner, Referral, StoreError, parse_disbursement, parse_partner,
};

use super::ctx::{PageCtx, SignedInPage};
use super::{Chrome, rupiah};

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

pub async fn list(Query(q): Query<HashMap<String, String>>, page: SignedInPage) -> Response {
    let status = q
        .get("status")
        .map(|s| s.trim().to_owned())
        .filter(|s| STATUSES.contains(&s.as_str()));
    match page
        .app
        .store
        .list_referrals(page.actor(), status.as_deref())
        .await
    {
        Ok(items) => page.render(
            StatusCode::OK,
            &ListPage {
                c: page.chrome(),
                items,
                statuses: STATUSES,
                status: status.unwrap_or_default(),
            },
        ),
        Err(e) => page.error(page.chrome(), e),
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
    page: &'a PageCtx,
    c: Chrome<'a>,
    id: &str,
) -> Result<ShowPage<'a>, StoreError> {
    let r = page
        .app
        .store
        .referral(page.actor(), referral_id(id)?)
        .await?;
    Ok(ShowPage {
        r,
        can_decide: page.actor().can(Permission::FinancingDecide),
        errors: HashMap::new(),
        values: HashMap::new(),
        c,
    })
}

pub async fn show(Path(id): Path<String>, page: SignedInPage) -> Response {
    match show_page(&page, page.chrome(), &id).await {
        Ok(shown) => page.render(StatusCode::OK, &shown),
        Err(e) => page.error(page.chrome(), e),
    }
}

/// The referral again after one of its forms.
async fn show_after(
    page: &PageCtx,
    id: &str,
    values: HashMap<String, String>,
    outcome: Result<Referral, StoreError>,
) -> Response {
    let path = format!("/financing/referrals/{id}");
    let c = || page.chrome_at(&path);
    let reload = async {
        show_page(page, c(), id)
            .await
            .map_err(|e| page.failure(c(), e))
    };
    page.after_form(outcome.map(|_| path.clone()), reload, |p, errs| {
        p.errors = errs;
        p.values = values;
    })
    .await
    .unwrap_or_else(|e| page.error(c(), e))
}

/// `POST /financing/referrals/{id}/decision`.
pub async fn decide(Path(id): Path<String>, page: SignedInPage, body: Bytes) -> Response {
    if let Some(refused) = page.require(Permission::FinancingDecide) {
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
            page.today(),
        ),
    ) {
        (Err(e), _) => Err(e),
        (Ok(_), Err(errs)) => Err(StoreError::Invalid(errs)),
        (Ok(rid), Ok((d, on))) => {
            page.app
                .store
                .decide_referral(page.actor(), rid, &d, on)
                .await
        }
    };
    show_after(&page, &id, f, outcome).await
}

/// `POST /financing/referrals/{id}/disbursement`.
pub async fn disburse(Path(id): Path<String>, page: SignedInPage, body: Bytes) -> Response {
    if let Some(refused) = page.require(Permission::FinancingDecide) {
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
            page.today(),
        ),
    ) {
        (Err(e), _) => Err(e),
        (Ok(_), Err(errs)) => Err(StoreError::Invalid(errs)),
        (Ok(rid), Ok((amount, reference, on))) => {
            page.app
                .store
                .disburse(page.actor(), rid, amount, &reference, on)
                .await
        }
    };
    show_after(&page, &id, f, outcome).await
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
    page: &'a PageCtx,
    c: Chrome<'a>,
) -> Result<PartnersPage<'a>, StoreError> {
    Ok(PartnersPage {
        items: page.app.store.list_partners(page.actor()).await?,
        kinds: PARTNER_KINDS,
        can_create: page.actor().can(Permission::UserManage),
        errors: HashMap::new(),
        values: HashMap::new(),
        c,
    })
}

pub async fn partners(page: SignedInPage) -> Response {
    match partners_page(&page, page.chrome()).await {
        Ok(shown) => page.render(StatusCode::OK, &shown),
        Err(e) => page.error(page.chrome(), e),
    }
}

/// `POST /financing/partners` (administrators).
pub async fn create_partner(page: SignedInPage, body: Bytes) -> Response {
    if let Some(refused) = page.require(Permission::UserManage) {
        return refused;
    }
    let c = || page.chrome_at("/financing/partners");
    let f = super::form(&body);
    let g = |k: &str| f.get(k).map(String::as_str);
    let outcome = match parse_partner(g("code"), g("name"), g("kind")) {
        Ok(p) => page.app.store.create_partner(page.actor(), &p).await,
        Err(errs) => Err(StoreError::Invalid(errs)),
    };
    let reload = async {
        partners_page(&page, c())
            .await
            .map_err(|e| page.failure(c(), e))
    };
    page.after_form(
        outcome.map(|_| "/financing/partners".to_owned()),
        reload,
        |p, errs| {
            p.errors = errs;
            p.values = f;
        },
    )
    .await
    .unwrap_or_else(|e| page.error(c(), e))
}
