//! Attaching the data key to a store, converting rows written before NIKs were encrypted,
//! and rotating the key.

use std::sync::Arc;

use chrono::Utc;
use jakpreneur_core::{Actor, Permission};

use crate::access::require;
use crate::audit::{self, Change, Who};
use crate::crypto::{DataKey, Vault};
use crate::db::Backend;
use crate::query::query;
use crate::{Result, Store, StoreError};

const FINGERPRINT: &str = "data_key_fingerprint";

impl Store {
    /// The ciphers of the attached data key.
    pub(crate) fn vault(&self) -> Result<&Arc<Vault>> {
        self.vault
            .as_ref()
            .ok_or_else(|| StoreError::Key("no data key is attached to the store".into()))
    }

    /// Attaches the data key. The first key attached to a database is recorded by its
    /// fingerprint; any other key is refused, so data is never written under two keys.
    /// NIKs of rows written before encryption are then encrypted (and, on SQLite, the file
    /// is vacuumed so the old text leaves it).
    pub async fn attach_key(mut self, key: &DataKey) -> Result<Self> {
        let vault = Vault::new(key);
        let stored: Option<String> = query("SELECT value FROM settings WHERE name = $1")
            .bind(FINGERPRINT)
            .scalar_optional(self.write())
            .await?;
        match stored {
            Some(f) if f == vault.fingerprint() => {}
            Some(f) => {
                return Err(StoreError::Key(format!(
                    "this data key (fingerprint {}) is not the one this database was written with \
                     (fingerprint {f}); point JAKPRENEUR__SECURITY__DATA_KEY_FILE at the right \
                     key file",
                    vault.fingerprint()
                )));
            }
            None => {
                query(
                    "INSERT INTO settings (name, value) VALUES ($1, $2) \
                     ON CONFLICT (name) DO NOTHING",
                )
                .bind(FINGERPRINT)
                .bind(vault.fingerprint())
                .execute(self.write())
                .await?;
            }
        }
        self.vault = Some(Arc::new(vault));
        self.noise = Some(self.load_noise_key().await?);
        self.seal_old_audit_log().await?;
        let converted = self.encrypt_legacy_niks().await?;
        if converted > 0 {
            tracing::info!(converted, "NIKs stored in the clear were encrypted");
            if self.backend() == Backend::Sqlite {
                query("VACUUM").execute(self.write()).await?;
            }
        }
        Ok(self)
    }

    /// Encrypts NIKs left in `nik_legacy` by a database older than encryption.
    async fn encrypt_legacy_niks(&self) -> Result<u64> {
        let vault = self.vault()?;
        let mut total = 0;
        loop {
            let mut tx = self.begin().await?;
            let rows: Vec<(i64, String)> = query(
                "SELECT id, nik_legacy FROM members WHERE nik_legacy IS NOT NULL \
                 ORDER BY id LIMIT 1000",
            )
            .fetch_all(&mut tx)
            .await?;
            for (id, nik) in &rows {
                query(
                    "UPDATE members SET nik_hash = $1, nik_cipher = $2, nik_legacy = NULL \
                     WHERE id = $3",
                )
                .bind(vault.nik_hash(nik))
                .bind(vault.encrypt_nik(nik))
                .bind(id)
                .execute(&mut tx)
                .await?;
            }
            tx.commit().await?;
            let n = rows.len() as u64;
            total += n;
            if n == 0 {
                return Ok(total);
            }
        }
    }

    /// Re-encrypts every NIK, members' and other programmes' people's (and recomputes its
    /// keyed hash), every bank account number and
    /// every authenticator secret under `new_key`, in one transaction, and records the new key's fingerprint. The caller must make the new key
    /// the key file afterwards (see `jakpreneur rotate-key`). Returns the rows re-encrypted.
    pub async fn rotate_key(&mut self, actor: &Actor, new_key: &DataKey) -> Result<u64> {
        require(actor, Permission::UserManage)?;
        let old = self.vault()?;
        let new = Vault::new(new_key);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let rows: Vec<(i64, Vec<u8>)> =
            query("SELECT id, nik_cipher FROM members WHERE nik_cipher IS NOT NULL ORDER BY id")
                .fetch_all(&mut tx)
                .await?;
        // New hashes are HMACs under a fresh key: one meeting an old hash of another
        // row in the unique index would take a SHA-256 collision.
        for (id, cipher) in &rows {
            let nik = old.decrypt_nik(cipher)?;
            query("UPDATE members SET nik_hash = $1, nik_cipher = $2 WHERE id = $3")
                .bind(new.nik_hash(&nik))
                .bind(new.encrypt_nik(&nik))
                .bind(id)
                .execute(&mut tx)
                .await?;
        }
        // People in programmes beside Jakpreneur: their NIK like a member's, so the same
        // NIK still finds the same person (and the member) after the rotation.
        let people: Vec<(i64, Vec<u8>)> =
            query("SELECT id, nik_cipher FROM people WHERE nik_cipher IS NOT NULL ORDER BY id")
                .fetch_all(&mut tx)
                .await?;
        for (id, cipher) in &people {
            let nik = old.decrypt_nik(cipher)?;
            query("UPDATE people SET nik_hash = $1, nik_cipher = $2 WHERE id = $3")
                .bind(new.nik_hash(&nik))
                .bind(new.encrypt_nik(&nik))
                .bind(id)
                .execute(&mut tx)
                .await?;
        }
        let rows_people = people.len();
        // Suppliers' bank account numbers are sealed like NIKs.
        let accounts: Vec<(i64, Vec<u8>)> =
            query("SELECT member_id, account_no_cipher FROM bank_accounts ORDER BY member_id")
                .fetch_all(&mut tx)
                .await?;
        for (member_id, cipher) in &accounts {
            let plain = old.decrypt_nik(cipher)?;
            query("UPDATE bank_accounts SET account_no_cipher = $1 WHERE member_id = $2")
                .bind(new.encrypt_nik(&plain))
                .bind(member_id)
                .execute(&mut tx)
                .await?;
        }
        // Authenticator secrets, enrolled and being enrolled.
        type Sealed = Option<Vec<u8>>;
        let secrets: Vec<(i64, Sealed, Sealed)> = query(
            "SELECT id, totp_secret, totp_pending FROM users WHERE totp_secret IS NOT NULL \
             OR totp_pending IS NOT NULL ORDER BY id",
        )
        .fetch_all(&mut tx)
        .await?;
        for (id, secret, pending) in &secrets {
            let again = |c: &Sealed| -> Result<Sealed> {
                c.as_deref()
                    .map(|c| Ok(new.encrypt_totp(*id, &old.decrypt_totp(*id, c)?)))
                    .transpose()
            };
            query("UPDATE users SET totp_secret = $1, totp_pending = $2 WHERE id = $3")
                .bind(again(secret)?)
                .bind(again(pending)?)
                .bind(id)
                .execute(&mut tx)
                .await?;
        }
        query("UPDATE settings SET value = $1 WHERE name = $2")
            .bind(new.fingerprint())
            .bind(FINGERPRINT)
            .execute(&mut tx)
            .await?;
        let change = Change {
            who: Who::from(actor),
            action: "data_key.rotate",
            record_type: "data_key",
            record_id: new.fingerprint().to_owned(),
            before: Some(serde_json::json!({ "fingerprint": old.fingerprint() })),
            after: Some(
                serde_json::json!({ "fingerprint": new.fingerprint(), "rows": rows.len(), "people": rows_people }),
            ),
        };
        // The log's hashes stay; its seals are made again under the new key.
        audit::reseal(&mut tx, &new).await?;
        audit::append(&mut tx, &new, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        let n = rows.len() as u64;
        self.vault = Some(Arc::new(new));
        Ok(n)
    }

    /// The fingerprint the database records for its data key, if any.
    pub async fn key_fingerprint(&self) -> Result<Option<String>> {
        query("SELECT value FROM settings WHERE name = $1")
            .bind(FINGERPRINT)
            .scalar_optional(self.read())
            .await
    }
}
