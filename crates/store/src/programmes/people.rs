//! One identity per person across programmes. A person's `people` row is found by the
//! keyed hash of their NIK, or made from the enrolment's details (name, birth date, sex)
//! the first time they join a programme other than Jakpreneur.

use chrono::{DateTime, Utc};
use jakpreneur_core::enrolment::NewEnrolment;

use crate::crypto::Vault;
use crate::query::{Conn, query};
use crate::{Result, StoreError};

/// The person with this NIK, made if new, inside the caller's transaction. Two
/// enrolments of one new NIK racing each other end with one person: the second insert
/// finds the first's row once it has committed.
pub(crate) async fn person_for(
    tx: &mut (impl Conn + ?Sized),
    vault: &Vault,
    who: &NewEnrolment,
    now: DateTime<Utc>,
) -> Result<i64> {
    let hash = vault.nik_hash(who.nik.as_str());
    let found: Option<i64> = query("SELECT id FROM people WHERE nik_hash = $1")
        .bind(hash.clone())
        .scalar_optional(&mut *tx)
        .await?;
    if let Some(id) = found {
        return Ok(id);
    }
    let inserted: Option<i64> = query(
        "INSERT INTO people (nik_hash, nik_cipher, full_name, birth_date, sex, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (nik_hash) DO NOTHING \
         RETURNING id",
    )
    .bind(hash.clone())
    .bind(vault.encrypt_nik(who.nik.as_str()))
    .bind(who.full_name.clone())
    .bind(who.birth_date)
    .bind(who.sex.as_str())
    .bind(now)
    .scalar_optional(&mut *tx)
    .await?;
    match inserted {
        Some(id) => Ok(id),
        None => query("SELECT id FROM people WHERE nik_hash = $1")
            .bind(hash)
            .scalar_optional(&mut *tx)
            .await?
            .ok_or_else(|| {
                StoreError::Unavailable("an enrolment of this NIK was in flight; retry".into())
            }),
    }
}
