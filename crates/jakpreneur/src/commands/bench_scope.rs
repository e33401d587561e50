//! `bench scope`: the cost of the region-scope filter on the member list, at 100,000
//! demo members, for an administrator, a city officer, a district officer and a member.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use jakpreneur_core::{Actor, Role};
use jakpreneur_store::{MemberFilter, Page, Store};

use super::bench::{Scratch, ms, percentile};
use crate::cli::BenchScopeArgs;
use crate::config::Config;

/// The demo generator's seed for `bench scope`, fixed so runs compare.
const SCOPE_SEED: u64 = 20_261_123;

/// One member-list query of `bench scope`.
struct Query {
    name: &'static str,
    filter: MemberFilter,
    page: Page,
}

/// One actor of `bench scope`, with how many members its scope reaches.
struct Who {
    name: String,
    actor: Actor,
    reach: u64,
}

/// Members the actor's list reaches, counted by paging through it (500 a page).
async fn count_reach(store: &Store, actor: &Actor) -> anyhow::Result<u64> {
    let mut n = 0u64;
    let mut after = None;
    loop {
        let page = store
            .list_members(actor, &MemberFilter::default(), Page { limit: 500, after })
            .await?;
        n += page.items.len() as u64;
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(n),
        }
    }
}

pub async fn scope(cfg: &Config, db_given: bool, a: BenchScopeArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(a.members >= 100, "--members must be at least 100");
    anyhow::ensure!(a.iterations >= 1, "--iterations must be at least 1");
    let (place, store) = Scratch::open(cfg, db_given, cfg.database.max_connections).await?;
    let result = scope_on(&store, &a).await;
    store.close().await;
    place.remove().await;
    result?;
    Ok(ExitCode::SUCCESS)
}

async fn scope_on(store: &Store, a: &BenchScopeArgs) -> anyhow::Result<()> {
    let backend = store.backend();
    eprintln!(
        "bench scope: {} backend, filling a fresh database with {} demo members (seed {SCOPE_SEED})",
        backend.name(),
        a.members
    );
    let fill = Instant::now();
    super::demo::run(store, a.members, Some(SCOPE_SEED)).await?;
    let fill = fill.elapsed();
    let total = store.count_members().await?;

    let admin = Actor::system("bench");
    let top = store
        .list_members(
            &admin,
            &MemberFilter::default(),
            Page {
                limit: 50,
                after: None,
            },
        )
        .await?;
    let newest = top.items.first().context("no members were added")?;
    let middle = newest.id / 2;
    let member_no = top.items[top.items.len() / 2].member_no.clone();

    let actors = [
        ("admin (all)".to_owned(), admin),
        (
            "city officer 31.71".to_owned(),
            Actor::for_account(1, "kota", Role::CityOfficer, Some("31.71"), None, None),
        ),
        (
            "district officer 31.71.01".to_owned(),
            Actor::for_account(
                2,
                "kecamatan",
                Role::DistrictOfficer,
                Some("31.71.01"),
                None,
                None,
            ),
        ),
        (
            format!("member {member_no}"),
            Actor::for_account(3, "anggota", Role::Member, None, Some(&member_no), None),
        ),
    ];
    let mut whos = Vec::with_capacity(actors.len());
    for (name, actor) in actors {
        let reach = count_reach(store, &actor).await?;
        whos.push(Who { name, actor, reach });
    }
    // What decrypting one NIK costs, apart from the queries.
    let vault = jakpreneur_store::Vault::new(&jakpreneur_store::DataKey::generate());
    let sealed: Vec<Vec<u8>> = (0..20_000u64)
        .map(|i| vault.encrypt_nik(&format!("3171{i:012}")))
        .collect();
    let t = Instant::now();
    for s in &sealed {
        std::hint::black_box(vault.decrypt_nik(s)?);
    }
    let decrypt = t.elapsed() / sealed.len() as u32;
    let first = Page {
        limit: 50,
        after: None,
    };
    let queries = [
        Query {
            name: "first page",
            filter: MemberFilter::default(),
            page: first,
        },
        Query {
            name: "deep page",
            filter: MemberFilter::default(),
            page: Page {
                limit: 50,
                after: Some(middle),
            },
        },
        Query {
            name: "sector I",
            filter: MemberFilter {
                sector: Some("I".into()),
                ..Default::default()
            },
            page: first,
        },
        Query {
            name: "q warung",
            filter: MemberFilter {
                q: Some("warung".into()),
                ..Default::default()
            },
            page: first,
        },
    ];

    println!("backend        {}", backend.name());
    println!(
        "members        {total} (demo generator, seed {SCOPE_SEED}; filled in {:.1} s)",
        fill.as_secs_f64()
    );
    println!(
        "method         Store::list_members, 50 a page, one caller; {} warm-up + {} timed runs per cell, actors interleaved",
        a.warmup, a.iterations
    );
    println!(
        "               each returned row's NIK is decrypted (XChaCha20-Poly1305) to be masked: part of the time"
    );
    println!(
        "nik decrypt    {:.1} µs a row measured apart ({:.3} ms for a page of 50)",
        decrypt.as_secs_f64() * 1e6,
        ms(decrypt * 50)
    );
    println!("deep page      after id {middle} (about half-way down the list)");
    for w in &whos {
        println!(
            "scope          {:<26} reaches {} members ({:.1}%)",
            w.name,
            w.reach,
            100.0 * w.reach as f64 / total.max(1) as f64
        );
    }
    println!();
    println!(
        "{:<11} {:<26} {:>4} {:>9} {:>9} {:>22}",
        "query", "actor", "rows", "p50 ms", "p95 ms", "p50 vs admin"
    );
    for q in &queries {
        let mut times: Vec<Vec<Duration>> =
            vec![Vec::with_capacity(a.iterations as usize); whos.len()];
        let mut rows = vec![0usize; whos.len()];
        for round in 0..(a.warmup + a.iterations) {
            for (i, w) in whos.iter().enumerate() {
                let t = Instant::now();
                let page = store.list_members(&w.actor, &q.filter, q.page).await?;
                let took = t.elapsed();
                rows[i] = page.items.len();
                if round >= a.warmup {
                    times[i].push(took);
                }
            }
        }
        for t in &mut times {
            t.sort();
        }
        let admin_p50 = percentile(&times[0], 50.0);
        for (i, w) in whos.iter().enumerate() {
            let p50 = percentile(&times[i], 50.0);
            let vs = if i == 0 {
                "-".to_owned()
            } else {
                format!(
                    "{:+.3} ms ({:+.0}%)",
                    ms(p50) - ms(admin_p50),
                    100.0 * (p50.as_secs_f64() / admin_p50.as_secs_f64().max(1e-9) - 1.0)
                )
            };
            println!(
                "{:<11} {:<26} {:>4} {:>9.3} {:>9.3} {:>22}",
                q.name,
                w.name,
                rows[i],
                ms(p50),
                ms(percentile(&times[i], 95.0)),
                vs
            );
        }
    }
    Ok(())
}
