//! `/cek`: the public membership check, same data as `/api/v1/public/membership`.

use askama::Template;
use axum::extract::{OriginalUri, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::{Chrome, render};
use crate::AppState;
use crate::api::public::{lookup, parse_public_query};
use crate::i18n::PageLang;
use crate::security::Caller;
use crate::views::PublicMemberView;

#[derive(Template)]
#[template(path = "cek.html")]
struct CekPage<'a> {
    c: Chrome<'a>,
    q: String,
    searched: bool,
    error: Option<String>,
    items: Vec<PublicMemberView>,
}

pub async fn check(
    State(app): State<AppState>,
    caller: Caller,
    lang: PageLang,
    OriginalUri(uri): OriginalUri,
) -> Response {
    let tr = app.i18n.tr(lang.lang);
    let c = Chrome::new(tr, uri.path(), uri.query()).for_caller(&caller);
    let q = uri.query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "q")
            .map(|(_, v)| v.into_owned())
    });
    let mut page = CekPage {
        c,
        q: q.clone().unwrap_or_default(),
        searched: q.is_some(),
        error: None,
        items: Vec::new(),
    };
    let Some(q) = q else {
        return render(StatusCode::OK, lang, &page);
    };
    let q = match parse_public_query(Some(&q)) {
        Ok(q) => q,
        Err(_) => {
            page.error = Some(tr.t("error.query_invalid").to_owned());
            return render(StatusCode::UNPROCESSABLE_ENTITY, lang, &page);
        }
    };
    match lookup(&app, &q).await {
        Ok(items) => {
            page.items = items;
            render(StatusCode::OK, lang, &page)
        }
        Err(_) => super::message(
            StatusCode::SERVICE_UNAVAILABLE,
            lang,
            page.c,
            tr.t("cek.title"),
            tr.t("error.unavailable"),
        ),
    }
}
