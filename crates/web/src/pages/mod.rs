//! Server-rendered HTML pages (askama templates in `crates/web/templates/`). They work
//! without JavaScript; Indonesian by default, English via `?lang=en`.

pub mod account;
pub mod admin;
pub mod cek;
pub mod ctx;
pub mod curation;
pub mod finance;
pub mod financing;
pub mod home;
pub mod imports;
pub mod job_training;
pub mod katalog;
pub mod ledger;
pub mod market;
pub mod member_edit;
pub mod member_page;
pub mod members;
pub mod members_export;
pub mod mentoring;
pub mod names;
pub mod orders;
pub mod permits;
pub mod privacy;
pub mod products;
pub mod signup;
pub mod statistik;
pub mod timeline;
pub mod trainees;
pub mod training;
pub mod two_factor;
pub mod users;

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use std::collections::HashMap;

use jakpreneur_core::ValidationErrors;

use crate::i18n::{PageLang, Tr};
use crate::security::Caller;

pub const STYLESHEET: &str = include_str!("../../static/app.css");

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

/// What every page's frame needs: the translator and links to this page in each language.
pub struct Chrome<'a> {
    pub tr: Tr<'a>,
    pub here_id: String,
    pub here_en: String,
    /// The signed-in user, for the header.
    pub user: Option<String>,
    /// The session's CSRF token, for every form on the page.
    pub csrf: String,
    pub can_read_members: bool,
    pub can_register: bool,
    pub can_audit: bool,
    /// Who records services may import them (and, province-wide, members).
    pub can_import: bool,
    /// Staff and partner accounts see the financing referrals (each its own share).
    pub can_financing: bool,
    /// Staff, mentors, curators and members take part in curation.
    pub can_curate: bool,
    /// e-order's orders: buyers, members (their sales) and programme officers.
    pub can_orders: bool,
    /// A buyer account: packages and the shopping form.
    pub is_buyer: bool,
    /// The manpower department's staff: job training and placement.
    pub can_trainees: bool,
}

impl<'a> Chrome<'a> {
    /// `path_and_query` is the current URL; the language links keep its other parameters.
    pub fn new(tr: Tr<'a>, path: &str, query: Option<&str>) -> Self {
        let kept: Vec<(String, String)> = query
            .map(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .filter(|(k, _)| k != "lang")
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let link = |lang: &str| {
            let mut s = form_urlencoded::Serializer::new(String::new());
            for (k, v) in &kept {
                s.append_pair(k, v);
            }
            s.append_pair("lang", lang);
            format!("{path}?{}", s.finish())
        };
        Self {
            tr,
            here_id: link("id"),
            here_en: link("en"),
            user: None,
            csrf: String::new(),
            can_read_members: false,
            can_register: false,
            can_audit: false,
            can_import: false,
            can_financing: false,
            can_curate: false,
            can_orders: false,
            is_buyer: false,
            can_trainees: false,
        }
    }

    /// Fills in who is signed in and what the navigation may offer them.
    pub fn for_caller(mut self, caller: &Caller) -> Self {
        use jakpreneur_core::Permission;
        let a = &caller.actor;
        if !a.is_anonymous() {
            self.user = Some(a.name.clone());
        }
        self.csrf = caller.csrf().to_owned();
        self.can_read_members = a.can(Permission::MemberRead);
        self.can_register = a.can(Permission::MemberRegister);
        self.can_audit = a.can(Permission::AuditRead);
        self.can_import = a.can(Permission::EventRecord);
        self.can_financing = a.can(Permission::MemberRead) || a.can(Permission::FinancingDecide);
        self.can_curate = matches!(
            a.role,
            jakpreneur_core::Role::Admin
                | jakpreneur_core::Role::ProvinceOfficer
                | jakpreneur_core::Role::CityOfficer
                | jakpreneur_core::Role::DistrictOfficer
                | jakpreneur_core::Role::Mentor
                | jakpreneur_core::Role::Curator
                | jakpreneur_core::Role::Member
        );
        self.is_buyer = a.role == jakpreneur_core::Role::Buyer;
        self.can_trainees = a.can(Permission::TraineeRead);
        self.can_orders = self.is_buyer
            || a.role == jakpreneur_core::Role::Member
            || a.can(Permission::OrderOversee);
        self
    }

    pub fn lang(&self) -> &'static str {
        self.tr.lang.code()
    }
}

/// Renders a page; remembers the language chosen with `?lang=` in a cookie.
pub fn render(status: StatusCode, lang: PageLang, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => {
            let mut res = (status, Html(html)).into_response();
            if lang.remember {
                let cookie = format!(
                    "lang={}; Path=/; Max-Age=31536000; SameSite=Lax",
                    lang.lang.code()
                );
                if let Ok(v) = HeaderValue::from_str(&cookie) {
                    res.headers_mut().insert(header::SET_COOKIE, v);
                }
            }
            res
        }
        Err(e) => {
            tracing::error!(error = %e, "template failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error; it has been logged",
            )
                .into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage<'a> {
    pub c: Chrome<'a>,
    pub title: String,
    pub message: String,
}

/// A page that only says something went wrong (404, 500) in the reader's language.
pub fn message(
    status: StatusCode,
    lang: PageLang,
    c: Chrome<'_>,
    title: &str,
    message: &str,
) -> Response {
    render(
        status,
        lang,
        &MessagePage {
            c,
            title: title.to_owned(),
            message: message.to_owned(),
        },
    )
}

/// Field → message in the reader's language, for errors shown next to their field.
pub fn field_errors(tr: Tr<'_>, errs: &ValidationErrors) -> HashMap<String, String> {
    errs.0
        .iter()
        .map(|e| {
            let mut text = tr.error(e.code, &e.message);
            // Name the facility the rule needs, as the API's message does.
            if e.code == "facility_order"
                && let Some(stage) = &e.facility
            {
                text = format!("{text} ({}: {stage})", tr.t("timeline.missing"));
            }
            (e.field.to_owned(), text)
        })
        .collect()
}

/// The page for a store error: logged once; the reader gets an apology in their language.
pub fn store_failure(lang: PageLang, c: Chrome<'_>, e: jakpreneur_store::StoreError) -> Response {
    let tr = c.tr;
    tracing::error!(error = %e, "store error on a page");
    message(
        StatusCode::INTERNAL_SERVER_ERROR,
        lang,
        c,
        tr.t("app.name"),
        tr.t("error.internal"),
    )
}

/// The page for a store error: a refused action (403) or a record outside one's reach
/// (404) in the reader's language; anything else is logged and answered 500.
pub fn page_error(lang: PageLang, c: Chrome<'_>, e: jakpreneur_store::StoreError) -> Response {
    let tr = c.tr;
    match e {
        jakpreneur_store::StoreError::Forbidden(_) => message(
            StatusCode::FORBIDDEN,
            lang,
            c,
            tr.t("app.name"),
            tr.t("error.forbidden"),
        ),
        jakpreneur_store::StoreError::NotFound => message(
            StatusCode::NOT_FOUND,
            lang,
            c,
            tr.t("members.show_title"),
            tr.t("members.not_found"),
        ),
        // A refusal on content that has no form to show it beside (an action on an order
        // whose state moved on, a malformed filter): 422 with each reason.
        jakpreneur_store::StoreError::Invalid(errs) => {
            let mut reasons: Vec<String> = field_errors(tr, &errs).into_values().collect();
            reasons.sort();
            message(
                StatusCode::UNPROCESSABLE_ENTITY,
                lang,
                c,
                tr.t("app.name"),
                &reasons.join(" "),
            )
        }
        other => store_failure(lang, c, other),
    }
}

pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
}

/// A submitted form's fields by name (the last value wins for a repeated name).
pub fn form(body: &axum::body::Bytes) -> HashMap<String, String> {
    form_urlencoded::parse(body).into_owned().collect()
}

pub use jakpreneur_core::format::rupiah;

#[cfg(test)]
mod tests {
    #[test]
    fn rupiah_groups_thousands_with_dots() {
        assert_eq!(super::rupiah(0), "Rp 0");
        assert_eq!(super::rupiah(999), "Rp 999");
        assert_eq!(super::rupiah(1_000), "Rp 1.000");
        assert_eq!(super::rupiah(45_000_000), "Rp 45.000.000");
        assert_eq!(super::rupiah(-1_234_567), "Rp -1.234.567");
    }
}
