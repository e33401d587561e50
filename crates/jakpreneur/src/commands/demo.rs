//! `jakpreneur demo`: realistic members spread over Jakarta's villages, with a progress bar.

use anyhow::Context;
use chrono::Utc;
use indicatif::{ProgressBar, ProgressStyle};
use jakpreneur_core::NewMember;
use jakpreneur_core::demo::DemoGenerator;
use jakpreneur_store::Store;

const CHUNK: usize = 1_000;

pub async fn run(store: &Store, members: u64, seed: Option<u64>) -> anyhow::Result<()> {
    let today = jakpreneur_core::Clock::System.today();
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
    let first_id = store.max_member_id().await?;
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
    let services = add_services(store, &mut generator, first_id, added).await?;
    add_targets(store, today).await?;
    store
        .analyze()
        .await
        .context("refreshing planner statistics")?;
    store.checkpoint().await.context("checkpointing the log")?;
    eprintln!("Added {added} demo members and {services} services.");
    Ok(())
}

/// Services for the members just added, shaped like the October 2021 release, loaded in
/// bulk; the first reaches and statistics are recounted from them at the end.
async fn add_services(
    store: &Store,
    generator: &mut DemoGenerator,
    after_id: i64,
    members: u64,
) -> anyhow::Result<u64> {
    use jakpreneur_core::programme::{JAKPRENEUR, programmes};
    let actor = super::cli_actor();
    let bar = ProgressBar::new(members);
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:40} {pos}/{len} members' services ({per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut last = after_id;
    let mut total = 0u64;
    loop {
        let chunk = store.member_dates_after(&actor, last, 5_000).await?;
        let Some((id, _)) = chunk.last() else {
            break;
        };
        last = *id;
        let mut rows = Vec::new();
        for (member_id, registered_on) in &chunk {
            for s in generator.services(*registered_on) {
                let kind = programmes()
                    .kind(JAKPRENEUR, s.kind)
                    .context("a demo service of an unknown kind")?;
                rows.push(jakpreneur_store::ImportedEvent {
                    member_id: *member_id,
                    stage: kind.stage.clone(),
                    kind: s.kind.to_owned(),
                    qualifying: kind.qualifying,
                    occurred_on: s.on,
                    agency: s.agency.to_owned(),
                });
            }
        }
        store
            .import_events(&actor, &rows)
            .await
            .context("storing demo services")?;
        total += rows.len() as u64;
        bar.inc(chunk.len() as u64);
    }
    bar.finish();
    eprintln!("Recounting first reaches and statistics…");
    store
        .finish_import(&actor)
        .await
        .context("recounting the statistics")?;
    Ok(total)
}

/// The published targets, once: the RPJMD's 200,000 new entrepreneurs by the end of
/// 2022, and a capital target for the year so the pace shows.
async fn add_targets(store: &Store, today: chrono::NaiveDate) -> anyhow::Result<()> {
    use jakpreneur_core::targets::{NewTarget, TargetDraft};
    let actor = super::cli_actor();
    if !store.list_targets(&actor, today).await?.is_empty() {
        return Ok(());
    }
    let year = chrono::Datelike::year(&today);
    for d in [
        TargetDraft {
            indicator: Some("registered_members".into()),
            value: Some(200_000),
            deadline: Some("2022-12-31".into()),
            source: Some("RPJMD 2017–2022".into()),
            ..Default::default()
        },
        TargetDraft {
            indicator: Some("first_reached_p7".into()),
            value: Some(500),
            from: Some(format!("{year}-01-01")),
            deadline: Some(format!("{year}-12-31")),
            source: Some(format!("Rencana kerja {year} (demo)")),
            ..Default::default()
        },
    ] {
        let t = NewTarget::parse(&d).map_err(|e| anyhow::anyhow!("demo target: {e}"))?;
        store.create_target(&actor, &t).await?;
    }
    Ok(())
}
