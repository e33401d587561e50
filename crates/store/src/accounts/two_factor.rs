//! Two-factor sign-in with an authenticator app (TOTP, RFC 6238: HMAC-SHA-1, six digits,
//! 30-second steps, one step of clock drift either way) and one-time recovery codes.
//!
//! The secret is 160 random bits, encrypted with the data key and bound to its account.
//! A code is accepted once: the step of the last accepted code is kept, and a code of that
//! step or an earlier one is refused (a replayed code, or one seen over a shoulder).
//! Wrong codes count towards the same lock as wrong passwords. Recovery codes (ten, each
//! about 50 bits) are stored as argon2id hashes and each works once.
//!
//! A sign-in whose password was right and whose account has a second factor opens no
//! session: it leaves a challenge (a random token, only its hash stored, valid
//! [`CHALLENGE_MINUTES`], at most [`CHALLENGE_TRIES`] wrong codes) that the code completes.

use chrono::{DateTime, Utc};
use jakpreneur_core::two_factor::{
    RECOVERY_CODES, SecondFactor, format_recovery, parse_app_code, parse_second_factor,
    recovery_from_bytes,
};
use jakpreneur_core::{Actor, FieldError, Permission};
use serde_json::json;
use totp_rs::{Builder, Secret, Totp};

use super::notice::security_notice;
use super::{AccountPolicy, Session, USER_COLS, User, chrono_dur, hash_password, verify_password};
use crate::access::require;
use crate::audit::{self, Change, Who};
use crate::crypto::{random_bytes, random_token, sha256_hex};
use crate::query::{query, query_text};
use crate::{Result, Store, StoreError};

/// How long the second step of a sign-in may take.
pub const CHALLENGE_MINUTES: i64 = 5;
/// Wrong codes one challenge takes before it is void (the account's lock counts too).
const CHALLENGE_TRIES: i32 = 5;
const ISSUER: &str = "Jakpreneur";

/// Where a sign-in stands after the password.
#[derive(Debug, Clone)]
pub enum LoginStep {
    /// Signed in (the session may still owe an enrolment: [`Session::two_factor_due`]).
    Done(Session),
    /// The password was right; the authenticator's code is awaited. The token goes to the
    /// browser and back with the code.
    SecondFactor { challenge: String },
}

/// What one's own account page shows about the second factor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwoFactorStatus {
    pub enabled_at: Option<DateTime<Utc>>,
    /// The account's role must have one.
    pub required: bool,
    /// An enrolment started and not yet confirmed (its QR code is shown again).
    pub pending: Option<Enrolment>,
    pub recovery_codes_left: i64,
}

/// A secret being enrolled: shown once, as text and as an `otpauth://` address (the QR
/// code), until a code from it is confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolment {
    /// Base32, as authenticator apps take it typed.
    pub secret: String,
    pub uri: String,
}

fn totp(secret: &[u8]) -> Result<Totp> {
    Builder::new()
        .with_secret(secret.to_vec())
        .build()
        .map_err(|e| StoreError::Corrupt(format!("an authenticator secret is unusable: {e}")))
}

fn unix(at: DateTime<Utc>) -> u64 {
    u64::try_from(at.timestamp()).unwrap_or(0)
}

/// The code an authenticator app shows for `secret` (base32) at `at`: for the demo's
/// published accounts (their second step shows it) and for tests; no real account's
/// code is ever shown.
pub fn totp_code(secret: &str, at: DateTime<Utc>) -> Result<String> {
    let bytes = Secret::try_from_base32(secret)
        .map_err(|_| StoreError::Corrupt("the secret is not base32".into()))?;
    Ok(totp(bytes.as_bytes())?.generate(unix(at)).to_string())
}

fn enrolment(username: &str, secret: &[u8]) -> Enrolment {
    let text = Secret::from(secret.to_vec()).to_base32();
    // A username is lower-case letters, digits, `.`, `_` and `-`: nothing to escape but
    // the label's colon.
    let label = format!("{ISSUER}%3A{username}");
    Enrolment {
        uri: format!(
            "otpauth://totp/{label}?secret={text}&issuer={ISSUER}&algorithm=SHA1&digits=6&period=30"
        ),
        secret: text,
    }
}

fn wrong_code() -> StoreError {
    StoreError::Invalid(
        FieldError::new(
            "code",
            "second_factor_wrong",
            "the code is wrong, expired or already used: wait for the next one",
        )
        .into(),
    )
}

fn invalid(e: FieldError) -> StoreError {
    StoreError::Invalid(e.into())
}

#[derive(sqlx::FromRow)]
struct FactorRow {
    #[sqlx(flatten)]
    user: User,
    totp_secret: Option<Vec<u8>>,
    totp_pending: Option<Vec<u8>>,
}

impl Store {
    async fn factor_row(&self, user_id: i64) -> Result<FactorRow> {
        query_text(format!(
            "SELECT {USER_COLS}, totp_secret, totp_pending FROM users WHERE id = $1"
        ))
        .bind(user_id)
        .fetch_optional(self.read())
        .await?
        .ok_or(StoreError::NotFound)
    }

    fn own_account(actor: &Actor) -> Result<i64> {
        actor
            .user_id
            .ok_or_else(|| StoreError::Forbidden("only an account has a second factor".into()))
    }

    /// The second factor of the actor's own account.
    pub async fn two_factor_status(
        &self,
        actor: &Actor,
        policy: &AccountPolicy,
    ) -> Result<TwoFactorStatus> {
        let row = self.factor_row(Self::own_account(actor)?).await?;
        let left: i64 =
            query("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
                .bind(row.user.id)
                .scalar(self.read())
                .await?;
        Ok(TwoFactorStatus {
            enabled_at: row.user.totp_enabled_at,
            required: policy.requires_two_factor(row.user.role()?),
            pending: row
                .totp_pending
                .as_deref()
                .map(|c| {
                    let secret = self.vault()?.decrypt_totp(row.user.id, c)?;
                    Ok::<_, StoreError>(enrolment(&row.user.username, &secret))
                })
                .transpose()?,
            recovery_codes_left: left,
        })
    }

    /// Starts enrolling an authenticator for the actor's own account (or replacing the
    /// one it has, which keeps working until the new one is confirmed).
    pub async fn start_two_factor(&self, actor: &Actor) -> Result<Enrolment> {
        let user_id = Self::own_account(actor)?;
        let secret = random_bytes::<20>();
        query("UPDATE users SET totp_pending = $1 WHERE id = $2")
            .bind(self.vault()?.encrypt_totp(user_id, &secret))
            .bind(user_id)
            .execute(self.write())
            .await?;
        Ok(enrolment(&actor.name, &secret))
    }

    /// Confirms the enrolment with a code from the new secret: the second factor is on (or
    /// replaced), fresh recovery codes are made and returned (shown once), and the
    /// account's other sessions end.
    pub async fn confirm_two_factor(
        &self,
        actor: &Actor,
        code: &str,
        keep_session: Option<&str>,
        policy: &AccountPolicy,
    ) -> Result<Vec<String>> {
        let code = parse_app_code("code", code).map_err(invalid)?;
        let row = self.factor_row(Self::own_account(actor)?).await?;
        let Some(cipher) = row.totp_pending else {
            return Err(invalid(FieldError::new(
                "code",
                "no_enrolment",
                "no authenticator is being added: start again",
            )));
        };
        let secret = self.vault()?.decrypt_totp(row.user.id, &cipher)?;
        let now = Utc::now();
        let Some(step) = totp(&secret)?.check(&code, unix(now)) else {
            return Err(wrong_code());
        };
        let (codes, hashes) = new_recovery_codes(policy).await?;
        let keep = keep_session.map(sha256_hex).unwrap_or_default();
        let mut tx = self.begin().await?;
        // Confirmed only if the pending secret is still the one checked (two tabs).
        let changed = query(
            "UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, \
             totp_enabled_at = $1, totp_last_step = $2, version = version + 1 \
             WHERE id = $3 AND totp_pending = $4",
        )
        .bind(now)
        .bind(i64::try_from(step).unwrap_or(i64::MAX))
        .bind(row.user.id)
        .bind(&cipher)
        .execute(&mut tx)
        .await?;
        if changed != 1 {
            return Err(invalid(FieldError::new(
                "code",
                "no_enrolment",
                "this authenticator was replaced by another enrolment: start again",
            )));
        }
        store_recovery_codes(&mut tx, row.user.id, &hashes, now).await?;
        let what = if row.totp_secret.is_some() {
            "Aplikasi autentikator untuk verifikasi dua langkah akun Anda telah diganti."
        } else {
            "Verifikasi dua langkah telah diaktifkan untuk akun Anda."
        };
        security_notice(&mut tx, row.user.id, what, now).await?;
        query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(row.user.id)
            .bind(&keep)
            .execute(&mut tx)
            .await?;
        let change = Change {
            who: Who::from(actor),
            action: "user.two_factor_enable",
            record_type: "user",
            record_id: row.user.username.clone(),
            before: Some(json!({ "enabled": row.totp_secret.is_some() })),
            after: Some(json!({ "enabled": true, "recovery_codes": codes.len() })),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        Ok(codes)
    }

    /// Replaces the actor's recovery codes (the old ones stop working), on a code from
    /// the authenticator.
    pub async fn renew_recovery_codes(
        &self,
        actor: &Actor,
        code: &str,
        policy: &AccountPolicy,
    ) -> Result<Vec<String>> {
        let row = self.verified_own(actor, code, policy).await?;
        let (codes, hashes) = new_recovery_codes(policy).await?;
        let now = Utc::now();
        let mut tx = self.begin().await?;
        store_recovery_codes(&mut tx, row.user.id, &hashes, now).await?;
        security_notice(
            &mut tx,
            row.user.id,
            "Kode pemulihan baru dibuat untuk akun Anda; kode lama tidak berlaku lagi.",
            now,
        )
        .await?;
        let change = Change {
            who: Who::from(actor),
            action: "user.recovery_codes",
            record_type: "user",
            record_id: row.user.username.clone(),
            before: None,
            after: Some(json!({ "recovery_codes": codes.len() })),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        Ok(codes)
    }

    /// The actor's own account, after a right code from its authenticator.
    async fn verified_own(
        &self,
        actor: &Actor,
        code: &str,
        policy: &AccountPolicy,
    ) -> Result<FactorRow> {
        let code = parse_app_code("code", code).map_err(invalid)?;
        let row = self.factor_row(Self::own_account(actor)?).await?;
        self.check_app_code(&row, &code, Who::from(actor), policy)
            .await?;
        Ok(row)
    }

    /// Turns the actor's second factor off, on a code from the authenticator; refused
    /// where the role requires one.
    pub async fn disable_two_factor(
        &self,
        actor: &Actor,
        code: &str,
        policy: &AccountPolicy,
    ) -> Result<()> {
        let row = self.factor_row(Self::own_account(actor)?).await?;
        if policy.requires_two_factor(row.user.role()?) {
            return Err(invalid(FieldError::new(
                "code",
                "two_factor_required",
                "your role must sign in with a second factor: it cannot be turned off (add \
                 another authenticator instead)",
            )));
        }
        let row = self.verified_own(actor, code, policy).await?;
        self.clear_two_factor(Who::from(actor), &row.user, "user.two_factor_disable")
            .await
    }

    /// An administrator's reset for someone who lost the authenticator and the recovery
    /// codes: the second factor is removed and the account's sessions end; its next
    /// sign-in enrols a new one (where the role requires it).
    pub async fn reset_two_factor(&self, actor: &Actor, username: &str) -> Result<User> {
        require(actor, Permission::UserManage)?;
        let user: User = query_text(format!("SELECT {USER_COLS} FROM users WHERE username = $1"))
            .bind(username.trim().to_lowercase())
            .fetch_optional(self.read())
            .await?
            .ok_or(StoreError::NotFound)?;
        self.clear_two_factor(Who::from(actor), &user, "user.two_factor_reset")
            .await?;
        Ok(user)
    }

    async fn clear_two_factor(&self, who: Who, user: &User, action: &'static str) -> Result<()> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        query(
            "UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_enabled_at = NULL, \
             totp_last_step = NULL, version = version + 1 WHERE id = $1",
        )
        .bind(user.id)
        .execute(&mut tx)
        .await?;
        for sql in [
            "DELETE FROM recovery_codes WHERE user_id = $1",
            "DELETE FROM login_challenges WHERE user_id = $1",
        ] {
            query(sql).bind(user.id).execute(&mut tx).await?;
        }
        let what = if action == "user.two_factor_reset" {
            "Administrator menghapus verifikasi dua langkah akun Anda; pasang aplikasi \
             autentikator lagi saat masuk berikutnya."
        } else {
            "Verifikasi dua langkah akun Anda telah dimatikan."
        };
        security_notice(&mut tx, user.id, what, now).await?;
        if action == "user.two_factor_reset" {
            query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user.id)
                .execute(&mut tx)
                .await?;
        }
        let change = Change {
            who,
            action,
            record_type: "user",
            record_id: user.username.clone(),
            before: Some(json!({ "enabled": true })),
            after: Some(json!({ "enabled": false })),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Enrols `secret` (base32) for `username` without a code: only for the demo's
    /// published accounts, whose key is published with their password.
    pub async fn enrol_two_factor_unconfirmed(
        &self,
        actor: &Actor,
        username: &str,
        secret: &str,
    ) -> Result<()> {
        require(actor, Permission::UserManage)?;
        let bytes = Secret::try_from_base32(secret)
            .map_err(|_| invalid(FieldError::new("secret", "secret_malformed", "not base32")))?;
        totp(bytes.as_bytes())?;
        let user: User = query_text(format!("SELECT {USER_COLS} FROM users WHERE username = $1"))
            .bind(username)
            .fetch_optional(self.read())
            .await?
            .ok_or(StoreError::NotFound)?;
        let now = Utc::now();
        let mut tx = self.begin().await?;
        query(
            "UPDATE users SET totp_secret = $1, totp_pending = NULL, totp_enabled_at = $2, \
             version = version + 1 WHERE id = $3",
        )
        .bind(self.vault()?.encrypt_totp(user.id, bytes.as_bytes()))
        .bind(now)
        .bind(user.id)
        .execute(&mut tx)
        .await?;
        let change = Change {
            who: Who::from(actor),
            action: "user.two_factor_enable",
            record_type: "user",
            record_id: user.username.clone(),
            before: Some(json!({ "enabled": false })),
            after: Some(json!({ "enabled": true, "published_demo_key": true })),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Leaves a challenge for the second step of a sign-in; returns its token.
    pub(super) async fn open_challenge(&self, user_id: i64, now: DateTime<Utc>) -> Result<String> {
        let token = random_token("");
        let mut tx = self.begin().await?;
        // Old challenges of anyone are swept here: each lives five minutes.
        query("DELETE FROM login_challenges WHERE expires_at < $1")
            .bind(now)
            .execute(&mut tx)
            .await?;
        query(
            "INSERT INTO login_challenges (token_hash, user_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(sha256_hex(&token))
        .bind(user_id)
        .bind(now)
        .bind(now + chrono::Duration::minutes(CHALLENGE_MINUTES))
        .execute(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The second step of a sign-in: the challenge left by [`Store::login`] and what was
    /// typed (an authenticator code or a recovery code). A wrong code is a 422 on `code`
    /// and counts towards the account's lock; an expired or unknown challenge is a 422
    /// `challenge_expired` (sign in again).
    pub async fn complete_login(
        &self,
        challenge: &str,
        typed: &str,
        address: Option<String>,
        policy: &AccountPolicy,
    ) -> Result<Session> {
        let expired = || {
            invalid(FieldError::new(
                "code",
                "challenge_expired",
                "this sign-in has expired: sign in with your password again",
            ))
        };
        let hash = sha256_hex(challenge);
        let now = Utc::now();
        let found: Option<(i64, DateTime<Utc>)> =
            query("SELECT user_id, expires_at FROM login_challenges WHERE token_hash = $1")
                .bind(&hash)
                .fetch_optional(self.read())
                .await?;
        let Some((user_id, _)) = found.filter(|(_, expires_at)| *expires_at > now) else {
            return Err(expired());
        };
        let factor = parse_second_factor("code", typed).map_err(invalid)?;
        let row = self.factor_row(user_id).await?;
        if row.user.disabled_at.is_some() || row.user.locked_until.is_some_and(|t| t > now) {
            query("DELETE FROM login_challenges WHERE token_hash = $1")
                .bind(&hash)
                .execute(self.write())
                .await?;
            return Err(StoreError::BadCredentials);
        }
        let who = Who {
            user_id: None,
            name: "anonymous".into(),
            address: address.clone(),
        };
        let checked = match &factor {
            SecondFactor::Code(code) => self.check_app_code(&row, code, who, policy).await,
            SecondFactor::Recovery(code) => {
                self.use_recovery_code(&row, code, who, policy, now).await
            }
        };
        if let Err(e) = checked {
            if matches!(&e, StoreError::Invalid(v) if v.0.iter().any(|f| f.code == "second_factor_wrong"))
            {
                let tries: i32 = query(
                    "UPDATE login_challenges SET failures = failures + 1 WHERE token_hash = $1 \
                     RETURNING failures",
                )
                .bind(&hash)
                .scalar_optional(self.write())
                .await?
                .unwrap_or(CHALLENGE_TRIES);
                if tries >= CHALLENGE_TRIES {
                    query("DELETE FROM login_challenges WHERE token_hash = $1")
                        .bind(&hash)
                        .execute(self.write())
                        .await?;
                }
            }
            return Err(e);
        }
        // One challenge opens one session, even if two browsers raced with it.
        let taken = query("DELETE FROM login_challenges WHERE token_hash = $1")
            .bind(&hash)
            .execute(self.write())
            .await?;
        if taken != 1 {
            return Err(expired());
        }
        self.open_session(&row.user, false, address, policy).await
    }

    /// Checks an authenticator code against the account's secret: right, of a step not used
    /// before. A wrong one is a security event and counts towards the lock.
    async fn check_app_code(
        &self,
        row: &FactorRow,
        code: &str,
        who: Who,
        policy: &AccountPolicy,
    ) -> Result<()> {
        let Some(cipher) = &row.totp_secret else {
            return Err(invalid(FieldError::new(
                "code",
                "two_factor_off",
                "this account has no authenticator",
            )));
        };
        let secret = self.vault()?.decrypt_totp(row.user.id, cipher)?;
        let now = Utc::now();
        let accepted = match totp(&secret)?.check(code, unix(now)) {
            // Taken only if no code of this step or a later one was taken before.
            Some(step) => {
                let step = i64::try_from(step).unwrap_or(i64::MAX);
                query(
                    "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND \
                     (totp_last_step IS NULL OR totp_last_step < $1)",
                )
                .bind(step)
                .bind(row.user.id)
                .execute(self.write())
                .await?
                    == 1
            }
            None => false,
        };
        if accepted {
            return Ok(());
        }
        self.refuse_code(&row.user, who, now, policy).await
    }

    async fn use_recovery_code(
        &self,
        row: &FactorRow,
        code: &str,
        who: Who,
        policy: &AccountPolicy,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let unused: Vec<(i64, String)> = query(
            "SELECT id, code_hash FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL \
             ORDER BY id",
        )
        .bind(row.user.id)
        .fetch_all(self.read())
        .await?;
        let mut matched = None;
        for (id, stored) in &unused {
            if verify_password(policy, code, stored).await? {
                matched = Some(*id);
                break;
            }
        }
        if let Some(id) = matched {
            let mut tx = self.begin().await?;
            let taken =
                query("UPDATE recovery_codes SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
                    .bind(now)
                    .bind(id)
                    .execute(&mut tx)
                    .await?;
            if taken == 1 {
                let change = Change {
                    who: who.clone(),
                    action: "user.recovery_code_used",
                    record_type: "user",
                    record_id: row.user.username.clone(),
                    before: None,
                    after: Some(json!({ "left": unused.len() - 1 })),
                };
                audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
                let what = format!(
                    "Sebuah kode pemulihan dipakai untuk masuk ke akun Anda; tersisa {}.",
                    unused.len() - 1
                );
                security_notice(&mut tx, row.user.id, &what, now).await?;
                tx.commit().await?;
                return Ok(());
            }
        }
        self.refuse_code(&row.user, who, now, policy).await
    }

    /// A wrong second factor: a security event, a count towards the lock, and the refusal.
    async fn refuse_code(
        &self,
        user: &User,
        who: Who,
        now: DateTime<Utc>,
        policy: &AccountPolicy,
    ) -> Result<()> {
        let actor = Actor::anonymous(who.address.clone());
        self.record_security_event(
            &actor,
            "second_factor_failed",
            &user.username,
            json!({ "route": "/login/code" }),
        )
        .await?;
        tracing::warn!(user_id = user.id, "wrong second-factor code");
        self.count_password_failure(user, who, now, policy).await?;
        Err(wrong_code())
    }

    /// A new session for `user`: the end of a sign-in.
    pub(super) async fn open_session(
        &self,
        user: &User,
        two_factor_due: bool,
        address: Option<String>,
        policy: &AccountPolicy,
    ) -> Result<Session> {
        let token = random_token("");
        let csrf = random_token("");
        let now = Utc::now();
        let mut tx = self.begin().await?;
        query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
            .bind(user.id)
            .execute(&mut tx)
            .await?;
        query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, \
             last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $4, $5)",
        )
        .bind(sha256_hex(&token))
        .bind(user.id)
        .bind(&csrf)
        .bind(now)
        .bind(now + chrono_dur(policy.session_absolute))
        .execute(&mut tx)
        .await?;
        tx.commit().await?;
        tracing::info!(user_id = user.id, "login");
        Ok(Session {
            token,
            csrf_token: csrf,
            actor: user.actor(address)?,
            two_factor_due,
        })
    }
}

/// Ten fresh recovery codes, as shown (`k7m2p-x9wq4`), and their argon2id hashes.
async fn new_recovery_codes(policy: &AccountPolicy) -> Result<(Vec<String>, Vec<String>)> {
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    let mut hashes = Vec::with_capacity(RECOVERY_CODES);
    while codes.len() < RECOVERY_CODES {
        // 32 random bytes give 10 unbiased characters but for a vanishing chance.
        if let Some(code) = recovery_from_bytes(&random_bytes::<32>()) {
            hashes.push(hash_password(policy, &code).await?);
            codes.push(format_recovery(&code));
        }
    }
    Ok((codes, hashes))
}

async fn store_recovery_codes(
    tx: &mut crate::query::Tx,
    user_id: i64,
    hashes: &[String],
    now: DateTime<Utc>,
) -> Result<()> {
    query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    for h in hashes {
        query("INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3)")
            .bind(user_id)
            .bind(h)
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}
