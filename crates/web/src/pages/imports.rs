//! `/import`: an officer uploads a spreadsheet (members or services, CSV or Excel), sees
//! it checked in a dry run first, with every refused row and its reason, and then imports
//! it with one button; a progress bar follows the import on its own page. The import runs
//! through `Store::import_file`, as `jakpreneur import` does.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Multipart, Path};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use jakpreneur_core::Permission;
use jakpreneur_core::import::{Problem, report_csv};
use jakpreneur_store::{ImportKind, StoreError};

use super::Chrome;
use super::ctx::{PageCtx, SignedInPage};
use crate::imports::{ImportJob, JobEnd, JobFile};

/// Report rows shown on the page; the download holds them all.
const SHOWN: usize = 200;

/// A job as its page and the list show it.
pub struct JobView {
    pub id: String,
    pub kind: &'static str,
    pub file_name: String,
    pub dry_run: bool,
    pub started: String,
    /// Rows written and to write; the percentage.
    pub done: u64,
    pub total: u64,
    pub percent: u64,
    pub running: bool,
    pub summary: Option<jakpreneur_store::ImportSummary>,
    pub refused: Option<String>,
    pub failed: bool,
}

impl JobView {
    fn of(job: &ImportJob, tr: &crate::i18n::Tr<'_>) -> Self {
        let (done, total) = job.progress();
        let end = job.outcome();
        Self {
            id: job.id.clone(),
            kind: job.kind.as_str(),
            file_name: job.file_name.clone(),
            dry_run: job.dry_run,
            started: tr.datetime(&job.started),
            done,
            total,
            percent: (done * 100).checked_div(total).unwrap_or(0),
            running: end.is_none(),
            summary: match &end {
                Some(JobEnd::Done(s)) => Some(s.clone()),
                _ => None,
            },
            refused: match &end {
                Some(JobEnd::Refused(why)) => Some(why.clone()),
                _ => None,
            },
            failed: matches!(end, Some(JobEnd::Failed)),
        }
    }

    /// The name of what the file holds.
    pub fn kind_key(&self) -> &'static str {
        match self.kind {
            "members" => "import.kind_members",
            _ => "import.kind_events",
        }
    }

    /// The list's short counts: what was done, or what a dry run would do.
    pub fn counts_key(&self) -> &'static str {
        if self.dry_run {
            "import.counts_dry"
        } else {
            "import.counts"
        }
    }

    /// The summary's sentence: what was checked, or what was done.
    pub fn summary_key(&self) -> &'static str {
        if self.dry_run {
            "import.summary_dry"
        } else {
            "import.summary"
        }
    }

    /// The first report rows, for the page.
    pub fn shown(&self) -> &[Problem] {
        self.summary
            .as_ref()
            .map_or(&[][..], |s| &s.report[..s.report.len().min(SHOWN)])
    }
}

#[derive(Template)]
#[template(path = "imports/index.html")]
struct IndexPage<'a> {
    c: Chrome<'a>,
    jobs: Vec<JobView>,
    /// The form's refusal, if the upload was refused.
    error: Option<String>,
    can_members: bool,
    kb_limit: usize,
}

#[derive(Template)]
#[template(path = "imports/job.html")]
struct JobPage<'a> {
    c: Chrome<'a>,
    job: JobView,
    shown_max: usize,
}

/// Who may use the page: whoever records services (a province-wide account may also
/// import members).
fn refused(page: &PageCtx) -> Option<Response> {
    (!page.actor().can(Permission::EventRecord)).then(|| {
        page.error(
            page.chrome(),
            StoreError::Forbidden("the role may not import records".into()),
        )
    })
}

fn index_of<'a>(page: &'a PageCtx, error: Option<String>) -> IndexPage<'a> {
    let tr = page.tr();
    let actor = page.actor();
    IndexPage {
        c: page.chrome_at("/import"),
        jobs: page
            .app
            .imports
            .of(&actor.name)
            .iter()
            .map(|j| JobView::of(j, &tr))
            .collect(),
        error,
        can_members: actor.can(Permission::MemberRegister)
            && actor.scope == jakpreneur_core::Scope::All,
        kb_limit: crate::security::IMPORT_BODY_BYTES / 1024 / 1024,
    }
}

pub async fn index(page: SignedInPage) -> Response {
    if let Some(r) = refused(&page) {
        return r;
    }
    page.render(StatusCode::OK, &index_of(&page, None))
}

/// The form's fields: what the file holds, whether to only check it, and the file.
struct Upload {
    kind: Option<String>,
    dry_run: bool,
    file: Option<(String, Vec<u8>)>,
}

async fn read_upload(mut m: Multipart) -> Result<Upload, String> {
    let mut u = Upload {
        kind: None,
        dry_run: false,
        file: None,
    };
    loop {
        let field = match m.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(e.body_text()),
        };
        match field.name().unwrap_or_default() {
            "kind" => u.kind = field.text().await.ok(),
            "dry_run" => u.dry_run = field.text().await.is_ok_and(|v| !v.is_empty()),
            "file" => {
                let name = field.file_name().unwrap_or_default().to_owned();
                let bytes = field.bytes().await.map_err(|e| e.body_text())?;
                u.file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    Ok(u)
}

/// `POST /import` (multipart, CSRF token in the address): starts the import and shows
/// its page.
pub async fn upload(
    page: SignedInPage,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    if let Some(r) = refused(&page) {
        return r;
    }
    let tr = page.tr();
    let again = |why: String| {
        page.render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &index_of(&page, Some(why)),
        )
    };
    let upload = match multipart {
        Ok(m) => match read_upload(m).await {
            Ok(u) => u,
            Err(why) => return again(why),
        },
        Err(_) => return again(tr.t("import.choose_file").to_owned()),
    };
    let Some(kind) = upload.kind.as_deref().and_then(ImportKind::parse) else {
        return again(tr.t("import.choose_kind").to_owned());
    };
    let Some((file_name, bytes)) = upload.file.filter(|(n, b)| !n.is_empty() && !b.is_empty())
    else {
        return again(tr.t("import.choose_file").to_owned());
    };
    let file = JobFile {
        kind,
        name: file_name,
        bytes: Arc::new(bytes),
        dry_run: upload.dry_run,
    };
    let job = page
        .app
        .imports
        .start(&page.app.store, page.app.clock, page.actor(), file);
    Redirect::to(&format!("/import/{}", job.id)).into_response()
}

/// The caller's job `id`, after the role's check; else the page to answer with.
fn job_of(page: &PageCtx, id: &str) -> Result<Arc<ImportJob>, Box<Response>> {
    if let Some(r) = refused(page) {
        return Err(Box::new(r));
    }
    page.app
        .imports
        .get(id, &page.actor().name)
        .ok_or_else(|| Box::new(page.error(page.chrome(), StoreError::NotFound)))
}

pub async fn show(Path(id): Path<String>, page: SignedInPage) -> Response {
    let job = match job_of(&page, &id) {
        Ok(j) => j,
        Err(r) => return *r,
    };
    let tr = page.tr();
    let shown = JobPage {
        c: page.chrome_at(&format!("/import/{id}")),
        job: JobView::of(&job, &tr),
        shown_max: SHOWN,
    };
    page.render(StatusCode::OK, &shown)
}

/// The whole report as CSV: `row,column,code,message`.
pub async fn report(Path(id): Path<String>, page: SignedInPage) -> Response {
    let job = match job_of(&page, &id) {
        Ok(j) => j,
        Err(r) => return *r,
    };
    let Some(JobEnd::Done(summary)) = job.outcome() else {
        return page.error(page.chrome(), StoreError::NotFound);
    };
    match report_csv(&summary.report) {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"{}.report.csv\"",
                        job.file_name.replace(['"', '\\', '\r', '\n'], "_")
                    ),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => page.error(
            page.chrome(),
            StoreError::Unavailable(format!("the report could not be written: {e}")),
        ),
    }
}

/// After a clean dry run: the same file, imported for real.
pub async fn apply(Path(id): Path<String>, page: SignedInPage) -> Response {
    let job = match job_of(&page, &id) {
        Ok(j) => j,
        Err(r) => return *r,
    };
    // A dry run that ended with its report, applied once (its file is then dropped).
    let bytes = match job.outcome() {
        Some(JobEnd::Done(_)) => job.take_file(),
        _ => None,
    };
    let Some(bytes) = bytes else {
        return page.error(page.chrome(), StoreError::NotFound);
    };
    let file = JobFile {
        kind: job.kind,
        name: job.file_name.clone(),
        bytes,
        dry_run: false,
    };
    let next = page
        .app
        .imports
        .start(&page.app.store, page.app.clock, page.actor(), file);
    Redirect::to(&format!("/import/{}", next.id)).into_response()
}
