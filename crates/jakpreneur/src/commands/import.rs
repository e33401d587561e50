//! `jakpreneur import members|events FILE [--dry-run] [--report FILE]`: a province's
//! registry and its history from a spreadsheet, CSV or Excel (`.xlsx`). Every row is
//! checked by the API's own rules; a dry run writes nothing and reports every row's
//! errors; an import writes the rows that pass in batches of 500 (one transaction each),
//! leaves rows already on file as they are (members by NIK, services by member, kind, day,
//! agency and reference), and writes the refused rows with their reasons, and the rows on
//! file, to the report. Running it again changes nothing, and an import killed at any
//! moment completes when run again. One audit entry per run holds its counts and the
//! file's SHA-256.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use jakpreneur_core::import::events::{MemberRef, event_columns, event_of};
use jakpreneur_core::import::members::{member_columns, member_of};
use jakpreneur_core::import::{Table, read_csv, read_xlsx};
use jakpreneur_core::{Actor, Clock, NewMember};
use jakpreneur_store::{ImportedService, ServiceOutcome, Store};
use sha2::{Digest, Sha256};

use crate::cli::ImportArgs;

/// Rows per transaction.
const BATCH: usize = 500;

/// One line of the report: which row, which column (as the file names it), why.
struct Problem {
    line: u64,
    column: String,
    code: String,
    message: String,
}

/// Reads the file as a table: CSV (comma or semicolon) or an Excel workbook's first sheet.
/// Other formats are refused naming what to do.
fn table_of(path: &Path, bytes: &[u8]) -> anyhow::Result<Table> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "csv" | "txt" => Ok(read_csv(bytes)?),
        "xlsx" | "xlsm" => Ok(read_xlsx(bytes)?),
        other => anyhow::bail!(
            "{}: files of type {:?} cannot be imported; save the sheet as an Excel workbook \
             (.xlsx) or as CSV (comma or semicolon separated, UTF-8) and import that",
            path.display(),
            other
        ),
    }
}

/// The file read: its table and its SHA-256.
fn read_source(path: &Path) -> anyhow::Result<(Table, String)> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let sha256 = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    Ok((table_of(path, &bytes)?, sha256))
}

fn progress(len: usize) -> ProgressBar {
    let bar = ProgressBar::new(len as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} rows ({per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// Rows refused: each row once, however many of its cells were wrong.
fn rows_refused(problems: &[Problem]) -> usize {
    let mut lines: Vec<u64> = problems.iter().map(|p| p.line).collect();
    lines.sort_unstable();
    lines.dedup();
    lines.len()
}

pub async fn members(store: &Store, a: ImportArgs) -> anyhow::Result<ExitCode> {
    let (table, sha256) = read_source(&a.file)?;
    let columns = member_columns(&table).with_context(|| format!("{}", a.file.display()))?;
    let actor = super::cli_actor();
    let today = Clock::System.today();

    // Every row checked; a NIK seen twice in the file keeps its first row.
    let mut problems: Vec<Problem> = Vec::new();
    let mut good: Vec<(u64, NewMember)> = Vec::new();
    let mut first_row: HashMap<String, u64> = HashMap::new();
    for row in &table.rows {
        match member_of(&columns, row, today) {
            Ok(m) => match first_row.get(m.nik.as_str()) {
                Some(first) => problems.push(Problem {
                    line: row.line,
                    column: columns.header(&table, "nik").to_owned(),
                    code: "nik_duplicate_in_file".into(),
                    message: format!("the same NIK as row {first} of this file"),
                }),
                None => {
                    first_row.insert(m.nik.as_str().to_owned(), row.line);
                    good.push((row.line, m));
                }
            },
            Err(errs) => problems.extend(errs.0.into_iter().map(|e| Problem {
                line: row.line,
                column: columns.header(&table, e.field).to_owned(),
                code: e.code.to_owned(),
                message: e.message,
            })),
        }
    }
    let refused_rows = rows_refused(&problems);
    let bar = progress(good.len());
    // Rows whose NIK is on file already are left as they are, and listed in the report.
    let mut added = 0u64;
    let mut on_file: Vec<Problem> = Vec::new();
    let nik_column = columns.header(&table, "nik").to_owned();
    for chunk in good.chunks(BATCH) {
        let found: Vec<Option<String>> = if a.dry_run {
            let niks: Vec<_> = chunk.iter().map(|(_, m)| &m.nik).collect();
            store.members_by_nik(&actor, &niks).await?
        } else {
            let ms: Vec<NewMember> = chunk.iter().map(|(_, m)| m.clone()).collect();
            store
                .import_members(&actor, &ms)
                .await
                .context("storing the members")?
                .into_iter()
                .map(|(no, new)| (!new).then_some(no))
                .collect()
        };
        for ((line, _), no) in chunk.iter().zip(found) {
            match no {
                Some(no) => on_file.push(Problem {
                    line: *line,
                    column: nik_column.clone(),
                    code: "already_on_file".into(),
                    message: format!("this NIK is registered as {no}; the row was left out"),
                }),
                None if !a.dry_run => added += 1,
                None => {}
            }
        }
        bar.inc(chunk.len() as u64);
    }
    let on_file_count = on_file.len() as u64;
    bar.finish_and_clear();
    let fresh = if a.dry_run {
        good.len() as u64 - on_file_count
    } else {
        added
    };
    let counts = Counts {
        rows: table.rows.len(),
        accepted: good.len(),
        added: fresh,
        on_file: on_file_count,
        refused: refused_rows,
    };
    finish(
        store, &actor, "members", &a, &sha256, &problems, &on_file, &counts,
    )
    .await
}

/// The report line for a row whose member could not be found.
fn no_member(line: u64, column: &str, who: &MemberRef) -> Problem {
    let (code, message) = match who {
        MemberRef::MemberNo(no) => (
            "member_not_found",
            format!("no member numbered {no} in your region"),
        ),
        MemberRef::Nik(_) => (
            "member_not_found",
            "no member with this NIK in your region".to_owned(),
        ),
    };
    Problem {
        line,
        column: column.to_owned(),
        code: code.into(),
        message,
    }
}

pub async fn events(store: &Store, a: ImportArgs) -> anyhow::Result<ExitCode> {
    let (table, sha256) = read_source(&a.file)?;
    let columns = event_columns(&table).with_context(|| format!("{}", a.file.display()))?;
    let actor = super::cli_actor();
    let today = Clock::System.today();
    let member_column = if columns.header(&table, "member_no") != "member_no" {
        columns.header(&table, "member_no").to_owned()
    } else {
        columns.header(&table, "nik").to_owned()
    };

    let mut problems: Vec<Problem> = Vec::new();
    let mut parsed: Vec<(u64, MemberRef, jakpreneur_core::programme::NewEvent)> = Vec::new();
    for row in &table.rows {
        match event_of(&columns, row, today) {
            Ok((who, e)) => parsed.push((row.line, who, e)),
            Err(errs) => problems.extend(errs.0.into_iter().map(|e| Problem {
                line: row.line,
                column: columns.header(&table, e.field).to_owned(),
                code: e.code.to_owned(),
                message: e.message,
            })),
        }
    }
    // Members named by NIK: their numbers, a batch at a time (never a NIK in the report).
    let mut good: Vec<(u64, ImportedService)> = Vec::new();
    for chunk in parsed.chunks(BATCH) {
        let niks: Vec<_> = chunk
            .iter()
            .filter_map(|(_, who, _)| match who {
                MemberRef::Nik(n) => Some(n),
                MemberRef::MemberNo(_) => None,
            })
            .collect();
        let mut numbers = store.members_by_nik(&actor, &niks).await?.into_iter();
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
                None => problems.push(no_member(*line, &member_column, who)),
            }
        }
    }
    // The same service twice in the file keeps its first row.
    let mut first_row: HashMap<(String, String, chrono::NaiveDate, String, String), u64> =
        HashMap::new();
    good.retain(|(line, s)| {
        let key = (
            s.member_no.clone(),
            s.event.kind.clone(),
            s.event.occurred_on,
            s.event.agency.clone().unwrap_or_default(),
            s.event.reference.clone().unwrap_or_default(),
        );
        match first_row.get(&key) {
            Some(first) => {
                problems.push(Problem {
                    line: *line,
                    column: columns.header(&table, "kind").to_owned(),
                    code: "event_duplicate_in_file".into(),
                    message: format!("the same service as row {first} of this file"),
                });
                false
            }
            None => {
                first_row.insert(key, *line);
                true
            }
        }
    });
    // Each member's services in date order, so the order of facilities holds whatever
    // the file's order.
    good.sort_by(|(la, a), (lb, b)| {
        (&a.member_no, a.event.occurred_on, la).cmp(&(&b.member_no, b.event.occurred_on, lb))
    });

    let bar = progress(good.len());
    let mut added = 0u64;
    let mut on_file: Vec<Problem> = Vec::new();
    for chunk in good.chunks(BATCH) {
        let rows: Vec<ImportedService> = chunk.iter().map(|(_, s)| s.clone()).collect();
        let outcomes = store
            .import_services(&actor, &rows, a.dry_run)
            .await
            .context("storing the services")?;
        for ((line, s), outcome) in chunk.iter().zip(outcomes) {
            match outcome {
                ServiceOutcome::Added(_) => added += 1,
                ServiceOutcome::OnFile(id) => on_file.push(Problem {
                    line: *line,
                    column: columns.header(&table, "kind").to_owned(),
                    code: "already_on_file".into(),
                    message: format!(
                        "this service is on file for {} as event {id}; the row was left out",
                        s.member_no
                    ),
                }),
                ServiceOutcome::NoMember => problems.push(no_member(
                    *line,
                    &member_column,
                    &MemberRef::MemberNo(s.member_no.clone()),
                )),
                ServiceOutcome::Refused(errs) => {
                    problems.extend(errs.0.into_iter().map(|e| Problem {
                        line: *line,
                        column: columns.header(&table, e.field).to_owned(),
                        code: e.code.to_owned(),
                        message: e.message,
                    }))
                }
            }
        }
        bar.inc(chunk.len() as u64);
    }
    bar.finish_and_clear();
    let counts = Counts {
        rows: table.rows.len(),
        accepted: good.len(),
        added,
        on_file: on_file.len() as u64,
        refused: rows_refused(&problems),
    };
    finish(
        store, &actor, "events", &a, &sha256, &problems, &on_file, &counts,
    )
    .await
}

/// What an import did, for its summary line and its audit entry.
struct Counts {
    rows: usize,
    /// Rows that passed the checks of the file alone.
    accepted: usize,
    /// Added, or, in a dry run, that would be.
    added: u64,
    on_file: u64,
    refused: usize,
}

/// The end of every import: the report, the audit entry, the summary; exit 3 when rows
/// were refused.
#[allow(clippy::too_many_arguments)] // reason: the parts of one run's outcome
async fn finish(
    store: &Store,
    actor: &Actor,
    kind: &str,
    a: &ImportArgs,
    sha256: &str,
    problems: &[Problem],
    on_file: &[Problem],
    c: &Counts,
) -> anyhow::Result<ExitCode> {
    // What each batch left waiting in the counters is rolled up now, not by the next
    // server.
    if !a.dry_run && c.added > 0 {
        store
            .fold_pending()
            .await
            .context("rolling up the statistics counters")?;
    }
    let report = a.report.clone().unwrap_or_else(|| report_path(&a.file));
    let mut listed: Vec<&Problem> = problems.iter().chain(on_file).collect();
    listed.sort_by_key(|p| p.line);
    write_report(&report, &listed)?;
    store
        .record_import(
            actor,
            kind,
            serde_json::json!({
                "file": a.file.file_name().map(|f| f.to_string_lossy().into_owned()),
                "sha256": sha256,
                "dry_run": a.dry_run,
                "rows": c.rows,
                "accepted": c.accepted,
                "added": c.added,
                "already_on_file": c.on_file,
                "refused": c.refused,
            }),
        )
        .await?;
    let verb = if a.dry_run { "would add" } else { "added" };
    println!(
        "{} rows read: {verb} {}, {} already on file (left as they are), {} refused.",
        c.rows, c.added, c.on_file, c.refused
    );
    if listed.is_empty() {
        println!("The report {} is empty.", report.display());
    } else {
        println!(
            "The rows refused or already on file, and why (row, column, code, message), are in {}.",
            report.display()
        );
    }
    Ok(if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(3)
    })
}

/// `members.csv` → `members.csv.report.csv`, beside the file.
fn report_path(file: &Path) -> PathBuf {
    let mut name = file.file_name().unwrap_or_default().to_os_string();
    name.push(".report.csv");
    file.with_file_name(name)
}

fn write_report(path: &Path, problems: &[&Problem]) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_path(path)
        .with_context(|| format!("writing the report {}", path.display()))?;
    w.write_record(["row", "column", "code", "message"])?;
    for p in problems {
        // The column is the file's own header, which could read as a formula.
        w.write_record([
            p.line.to_string().as_str(),
            &jakpreneur_core::format::csv_safe(&p.column),
            &p.code,
            &p.message,
        ])?;
    }
    w.flush()?;
    Ok(())
}
