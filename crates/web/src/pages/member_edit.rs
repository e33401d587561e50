//! Correcting a member (`/members/{no}/edit`) and marking it withdrawn, in the pages. Both
//! carry the version the officer read: a record changed by someone else in between is not
//! overwritten silently; the form comes back with what was typed and says so.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jakpreneur_core::member::parse_withdrawal_reason;
use jakpreneur_core::text::date_or_today;
use jakpreneur_core::{FieldError, MemberPatch, Permission, ValidationErrors};
use jakpreneur_store::{Member, StoreError};

use super::ctx::{PageCtx, SignedInPage};
use super::field_errors;
use super::member_page::{load, no_store};
use super::members::new_page;

/// The form's fields, as the registration form names them (the NIK is never prefilled).
fn values_of(m: &Member) -> HashMap<String, String> {
    let mut v = HashMap::new();
    if let Some(p) = &m.personal {
        v.insert("full_name".into(), p.full_name.clone());
        v.insert("birth_date".into(), p.birth_date.to_string());
        v.insert("phone".into(), p.phone.clone());
        v.insert("email".into(), p.email.clone().unwrap_or_default());
        v.insert("address".into(), p.address.clone());
    }
    v.insert("sex".into(), m.sex.as_str().to_owned());
    v.insert("village_code".into(), m.village_code.clone());
    v.insert("business_name".into(), m.business_name.clone());
    v.insert("sector".into(), m.sector.clone());
    v.insert("channel".into(), m.channel.as_str().to_owned());
    v.insert("registered_on".into(), m.registered_on.to_string());
    v
}

fn may_update(page: &PageCtx) -> Option<Response> {
    (!page.actor().can(Permission::MemberUpdate)).then(|| {
        page.error(
            page.chrome(),
            StoreError::Forbidden("the role may not correct members".into()),
        )
    })
}

/// An erased member has no personal data left to correct.
fn erased(page: &PageCtx) -> Response {
    page.error(page.chrome(), StoreError::Erased)
}

pub async fn edit_form(Path(member_no): Path<String>, page: SignedInPage) -> Response {
    if let Some(r) = may_update(&page) {
        return r;
    }
    let m = match page
        .app
        .store
        .get_member(page.actor(), &member_no, false)
        .await
    {
        Ok(m) if m.personal.is_none() => return erased(&page),
        Ok(m) => m,
        Err(e) => return page.error(page.chrome(), e),
    };
    let mut form = new_page(&page, values_of(&m));
    form.editing = Some(m.member_no.clone());
    form.version = m.version;
    no_store(page.render(StatusCode::OK, &form))
}

pub async fn edit_save(Path(member_no): Path<String>, page: SignedInPage, body: Bytes) -> Response {
    if let Some(r) = may_update(&page) {
        return r;
    }
    let tr = page.tr();
    // A member outside the officer's region is not there for it (404), whatever was sent.
    match page
        .app
        .store
        .get_member(page.actor(), &member_no, false)
        .await
    {
        Ok(m) if m.personal.is_none() => return erased(&page),
        Ok(_) => {}
        Err(e) => return page.error(page.chrome(), e),
    }
    let values = super::form(&body);
    let text = |k: &str| values.get(k).map(|v| v.trim().to_owned());
    let version = values
        .get("version")
        .and_then(|v| v.trim().parse::<i64>().ok());
    let patch = MemberPatch {
        nik: text("nik").filter(|v| !v.is_empty()),
        full_name: text("full_name"),
        birth_date: text("birth_date"),
        sex: text("sex"),
        phone: text("phone"),
        email: text("email").map(|e| Some(e).filter(|e| !e.is_empty())),
        address: text("address"),
        village_code: text("village_code"),
        business_name: text("business_name"),
        sector: text("sector"),
        channel: text("channel"),
        registered_on: text("registered_on"),
    };
    let mut form = new_page(&page, values.clone());
    form.editing = Some(member_no.clone());
    form.version = version.unwrap_or(0);
    let Some(version) = version else {
        // A form without its version was not made by this page: refuse rather than guess.
        form.errors
            .insert("version".into(), tr.t("error.stale_version").to_owned());
        return page.render(StatusCode::UNPROCESSABLE_ENTITY, &form);
    };
    match page
        .app
        .store
        .update_member(
            page.actor(),
            &member_no,
            Some(version),
            &patch,
            page.today(),
        )
        .await
    {
        Ok(m) => Redirect::to(&format!("/members/{}?updated=1", m.member_no)).into_response(),
        Err(StoreError::Invalid(errs)) => {
            form.errors = field_errors(tr, &errs);
            page.render(StatusCode::UNPROCESSABLE_ENTITY, &form)
        }
        Err(StoreError::StaleVersion { current }) => {
            // The next save is made knowingly over the version now on file.
            form.stale = Some(current);
            form.version = current;
            page.render(StatusCode::CONFLICT, &form)
        }
        Err(StoreError::DuplicateNik { member_no: other }) => {
            form.errors
                .insert("nik".into(), tr.t("error.duplicate_nik").to_owned());
            form.existing_member_no = other;
            page.render(StatusCode::CONFLICT, &form)
        }
        Err(StoreError::Forbidden(_)) if patch.village_code.is_some() => {
            form.errors
                .insert("village_code".into(), tr.t("error.forbidden").to_owned());
            page.render(StatusCode::FORBIDDEN, &form)
        }
        Err(StoreError::Erased) => erased(&page),
        Err(e) => page.error(form.c, e),
    }
}

/// `POST /members/{no}/withdraw`: reason, date (default today), the confirmation box and
/// the version read. Refusals come back on the member page, in its profile.
pub async fn withdraw(Path(member_no): Path<String>, page: SignedInPage, body: Bytes) -> Response {
    let tr = page.tr();
    if !page.actor().can(Permission::MemberWithdraw) {
        return page.error(
            page.chrome(),
            StoreError::Forbidden("the role may not withdraw members".into()),
        );
    }
    let values = super::form(&body);
    let mut errs = ValidationErrors::default();
    let reason = errs.take(parse_withdrawal_reason(
        values.get("reason").map(String::as_str),
    ));
    let on = errs.take(date_or_today(
        "on",
        values.get("on").map(String::as_str),
        page.today(),
    ));
    if values.get("confirm").is_none_or(|v| v != "yes") {
        errs.push(FieldError::new(
            "confirm",
            "confirmation_required",
            "tick the confirmation",
        ));
    }
    let version = values
        .get("version")
        .and_then(|v| v.trim().parse::<i64>().ok());
    let outcome = match (reason, on, errs.is_empty()) {
        (Some(reason), Some(on), true) => {
            page.app
                .store
                .withdraw_member(page.actor(), &member_no, &reason, on, version)
                .await
        }
        _ => Err(StoreError::Invalid(errs)),
    };
    let message = match outcome {
        Ok(m) => {
            return Redirect::to(&format!("/members/{}?withdrawn=1", m.member_no)).into_response();
        }
        Err(StoreError::Invalid(errs)) => errs
            .0
            .iter()
            .map(|e| match e.code {
                "confirmation_required" => tr.t("members.withdraw_confirm_required").to_owned(),
                _ => format!(
                    "{}: {}",
                    tr.tv("field.", e.field),
                    tr.error(e.code, &e.message)
                ),
            })
            .collect::<Vec<_>>()
            .join(" "),
        Err(StoreError::StaleVersion { current }) => tr
            .t("members.stale")
            .replace("{version}", &current.to_string()),
        Err(StoreError::AlreadyWithdrawn) => tr.t("error.already_withdrawn").to_owned(),
        Err(e) => return page.error(page.chrome(), e),
    };
    let path = format!("/members/{member_no}");
    match load(&page, &member_no, false, || page.chrome_at(&path)).await {
        Ok(mut shown) => {
            shown.withdraw_error = Some(message);
            shown.withdraw_values = values;
            no_store(page.render(StatusCode::UNPROCESSABLE_ENTITY, &shown))
        }
        Err(answer) => answer,
    }
}
