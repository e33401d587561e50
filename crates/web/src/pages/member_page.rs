//! One member's page (`/members/{member_no}`: the record, its timeline and the forms on
//! it), and how a form on it ends ([`back_to_member`]).

use std::collections::HashMap;

use askama::Template;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::Response;
use jakpreneur_core::Permission;
use jakpreneur_core::reference::reference;
use jakpreneur_store::{Member, StoreError};

use super::Chrome;
use super::ctx::{PageCtx, SignedInPage};
use super::timeline::Timeline;
use crate::security::Caller;

/// A region's name, or its code when the reference does not know it.
pub fn region_name(code: &str) -> String {
    reference()
        .region(code)
        .map_or_else(|| code.to_owned(), |r| r.name.clone())
}

#[derive(Template)]
#[template(path = "members/show.html")]
pub struct ShowPage<'a> {
    pub c: Chrome<'a>,
    m: Member,
    village: String,
    district: String,
    city: String,
    sector_name: String,
    just_registered: bool,
    can_reveal: bool,
    can_export: bool,
    can_erase: bool,
    pub erase_error: Option<String>,
    can_update: bool,
    can_withdraw: bool,
    /// The withdrawal form's refusal, and what was typed into it.
    pub withdraw_error: Option<String>,
    pub withdraw_values: HashMap<String, String>,
    /// A correction or withdrawal was just saved.
    just_updated: bool,
    just_withdrawn: bool,
    today: String,
    /// Services, facilities reached and the form to record one.
    pub timeline: Timeline,
}

impl ShowPage<'_> {
    fn withdraw_value(&self, name: &str) -> &str {
        self.withdraw_values.get(name).map_or("", String::as_str)
    }
}

pub fn show_page<'a>(
    c: Chrome<'a>,
    caller: &Caller,
    m: Member,
    just_registered: bool,
) -> ShowPage<'a> {
    let tr = c.tr;
    let personal = m.personal.is_some();
    let revealed = m.personal.as_ref().is_some_and(|p| p.nik_revealed);
    ShowPage {
        village: super::names::place(&tr, &m.village_code),
        district: super::names::place(&tr, &m.district_code),
        city: region_name(&m.city_code),
        sector_name: super::names::sector(&tr, &m.sector),
        just_registered,
        can_reveal: personal && !revealed && caller.actor.can(Permission::MemberReadNik),
        can_export: caller.actor.can(Permission::MemberExport),
        can_erase: personal && caller.actor.can(Permission::MemberErase),
        erase_error: None,
        can_update: personal && caller.actor.can(Permission::MemberUpdate),
        can_withdraw: personal
            && m.status == jakpreneur_core::Status::Active
            && caller.actor.can(Permission::MemberWithdraw),
        withdraw_error: None,
        withdraw_values: HashMap::new(),
        just_updated: false,
        just_withdrawn: false,
        today: String::new(),
        timeline: Timeline::default(),
        m,
        c,
    }
}

pub fn no_store(mut res: Response) -> Response {
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    res
}

/// The member's page with its timeline, framed by `chrome`; `reveal` shows the NIK
/// (audited). A refusal is answered as the error page.
pub async fn load<'a>(
    page: &'a PageCtx,
    member_no: &str,
    reveal: bool,
    chrome: impl Fn() -> Chrome<'a>,
) -> Result<ShowPage<'a>, Response> {
    let m = match page
        .app
        .store
        .get_member(page.actor(), member_no, reveal)
        .await
    {
        Ok(m) => m,
        Err(e) => return Err(page.error(chrome(), e)),
    };
    let mut shown = show_page(chrome(), &page.caller, m, false);
    shown.today = page.today().to_string();
    match Timeline::load(&page.app, &page.caller, member_no, page.tr()).await {
        Ok(t) => shown.timeline = t,
        Err(e) => return Err(page.failure(chrome(), e)),
    }
    Ok(shown)
}

/// After a form on the member page: back to its `section` when it worked; otherwise the
/// member page again, 422, with `keep` putting the errors (by field) and what was typed
/// into the timeline; any other refusal is the error page.
pub async fn back_to_member(
    page: &PageCtx,
    member_no: &str,
    section: &str,
    outcome: Result<(), StoreError>,
    keep: impl FnOnce(&mut Timeline, HashMap<String, String>),
) -> Response {
    let path = format!("/members/{member_no}");
    let chrome = || page.chrome_at(&path);
    let done = outcome.map(|()| format!("{path}#{section}"));
    let shown = load(page, member_no, false, chrome);
    match page
        .after_form(done, shown, |p, errs| keep(&mut p.timeline, errs))
        .await
    {
        Ok(res) => no_store(res),
        Err(e) => page.error(chrome(), e),
    }
}

async fn show_member(page: &PageCtx, member_no: &str, reveal: bool) -> Response {
    let flag = |name: &str| {
        page.uri
            .query()
            .is_some_and(|q| q.split('&').any(|p| p == format!("{name}=1")))
    };
    match load(page, member_no, reveal, || page.chrome()).await {
        Ok(mut shown) => {
            shown.just_registered = flag("registered");
            shown.just_updated = flag("updated");
            shown.just_withdrawn = flag("withdrawn");
            no_store(page.render(StatusCode::OK, &shown))
        }
        Err(answer) => answer,
    }
}

pub async fn show(Path(member_no): Path<String>, page: SignedInPage) -> Response {
    show_member(&page, &member_no, false).await
}

/// A POST, so that showing the NIK is a deliberate act (and audited), never a link that
/// a crawler or a prefetch could follow.
pub async fn reveal_nik(Path(member_no): Path<String>, page: SignedInPage) -> Response {
    show_member(&page, &member_no, true).await
}
