//! Server-rendered HTML pages (askama templates in `crates/web/templates/`). They work
//! without JavaScript; Indonesian by default, English via `?lang=en`.

pub mod home;
pub mod members;

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use crate::i18n::{PageLang, Tr};

pub const STYLESHEET: &str = include_str!("../../static/app.css");

/// What every page's frame needs: the translator and links to this page in each language.
pub struct Chrome<'a> {
    pub tr: Tr<'a>,
    pub here_id: String,
    pub here_en: String,
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
        }
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

pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
}
