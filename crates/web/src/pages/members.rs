//! Member pages: the list with filters and keyset paging, the registration form (inline
//! errors, values kept), and one member's page.

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use jakpreneur_core::Scope;
use jakpreneur_core::member::parse_withdrawal_reason;
use jakpreneur_core::reference::reference;
use jakpreneur_core::{MemberDraft, NewMember, Permission, RegionLevel};
use jakpreneur_store::StoreError;

use super::ctx::{PageCtx, PageQuery, SignedInPage};
use super::member_page::{no_store, region_name, show_page};
use super::{Choice, ChoiceGroup, Chrome, field_errors};
use crate::i18n::Tr;
use crate::params::parse_member_query;
use crate::views::{MemberExportView, MemberQuery};

/// The villages `scope` may register members in, grouped by district and labelled with
/// their city: a Gambir officer chooses among Gambir's villages only.
fn village_groups(scope: &Scope) -> Vec<ChoiceGroup> {
    let r = reference();
    r.regions_at(RegionLevel::District)
        .filter(|d| scope.overlaps(&d.code))
        .map(|d| ChoiceGroup {
            label: format!(
                "{} — {}",
                d.name,
                d.parent_code
                    .as_deref()
                    .map(region_name)
                    .unwrap_or_default()
            ),
            choices: r
                .children(&d.code)
                .filter(|v| scope.overlaps(&v.code))
                .map(|v| Choice {
                    value: v.code.clone(),
                    label: v.name.clone(),
                })
                .collect(),
        })
        .collect()
}

/// Province, cities and districts (indented) for the list filter.
fn region_choices() -> Vec<Choice> {
    let r = reference();
    let mut out = Vec::new();
    for reg in &r.regions {
        let indent = match reg.level {
            RegionLevel::Province => "",
            RegionLevel::City => "\u{a0}\u{a0}",
            RegionLevel::District => "\u{a0}\u{a0}\u{a0}\u{a0}",
            RegionLevel::Village => continue,
        };
        out.push(Choice {
            value: reg.code.clone(),
            label: format!("{indent}{}", reg.name),
        });
    }
    out
}

fn sector_choices(tr: Tr<'_>) -> Vec<Choice> {
    reference()
        .sectors
        .iter()
        .map(|s| Choice {
            value: s.code.clone(),
            label: format!("{} ({})", super::names::sector(&tr, &s.code), s.code),
        })
        .collect()
}

/// The list's header counts this far and then says "more than".
const COUNT_CAP: i64 = 100_000;

/// A member row of the list page.
pub struct Row {
    pub member_no: String,
    pub business_name: String,
    pub full_name: String,
    pub place: String,
    pub sector: String,
    pub registered_on: String,
    pub status: String,
    pub withdrawn: bool,
}

#[derive(Template)]
#[template(path = "members/list.html")]
struct ListPage<'a> {
    c: Chrome<'a>,
    q: HashMap<String, String>,
    regions: Vec<Choice>,
    sectors: Vec<Choice>,
    rows: Vec<Row>,
    errors: Vec<(String, String)>,
    next_href: Option<String>,
    is_first_page: bool,
    /// The reader may look a member up by NIK.
    can_find_nik: bool,
    /// How many members the filter finds in all, written out.
    total: String,
    /// The filters as hidden fields, for the export form.
    kept: Vec<(String, String)>,
}

impl ListPage<'_> {
    fn v(&self, name: &str) -> &str {
        self.q.get(name).map_or("", String::as_str)
    }
}

pub async fn list(
    page: SignedInPage,
    PageQuery { value: query, raw }: PageQuery<MemberQuery>,
) -> Response {
    let tr = page.tr();
    let mut list = ListPage {
        regions: region_choices(),
        sectors: sector_choices(tr),
        rows: Vec::new(),
        errors: Vec::new(),
        next_href: None,
        is_first_page: query.after.is_none(),
        can_find_nik: page.actor().can(jakpreneur_core::Permission::MemberReadNik),
        total: String::new(),
        kept: raw
            .iter()
            .filter(|(k, v)| {
                !v.is_empty()
                    && matches!(
                        k.as_str(),
                        "q" | "region"
                            | "sector"
                            | "status"
                            | "registered_from"
                            | "registered_to"
                            | "sort"
                    )
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        q: raw,
        c: page.chrome(),
    };
    let (filter, paging) = match parse_member_query(&query) {
        Ok(v) => v,
        Err(errs) => {
            list.errors = field_errors(tr, &errs).into_iter().collect();
            return page.render(StatusCode::UNPROCESSABLE_ENTITY, &list);
        }
    };
    let store = &page.app.store;
    let (listed, counted) = tokio::join!(
        store.list_members(page.actor(), &filter, paging),
        store.count_members_matching(page.actor(), &filter, COUNT_CAP)
    );
    match listed.and_then(|p| counted.map(|n| (p, n))) {
        Ok((p, n)) => {
            list.total = if n > COUNT_CAP {
                format!("{}+", tr.count(&COUNT_CAP))
            } else {
                tr.count(&n)
            };
            list.rows = p
                .items
                .into_iter()
                .map(|m| Row {
                    place: super::names::village_in_district(&tr, &m.village_code),
                    sector: super::names::sector(&tr, &m.sector),
                    registered_on: tr.date(&m.registered_on),
                    status: tr.t(&format!("value.status_{}", m.status)).to_owned(),
                    withdrawn: m.status == jakpreneur_core::Status::Withdrawn,
                    member_no: m.member_no,
                    business_name: m.business_name,
                    full_name: m.personal.map(|p| p.full_name).unwrap_or_default(),
                })
                .collect();
            list.next_href = p.next.map(|n| {
                let mut s = form_urlencoded::Serializer::new(String::new());
                for (k, v) in &list.q {
                    if k != "after" && k != "lang" && !v.is_empty() {
                        s.append_pair(k, v);
                    }
                }
                s.append_pair("after", &n.to_string());
                format!("/members?{}", s.finish())
            });
            page.render(StatusCode::OK, &list)
        }
        Err(e) => page.error(page.chrome(), e),
    }
}

#[derive(Template)]
#[template(path = "members/new.html")]
pub(super) struct NewPage<'a> {
    pub c: Chrome<'a>,
    pub values: HashMap<String, String>,
    pub errors: HashMap<String, String>,
    villages: Vec<ChoiceGroup>,
    sectors: Vec<Choice>,
    pub existing_member_no: Option<String>,
    today: String,
    /// Correcting this member (its number) rather than registering a new one.
    pub editing: Option<String>,
    /// The version the form was filled from, checked when it is saved.
    pub version: i64,
    /// The record changed since the form was opened: its version now.
    pub stale: Option<i64>,
}

impl NewPage<'_> {
    fn v(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }

    fn err(&self, name: &str) -> &str {
        self.errors.get(name).map_or("", String::as_str)
    }

    fn has_err(&self, name: &str) -> bool {
        self.errors.contains_key(name)
    }
}

pub(super) fn new_page<'a>(page: &'a PageCtx, values: HashMap<String, String>) -> NewPage<'a> {
    NewPage {
        c: page.chrome(),
        values,
        errors: HashMap::new(),
        villages: village_groups(&page.actor().scope),
        sectors: sector_choices(page.tr()),
        existing_member_no: None,
        today: page.today().to_string(),
        editing: None,
        version: 0,
        stale: None,
    }
}

/// The form is offered only to roles that may register.
fn may_register(page: &PageCtx) -> Option<Response> {
    (!page.actor().can(Permission::MemberRegister))
        .then(|| page.error(page.chrome(), StoreError::Forbidden(String::new())))
}

pub async fn new_form(page: SignedInPage) -> Response {
    if let Some(r) = may_register(&page) {
        return r;
    }
    page.render(StatusCode::OK, &new_page(&page, HashMap::new()))
}

pub async fn create(page: SignedInPage, body: Bytes) -> Response {
    if let Some(r) = may_register(&page) {
        return r;
    }
    let tr = page.tr();
    let values = super::form(&body);
    let get = |k: &str| values.get(k).cloned();
    let draft = MemberDraft {
        nik: get("nik"),
        full_name: get("full_name"),
        birth_date: get("birth_date"),
        sex: get("sex"),
        phone: get("phone"),
        email: get("email"),
        address: get("address"),
        village_code: get("village_code"),
        business_name: get("business_name"),
        sector: get("sector"),
        channel: get("channel"),
        registered_on: get("registered_on"),
        consent: Some(values.get("consent").is_some_and(|v| v == "yes")),
    };
    let mut form = new_page(&page, values);
    let new = match NewMember::parse_registration(&draft, page.today()) {
        Ok(m) => m,
        Err(errs) => {
            form.errors = field_errors(tr, &errs);
            return page.render(StatusCode::UNPROCESSABLE_ENTITY, &form);
        }
    };
    match page.app.store.register_member(page.actor(), &new).await {
        Ok(m) => Redirect::to(&format!("/members/{}?registered=1", m.member_no)).into_response(),
        Err(StoreError::DuplicateNik { member_no }) => {
            form.errors
                .insert("nik".into(), tr.t("error.duplicate_nik").to_owned());
            form.existing_member_no = member_no;
            page.render(StatusCode::CONFLICT, &form)
        }
        Err(StoreError::Forbidden(_)) => {
            form.errors
                .insert("village_code".into(), tr.t("error.forbidden").to_owned());
            page.render(StatusCode::FORBIDDEN, &form)
        }
        Err(e) => page.failure(form.c, e),
    }
}

/// Everything held about the member, as a JSON download (audited). A POST, like the
/// NIK reveal: an audited act must be deliberate, never a prefetched link.
pub async fn export(Path(member_no): Path<String>, page: SignedInPage) -> Response {
    match page.app.store.export_member(page.actor(), &member_no).await {
        Ok(export) => {
            let name = export.member.member_no.clone();
            let body = match serde_json::to_string_pretty(&MemberExportView::from(export)) {
                Ok(b) => b,
                Err(e) => {
                    tracing::error!(error = %e, "export did not serialise");
                    return page.failure(
                        page.plain_chrome(page.uri.path(), None),
                        StoreError::Corrupt("export".into()),
                    );
                }
            };
            no_store(
                (
                    [
                        (header::CONTENT_TYPE, "application/json".to_owned()),
                        (
                            header::CONTENT_DISPOSITION,
                            format!("attachment; filename=\"{name}.json\""),
                        ),
                    ],
                    body,
                )
                    .into_response(),
            )
        }
        Err(e) => page.error(page.chrome(), e),
    }
}

/// Erases the member's personal data (administrators), after a reason is given.
pub async fn erase(Path(member_no): Path<String>, page: SignedInPage, body: Bytes) -> Response {
    let tr = page.tr();
    let values = super::form(&body);
    let reason = match parse_withdrawal_reason(values.get("reason").map(String::as_str)) {
        Ok(r) => r,
        Err(_) => {
            return match page
                .app
                .store
                .get_member(page.actor(), &member_no, false)
                .await
            {
                Ok(m) => {
                    let mut shown = show_page(page.chrome(), &page.caller, m, false);
                    shown.erase_error = Some(tr.t("error.reason_required").to_owned());
                    no_store(page.render(StatusCode::UNPROCESSABLE_ENTITY, &shown))
                }
                Err(e) => page.error(page.chrome(), e),
            };
        }
    };
    match page
        .app
        .store
        .erase_member(page.actor(), &member_no, &reason, page.today())
        .await
    {
        Ok(m) => Redirect::to(&format!("/members/{}", m.member_no)).into_response(),
        Err(StoreError::Erased) => Redirect::to(&format!("/members/{member_no}")).into_response(),
        Err(e) => page.error(page.chrome(), e),
    }
}

/// `POST /members/find`: the header's search box (`q`) and the members list's NIK form
/// (`nik`). A NIK is typed in a form, never put in a URL: sixteen digits in `q` are looked
/// up as a NIK (by its keyed hash, within the reader's scope, audited); anything else goes
/// on to the members list's search (number, phone, name, business).
pub async fn find(page: SignedInPage, body: Bytes) -> Response {
    let tr = page.tr();
    let values = super::form(&body);
    let nik_text = match (values.get("nik"), values.get("q")) {
        (Some(n), _) => n.clone(),
        // Digits in groups (`317101 010190 0001`) are one NIK.
        (None, Some(q)) if looks_like_nik(q) && !q.contains(['e', 'E']) => {
            q.chars().filter(char::is_ascii_digit).collect()
        }
        (None, Some(q)) if looks_like_nik(q) => q.clone(),
        (None, Some(q)) => {
            let q = q.trim();
            let to = if q.is_empty() {
                "/members".to_owned()
            } else {
                format!(
                    "/members?{}",
                    form_urlencoded::Serializer::new(String::new())
                        .append_pair("q", q)
                        .finish()
                )
            };
            return Redirect::to(&to).into_response();
        }
        (None, None) => String::new(),
    };
    if !page.actor().can(jakpreneur_core::Permission::MemberReadNik) {
        return page.error(
            page.chrome(),
            StoreError::Forbidden("the role may not look members up by NIK".into()),
        );
    }
    let nik = match jakpreneur_core::Nik::parse(&nik_text) {
        Ok(n) => n,
        Err(e) => {
            return super::message(
                StatusCode::UNPROCESSABLE_ENTITY,
                page.lang,
                page.chrome(),
                tr.t("members.find_nik"),
                &tr.error(e.code, &e.message),
            );
        }
    };
    match page.app.store.find_member_by_nik(page.actor(), &nik).await {
        Ok(Some(m)) => {
            axum::response::Redirect::to(&format!("/members/{}", m.member_no)).into_response()
        }
        Ok(None) => super::message(
            StatusCode::NOT_FOUND,
            page.lang,
            page.chrome(),
            tr.t("members.find_nik"),
            tr.t("members.nik_not_found"),
        ),
        Err(e) => page.error(page.chrome(), e),
    }
}

/// Sixteen digits, perhaps with spaces or dots between groups, or Excel's `3.17101E+15`:
/// what a person types when searching by NIK. Such text never travels in a URL.
fn looks_like_nik(q: &str) -> bool {
    let q = q.trim();
    let digits = q.chars().filter(char::is_ascii_digit).count();
    let only = q
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-'));
    (only && digits == 16)
        || (q.contains(['e', 'E'])
            && q.starts_with(|c: char| c.is_ascii_digit())
            && digits >= 3
            && q.len() <= 20
            && q.chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | 'e' | 'E' | '+')))
}
