//! An import of a spreadsheet (CSV or Excel `.xlsx`), as the command line and the upload
//! page run it: every row checked by the API's own rules, then written in batches of
//! [`BATCH`] rows, one transaction each; rows already on file (members by NIK, services
//! by member, kind, day, agency and reference) left as they are; every refusal reported
//! by row and column. A dry run does the same and keeps nothing. Running a file again
//! changes nothing, and a run stopped at any moment completes when run again. One audit
//! entry per run holds its counts and the file's SHA-256.

use std::collections::HashMap;

use chrono::NaiveDate;
use jakpreneur_core::import::events::{MemberRef, event_columns, event_of};
use jakpreneur_core::import::members::{member_columns, member_of};
use jakpreneur_core::import::{Problem, Table, TableError, read_table};
use jakpreneur_core::programme::NewEvent;
use jakpreneur_core::{Actor, FieldError, NewMember};
use sha2::{Digest, Sha256};

use crate::{ImportedService, Result, ServiceOutcome, Store, StoreError};

/// Rows per transaction.
pub const BATCH: usize = 500;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    Members,
    Events,
}

impl ImportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Members => "members",
            Self::Events => "events",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "members" => Some(Self::Members),
            "events" => Some(Self::Events),
            _ => None,
        }
    }
}

/// One file to import.
#[derive(Debug, Clone, Copy)]
pub struct ImportRequest<'a> {
    pub kind: ImportKind,
    /// The file's name: its extension says how to read it.
    pub file_name: &'a str,
    pub bytes: &'a [u8],
    pub dry_run: bool,
    /// The day dates are checked against (none in the future).
    pub today: NaiveDate,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    pub dry_run: bool,
    pub rows: usize,
    /// Added, or, in a dry run, that would be.
    pub added: u64,
    pub on_file: u64,
    /// Rows refused (each once, however many of its cells were wrong).
    pub refused: usize,
    /// Every refused row's reasons and every row left as on file, in the file's order.
    pub report: Vec<Problem>,
    pub sha256: String,
}

/// Progress as rows are written: (rows done, rows to do).
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Send + Sync);

fn table_refused(e: TableError) -> StoreError {
    StoreError::Invalid(FieldError::new("file", e.code(), e.to_string()).into())
}

/// The reasons a row was refused, under the file's own column names.
fn problems_of(
    line: u64,
    errs: jakpreneur_core::ValidationErrors,
    header: impl Fn(&str) -> String,
) -> impl Iterator<Item = Problem> {
    errs.0.into_iter().map(move |e| Problem {
        line,
        column: header(e.field),
        code: e.code.to_owned(),
        message: e.message,
    })
}

fn rows_refused(problems: &[Problem]) -> usize {
    let mut lines: Vec<u64> = problems.iter().map(|p| p.line).collect();
    lines.sort_unstable();
    lines.dedup();
    lines.len()
}

/// What the writing part of an import found.
struct Written {
    accepted: usize,
    added: u64,
    problems: Vec<Problem>,
    on_file: Vec<Problem>,
}

impl Store {
    /// After a batch: its counter changes rolled up (so what reads add stays small
    /// whether or not a server is folding beside the import), and the progress told.
    async fn batch_done(
        &self,
        req: &ImportRequest<'_>,
        done: u64,
        batch: usize,
        total: u64,
        progress: Progress<'_>,
    ) -> Result<u64> {
        if !req.dry_run {
            self.fold_pending().await?;
        }
        let done = done + batch as u64;
        progress(done, total);
        Ok(done)
    }

    /// Imports `req`'s file (see the module's notes). A file that cannot be read as a
    /// table of the kind (no header, a missing column, another format) is refused whole,
    /// naming why, before anything is written.
    pub async fn import_file(
        &self,
        actor: &Actor,
        req: &ImportRequest<'_>,
        progress: Progress<'_>,
    ) -> Result<ImportSummary> {
        let sha256 = hex::encode(Sha256::digest(req.bytes));
        let table = read_table(req.file_name, req.bytes).map_err(table_refused)?;
        let w = match req.kind {
            ImportKind::Members => {
                self.import_member_rows(actor, req, &table, progress)
                    .await?
            }
            ImportKind::Events => self.import_event_rows(actor, req, &table, progress).await?,
        };
        let refused = rows_refused(&w.problems);
        let on_file = w.on_file.len() as u64;
        let mut report: Vec<Problem> = w.problems.into_iter().chain(w.on_file).collect();
        report.sort_by_key(|p| p.line);
        self.record_import(
            actor,
            req.kind.as_str(),
            serde_json::json!({
                "file": req.file_name,
                "sha256": sha256,
                "dry_run": req.dry_run,
                "rows": table.rows.len(),
                "accepted": w.accepted,
                "added": w.added,
                "already_on_file": on_file,
                "refused": refused,
            }),
        )
        .await?;
        Ok(ImportSummary {
            dry_run: req.dry_run,
            rows: table.rows.len(),
            added: w.added,
            on_file,
            refused,
            report,
            sha256,
        })
    }

    async fn import_member_rows(
        &self,
        actor: &Actor,
        req: &ImportRequest<'_>,
        table: &Table,
        progress: Progress<'_>,
    ) -> Result<Written> {
        Self::require_bulk(actor)?;
        let columns = member_columns(table).map_err(table_refused)?;
        let header = |f: &str| columns.header(table, f).to_owned();
        // Every row checked; a NIK seen twice in the file keeps its first row.
        let mut problems: Vec<Problem> = Vec::new();
        let mut good: Vec<(u64, NewMember)> = Vec::new();
        let mut first_row: HashMap<String, u64> = HashMap::new();
        for row in &table.rows {
            match member_of(&columns, row, req.today) {
                Ok(m) => match first_row.get(m.nik.as_str()) {
                    Some(first) => problems.push(Problem {
                        line: row.line,
                        column: header("nik"),
                        code: "nik_duplicate_in_file".into(),
                        message: format!("the same NIK as row {first} of this file"),
                    }),
                    None => {
                        first_row.insert(m.nik.as_str().to_owned(), row.line);
                        good.push((row.line, m));
                    }
                },
                Err(errs) => problems.extend(problems_of(row.line, errs, header)),
            }
        }
        let total = good.len() as u64;
        let (mut done, mut added) = (0u64, 0u64);
        let mut on_file: Vec<Problem> = Vec::new();
        progress(0, total);
        for chunk in good.chunks(BATCH) {
            let found: Vec<Option<String>> = if req.dry_run {
                let niks: Vec<_> = chunk.iter().map(|(_, m)| &m.nik).collect();
                self.members_by_nik(actor, &niks).await?
            } else {
                let ms: Vec<NewMember> = chunk.iter().map(|(_, m)| m.clone()).collect();
                self.import_members(actor, &ms)
                    .await?
                    .into_iter()
                    .map(|(no, new)| (!new).then_some(no))
                    .collect()
            };
            for ((line, _), no) in chunk.iter().zip(found) {
                match no {
                    Some(no) => on_file.push(Problem {
                        line: *line,
                        column: header("nik"),
                        code: "already_on_file".into(),
                        message: format!("this NIK is registered as {no}; the row was left out"),
                    }),
                    None => added += 1,
                }
            }
            done = self
                .batch_done(req, done, chunk.len(), total, progress)
                .await?;
        }
        Ok(Written {
            accepted: good.len(),
            added,
            problems,
            on_file,
        })
    }

    async fn import_event_rows(
        &self,
        actor: &Actor,
        req: &ImportRequest<'_>,
        table: &Table,
        progress: Progress<'_>,
    ) -> Result<Written> {
        crate::access::require(actor, jakpreneur_core::Permission::EventRecord)?;
        let columns = event_columns(table).map_err(table_refused)?;
        let header = |f: &str| columns.header(table, f).to_owned();
        let member_column = if columns.at("member_no").is_some() {
            header("member_no")
        } else {
            header("nik")
        };
        let no_member = |line: u64, who: &MemberRef| Problem {
            line,
            column: member_column.clone(),
            code: "member_not_found".into(),
            message: match who {
                MemberRef::MemberNo(no) => format!("no member numbered {no} in your region"),
                MemberRef::Nik(_) => "no member with this NIK in your region".to_owned(),
            },
        };
        let mut problems: Vec<Problem> = Vec::new();
        let mut parsed: Vec<(u64, MemberRef, NewEvent)> = Vec::new();
        for row in &table.rows {
            match event_of(&columns, row, req.today) {
                Ok((who, e)) => parsed.push((row.line, who, e)),
                Err(errs) => problems.extend(problems_of(row.line, errs, header)),
            }
        }
        // Members named by NIK: their numbers, a batch at a time (a NIK is never reported).
        let mut good: Vec<(u64, ImportedService)> = Vec::new();
        for chunk in parsed.chunks(BATCH) {
            let niks: Vec<_> = chunk
                .iter()
                .filter_map(|(_, who, _)| match who {
                    MemberRef::Nik(n) => Some(n),
                    MemberRef::MemberNo(_) => None,
                })
                .collect();
            let mut numbers = if niks.is_empty() {
                Vec::new().into_iter()
            } else {
                self.member_nos_in_scope(actor, &niks).await?.into_iter()
            };
            for (line, who, e) in chunk {
                let member_no = match who {
                    MemberRef::MemberNo(no) => Some(no.clone()),
                    MemberRef::Nik(_) => numbers.next().flatten(),
                };
                match member_no {
                    Some(member_no) => good.push((
                        *line,
                        ImportedService {
                            member_no,
                            event: e.clone(),
                        },
                    )),
                    None => problems.push(no_member(*line, who)),
                }
            }
        }
        // The same service twice in the file keeps its first row.
        type Key = (String, String, NaiveDate, String, String);
        let mut first_row: HashMap<Key, u64> = HashMap::new();
        good.retain(|(line, s)| {
            let key = (
                s.member_no.clone(),
                s.event.kind.clone(),
                s.event.occurred_on,
                s.event.agency.clone().unwrap_or_default(),
                s.event.reference.clone().unwrap_or_default(),
            );
            if let Some(first) = first_row.get(&key) {
                problems.push(Problem {
                    line: *line,
                    column: header("kind"),
                    code: "event_duplicate_in_file".into(),
                    message: format!("the same service as row {first} of this file"),
                });
                return false;
            }
            first_row.insert(key, *line);
            true
        });
        // Each member's services in date order, so the order of facilities holds whatever
        // the file's order.
        good.sort_by(|(la, a), (lb, b)| {
            (&a.member_no, a.event.occurred_on, la).cmp(&(&b.member_no, b.event.occurred_on, lb))
        });
        let total = good.len() as u64;
        let (mut done, mut added) = (0u64, 0u64);
        let mut on_file: Vec<Problem> = Vec::new();
        progress(0, total);
        for chunk in good.chunks(BATCH) {
            let rows: Vec<ImportedService> = chunk.iter().map(|(_, s)| s.clone()).collect();
            let outcomes = self.import_services(actor, &rows, req.dry_run).await?;
            for ((line, s), outcome) in chunk.iter().zip(outcomes) {
                match outcome {
                    ServiceOutcome::Added(_) => added += 1,
                    ServiceOutcome::OnFile(id) => on_file.push(Problem {
                        line: *line,
                        column: header("kind"),
                        code: "already_on_file".into(),
                        message: format!(
                            "this service is on file for {} as event {id}; the row was left out",
                            s.member_no
                        ),
                    }),
                    ServiceOutcome::NoMember => {
                        problems.push(no_member(*line, &MemberRef::MemberNo(s.member_no.clone())))
                    }
                    ServiceOutcome::Refused(errs) => {
                        problems.extend(problems_of(*line, errs, header));
                    }
                }
            }
            done = self
                .batch_done(req, done, chunk.len(), total, progress)
                .await?;
        }
        Ok(Written {
            accepted: good.len(),
            added,
            problems,
            on_file,
        })
    }
}
