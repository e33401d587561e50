//! Login, browser sessions (sliding and absolute expiry, touched at most once a minute)
//! and password changes.

use chrono::{DateTime, Utc};
use jakpreneur_core::password::check_password;
use jakpreneur_core::{Actor, FieldError};
use serde_json::json;

use super::notice::security_notice;
use super::{
    AccountPolicy, LoginStep, Session, TOUCH_EVERY, USER_COLS, USER_COLS_U, User, chrono_dur,
    hash_password, verify_password,
};
use crate::audit::{self, Change, Who};
use crate::crypto::sha256_hex;
use crate::query::{query, query_text};
use crate::{Result, Store, StoreError};

impl Store {
    /// Counts a wrong password for `user` (at login, or as the current password when
    /// changing it); after `max_failed_logins` in a row the account is locked for
    /// `lockout`, and the lock is audited (`user.lock`). Counted in SQL, so failures
    /// racing in parallel each count.
    pub(super) async fn count_password_failure(
        &self,
        user: &User,
        who: Who,
        now: chrono::DateTime<Utc>,
        policy: &AccountPolicy,
    ) -> Result<()> {
        let max = policy.max_failed_logins as i32;
        let until = now + chrono_dur(policy.lockout);
        let mut tx = self.begin().await?;
        let failures: i32 = query(
            "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING \
                failed_logins",
        )
        .bind(user.id)
        .scalar(&mut tx)
        .await?;
        let lock = failures >= max;
        if lock {
            query("UPDATE users SET failed_logins = 0, locked_until = $1 WHERE id = $2")
                .bind(until)
                .bind(user.id)
                .execute(&mut tx)
                .await?;
            let change = Change {
                who,
                action: "user.lock",
                record_type: "user",
                record_id: user.username.clone(),
                before: None,
                after: Some(json!({ "locked_until": until, "failures": failures })),
            };
            audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        }
        tx.commit().await?;
        tracing::debug!(user_id = user.id, failures, "wrong password");
        if lock {
            tracing::warn!(
                user_id = user.id,
                "account locked after repeated wrong passwords"
            );
        }
        Ok(())
    }

    /// Checks a username and password and opens a session, or, for an account with a
    /// second factor, a challenge that [`Store::complete_login`] finishes. Any failure is
    /// [`StoreError::BadCredentials`], whatever the reason.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        address: Option<String>,
        policy: &AccountPolicy,
    ) -> Result<LoginStep> {
        let name = username.trim().to_lowercase();
        let q = format!("SELECT {USER_COLS}, password_hash FROM users WHERE username = $1");
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            user: User,
            password_hash: String,
        }
        let row: Option<Row> = query_text(q)
            .bind(&name)
            .fetch_optional(self.read())
            .await?;
        let now = Utc::now();
        let failed = |account: &str| {
            // On record in the security category: the account tried (or `-` for a name
            // that is no account: it may be a password typed in the wrong box).
            let actor = Actor::anonymous(address.clone());
            let account = account.to_owned();
            async move {
                self.record_security_event(
                    &actor,
                    "login_failed",
                    &account,
                    json!({ "route": "/login" }),
                )
                .await
            }
        };
        let Some(row) = row else {
            // The same argon2 work as for a real account, so timing does not tell.
            let _ = hash_password(policy, password).await?;
            failed("-").await?;
            return Err(StoreError::BadCredentials);
        };
        let ok = verify_password(policy, password, &row.password_hash).await?;
        let locked = row.user.locked_until.is_some_and(|t| t > now);
        if row.user.disabled_at.is_some() || locked {
            failed(&row.user.username).await?;
            return Err(StoreError::BadCredentials);
        }
        if !ok {
            failed(&row.user.username).await?;
            let who = Who {
                user_id: None,
                name: "anonymous".into(),
                address: address.clone(),
            };
            self.count_password_failure(&row.user, who, now, policy)
                .await?;
            return Err(StoreError::BadCredentials);
        }
        if row.user.totp_enabled_at.is_some() {
            return Ok(LoginStep::SecondFactor {
                challenge: self.open_challenge(row.user.id, now).await?,
            });
        }
        let due = policy.requires_two_factor(row.user.role()?);
        Ok(LoginStep::Done(
            self.open_session(&row.user, due, address, policy).await?,
        ))
    }

    /// The session behind a cookie value, if it is live: not past its absolute expiry, not
    /// idle too long, its account not disabled.
    pub async fn session(
        &self,
        token: &str,
        address: Option<String>,
        policy: &AccountPolicy,
    ) -> Result<Option<Session>> {
        let hash = sha256_hex(token);
        let q = format!(
            "SELECT {cols}, s.csrf_token, s.last_seen_at, s.expires_at FROM sessions s \
             JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
            cols = USER_COLS_U.as_str()
        );
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            user: User,
            csrf_token: String,
            last_seen_at: DateTime<Utc>,
            expires_at: DateTime<Utc>,
        }
        let row: Option<Row> = query_text(q)
            .bind(&hash)
            .fetch_optional(self.read())
            .await?;
        let Some(row) = row else { return Ok(None) };
        let now = Utc::now();
        let idle_end = row.last_seen_at + chrono_dur(policy.session_idle);
        if now >= row.expires_at || now >= idle_end || row.user.disabled_at.is_some() {
            self.end_session(token).await?;
            return Ok(None);
        }
        if now - row.last_seen_at >= chrono_dur(TOUCH_EVERY) {
            {
                query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                    .bind(now)
                    .bind(&hash)
                    .execute(self.write())
                    .await?;
            };
        }
        let role = row.user.role()?;
        Ok(Some(Session {
            token: token.to_owned(),
            csrf_token: row.csrf_token,
            actor: row.user.actor(address)?,
            two_factor_due: row.user.totp_enabled_at.is_none() && policy.requires_two_factor(role),
        }))
    }

    /// Logout: the session row is deleted, so the cookie is worthless even if kept.
    pub async fn end_session(&self, token: &str) -> Result<()> {
        {
            query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(sha256_hex(token))
                .execute(self.write())
                .await?;
        };
        Ok(())
    }

    /// Changes the actor's own password after checking the current one. Other sessions of
    /// the account end; `keep_session` (the cookie in use) stays.
    pub async fn change_password(
        &self,
        actor: &Actor,
        current: &str,
        new: &str,
        keep_session: Option<&str>,
        policy: &AccountPolicy,
    ) -> Result<()> {
        let user_id = actor
            .user_id
            .ok_or_else(|| StoreError::Forbidden("only an account has a password".into()))?;
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            user: User,
            password_hash: String,
        }
        let row: Option<Row> = query_text(format!(
            "SELECT {USER_COLS}, password_hash FROM users WHERE id = $1"
        ))
        .bind(user_id)
        .fetch_optional(self.read())
        .await?;
        let row = row.ok_or(StoreError::NotFound)?;
        let now = Utc::now();
        // The current password is guessed no more freely than at login: wrong ones count
        // towards the same lock, and a locked account is not checked at all.
        if row.user.locked_until.is_some_and(|t| t > now) {
            return Err(StoreError::Invalid(
                FieldError::new(
                    "current_password",
                    "password_locked",
                    "too many wrong passwords: the account is locked for a while; try later",
                )
                .into(),
            ));
        }
        if !verify_password(policy, current, &row.password_hash).await? {
            self.count_password_failure(&row.user, Who::from(actor), now, policy)
                .await?;
            return Err(StoreError::Invalid(
                FieldError::new(
                    "current_password",
                    "password_wrong",
                    "the current password is wrong",
                )
                .into(),
            ));
        }
        check_password("new_password", new, &actor.name)
            .map_err(|e| StoreError::Invalid(e.into()))?;
        if jakpreneur_core::password::normalize(new)
            == jakpreneur_core::password::normalize(current)
        {
            return Err(StoreError::Invalid(
                FieldError::new(
                    "new_password",
                    "password_unchanged",
                    "the new password must differ from the current one",
                )
                .into(),
            ));
        }
        let hash = hash_password(policy, new).await?;
        let now = Utc::now();
        let keep = keep_session.map(sha256_hex).unwrap_or_default();
        {
            let mut tx = self.begin().await?;
            query(
                "UPDATE users SET password_hash = $1, password_changed_at = $2, version = \
                version + 1 WHERE id = $3",
            )
            .bind(hash)
            .bind(now)
            .bind(user_id)
            .execute(&mut tx)
            .await?;
            query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
                .bind(user_id)
                .bind(&keep)
                .execute(&mut tx)
                .await?;
            let change = Change {
                who: Who::from(actor),
                action: "user.change_password",
                record_type: "user",
                record_id: actor.name.clone(),
                before: None,
                after: None,
            };
            audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
            security_notice(&mut tx, user_id, "Kata sandi akun Anda telah diganti.", now).await?;
            tx.commit().await?;
        };
        Ok(())
    }
}
