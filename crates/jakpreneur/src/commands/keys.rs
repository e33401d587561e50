//! `jakpreneur rotate-key`: a new data key for every NIK.
//!
//! Crash-safe order: (1) the new key is written to `<file>.new`; (2) one database
//! transaction re-encrypts every NIK and records the new key's fingerprint; (3) the old
//! file becomes `<file>.old` and the new one takes its place. If the process stops
//! between (2) and (3), the next start finds the database expecting the `.new` key;
//! running `rotate-key` again finishes the swap. Stop the server before rotating: a
//! running server holds the old key in memory.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use jakpreneur_store::{DataKey, Vault};

use super::{cli_actor, connect, key_path};
use crate::config::Config;

fn with_suffix(p: &std::path::Path, suffix: &str) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

pub async fn rotate(cfg: &Config) -> anyhow::Result<ExitCode> {
    let store = connect(cfg).await?;
    store.check_migrated().await?;
    let path = key_path(cfg);
    let new_path = with_suffix(&path, ".new");
    let old_path = with_suffix(&path, ".old");
    let recorded = store
        .key_fingerprint()
        .await?
        .context("this database has no data key yet; start it once first")?;
    // A previous rotation that stopped before swapping the files: finish it.
    if new_path.exists() {
        let pending = DataKey::load(&new_path)?;
        if Vault::new(&pending).fingerprint() == recorded {
            swap(&path, &new_path, &old_path)?;
            println!(
                "finished an interrupted rotation: {} is now the data key",
                path.display()
            );
            store.close().await;
            return Ok(ExitCode::SUCCESS);
        }
        std::fs::remove_file(&new_path)
            .with_context(|| format!("removing the stale {}", new_path.display()))?;
    }
    let current = DataKey::load(&path)?;
    let mut store = store.attach_key(&current).await?;
    let new = DataKey::generate();
    new.write_new(&new_path)?;
    let n = store.rotate_key(&cli_actor(), &new).await?;
    swap(&path, &new_path, &old_path)?;
    store.close().await;
    println!(
        "re-encrypted {n} NIKs; new key fingerprint {}; the old key is kept as {} until you remove it",
        Vault::new(&new).fingerprint(),
        old_path.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Retires the current key file to `<file>.old` (an earlier `.old` moves aside with a
/// timestamp: no key is ever deleted here) and installs the new one.
fn swap(path: &PathBuf, new_path: &PathBuf, old_path: &PathBuf) -> anyhow::Result<()> {
    if path.exists() {
        if old_path.exists() {
            let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
            let aside = with_suffix(old_path, &format!("-{stamp}"));
            std::fs::rename(old_path, &aside).context("keeping the previous old key")?;
        }
        std::fs::rename(path, old_path).context("keeping the old key")?;
    }
    std::fs::rename(new_path, path).context("installing the new key")?;
    Ok(())
}
