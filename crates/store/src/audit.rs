//! The audit log: every change (and every view of unmasked personal data) appended in the
//! same transaction as the change, each entry hash-chained to the one before.
//!
//! `hash = SHA-256(JSON [prev_hash, seq, at, user_id, actor, address, action, record_type,
//! record_id, before, after])`, over exactly the values stored. `audit_head` holds the last
//! sequence number and hash; taking it (an UPDATE) serialises appends, so the chain has no
//! forks and no gaps. Snapshots never hold personal data in the clear: the NIK appears
//! masked, other personal fields as short keyed fingerprints that show a change without
//! the value, so erasing a member never has to rewrite (and break) the chain.

use chrono::{DateTime, Utc};
use jakpreneur_core::Actor;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::query::{Conn, query, query_text, query_text_on};
use crate::{Result, Store};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who acted, as the log records it.
#[derive(Debug, Clone)]
pub(crate) struct Who {
    pub user_id: Option<i64>,
    pub name: String,
    pub address: Option<String>,
}

impl From<&Actor> for Who {
    fn from(a: &Actor) -> Self {
        Self {
            user_id: a.user_id,
            name: a.name.clone(),
            address: a.address.clone(),
        }
    }
}

/// One change to append.
#[derive(Debug, Clone)]
pub(crate) struct Change {
    pub who: Who,
    pub action: &'static str,
    pub record_type: &'static str,
    pub record_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub user_id: Option<i64>,
    pub actor: String,
    pub address: Option<String>,
    pub action: String,
    pub record_type: String,
    pub record_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditEntry {
    /// The hash this entry should carry, given the previous entry's hash.
    pub fn expected_hash(&self, prev_hash: &str) -> String {
        chain_hash(
            prev_hash,
            self.seq,
            &self.at,
            self.user_id,
            &self.actor,
            self.address.as_deref(),
            &self.action,
            &self.record_type,
            &self.record_id,
            self.before.as_deref(),
            self.after.as_deref(),
        )
    }
}

#[allow(clippy::too_many_arguments)] // reason: one argument per hashed column, in order
fn chain_hash(
    prev: &str,
    seq: i64,
    at: &str,
    user_id: Option<i64>,
    actor: &str,
    address: Option<&str>,
    action: &str,
    record_type: &str,
    record_id: &str,
    before: Option<&str>,
    after: Option<&str>,
) -> String {
    let canonical = serde_json::to_string(&(
        prev,
        seq,
        at,
        user_id,
        actor,
        address,
        action,
        record_type,
        record_id,
        before,
        after,
    ))
    .expect("a tuple of strings and numbers serialises");
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

/// Timestamps in the log: one fixed text form, so what is hashed is what is stored.
pub(crate) fn audit_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

const TAKE_HEAD: &str =
    "UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq - $1, hash";
const SET_HEAD: &str = "UPDATE audit_head SET hash = $1 WHERE id = 1";

/// Appends `changes` in order inside the caller's transaction.
pub(crate) async fn append(
    tx: &mut (impl Conn + ?Sized),
    at: DateTime<Utc>,
    changes: &[Change],
) -> Result<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let (first_prev_seq, mut prev): (i64, String) = query(TAKE_HEAD)
        .bind(changes.len() as i64)
        .fetch_one(&mut *tx)
        .await?;
    let at = audit_time(at);
    let backend = tx.backend();
    for (chunk_no, chunk) in changes.chunks(64).enumerate() {
        let mut q = query_text_on(
            backend,
            "INSERT INTO audit_log (seq, at, user_id, actor, address, action, record_type, \
             record_id, before, after, prev_hash, hash) VALUES ",
        );
        for (i, c) in chunk.iter().enumerate() {
            let seq = first_prev_seq + (chunk_no * 64 + i) as i64 + 1;
            let before = c.before.as_ref().map(|v| v.to_string());
            let after = c.after.as_ref().map(|v| v.to_string());
            let who = &c.who;
            let hash = chain_hash(
                &prev,
                seq,
                &at,
                who.user_id,
                &who.name,
                who.address.as_deref(),
                c.action,
                c.record_type,
                &c.record_id,
                before.as_deref(),
                after.as_deref(),
            );
            let values = [
                q.arg(seq),
                q.arg(at.clone()),
                q.arg(who.user_id),
                q.arg(who.name.clone()),
                q.arg(who.address.clone()),
                q.arg(c.action),
                q.arg(c.record_type),
                q.arg(c.record_id.clone()),
                q.arg(before),
                q.arg(after),
                q.arg(prev.clone()),
                q.arg(hash.clone()),
            ];
            if i > 0 {
                q.push(", ");
            }
            q.push(&format!("({})", values.join(", ")));
            prev = hash;
        }
        q.execute(&mut *tx).await?;
    }
    query(SET_HEAD).bind(prev).execute(&mut *tx).await?;
    Ok(())
}

/// Which entries the audit page lists.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Exact actor name (username, `cli:…`).
    pub actor: Option<String>,
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    pub action: Option<String>,
    /// Inclusive dates (UTC).
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    pub next: Option<i64>,
}

/// What `audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainCheck {
    /// Every entry checked out; the number of entries.
    Intact { entries: i64 },
    /// The first entry that does not fit the chain, and why.
    Broken { seq: i64, reason: String },
}

const ENTRY_COLS: &str = "seq, at, user_id, actor, address, action, record_type, record_id, \
     before, after, prev_hash, hash";

impl Store {
    /// Audit entries, newest first, keyset-paged by `seq`. Admin-only.
    pub async fn list_audit(
        &self,
        actor: &Actor,
        f: &AuditFilter,
        limit: u32,
        before_seq: Option<i64>,
    ) -> Result<AuditPage> {
        crate::access::require(actor, jakpreneur_core::Permission::AuditRead)?;
        let mut sql = query_text(format!("SELECT {ENTRY_COLS} FROM audit_log WHERE 1 = 1"));
        let text_eq = |sql: &mut crate::query::Query, col: &str, v: &Option<String>| {
            if let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                let p = sql.arg(v.to_owned());
                sql.push(&format!(" AND {col} = {p}"));
            }
        };
        text_eq(&mut sql, "actor", &f.actor);
        text_eq(&mut sql, "record_type", &f.record_type);
        text_eq(&mut sql, "record_id", &f.record_id);
        text_eq(&mut sql, "action", &f.action);
        if let Some(d) = f.from {
            let p = sql.arg(d.format("%Y-%m-%d").to_string());
            sql.push(&format!(" AND at >= {p}"));
        }
        if let Some(d) = f.to.and_then(|d| d.succ_opt()) {
            let p = sql.arg(d.format("%Y-%m-%d").to_string());
            sql.push(&format!(" AND at < {p}"));
        }
        if let Some(s) = before_seq {
            let p = sql.arg(s);
            sql.push(&format!(" AND seq < {p}"));
        }
        let limit = i64::from(limit.clamp(1, 500));
        let p = sql.arg(limit + 1);
        sql.push(&format!(" ORDER BY seq DESC LIMIT {p}"));
        let mut items: Vec<AuditEntry> = sql.fetch_all(self.read()).await?;
        let next = if items.len() as i64 > limit {
            items.truncate(limit as usize);
            items.last().map(|e| e.seq)
        } else {
            None
        };
        Ok(AuditPage { items, next })
    }

    /// Re-walks the whole chain from the first entry: each entry's `prev_hash` must be the
    /// previous entry's hash, its own hash must match its contents, sequence numbers must
    /// run without gaps, and the last hash must be the head's (so a deleted tail shows).
    pub async fn verify_audit(&self) -> Result<ChainCheck> {
        const BATCH: i64 = 2000;
        let mut prev = GENESIS.to_owned();
        let mut expected_seq = 1;
        loop {
            let q =
                format!("SELECT {ENTRY_COLS} FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2");
            let batch: Vec<AuditEntry> = query_text(q)
                .bind(expected_seq)
                .bind(BATCH)
                .fetch_all(self.read())
                .await?;
            let done = (batch.len() as i64) < BATCH;
            for e in batch {
                if e.seq != expected_seq {
                    return Ok(ChainCheck::Broken {
                        seq: expected_seq,
                        reason: format!("entry {expected_seq} is missing (next is {})", e.seq),
                    });
                }
                if e.prev_hash != prev {
                    return Ok(ChainCheck::Broken {
                        seq: e.seq,
                        reason: "its prev_hash is not the previous entry's hash".into(),
                    });
                }
                if e.expected_hash(&prev) != e.hash {
                    return Ok(ChainCheck::Broken {
                        seq: e.seq,
                        reason: "its contents do not match its hash (the row was altered)".into(),
                    });
                }
                prev = e.hash;
                expected_seq += 1;
            }
            if done {
                break;
            }
        }
        let (head_seq, head_hash): (i64, String) =
            query("SELECT seq, hash FROM audit_head WHERE id = 1")
                .fetch_one(self.read())
                .await?;
        let entries = expected_seq - 1;
        if head_seq != entries {
            return Ok(ChainCheck::Broken {
                seq: entries + 1,
                reason: format!(
                    "the log ends at entry {entries} but the chain head records {head_seq}: \
                        entries were removed"
                ),
            });
        }
        if head_hash != prev {
            return Ok(ChainCheck::Broken {
                seq: entries,
                reason: "the last entry's hash is not the one the chain head recorded: the chain \
                    was recomputed or the head altered"
                    .into(),
            });
        }
        Ok(ChainCheck::Intact { entries })
    }

    /// Appends one entry in a transaction of its own (a view of unmasked data, an export).
    pub(crate) async fn audit_now(&self, change: Change) -> Result<()> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        append(&mut tx, now, std::slice::from_ref(&change)).await?;
        tx.commit().await
    }
}
