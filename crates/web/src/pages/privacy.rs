//! The privacy notices the consents cite (each notice's version is its consent's):
//! `/privasi` for Jakpreneur's members, `/privasi/pelatihan-kerja` for the manpower
//! department's job trainees. Each says what the system itself does with the personal
//! data.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;

use super::Chrome;
use super::ctx::PageCtx;

/// The members' notice's version: the one the consent a member gives names.
pub const VERSION: &str = jakpreneur_core::member::CONSENT_VERSION;

/// The notices' sections, by translation key: `<notice>.<key>_h` is the heading,
/// `<notice>.<key>` the text.
const SECTIONS: [&str; 8] = [
    "who", "what", "why", "who_sees", "security", "keeping", "rights", "changes",
];

#[derive(Template)]
#[template(path = "privacy.html")]
struct PrivacyPage<'a> {
    c: Chrome<'a>,
    title: &'a str,
    intro: &'a str,
    version: &'static str,
    sections: Vec<(String, String)>,
    /// The other notice: its title and address.
    other: (&'a str, &'static str),
}

/// The notice whose texts are under `notice.` in the catalogues.
fn render(
    page: &PageCtx,
    notice: &str,
    version: &'static str,
    other: (&str, &'static str),
) -> Response {
    let tr = page.tr();
    let t = |k: &str| tr.t(&format!("{notice}.{k}"));
    let sections = SECTIONS
        .iter()
        .map(|k| (t(&format!("{k}_h")).to_owned(), t(k).to_owned()))
        .collect();
    page.render(
        StatusCode::OK,
        &PrivacyPage {
            c: page.chrome(),
            title: t("title"),
            intro: t("intro"),
            version,
            sections,
            other: (tr.t(&format!("{}.title", other.0)), other.1),
        },
    )
}

/// `GET /privasi`: Jakpreneur's members.
pub async fn notice(page: PageCtx) -> Response {
    render(
        &page,
        "privacy_notice",
        VERSION,
        ("privacy_job_training", "/privasi/pelatihan-kerja"),
    )
}

/// `GET /privasi/pelatihan-kerja`: the job-training programme's trainees.
pub async fn job_training(page: PageCtx) -> Response {
    render(
        &page,
        "privacy_job_training",
        jakpreneur_core::enrolment::ENROLMENT_CONSENT_VERSION,
        ("privacy_notice", "/privasi"),
    )
}
