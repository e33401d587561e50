//! The ledger's forms on the member page: record a service, void one, void a facility
//! record as a whole. They write the same ledger as the API.

use std::future::Future;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jakpreneur_core::member::parse_withdrawal_reason;
use jakpreneur_core::programme::{EventDraft, NewEvent};
use jakpreneur_store::{RecordRef, StoreError};

use super::ctx::{PageCtx, SignedInPage};
use super::field_errors;
use super::member_page::back_to_member;

/// `POST /members/{member_no}/events`: the record-a-service form.
pub async fn record(Path(member_no): Path<String>, page: SignedInPage, body: Bytes) -> Response {
    let values = super::form(&body);
    let get = |k: &str| values.get(k).cloned().filter(|v| !v.trim().is_empty());
    let draft = EventDraft {
        facility: None,
        kind: get("kind"),
        occurred_on: get("occurred_on"),
        place_code: get("place_code"),
        agency: get("agency"),
        reference: get("reference"),
        note: get("note"),
    };
    let key = get("form_key").filter(|k| k.len() <= 100 && k.bytes().all(|b| b.is_ascii_graphic()));
    let outcome = match NewEvent::parse(&draft, page.today()) {
        Ok(e) => page
            .app
            .store
            .record_event(page.actor(), &member_no, &e, key.as_deref())
            .await
            .map(|_| ()),
        Err(errs) => Err(StoreError::Invalid(errs)),
    };
    back_to_member(&page, &member_no, "services", outcome, |t, errs| {
        t.errors = errs;
        t.values = values;
    })
    .await
}

/// `POST /members/{member_no}/events/{id}/void`, with a reason.
pub async fn void(
    Path((member_no, id)): Path<(String, String)>,
    page: SignedInPage,
    body: Bytes,
) -> Response {
    let target = id.parse::<i64>().map_err(|_| StoreError::NotFound);
    let (p, no) = (&*page, member_no.as_str());
    void_form(p, no, &body, "services", move |reason| async move {
        let id = target?;
        p.app
            .store
            .void_event(p.actor(), no, id, &reason, p.today())
            .await
            .map(|_| ())
    })
    .await
}

/// `POST /members/{member_no}/records/{record}/void`: a facility record as a whole.
pub async fn void_record(
    Path((member_no, record)): Path<(String, String)>,
    page: SignedInPage,
    body: Bytes,
) -> Response {
    let target = RecordRef::parse("record", &record).map_err(|e| StoreError::Invalid(e.into()));
    let section = match target {
        Ok(RecordRef::Permit(_)) => "permits",
        Ok(RecordRef::Session(_) | RecordRef::Mentor(_)) => "mentoring",
        Ok(RecordRef::Enrolment(_)) => "training",
        Ok(RecordRef::Report(_)) => "finance",
        Ok(RecordRef::Referral(_)) => "financing",
        _ => "services",
    };
    let (p, no) = (&*page, member_no.as_str());
    void_form(p, no, &body, section, move |reason| async move {
        p.app
            .store
            .void_record(p.actor(), no, target?, &reason, p.today())
            .await
    })
    .await
}

/// A void form on the member page: the reason is required; done (or already done) goes
/// back to `section`; a refusal is shown with its reason.
async fn void_form<F, Fut>(
    page: &PageCtx,
    member_no: &str,
    body: &Bytes,
    section: &str,
    act: F,
) -> Response
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = Result<(), StoreError>>,
{
    let tr = page.tr();
    let chrome = || page.chrome_at(&format!("/members/{member_no}"));
    let values = super::form(body);
    let Ok(reason) = parse_withdrawal_reason(values.get("reason").map(String::as_str)) else {
        return super::message(
            StatusCode::UNPROCESSABLE_ENTITY,
            page.lang,
            chrome(),
            tr.t("timeline.void"),
            tr.t("error.reason_required"),
        );
    };
    match act(reason).await {
        Ok(()) | Err(StoreError::AlreadyVoided) => {
            Redirect::to(&format!("/members/{member_no}#{section}")).into_response()
        }
        Err(StoreError::Invalid(errs)) => super::message(
            StatusCode::UNPROCESSABLE_ENTITY,
            page.lang,
            chrome(),
            tr.t("timeline.void"),
            &field_errors(tr, &errs)
                .into_values()
                .collect::<Vec<_>>()
                .join(" "),
        ),
        Err(e) => page.error(chrome(), e),
    }
}
