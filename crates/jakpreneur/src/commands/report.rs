//! `jakpreneur report facilities|funnel|summary|period|cohort`: the statistics of the API,
//! built by the same code (`jakpreneur_reports`), as a table, CSV, JSON or XLSX, on
//! standard output or into a file.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, bail};
use jakpreneur_core::ValidationErrors;
use jakpreneur_reports::sheet::{SheetFormat, write_table};
use jakpreneur_reports::{
    self as reports, Audience, CohortQuery, Table, parse_day, parse_group_by, parse_period,
    parse_region,
};
use jakpreneur_store::Store;

use crate::cli::{ReportCommand, ReportFormat, ReportOutput, StatsCommand, TargetCommand};

/// `jakpreneur target add|list|withdraw`.
pub async fn target(store: &Store, cmd: TargetCommand) -> anyhow::Result<ExitCode> {
    let actor = super::cli_actor();
    let today = jakpreneur_core::Clock::System.today();
    match cmd {
        TargetCommand::Add(a) => {
            let draft = jakpreneur_core::targets::TargetDraft {
                indicator: Some(a.indicator),
                value: Some(a.value),
                region: a.region,
                agency: a.agency,
                mentor: a.mentor,
                from: a.from,
                deadline: Some(a.deadline),
                source: Some(a.source),
            };
            let t = match jakpreneur_core::targets::NewTarget::parse(&draft) {
                Ok(t) => t,
                Err(errs) => bail!("{errs}"),
            };
            let made = store.create_target(&actor, &t).await?;
            println!("{}", made.id);
        }
        TargetCommand::Withdraw { id } => {
            store.withdraw_target(&actor, id).await?;
            eprintln!("target {id} withdrawn");
        }
        TargetCommand::List => {
            let r = reports::target_report(store, Audience::Staff(&actor), today).await?;
            let output = ReportOutput {
                region: None,
                format: ReportFormat::Table,
                out: None,
            };
            write(&serde_json::to_value(&r)?, &r.table(), &output)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `jakpreneur stats verify|rebuild`.
pub async fn stats(store: &Store, cmd: StatsCommand) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    match cmd {
        StatsCommand::Verify => {
            let check = store.verify_stats().await?;
            for d in &check.differences {
                println!("{d}");
            }
            println!(
                "{} members, {} counter rows recounted in {:.1} s: {}",
                check.members,
                check.rows_checked,
                started.elapsed().as_secs_f64(),
                if check.differences.is_empty() {
                    "every counter equals the recount".to_owned()
                } else {
                    format!("{} or more differ", check.differences.len())
                }
            );
            Ok(if check.differences.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        StatsCommand::Rebuild => {
            let n = store.rebuild_stats().await?;
            println!(
                "counters rebuilt from {n} members in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub async fn run(store: &Store, cmd: ReportCommand) -> anyhow::Result<ExitCode> {
    let actor = super::cli_actor();
    let who = Audience::Staff(&actor);
    let today = jakpreneur_core::Clock::System.today();
    let mut errs = ValidationErrors::default();
    let (json, table, output) = match &cmd {
        ReportCommand::Facilities(a) | ReportCommand::Funnel(a) | ReportCommand::Summary(a) => {
            let as_of = parse_day(&mut errs, "as_of", a.as_of.as_deref(), Some(today));
            let region = parse_region(&mut errs, a.output.region.as_deref());
            let by = parse_group_by(&mut errs, a.group_by.as_deref(), region.as_ref());
            let (Some(as_of), true) = (as_of, errs.is_empty()) else {
                bail!("{errs}");
            };
            match &cmd {
                ReportCommand::Summary(_) => {
                    if by.is_some() {
                        bail!("group_by: the summary is not broken down");
                    }
                    let r = reports::summary(store, who, as_of, region.as_ref()).await?;
                    (serde_json::to_value(&r)?, r.table(), &a.output)
                }
                ReportCommand::Funnel(_) => {
                    let r =
                        reports::facility_release(store, who, as_of, region.as_ref(), by).await?;
                    let f: reports::Funnel = r.into();
                    (serde_json::to_value(&f)?, f.table(), &a.output)
                }
                _ => {
                    let r =
                        reports::facility_release(store, who, as_of, region.as_ref(), by).await?;
                    (serde_json::to_value(&r)?, r.table(), &a.output)
                }
            }
        }
        ReportCommand::Period(a) => {
            let period = parse_period(&mut errs, Some(&a.from), Some(&a.to));
            let region = parse_region(&mut errs, a.output.region.as_deref());
            let by = parse_group_by(&mut errs, a.group_by.as_deref(), region.as_ref());
            let (Some(period), true) = (period, errs.is_empty()) else {
                bail!("{errs}");
            };
            let r = reports::period_report(store, who, period, region.as_ref(), by).await?;
            (serde_json::to_value(&r)?, r.table(), &a.output)
        }
        ReportCommand::Targets(output) => {
            let r = reports::target_report(store, Audience::Staff(&actor), today).await?;
            (serde_json::to_value(&r)?, r.table(), output)
        }
        ReportCommand::Cohort(a) => {
            let q = CohortQuery {
                from: a.from.clone(),
                to: a.to.clone(),
                region: a.output.region.clone(),
                programme: None,
            };
            let (range, region) = match reports::cohort_args(today, &q) {
                Ok(x) => x,
                Err(errs) => bail!("{errs}"),
            };
            let r = reports::cohort_report(store, &actor, range, region.as_ref(), today).await?;
            (serde_json::to_value(&r)?, r.table(), &a.output)
        }
    };
    write(&json, &table, output)?;
    Ok(ExitCode::SUCCESS)
}

fn write(json: &serde_json::Value, table: &Table, output: &ReportOutput) -> anyhow::Result<()> {
    if output.format == ReportFormat::Xlsx {
        let Some(path) = &output.out else {
            bail!("format: xlsx is written to a file; give --out FILE.xlsx");
        };
        let file =
            super::create_private(path).with_context(|| format!("creating {}", path.display()))?;
        write_table(table, SheetFormat::Xlsx, std::io::BufWriter::new(file))
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!("wrote {}", path.display());
        return Ok(());
    }
    let mut sink: Box<dyn Write + Send> = match &output.out {
        Some(path) => Box::new(
            super::create_private(path).with_context(|| format!("creating {}", path.display()))?,
        ),
        None => Box::new(std::io::stdout()),
    };
    match output.format {
        ReportFormat::Json => writeln!(sink, "{}", serde_json::to_string_pretty(json)?)?,
        ReportFormat::Csv => {
            sink = write_table(table, SheetFormat::Csv, sink)?;
        }
        ReportFormat::Table | ReportFormat::Xlsx => {
            let widths: Vec<usize> = (0..table.header.len())
                .map(|i| {
                    std::iter::once(&table.header)
                        .chain(&table.rows)
                        .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                        .max()
                        .unwrap_or(0)
                })
                .collect();
            writeln!(sink, "{}", table.title)?;
            for r in std::iter::once(&table.header).chain(&table.rows) {
                let line: Vec<String> = r
                    .iter()
                    .zip(&widths)
                    .map(|(c, w)| format!("{c:<w$}"))
                    .collect();
                writeln!(sink, "{}", line.join("  ").trim_end())?;
            }
        }
    }
    sink.flush()?;
    if let Some(path) = &output.out {
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}
