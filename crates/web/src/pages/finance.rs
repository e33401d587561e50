//! Facilities P6 and P7 from the member page: filing a monthly financial report and
//! referring the member to a financing partner (with their consent).

use axum::body::Bytes;
use axum::extract::Path;
use axum::response::Response;
use jakpreneur_store::{NewReferral, NewReport, StoreError};

use super::ctx::SignedInPage;
use super::member_page::back_to_member;

/// `POST /members/{member_no}/financial-reports`.
pub async fn file(Path(member_no): Path<String>, page: SignedInPage, body: Bytes) -> Response {
    let f = super::form(&body);
    let g = |k: &str| f.get(k).map(String::as_str);
    let outcome = match NewReport::parse(
        g("month"),
        g("sales"),
        g("costs"),
        g("employees"),
        g("assets"),
        g("filed_on"),
        page.today(),
    ) {
        Ok(r) => page
            .app
            .store
            .file_report(page.actor(), &member_no, &r)
            .await
            .map(|_| ()),
        Err(errs) => Err(StoreError::Invalid(errs)),
    };
    back_to_member(&page, &member_no, "finance", outcome, |t, errs| {
        t.finance_errors = errs;
        t.finance_values = f;
    })
    .await
}

/// `POST /members/{member_no}/referrals`.
pub async fn refer(Path(member_no): Path<String>, page: SignedInPage, body: Bytes) -> Response {
    let f = super::form(&body);
    let g = |k: &str| f.get(k).map(String::as_str);
    let outcome = match NewReferral::parse(
        g("partner"),
        g("purpose"),
        g("amount_requested"),
        g("consent") == Some("yes"),
        g("referred_on"),
        page.today(),
    ) {
        Ok(r) => page
            .app
            .store
            .refer(page.actor(), &member_no, &r)
            .await
            .map(|_| ()),
        Err(errs) => Err(StoreError::Invalid(errs)),
    };
    back_to_member(&page, &member_no, "financing", outcome, |t, errs| {
        t.referral_errors = errs;
        t.referral_values = f;
    })
    .await
}
