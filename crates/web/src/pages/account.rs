//! Sign in and out, change one's password, and manage one's API tokens.

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use jakpreneur_core::Scope;
use jakpreneur_store::{ApiToken, LoginStep, Session, StoreError};

use super::ctx::{PageCtx, SignedInPage};
use super::{Chrome, render};
use crate::AppState;
use crate::i18n::PageLang;
use crate::security::{
    CHALLENGE_COOKIE, Caller, LOGIN_CSRF_COOKIE, SESSION_COOKIE, cookie, set_cookie,
};

/// Only a local path: never send a user to another site after login. A path starts with
/// one `/`, holds no backslash, whitespace or control character (browsers drop a tab or a
/// line break, so `/\t/evil.example` is `//evil.example` to them) and parses as a path
/// and query; anything else goes to `/`.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    let local = |n: &str| {
        n.starts_with('/')
            && !n.starts_with("//")
            && !n
                .chars()
                .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
            && n.parse::<axum::http::uri::PathAndQuery>()
                .is_ok_and(|p| p.as_str() == n)
    };
    match next {
        Some(n) if local(n) => n.to_owned(),
        _ => "/".to_owned(),
    }
}

#[derive(Template)]
#[template(path = "account/login.html")]
struct LoginPage<'a> {
    c: Chrome<'a>,
    username: String,
    next: String,
    login_csrf: String,
    error: Option<String>,
    /// A member's account was just created at `/akun/daftar`: its username.
    signed_up: Option<String>,
}

#[allow(
    clippy::too_many_arguments,
    reason = "the form's state, passed through once"
)]
fn login_page(
    app: &AppState,
    headers: &HeaderMap,
    lang: PageLang,
    c: Chrome<'_>,
    status: StatusCode,
    username: String,
    next: String,
    error: Option<String>,
    signed_up: Option<String>,
) -> Response {
    let token = login_csrf_token(headers);
    let page = LoginPage {
        c,
        username,
        next,
        login_csrf: token.clone(),
        error,
        signed_up,
    };
    let mut res = render(status, lang, &page);
    if let Some(v) = set_cookie(app, headers, LOGIN_CSRF_COOKIE, &token, None) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    res
}

/// The sign-in forms' CSRF token, which doubles as a cookie (there is no session yet):
/// the browser's, when it is one we made, else a new one.
pub(crate) fn login_csrf_token(headers: &HeaderMap) -> String {
    cookie(headers, LOGIN_CSRF_COOKIE)
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .map_or_else(|| jakpreneur_store::crypto::random_token(""), str::to_owned)
}

/// Where to go after signing in, from the address's `next` (a local path, else `/`).
pub(crate) fn next_in_query(uri: &axum::http::Uri) -> String {
    let next = uri.query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "next")
            .map(|(_, v)| v.into_owned())
    });
    safe_next(next.as_deref())
}

pub async fn login_form(page: PageCtx, headers: HeaderMap) -> Response {
    let next = next_in_query(&page.uri);
    if !page.actor().is_anonymous() {
        return Redirect::to(&next).into_response();
    }
    let tr = page.tr();
    let c = page.plain_chrome(page.uri.path(), page.uri.query());
    let needed = next != "/";
    let error = needed.then(|| tr.t("auth.login_needed").to_owned());
    let signed_up = page.uri.query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "signed_up")
            .map(|(_, v)| v.into_owned())
            .filter(|u| jakpreneur_core::access::parse_username("username", u).is_ok())
    });
    login_page(
        &page.app,
        &headers,
        page.lang,
        c,
        StatusCode::OK,
        signed_up.clone().unwrap_or_default(),
        next,
        error,
        signed_up,
    )
}

pub async fn login(page: PageCtx, headers: HeaderMap, body: Bytes) -> Response {
    let (app, lang) = (&page.app, page.lang);
    let f = super::form(&body);
    let username = f.get("username").cloned().unwrap_or_default();
    let password = f.get("password").cloned().unwrap_or_default();
    let next = safe_next(f.get("next").map(String::as_str));
    let tr = page.tr();
    let c = page.plain_chrome(page.uri.path(), page.uri.query());
    match app
        .store
        .login(
            &username,
            &password,
            page.actor().address.clone(),
            &app.security.accounts,
        )
        .await
    {
        Ok(LoginStep::Done(session)) => signed_in(app, &headers, &session, &next),
        Ok(LoginStep::SecondFactor { challenge }) => {
            let to = format!(
                "/login/code?{}",
                form_urlencoded::Serializer::new(String::new())
                    .append_pair("next", &next)
                    .finish()
            );
            let mut res = Redirect::to(&to).into_response();
            let max_age = jakpreneur_store::CHALLENGE_MINUTES * 60;
            if let Some(v) = set_cookie(app, &headers, CHALLENGE_COOKIE, &challenge, Some(max_age))
            {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
            res
        }
        Err(StoreError::BadCredentials) => {
            // Slows guessing from one connection; the rate limit and lockout do the rest.
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            login_page(
                app,
                &headers,
                lang,
                c,
                StatusCode::UNAUTHORIZED,
                username,
                next,
                Some(tr.t("error.bad_credentials").to_owned()),
                None,
            )
        }
        Err(e) => page.failure(c, e),
    }
}

/// The end of a sign-in: the session cookie is set, the sign-in's own cookies cleared,
/// and the browser goes on to `next` — or, for an account that owes a second factor, to
/// its enrolment first.
pub(crate) fn signed_in(
    app: &AppState,
    headers: &HeaderMap,
    session: &Session,
    next: &str,
) -> Response {
    let to = if session.two_factor_due {
        super::two_factor::ENROL_PATH
    } else {
        next
    };
    let mut res = Redirect::to(to).into_response();
    let max_age = app.security.accounts.session_absolute.as_secs() as i64;
    if let Some(v) = set_cookie(app, headers, SESSION_COOKIE, &session.token, Some(max_age)) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    for gone in [LOGIN_CSRF_COOKIE, CHALLENGE_COOKIE] {
        if cookie(headers, gone).is_some()
            && let Some(v) = set_cookie(app, headers, gone, "", Some(0))
        {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

pub async fn logout(State(app): State<AppState>, caller: Caller, headers: HeaderMap) -> Response {
    if let Some(s) = &caller.session
        && let Err(e) = app.store.end_session(&s.token).await
    {
        tracing::error!(error = %e, "ending a session failed");
    }
    let mut res = Redirect::to("/").into_response();
    if let Some(v) = set_cookie(&app, &headers, SESSION_COOKIE, "", Some(0)) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

#[derive(Template)]
#[template(path = "account/show.html")]
struct AccountPage<'a> {
    c: Chrome<'a>,
    username: String,
    role: String,
    scope: String,
    tokens: Vec<ApiToken>,
    errors: HashMap<String, String>,
    notice: Option<String>,
    new_token: Option<String>,
    can_tokens: bool,
}

impl AccountPage<'_> {
    fn err(&self, name: &str) -> &str {
        self.errors.get(name).map_or("", String::as_str)
    }
}

async fn account_page<'a>(page: &'a PageCtx, c: Chrome<'a>) -> Result<AccountPage<'a>, StoreError> {
    let tr = c.tr;
    let a = page.actor();
    let tokens = if a.can(jakpreneur_core::Permission::TokenOwn) {
        page.app
            .store
            .list_tokens(a)
            .await?
            .into_iter()
            .filter(|t| t.username == a.name)
            .collect()
    } else {
        Vec::new()
    };
    Ok(AccountPage {
        username: a.name.clone(),
        role: a.role.as_str().to_owned(),
        scope: match &a.scope {
            Scope::All => tr.t("auth.scope_all").to_owned(),
            Scope::Region(r) => jakpreneur_core::reference::reference()
                .region(r.as_str())
                .map_or_else(
                    || r.as_str().to_owned(),
                    |x| format!("{} ({})", x.name, r.as_str()),
                ),
            Scope::Member(no) => no.clone(),
            Scope::Nothing => tr.t("auth.scope_none").to_owned(),
        },
        tokens,
        errors: HashMap::new(),
        notice: None,
        new_token: None,
        can_tokens: a.can(jakpreneur_core::Permission::TokenOwn),
        c,
    })
}

pub async fn show(page: SignedInPage) -> Response {
    let tr = page.tr();
    let changed = page
        .uri
        .query()
        .is_some_and(|q| q.contains("password_changed=1"));
    match account_page(&page, page.chrome()).await {
        Ok(mut shown) => {
            if changed {
                shown.notice = Some(tr.t("auth.password_changed").to_owned());
            }
            page.render(StatusCode::OK, &shown)
        }
        Err(e) => page.failure(page.plain_chrome(page.uri.path(), None), e),
    }
}

pub async fn change_password(page: SignedInPage, body: Bytes) -> Response {
    let f = super::form(&body);
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let (current, new, confirm) = (
        get("current_password"),
        get("new_password"),
        get("confirm_password"),
    );
    let apology = || page.plain_chrome("/account", None);
    let outcome = if new != confirm {
        Err(StoreError::Invalid(
            jakpreneur_core::FieldError::new(
                "confirm_password",
                "confirm_mismatch",
                "the two new passwords differ",
            )
            .into(),
        ))
    } else {
        page.app
            .store
            .change_password(
                page.actor(),
                &current,
                &new,
                page.caller.session.as_ref().map(|s| s.token.as_str()),
                &page.app.security.accounts,
            )
            .await
            .map(|()| "/account?password_changed=1".to_owned())
    };
    let reload = async {
        account_page(&page, page.chrome_at("/account"))
            .await
            .map_err(|e| page.failure(apology(), e))
    };
    page.after_form(outcome, reload, |p, errs| p.errors = errs)
        .await
        .unwrap_or_else(|e| page.failure(apology(), e))
}

pub async fn create_token(page: SignedInPage, body: Bytes) -> Response {
    let f = super::form(&body);
    let name = f.get("name").cloned().unwrap_or_default();
    let c = page.chrome_at("/account");
    let tr = c.tr;
    let actor = page.actor();
    let created = page.app.store.create_token(actor, &actor.name, &name).await;
    let (status, new_token, errors) = match created {
        Ok((_, token)) => (StatusCode::CREATED, Some(token), HashMap::new()),
        Err(StoreError::Invalid(errs)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            super::field_errors(tr, &errs),
        ),
        Err(StoreError::Forbidden(_)) => (
            StatusCode::FORBIDDEN,
            None,
            HashMap::from([("name".to_owned(), tr.t("error.forbidden").to_owned())]),
        ),
        Err(e) => return page.failure(c, e),
    };
    match account_page(&page, c).await {
        Ok(mut shown) => {
            shown.new_token = new_token;
            shown.errors = errors;
            let mut res = page.render(status, &shown);
            res.headers_mut().insert(
                header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-store"),
            );
            res
        }
        Err(e) => page.failure(page.plain_chrome("/account", None), e),
    }
}

pub async fn revoke_token(Path(id): Path<String>, page: SignedInPage) -> Response {
    let c = || page.chrome_at("/account");
    let Ok(id) = id.parse::<i64>() else {
        return page.error(c(), StoreError::NotFound);
    };
    match page.app.store.revoke_token(page.actor(), id).await {
        Ok(_) => Redirect::to("/account").into_response(),
        Err(e) => page.error(c(), e),
    }
}
