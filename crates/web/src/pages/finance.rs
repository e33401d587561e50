//! Facilities P6 and P7 from the member page: filing a monthly financial report and
//! referring the member to a financing partner (with their consent).

use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, State};
use axum::response::Response;
use jakpreneur_store::{NewReferral, NewReport, StoreError};

use super::login_redirect;
use super::timeline::back_to_member;
use crate::AppState;
use crate::i18n::PageLang;
use crate::security::Caller;

/// `POST /members/{member_no}/financial-reports`.
pub async fn file(
    State(app): State<AppState>,
    caller: Caller,
    lang: PageLang,
    OriginalUri(uri): OriginalUri,
    Path(member_no): Path<String>,
    body: Bytes,
) -> Response {
    if caller.actor.is_anonymous() {
        return login_redirect(&uri);
    }
    let f = super::form(&body);
    let g = |k: &str| f.get(k).map(String::as_str);
    let outcome = match NewReport::parse(
        g("month"),
        g("sales"),
        g("costs"),
        g("employees"),
        g("assets"),
        g("filed_on"),
        app.clock.today(),
    ) {
        Ok(r) => app
            .store
            .file_report(&caller.actor, &member_no, &r)
            .await
            .map(|_| ()),
        Err(errs) => Err(StoreError::Invalid(errs)),
    };
    back_to_member(
        &app,
        &caller,
        lang,
        &member_no,
        "finance",
        outcome,
        |t, errs| {
            t.finance_errors = errs;
            t.finance_values = f;
        },
    )
    .await
}

/// `POST /members/{member_no}/referrals`.
pub async fn refer(
    State(app): State<AppState>,
    caller: Caller,
    lang: PageLang,
    OriginalUri(uri): OriginalUri,
    Path(member_no): Path<String>,
    body: Bytes,
) -> Response {
    if caller.actor.is_anonymous() {
        return login_redirect(&uri);
    }
    let f = super::form(&body);
    let g = |k: &str| f.get(k).map(String::as_str);
    let outcome = match NewReferral::parse(
        g("partner"),
        g("purpose"),
        g("amount_requested"),
        g("consent") == Some("yes"),
        g("referred_on"),
        app.clock.today(),
    ) {
        Ok(r) => app
            .store
            .refer(&caller.actor, &member_no, &r)
            .await
            .map(|_| ()),
        Err(errs) => Err(StoreError::Invalid(errs)),
    };
    back_to_member(
        &app,
        &caller,
        lang,
        &member_no,
        "financing",
        outcome,
        |t, errs| {
            t.referral_errors = errs;
            t.referral_values = f;
        },
    )
    .await
}
