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

/// Thousands separated the Indonesian way: 264.213.
pub fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    if n < 0 { format!("-{out}") } else { out }
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
                member_count: group_thousands(n),
            },
        ),
        Err(e) => super::store_failure(lang, c, e),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn groups_thousands_with_dots() {
        assert_eq!(super::group_thousands(0), "0");
        assert_eq!(super::group_thousands(999), "999");
        assert_eq!(super::group_thousands(264213), "264.213");
        assert_eq!(super::group_thousands(1000000), "1.000.000");
    }
}
