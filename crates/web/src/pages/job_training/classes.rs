//! `/pelatihan-kerja/kelas`: job-training classes (regular at a centre, or a mobile
//! training unit moving between districts) and the form to open one; and
//! `/pelatihan-kerja/kelas/{id}`: the class's sessions, trainees, attendance and the
//! competency assessment, with a form for each.

use askama::Template;
use axum::body::Bytes;
use axum::extract::Path;
use axum::response::Response;
use jakpreneur_core::job_training::{Assessment, JobClassDraft, NewJobClass, SessionPlan};
use jakpreneur_core::text::given;
use jakpreneur_core::{FieldError, Permission};
use jakpreneur_store::{ClassSession, ClassTrainee, JobClass, StoreError, TrainingCentre};

use super::{BASE, Forms, WithForms, after, path_id, read, unknown_trainee};
use crate::pages::ctx::{PageCtx, SignedInPage};
use crate::pages::{Choice, Chrome};

#[derive(Template)]
#[template(path = "job_training/classes.html")]
struct ClassesPage<'a> {
    c: Chrome<'a>,
    classes: Vec<JobClass>,
    centres: Vec<TrainingCentre>,
    can_open: bool,
    forms: Forms,
}

impl WithForms for ClassesPage<'_> {
    fn forms(&mut self) -> &mut Forms {
        &mut self.forms
    }
}

impl ClassesPage<'_> {
    /// A centre's name by its code, or the code.
    fn centre_name<'s>(&'s self, code: &'s str) -> &'s str {
        self.centres
            .iter()
            .find(|c| c.code == code)
            .map_or(code, |c| c.name.as_str())
    }
}

async fn classes_page<'a>(page: &'a PageCtx) -> Result<ClassesPage<'a>, StoreError> {
    let actor = page.actor();
    // The reader's own region's classes first, each part latest first.
    let mut classes = page.app.store.job_classes(actor).await?;
    classes.sort_by_key(|k| !actor.scope.covers(&k.centre_district, ""));
    Ok(ClassesPage {
        c: page.chrome_at(&format!("{BASE}/kelas")),
        classes,
        centres: page.app.store.centres(actor).await?,
        can_open: actor.can(Permission::TraineeRegister),
        forms: Forms::default(),
    })
}

/// `GET /pelatihan-kerja/kelas`.
pub async fn list(page: SignedInPage) -> Response {
    read(&page, classes_page(&page)).await
}

/// `POST /pelatihan-kerja/kelas`: open a class; to its page.
pub async fn create(page: SignedInPage, body: Bytes) -> Response {
    if let Some(refused) = page.require(Permission::TraineeRegister) {
        return refused;
    }
    let f = crate::pages::form(&body);
    let g = |k: &str| f.get(k).cloned();
    let outcome = match NewJobClass::parse(&JobClassDraft {
        centre_code: g("centre_code"),
        title: g("title"),
        mode: g("mode"),
        starts_on: g("starts_on"),
        ends_on: g("ends_on"),
        sessions: g("sessions"),
        capacity: g("capacity"),
    }) {
        Ok(c) => page
            .app
            .store
            .create_job_class(page.actor(), &c)
            .await
            .map(|k| format!("{BASE}/kelas/{}", k.id)),
        Err(errs) => Err(StoreError::Invalid(errs)),
    };
    let path = format!("{BASE}/kelas");
    after(&page, &path, "class", f, outcome, classes_page(&page)).await
}

#[derive(Template)]
#[template(path = "job_training/class.html")]
struct ClassPage<'a> {
    c: Chrome<'a>,
    k: JobClass,
    centre: Option<TrainingCentre>,
    /// Every session 1..n with its day and place once scheduled.
    sessions: Vec<(i64, Option<ClassSession>)>,
    trainees: Vec<ClassTrainee>,
    /// Districts a mobile unit's session may be held in.
    districts: Vec<Choice>,
    /// The class's last day has come: trainees may be assessed.
    ended: bool,
    can_record: bool,
    /// Sessions are scheduled by staff whose region holds the class's centre.
    can_schedule: bool,
    forms: Forms,
}

impl WithForms for ClassPage<'_> {
    fn forms(&mut self) -> &mut Forms {
        &mut self.forms
    }
}

impl ClassPage<'_> {
    fn mobile(&self) -> bool {
        self.k.mode == "mobile"
    }
    /// Trainees the reader may name (inside their region).
    fn named(&self) -> impl Iterator<Item = (&str, &str, &ClassTrainee)> {
        self.trainees.iter().filter_map(|t| {
            Some((
                t.enrolment_no.as_deref()?,
                t.full_name.as_deref().unwrap_or(""),
                t,
            ))
        })
    }
    fn scheduled(&self) -> impl Iterator<Item = &ClassSession> {
        self.sessions.iter().filter_map(|(_, s)| s.as_ref())
    }
    fn hidden(&self) -> usize {
        self.trainees
            .iter()
            .filter(|t| t.enrolment_no.is_none())
            .count()
    }
    /// The sessions a competent trainee attended at least.
    fn needed(&self) -> i64 {
        jakpreneur_core::job_training::sessions_for_competence(self.k.sessions)
    }
}

async fn class_page<'a>(page: &'a PageCtx, id: i64) -> Result<ClassPage<'a>, StoreError> {
    let actor = page.actor();
    let (k, scheduled, trainees) = page.app.store.job_class(actor, id).await?;
    let centre = page
        .app
        .store
        .centres(actor)
        .await?
        .into_iter()
        .find(|c| c.code == k.centre_code);
    let sessions = (1..=k.sessions)
        .map(|n| (n, scheduled.iter().find(|s| s.session_no == n).cloned()))
        .collect();
    Ok(ClassPage {
        c: page.chrome_at(&format!("{BASE}/kelas/{id}")),
        ended: page.today() >= k.ends_on,
        can_record: actor.can(Permission::TraineeRecord),
        can_schedule: actor.can(Permission::TraineeRecord)
            && actor.scope.covers(&k.centre_district, ""),
        districts: crate::pages::names::districts_for(&page.tr(), &actor.scope),
        k,
        centre,
        sessions,
        trainees,
        forms: Forms::default(),
    })
}

/// `GET /pelatihan-kerja/kelas/{id}`.
pub async fn show(Path(id): Path<String>, page: SignedInPage) -> Response {
    read(&page, async { class_page(&page, path_id(&id)?).await }).await
}

/// The class's page again after one of its forms.
async fn back(
    page: &PageCtx,
    id: i64,
    form: &'static str,
    values: std::collections::HashMap<String, String>,
    outcome: Result<(), StoreError>,
) -> Response {
    let path = format!("{BASE}/kelas/{id}");
    let to = outcome.map(|()| format!("{path}#{form}"));
    after(page, &path, form, values, to, class_page(page, id)).await
}

/// The class a form is sent to: a write needs the permission, and a class that is not
/// there (or a path that is no id) is 404 before its fields are looked at.
async fn class_for_write(page: &PageCtx, raw: &str) -> Result<i64, Response> {
    if let Some(refused) = page.require(Permission::TraineeRecord) {
        return Err(refused);
    }
    let found = match path_id(raw) {
        Ok(id) => page.app.store.class_row(page.actor(), id).await.map(|_| id),
        Err(e) => Err(e),
    };
    found.map_err(|e| page.error(page.chrome_at(page.uri.path()), e))
}

/// `POST /pelatihan-kerja/kelas/{id}/sesi`: a session's day (and a mobile unit's place).
pub async fn schedule(Path(id): Path<String>, page: SignedInPage, body: Bytes) -> Response {
    let id = match class_for_write(&page, &id).await {
        Ok(id) => id,
        Err(answer) => return answer,
    };
    let f = crate::pages::form(&body);
    let g = |k: &str| f.get(k).map(String::as_str);
    let outcome = match SessionPlan::parse(g("session_no"), g("held_on"), g("place_code")) {
        Ok(s) => page
            .app
            .store
            .schedule_session(page.actor(), id, s.session_no, s.held_on, s.place.as_ref())
            .await
            .map(|_| ()),
        Err(errs) => Err(StoreError::Invalid(errs)),
    };
    back(&page, id, "session", f, outcome).await
}

/// `POST /pelatihan-kerja/kelas/{id}/peserta`: a trainee takes a seat.
pub async fn enrol(Path(id): Path<String>, page: SignedInPage, body: Bytes) -> Response {
    let id = match class_for_write(&page, &id).await {
        Ok(id) => id,
        Err(answer) => return answer,
    };
    let f = crate::pages::form(&body);
    let outcome = match given(f.get("enrolment_no").map(String::as_str)).map(str::to_uppercase) {
        None => Err(StoreError::Invalid(
            FieldError::required("enrolment_no").into(),
        )),
        Some(no) => page
            .app
            .store
            .enrol_in_class(page.actor(), id, &no)
            .await
            .map_err(|e| unknown_trainee(e, "enrolment_no", &no)),
    };
    back(&page, id, "trainee", f, outcome).await
}

/// `POST /pelatihan-kerja/kelas/{id}/kehadiran`: a session and a box ticked per trainee
/// present.
pub async fn attendance(Path(id): Path<String>, page: SignedInPage, body: Bytes) -> Response {
    let id = match class_for_write(&page, &id).await {
        Ok(id) => id,
        Err(answer) => return answer,
    };
    let pairs: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let present: Vec<String> = pairs
        .iter()
        .filter(|(k, v)| k == "present" && !v.trim().is_empty())
        .map(|(_, v)| v.trim().to_owned())
        .collect();
    let f = crate::pages::form(&body);
    let mut errs = jakpreneur_core::ValidationErrors::default();
    let session = errs.take(
        given(f.get("session_no").map(String::as_str))
            .ok_or_else(|| FieldError::required("session_no"))
            .and_then(|s| jakpreneur_core::job_training::parse_count("session_no", s, 1, 500)),
    );
    if present.is_empty() {
        errs.push(FieldError::new(
            "present",
            "required",
            "tick at least one trainee present",
        ));
    }
    let outcome = match (session, errs.is_empty()) {
        (Some(session), true) => page
            .app
            .store
            .record_class_attendance(page.actor(), id, session, &present)
            .await
            .map(|_| ())
            .map_err(|e| unknown_trainee(e, "present", &present.join(", "))),
        _ => Err(StoreError::Invalid(errs)),
    };
    back(&page, id, "attendance", f, outcome).await
}

/// `POST /pelatihan-kerja/kelas/{id}/penilaian`: a trainee's competency assessment.
pub async fn assess(Path(id): Path<String>, page: SignedInPage, body: Bytes) -> Response {
    let id = match class_for_write(&page, &id).await {
        Ok(id) => id,
        Err(answer) => return answer,
    };
    let f = crate::pages::form(&body);
    let g = |k: &str| f.get(k).map(String::as_str);
    let competent = match g("competent") {
        Some("1") => Some(true),
        Some("0") => Some(false),
        _ => None,
    };
    let outcome =
        match Assessment::parse(g("enrolment_no"), competent, g("assessed_on"), page.today()) {
            Ok(a) => page
                .app
                .store
                .assess_in_class(
                    page.actor(),
                    id,
                    &a.enrolment_no,
                    a.competent,
                    a.assessed_on,
                )
                .await
                .map_err(|e| unknown_trainee(e, "enrolment_no", &a.enrolment_no)),
            Err(errs) => Err(StoreError::Invalid(errs)),
        };
    back(&page, id, "assessment", f, outcome).await
}
