//! `/privasi`: the privacy notice the registration consent cites (its version is the
//! consent's), saying what the system itself does with a member's personal data.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;

use super::Chrome;
use super::ctx::PageCtx;

/// The notice's version: the one the consent a member gives names.
pub const VERSION: &str = jakpreneur_core::member::CONSENT_VERSION;

/// The notice's sections, by translation key: `privacy_notice.<key>_h` is the heading,
/// `privacy_notice.<key>` the text.
const SECTIONS: [&str; 8] = [
    "who", "what", "why", "who_sees", "security", "keeping", "rights", "changes",
];

#[derive(Template)]
#[template(path = "privacy.html")]
struct PrivacyPage<'a> {
    c: Chrome<'a>,
    version: &'static str,
    sections: Vec<(String, String)>,
}

pub async fn notice(page: PageCtx) -> Response {
    let tr = page.tr();
    let sections = SECTIONS
        .iter()
        .map(|k| {
            (
                tr.t(&format!("privacy_notice.{k}_h")).to_owned(),
                tr.t(&format!("privacy_notice.{k}")).to_owned(),
            )
        })
        .collect();
    page.render(
        StatusCode::OK,
        &PrivacyPage {
            c: page.chrome(),
            version: VERSION,
            sections,
        },
    )
}
