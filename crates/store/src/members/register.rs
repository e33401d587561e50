//! Registration (facility P1): one member through the API or a page, or many at once
//! for demo data and bulk loads.

use chrono::Utc;
use jakpreneur_core::{Actor, NewMember, Nik, Permission};

use super::Member;
use super::insert::{Prepared, insert_batch_sqlite, insert_member_pg};
use crate::access::{require, require_covers};
use crate::audit::Who;
use crate::db::Db;
use crate::query::query;
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
                Some(member_no) => return Err(StoreError::DuplicateNik { member_no }),
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
                Some(member_no) => Err(StoreError::DuplicateNik { member_no }),
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
        let mut before = Vec::with_capacity(ms.len());
        for m in ms {
            before.push(
                self.member_no_by_hash(&vault.nik_hash(m.nik.as_str()))
                    .await?,
            );
        }
        let fresh: Vec<NewMember> = ms
            .iter()
            .zip(&before)
            .filter(|(_, on_file)| on_file.is_none())
            .map(|(m, _)| m.clone())
            .collect();
        self.register_members_bulk(actor, &fresh).await?;
        let mut out = Vec::with_capacity(ms.len());
        for (m, on_file) in ms.iter().zip(before) {
            match on_file {
                Some(no) => out.push((no, false)),
                None => {
                    let no = self
                        .member_no_by_hash(&vault.nik_hash(m.nik.as_str()))
                        .await?
                        .ok_or_else(|| {
                            StoreError::Unavailable("an imported member was not stored".into())
                        })?;
                    out.push((no, true));
                }
            }
        }
        Ok(out)
    }

    /// Which of these NIKs are on file, and as which member (a dry run's report).
    pub async fn members_by_nik(
        &self,
        actor: &Actor,
        niks: &[&Nik],
    ) -> Result<Vec<Option<String>>> {
        Self::require_bulk(actor)?;
        let vault = self.vault()?;
        let mut out = Vec::with_capacity(niks.len());
        for nik in niks {
            out.push(
                self.member_no_by_hash(&vault.nik_hash(nik.as_str()))
                    .await?,
            );
        }
        Ok(out)
    }

    pub(super) async fn member_no_by_hash(&self, hash: &[u8]) -> Result<Option<String>> {
        query(SELECT_NO_BY_HASH)
            .bind(hash)
            .scalar_optional(self.read())
            .await
    }
}
