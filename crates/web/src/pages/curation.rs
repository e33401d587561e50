//! Curation on pages: `/curation` (what waits for me, the calls, and the form to open
//! one), `/curation/submissions/{id}` (a submission's history and the step the reader
//! may take, with the curator's scoring form) and `/curation/certificates/{id}` (the
//! printable certificate).

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use jakpreneur_core::Permission;
use jakpreneur_core::catalogue::Category;
use jakpreneur_core::curation::{
    Action, CallDraft, GradeDraft, Grading, NewCall, parse_note, step,
};
use jakpreneur_store::{Call, Product, StoreError, Submission};

use super::Chrome;
use super::ctx::{PageCtx, SignedInPage};

#[derive(Template)]
#[template(path = "curation/index.html")]
struct IndexPage<'a> {
    c: Chrome<'a>,
    queue: Vec<Submission>,
    calls: Vec<Call>,
    can_create: bool,
    categories: Vec<&'static str>,
    errors: HashMap<String, String>,
    values: HashMap<String, String>,
}

impl IndexPage<'_> {
    fn v(&self, k: &str) -> &str {
        self.values.get(k).map_or("", String::as_str)
    }
    fn err(&self, k: &str) -> &str {
        self.errors.get(k).map_or("", String::as_str)
    }
}

async fn index_page<'a>(page: &'a PageCtx, c: Chrome<'a>) -> Result<IndexPage<'a>, StoreError> {
    let actor = page.actor();
    Ok(IndexPage {
        c,
        queue: page.app.store.curation_queue(actor).await?.items,
        calls: page.app.store.list_calls(actor, page.today()).await?,
        can_create: actor.can(Permission::CurationManage),
        categories: Category::ALL.iter().map(|c| c.as_str()).collect(),
        errors: HashMap::new(),
        values: HashMap::new(),
    })
}

pub async fn index(page: SignedInPage) -> Response {
    match index_page(&page, page.chrome()).await {
        Ok(shown) => page.render(StatusCode::OK, &shown),
        Err(e) => page.error(page.chrome(), e),
    }
}

pub async fn create_call(page: SignedInPage, body: Bytes) -> Response {
    if let Some(refused) = page.require(Permission::CurationManage) {
        return refused;
    }
    let c = || page.chrome_at("/curation");
    let pairs: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let f: HashMap<String, String> = pairs.iter().cloned().collect();
    let g = |k: &str| f.get(k).cloned();
    let draft = CallDraft {
        title: g("title"),
        opens_on: g("opens_on"),
        closes_on: g("closes_on"),
        categories: pairs
            .iter()
            .filter(|(k, _)| k == "categories")
            .map(|(_, v)| v.clone())
            .collect(),
        region: g("region"),
        places: g("places"),
        exclude_own_region_curators: Some(f.contains_key("exclude_own_region_curators")),
    };
    let outcome = match NewCall::parse(&draft) {
        Ok(call) => page
            .app
            .store
            .create_call(page.actor(), &call, page.today())
            .await
            .map(|_| "/curation".to_owned()),
        Err(errs) => Err(StoreError::Invalid(errs)),
    };
    let reload = async { index_page(&page, c()).await.map_err(|e| page.error(c(), e)) };
    page.after_form(outcome, reload, |p, errs| {
        p.errors = errs;
        p.values = f;
    })
    .await
    .unwrap_or_else(|e| page.error(c(), e))
}

#[derive(Template)]
#[template(path = "curation/submission.html")]
struct SubmissionPage<'a> {
    c: Chrome<'a>,
    s: Submission,
    /// The actions the reader's role may take from here.
    actions: Vec<&'static str>,
    errors: HashMap<String, String>,
    values: HashMap<String, String>,
}

impl SubmissionPage<'_> {
    fn v(&self, k: &str) -> &str {
        self.values.get(k).map_or("", String::as_str)
    }
    fn err(&self, k: &str) -> &str {
        self.errors.get(k).map_or("", String::as_str)
    }
    fn can(&self, a: &str) -> bool {
        self.actions.contains(&a)
    }
    fn general(&self) -> Vec<&String> {
        self.errors
            .iter()
            .filter(|(k, _)| {
                ![
                    "note",
                    "grade",
                    "taste",
                    "packaging",
                    "hygiene",
                    "halal",
                    "photos",
                ]
                .contains(&k.as_str())
            })
            .map(|(_, v)| v)
            .collect()
    }
}

async fn submission_page<'a>(
    page: &'a PageCtx,
    c: Chrome<'a>,
    id: i64,
) -> Result<SubmissionPage<'a>, StoreError> {
    let s = page.app.store.submission(page.actor(), id).await?;
    let role = page.actor().role;
    let actions = Action::ALL
        .iter()
        .filter(|a| step(s.state, **a).is_some_and(|(_, who)| who.contains(&role)))
        .map(|a| a.as_str())
        .collect();
    Ok(SubmissionPage {
        c,
        s,
        actions,
        errors: HashMap::new(),
        values: HashMap::new(),
    })
}

fn parse_id(raw: &str) -> Result<i64, StoreError> {
    raw.parse::<i64>().map_err(|_| StoreError::NotFound)
}

pub async fn submission(Path(id): Path<String>, page: SignedInPage) -> Response {
    let shown = match parse_id(&id) {
        Ok(id) => submission_page(&page, page.chrome(), id).await,
        Err(e) => Err(e),
    };
    match shown {
        Ok(shown) => page.render(StatusCode::OK, &shown),
        Err(e) => page.error(page.chrome(), e),
    }
}

pub async fn act(
    Path((id, action)): Path<(String, String)>,
    page: SignedInPage,
    body: Bytes,
) -> Response {
    let (Ok(id), Ok(action)) = (parse_id(&id), Action::parse(&action)) else {
        return page.error(page.chrome(), StoreError::NotFound);
    };
    let at = format!("/curation/submissions/{id}");
    let c = || page.chrome_at(&at);
    let f = super::form(&body);
    let g = |k: &str| f.get(k).cloned();
    let outcome = async {
        let grading = match action {
            Action::Grade => Some(
                Grading::parse(&GradeDraft {
                    grade: g("grade"),
                    taste: g("taste"),
                    packaging: g("packaging"),
                    hygiene: g("hygiene"),
                    halal: g("halal"),
                    photos: g("photos"),
                    note: g("note"),
                })
                .map_err(StoreError::Invalid)?,
            ),
            _ => None,
        };
        let note = parse_note(g("note").as_deref(), action == Action::Return)
            .map_err(|e| StoreError::Invalid(e.into()))?;
        page.app
            .store
            .curation_step(
                page.actor(),
                id,
                action,
                &note,
                grading.as_ref(),
                page.today(),
            )
            .await?;
        Ok(if action == Action::Resubmit {
            at.clone()
        } else {
            "/curation".to_owned()
        })
    }
    .await;
    let reload = async {
        submission_page(&page, c(), id)
            .await
            .map_err(|e| page.error(c(), e))
    };
    page.after_form(outcome, reload, |p, errs| {
        p.errors = errs;
        p.values = f;
    })
    .await
    .unwrap_or_else(|e| page.error(c(), e))
}

#[derive(Template)]
#[template(path = "curation/certificate.html")]
struct CertificatePage<'a> {
    c: Chrome<'a>,
    s: Submission,
    p: Product,
    expired: bool,
}

/// The printable certificate of a passed submission (the member and staff of its region).
pub async fn certificate(Path(id): Path<String>, page: SignedInPage) -> Response {
    let found = async {
        let id = parse_id(&id)?;
        let s = page.app.store.submission(page.actor(), id).await?;
        if s.certificate_no.is_none() {
            return Err(StoreError::NotFound);
        }
        let p = page.app.store.product(page.actor(), s.product_id).await?;
        Ok((s, p))
    }
    .await;
    match found {
        Ok((s, p)) => page.render(
            StatusCode::OK,
            &CertificatePage {
                c: page.chrome(),
                expired: s.valid_until.is_some_and(|d| d < page.today()),
                s,
                p,
            },
        ),
        Err(e) => page.error(page.chrome(), e),
    }
}
