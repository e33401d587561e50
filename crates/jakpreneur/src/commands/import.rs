//! `jakpreneur import members|events FILE [--dry-run] [--report FILE]`: a province's
//! registry and its history from a spreadsheet, CSV or Excel (`.xlsx`), through
//! `Store::import_file` (the same as the upload page): every row checked by the API's
//! own rules, written in batches, rows on file left as they are, every refusal in the
//! report. Exits 3 when rows were refused.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use jakpreneur_core::Clock;
use jakpreneur_core::import::report_csv;
use jakpreneur_store::{ImportKind, ImportRequest, Store, StoreError};

use crate::cli::ImportArgs;

pub async fn run(store: &Store, kind: ImportKind, a: ImportArgs) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(&a.file).with_context(|| format!("reading {}", a.file.display()))?;
    let file_name = a
        .file
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let req = ImportRequest {
        kind,
        file_name: &file_name,
        bytes: &bytes,
        dry_run: a.dry_run,
        today: Clock::System.today(),
    };
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} rows ({per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let progress = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(done);
    };
    let summary = match store
        .import_file(&super::cli_actor(), &req, &progress)
        .await
    {
        Ok(s) => s,
        // The file as a whole (its type, its header row): one line naming why.
        Err(StoreError::Invalid(errs)) => {
            anyhow::bail!("{}: {errs}", a.file.display())
        }
        Err(e) => return Err(anyhow::Error::new(e).context("storing the rows")),
    };
    bar.finish_and_clear();
    let report = a.report.clone().unwrap_or_else(|| report_path(&a.file));
    super::create_private(&report)
        .and_then(|mut f| std::io::Write::write_all(&mut f, &report_csv(&summary.report)?))
        .with_context(|| format!("writing the report {}", report.display()))?;
    let verb = if a.dry_run { "would add" } else { "added" };
    println!(
        "{} rows read: {verb} {}, {} already on file (left as they are), {} refused.",
        summary.rows, summary.added, summary.on_file, summary.refused
    );
    if summary.report.is_empty() {
        println!("The report {} is empty.", report.display());
    } else {
        println!(
            "The rows refused or already on file, and why (row, column, code, message), are in {}.",
            report.display()
        );
    }
    Ok(if summary.refused == 0 {
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
