//! `jakpreneur import members FILE [--dry-run] [--report FILE]`: a province's registry from
//! a spreadsheet, CSV or Excel (`.xlsx`). Every row is checked by the API's own rules; a dry run
//! writes nothing and reports every row's errors; an import adds the rows that pass in
//! batches of 500 (one transaction each), skips NIKs already on file, and writes the
//! refused rows with their reasons to the report. Running it again changes nothing, and
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
    let (mut added, mut on_file) = (0u64, 0u64);
    for chunk in good.chunks(BATCH) {
        if a.dry_run {
            let niks: Vec<_> = chunk.iter().map(|(_, m)| &m.nik).collect();
            on_file += store
                .members_by_nik(&actor, &niks)
                .await?
                .iter()
                .filter(|n| n.is_some())
                .count() as u64;
        } else {
            let ms: Vec<NewMember> = chunk.iter().map(|(_, m)| m.clone()).collect();
            for (_, new) in store
                .import_members(&actor, &ms)
                .await
                .context("storing the members")?
            {
                if new { added += 1 } else { on_file += 1 }
            }
        }
        bar.inc(chunk.len() as u64);
    }
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
    write_report(&report, &problems)?;
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
                "already_on_file": on_file,
                "refused": refused_rows,
            }),
        )
        .await?;

    let verb = if a.dry_run { "would add" } else { "added" };
    let fresh = if a.dry_run {
        good.len() as u64 - on_file
    } else {
        added
    };
    println!(
        "{} rows read: {verb} {fresh}, {on_file} already on file (left as they are), {refused_rows} refused.",
        table.rows.len()
    );
    if problems.is_empty() {
        println!(
            "No row was refused; the report {} is empty.",
            report.display()
        );
        Ok(ExitCode::SUCCESS)
    } else {
        println!(
            "The refused rows and why (row, column, code, message) are in {}.",
            report.display()
        );
        Ok(ExitCode::from(3))
    }
}

/// `members.csv` → `members.csv.report.csv`, beside the file.
fn report_path(file: &Path) -> PathBuf {
    let mut name = file.file_name().unwrap_or_default().to_os_string();
    name.push(".report.csv");
    file.with_file_name(name)
}

fn write_report(path: &Path, problems: &[Problem]) -> anyhow::Result<()> {
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
