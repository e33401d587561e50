//! `/akun/daftar`: a member creates its own account. Step one takes the member number and
//! the NIK and sends a one-time code to the e-mail on the member's record (the answer is
//! the same whatever the outcome); step two takes the code, a username and a
//! password. Both forms are public and carry the pre-session CSRF token, as the login
//! form does.

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use jakpreneur_store::{SIGNUP_CODE_MINUTES, SignupStart, StoreError};

use super::ctx::PageCtx;
use super::{Chrome, field_errors, render};
use crate::security::{LOGIN_CSRF_COOKIE, cookie, set_cookie};

#[derive(Template)]
#[template(path = "account/signup.html")]
struct SignupPage<'a> {
    c: Chrome<'a>,
    /// `start` (number and NIK) or `code` (code, username, password).
    step: &'static str,
    form_csrf: String,
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
    notice: Option<String>,
    minutes: i64,
}

impl SignupPage<'_> {
    fn v(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }
    fn err(&self, name: &str) -> &str {
        self.errors.get(name).map_or("", String::as_str)
    }
}

fn show(
    page: &PageCtx,
    headers: &HeaderMap,
    status: StatusCode,
    step: &'static str,
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
    notice: Option<String>,
) -> Response {
    let token = cookie(headers, LOGIN_CSRF_COOKIE)
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .map_or_else(|| jakpreneur_store::crypto::random_token(""), str::to_owned);
    let shown = SignupPage {
        c: page.chrome(),
        step,
        form_csrf: token.clone(),
        values,
        errors,
        notice,
        minutes: SIGNUP_CODE_MINUTES,
    };
    let mut res = render(status, page.lang, &shown);
    if let Some(v) = set_cookie(&page.app, headers, LOGIN_CSRF_COOKIE, &token, None) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    res
}

fn member_no_of(page: &PageCtx) -> HashMap<String, String> {
    page.uri
        .query()
        .map(|q| {
            form_urlencoded::parse(q.as_bytes())
                .filter(|(k, _)| k == "member_no")
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

pub async fn start_form(page: PageCtx, headers: HeaderMap) -> Response {
    let values = member_no_of(&page);
    show(
        &page,
        &headers,
        StatusCode::OK,
        "start",
        values,
        HashMap::new(),
        None,
    )
}

pub async fn start(page: PageCtx, headers: HeaderMap, body: Bytes) -> Response {
    let tr = page.tr();
    let mut values = super::form(&body);
    values.remove("csrf");
    let member_no = values
        .get("member_no")
        .map_or("", |s| s.trim())
        .to_uppercase();
    let mut errors = HashMap::new();
    if !(member_no.starts_with("JP-") && member_no.len() >= 8 && member_no.len() <= 20) {
        errors.insert(
            "member_no".to_owned(),
            tr.t("signup.member_no_format").to_owned(),
        );
    }
    let nik = match jakpreneur_core::Nik::parse(values.get("nik").map_or("", String::as_str)) {
        Ok(n) => Some(n),
        Err(e) => {
            errors.insert("nik".to_owned(), tr.error(e.code, &e.message));
            None
        }
    };
    // The NIK is never shown back.
    values.remove("nik");
    let (Some(nik), true) = (nik, errors.is_empty()) else {
        return show(
            &page,
            &headers,
            StatusCode::UNPROCESSABLE_ENTITY,
            "start",
            values,
            errors,
            None,
        );
    };
    match page
        .app
        .store
        .start_member_signup(&member_no, &nik, chrono::Utc::now())
        .await
    {
        // One answer for every outcome: whoever types a number and a NIK learns nothing
        // about whether they go together, whether the record holds an e-mail, or whether
        // the member already has an account. The page that follows says what each means.
        // (A member asking too often is among them: no more codes, the same answer.)
        Ok(
            SignupStart::Sent
            | SignupStart::NoMatch
            | SignupStart::NoEmail
            | SignupStart::HasAccount
            | SignupStart::Throttled,
        ) => {
            let q = form_urlencoded::Serializer::new(String::new())
                .append_pair("member_no", &member_no)
                .append_pair("sent", "1")
                .finish();
            Redirect::to(&format!("/akun/daftar/kode?{q}")).into_response()
        }
        Err(e) => page.error(page.chrome(), e),
    }
}

pub async fn code_form(page: PageCtx, headers: HeaderMap) -> Response {
    let tr = page.tr();
    let values = member_no_of(&page);
    let sent = page
        .uri
        .query()
        .is_some_and(|q| q.split('&').any(|p| p == "sent=1"));
    let notice = sent.then(|| {
        tr.t("signup.sent")
            .replace("{minutes}", &SIGNUP_CODE_MINUTES.to_string())
    });
    show(
        &page,
        &headers,
        StatusCode::OK,
        "code",
        values,
        HashMap::new(),
        notice,
    )
}

pub async fn finish(page: PageCtx, headers: HeaderMap, body: Bytes) -> Response {
    let tr = page.tr();
    let mut values = super::form(&body);
    values.remove("csrf");
    let get = |k: &str| values.get(k).cloned().unwrap_or_default();
    let policy = page.app.security.accounts.clone();
    let outcome = page
        .app
        .store
        .finish_member_signup(
            &get("member_no"),
            &get("code"),
            &get("username"),
            &get("password"),
            &policy,
            chrono::Utc::now(),
        )
        .await;
    values.remove("password");
    values.remove("code");
    match outcome {
        Ok(u) => {
            let q = form_urlencoded::Serializer::new(String::new())
                .append_pair("signed_up", &u.username)
                .finish();
            Redirect::to(&format!("/login?{q}")).into_response()
        }
        Err(StoreError::Invalid(errs)) => {
            let errors = field_errors(tr, &errs);
            show(
                &page,
                &headers,
                StatusCode::UNPROCESSABLE_ENTITY,
                "code",
                values,
                errors,
                None,
            )
        }
        Err(e) => page.error(page.chrome(), e),
    }
}
