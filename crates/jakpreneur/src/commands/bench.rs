//! `jakpreneur bench register`: registrations per second and latency percentiles through
//! the HTTP API, with concurrent clients against a warm in-process server on a fresh
//! database (a temporary SQLite file, or a scratch database on the PostgreSQL server given
//! with `--db`, dropped afterwards).

use std::collections::HashSet;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use jakpreneur_core::demo::DemoGenerator;
use jakpreneur_store::scratch;
use jakpreneur_store::{Backend, ConnectOptions, Store};
use jakpreneur_web::{AppState, Clock, build_router};

use crate::cli::BenchRegisterArgs;
use crate::config::Config;

/// Distinct valid registrations (the generator's NIKs are random; repeats are dropped).
fn payloads(n: usize, today: chrono::NaiveDate) -> serde_json::Result<Vec<String>> {
    let mut g = DemoGenerator::new(424_242, today);
    let mut seen = HashSet::with_capacity(n);
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let d = g.draft();
        if !seen.insert(d.nik.clone()) {
            continue;
        }
        out.push(serde_json::to_string(&d)?);
    }
    Ok(out)
}

struct Outcome {
    latencies: Vec<Duration>,
    failures: usize,
    elapsed: Duration,
}

async fn drive(
    base: &str,
    token: &str,
    bodies: Arc<Vec<String>>,
    concurrency: usize,
) -> anyhow::Result<Outcome> {
    let auth = format!("Bearer {token}");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()?;
    let next = Arc::new(AtomicUsize::new(0));
    let url = format!("{base}/api/v1/members");
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let (client, next, bodies, url, auth) = (
            client.clone(),
            next.clone(),
            bodies.clone(),
            url.clone(),
            auth.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut failures = 0usize;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(body) = bodies.get(i) else { break };
                let t = Instant::now();
                let res = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("authorization", &auth)
                    .body(body.clone())
                    .send()
                    .await;
                let ok = match res {
                    Ok(r) => {
                        let created = r.status() == reqwest::StatusCode::CREATED;
                        let _ = r.bytes().await;
                        created
                    }
                    Err(_) => false,
                };
                lat.push(t.elapsed());
                if !ok {
                    failures += 1;
                }
            }
            (lat, failures)
        }));
    }
    let mut latencies = Vec::new();
    let mut failures = 0;
    for t in tasks {
        let (l, f) = t.await.context("a client task failed")?;
        latencies.extend(l);
        failures += f;
    }
    Ok(Outcome {
        latencies,
        failures,
        elapsed: start.elapsed(),
    })
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub async fn register(
    cfg: &Config,
    db_given: bool,
    a: BenchRegisterArgs,
) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(a.concurrency >= 1, "--concurrency must be at least 1");
    anyhow::ensure!(a.requests >= 1, "--requests must be at least 1");
    let tmp = std::env::temp_dir().join(scratch::unique_name("jakpreneur_bench"));
    let postgres_server = db_given && cfg.database.url.expose().starts_with("postgres");
    let (url, pg_name) = if postgres_server {
        let name = scratch::unique_name("jakpreneur_bench");
        (
            scratch::create_pg_database(cfg.database.url.expose(), &name)
                .await
                .context("creating a scratch database")?,
            Some(name),
        )
    } else {
        std::fs::create_dir_all(&tmp)?;
        (tmp.join("bench.db").display().to_string(), None)
    };
    let opts = ConnectOptions {
        max_connections: cfg
            .database
            .max_connections
            .max(a.concurrency as u32)
            .min(64),
        ..Default::default()
    };
    let store = Store::connect(&url, &opts).await?;
    store.migrate().await?;
    let store = store
        .attach_key(&jakpreneur_store::DataKey::generate())
        .await?;
    let token = super::bench_token(&store).await?;
    let backend = store.backend();
    let today = Clock::System.today();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let router = build_router(AppState::new(
        store.clone(),
        Clock::Fixed(today),
        cfg.security.web_settings(),
    ));
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(jakpreneur_web::serve(listener, router, async move {
        let _ = stop_rx.await;
    }));

    let warmup = usize::try_from(a.warmup)?;
    let requests = usize::try_from(a.requests)?;
    let all = payloads(warmup + requests, today)?;
    let (warm, timed) = all.split_at(warmup);
    eprintln!(
        "bench register: {} backend, {} warm-up + {} timed registrations, {} concurrent clients, in-process server at {base}",
        backend.name(),
        warmup,
        requests,
        a.concurrency
    );
    let w = drive(&base, &token, Arc::new(warm.to_vec()), a.concurrency).await?;
    anyhow::ensure!(
        w.failures == 0,
        "{} warm-up registrations failed",
        w.failures
    );
    let mut o = drive(&base, &token, Arc::new(timed.to_vec()), a.concurrency).await?;
    o.latencies.sort();
    let stored = store.count_members().await?;

    let _ = stop_tx.send(());
    let _ = server.await;
    store.close().await;
    if let Some(name) = pg_name {
        scratch::drop_pg_database(cfg.database.url.expose(), &name).await?;
    } else {
        let _ = std::fs::remove_dir_all(&tmp);
    }

    let rate = o.latencies.len() as f64 / o.elapsed.as_secs_f64();
    println!("backend        {}", backend.name());
    println!(
        "registrations  {} timed, {} failed, {} stored in all",
        o.latencies.len(),
        o.failures,
        stored
    );
    println!("concurrency    {}", a.concurrency);
    println!("elapsed        {:.2} s", o.elapsed.as_secs_f64());
    println!("throughput     {rate:.0} registrations/s");
    println!(
        "latency        p50 {:.2} ms   p90 {:.2} ms   p99 {:.2} ms   max {:.2} ms",
        ms(percentile(&o.latencies, 50.0)),
        ms(percentile(&o.latencies, 90.0)),
        ms(percentile(&o.latencies, 99.0)),
        ms(o.latencies.last().copied().unwrap_or_default())
    );
    if backend == Backend::Sqlite {
        let met = rate >= 3000.0 && percentile(&o.latencies, 99.0) < Duration::from_millis(20);
        println!(
            "target         SQLite >= 3000 registrations/s with p99 < 20 ms: {}",
            if met { "met" } else { "NOT met" }
        );
    }
    Ok(if o.failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
