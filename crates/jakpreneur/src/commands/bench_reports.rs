//! `jakpreneur bench reports`: how long each statistics report takes, for the whole
//! province and for one district, on a database of demo members with their services (or
//! on an existing database with `--existing`). Each report is built as the API builds it
//! (`jakpreneur_reports`), so the figure is the report's, not the HTTP layer's.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::Months;
use jakpreneur_core::{Actor, RegionCode, RegionLevel};
use jakpreneur_reports::{self as reports, Audience};
use jakpreneur_store::{Breakdown, Store};

use super::bench::Scratch;
use crate::cli::BenchReportsArgs;
use crate::config::Config;

const SEED: u64 = 2021;

pub async fn run(cfg: &Config, db_given: bool, a: BenchReportsArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(a.iterations >= 1, "--iterations must be at least 1");
    if a.existing {
        anyhow::ensure!(db_given, "--existing measures the database given with --db");
        let store = super::open(cfg, false).await?;
        let r = measure(&store, &a).await;
        store.close().await;
        r?;
        return Ok(ExitCode::SUCCESS);
    }
    let (place, store) = Scratch::open(cfg, db_given, cfg.database.max_connections).await?;
    let r = async {
        eprintln!(
            "bench reports: filling a fresh database with {} demo members (seed {SEED})",
            a.members
        );
        let t = Instant::now();
        super::demo::run(&store, a.members, Some(SEED)).await?;
        eprintln!("filled in {:.1} s", t.elapsed().as_secs_f64());
        measure(&store, &a).await
    }
    .await;
    store.close().await;
    place.remove().await;
    r?;
    Ok(ExitCode::SUCCESS)
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

async fn measure(store: &Store, a: &BenchReportsArgs) -> anyhow::Result<()> {
    let actor = Actor::system("bench");
    let who = Audience::Staff(&actor);
    let today = jakpreneur_core::Clock::System.today();
    let members = store.count_members().await?;
    let registered: i64 = reports::summary(store, who, today, None)
        .await?
        .registered_members;
    let district = RegionCode::parse("region", "31.71.01").context("district code")?;
    let year_ago = today.checked_sub_months(Months::new(12)).unwrap_or(today);
    let cohort_from = jakpreneur_core::stats::first_of_month(today)
        .checked_sub_months(Months::new(23))
        .unwrap_or(today);
    let cohort_to = jakpreneur_core::stats::first_of_month(today);
    println!(
        "{} backend, {members} members ({registered} registered as of today); {} timed runs of each report after {} warm-up",
        store.backend().name(),
        a.iterations,
        a.warmup
    );
    println!("{:<44} {:>10} {:>10} {:>10}", "report", "p50", "p95", "max");
    for region in [None, Some(&district)] {
        let name = region.map_or("province".to_owned(), |r| {
            format!("district {}", r.as_str())
        });
        let by_child = Breakdown::Region(if region.is_some() {
            RegionLevel::Village
        } else {
            RegionLevel::District
        });
        let cases: [(&str, Option<Breakdown>); 11] = [
            ("facilities", None),
            ("facilities by child region", Some(by_child)),
            ("facilities by agency", Some(Breakdown::Agency)),
            ("facilities by sector", Some(Breakdown::Sector)),
            ("facilities by registration year", Some(Breakdown::Year)),
            ("period (last 12 months)", None),
            ("period by child region", Some(by_child)),
            ("funnel", None),
            ("summary", None),
            ("cohorts (24 months)", None),
            ("open facilities by child region", Some(by_child)),
        ];
        for (label, by) in cases {
            let mut times = Vec::with_capacity(a.iterations as usize);
            for i in 0..(a.warmup + a.iterations) {
                let t = Instant::now();
                match label {
                    l if l.starts_with("period") => {
                        reports::period_report(store, who, (year_ago, today), region, by).await?;
                    }
                    "funnel" => {
                        let r = reports::facility_release(store, who, today, region, by).await?;
                        let _: reports::Funnel = r.into();
                    }
                    "summary" => {
                        reports::summary(store, who, today, region).await?;
                    }
                    l if l.starts_with("cohorts") => {
                        reports::cohort_report(
                            store,
                            &actor,
                            (cohort_from, cohort_to),
                            region,
                            today,
                        )
                        .await?;
                    }
                    l if l.starts_with("open") => {
                        reports::facility_release(store, Audience::Public, today, region, by)
                            .await?;
                    }
                    _ => {
                        reports::facility_release(store, who, today, region, by).await?;
                    }
                }
                if i >= a.warmup {
                    times.push(t.elapsed());
                }
            }
            times.sort_unstable();
            println!(
                "{:<44} {:>8.2}ms {:>8.2}ms {:>8.2}ms",
                format!("{label}, {name}"),
                pct(&times, 0.5).as_secs_f64() * 1e3,
                pct(&times, 0.95).as_secs_f64() * 1e3,
                times.last().copied().unwrap_or_default().as_secs_f64() * 1e3
            );
        }
    }
    Ok(())
}
