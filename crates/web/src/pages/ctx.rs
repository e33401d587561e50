//! What every page handler starts from: [`PageCtx`] (who asks, in which language, at
//! which URL, with the translator and the frame), [`SignedInPage`] (the same, for pages
//! that need an account: the public is sent to sign in), [`PageQuery`] (a typed list
//! filter read from the query string), and [`PageCtx::after_form`], the one way a form
//! ends: redirect when it worked, the form's page again (422) with the errors by field
//! when the values were refused.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::ops::Deref;

use askama::Template;
use axum::extract::{FromRef, FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use jakpreneur_core::{Actor, Permission};
use jakpreneur_store::StoreError;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::{Chrome, field_errors, page_error, render, store_failure};
use crate::AppState;
use crate::auth::login_redirect;
use crate::i18n::{PageLang, Tr};
use crate::security::Caller;

/// A page request: the application, the caller (perhaps the public), the page language
/// and the URL as the browser sent it.
pub struct PageCtx {
    pub app: AppState,
    pub caller: Caller,
    pub lang: PageLang,
    pub uri: Uri,
}

impl<S: Send + Sync> FromRequestParts<S> for PageCtx
where
    AppState: FromRef<S>,
{
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self {
            app: AppState::from_ref(state),
            caller: Caller::from_request_parts(parts, state).await?,
            lang: PageLang::from_request_parts(parts, state).await?,
            uri: OriginalUri::from_request_parts(parts, state).await?.0,
        })
    }
}

impl PageCtx {
    /// The translator for the page language.
    pub fn tr(&self) -> Tr<'_> {
        self.app.i18n.tr(self.lang.lang)
    }

    pub fn actor(&self) -> &Actor {
        &self.caller.actor
    }

    pub fn today(&self) -> NaiveDate {
        self.app.clock.today()
    }

    /// The frame of this page for the caller; the language links keep the query.
    pub fn chrome(&self) -> Chrome<'_> {
        Chrome::new(self.tr(), self.uri.path(), self.uri.query()).for_caller(&self.caller)
    }

    /// The frame of the page at `path` for the caller (after a form: the page it is on).
    pub fn chrome_at(&self, path: &str) -> Chrome<'_> {
        Chrome::new(self.tr(), path, None).for_caller(&self.caller)
    }

    /// A frame that does not show who is signed in (the login form, some apologies).
    pub fn plain_chrome(&self, path: &str, query: Option<&str>) -> Chrome<'_> {
        Chrome::new(self.tr(), path, query)
    }

    pub fn render(&self, status: StatusCode, page: &impl Template) -> Response {
        render(status, self.lang, page)
    }

    /// The page for a store error: 403, 404, or (logged) 500.
    pub fn error(&self, c: Chrome<'_>, e: StoreError) -> Response {
        page_error(self.lang, c, e)
    }

    /// The page for an unexpected store error: logged, 500.
    pub fn failure(&self, c: Chrome<'_>, e: StoreError) -> Response {
        store_failure(self.lang, c, e)
    }

    /// A form that only `p` may send: an account without the permission is refused (403)
    /// before the fields are looked at, so it learns nothing from validation.
    pub fn require(&self, p: Permission) -> Option<Response> {
        (!self.caller.actor.can(p)).then(|| {
            self.error(
                self.chrome_at(self.uri.path()),
                StoreError::Forbidden(p.as_str().to_owned()),
            )
        })
    }

    /// How a form ends (post/redirect/get). `outcome` is where to go when it worked; when
    /// the values were refused (`StoreError::Invalid`), the form's page is shown again
    /// with 422: `reload` builds it (or answers otherwise) and `keep` gives it the errors
    /// by field and what was typed. Any other refusal is handed back to the caller, which
    /// answers it as its page does.
    pub async fn after_form<P: Template>(
        &self,
        outcome: Result<String, StoreError>,
        reload: impl Future<Output = Result<P, Response>>,
        keep: impl FnOnce(&mut P, HashMap<String, String>),
    ) -> Result<Response, StoreError> {
        match outcome {
            Ok(to) => Ok(Redirect::to(&to).into_response()),
            Err(StoreError::Invalid(errs)) => Ok(match reload.await {
                Ok(mut page) => {
                    keep(&mut page, field_errors(self.tr(), &errs));
                    self.render(StatusCode::UNPROCESSABLE_ENTITY, &page)
                }
                Err(answer) => answer,
            }),
            Err(e) => Err(e),
        }
    }
}

/// A page that needs an account: the public is sent to the login form, and comes back
/// after signing in.
///
/// Put it after the path extractor: a path that cannot be read is answered first.
pub struct SignedInPage(pub PageCtx);

impl Deref for SignedInPage {
    type Target = PageCtx;

    fn deref(&self) -> &PageCtx {
        &self.0
    }
}

impl<S: Send + Sync> FromRequestParts<S> for SignedInPage
where
    AppState: FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Ok(page) = PageCtx::from_request_parts(parts, state).await;
        if page.caller.actor.is_anonymous() {
            return Err(login_redirect(&page.uri));
        }
        Ok(SignedInPage(page))
    }
}

/// A list page's filters from the query string: `value` typed (the API's query struct,
/// its fields `Option<String>`), `raw` as typed, to show in the form again and to carry
/// into the next page's link. As browsers send forms: the last of a repeated name wins,
/// blank values count as not given, and names the filter does not know (`lang`) are left
/// to others.
pub struct PageQuery<T> {
    pub value: T,
    pub raw: HashMap<String, String>,
}

/// Reads `T`'s fields from a map that may hold other names too.
#[derive(Deserialize)]
struct Known<T> {
    #[serde(flatten)]
    value: T,
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for PageQuery<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Ok(OriginalUri(uri)) = OriginalUri::from_request_parts(parts, state).await;
        let raw: HashMap<String, String> = uri
            .query()
            .map(|s| form_urlencoded::parse(s.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        let given = raw
            .iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| (k.clone(), v.clone()));
        let de = serde::de::value::MapDeserializer::<_, serde::de::value::Error>::new(given);
        match Known::<T>::deserialize(de) {
            Ok(Known { value }) => Ok(PageQuery { value, raw }),
            Err(e) => Err((StatusCode::BAD_REQUEST, e.to_string()).into_response()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::MemberQuery;

    async fn query(uri: &str) -> PageQuery<MemberQuery> {
        let req = axum::http::Request::get(uri).body(()).unwrap();
        let (mut parts, ()) = req.into_parts();
        match PageQuery::<MemberQuery>::from_request_parts(&mut parts, &()).await {
            Ok(q) => q,
            Err(_) => panic!("{uri} refused"),
        }
    }

    #[tokio::test]
    async fn page_query_reads_a_filter_as_a_browser_sends_it() {
        let q = query("/members?lang=en&region=31.71&region=31.74&q=%20&limit=2").await;
        assert_eq!(q.value.region.as_deref(), Some("31.74"), "the last wins");
        assert_eq!(q.value.q, None, "blank is not given");
        assert_eq!(q.value.limit.as_deref(), Some("2"));
        assert_eq!(q.raw.get("lang").map(String::as_str), Some("en"));
        assert_eq!(q.raw.get("q").map(String::as_str), Some(" "));
        let none = query("/members").await;
        assert!(none.value.after.is_none() && none.raw.is_empty());
    }
}
