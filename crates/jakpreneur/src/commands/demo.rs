//! `jakpreneur demo`: realistic members spread over Jakarta's villages, with a progress bar.

use anyhow::Context;
use chrono::Utc;
use indicatif::{ProgressBar, ProgressStyle};
use jakpreneur_core::NewMember;
use jakpreneur_core::demo::DemoGenerator;
use jakpreneur_store::Store;

const CHUNK: usize = 1_000;

pub async fn run(store: &Store, members: u64, seed: Option<u64>) -> anyhow::Result<()> {
    let today = jakpreneur_web::Clock::System.today();
    let seed = match seed {
        Some(s) => s,
        None => store.count_members().await?.unsigned_abs() ^ Utc::now().timestamp().unsigned_abs(),
    };
    let mut generator = DemoGenerator::new(seed, today);
    let bar = ProgressBar::new(members);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} members ({per_sec}, {eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut added: u64 = 0;
    let mut attempts: u64 = 0;
    while added < members {
        let want = usize::try_from(members - added).unwrap_or(CHUNK).min(CHUNK);
        let batch: Vec<NewMember> = (0..want)
            .map(|_| NewMember::parse(&generator.draft(), today))
            .collect::<Result<_, _>>()
            .context("the demo generator produced an invalid member")?;
        let n = store
            .register_members_bulk(&super::cli_actor(), &batch)
            .await
            .context("storing demo members")? as u64;
        added += n;
        attempts += want as u64;
        bar.inc(n);
        // NIKs are random; a few may already be taken. Stop if nearly all are.
        anyhow::ensure!(
            attempts < members * 2 + 10_000,
            "could not find free NIKs for demo members"
        );
    }
    bar.finish();
    store
        .analyze()
        .await
        .context("refreshing planner statistics")?;
    store.checkpoint().await.context("checkpointing the log")?;
    eprintln!("Added {added} demo members.");
    Ok(())
}
