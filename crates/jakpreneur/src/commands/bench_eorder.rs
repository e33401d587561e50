//! `jakpreneur bench eorder`: e-order's two speed targets, on a fresh database of demo
//! members whose products are loaded as listed (the bulk path).
//!
//! 1. Order placement through `POST /api/v1/orders` with concurrent clients, each order
//!    from a procurement officer of one of `--concurrency` buying units under its own
//!    package, with an `Idempotency-Key`, against a warm in-process server.
//! 2. The e-order statistics (`Store::eorder_stats`, as `GET /api/v1/stats/e-order` calls
//!    it) after `--orders` paid orders of the past year are loaded through the bulk path
//!    for 200 buying units: the year's totals, each breakdown, and one month.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};
use chrono::{Datelike, Duration as Days, NaiveDate};
use jakpreneur_core::demo_catalogue::DemoProducts;
use jakpreneur_core::eorder::{EorderGroup, NewPackage, NewUnit, PackageDraft, UnitDraft};
use jakpreneur_core::{Actor, Clock, Role};
use jakpreneur_store::{
    Backend, CatalogueItem, CatalogueQuery, NewUser, PaidLine, PaidOrder, Store,
};

use super::bench::{Scratch, ms, percentile};
use crate::cli::BenchEorderArgs;
use crate::config::Config;

const SEED: u64 = 2019;
/// Buying units whose history the statistics are measured on.
const HISTORY_UNITS: usize = 200;

pub async fn run(cfg: &Config, db_given: bool, a: BenchEorderArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(a.concurrency >= 1, "--concurrency must be at least 1");
    anyhow::ensure!(a.requests >= 1, "--requests must be at least 1");
    anyhow::ensure!(a.iterations >= 1, "--iterations must be at least 1");
    anyhow::ensure!(a.products >= 1, "--products must be at least 1");
    let max_connections = cfg
        .database
        .max_connections
        .max(a.concurrency as u32)
        .min(64);
    let (place, store) = Scratch::open(cfg, db_given, max_connections).await?;
    let r = bench(&store, cfg, &a).await;
    store.close().await;
    place.remove().await;
    r
}

async fn bench(store: &Store, cfg: &Config, a: &BenchEorderArgs) -> anyhow::Result<ExitCode> {
    let today = Clock::System.today();
    eprintln!(
        "bench eorder: {} backend, {} demo members and {} listed products (seed {SEED})",
        store.backend().name(),
        a.members,
        a.products
    );
    super::demo::run(store, a.members, Some(SEED)).await?;
    super::bench_catalogue::load(store, a.products, true).await?;
    let products = catalogue(store, today).await?;
    let officers = buyers(store, a.concurrency, today).await?;
    store.analyze().await?;

    let placed = placement(store, cfg, a, &officers, &products, today).await?;
    if a.orders > 0 {
        history(store, a.orders, &products, today).await?;
        store.analyze().await?;
        store.checkpoint().await?;
        statistics(store, a.iterations, today).await?;
    }
    Ok(if placed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Every listed product, as a buyer finds it.
async fn catalogue(store: &Store, today: NaiveDate) -> anyhow::Result<Vec<CatalogueItem>> {
    let mut all = Vec::new();
    loop {
        let page = store
            .catalogue(
                &CatalogueQuery {
                    limit: 1000,
                    offset: all.len() as i64,
                    ..CatalogueQuery::default()
                },
                today,
            )
            .await?;
        let n = page.items.len();
        all.extend(page.items);
        if n == 0 || all.len() as i64 >= page.total {
            break;
        }
    }
    anyhow::ensure!(!all.is_empty(), "no product is listed");
    Ok(all)
}

/// `n` buying units, each with a PA/KPA, a PPK and a procurement officer, and a package of
/// this year assigned down to the officer. Returns each officer's API token and package.
async fn buyers(store: &Store, n: usize, today: NaiveDate) -> anyhow::Result<Vec<(String, i64)>> {
    let admin = super::cli_actor();
    let policy = jakpreneur_store::AccountPolicy::default();
    let mut out = Vec::new();
    for i in 0..n {
        let code = format!("BENCH-{i:03}");
        unit(store, &code).await?;
        let mut seats = Vec::new();
        for role in ["pa_kpa", "ppk", "procurement_officer"] {
            let u = store
                .create_user(
                    &admin,
                    &NewUser {
                        username: format!("{role}.{i}").replace('_', "-"),
                        role: "buyer".into(),
                        region: None,
                        member_no: None,
                        nik: None,
                        agency: None,
                        partner: None,
                        unit: Some(code.clone()),
                        buyer_role: Some(role.into()),
                        password: jakpreneur_store::crypto::random_token(""),
                    },
                    &policy,
                )
                .await?;
            seats.push(Actor::for_account(
                u.id,
                &u.username,
                Role::Buyer,
                None,
                None,
                None,
            ));
        }
        let p = package(store, &code, today.year()).await?;
        store.assign_package(&seats[0], p, &seats[1].name).await?;
        store.assign_package(&seats[1], p, &seats[2].name).await?;
        let (_, token) = store.create_token(&admin, &seats[2].name, "bench").await?;
        out.push((token, p));
    }
    Ok(out)
}

async fn unit(store: &Store, code: &str) -> anyhow::Result<()> {
    let u = NewUnit::parse(&UnitDraft {
        code: Some(code.into()),
        name: Some(format!("Unit uji beban {code}")),
        kind: Some("opd".into()),
        parent: None,
        region: Some("31".into()),
        address: Some("Jl. Medan Merdeka Selatan 8-9".into()),
        bank: Some("Bank DKI".into()),
        account_no: Some("1010000001".into()),
    })
    .map_err(|e| anyhow!("bench unit: {e}"))?;
    store.create_unit(&super::cli_actor(), &u).await?;
    Ok(())
}

/// A package of the unit with a ceiling no benchmark reaches.
async fn package(store: &Store, unit: &str, year: i32) -> anyhow::Result<i64> {
    let p = NewPackage::parse(&PackageDraft {
        unit: Some(unit.into()),
        name: Some(format!("Belanja uji beban {year}")),
        budget_code: Some(format!("BENCH-{unit}-{year}")),
        ceiling: Some("9000000000000".into()),
        fiscal_year: Some(year.to_string()),
    })
    .map_err(|e| anyhow!("bench package: {e}"))?;
    Ok(store.create_package(&super::cli_actor(), &p).await?.id)
}

/// Order placement through the API; true if every order was placed.
async fn placement(
    store: &Store,
    cfg: &Config,
    a: &BenchEorderArgs,
    officers: &[(String, i64)],
    products: &[CatalogueItem],
    today: NaiveDate,
) -> anyhow::Result<bool> {
    let server = super::bench::Server::start(store, today, cfg.security.web_settings()).await?;
    let base = server.base.clone();
    let warmup = usize::try_from(a.warmup)?;
    let requests = usize::try_from(a.requests)?;
    let mut g = DemoProducts::new(SEED);
    let needed_on = (today + Days::days(30)).to_string();
    // One or two products of one supplier (a supplier's products lie next to each other
    // when sorted), at their minimum order or a few more.
    let mut by_supplier = products.to_vec();
    by_supplier.sort_by(|x, y| x.member_no.cmp(&y.member_no).then(x.id.cmp(&y.id)));
    let bodies: Vec<String> = (0..warmup + requests)
        .map(|i| {
            let k = g.between(0, by_supplier.len() as i64 - 1) as usize;
            let first = &by_supplier[k];
            let mut lines = vec![serde_json::json!({
                "product_id": first.id,
                "quantity": first.min_order + g.between(0, 20),
            })];
            if let Some(next) = by_supplier.get(k + 1)
                && next.member_no == first.member_no
                && g.chance(0.5)
            {
                lines.push(serde_json::json!({
                    "product_id": next.id, "quantity": next.min_order + g.between(0, 20),
                }));
            }
            serde_json::json!({
                "package_id": officers[i % officers.len()].1,
                "lines": lines,
                "delivery_address": "Balai Kota, Jl. Medan Merdeka Selatan 8-9",
                "needed_on": needed_on,
            })
            .to_string()
        })
        .collect();
    eprintln!(
        "placing {warmup} warm-up + {requests} timed orders from {} clients, in-process server at {base}",
        a.concurrency
    );
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(a.concurrency)
        .build()?;
    let url = format!("{base}/api/v1/orders");
    let auths: Vec<String> = officers
        .iter()
        .map(|(t, _)| format!("Bearer {t}"))
        .collect();
    let request = |from: usize| {
        let (url, auths, bodies) = (url.clone(), auths.clone(), bodies.clone());
        move |c: &reqwest::Client, i: usize| {
            let i = from + i;
            c.post(&url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .header(reqwest::header::AUTHORIZATION, &auths[i % auths.len()])
                .header("Idempotency-Key", format!("bench-{i}"))
                .body(bodies[i].clone())
        }
    };
    let created = |r: &reqwest::Response| r.status() == reqwest::StatusCode::CREATED;
    let w = super::bench::drive(&client, warmup, a.concurrency, request(0), created).await?;
    anyhow::ensure!(w.failures == 0, "{} warm-up orders failed", w.failures);
    let o = super::bench::drive(&client, requests, a.concurrency, request(warmup), created).await?;
    server.stop().await;
    let rate = o.latencies.len() as f64 / o.elapsed.as_secs_f64();
    println!("backend        {}", store.backend().name());
    println!(
        "orders         {} timed, {} failed",
        o.latencies.len(),
        o.failures
    );
    println!("concurrency    {}", a.concurrency);
    println!("elapsed        {:.2} s", o.elapsed.as_secs_f64());
    println!("throughput     {rate:.0} orders/s");
    super::bench::print_latency(&o);
    if store.backend() == Backend::Sqlite {
        let met = rate >= 1000.0 && percentile(&o.latencies, 99.0) < Duration::from_millis(50);
        println!(
            "target         SQLite >= 1000 orders/s with p99 < 50 ms: {}",
            if met { "met" } else { "NOT met" }
        );
    }
    Ok(o.failures == 0)
}

/// `orders` paid orders of the past year for 200 units, through the bulk path: each unit
/// buys mostly from its own regular suppliers, as units do.
async fn history(
    store: &Store,
    orders: u64,
    products: &[CatalogueItem],
    today: NaiveDate,
) -> anyhow::Result<()> {
    let actor = super::cli_actor();
    let mut packages = Vec::new();
    for i in 0..HISTORY_UNITS {
        let code = format!("HIST-{i:03}");
        unit(store, &code).await?;
        packages.push((
            code.clone(),
            package(store, &code, today.year() - 1).await?,
            package(store, &code, today.year()).await?,
        ));
    }
    let member_ids = member_ids(store).await?;
    let mut by_member: std::collections::BTreeMap<&str, Vec<&CatalogueItem>> =
        std::collections::BTreeMap::new();
    for p in products {
        by_member.entry(&p.member_no).or_default().push(p);
    }
    let suppliers: Vec<Vec<&CatalogueItem>> = by_member.into_values().collect();
    eprintln!("loading {orders} paid orders of the past year for {HISTORY_UNITS} units…");
    let t = Instant::now();
    let bar = indicatif::ProgressBar::new(orders);
    let mut g = DemoProducts::new(SEED + 1);
    let mut rows = Vec::with_capacity(5_000);
    for k in 0..orders {
        // Units buy unevenly: a few large departments place most orders.
        let u = g.between(0, 99) as usize;
        let u = u * u * HISTORY_UNITS / 10_000;
        let (code, last_year, this_year) = &packages[u];
        // Each unit buys mostly from its own 30 regular suppliers (the caterers near the
        // office, most often the first), one order in ten from anyone in the catalogue.
        let p = if g.chance(0.9) {
            let j = g.between(0, 29) as usize;
            let supplier = (u * 7_919 + j * j / 30 * 104_729) % suppliers.len();
            let own = &suppliers[supplier];
            own[g.between(0, own.len() as i64 - 1) as usize]
        } else {
            &products[g.between(0, products.len() as i64 - 1) as usize]
        };
        let ordered_on = today - Days::days(g.between(56, 364));
        let paid_on =
            ordered_on + Days::days(g.between(5, 14) + g.between(0, 1) * g.between(0, 40));
        rows.push(PaidOrder {
            unit_code: code.clone(),
            package_id: if ordered_on.year() == today.year() {
                *this_year
            } else {
                *last_year
            },
            member_id: member_ids[&p.member_no],
            ordered_on,
            paid_on,
            lines: vec![PaidLine {
                product_id: p.id,
                name: p.name.clone(),
                category: p.category.clone(),
                unit: p.unit.clone(),
                price: p.price,
                quantity: p.min_order + g.between(0, 50),
                tkdn_percent: p.tkdn_percent,
            }],
        });
        if rows.len() == 5_000 || k + 1 == orders {
            let n = store
                .load_paid_orders(&actor, &rows)
                .await
                .context("loading paid orders")?;
            bar.inc(n);
            rows.clear();
        }
    }
    bar.finish();
    eprintln!("loaded in {:.1} s", t.elapsed().as_secs_f64());
    Ok(())
}

/// Each member's id by its member number.
async fn member_ids(store: &Store) -> anyhow::Result<std::collections::HashMap<String, i64>> {
    let mut out = std::collections::HashMap::new();
    let mut after = None;
    loop {
        let page = store
            .list_members(
                &super::cli_actor(),
                &jakpreneur_store::MemberFilter::default(),
                jakpreneur_store::Page { limit: 500, after },
            )
            .await?;
        out.extend(page.items.iter().map(|m| (m.member_no.clone(), m.id)));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    Ok(out)
}

/// The statistics' latency, each shape `iterations` times after 3 untimed runs: the
/// calendar year so far (whole months from the rollups) and the past 365 days (a partial
/// month at the start read from the orders).
async fn statistics(store: &Store, iterations: u32, today: NaiveDate) -> anyhow::Result<()> {
    let year_ago = today - Days::days(364);
    let month_ago = today - Days::days(30);
    let jan_1 = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(year_ago);
    let shapes: [(&str, NaiveDate, Option<EorderGroup>); 9] = [
        ("this year, totals", jan_1, None),
        ("this year, by unit", jan_1, Some(EorderGroup::Unit)),
        ("past year, totals", year_ago, None),
        ("past year, by unit", year_ago, Some(EorderGroup::Unit)),
        (
            "past year, by supplier",
            year_ago,
            Some(EorderGroup::Supplier),
        ),
        (
            "past year, by district",
            year_ago,
            Some(EorderGroup::District),
        ),
        ("past year, by month", year_ago, Some(EorderGroup::Month)),
        (
            "past year, by category",
            year_ago,
            Some(EorderGroup::Category),
        ),
        ("past 30 days, by unit", month_ago, Some(EorderGroup::Unit)),
    ];
    let paid = store
        .eorder_stats(year_ago, today, None)
        .await?
        .totals
        .orders;
    println!("paid orders in the past year: {paid}");
    let mut worst = Duration::ZERO;
    for (name, from, group) in shapes {
        let mut times = Vec::new();
        for i in 0..iterations + 3 {
            let t = Instant::now();
            let s = store.eorder_stats(from, today, group).await?;
            std::hint::black_box(s);
            if i >= 3 {
                times.push(t.elapsed());
            }
        }
        times.sort();
        let p95 = percentile(&times, 95.0);
        worst = worst.max(p95);
        println!(
            "{name:<26} p50 {:>8.2} ms   p95 {:>8.2} ms",
            ms(percentile(&times, 50.0)),
            ms(p95)
        );
    }
    println!(
        "target         p95 < 100 ms at {paid} paid orders: {}",
        if worst < Duration::from_millis(100) {
            "met"
        } else {
            "NOT met"
        }
    );
    Ok(())
}
