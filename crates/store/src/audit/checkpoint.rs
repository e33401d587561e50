//! Checkpoints: each chain's head (entry count and last hash), signed with the data key's
//! audit key and written outside the database — a file and the application log — so that a
//! database holder who cuts entries off the end, or rewrites the log, is caught by
//! `audit verify --checkpoints FILE`. Also the one-time sealing of a log written before
//! entries were sealed, and re-sealing under a new key.

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::verify::{ChainCheck, Seals, walk};
use super::{Change, Who, append, audit_time};
use crate::crypto::Vault;
use crate::query::{Backend, Conn, query};
use crate::{Result, Store};

/// One chain's head as a checkpoint saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct ChainHead {
    pub chain: i32,
    pub entries: i64,
    pub hash: String,
}

/// Every chain's head at one moment, signed. One JSON line in a checkpoint file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// The format's version (1); also what marks a line as a checkpoint.
    pub audit_checkpoint: u32,
    pub at: String,
    /// The fingerprint of the data key that signed it.
    pub key: String,
    pub chains: Vec<ChainHead>,
    pub signature: String,
}

impl Checkpoint {
    fn body(at: &str, key: &str, chains: &[ChainHead]) -> String {
        serde_json::to_string(&(1, at, key, chains)).expect("strings and numbers serialise")
    }

    pub(crate) fn signature_holds(&self, vault: &Vault) -> bool {
        let body = Self::body(&self.at, &self.key, &self.chains);
        self.audit_checkpoint == 1 && vault.sign_checkpoint(&body) == self.signature
    }

    /// The checkpoint as one line of JSON (no newline).
    pub fn to_line(&self) -> String {
        serde_json::to_string(self).expect("a checkpoint serialises")
    }

    /// The checkpoints in a checkpoint file or an application log (text or JSON lines):
    /// every line that carries one; other lines are skipped. A line that starts a
    /// checkpoint but does not parse is an error naming the line.
    pub fn parse_lines(text: &str) -> std::result::Result<Vec<Checkpoint>, String> {
        const MARK: &str = "{\"audit_checkpoint\"";
        let mut out = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            // A JSON log line carries the checkpoint as a string field.
            let from_json_log = serde_json::from_str::<serde_json::Value>(line)
                .ok()
                .and_then(|v| {
                    v.pointer("/fields/checkpoint")
                        .or_else(|| v.get("checkpoint"))
                        .and_then(|c| c.as_str().map(str::to_owned))
                });
            let candidate = match from_json_log {
                Some(c) => c,
                None => match line.find(MARK) {
                    Some(i) => line[i..].to_owned(),
                    None => continue,
                },
            };
            let c: Checkpoint = serde_json::from_str(candidate.trim())
                .map_err(|e| format!("line {}: not a readable checkpoint ({e})", n + 1))?;
            out.push(c);
        }
        Ok(out)
    }

    /// Appends the checkpoint as a line to `path` (created readable by its owner alone)
    /// and flushes it to disk.
    pub fn append_to(&self, path: &Path) -> std::io::Result<()> {
        let mut options = std::fs::OpenOptions::new();
        options.append(true).create(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path)?;
        file.write_all(format!("{}\n", self.to_line()).as_bytes())?;
        file.sync_data()
    }
}

impl Store {
    /// A signed checkpoint of every chain's head now.
    pub async fn audit_checkpoint(&self) -> Result<Checkpoint> {
        let vault = self.vault()?;
        let chains = chain_heads(self.read()).await?;
        let at = audit_time(chrono::Utc::now());
        let key = vault.fingerprint().to_owned();
        let signature = vault.sign_checkpoint(&Checkpoint::body(&at, &key, &chains));
        Ok(Checkpoint {
            audit_checkpoint: 1,
            at,
            key,
            chains,
            signature,
        })
    }

    /// Seals a log written before entries were sealed, once, after checking its hashes.
    /// Returns the entries sealed (0 when every entry already was, or when some were and
    /// others were not: then `audit verify` reports the unsealed ones as broken).
    pub(crate) async fn seal_old_audit_log(&self) -> Result<i64> {
        let vault = self.vault()?;
        // The newest entry tells, through the primary key, whether there is anything to do
        // (every start runs this; only a log from before seals is scanned).
        let newest: Option<(Option<String>,)> =
            query("SELECT seal FROM audit_log ORDER BY seq DESC LIMIT 1")
                .fetch_optional(self.read())
                .await?;
        if !matches!(newest, Some((None,))) {
            return Ok(0);
        }
        let (unsealed, sealed): (i64, i64) = query(
            "SELECT COALESCE(SUM(CASE WHEN seal IS NULL THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN seal IS NULL THEN 0 ELSE 1 END), 0) FROM audit_log",
        )
        .fetch_one(self.read())
        .await?;
        if unsealed == 0 || sealed > 0 {
            return Ok(0);
        }
        let mut tx = self.begin().await?;
        let gapless = self.backend() == Backend::Sqlite;
        match walk(&mut tx, vault, gapless, Seals::NotYet, &[]).await? {
            ChainCheck::Intact { .. } => {}
            broken => {
                tracing::error!(
                    check = ?broken,
                    "the audit log is broken; it was not sealed (run jakpreneur audit verify)"
                );
                return Ok(0);
            }
        }
        let n = reseal(&mut tx, vault).await?;
        let change = Change {
            who: Who {
                user_id: None,
                name: "system".into(),
                address: None,
            },
            action: "audit.sealed",
            record_type: "audit_log",
            record_id: "all".into(),
            before: None,
            after: Some(serde_json::json!({ "entries": n, "key": vault.fingerprint() })),
        };
        append(
            &mut tx,
            vault,
            chrono::Utc::now(),
            std::slice::from_ref(&change),
        )
        .await?;
        tx.commit().await?;
        tracing::warn!(
            entries = n,
            "the audit log was written before entries were sealed: its hashes checked out and \
             every entry is now sealed with the data key"
        );
        Ok(n)
    }
}

/// Every chain's head: its entry count and last hash.
pub(crate) async fn chain_heads<'c>(
    conn: impl Into<crate::query::Exec<'c>>,
) -> Result<Vec<ChainHead>> {
    query("SELECT id AS chain, seq AS entries, hash FROM audit_head ORDER BY id")
        .fetch_all(conn)
        .await
}

/// Seals every entry under `vault` (one statement per entry, in the caller's
/// transaction): for the first sealing and for a key rotation. Returns the entries.
pub(crate) async fn reseal(tx: &mut (impl Conn + ?Sized), vault: &Vault) -> Result<i64> {
    const BATCH: i64 = 2000;
    let mut after = i64::MIN;
    let mut total = 0;
    loop {
        let rows: Vec<(i64, i32, String)> =
            query("SELECT seq, chain, hash FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2")
                .bind(after)
                .bind(BATCH)
                .fetch_all(&mut *tx)
                .await?;
        for (seq, chain, hash) in &rows {
            query("UPDATE audit_log SET seal = $1 WHERE seq = $2")
                .bind(vault.audit_seal(*chain, hash))
                .bind(seq)
                .execute(&mut *tx)
                .await?;
        }
        total += rows.len() as i64;
        match rows.last() {
            Some((seq, _, _)) if rows.len() as i64 == BATCH => after = *seq,
            _ => return Ok(total),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::DataKey;

    fn point(vault: &Vault) -> Checkpoint {
        let chains = vec![ChainHead {
            chain: 1,
            entries: 7,
            hash: "ab".repeat(32),
        }];
        let at = "2026-12-04T10:00:00.000000Z".to_owned();
        let key = vault.fingerprint().to_owned();
        let signature = vault.sign_checkpoint(&Checkpoint::body(&at, &key, &chains));
        Checkpoint {
            audit_checkpoint: 1,
            at,
            key,
            chains,
            signature,
        }
    }

    #[test]
    fn checkpoints_are_read_from_their_file_and_from_either_log_format() {
        let vault = Vault::new(&DataKey::generate());
        let p = point(&vault);
        assert!(p.signature_holds(&vault));
        assert!(!p.signature_holds(&Vault::new(&DataKey::generate())));
        let line = p.to_line();
        let text_log = format!(
            "2026-12-04T10:00:00Z  INFO jakpreneur::commands::audit: audit checkpoint checkpoint={line}"
        );
        let json_log = serde_json::json!({
            "timestamp": "2026-12-04T10:00:00Z",
            "level": "INFO",
            "fields": { "message": "audit checkpoint", "checkpoint": line },
        })
        .to_string();
        let file = format!("{line}\nan unrelated line\n\n{text_log}\n{json_log}\n");
        let read = Checkpoint::parse_lines(&file).unwrap();
        assert_eq!(read, vec![p.clone(), p.clone(), p]);
        let err = Checkpoint::parse_lines("x\n{\"audit_checkpoint\":1,\"at\":3}").unwrap_err();
        assert!(err.starts_with("line 2:"), "{err}");
    }
}
