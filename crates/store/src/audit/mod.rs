//! The audit log: every change (and every view of unmasked personal data) appended in the
//! same transaction as the change, each entry hash-chained to the one before.
//!
//! `hash = SHA-256(JSON [prev_hash, seq, at, user_id, actor, address, action, record_type,
//! record_id, before, after])`, over exactly the values stored. Each chain's row in
//! `audit_head` holds its entry count and last hash; taking it (an UPDATE) serialises the
//! chain's appends, so a chain has no forks. SQLite keeps one chain (its one writer
//! appends anyway one at a time) whose `seq` runs without gaps. PostgreSQL keeps 16: a
//! transaction appends to its connection's chain, so concurrent writers do not queue on
//! one row; `seq` then comes from a sequence (a global order, with gaps where a
//! transaction rolled back) and each chain is checked on its own. Snapshots never hold personal data in the clear: the NIK appears
//! masked, other personal fields as short keyed fingerprints that show a change without
//! the value, so erasing a member never has to rewrite (and break) the chain.
//!
//! The hashes alone prove nothing to someone who holds the database: they could change an
//! entry and recompute every later hash. So each entry also carries a **seal**, a keyed MAC
//! ([`Vault::audit_seal`]) under a key derived from the data key, which lives outside the
//! database; and the chain heads are exported as signed **checkpoints** ([`Checkpoint`]) to
//! a file and the application log, so that cutting entries off the end (which needs no
//! new seal) is caught too: `audit verify --checkpoints FILE` checks the log against them.

use chrono::{DateTime, Utc};
use jakpreneur_core::Actor;
use serde::Serialize;
use sha2::{Digest, Sha256};

mod checkpoint;
mod verify;

pub(crate) use checkpoint::reseal;
pub use checkpoint::{ChainHead, Checkpoint};
pub use verify::ChainCheck;

use crate::crypto::Vault;
use crate::query::{Conn, query, query_text, query_text_on};
use crate::{Result, Store, StoreError};

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
    /// The chain the entry belongs to (always 1 on SQLite).
    #[serde(skip)]
    pub chain: i32,
    /// The keyed MAC of the chain and hash (`None` only on a row altered since).
    #[serde(skip)]
    pub seal: Option<String>,
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

const TAKE_HEAD_SQLITE: &str =
    "UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING id, seq - $1, hash";
/// The connection's chain: one transaction always appends to one chain (no two
/// transactions can take two heads in opposite orders).
const TAKE_HEAD_PG: &str = "UPDATE audit_head SET seq = seq + $1 \
     WHERE id = 1 + pg_backend_pid() % 16 RETURNING id, seq - $1, hash";
const GLOBAL_SEQ_PG: &str = "SELECT nextval('audit_log_seq') FROM generate_series(1, $1)";
const SET_HEAD: &str = "UPDATE audit_head SET hash = $1 WHERE id = $2";

/// Appends `changes` in order inside the caller's transaction.
pub(crate) async fn append(
    tx: &mut (impl Conn + ?Sized),
    vault: &Vault,
    at: DateTime<Utc>,
    changes: &[Change],
) -> Result<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let backend = tx.backend();
    let n = changes.len() as i64;
    let take = match backend {
        crate::query::Backend::Sqlite => TAKE_HEAD_SQLITE,
        crate::query::Backend::Postgres => TAKE_HEAD_PG,
    };
    let (chain, chain_seq, mut prev): (i32, i64, String) =
        query(take).bind(n).fetch_one(&mut *tx).await?;
    // SQLite's one chain numbers the log; PostgreSQL's chains share a sequence, taken
    // while the chain is held, so a chain's entries come in the order of their `seq`.
    let seqs: Vec<i64> = match backend {
        crate::query::Backend::Sqlite => (chain_seq + 1..=chain_seq + n).collect(),
        crate::query::Backend::Postgres => {
            let mut v: Vec<(i64,)> = query(GLOBAL_SEQ_PG).bind(n).fetch_all(&mut *tx).await?;
            v.sort_unstable();
            v.into_iter().map(|(s,)| s).collect()
        }
    };
    let at = audit_time(at);
    for (chunk_no, chunk) in changes.chunks(64).enumerate() {
        let mut q = query_text_on(
            backend,
            "INSERT INTO audit_log (seq, chain, at, user_id, actor, address, action, \
             record_type, record_id, before, after, prev_hash, hash, seal) VALUES ",
        );
        for (i, c) in chunk.iter().enumerate() {
            let seq = seqs[chunk_no * 64 + i];
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
                q.arg_once(seq),
                q.arg_once(chain),
                q.arg_once(at.clone()),
                q.arg_once(who.user_id),
                q.arg_once(who.name.clone()),
                q.arg_once(who.address.clone()),
                q.arg_once(c.action),
                q.arg_once(c.record_type),
                q.arg_once(c.record_id.clone()),
                q.arg_once(before),
                q.arg_once(after),
                q.arg_once(prev.clone()),
                q.arg_once(hash.clone()),
                q.arg_once(vault.audit_seal(chain, &hash)),
            ];
            if i > 0 {
                q.push(", ");
            }
            q.push(&format!("({})", values.join(", ")));
            prev = hash;
        }
        q.execute(&mut *tx).await?;
    }
    query(SET_HEAD)
        .bind(prev)
        .bind(chain)
        .execute(&mut *tx)
        .await?;
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

pub(crate) const ENTRY_COLS: &str = "seq, at, user_id, actor, address, action, record_type, record_id, \
     before, after, prev_hash, hash, chain, seal";

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

    /// Appends one entry in a transaction of its own (a view of unmasked data, an export).
    /// Puts a security event on record in the audit log's `security.*` category (which
    /// an administrator filters with `record_type=security`): a refused request (`refused`,
    /// 401 or 403), a form whose CSRF token was wrong (`csrf`), a failed sign-in
    /// (`login_failed`). `subject` is the route or the account concerned.
    pub async fn record_security_event(
        &self,
        actor: &Actor,
        kind: &'static str,
        subject: &str,
        details: serde_json::Value,
    ) -> Result<()> {
        let action = match kind {
            "refused" => "security.refused",
            "csrf" => "security.csrf",
            "login_failed" => "security.login_failed",
            "second_factor_failed" => "security.second_factor_failed",
            other => {
                return Err(StoreError::Corrupt(format!(
                    "no such security event: {other}"
                )));
            }
        };
        self.audit_now(Change {
            who: Who::from(actor),
            action,
            record_type: "security",
            record_id: subject.chars().take(200).collect(),
            before: None,
            after: Some(details),
        })
        .await
    }

    pub(crate) async fn audit_now(&self, change: Change) -> Result<()> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await
    }
}
