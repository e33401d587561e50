//! Two-factor sign-in as a person meets it: the second step of signing in (`/login/code`:
//! the authenticator's six digits or a recovery code) and one's own authenticator at
//! `/account/two-factor` (add with a QR code, replace, new recovery codes, turn off where
//! the role allows). An account whose role requires a second factor and has none is kept
//! on the enrolment page until it has one (see `security::authenticate`).

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use jakpreneur_store::{Enrolment, StoreError, TwoFactorStatus};
use qrcode::QrCode;
use qrcode::render::svg;

use super::Chrome;
use super::account::{login_csrf_token, next_in_query, safe_next, signed_in};
use super::ctx::{PageCtx, SignedInPage};
use crate::security::{CHALLENGE_COOKIE, LOGIN_CSRF_COOKIE, cookie, set_cookie};

/// Where an account that owes a second factor is sent.
pub const ENROL_PATH: &str = "/account/two-factor";

/// The paths an account that owes a second factor may still use.
pub fn allowed_before_enrolment(path: &str) -> bool {
    path == ENROL_PATH
        || path.starts_with("/account/two-factor/")
        || path == "/logout"
        || path.starts_with("/static/")
}

fn no_store(mut res: Response) -> Response {
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

#[derive(Template)]
#[template(path = "account/login_code.html")]
struct CodePage<'a> {
    c: Chrome<'a>,
    next: String,
    login_csrf: String,
    error: Option<String>,
    /// The sign-in has expired: the form is replaced by a link back to `/login`.
    expired: bool,
    demo_hint: Option<String>,
}

impl CodePage<'_> {
    fn login_again(&self) -> String {
        format!(
            "/login?{}",
            form_urlencoded::Serializer::new(String::new())
                .append_pair("next", &self.next)
                .finish()
        )
    }
}

fn code_page(
    page: &PageCtx,
    headers: &HeaderMap,
    status: StatusCode,
    next: String,
    error: Option<String>,
    expired: bool,
) -> Response {
    let tr = page.tr();
    let login_csrf = login_csrf_token(headers);
    let demo_hint = page.app.demo_two_factor_key.as_deref().and_then(|key| {
        let now = chrono::Utc::now();
        jakpreneur_store::totp_code(key, now).ok().map(|code| {
            tr.t("two_factor.demo_hint")
                .replace("{key}", key)
                .replace("{code}", &code)
        })
    });
    let shown = CodePage {
        c: page.plain_chrome("/login/code", None),
        next,
        login_csrf: login_csrf.clone(),
        error,
        expired,
        demo_hint,
    };
    let mut res = page.render(status, &shown);
    if let Some(v) = set_cookie(&page.app, headers, LOGIN_CSRF_COOKIE, &login_csrf, None) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    no_store(res)
}

/// `GET /login/code`: the second step, for a browser holding a sign-in's challenge.
pub async fn code_form(page: PageCtx, headers: HeaderMap) -> Response {
    let next = next_in_query(&page.uri);
    if !page.actor().is_anonymous() {
        return Redirect::to(&next).into_response();
    }
    if cookie(&headers, CHALLENGE_COOKIE).is_none() {
        return Redirect::to("/login").into_response();
    }
    code_page(&page, &headers, StatusCode::OK, next, None, false)
}

/// `POST /login/code`: the code completes the sign-in.
pub async fn code(page: PageCtx, headers: HeaderMap, body: Bytes) -> Response {
    let f = super::form(&body);
    let next = safe_next(f.get("next").map(String::as_str));
    let typed = f.get("code").cloned().unwrap_or_default();
    let tr = page.tr();
    let Some(challenge) = cookie(&headers, CHALLENGE_COOKIE) else {
        let msg = tr.error("challenge_expired", "sign in again");
        return code_page(
            &page,
            &headers,
            StatusCode::UNPROCESSABLE_ENTITY,
            next,
            Some(msg),
            true,
        );
    };
    let app = &page.app;
    match app
        .store
        .complete_login(
            challenge,
            &typed,
            page.actor().address.clone(),
            &app.security.accounts,
        )
        .await
    {
        Ok(session) => signed_in(app, &headers, &session, &next),
        Err(StoreError::Invalid(errs)) => {
            let expired = errs.0.iter().any(|e| e.code == "challenge_expired");
            let msg = errs
                .0
                .first()
                .map(|e| tr.error(e.code, &e.message))
                .unwrap_or_default();
            if !expired {
                // Slows guessing from one connection; the lock does the rest.
                tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            }
            code_page(
                &page,
                &headers,
                StatusCode::UNPROCESSABLE_ENTITY,
                next,
                Some(msg),
                expired,
            )
        }
        Err(StoreError::BadCredentials) => code_page(
            &page,
            &headers,
            StatusCode::UNAUTHORIZED,
            next,
            Some(tr.t("error.bad_credentials").to_owned()),
            true,
        ),
        Err(e) => page.failure(page.plain_chrome("/login/code", None), e),
    }
}

#[derive(Template)]
#[template(path = "account/two_factor.html")]
struct TwoFactorPage<'a> {
    c: Chrome<'a>,
    status: TwoFactorStatus,
    /// The account must enrol before anything else.
    due: bool,
    /// An enrolment in progress: its key (in groups of four) and QR code (SVG).
    enrolment: Option<(String, String)>,
    /// Recovery codes just made: shown this once.
    codes: Vec<String>,
    errors: HashMap<String, String>,
    notice: Option<String>,
}

impl TwoFactorPage<'_> {
    fn err(&self, name: &str) -> &str {
        self.errors.get(name).map_or("", String::as_str)
    }
}

/// The QR code of an `otpauth://` address, as inline SVG with a text alternative.
fn qr_svg(uri: &str, label: &str) -> Result<String, StoreError> {
    let code = QrCode::new(uri.as_bytes())
        .map_err(|e| StoreError::Corrupt(format!("the enrolment QR code: {e}")))?;
    let drawn = code
        .render::<svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    let start = drawn.find("<svg").unwrap_or(0);
    let label = crate::charts::escape(label);
    Ok(drawn[start..].replacen(
        "<svg ",
        &format!(r#"<svg role="img" aria-label="{label}" class="qr" "#),
        1,
    ))
}

fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

async fn two_factor_page<'a>(
    page: &'a PageCtx,
    enrolment: Option<Enrolment>,
) -> Result<TwoFactorPage<'a>, StoreError> {
    let c = page.chrome_at(ENROL_PATH);
    let tr = c.tr;
    let app = &page.app;
    let status = app
        .store
        .two_factor_status(page.actor(), &app.security.accounts)
        .await?;
    let enrolment = enrolment
        .or_else(|| status.pending.clone())
        .map(|e| {
            Ok::<_, StoreError>((
                grouped(&e.secret),
                qr_svg(&e.uri, tr.t("two_factor.qr_label"))?,
            ))
        })
        .transpose()?;
    Ok(TwoFactorPage {
        due: page
            .caller
            .session
            .as_ref()
            .is_some_and(|s| s.two_factor_due),
        status,
        enrolment,
        codes: Vec::new(),
        errors: HashMap::new(),
        notice: None,
        c,
    })
}

/// `GET /account/two-factor`.
pub async fn show(page: SignedInPage) -> Response {
    let tr = page.tr();
    let turned_off = page.uri.query().is_some_and(|q| q.contains("off=1"));
    match two_factor_page(&page, None).await {
        Ok(mut shown) => {
            if turned_off {
                shown.notice = Some(tr.t("two_factor.turned_off").to_owned());
            }
            no_store(page.render(StatusCode::OK, &shown))
        }
        Err(e) => page.error(page.chrome(), e),
    }
}

/// `POST /account/two-factor/start`: a new key and its QR code.
pub async fn start(page: SignedInPage) -> Response {
    let started = page.app.store.start_two_factor(page.actor()).await;
    let shown = match started {
        Ok(e) => two_factor_page(&page, Some(e)).await,
        Err(e) => Err(e),
    };
    match shown {
        Ok(shown) => no_store(page.render(StatusCode::OK, &shown)),
        Err(e) => page.error(page.chrome_at(ENROL_PATH), e),
    }
}

/// The page again after a refused code (422, the error under the field), or the page with
/// the outcome.
async fn answer(
    page: &SignedInPage,
    outcome: Result<Vec<String>, StoreError>,
    notice: &str,
) -> Response {
    let (status, codes, errors) = match outcome {
        Ok(codes) => (StatusCode::OK, codes, HashMap::new()),
        Err(StoreError::Invalid(errs)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Vec::new(),
            super::field_errors(page.tr(), &errs),
        ),
        Err(e) => return page.error(page.chrome_at(ENROL_PATH), e),
    };
    match two_factor_page(page, None).await {
        Ok(mut shown) => {
            if status == StatusCode::OK {
                shown.notice = Some(page.tr().t(notice).to_owned());
            }
            shown.codes = codes;
            shown.errors = errors;
            no_store(page.render(status, &shown))
        }
        Err(e) => page.error(page.chrome_at(ENROL_PATH), e),
    }
}

/// `POST /account/two-factor/confirm`: a code from the new key turns it on; the recovery
/// codes are shown once.
pub async fn confirm(page: SignedInPage, body: Bytes) -> Response {
    let f = super::form(&body);
    let code = f.get("code").map_or("", String::as_str);
    let app = &page.app;
    let outcome = app
        .store
        .confirm_two_factor(
            page.actor(),
            code,
            page.caller.session.as_ref().map(|s| s.token.as_str()),
            &app.security.accounts,
        )
        .await;
    answer(&page, outcome, "two_factor.enabled").await
}

/// `POST /account/two-factor/recovery-codes`: new recovery codes, on a code.
pub async fn recovery_codes(page: SignedInPage, body: Bytes) -> Response {
    let f = super::form(&body);
    let code = f.get("code").map_or("", String::as_str);
    let app = &page.app;
    let outcome = app
        .store
        .renew_recovery_codes(page.actor(), code, &app.security.accounts)
        .await;
    answer(&page, outcome, "two_factor.codes_renewed").await
}

/// `POST /account/two-factor/disable`: off, on a code, where the role allows it.
pub async fn disable(page: SignedInPage, body: Bytes) -> Response {
    let f = super::form(&body);
    let code = f.get("code").map_or("", String::as_str);
    let app = &page.app;
    match app
        .store
        .disable_two_factor(page.actor(), code, &app.security.accounts)
        .await
    {
        Ok(()) => Redirect::to(&format!("{ENROL_PATH}?off=1")).into_response(),
        Err(e) => answer(&page, Err(e), "").await,
    }
}
