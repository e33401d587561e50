//! Benchmarks, each on a fresh database: a temporary SQLite file, or a scratch database on
//! the PostgreSQL server given with `--db`, dropped afterwards.
//!
//! - `bench register`: registrations per second and latency percentiles through the HTTP
//!   API, with concurrent clients against a warm in-process server.
//! - `bench login`: browser logins per second (`POST /login`) through the same router,
//!   with the production argon2id cost.
//! - `bench events`: services recorded per second through the ledger API, at 100,000
//!   demo members, each in its own transaction with the first-reach row, the daily
//!   counters and the audit entry.
//! - `bench scope`: the cost of the region-scope filter on the member list, at 100,000
//!   demo members, for an administrator, a city officer, a district officer and a member.

use std::collections::HashSet;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use jakpreneur_core::demo::DemoGenerator;
use jakpreneur_core::{Actor, Clock};
use jakpreneur_store::scratch;
use jakpreneur_store::{
    Backend, ConnectOptions, MemberFilter, NewUser, Page, Store, crypto::random_token,
};
use jakpreneur_web::{AppState, SecuritySettings, build_router};

use crate::cli::{BenchEventsArgs, BenchLoginArgs, BenchRegisterArgs};
use crate::config::Config;

/// Where a benchmark's throw-away database lives, to remove it afterwards.
pub(crate) enum Scratch {
    Sqlite { dir: PathBuf },
    Postgres { server: String, name: String },
}

impl Scratch {
    /// Creates a fresh database, migrates it and attaches a new data key. The database is
    /// removed again if any step fails.
    pub(crate) async fn open(
        cfg: &Config,
        db_given: bool,
        max_connections: u32,
    ) -> anyhow::Result<(Self, Store)> {
        let server = cfg.database.url.expose();
        let (place, url) = if db_given && server.starts_with("postgres") {
            let name = scratch::unique_name("jakpreneur_bench");
            let url = scratch::create_pg_database(server, &name)
                .await
                .context("creating a scratch database")?;
            (
                Scratch::Postgres {
                    server: server.to_owned(),
                    name,
                },
                url,
            )
        } else {
            let dir = std::env::temp_dir().join(scratch::unique_name("jakpreneur_bench"));
            std::fs::create_dir_all(&dir)?;
            let url = dir.join("bench.db").display().to_string();
            (Scratch::Sqlite { dir }, url)
        };
        let opts = ConnectOptions {
            max_connections,
            ..Default::default()
        };
        let store = async {
            let store = Store::connect(&url, &opts).await?;
            store.migrate().await?;
            Ok::<_, anyhow::Error>(
                store
                    .attach_key(&jakpreneur_store::DataKey::generate())
                    .await?,
            )
        }
        .await;
        match store {
            Ok(store) => Ok((place, store)),
            Err(e) => {
                place.remove().await;
                Err(e)
            }
        }
    }

    /// Removes the database; a failure is reported, not fatal (the figures are printed).
    pub(crate) async fn remove(self) {
        match self {
            Scratch::Sqlite { dir } => {
                let _ = std::fs::remove_dir_all(&dir);
            }
            Scratch::Postgres { server, name } => {
                if let Err(e) = scratch::drop_pg_database(&server, &name).await {
                    eprintln!("warning: could not drop the scratch database {name}: {e}");
                }
            }
        }
    }
}

/// The router served in-process on a free loopback port.
pub(super) struct Server {
    pub(super) base: String,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    pub(super) async fn start(
        store: &Store,
        today: chrono::NaiveDate,
        security: SecuritySettings,
    ) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        store.spawn_folder(super::serve::FOLD_EVERY);
        let router = build_router(AppState::new(store.clone(), Clock::Fixed(today), security));
        let (stop, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(jakpreneur_web::serve(listener, router, async move {
            let _ = stop_rx.await;
        }));
        Ok(Self { base, stop, task })
    }

    pub(super) async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

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

pub(super) struct Outcome {
    pub(super) latencies: Vec<Duration>,
    pub(super) failures: usize,
    pub(super) elapsed: Duration,
}

/// Sends requests `0..count` from `concurrency` clients, each taking the next index as
/// soon as its previous request is answered. `make` builds request `i`; `ok` judges the
/// response (the body is read in full either way). Latency is measured per request.
pub(super) async fn drive<M>(
    client: &reqwest::Client,
    count: usize,
    concurrency: usize,
    make: M,
    ok: fn(&reqwest::Response) -> bool,
) -> anyhow::Result<Outcome>
where
    M: Fn(&reqwest::Client, usize) -> reqwest::RequestBuilder + Send + Sync + 'static,
{
    let make = Arc::new(make);
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let (client, next, make) = (client.clone(), next.clone(), make.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut failures = 0usize;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    break;
                }
                let t = Instant::now();
                let good = match make(&client, i).send().await {
                    Ok(r) => {
                        let good = ok(&r);
                        let _ = r.bytes().await;
                        good
                    }
                    Err(_) => false,
                };
                lat.push(t.elapsed());
                if !good {
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
    latencies.sort();
    Ok(Outcome {
        latencies,
        failures,
        elapsed: start.elapsed(),
    })
}

pub(super) fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub(super) fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub(super) fn print_latency(o: &Outcome) {
    println!(
        "latency        p50 {:.2} ms   p90 {:.2} ms   p99 {:.2} ms   max {:.2} ms",
        ms(percentile(&o.latencies, 50.0)),
        ms(percentile(&o.latencies, 90.0)),
        ms(percentile(&o.latencies, 99.0)),
        ms(o.latencies.last().copied().unwrap_or_default())
    );
}

pub async fn register(
    cfg: &Config,
    db_given: bool,
    a: BenchRegisterArgs,
) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(a.concurrency >= 1, "--concurrency must be at least 1");
    anyhow::ensure!(a.requests >= 1, "--requests must be at least 1");
    let max_connections = cfg
        .database
        .max_connections
        .max(a.concurrency as u32)
        .min(64);
    let (place, store) = Scratch::open(cfg, db_given, max_connections).await?;
    let result = register_on(&store, cfg, &a).await;
    store.close().await;
    place.remove().await;
    let (backend, o, stored) = result?;

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
    print_latency(&o);
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

async fn register_on(
    store: &Store,
    cfg: &Config,
    a: &BenchRegisterArgs,
) -> anyhow::Result<(Backend, Outcome, i64)> {
    let token = super::bench_token(store).await?;
    let backend = store.backend();
    let today = Clock::System.today();
    let server = Server::start(store, today, cfg.security.web_settings()).await?;
    let base = server.base.clone();

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
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(a.concurrency)
        .build()?;
    let url = format!("{base}/api/v1/members");
    let auth = format!("Bearer {token}");
    let request = |bodies: Vec<String>| {
        let (url, auth) = (url.clone(), auth.clone());
        move |c: &reqwest::Client, i: usize| {
            c.post(&url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .header(reqwest::header::AUTHORIZATION, &auth)
                .body(bodies[i].clone())
        }
    };
    let created = |r: &reqwest::Response| r.status() == reqwest::StatusCode::CREATED;
    let w = drive(
        &client,
        warm.len(),
        a.concurrency,
        request(warm.to_vec()),
        created,
    )
    .await?;
    anyhow::ensure!(
        w.failures == 0,
        "{} warm-up registrations failed",
        w.failures
    );
    let o = drive(
        &client,
        timed.len(),
        a.concurrency,
        request(timed.to_vec()),
        created,
    )
    .await?;
    let stored = store.count_members().await?;
    server.stop().await;
    Ok((backend, o, stored))
}

/// Accounts the login benchmark signs in to, in turn.
const LOGIN_ACCOUNTS: usize = 16;

pub async fn login(cfg: &Config, db_given: bool, a: BenchLoginArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(a.concurrency >= 1, "--concurrency must be at least 1");
    anyhow::ensure!(a.requests >= 1, "--requests must be at least 1");
    let max_connections = cfg
        .database
        .max_connections
        .max(a.concurrency as u32)
        .min(64);
    let (place, store) = Scratch::open(cfg, db_given, max_connections).await?;
    let backend = store.backend();
    let result = login_on(&store, cfg, &a).await;
    store.close().await;
    place.remove().await;
    let o = result?;

    let policy = cfg.security.account_policy();
    let rate = o.latencies.len() as f64 / o.elapsed.as_secs_f64();
    println!("backend        {}", backend.name());
    println!(
        "logins         {} timed, {} failed ({} accounts, POST /login with a double-submit CSRF pair; success = 303 + jp_session cookie)",
        o.latencies.len(),
        o.failures,
        LOGIN_ACCOUNTS
    );
    println!(
        "argon2id       m = {} KiB ({} MiB), t = {}, p = {} (from the configuration), verified on tokio's blocking pool",
        policy.argon2_memory_kib,
        policy.argon2_memory_kib / 1024,
        policy.argon2_iterations,
        policy.argon2_parallelism
    );
    println!("rate limits    lifted for the measurement (all requests come from 127.0.0.1)");
    println!("concurrency    {}", a.concurrency);
    println!(
        "cpus           {}",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!("elapsed        {:.2} s", o.elapsed.as_secs_f64());
    println!("throughput     {rate:.1} logins/s");
    print_latency(&o);
    Ok(if o.failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The login form's CSRF token, as a browser gets it: `GET /login` sets the `jp_csrf`
/// cookie and puts the same value in the form's hidden `csrf` field.
async fn login_csrf(client: &reqwest::Client, base: &str) -> anyhow::Result<String> {
    let res = client
        .get(format!("{base}/login"))
        .send()
        .await
        .context("GET /login")?;
    anyhow::ensure!(
        res.status() == reqwest::StatusCode::OK,
        "GET /login answered {}",
        res.status()
    );
    let cookie = res
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("jp_csrf="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
        .context("GET /login set no jp_csrf cookie")?;
    let page = res.text().await?;
    let field = page
        .split_once(r#"name="csrf" value=""#)
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(v, _)| v.to_owned())
        .context("the login form has no csrf field")?;
    anyhow::ensure!(
        field == cookie && cookie.len() == 64,
        "the login form's csrf field does not match its jp_csrf cookie"
    );
    Ok(cookie)
}

async fn login_on(store: &Store, cfg: &Config, a: &BenchLoginArgs) -> anyhow::Result<Outcome> {
    let policy = cfg.security.account_policy();
    let mut accounts = Vec::with_capacity(LOGIN_ACCOUNTS);
    for i in 0..LOGIN_ACCOUNTS {
        let username = format!("bench-officer-{i:02}");
        let password = random_token("");
        store
            .create_user(
                &super::cli_actor(),
                &NewUser {
                    username: username.clone(),
                    role: "city_officer".into(),
                    region: Some("31.71".into()),
                    member_no: None,
                    nik: None,
                    agency: None,
                    partner: None,
                    unit: None,
                    buyer_role: None,
                    password: password.clone(),
                },
                &policy,
            )
            .await
            .with_context(|| format!("creating the account {username}"))?;
        accounts.push((username, password));
    }
    // The default limit (10 logins a minute per address) would stop a benchmark that
    // logs in from one address within seconds.
    let security = SecuritySettings {
        accounts: policy,
        limits: jakpreneur_web::security::RateLimits::new(1_000_000, 1_000_000),
        secure_cookies: false,
        public_stats_min_count: 5,
    };
    let today = Clock::System.today();
    let server = Server::start(store, today, security).await?;
    let base = server.base.clone();
    let result = async {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(a.concurrency)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let csrf = login_csrf(&client, &base).await?;
        eprintln!(
            "bench login: {} backend, {} accounts, {} warm-up + {} timed logins, {} concurrent clients, in-process server at {base}; rate limits lifted",
            store.backend().name(),
            LOGIN_ACCOUNTS,
            a.warmup,
            a.requests,
            a.concurrency
        );
        let url = format!("{base}/login");
        let cookie = format!("jp_csrf={csrf}");
        let bodies: Arc<Vec<String>> = Arc::new(
            accounts
                .iter()
                .map(|(u, p)| format!("username={u}&password={p}&csrf={csrf}&next=%2F"))
                .collect(),
        );
        let request = move |c: &reqwest::Client, i: usize| {
            c.post(&url)
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .header(reqwest::header::COOKIE, &cookie)
                .body(bodies[i % bodies.len()].clone())
        };
        let signed_in = |r: &reqwest::Response| {
            r.status() == reqwest::StatusCode::SEE_OTHER
                && r
                    .headers()
                    .get_all(reqwest::header::SET_COOKIE)
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .any(|v| v.starts_with("jp_session=") && !v.starts_with("jp_session=;"))
        };
        let warmup = usize::try_from(a.warmup)?;
        let requests = usize::try_from(a.requests)?;
        if warmup > 0 {
            let w = drive(&client, warmup, a.concurrency, request.clone(), signed_in).await?;
            anyhow::ensure!(w.failures == 0, "{} warm-up logins failed", w.failures);
        }
        drive(&client, requests, a.concurrency, request, signed_in).await
    }
    .await;
    server.stop().await;
    result
}

pub async fn events(cfg: &Config, db_given: bool, a: BenchEventsArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(a.concurrency >= 1, "--concurrency must be at least 1");
    anyhow::ensure!(a.requests >= 1, "--requests must be at least 1");
    anyhow::ensure!(a.members >= 100, "--members must be at least 100");
    let max_connections = cfg
        .database
        .max_connections
        .max(a.concurrency as u32)
        .min(64);
    let (place, store) = Scratch::open(cfg, db_given, max_connections).await?;
    let result = events_on(&store, cfg, &a).await;
    store.close().await;
    place.remove().await;
    let (backend, o) = result?;
    let rate = o.latencies.len() as f64 / o.elapsed.as_secs_f64();
    println!("backend        {}", backend.name());
    println!("members        {}", a.members);
    println!(
        "events         {} timed, {} failed",
        o.latencies.len(),
        o.failures
    );
    println!("concurrency    {}", a.concurrency);
    println!("elapsed        {:.2} s", o.elapsed.as_secs_f64());
    println!("throughput     {rate:.0} events/s");
    print_latency(&o);
    Ok(if o.failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

async fn events_on(
    store: &Store,
    cfg: &Config,
    a: &BenchEventsArgs,
) -> anyhow::Result<(Backend, Outcome)> {
    eprintln!(
        "bench events: filling the database with {} demo members…",
        a.members
    );
    super::demo::run(store, a.members, Some(4242)).await?;
    // Targets spread over the whole registry: every member number, in pages.
    let admin = Actor::system("bench");
    let mut numbers = Vec::new();
    let mut after = None;
    loop {
        let p = store
            .list_members(&admin, &MemberFilter::default(), Page { limit: 500, after })
            .await?;
        numbers.extend(p.items.into_iter().map(|m| m.member_no));
        match p.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    let token = super::bench_token(store).await?;
    let backend = store.backend();
    let today = Clock::System.today();
    let server = Server::start(store, today, cfg.security.web_settings()).await?;
    let base = server.base.clone();
    let kinds = [
        "bazaar",
        "exhibition",
        "training_completed",
        "mentoring_session",
        "permit_issued",
    ];
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(a.concurrency)
        .build()?;
    let numbers = Arc::new(numbers);
    let auth = format!("Bearer {token}");
    let request = |offset: usize| {
        let (numbers, auth, base) = (numbers.clone(), auth.clone(), base.clone());
        move |c: &reqwest::Client, i: usize| {
            // A stride through the registry, so consecutive events hit different members.
            let k = (offset + i) * 7919;
            let no = &numbers[k % numbers.len()];
            c.post(format!("{base}/api/v1/members/{no}/events"))
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .header(reqwest::header::AUTHORIZATION, &auth)
                .body(format!(
                    "{{\"kind\":\"{}\",\"occurred_on\":\"{today}\"}}",
                    kinds[(offset + i) % kinds.len()]
                ))
        }
    };
    let created = |r: &reqwest::Response| r.status() == reqwest::StatusCode::CREATED;
    let warmup = usize::try_from(a.warmup)?;
    let requests = usize::try_from(a.requests)?;
    eprintln!(
        "bench events: {} backend, {} warm-up + {} timed events, {} concurrent clients, in-process server at {base}",
        backend.name(),
        warmup,
        requests,
        a.concurrency
    );
    let w = drive(&client, warmup, a.concurrency, request(0), created).await?;
    anyhow::ensure!(w.failures == 0, "{} warm-up events failed", w.failures);
    let o = drive(&client, requests, a.concurrency, request(warmup), created).await?;
    server.stop().await;
    Ok((backend, o))
}
