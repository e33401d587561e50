//! `jakpreneur restore BACKUP`: a backup made by `jakpreneur backup` put in place as the
//! database given by `--db`, then checked as an auditor would: the audit chain, and every
//! statistic against a recount from the raw records. The target must not exist (a restore
//! never overwrites a database); PostgreSQL is restored with `pg_restore`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};

use crate::config::Config;

pub async fn restore(cfg: &Config, from: &Path) -> anyhow::Result<ExitCode> {
    let url = cfg.database.url.expose();
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        bail!("a PostgreSQL database is restored with pg_restore (docs/operations.md)");
    }
    let target = Path::new(
        url.strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url),
    );
    if target.exists() {
        bail!(
            "{} exists already; a restore never overwrites a database: move it aside or give \
             another --db",
            target.display()
        );
    }
    let header = std::fs::read(from)
        .with_context(|| format!("reading {}", from.display()))?
        .get(..16)
        .map(<[u8]>::to_vec);
    if header.as_deref() != Some(b"SQLite format 3\0") {
        bail!("{} is not a SQLite database", from.display());
    }
    let mut src =
        std::fs::File::open(from).with_context(|| format!("opening {}", from.display()))?;
    let mut dst =
        super::create_private(target).with_context(|| format!("creating {}", target.display()))?;
    std::io::copy(&mut src, &mut dst).with_context(|| format!("writing {}", target.display()))?;
    dst.sync_all()?;
    drop(dst);
    let store = super::open(cfg, false).await?;
    let audit = store.verify_audit().await;
    let stats = store.verify_stats().await;
    store.close().await;
    let mut ok = super::audit::report(&audit?) == ExitCode::SUCCESS;
    let stats = stats?;
    if stats.differences.is_empty() {
        println!(
            "statistics: {} members, {} counter rows, every one equals the recount",
            stats.members, stats.rows_checked
        );
    } else {
        ok = false;
        eprintln!(
            "error: statistics differ from the recount: {:?}",
            stats.differences
        );
    }
    println!("restored {} from {}", target.display(), from.display());
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
