//! `/`: what Jakpreneur is, how many members it holds, and where to go next.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;

use super::Chrome;
use super::ctx::PageCtx;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    c: Chrome<'a>,
    member_count: String,
}

pub async fn home(page: PageCtx) -> Response {
    let c = page.chrome();
    match page.app.store.count_members().await {
        Ok(n) => page.render(
            StatusCode::OK,
            &HomePage {
                c,
                member_count: crate::charts::format_count(n),
            },
        ),
        Err(e) => page.failure(c, e),
    }
}
