//! `jakpreneur migrate-data --from SQLITE --to POSTGRES`: the whole installation moved,
//! then checked by comparing every report before and after.

use std::process::ExitCode;

use anyhow::{Context, bail};
use chrono::{Datelike, Months, NaiveDate};
use jakpreneur_core::{Actor, Clock, RegionCode, RegionLevel};
use jakpreneur_reports as reports;
use jakpreneur_store::{Breakdown, ConnectOptions, Store, redact_url};
use reports::Audience;
use serde_json::Value;

use crate::config::{Config, Secret};

pub async fn run(cfg: &Config, from: &str, to: &str) -> anyhow::Result<ExitCode> {
    if from.starts_with("postgres") {
        bail!("--from must be a SQLite database (a file path or sqlite://…), not {from}");
    }
    if !to.starts_with("postgres://") && !to.starts_with("postgresql://") {
        bail!("--to must be a PostgreSQL database (postgres://…)");
    }
    let mut source_cfg = cfg.clone();
    source_cfg.database.url = Secret::new(from);
    let path = from
        .strip_prefix("sqlite://")
        .or_else(|| from.strip_prefix("sqlite:"))
        .unwrap_or(from);
    if !std::path::Path::new(path).exists() {
        bail!("--from: no SQLite database at {path}");
    }
    let source = super::open(&source_cfg, false).await?;
    let key = super::load_key(&source_cfg, &source).await?;
    let opts = ConnectOptions {
        max_connections: cfg.database.max_connections,
        ..ConnectOptions::default()
    };
    let target = Store::connect(to, &opts)
        .await
        .context("opening the PostgreSQL database")?;
    target
        .migrate()
        .await
        .context("migrating the PostgreSQL database")?;
    eprintln!("Copying {path} into PostgreSQL, table by table…");
    let started = std::time::Instant::now();
    let copied = source
        .copy_into_postgres(&target, |c| eprintln!("{:>12}  {}", c.rows, c.table))
        .await
        .context("copying")?;
    target.close().await;
    let rows: u64 = copied.iter().map(|c| c.rows).sum();
    eprintln!(
        "Copied {} tables, {rows} rows, in {:.1} s. Checking the copy…",
        copied.len(),
        started.elapsed().as_secs_f64()
    );

    let target = Store::connect(to, &opts).await?;
    target.check_migrated().await?;
    let target = target.attach_key(&key).await?;
    let mut ok = super::audit::report(&target.verify_audit().await?) == ExitCode::SUCCESS;
    let stats = target.verify_stats().await?;
    if stats.differences.is_empty() {
        println!(
            "statistics: {} members, every counter equals the recount",
            stats.members
        );
    } else {
        ok = false;
        eprintln!(
            "error: counters differ from the recount: {:?}",
            stats.differences
        );
    }
    let today = Clock::System.today();
    let before = every_report(&source, today).await?;
    let after = every_report(&target, today).await?;
    let differing: Vec<&str> = before
        .iter()
        .zip(&after)
        .filter(|(b, a)| b.1 != a.1)
        .map(|(b, _)| b.0.as_str())
        .collect();
    if differing.is_empty() && before.len() == after.len() {
        println!(
            "{} reports compared: every one is the same on both",
            before.len()
        );
    } else {
        ok = false;
        eprintln!("error: reports differ after the copy: {differing:?}");
    }
    source.close().await;
    target.close().await;
    if !ok {
        return Ok(ExitCode::FAILURE);
    }
    println!("done: point the server at {}", redact_url(to));
    Ok(ExitCode::SUCCESS)
}

/// Every report the product publishes, staff and open, as JSON: the facility release by
/// each breakdown and for each city, the period report of every year, the summaries, the
/// cohorts of the last two years, and the open figures.
async fn every_report(store: &Store, today: NaiveDate) -> anyhow::Result<Vec<(String, Value)>> {
    let actor = Actor::system("migrate-data");
    let staff = Audience::Staff(&actor);
    let mut out: Vec<(String, Value)> = Vec::new();
    let breakdowns = [
        None,
        Some(Breakdown::Region(RegionLevel::City)),
        Some(Breakdown::Region(RegionLevel::District)),
        Some(Breakdown::Sector),
        Some(Breakdown::Agency),
        Some(Breakdown::Year),
    ];
    for by in breakdowns {
        let r = reports::facility_release(store, staff, today, None, by).await?;
        out.push((format!("facilities by {by:?}"), json(&r)));
        let r = reports::facility_release(store, Audience::Public, today, None, by).await?;
        out.push((format!("open facilities by {by:?}"), json(&r)));
    }
    let cities: Vec<RegionCode> = jakpreneur_core::reference::reference()
        .regions_at(RegionLevel::City)
        .filter_map(|c| RegionCode::parse("region", &c.code).ok())
        .collect();
    for city in &cities {
        let by = Some(Breakdown::Region(RegionLevel::Village));
        let r = reports::facility_release(store, staff, today, Some(city), by).await?;
        out.push((format!("facilities of {}", city.as_str()), json(&r)));
        let r = reports::summary(store, staff, today, Some(city)).await?;
        out.push((format!("summary of {}", city.as_str()), json(&r)));
    }
    out.push((
        "summary".into(),
        json(&reports::summary(store, staff, today, None).await?),
    ));
    for year in 2017..=today.year() {
        let from = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(today);
        let to = NaiveDate::from_ymd_opt(year, 12, 31)
            .unwrap_or(today)
            .min(today);
        let by = Some(Breakdown::Region(RegionLevel::District));
        let r = reports::period_report(store, staff, (from, to), None, by).await?;
        out.push((format!("period {year}"), json(&r)));
    }
    let from = today.checked_sub_months(Months::new(24)).unwrap_or(today);
    let r = reports::cohort_report(store, &actor, (from, today), None, today).await?;
    out.push(("cohorts".into(), json(&r)));
    Ok(out)
}

/// A report as JSON, to compare.
fn json<T: serde::Serialize>(report: &T) -> Value {
    serde_json::to_value(report).unwrap_or(Value::Null)
}
