//! `/`: what Jakpreneur is, how many members it holds, and where to go next.

use askama::Template;
use axum::extract::{OriginalUri, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::{Chrome, render};
use crate::AppState;
use crate::i18n::PageLang;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    c: Chrome<'a>,
    member_count: String,
}

pub async fn home(
    State(app): State<AppState>,
    caller: crate::security::Caller,
    lang: PageLang,
    OriginalUri(uri): OriginalUri,
) -> Response {
    let tr = app.i18n.tr(lang.lang);
    let c = Chrome::new(tr, uri.path(), uri.query()).for_caller(&caller);
    match app.store.count_members().await {
        Ok(n) => render(
            StatusCode::OK,
            lang,
            &HomePage {
                c,
                member_count: crate::charts::format_count(n),
            },
        ),
        Err(e) => super::store_failure(lang, c, e),
    }
}
