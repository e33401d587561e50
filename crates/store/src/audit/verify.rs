//! `audit verify`: re-walks every chain, checks each entry's hash and seal and each chain's
//! head, and compares the log with checkpoints taken before.

use std::collections::{BTreeMap, HashMap};

use super::{AuditEntry, ChainHead, Checkpoint, ENTRY_COLS, GENESIS};
use crate::crypto::Vault;
use crate::query::{Backend, Tx, query_text};
use crate::{Result, Store};

/// What `audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainCheck {
    /// Every entry checked out: the number of entries, of checkpoints the log agreed with,
    /// and of those among them signed under an earlier data key (their heads were
    /// compared; their signatures cannot be checked with this key).
    Intact {
        entries: i64,
        checkpoints: usize,
        older_key: usize,
    },
    /// The first entry that does not fit the chain, and why.
    Broken { seq: i64, reason: String },
    /// A checkpoint signed with this database's key whose signature does not match: the
    /// checkpoint file was altered (the log itself was not checked against it).
    ForgedCheckpoint { at: String },
}

/// Whether entries without a seal count as broken: always, except while checking an old
/// log once before it is sealed for the first time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Seals {
    Required,
    NotYet,
}

impl Store {
    /// Checks the whole log (see [`Store::verify_audit_against`]) without checkpoints.
    pub async fn verify_audit(&self) -> Result<ChainCheck> {
        self.verify_audit_against(&[]).await
    }

    /// Re-walks every chain from its first entry: each entry's `prev_hash` must be the
    /// hash of its chain's previous entry, its own hash must match its contents, and its
    /// seal must be the data key's MAC of that hash; each chain's count and last hash must
    /// be its head's (so a deleted tail shows). On SQLite, whose one chain numbers the
    /// log, `seq` must also run without gaps. Every chain must pass through the heads the
    /// `checkpoints` recorded: entries cut off the end since, or rewritten before, show.
    pub async fn verify_audit_against(&self, checkpoints: &[Checkpoint]) -> Result<ChainCheck> {
        let vault = self.vault()?;
        let mut older_key = 0;
        for c in checkpoints {
            if c.key != vault.fingerprint() {
                older_key += 1;
            } else if !c.signature_holds(vault) {
                return Ok(ChainCheck::ForgedCheckpoint { at: c.at.clone() });
            }
        }
        // One snapshot for the heads and every batch of the log: an append while the
        // check runs is not seen at all, rather than seen in the log and not in its head.
        let mut snapshot = self.begin_read().await?;
        let check = walk(
            &mut snapshot,
            vault,
            self.backend() == Backend::Sqlite,
            Seals::Required,
            checkpoints,
        )
        .await;
        snapshot.rollback().await?;
        Ok(match check? {
            ChainCheck::Intact { entries, .. } => ChainCheck::Intact {
                entries,
                checkpoints: checkpoints.len(),
                older_key,
            },
            other => other,
        })
    }
}

pub(crate) async fn walk(
    snapshot: &mut Tx,
    vault: &Vault,
    gapless: bool,
    seals: Seals,
    checkpoints: &[Checkpoint],
) -> Result<ChainCheck> {
    const BATCH: i64 = 2000;
    let heads = super::checkpoint::chain_heads(&mut *snapshot).await?;
    // Per chain: entries seen and the last hash.
    let mut chains: BTreeMap<i32, (i64, String)> = heads
        .iter()
        .map(|h| (h.chain, (0, GENESIS.to_owned())))
        .collect();
    // (chain, entries) → (hash, when the checkpoint saw it).
    let mut expected: HashMap<(i32, i64), Vec<(&str, &str)>> = HashMap::new();
    for c in checkpoints {
        for h in &c.chains {
            if !chains.contains_key(&h.chain) {
                return Ok(ChainCheck::Broken {
                    seq: 0,
                    reason: format!(
                        "the checkpoint of {} names chain {}, which this log does not have",
                        c.at, h.chain
                    ),
                });
            }
            if h.entries > 0 {
                expected
                    .entry((h.chain, h.entries))
                    .or_default()
                    .push((h.hash.as_str(), c.at.as_str()));
            }
        }
    }
    let mut after = 0i64;
    let mut entries = 0i64;
    loop {
        let q = format!("SELECT {ENTRY_COLS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2");
        let batch: Vec<AuditEntry> = query_text(q)
            .bind(after)
            .bind(BATCH)
            .fetch_all(&mut *snapshot)
            .await?;
        let done = (batch.len() as i64) < BATCH;
        for e in batch {
            let broken = |reason: String| Ok(ChainCheck::Broken { seq: e.seq, reason });
            if gapless && e.seq != after + 1 {
                return Ok(ChainCheck::Broken {
                    seq: after + 1,
                    reason: format!("entry {} is missing (next is {})", after + 1, e.seq),
                });
            }
            let Some((count, prev)) = chains.get_mut(&e.chain) else {
                return broken(format!("it names chain {}, which has no head", e.chain));
            };
            if e.prev_hash != *prev {
                return broken("its prev_hash is not the previous entry's hash".into());
            }
            if e.expected_hash(prev) != e.hash {
                return broken("its contents do not match its hash (the row was altered)".into());
            }
            match (&e.seal, seals) {
                (None, Seals::NotYet) => {}
                (None, Seals::Required) => {
                    return broken(
                        "it has no seal (every entry is sealed with the data key)".into(),
                    );
                }
                (Some(seal), _) if *seal != vault.audit_seal(e.chain, &e.hash) => {
                    return broken(
                        "its seal does not match its hash: the entry, or one before it, was \
                         rewritten by someone without the data key"
                            .into(),
                    );
                }
                (Some(_), _) => {}
            }
            *prev = e.hash.clone();
            *count += 1;
            for (hash, at) in expected.get(&(e.chain, *count)).into_iter().flatten() {
                if *hash != e.hash {
                    return broken(format!(
                        "the checkpoint of {at} recorded another hash at this point of the \
                         chain: the log was rewritten since"
                    ));
                }
            }
            entries += 1;
            after = e.seq;
        }
        if done {
            break;
        }
    }
    for ((chain, seen), points) in &expected {
        let count = chains[chain].0;
        if *seen > count {
            let at = points.first().map_or("", |p| p.1);
            return Ok(ChainCheck::Broken {
                seq: after + 1,
                reason: format!(
                    "the checkpoint of {at} saw {seen} entries in chain {chain}, the log has \
                     {count}: entries were removed"
                ),
            });
        }
    }
    for ChainHead {
        chain: id,
        entries: head_seq,
        hash: head_hash,
    } in &heads
    {
        let (count, last) = &chains[id];
        let chain = if heads.len() > 1 {
            format!("chain {id} ")
        } else {
            String::new()
        };
        if head_seq != count {
            return Ok(ChainCheck::Broken {
                seq: after + 1,
                reason: format!(
                    "the log {chain}ends at entry {count} but the chain head records \
                     {head_seq}: entries were removed"
                ),
            });
        }
        if head_hash != last {
            return Ok(ChainCheck::Broken {
                seq: after,
                reason: format!(
                    "the last entry's hash {chain}is not the one the chain head recorded: \
                     the chain was recomputed or the head altered"
                ),
            });
        }
    }
    Ok(ChainCheck::Intact {
        entries,
        checkpoints: 0,
        older_key: 0,
    })
}
