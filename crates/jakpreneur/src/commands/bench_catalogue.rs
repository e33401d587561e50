//! `jakpreneur bench catalogue`: how long the public catalogue's search takes, built as
//! the API builds it (`Store::catalogue`), for word queries with two filters, on a fresh
//! database of demo members whose products are loaded as listed (the bulk path).

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};
use chrono::Duration as Days;
use jakpreneur_core::catalogue::NewProduct;
use jakpreneur_core::curation::Grade;
use jakpreneur_core::demo_catalogue::DemoProducts;
use jakpreneur_store::{CatalogueQuery, CatalogueSort, ListedProduct, Store};

use super::bench::Scratch;
use crate::cli::BenchCatalogueArgs;
use crate::config::Config;

const SEED: u64 = 2023;

pub async fn run(cfg: &Config, db_given: bool, a: BenchCatalogueArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(a.iterations >= 1, "--iterations must be at least 1");
    anyhow::ensure!(a.members >= 1, "--members must be at least 1");
    let (place, store) = Scratch::open(cfg, db_given, cfg.database.max_connections).await?;
    let r = async {
        eprintln!(
            "bench catalogue: {} demo members and {} listed products (seed {SEED})",
            a.members, a.products
        );
        let t = Instant::now();
        super::demo::run(&store, a.members, Some(SEED)).await?;
        load(&store, a.products, false).await?;
        store.analyze().await?;
        store.checkpoint().await?;
        eprintln!("filled in {:.1} s", t.elapsed().as_secs_f64());
        // SQLite: measured as a server started after the load searches (readers opened
        // on the filled database). The readers that lived through the bulk load were seen
        // far slower on word searches (BENCHMARKS.md); they are timed too, a few runs.
        if let Scratch::Sqlite { dir } = &place {
            let url = dir.join("bench.db").display().to_string();
            let fresh = Store::connect(&url, &Default::default()).await?;
            println!("On fresh connections:");
            let r = measure(&fresh, a.iterations, 5).await;
            fresh.close().await;
            r?;
            println!("On the connections that were open during the load:");
            measure(&store, a.iterations.min(5), 1).await?;
        } else {
            measure(&store, a.iterations, 5).await?;
        }
        Ok::<(), anyhow::Error>(())
    }
    .await;
    store.close().await;
    place.remove().await;
    r?;
    Ok(ExitCode::SUCCESS)
}

/// Products for the members round-robin, mostly food, graded A–C, listed in the past year;
/// with `made_to_order`, none keeps a stock (no order waits for another's stock).
pub(super) async fn load(store: &Store, products: u64, made_to_order: bool) -> anyhow::Result<()> {
    let actor = super::cli_actor();
    let today = jakpreneur_core::Clock::System.today();
    let mut members: Vec<(i64, String)> = Vec::new();
    let mut last = 0;
    loop {
        let chunk = store.member_dates_after(&actor, last, 10_000).await?;
        let Some((id, _)) = chunk.last() else { break };
        last = *id;
        members.extend(chunk.into_iter().map(|(id, _)| (id, String::new())));
    }
    anyhow::ensure!(!members.is_empty(), "no members to give products to");
    let mut g = DemoProducts::new(SEED);
    let bar = indicatif::ProgressBar::new(products);
    let mut rows = Vec::with_capacity(5_000);
    for k in 0..products {
        let (member_id, _) = &members[usize::try_from(k).unwrap_or(0) % members.len()];
        let mut product = NewProduct::parse(&g.product(if k % 5 == 0 { "C" } else { "I" }))
            .map_err(|e| anyhow!("bench product: {e}"))?;
        if made_to_order {
            product.stock = None;
        }
        let grade = [Grade::A, Grade::B, Grade::B, Grade::C][usize::try_from(k % 4).unwrap_or(0)];
        let listed_on = today - Days::days(g.between(1, 365));
        rows.push(ListedProduct {
            member_id: *member_id,
            product,
            grade,
            listed_on,
            valid_until: listed_on + Days::days(730),
        });
        if rows.len() == 5_000 || k + 1 == products {
            let n = store
                .load_listed_products(&actor, &rows)
                .await
                .context("loading listed products")?;
            bar.inc(n);
            rows.clear();
        }
    }
    bar.finish();
    Ok(())
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

async fn measure(store: &Store, iterations: u32, warmup: u32) -> anyhow::Result<()> {
    let today = jakpreneur_core::Clock::System.today();
    let all = store
        .catalogue(
            &CatalogueQuery {
                limit: 1,
                ..Default::default()
            },
            today,
        )
        .await?
        .total;
    let q = |words: &[&str], f: &dyn Fn(&mut CatalogueQuery)| {
        let mut c = CatalogueQuery {
            words: words.iter().map(|w| (*w).to_owned()).collect(),
            limit: 24,
            sort: CatalogueSort::Relevance,
            ..Default::default()
        };
        f(&mut c);
        c
    };
    let shapes: Vec<(&str, CatalogueQuery)> = vec![
        (
            "keripik + category + price_max",
            q(&["keripik"], &|c| {
                c.category = Some("snacks".into());
                c.price_max = Some(20_000);
            }),
        ),
        (
            "nasi kotak + district + halal",
            q(&["nasi", "kotak"], &|c| {
                c.district = Some("31.71.01".into());
                c.halal = true;
            }),
        ),
        (
            "kopi + grade + tkdn_min",
            q(&["kopi"], &|c| {
                c.grade = Some("A".into());
                c.tkdn_min = Some(60);
            }),
        ),
        (
            "batik (prefix 'bat') + category + price sort",
            q(&["bat"], &|c| {
                c.category = Some("fashion_batik".into());
                c.price_min = Some(100_000);
                c.sort = CatalogueSort::PriceAsc;
            }),
        ),
    ];
    println!(
        "{} backend, {all} products in the catalogue; {iterations} timed searches of each shape after {warmup} warm-up",
        store.backend().name()
    );
    println!(
        "{:<46} {:>8} {:>10} {:>10} {:>10}",
        "query (24 a page)", "matches", "p50", "p95", "max"
    );
    let mut every = Vec::new();
    for (name, c) in &shapes {
        for _ in 0..warmup {
            store.catalogue(c, today).await?;
        }
        let mut times = Vec::with_capacity(iterations as usize);
        let mut total = 0;
        for _ in 0..iterations {
            let t = Instant::now();
            total = store.catalogue(c, today).await?.total;
            times.push(t.elapsed());
        }
        times.sort();
        println!(
            "{name:<46} {total:>8} {:>10} {:>10} {:>10}",
            ms(pct(&times, 0.5)),
            ms(pct(&times, 0.95)),
            ms(*times.last().unwrap_or(&Duration::ZERO))
        );
        every.extend(times);
    }
    every.sort();
    println!(
        "{:<46} {:>8} {:>10} {:>10} {:>10}",
        "all shapes",
        "",
        ms(pct(&every, 0.5)),
        ms(pct(&every, 0.95)),
        ms(*every.last().unwrap_or(&Duration::ZERO))
    );
    Ok(())
}
