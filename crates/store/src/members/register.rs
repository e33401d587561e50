//! Registration (facility P1): one member through the API or a page, or many at once
//! for demo data and bulk loads.

use std::collections::HashMap;

use chrono::Utc;
use jakpreneur_core::{Actor, NewMember, Nik, Permission};

use super::Member;
use super::insert::{Prepared, insert_batch_sqlite, insert_member_pg};
use crate::access::{require, require_covers};
use crate::audit::{Change, Who};
use crate::db::Db;
use crate::query::{query, query_text};
use crate::{Result, Store, StoreError};

const SELECT_NO_BY_HASH: &str = "SELECT member_no FROM members WHERE nik_hash = $1";

impl Store {
    /// Registers a member (facility P1), recording consent. A NIK already on file gives
    /// [`StoreError::DuplicateNik`] with the existing member number, however many
    /// registrations race: the NIK's keyed hash is unique in the database.
    #[tracing::instrument(skip_all)]
    pub async fn register_member(&self, actor: &Actor, m: &NewMember) -> Result<Member> {
        require(actor, Permission::MemberRegister)?;
        require_covers(actor, m.village.as_str(), "")?;
        let vault = self.vault()?;
        let prepared = Prepared::new(m, vault, Who::from(actor), actor.agency.as_deref());
        let inserted = match &self.db {
            // The batch INSERT skips a NIK on file by itself; no lookup first.
            Db::Sqlite(s) => s.commits.register(prepared).await?,
            // Looking first answers a duplicate without taking a member number.
            Db::Postgres(pool) => match self.member_no_by_hash(&prepared.nik_hash).await? {
                Some(member_no) => return Err(self.duplicate_nik(actor, member_no).await),
                None => {
                    let now = Utc::now();
                    let mut tx = pool.begin().await?;
                    match insert_member_pg(&mut tx, &prepared, now).await {
                        Ok(row) => {
                            tx.commit().await?;
                            row
                        }
                        Err(e) if e.is_unique_violation() => None,
                        Err(e) => return Err(e),
                    }
                }
            },
        };
        match inserted {
            Some(row) => row.into_member(vault, false),
            // Another registration of this NIK won; it has committed, so it can be read.
            None => match self
                .member_no_by_hash(&vault.nik_hash(m.nik.as_str()))
                .await?
            {
                Some(member_no) => Err(self.duplicate_nik(actor, member_no).await),
                None => Err(StoreError::Unavailable(
                    "a registration of this NIK was in flight; retry".into(),
                )),
            },
        }
    }

    /// Registers many members in one transaction, skipping NIKs already on file; returns
    /// how many were added. For demo data and bulk loads; needs `Scope::All`.
    pub async fn register_members_bulk(&self, actor: &Actor, ms: &[NewMember]) -> Result<usize> {
        require(actor, Permission::MemberRegister)?;
        if actor.scope != jakpreneur_core::Scope::All {
            return Err(StoreError::Forbidden(
                "bulk registration needs the whole province in scope".into(),
            ));
        }
        let vault = self.vault()?;
        let who = Who::from(actor);
        let prepared: Vec<Prepared> = ms
            .iter()
            .map(|m| Prepared::new(m, vault, who.clone(), actor.agency.as_deref()))
            .collect();
        let now = Utc::now();
        match &self.db {
            Db::Sqlite(s) => {
                let mut tx = s.writer.begin_with("BEGIN IMMEDIATE").await?;
                let mut added = 0;
                for chunk in prepared.chunks(super::group_commit::MAX_BATCH) {
                    let refs: Vec<&Prepared> = chunk.iter().collect();
                    added += insert_batch_sqlite(&mut tx, &refs, now)
                        .await?
                        .iter()
                        .flatten()
                        .count();
                }
                tx.commit().await?;
                Ok(added)
            }
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                let mut added = 0;
                for p in &prepared {
                    let exists: Option<String> = query(SELECT_NO_BY_HASH)
                        .bind(&p.nik_hash)
                        .scalar_optional(&mut *tx)
                        .await?;
                    if exists.is_none() && insert_member_pg(&mut tx, p, now).await?.is_some() {
                        added += 1;
                    }
                }
                tx.commit().await?;
                Ok(added)
            }
        }
    }

    /// An import's batch: each member registered unless its NIK is on file already, and
    /// what became of each, in order (the member number it has now, and whether this call
    /// added it). One transaction for the batch, so an import killed at any moment and run
    /// again adds every row exactly once. Needs `Scope::All`, as every bulk load.
    pub async fn import_members(
        &self,
        actor: &Actor,
        ms: &[NewMember],
    ) -> Result<Vec<(String, bool)>> {
        Self::require_bulk(actor)?;
        require(actor, Permission::MemberRegister)?;
        let vault = self.vault()?;
        let hashes: Vec<Vec<u8>> = ms.iter().map(|m| vault.nik_hash(m.nik.as_str())).collect();
        let before = self.member_nos_by_hash(&hashes).await?;
        let fresh: Vec<NewMember> = ms
            .iter()
            .zip(&hashes)
            .filter(|(_, h)| !before.contains_key(*h))
            .map(|(m, _)| m.clone())
            .collect();
        self.register_members_bulk(actor, &fresh).await?;
        let fresh_hashes: Vec<Vec<u8>> = hashes
            .iter()
            .filter(|h| !before.contains_key(*h))
            .cloned()
            .collect();
        let after = self.member_nos_by_hash(&fresh_hashes).await?;
        hashes
            .iter()
            .map(|h| match (before.get(h), after.get(h)) {
                (Some(no), _) => Ok((no.clone(), false)),
                (None, Some(no)) => Ok((no.clone(), true)),
                (None, None) => Err(StoreError::Unavailable(
                    "an imported member was not stored".into(),
                )),
            })
            .collect()
    }

    /// Which of these NIKs are on file, and as which member (a dry run's report).
    pub async fn members_by_nik(
        &self,
        actor: &Actor,
        niks: &[&Nik],
    ) -> Result<Vec<Option<String>>> {
        Self::require_bulk(actor)?;
        let vault = self.vault()?;
        let hashes: Vec<Vec<u8>> = niks.iter().map(|n| vault.nik_hash(n.as_str())).collect();
        let found = self.member_nos_by_hash(&hashes).await?;
        Ok(hashes.iter().map(|h| found.get(h).cloned()).collect())
    }

    /// Which of these NIKs belong to members in the reader's region, and as which member
    /// (an import of services naming members by NIK; a NIK outside the region reads as
    /// not found). Needs the right to record services.
    pub async fn member_nos_in_scope(
        &self,
        actor: &Actor,
        niks: &[&Nik],
    ) -> Result<Vec<Option<String>>> {
        require(actor, Permission::EventRecord)?;
        let vault = self.vault()?;
        let hashes: Vec<Vec<u8>> = niks.iter().map(|n| vault.nik_hash(n.as_str())).collect();
        if hashes.is_empty() {
            return Ok(Vec::new());
        }
        let mut q =
            query_text("SELECT nik_hash, member_no, village_code FROM members WHERE nik_hash IN (");
        for (i, h) in hashes.iter().enumerate() {
            let p = q.arg(h.clone());
            q.push(&format!("{}{p}", if i == 0 { "" } else { ", " }));
        }
        q.push(")");
        let rows: Vec<(Vec<u8>, String, String)> = q.fetch_all(self.read()).await?;
        let found: HashMap<Vec<u8>, String> = rows
            .into_iter()
            .filter(|(_, no, village)| actor.scope.covers(village, no))
            .map(|(h, no, _)| (h, no))
            .collect();
        Ok(hashes.iter().map(|h| found.get(h).cloned()).collect())
    }

    /// The member numbers of the NIK hashes on file, in one query.
    async fn member_nos_by_hash(&self, hashes: &[Vec<u8>]) -> Result<HashMap<Vec<u8>, String>> {
        if hashes.is_empty() {
            return Ok(HashMap::new());
        }
        let mut q = query_text("SELECT nik_hash, member_no FROM members WHERE nik_hash IN (");
        for (i, h) in hashes.iter().enumerate() {
            let p = q.arg(h.clone());
            q.push(&format!("{}{p}", if i == 0 { "" } else { ", " }));
        }
        q.push(")");
        let rows: Vec<(Vec<u8>, String)> = q.fetch_all(self.read()).await?;
        Ok(rows.into_iter().collect())
    }

    /// The refusal of a NIK already on file as `member_no`, as `actor` may hear it: with
    /// the member number inside its scope, without it outside. Either way the attempt is
    /// on record (`member.duplicate_nik`, with the member's number for the auditor), so
    /// that NIKs tried one after another show in the audit log.
    pub(super) async fn duplicate_nik(&self, actor: &Actor, member_no: String) -> StoreError {
        let village: Option<String> =
            match query("SELECT village_code FROM members WHERE member_no = $1")
                .bind(&member_no)
                .scalar_optional(self.read())
                .await
            {
                Ok(v) => v,
                Err(e) => return e,
            };
        let in_scope = village.is_some_and(|v| actor.scope.covers(&v, &member_no));
        let noted = self
            .audit_now(Change {
                who: Who::from(actor),
                action: "member.duplicate_nik",
                record_type: "member",
                record_id: member_no.clone(),
                before: None,
                after: Some(serde_json::json!({ "in_scope": in_scope })),
            })
            .await;
        if let Err(e) = noted {
            return e;
        }
        StoreError::DuplicateNik {
            member_no: in_scope.then_some(member_no),
        }
    }

    pub(super) async fn member_no_by_hash(&self, hash: &[u8]) -> Result<Option<String>> {
        query(SELECT_NO_BY_HASH)
            .bind(hash)
            .scalar_optional(self.read())
            .await
    }
}

/// Registers one member inside the caller's transaction (a referral from another
/// programme registers the member and records the referral together). Returns the new
/// member's number, or `None` when the NIK is on file already.
pub(crate) async fn register_in_tx(
    tx: &mut crate::query::Tx,
    actor: &Actor,
    m: &NewMember,
    vault: &std::sync::Arc<crate::crypto::Vault>,
    agency: Option<&str>,
    now: chrono::DateTime<Utc>,
) -> Result<Option<String>> {
    let prepared = Prepared::new(m, vault, Who::from(actor), agency);
    let row = match tx {
        crate::query::Tx::Sqlite(t) => insert_batch_sqlite(t, &[&prepared], now)
            .await?
            .into_iter()
            .next()
            .flatten(),
        crate::query::Tx::Postgres(t) => {
            if query(SELECT_NO_BY_HASH)
                .bind(&prepared.nik_hash)
                .scalar_optional::<String>(&mut **t)
                .await?
                .is_some()
            {
                return Ok(None);
            }
            insert_member_pg(t, &prepared, now).await?
        }
    };
    Ok(row.map(|r| r.member_no))
}
