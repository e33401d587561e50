//! Who may go on: the extractors that refuse the public where an account is needed, so
//! that no handler checks `is_anonymous()` itself. The API answers 401 in its JSON shape
//! ([`SignedIn`], [`SignedInJson`]); pages send the reader to the login form and back
//! ([`login_redirect`], used by the page extractor `pages::Page`).

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use jakpreneur_core::Actor;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::security::Caller;

/// The API's answer to the public where an account is needed.
fn unauthenticated() -> ApiError {
    let mut e = ApiError::new(
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
        "send an API token: Authorization: Bearer <token>",
    );
    e.www_authenticate = true;
    e
}

/// The caller's account, for an API route that needs one; the public gets 401.
///
/// Put it after the path and query extractors: a path or query that cannot be read is
/// answered first, whoever sends it.
pub struct SignedIn(pub Actor);

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Ok(caller) = Caller::from_request_parts(parts, state).await;
        if caller.actor.is_anonymous() {
            return Err(unauthenticated());
        }
        Ok(SignedIn(caller.actor))
    }
}

/// The caller's account and a JSON body, for an API route that takes one. The body is
/// read first, so a malformed body is answered the same way whoever sends it; then the
/// public gets 401.
pub struct SignedInJson<T>(pub Actor, pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for SignedInJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let Ok(caller) = Caller::from_request_parts(&mut parts, state).await;
        let ApiJson(value) = ApiJson::from_request(Request::from_parts(parts, body), state).await?;
        if caller.actor.is_anonymous() {
            return Err(unauthenticated());
        }
        Ok(SignedInJson(caller.actor, value))
    }
}

/// Pages that need an account send the public to the login form, and come back after.
pub fn login_redirect(uri: &Uri) -> Response {
    let next = uri
        .path_and_query()
        .map_or("/", axum::http::uri::PathAndQuery::as_str);
    let mut s = form_urlencoded::Serializer::new(String::new());
    s.append_pair("next", next);
    Redirect::to(&format!("/login?{}", s.finish())).into_response()
}
