//! `/pelatihan-kerja/pusat`: the training centres (Pusat Pelatihan Kerja, and offices
//! that train) with their capacity and the trainees each holds in training, and the form
//! to add one.

use askama::Template;
use axum::body::Bytes;
use axum::response::Response;
use jakpreneur_core::Permission;
use jakpreneur_core::job_training::{CentreDraft, NewCentre};
use jakpreneur_store::{StoreError, TrainingCentre};

use super::{BASE, Forms, WithForms, after, read};
use crate::pages::ctx::{PageCtx, SignedInPage};
use crate::pages::{Choice, Chrome};

#[derive(Template)]
#[template(path = "job_training/centres.html")]
struct CentresPage<'a> {
    c: Chrome<'a>,
    centres: Vec<TrainingCentre>,
    /// Districts the reader may place a centre in.
    districts: Vec<Choice>,
    can_add: bool,
    forms: Forms,
}

impl WithForms for CentresPage<'_> {
    fn forms(&mut self) -> &mut Forms {
        &mut self.forms
    }
}

async fn centres_page<'a>(page: &'a PageCtx) -> Result<CentresPage<'a>, StoreError> {
    let actor = page.actor();
    Ok(CentresPage {
        c: page.chrome_at(&format!("{BASE}/pusat")),
        centres: page.app.store.centres(actor).await?,
        districts: crate::pages::names::districts_for(&page.tr(), &actor.scope),
        can_add: actor.can(Permission::TraineeRegister),
        forms: Forms::default(),
    })
}

/// `GET /pelatihan-kerja/pusat`.
pub async fn list(page: SignedInPage) -> Response {
    read(&page, centres_page(&page)).await
}

/// `POST /pelatihan-kerja/pusat`: add a centre; back to the list at it.
pub async fn create(page: SignedInPage, body: Bytes) -> Response {
    if let Some(refused) = page.require(Permission::TraineeRegister) {
        return refused;
    }
    let f = crate::pages::form(&body);
    let g = |k: &str| f.get(k).cloned();
    let outcome = match NewCentre::parse(&CentreDraft {
        code: g("code"),
        name: g("name"),
        kind: g("kind"),
        district_code: g("district_code"),
        address: g("address"),
        capacity: g("capacity"),
    }) {
        Ok(c) => page
            .app
            .store
            .create_centre(page.actor(), &c)
            .await
            .map(|c| format!("{BASE}/pusat#centre-{}", c.code)),
        Err(errs) => Err(StoreError::Invalid(errs)),
    };
    let path = format!("{BASE}/pusat");
    after(&page, &path, "centre", f, outcome, centres_page(&page)).await
}

/// A centre's fill as the list shows it: `12 / 40`, and whether it is full.
pub fn is_full(c: &TrainingCentre) -> bool {
    c.in_training >= c.capacity
}
