//! `jakpreneur import members FILE [--dry-run] [--report FILE]`: a province's registry from
//! a spreadsheet, CSV or Excel (`.xlsx`). Every row is checked by the API's own rules; a dry run
//! writes nothing and reports every row's errors; an import adds the rows that pass in
//! batches of 500 (one transaction each), leaves rows whose NIK is on file as they are,
//! and writes the refused rows with their reasons, and the rows on file with their member
//! numbers, to the report. Running it again changes nothing, and
//! an import killed at any moment completes when run again. One audit entry per run
//! holds its counts and the file's SHA-256.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use jakpreneur_core::import::members::{MemberColumns, member_of};
use jakpreneur_core::import::{Table, read_csv, read_xlsx};
use jakpreneur_core::{Clock, NewMember};
use jakpreneur_store::Store;
use sha2::{Digest, Sha256};

use crate::cli::ImportMembersArgs;

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

pub async fn members(store: &Store, a: ImportMembersArgs) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(&a.file).with_context(|| format!("reading {}", a.file.display()))?;
    let sha256 = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    let table = table_of(&a.file, &bytes)?;
    let columns = MemberColumns::of(&table).with_context(|| format!("{}", a.file.display()))?;
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
    let refused_rows = {
        let mut lines: Vec<u64> = problems.iter().map(|p| p.line).collect();
        lines.dedup();
        lines.len()
    };

    let bar = ProgressBar::new(good.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} rows ({per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
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
    // Also when nothing was added: an earlier run of this file may have been stopped
    // after its last batch and before this recount.
    if !a.dry_run && !good.is_empty() {
        eprintln!("Recounting the first reaches and statistics from the records…");
        store
            .finish_import(&actor)
            .await
            .context("recounting the statistics")?;
    }

    let report = a.report.clone().unwrap_or_else(|| report_path(&a.file));
    let mut listed: Vec<&Problem> = problems.iter().chain(&on_file).collect();
    listed.sort_by_key(|p| p.line);
    write_report(&report, &listed)?;
    store
        .record_import(
            &actor,
            "members",
            serde_json::json!({
                "file": a.file.file_name().map(|f| f.to_string_lossy().into_owned()),
                "sha256": sha256,
                "dry_run": a.dry_run,
                "rows": table.rows.len(),
                "accepted": good.len(),
                "added": added,
                "already_on_file": on_file_count,
                "refused": refused_rows,
            }),
        )
        .await?;

    let verb = if a.dry_run { "would add" } else { "added" };
    let fresh = if a.dry_run {
        good.len() as u64 - on_file_count
    } else {
        added
    };
    println!(
        "{} rows read: {verb} {fresh}, {on_file_count} already on file (left as they are), {refused_rows} refused.",
        table.rows.len()
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
