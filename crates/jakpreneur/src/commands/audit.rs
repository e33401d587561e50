//! `jakpreneur audit verify|checkpoint`, and the server's periodic checkpoints.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use jakpreneur_store::{ChainCheck, Checkpoint, Store};

use crate::cli::AuditCommand;
use crate::config::Config;

pub async fn run(store: &Store, cfg: &Config, cmd: AuditCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        AuditCommand::Verify { checkpoints } => {
            let points = match &checkpoints {
                Some(path) => read_checkpoints(path)?,
                None => Vec::new(),
            };
            let check = store.verify_audit_against(&points).await?;
            Ok(report(&check))
        }
        AuditCommand::Checkpoint { file } => {
            let point = store.audit_checkpoint().await?;
            let file = file.unwrap_or_else(|| checkpoint_file(cfg));
            if file != Path::new("-") {
                point
                    .append_to(&file)
                    .with_context(|| format!("appending to {}", file.display()))?;
                eprintln!("checkpoint appended to {}", file.display());
            }
            println!("{}", point.to_line());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Prints what a check found; the exit code says whether the log is intact.
pub fn report(check: &ChainCheck) -> ExitCode {
    match check {
        ChainCheck::Intact {
            entries,
            checkpoints,
            older_key,
        } => {
            let mut line =
                format!("audit log intact: {entries} entries, every hash and seal checks out");
            if *checkpoints > 0 {
                let points = if *checkpoints == 1 {
                    "the checkpoint".to_owned()
                } else {
                    format!("all {checkpoints} checkpoints")
                };
                line.push_str(&format!(", and it passes through {points}"));
                if *older_key > 0 {
                    line.push_str(&format!(
                        " ({older_key} signed under an earlier data key: their heads were \
                         compared, their signatures not checked)"
                    ));
                }
            }
            println!("{line}");
            ExitCode::SUCCESS
        }
        ChainCheck::Broken { seq, reason } => {
            eprintln!("error: audit log broken at entry {seq}: {reason}");
            ExitCode::FAILURE
        }
        ChainCheck::ForgedCheckpoint { at } => {
            eprintln!(
                "error: the checkpoint of {at} does not carry this data key's signature: the \
                 checkpoint file was altered (the log was not checked against it)"
            );
            ExitCode::FAILURE
        }
    }
}

fn read_checkpoints(path: &Path) -> anyhow::Result<Vec<Checkpoint>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the checkpoints in {}", path.display()))?;
    let points =
        Checkpoint::parse_lines(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    if points.is_empty() {
        anyhow::bail!("{} holds no audit checkpoint", path.display());
    }
    Ok(points)
}

/// The configured checkpoint file, or `audit-checkpoints.jsonl` beside the data key.
pub fn checkpoint_file(cfg: &Config) -> PathBuf {
    cfg.security
        .audit_checkpoint_file
        .clone()
        .unwrap_or_else(|| {
            let key = super::key_path(cfg);
            match key.parent().filter(|d| !d.as_os_str().is_empty()) {
                Some(dir) => dir.join("audit-checkpoints.jsonl"),
                None => PathBuf::from("audit-checkpoints.jsonl"),
            }
        })
}

/// Writes one checkpoint to the file and the log; a failure is logged, not fatal.
pub async fn write_checkpoint(store: &Store, file: &Path) {
    match store.audit_checkpoint().await {
        Ok(point) => {
            let line = point.to_line();
            tracing::info!(checkpoint = %line, "audit checkpoint");
            if let Err(e) = point.append_to(file) {
                tracing::error!(file = %file.display(), error = %e, "cannot write the audit checkpoint");
            }
        }
        Err(e) => tracing::error!(error = %e, "cannot take an audit checkpoint"),
    }
}

/// The server's checkpoints: one now, then every `minutes` (none if 0).
pub fn spawn_checkpoints(store: Store, file: PathBuf, minutes: u64) {
    tokio::spawn(async move {
        write_checkpoint(&store, &file).await;
        if minutes == 0 {
            return;
        }
        let mut every = tokio::time::interval(std::time::Duration::from_secs(minutes * 60));
        every.tick().await;
        loop {
            every.tick().await;
            write_checkpoint(&store, &file).await;
        }
    });
}
