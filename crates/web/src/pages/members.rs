//! Member pages: the list with filters and keyset paging, the registration form (inline
//! errors, values kept), and one member's page.

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use jakpreneur_core::member::parse_withdrawal_reason;
use jakpreneur_core::reference::reference;
use jakpreneur_core::{MemberDraft, NewMember, Permission, RegionLevel};
use jakpreneur_store::{Member, StoreError};

use super::{Chrome, field_errors, login_redirect, page_error, render, store_failure};
use crate::AppState;
use crate::api::members::parse_member_query;
use crate::i18n::{PageLang, Tr};
use crate::security::Caller;
use crate::views::{MemberExportView, MemberQuery};

/// One `<option>`: value and label.
#[derive(Debug)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// An `<optgroup>` of choices.
#[derive(Debug)]
pub struct ChoiceGroup {
    pub label: String,
    pub choices: Vec<Choice>,
}

fn region_name(code: &str) -> String {
    reference()
        .region(code)
        .map_or_else(|| code.to_owned(), |r| r.name.clone())
}

/// Villages grouped by district, labelled with their city, for the registration form.
fn village_groups() -> Vec<ChoiceGroup> {
    let r = reference();
    r.regions_at(RegionLevel::District)
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
                .map(|v| Choice {
                    value: v.code.clone(),
                    label: format!("{} ({})", v.name, v.code),
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
            label: format!(
                "{} — {}",
                s.code,
                if tr.lang == crate::i18n::Lang::En {
                    &s.name_en
                } else {
                    &s.name_id
                }
            ),
        })
        .collect()
}

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
}

impl ListPage<'_> {
    fn v(&self, name: &str) -> &str {
        self.q.get(name).map_or("", String::as_str)
    }
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
    let c = Chrome::new(tr, uri.path(), uri.query()).for_caller(&caller);
    let q: HashMap<String, String> = uri
        .query()
        .map(|s| form_urlencoded::parse(s.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    let get = |k: &str| q.get(k).cloned().filter(|s| !s.trim().is_empty());
    let query = MemberQuery {
        region: get("region"),
        registered_from: get("registered_from"),
        registered_to: get("registered_to"),
        sector: get("sector"),
        status: get("status"),
        q: get("q"),
        limit: get("limit"),
        after: get("after"),
    };
    let mut page = ListPage {
        regions: region_choices(),
        sectors: sector_choices(tr),
        rows: Vec::new(),
        errors: Vec::new(),
        next_href: None,
        is_first_page: query.after.is_none(),
        q,
        c,
    };
    let (filter, paging) = match parse_member_query(&query) {
        Ok(v) => v,
        Err(errs) => {
            page.errors = field_errors(tr, &errs).into_iter().collect();
            return render(StatusCode::UNPROCESSABLE_ENTITY, lang, &page);
        }
    };
    match app.store.list_members(&caller.actor, &filter, paging).await {
        Ok(p) => {
            page.rows = p
                .items
                .into_iter()
                .map(|m| Row {
                    place: format!(
                        "{}, {}",
                        region_name(&m.village_code),
                        region_name(&m.district_code)
                    ),
                    sector: m.sector.clone(),
                    registered_on: m.registered_on.to_string(),
                    status: tr.t(&format!("value.status_{}", m.status)).to_owned(),
                    withdrawn: m.status == jakpreneur_core::Status::Withdrawn,
                    member_no: m.member_no,
                    business_name: m.business_name,
                    full_name: m.personal.map(|p| p.full_name).unwrap_or_default(),
                })
                .collect();
            page.next_href = p.next.map(|n| {
                let mut s = form_urlencoded::Serializer::new(String::new());
                for (k, v) in &page.q {
                    if k != "after" && k != "lang" && !v.is_empty() {
                        s.append_pair(k, v);
                    }
                }
                s.append_pair("after", &n.to_string());
                format!("/members?{}", s.finish())
            });
            render(StatusCode::OK, lang, &page)
        }
        Err(e) => page_error(
            lang,
            Chrome::new(tr, uri.path(), uri.query()).for_caller(&caller),
            e,
        ),
    }
}

/// Field → translated message.

#[derive(Template)]
#[template(path = "members/new.html")]
struct NewPage<'a> {
    c: Chrome<'a>,
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
    villages: Vec<ChoiceGroup>,
    sectors: Vec<Choice>,
    existing_member_no: Option<String>,
    today: String,
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

fn new_page<'a>(app: &AppState, c: Chrome<'a>, values: HashMap<String, String>) -> NewPage<'a> {
    let sectors = sector_choices(c.tr);
    NewPage {
        c,
        values,
        errors: HashMap::new(),
        villages: village_groups(),
        sectors,
        existing_member_no: None,
        today: app.clock.today().to_string(),
    }
}

/// The form is offered only to roles that may register.
fn may_register(caller: &Caller, lang: PageLang, c: Chrome<'_>) -> Option<Response> {
    (!caller.actor.can(Permission::MemberRegister))
        .then(|| page_error(lang, c, StoreError::Forbidden(String::new())))
}

pub async fn new_form(
    State(app): State<AppState>,
    caller: Caller,
    lang: PageLang,
    OriginalUri(uri): OriginalUri,
) -> Response {
    if caller.actor.is_anonymous() {
        return login_redirect(&uri);
    }
    let c = Chrome::new(app.i18n.tr(lang.lang), uri.path(), uri.query()).for_caller(&caller);
    if let Some(r) = may_register(
        &caller,
        lang,
        Chrome::new(app.i18n.tr(lang.lang), uri.path(), uri.query()).for_caller(&caller),
    ) {
        return r;
    }
    let page = new_page(&app, c, HashMap::new());
    render(StatusCode::OK, lang, &page)
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
    let c = Chrome::new(tr, uri.path(), uri.query()).for_caller(&caller);
    if let Some(r) = may_register(
        &caller,
        lang,
        Chrome::new(tr, uri.path(), uri.query()).for_caller(&caller),
    ) {
        return r;
    }
    let values: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
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
    let mut page = new_page(&app, c, values);
    let new = match NewMember::parse_registration(&draft, app.clock.today()) {
        Ok(m) => m,
        Err(errs) => {
            page.errors = field_errors(tr, &errs);
            return render(StatusCode::UNPROCESSABLE_ENTITY, lang, &page);
        }
    };
    match app.store.register_member(&caller.actor, &new).await {
        Ok(m) => Redirect::to(&format!("/members/{}?registered=1", m.member_no)).into_response(),
        Err(StoreError::DuplicateNik { member_no }) => {
            page.errors
                .insert("nik".into(), tr.t("error.duplicate_nik").to_owned());
            page.existing_member_no = Some(member_no);
            render(StatusCode::CONFLICT, lang, &page)
        }
        Err(StoreError::Forbidden(_)) => {
            page.errors
                .insert("village_code".into(), tr.t("error.forbidden").to_owned());
            render(StatusCode::FORBIDDEN, lang, &page)
        }
        Err(e) => store_failure(lang, page.c, e),
    }
}

#[derive(Template)]
#[template(path = "members/show.html")]
pub(super) struct ShowPage<'a> {
    c: Chrome<'a>,
    m: Member,
    village: String,
    district: String,
    city: String,
    sector_name: String,
    just_registered: bool,
    can_reveal: bool,
    can_export: bool,
    can_erase: bool,
    erase_error: Option<String>,
    /// Services, facilities reached and the form to record one.
    pub(super) timeline: super::timeline::Timeline,
}

pub(super) fn show_page<'a>(
    c: Chrome<'a>,
    caller: &Caller,
    m: Member,
    just_registered: bool,
) -> ShowPage<'a> {
    let tr = c.tr;
    let sector = reference().sector(&m.sector);
    let personal = m.personal.is_some();
    let revealed = m.personal.as_ref().is_some_and(|p| p.nik_revealed);
    ShowPage {
        village: region_name(&m.village_code),
        district: region_name(&m.district_code),
        city: region_name(&m.city_code),
        sector_name: sector.map_or_else(String::new, |s| {
            if tr.lang == crate::i18n::Lang::En {
                s.name_en.clone()
            } else {
                s.name_id.clone()
            }
        }),
        just_registered,
        can_reveal: personal && !revealed && caller.actor.can(Permission::MemberReadNik),
        can_export: caller.actor.can(Permission::MemberExport),
        can_erase: personal && caller.actor.can(Permission::MemberErase),
        erase_error: None,
        timeline: super::timeline::Timeline::default(),
        m,
        c,
    }
}

pub(super) fn no_store(mut res: Response) -> Response {
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    res
}

async fn show_member(
    app: &AppState,
    caller: &Caller,
    lang: PageLang,
    uri: &axum::http::Uri,
    member_no: &str,
    reveal: bool,
) -> Response {
    if caller.actor.is_anonymous() {
        return login_redirect(uri);
    }
    let tr = app.i18n.tr(lang.lang);
    let chrome = || Chrome::new(tr, uri.path(), uri.query()).for_caller(caller);
    match app.store.get_member(&caller.actor, member_no, reveal).await {
        Ok(m) => {
            let just = uri
                .query()
                .is_some_and(|q| q.split('&').any(|p| p == "registered=1"));
            let mut page = show_page(chrome(), caller, m, just);
            match super::timeline::Timeline::load(app, caller, member_no, tr).await {
                Ok(t) => page.timeline = t,
                Err(e) => return store_failure(lang, chrome(), e),
            }
            no_store(render(StatusCode::OK, lang, &page))
        }
        Err(e) => page_error(lang, chrome(), e),
    }
}

pub async fn show(
    State(app): State<AppState>,
    caller: Caller,
    lang: PageLang,
    OriginalUri(uri): OriginalUri,
    Path(member_no): Path<String>,
) -> Response {
    show_member(&app, &caller, lang, &uri, &member_no, false).await
}

/// A POST, so that showing the NIK is a deliberate act (and audited), never a link that
/// a crawler or a prefetch could follow.
pub async fn reveal_nik(
    State(app): State<AppState>,
    caller: Caller,
    lang: PageLang,
    OriginalUri(uri): OriginalUri,
    Path(member_no): Path<String>,
) -> Response {
    show_member(&app, &caller, lang, &uri, &member_no, true).await
}

/// Everything held about the member, as a JSON download (audited). A POST, like the
/// NIK reveal: an audited act must be deliberate, never a prefetched link.
pub async fn export(
    State(app): State<AppState>,
    caller: Caller,
    lang: PageLang,
    OriginalUri(uri): OriginalUri,
    Path(member_no): Path<String>,
) -> Response {
    if caller.actor.is_anonymous() {
        return login_redirect(&uri);
    }
    let tr = app.i18n.tr(lang.lang);
    match app.store.export_member(&caller.actor, &member_no).await {
        Ok(export) => {
            let name = export.member.member_no.clone();
            let body = match serde_json::to_string_pretty(&MemberExportView::from(export)) {
                Ok(b) => b,
                Err(e) => {
                    tracing::error!(error = %e, "export did not serialise");
                    return store_failure(
                        lang,
                        Chrome::new(tr, uri.path(), None),
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
        Err(e) => page_error(
            lang,
            Chrome::new(tr, uri.path(), uri.query()).for_caller(&caller),
            e,
        ),
    }
}

/// Erases the member's personal data (administrators), after a reason is given.
pub async fn erase(
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
    let tr = app.i18n.tr(lang.lang);
    let chrome = || Chrome::new(tr, uri.path(), uri.query()).for_caller(&caller);
    let values: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
    let reason = match parse_withdrawal_reason(values.get("reason").map(String::as_str)) {
        Ok(r) => r,
        Err(_) => {
            return match app.store.get_member(&caller.actor, &member_no, false).await {
                Ok(m) => {
                    let mut page = show_page(chrome(), &caller, m, false);
                    page.erase_error = Some(tr.t("error.reason_required").to_owned());
                    no_store(render(StatusCode::UNPROCESSABLE_ENTITY, lang, &page))
                }
                Err(e) => page_error(lang, chrome(), e),
            };
        }
    };
    match app
        .store
        .erase_member(&caller.actor, &member_no, &reason, app.clock.today())
        .await
    {
        Ok(m) => Redirect::to(&format!("/members/{}", m.member_no)).into_response(),
        Err(StoreError::Erased) => Redirect::to(&format!("/members/{member_no}")).into_response(),
        Err(e) => page_error(lang, chrome(), e),
    }
}
