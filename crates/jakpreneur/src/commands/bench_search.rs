//! `jakpreneur bench search`: what finding a member costs, as the members page and the
//! header's search box do it, at 1,000,000 demo members (or on an existing database with
//! `--existing`). Each search is timed as the page runs it: the first page of 50 and the
//! count of matches (capped like the page's) side by side; a NIK is the keyed-hash lookup
//! the header's box makes, audit entry included.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use jakpreneur_core::{Actor, Nik, Role};
use jakpreneur_store::{MemberFilter, Page, Store};

use super::bench::{Scratch, ms, percentile};
use crate::cli::BenchSearchArgs;
use crate::config::Config;

/// The demo generator's seed for `bench search`, fixed so runs compare.
const SEED: u64 = 20_261_203;

/// The members page's count stops here (the page then says "100.000+").
const COUNT_CAP: i64 = 100_000;

/// One search of the bench.
enum Search {
    /// The members list filtered by `q`, as `/members?q=` runs it.
    List(String),
    /// The header's NIK lookup.
    Nik(Nik),
}

pub async fn run(cfg: &Config, db_given: bool, a: BenchSearchArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(a.iterations >= 1, "--iterations must be at least 1");
    if a.existing {
        anyhow::ensure!(db_given, "--existing measures the database given with --db");
        let store = super::open(cfg, false).await?;
        let r = measure(&store, &a, None).await;
        store.close().await;
        r?;
        return Ok(ExitCode::SUCCESS);
    }
    anyhow::ensure!(a.members >= 100, "--members must be at least 100");
    let (place, store) = Scratch::open(cfg, db_given, cfg.database.max_connections).await?;
    let r = async {
        eprintln!(
            "bench search: filling a fresh database with {} demo members (seed {SEED})",
            a.members
        );
        let t = Instant::now();
        super::demo::run(&store, a.members, Some(SEED)).await?;
        measure(&store, &a, Some(t.elapsed())).await
    }
    .await;
    store.close().await;
    place.remove().await;
    r?;
    Ok(ExitCode::SUCCESS)
}

/// Times one search for one actor: the rows of the first page and the count it shows.
async fn once(store: &Store, actor: &Actor, s: &Search) -> anyhow::Result<(Duration, i64)> {
    let t = Instant::now();
    let found = match s {
        Search::List(q) => {
            let filter = MemberFilter {
                q: Some(q.clone()),
                ..Default::default()
            };
            let page = Page {
                limit: 50,
                after: None,
            };
            let (listed, counted) = tokio::join!(
                store.list_members(actor, &filter, page),
                store.count_members_matching(actor, &filter, COUNT_CAP)
            );
            listed?;
            counted?
        }
        Search::Nik(nik) => i64::from(store.find_member_by_nik(actor, nik).await?.is_some()),
    };
    Ok((t.elapsed(), found))
}

async fn measure(store: &Store, a: &BenchSearchArgs, fill: Option<Duration>) -> anyhow::Result<()> {
    let admin = Actor::system("bench");
    let total = store.count_members().await?;
    // The member searched for: one half-way down the register, as the admin sees it.
    let middle = store.max_member_id().await? / 2;
    let page = store
        .list_members(
            &admin,
            &MemberFilter::default(),
            Page {
                limit: 1,
                after: Some(middle),
            },
        )
        .await?;
    let sample = page.items.first().context("the database has no members")?;
    let sample = store.get_member(&admin, &sample.member_no, true).await?;
    let personal = sample
        .personal
        .as_ref()
        .context("the sampled member has been erased; run again on another database")?;
    let nik = Nik::parse(&personal.nik).context("the sampled member's NIK")?;
    let family = personal
        .full_name
        .rsplit(' ')
        .next()
        .unwrap_or(&personal.full_name)
        .to_owned();
    // A phone written the way people read it out: 0812-3456-7890.
    let local = format!("0{}", personal.phone.trim_start_matches("+62"));
    let phone = match (local.get(..4), local.get(4..8), local.get(8..)) {
        (Some(a), Some(b), Some(c)) if !c.is_empty() => format!("{a}-{b}-{c}"),
        _ => local,
    };
    let searches = [
        ("member no", Search::List(sample.member_no.clone())),
        ("phone", Search::List(phone.clone())),
        ("nik", Search::Nik(nik)),
        ("full name", Search::List(personal.full_name.clone())),
        ("family name", Search::List(family.clone())),
        ("word warung", Search::List("warung".to_owned())),
        ("no match", Search::List("Zulkarnaen".to_owned())),
    ];
    let district = sample.district_code.clone();
    let actors = [
        ("admin (all)".to_owned(), admin.clone()),
        (
            format!("city officer {}", sample.city_code),
            Actor::for_account(
                1,
                "kota",
                Role::CityOfficer,
                Some(&sample.city_code),
                None,
                None,
            ),
        ),
        (
            format!("district officer {district}"),
            Actor::for_account(
                2,
                "kecamatan",
                Role::DistrictOfficer,
                Some(&district),
                None,
                None,
            ),
        ),
    ];

    println!("backend        {}", store.backend().name());
    match fill {
        Some(f) => println!(
            "members        {total} (demo generator, seed {SEED}; filled in {:.1} s)",
            f.as_secs_f64()
        ),
        None => println!("members        {total} (existing database)"),
    }
    println!(
        "method         Store::list_members (50 a page) and Store::count_members_matching (cap {COUNT_CAP}) side by side, as /members does;"
    );
    println!(
        "               a NIK through Store::find_member_by_nik (keyed hash, audited); {} warm-up + {} timed runs per cell, actors interleaved",
        a.warmup, a.iterations
    );
    println!(
        "searched       {} · phone {phone} · \"{}\" · \"{family}\" · \"warung\" · \"Zulkarnaen\"",
        sample.member_no, personal.full_name
    );
    println!();
    println!(
        "{:<12} {:<28} {:>7} {:>9} {:>9} {:>9}",
        "search", "actor", "found", "p50 ms", "p95 ms", "max ms"
    );
    let mut all = Vec::new();
    for (name, s) in &searches {
        let mut times: Vec<Vec<Duration>> =
            vec![Vec::with_capacity(a.iterations as usize); actors.len()];
        let mut found = vec![0i64; actors.len()];
        for round in 0..(a.warmup + a.iterations) {
            for (i, (_, actor)) in actors.iter().enumerate() {
                let (took, n) = once(store, actor, s).await?;
                found[i] = n;
                if round >= a.warmup {
                    times[i].push(took);
                }
            }
        }
        for (i, (who, _)) in actors.iter().enumerate() {
            let t = &mut times[i];
            t.sort();
            all.extend_from_slice(t);
            let shown = if found[i] > COUNT_CAP {
                format!("{COUNT_CAP}+")
            } else {
                found[i].to_string()
            };
            println!(
                "{:<12} {:<28} {:>7} {:>9.3} {:>9.3} {:>9.3}",
                name,
                who,
                shown,
                ms(percentile(t, 50.0)),
                ms(percentile(t, 95.0)),
                ms(*t.last().unwrap_or(&Duration::ZERO))
            );
        }
    }
    all.sort();
    println!(
        "{:<12} {:<28} {:>7} {:>9.3} {:>9.3} {:>9.3}",
        "all",
        "",
        "",
        ms(percentile(&all, 50.0)),
        ms(percentile(&all, 95.0)),
        ms(*all.last().unwrap_or(&Duration::ZERO))
    );
    Ok(())
}
