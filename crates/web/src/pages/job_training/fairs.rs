//! `/pelatihan-kerja/bursa`: job fairs in the cities and the form to announce one; and
//! `/pelatihan-kerja/bursa/{id}`: a fair's employers and vacancies, the trainees'
//! applications and the decisions (a hire records the trainee's placement).

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::Path;
use axum::response::Response;
use jakpreneur_core::Permission;
use jakpreneur_core::enrolment::WageBand;
use jakpreneur_core::job_training::{Decision, FairDraft, NewFair, NewVacancy};
use jakpreneur_core::text::{date_or_today, given};
use jakpreneur_core::{FieldError, ValidationErrors};
use jakpreneur_store::{FairApplication, FairVacancy, JobFair, StoreError};

use super::{BASE, Forms, WithForms, after, path_id, read, unknown_trainee};
use crate::pages::ctx::{PageCtx, SignedInPage};
use crate::pages::{Choice, Chrome};

#[derive(Template)]
#[template(path = "job_training/fairs.html")]
struct FairsPage<'a> {
    c: Chrome<'a>,
    fairs: Vec<JobFair>,
    cities: Vec<Choice>,
    can_announce: bool,
    today: chrono::NaiveDate,
    forms: Forms,
}

impl WithForms for FairsPage<'_> {
    fn forms(&mut self) -> &mut Forms {
        &mut self.forms
    }
}

async fn fairs_page<'a>(page: &'a PageCtx) -> Result<FairsPage<'a>, StoreError> {
    let actor = page.actor();
    // The fairs of the reader's own cities first, each part latest first.
    let mut fairs = page.app.store.fairs(actor).await?;
    fairs.sort_by_key(|f| !actor.scope.overlaps(&f.city_code));
    Ok(FairsPage {
        c: page.chrome_at(&format!("{BASE}/bursa")),
        fairs,
        cities: crate::pages::names::cities_for(&page.tr(), &actor.scope),
        can_announce: actor.can(Permission::TraineeRegister),
        today: page.today(),
        forms: Forms::default(),
    })
}

/// `GET /pelatihan-kerja/bursa`.
pub async fn list(page: SignedInPage) -> Response {
    read(&page, fairs_page(&page)).await
}

/// `POST /pelatihan-kerja/bursa`: announce a fair; to its page.
pub async fn create(page: SignedInPage, body: Bytes) -> Response {
    if let Some(refused) = page.require(Permission::TraineeRegister) {
        return refused;
    }
    let f = crate::pages::form(&body);
    let g = |k: &str| f.get(k).cloned();
    let outcome = match NewFair::parse(&FairDraft {
        title: g("title"),
        city_code: g("city_code"),
        held_on: g("held_on"),
        place: g("place"),
    }) {
        Ok(fair) => page
            .app
            .store
            .create_fair(page.actor(), &fair)
            .await
            .map(|x| format!("{BASE}/bursa/{}", x.id)),
        Err(errs) => Err(StoreError::Invalid(errs)),
    };
    let path = format!("{BASE}/bursa");
    after(&page, &path, "fair", f, outcome, fairs_page(&page)).await
}

#[derive(Template)]
#[template(path = "job_training/fair.html")]
struct FairPage<'a> {
    c: Chrome<'a>,
    fair: JobFair,
    vacancies: Vec<FairVacancy>,
    applications: Vec<FairApplication>,
    wage_bands: Vec<Choice>,
    can_add: bool,
    can_record: bool,
    forms: Forms,
}

impl WithForms for FairPage<'_> {
    fn forms(&mut self) -> &mut Forms {
        &mut self.forms
    }
}

impl FairPage<'_> {
    /// `employer — position` of a vacancy.
    fn vacancy(&self, id: &i64) -> String {
        self.vacancies
            .iter()
            .find(|v| v.id == *id)
            .map_or_else(String::new, |v| format!("{} — {}", v.employer, v.position))
    }
    fn open_vacancies(&self) -> impl Iterator<Item = &FairVacancy> {
        self.vacancies.iter().filter(|v| v.hired < v.openings)
    }
    fn hidden(&self) -> usize {
        self.applications
            .iter()
            .filter(|a| a.enrolment_no.is_none())
            .count()
    }
    /// The decision form's name for an application.
    fn decide_form(&self, id: &i64) -> String {
        format!("decide-{id}")
    }
}

async fn fair_page<'a>(page: &'a PageCtx, id: i64) -> Result<FairPage<'a>, StoreError> {
    let actor = page.actor();
    let (fair, vacancies, applications) = page.app.store.fair(actor, id).await?;
    let tr = page.tr();
    Ok(FairPage {
        c: page.chrome_at(&format!("{BASE}/bursa/{id}")),
        vacancies,
        applications,
        wage_bands: WageBand::ALL
            .iter()
            .map(|w| Choice {
                value: w.as_str().to_owned(),
                label: tr.tv("wage_band.", w.as_str()).to_owned(),
            })
            .collect(),
        // Vacancies are added by staff whose region holds the fair's city.
        can_add: actor.can(Permission::TraineeRegister) && actor.scope.overlaps(&fair.city_code),
        can_record: actor.can(Permission::TraineeRecord),
        forms: Forms::default(),
        fair,
    })
}

/// `GET /pelatihan-kerja/bursa/{id}`.
pub async fn show(Path(id): Path<String>, page: SignedInPage) -> Response {
    read(&page, async { fair_page(&page, path_id(&id)?).await }).await
}

async fn back(
    page: &PageCtx,
    id: i64,
    form: String,
    values: HashMap<String, String>,
    outcome: Result<(), StoreError>,
) -> Response {
    let path = format!("{BASE}/bursa/{id}");
    let to = outcome.map(|()| format!("{path}#{form}"));
    after(page, &path, form, values, to, fair_page(page, id)).await
}

/// The fair a form is sent to: the permission first, then the fair (404 when it is not
/// there), before the fields are looked at.
async fn fair_for_write(
    page: &PageCtx,
    raw: &str,
    p: Permission,
) -> Result<(JobFair, Vec<FairApplication>), Response> {
    if let Some(refused) = page.require(p) {
        return Err(refused);
    }
    let found = match path_id(raw) {
        Ok(id) => page
            .app
            .store
            .fair(page.actor(), id)
            .await
            .map(|(f, _, a)| (f, a)),
        Err(e) => Err(e),
    };
    found.map_err(|e| page.error(page.chrome_at(page.uri.path()), e))
}

/// `POST /pelatihan-kerja/bursa/{id}/lowongan`: an employer's vacancy.
pub async fn add_vacancy(Path(id): Path<String>, page: SignedInPage, body: Bytes) -> Response {
    let fair = match fair_for_write(&page, &id, Permission::TraineeRegister).await {
        Ok((fair, _)) => fair,
        Err(answer) => return answer,
    };
    let f = crate::pages::form(&body);
    let g = |k: &str| f.get(k).map(String::as_str);
    let outcome = match NewVacancy::parse(g("employer"), g("position"), g("openings")) {
        Ok(v) => page
            .app
            .store
            .add_vacancy(page.actor(), fair.id, &v)
            .await
            .map(|_| ()),
        Err(errs) => Err(StoreError::Invalid(errs)),
    };
    back(&page, fair.id, "vacancy".into(), f, outcome).await
}

/// `POST /pelatihan-kerja/bursa/{id}/lamaran`: a trainee applies for a vacancy.
pub async fn apply(Path(id): Path<String>, page: SignedInPage, body: Bytes) -> Response {
    let fair = match fair_for_write(&page, &id, Permission::TraineeRecord).await {
        Ok((fair, _)) => fair,
        Err(answer) => return answer,
    };
    let f = crate::pages::form(&body);
    let g = |k: &str| f.get(k).map(String::as_str);
    let mut errs = ValidationErrors::default();
    let vacancy = errs.take(
        given(g("vacancy_id"))
            .ok_or_else(|| FieldError::required("vacancy_id"))
            .and_then(|v| {
                v.parse::<i64>().map_err(|_| {
                    FieldError::new("vacancy_id", "vacancy_unknown", "choose a vacancy")
                })
            }),
    );
    let no = given(g("enrolment_no")).map(str::to_uppercase);
    if no.is_none() {
        errs.push(FieldError::required("enrolment_no"));
    }
    let on = errs.take(date_or_today("applied_on", g("applied_on"), fair.held_on));
    let outcome = match (vacancy, no, on, errs.is_empty()) {
        (Some(vacancy), Some(no), Some(on), true) => page
            .app
            .store
            .apply_at_fair(page.actor(), fair.id, vacancy, &no, on)
            .await
            .map(|_| ())
            .map_err(|e| unknown_trainee(e, "enrolment_no", &no)),
        _ => Err(StoreError::Invalid(errs)),
    };
    back(&page, fair.id, "apply".into(), f, outcome).await
}

/// `POST /pelatihan-kerja/bursa/{id}/lamaran/{application}/keputusan`: hired (the
/// trainee's placement with the vacancy's employer) or rejected.
pub async fn decide(
    Path((id, application)): Path<(String, String)>,
    page: SignedInPage,
    body: Bytes,
) -> Response {
    let (fair, applications) = match fair_for_write(&page, &id, Permission::TraineeRecord).await {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    // Only an application of this fair whose trainee the reader may see.
    let Some(application) = path_id(&application).ok().filter(|a| {
        applications
            .iter()
            .any(|x| x.id == *a && x.enrolment_no.is_some())
    }) else {
        return page.error(page.chrome_at(page.uri.path()), StoreError::NotFound);
    };
    let f = crate::pages::form(&body);
    let g = |k: &str| f.get(k).map(String::as_str);
    let outcome =
        match Decision::parse(g("decision"), g("decided_on"), g("wage_band"), page.today()) {
            Ok(d) => page
                .app
                .store
                .decide_application(
                    page.actor(),
                    application,
                    d.hired,
                    d.decided_on,
                    d.wage_band,
                )
                .await
                .map(|_| ()),
            Err(errs) => Err(StoreError::Invalid(errs)),
        };
    back(&page, fair.id, format!("decide-{application}"), f, outcome).await
}
