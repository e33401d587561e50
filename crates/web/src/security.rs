//! Who is calling, and the guards every request passes: authentication (a Bearer token
//! for the API, the session cookie for pages), CSRF on every state-changing form, rate
//! limits on login and the public endpoints, and the security headers.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use jakpreneur_core::Actor;
use jakpreneur_store::Session;

use crate::AppState;
use crate::error::ApiError;

/// Largest request body accepted (a member record is under 2 KiB). The router's body
/// limit and the CSRF check, which reads a form before its handler does, both use it.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// An upload's body: two files of 5 MB (a payment's proof and tax slip; a photo is one)
/// and the multipart framing around them.
pub const UPLOAD_BODY_BYTES: usize = 10 * 1024 * 1024 + 64 * 1024;

/// A spreadsheet uploaded to the import page (`/import`): a registry of some 300,000
/// members as CSV is about 60 MB. Larger files go through `jakpreneur import`.
pub const IMPORT_BODY_BYTES: usize = 64 * 1024 * 1024 + 64 * 1024;

/// The routes that take files (`…/photos`: one photo of at most 5 MB; `…/payments`: a
/// transfer proof and a tax slip of at most 5 MB each; `/import`: a spreadsheet), and so
/// a body up to [`body_limit`]. Each file's own limit is checked by its handler.
pub fn is_upload(path: &str) -> bool {
    path.ends_with("/photos") || path.ends_with("/payments") || path == "/import"
}

/// The largest body a route accepts.
pub fn body_limit(path: &str) -> usize {
    if path == "/import" {
        IMPORT_BODY_BYTES
    } else if is_upload(path) {
        UPLOAD_BODY_BYTES
    } else {
        MAX_BODY_BYTES
    }
}

pub const SESSION_COOKIE: &str = "jp_session";
/// Before login there is no session to hold a CSRF token: the login form's token is also
/// set in this cookie, and the two must match (double submit).
pub const LOGIN_CSRF_COOKIE: &str = "jp_csrf";
/// A sign-in whose password was right, awaiting its second factor (a few minutes).
pub const CHALLENGE_COOKIE: &str = "jp_2fa";
/// The form field every state-changing form carries.
pub const CSRF_FIELD: &str = "csrf";

/// The caller of a request, resolved once by [`authenticate`].
#[derive(Debug, Clone)]
pub struct Caller {
    pub actor: Actor,
    /// The browser session, for pages.
    pub session: Option<Session>,
}

impl Caller {
    pub fn csrf(&self) -> &str {
        self.session.as_ref().map_or("", |s| s.csrf_token.as_str())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<Caller>()
            .cloned()
            .unwrap_or_else(|| Caller {
                actor: Actor::anonymous(None),
                session: None,
            }))
    }
}

/// The client's address: the TCP peer (the server loop records it). Behind a proxy this
/// is the proxy; see docs/security.md.
pub fn client_ip(parts_ext: &axum::http::Extensions) -> Option<IpAddr> {
    parts_ext.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Equal without revealing where the first difference is.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The `csrf` field of a form body or query string.
fn csrf_of(form: &[u8]) -> Option<String> {
    form_urlencoded::parse(form)
        .find(|(k, _)| k == CSRF_FIELD)
        .map(|(_, v)| v.into_owned())
}

/// A sign-in attempt: the password, or its second step. They share the login rate limit,
/// and the store records their failures with the account tried.
fn is_sign_in(m: &Method, path: &str) -> bool {
    *m == Method::POST && (path == "/login" || path == "/login/code")
}

fn is_state_changing(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Resolves the caller and, for a page form, checks its CSRF token.
pub async fn authenticate(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let ip = client_ip(req.extensions());
    let address = ip.map(|i| i.to_string());
    let path = req.uri().path().to_owned();
    // `/metrics` is read by a monitoring system with an API token (like the API) or by an
    // administrator's browser with the session.
    let is_api =
        path.starts_with("/api/") || (path == "/metrics" && bearer(req.headers()).is_some());
    let caller = if is_api {
        match bearer(req.headers()) {
            None => Caller {
                actor: Actor::anonymous(address),
                session: None,
            },
            Some(token) => match app.store.token_actor(token, address.clone()).await {
                Ok(Some(actor)) => Caller {
                    actor,
                    session: None,
                },
                Ok(None) => {
                    let anonymous = Actor::anonymous(address.clone());
                    security_event(
                        &app,
                        &anonymous,
                        "refused",
                        &path,
                        req.method(),
                        401,
                        "invalid_token",
                    )
                    .await;
                    return ApiError::new(
                        StatusCode::UNAUTHORIZED,
                        "invalid_token",
                        "the API token is unknown, revoked, or its account is disabled",
                    )
                    .into_response();
                }
                Err(e) => return ApiError::from(e).into_response(),
            },
        }
    } else {
        let session = match cookie(req.headers(), SESSION_COOKIE) {
            Some(token) => match app
                .store
                .session(token, address.clone(), &app.security.accounts)
                .await
            {
                Ok(s) => s,
                Err(e) => return ApiError::from(e).into_response(),
            },
            None => None,
        };
        match session {
            Some(s) => Caller {
                actor: s.actor.clone(),
                session: Some(s),
            },
            None => Caller {
                actor: Actor::anonymous(address),
                session: None,
            },
        }
    };
    let mut req = req;
    if !is_api && is_state_changing(req.method()) {
        let expected = match &caller.session {
            Some(s) => Some(s.csrf_token.clone()),
            None => cookie(req.headers(), LOGIN_CSRF_COOKIE).map(str::to_owned),
        };
        // A file upload's token travels in the form's address (`?csrf=…`): its body is
        // multipart, up to 5 MB, and is read once, by its handler.
        let multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        let sent = if multipart {
            is_upload(&path)
                .then(|| req.uri().query())
                .flatten()
                .and_then(|q| csrf_of(q.as_bytes()))
        } else {
            let (parts, body) = req.into_parts();
            let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
                Ok(b) => b,
                Err(_) => {
                    return ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "payload_too_large",
                        "the form is too large",
                    )
                    .into_response();
                }
            };
            let sent = csrf_of(&bytes);
            req = Request::from_parts(parts, Body::from(bytes));
            sent
        };
        let ok = matches!((&expected, &sent), (Some(e), Some(s)) if same_secret(e, s));
        if !ok {
            let why = if sent.is_none() { "missing" } else { "wrong" };
            security_event(&app, &caller.actor, "csrf", &path, req.method(), 403, why).await;
            return (StatusCode::FORBIDDEN, Html(CSRF_REFUSED_HTML)).into_response();
        }
    }
    // An account whose role requires a second factor and has none may do nothing but
    // enrol one (or sign out) until it has.
    if caller.session.as_ref().is_some_and(|s| s.two_factor_due)
        && !crate::pages::two_factor::allowed_before_enrolment(&path)
    {
        return axum::response::Redirect::to(crate::pages::two_factor::ENROL_PATH).into_response();
    }
    let signed_in = !caller.actor.is_anonymous();
    let actor = caller.actor.clone();
    let method = req.method().clone();
    req.extensions_mut().insert(caller);
    let mut res = next.run(req).await;
    // Every refusal is a security event (a failed sign-in is recorded by the store with
    // the account tried, so `POST /login` and its second step are not counted twice).
    let status = res.status();
    if (status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN)
        && !is_sign_in(&method, &path)
    {
        let why = status.canonical_reason().unwrap_or("refused");
        security_event(
            &app,
            &actor,
            "refused",
            &path,
            &method,
            status.as_u16(),
            why,
        )
        .await;
    }
    // What a signed-in user sees may hold personal data: never kept in a shared cache.
    if signed_in {
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// A security event: a warning line in the application log (who, from where, which
/// route, what) and an entry in the audit log's `security.*` category, up to
/// [`RECORDED_EVENTS_PER_MINUTE`] per client address (past that the line says
/// `recorded=false`). A failure to record it is logged, never turned into a failure of the
/// request.
async fn security_event(
    app: &AppState,
    actor: &Actor,
    kind: &'static str,
    path: &str,
    method: &Method,
    status: u16,
    why: &str,
) {
    let recorded = app.security.limits.may_record(actor.address.as_deref());
    tracing::warn!(
        event = kind,
        recorded,
        user = %actor.name,
        user_id = actor.user_id,
        address = actor.address.as_deref().unwrap_or("-"),
        method = %method,
        route = path,
        status,
        reason = why,
        "security event"
    );
    if !recorded {
        return;
    }
    let details = serde_json::json!({
        "method": method.as_str(), "status": status, "reason": why,
    });
    if let Err(e) = app
        .store
        .record_security_event(actor, kind, path, details)
        .await
    {
        tracing::error!(error = %e, "the security event could not be put on record");
    }
}

const CSRF_REFUSED_HTML: &str = "<!doctype html><html lang=\"id\"><meta charset=\"utf-8\"><title>403</title>\
<link rel=\"stylesheet\" href=\"/static/app.css\"><main><h1>403</h1>\
<p>Formulir kedaluwarsa atau tidak berasal dari situs ini. Muat ulang halaman lalu coba lagi.</p>\
<p>The form has expired or did not come from this site. Reload the page and try again.</p>\
<p><a href=\"/\">Jakpreneur</a></p></main></html>";

/// Per-address request budgets.
#[derive(Clone)]
pub struct RateLimits {
    login: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    public: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    /// Security events put on the audit record per address: a flood of refused requests
    /// must not turn into a flood of writes (past it they are logged only).
    recorded_events: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

impl std::fmt::Debug for RateLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RateLimits")
    }
}

impl RateLimits {
    /// `login_per_minute` login attempts and `public_per_minute` public lookups per
    /// address, each allowed in a burst.
    pub fn new(login_per_minute: u32, public_per_minute: u32) -> Self {
        let quota =
            |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN));
        Self {
            login: Arc::new(RateLimiter::keyed(quota(login_per_minute))),
            public: Arc::new(RateLimiter::keyed(quota(public_per_minute))),
            recorded_events: Arc::new(RateLimiter::keyed(quota(RECORDED_EVENTS_PER_MINUTE))),
        }
    }

    /// At most `per_minute` security events per address go into the audit log.
    pub fn with_recorded_events(mut self, per_minute: u32) -> Self {
        let quota =
            Quota::per_minute(NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN));
        self.recorded_events = Arc::new(RateLimiter::keyed(quota));
        self
    }

    /// Whether this address may put one more security event on the audit record now.
    fn may_record(&self, address: Option<&str>) -> bool {
        let ip = address
            .and_then(|a| a.parse::<IpAddr>().ok())
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        if self.recorded_events.len() > 10_000 {
            self.recorded_events.retain_recent();
        }
        self.recorded_events.check_key(&ip).is_ok()
    }
}

/// Security events each client address may put on the audit record per minute.
pub const RECORDED_EVENTS_PER_MINUTE: u32 = 60;

/// Refuses with 429 and `Retry-After` once an address spends its budget on login or on
/// the public endpoints.
pub async fn rate_limit(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let limiter = if is_sign_in(req.method(), path) {
        Some(&app.security.limits.login)
    } else if path == "/cek"
        || path.starts_with("/api/v1/public/")
        || path.starts_with("/api/v1/ocds/")
    {
        Some(&app.security.limits.public)
    } else {
        None
    };
    if let Some(limiter) = limiter {
        let ip = client_ip(req.extensions()).unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        // Forget addresses whose budget has refilled, so the table stays small.
        if limiter.len() > 10_000 {
            limiter.retain_recent();
        }
        if let Err(not_until) = limiter.check_key(&ip) {
            let wait = not_until
                .wait_time_from(governor::clock::Clock::now(
                    &governor::clock::DefaultClock::default(),
                ))
                .as_secs()
                .max(1);
            let mut e = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("too many requests from your address; retry in {wait} s"),
            );
            e.retry_after = Some(wait);
            return e.into_response();
        }
    }
    next.run(req).await
}

/// Headers on every response: no inline script, no framing, no MIME sniffing, no
/// referrer to other sites.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let set = |h: &mut HeaderMap, k: header::HeaderName, v: &'static str| {
        h.insert(k, HeaderValue::from_static(v));
    };
    set(
        h,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::REFERRER_POLICY, "same-origin");
    res
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, and Secure when the site is served over
/// HTTPS (configured, or said so by the proxy in front).
pub fn set_cookie(
    app: &AppState,
    headers: &HeaderMap,
    name: &str,
    value: &str,
    max_age: Option<i64>,
) -> Option<HeaderValue> {
    let https = app.security.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"));
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if https {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).ok()
}
