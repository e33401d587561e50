//! `/cek`: the public membership check, same data as `/api/v1/public/membership`.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use jakpreneur_core::member::parse_public_query;

use super::Chrome;
use super::ctx::PageCtx;
use crate::views::PublicMemberView;

#[derive(Template)]
#[template(path = "cek.html")]
struct CekPage<'a> {
    c: Chrome<'a>,
    q: String,
    searched: bool,
    error: Option<String>,
    items: Vec<PublicMemberView>,
    /// How many matched in all.
    total: i64,
}

impl CekPage<'_> {
    /// A facility by its code and name in the page's language ("P2 Pelatihan").
    fn facility(&self, code: &str) -> String {
        match jakpreneur_core::programme::programmes().stage("jakpreneur", code) {
            Some(s) if self.c.tr.lang == crate::i18n::Lang::En => format!("{code} {}", s.name_en),
            Some(s) => format!("{code} {}", s.name_id),
            None => code.to_owned(),
        }
    }

    /// More matched than are listed.
    fn more(&self) -> bool {
        self.total > self.items.len() as i64
    }
}

pub async fn check(page: PageCtx) -> Response {
    let tr = page.tr();
    let q = page.uri.query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "q")
            .map(|(_, v)| v.into_owned())
    });
    let mut shown = CekPage {
        c: page.chrome(),
        q: q.clone().unwrap_or_default(),
        searched: q.is_some(),
        error: None,
        items: Vec::new(),
        total: 0,
    };
    let Some(q) = q else {
        return page.render(StatusCode::OK, &shown);
    };
    let q = match parse_public_query(Some(&q)) {
        Ok(q) => q,
        Err(_) => {
            shown.error = Some(tr.t("error.query_invalid").to_owned());
            return page.render(StatusCode::UNPROCESSABLE_ENTITY, &shown);
        }
    };
    match page.app.store.public_lookup(&q).await {
        Ok((found, total)) => {
            shown.items = found.into_iter().map(PublicMemberView::from).collect();
            shown.total = total;
            page.render(StatusCode::OK, &shown)
        }
        Err(_) => super::message(
            StatusCode::SERVICE_UNAVAILABLE,
            page.lang,
            shown.c,
            tr.t("cek.title"),
            tr.t("error.unavailable"),
        ),
    }
}
