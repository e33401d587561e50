//! The manpower department's places, classes and fairs on pages, beside the trainees
//! (`/pelatihan-kerja`): training centres (`/pelatihan-kerja/pusat`), classes with their
//! sessions, trainees, attendance and competency assessment (`/pelatihan-kerja/kelas`),
//! and job fairs with employers' vacancies, applications and hires
//! (`/pelatihan-kerja/bursa`). Every write goes through the store calls the API uses; a
//! refusal shows the page again with the message beside its field and what was typed.

pub mod centres;
pub mod classes;
pub mod fairs;

use std::collections::HashMap;
use std::future::Future;

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use jakpreneur_core::Permission;
use jakpreneur_store::StoreError;

use super::ctx::PageCtx;

/// Where the department's pages live.
pub const BASE: &str = "/pelatihan-kerja";

/// What a page's forms hold after a refusal: which form was sent, what was typed, and
/// the errors by field. Values and errors belong to that form only.
#[derive(Debug, Default)]
pub struct Forms {
    form: String,
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
}

impl Forms {
    /// What was typed in `form`'s field `k`.
    pub fn v(&self, form: &str, k: &str) -> &str {
        if self.form != form {
            return "";
        }
        self.values.get(k).map_or("", String::as_str)
    }

    /// The error of `form`'s field `k`, or "".
    pub fn err(&self, form: &str, k: &str) -> &str {
        if self.form != form {
            return "";
        }
        self.errors.get(k).map_or("", String::as_str)
    }

    /// Whether `form` was sent and refused (a folded form opens).
    pub fn open(&self, form: &str) -> bool {
        self.form == form
    }

    /// `form`'s errors that belong to no field it shows (`shown`: names separated by
    /// commas), such as a full class or a filled vacancy: shown above the form.
    pub fn stray(&self, form: &str, shown: &str) -> Vec<&str> {
        if self.form != form {
            return Vec::new();
        }
        let shown: Vec<&str> = shown.split(',').map(str::trim).collect();
        let mut out: Vec<(&str, &str)> = self
            .errors
            .iter()
            .filter(|(k, _)| !shown.contains(&k.as_str()))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        out.sort_unstable();
        out.into_iter().map(|(_, v)| v).collect()
    }
}

/// A page with forms.
pub trait WithForms {
    fn forms(&mut self) -> &mut Forms;
}

/// How a form on these pages ends: to `to` when it worked; when its values were refused,
/// the page again (422) with the errors beside the fields of `form` and what was typed.
pub async fn after<P: Template + WithForms>(
    page: &PageCtx,
    path: &str,
    form: impl Into<String>,
    values: HashMap<String, String>,
    outcome: Result<String, StoreError>,
    reload: impl Future<Output = Result<P, StoreError>>,
) -> Response {
    let reload = async {
        reload
            .await
            .map_err(|e| page.error(page.chrome_at(path), e))
    };
    page.after_form(outcome, reload, |p, errors| {
        *p.forms() = Forms {
            form: form.into(),
            values,
            errors,
        };
    })
    .await
    .unwrap_or_else(|e| page.error(page.chrome_at(path), e))
}

/// A page for readers of job training: built and shown, or the refusal (403 without the
/// permission, before anything is read; 404 for a record that is not there).
pub async fn read<P: Template>(
    page: &PageCtx,
    build: impl Future<Output = Result<P, StoreError>>,
) -> Response {
    if let Some(refused) = page.require(Permission::TraineeRead) {
        return refused;
    }
    match build.await {
        Ok(p) => page.render(StatusCode::OK, &p),
        Err(e) => page.error(page.chrome(), e),
    }
}

/// A record's id in a path; anything else is no record (404).
pub fn path_id(raw: &str) -> Result<i64, StoreError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(StoreError::NotFound)
}

/// A trainee named in a form who is not there (or not in the reader's region) is a
/// refusal of that field, not a missing page: the class or fair the form is on exists.
pub fn unknown_trainee(e: StoreError, field: &'static str, no: &str) -> StoreError {
    match e {
        StoreError::NotFound => StoreError::Invalid(
            jakpreneur_core::FieldError::new(
                field,
                "enrolment_unknown",
                format!("no trainee {no:?} in your region"),
            )
            .into(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_belong_to_their_form_and_unshown_fields_go_above_it() {
        let f = Forms {
            form: "vacancy".into(),
            values: HashMap::from([("employer".into(), "PT A".into())]),
            errors: HashMap::from([
                ("openings".into(), "too many".into()),
                ("decision".into(), "filled".into()),
            ]),
        };
        assert_eq!(f.v("vacancy", "employer"), "PT A");
        assert_eq!(f.v("fair", "employer"), "");
        assert_eq!(f.err("vacancy", "openings"), "too many");
        assert_eq!(f.err("apply", "openings"), "");
        assert_eq!(
            f.stray("vacancy", "employer, position, openings"),
            ["filled"]
        );
        assert!(f.stray("apply", "").is_empty());
        assert!(f.open("vacancy") && !f.open("fair"));
    }

    #[test]
    fn a_path_id_is_a_positive_number() {
        assert_eq!(path_id("12").unwrap(), 12);
        for bad in ["0", "-1", "x", "", "99999999999999999999"] {
            assert!(matches!(path_id(bad), Err(StoreError::NotFound)), "{bad}");
        }
    }
}
