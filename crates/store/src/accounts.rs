//! Accounts, login, browser sessions and API tokens.
//!
//! Passwords are hashed with argon2id (parameters from [`AccountPolicy`]) on a blocking
//! thread. Session and API tokens are 256-bit random values; only their SHA-256 is
//! stored. A failed login never says why: an unknown username, a wrong password, a
//! disabled or a locked account all give [`StoreError::BadCredentials`], after the same
//! argon2 work. After `max_failed_logins` failures in a row an account is locked for
//! `lockout`.

use std::time::Duration;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{DateTime, Utc};
use jakpreneur_core::access::parse_username;
use jakpreneur_core::password::check_password;
use jakpreneur_core::{Actor, FieldError, Nik, Permission, Role, ValidationErrors};
use serde_json::json;

use crate::access::require;
use crate::audit::{self, Change, Who};
use crate::crypto::{random_token, sha256_hex};
use crate::query::{query, query_text};
use crate::{Result, Store, StoreError};

/// Tunables for accounts; the binary fills this from its typed config.
#[derive(Debug, Clone)]
pub struct AccountPolicy {
    /// argon2id memory in KiB, iterations, lanes.
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    pub argon2_parallelism: u32,
    /// A session unused this long ends.
    pub session_idle: Duration,
    /// A session ends this long after login, used or not.
    pub session_absolute: Duration,
    /// Failures in a row before an account is locked.
    pub max_failed_logins: u32,
    pub lockout: Duration,
}

impl Default for AccountPolicy {
    fn default() -> Self {
        Self {
            // OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane.
            argon2_memory_kib: 19 * 1024,
            argon2_iterations: 2,
            argon2_parallelism: 1,
            session_idle: Duration::from_secs(30 * 60),
            session_absolute: Duration::from_secs(12 * 3600),
            max_failed_logins: 5,
            lockout: Duration::from_secs(15 * 60),
        }
    }
}

impl AccountPolicy {
    /// Cheap hashing for tests only: tests create many accounts.
    pub fn for_tests() -> Self {
        Self {
            argon2_memory_kib: 256,
            argon2_iterations: 1,
            ..Self::default()
        }
    }

    fn argon2(&self) -> Result<Argon2<'static>> {
        let params = Params::new(
            self.argon2_memory_kib,
            self.argon2_iterations,
            self.argon2_parallelism,
            None,
        )
        .map_err(|e| StoreError::Key(format!("argon2 parameters: {e}")))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }
}

/// Hashes on a blocking thread: argon2 takes tens of milliseconds by design.
async fn hash_password(policy: &AccountPolicy, password: &str) -> Result<String> {
    let argon2 = policy.argon2()?;
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        argon2
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| StoreError::Key(format!("argon2: {e}")))
    })
    .await
    .map_err(|e| StoreError::Unavailable(format!("hashing task: {e}")))?
}

/// Verifies on a blocking thread. The parameters are read from the stored hash, so
/// hashes made under older parameters still verify.
async fn verify_password(policy: &AccountPolicy, password: &str, stored: &str) -> Result<bool> {
    let argon2 = policy.argon2()?;
    let password = password.to_owned();
    let stored = stored.to_owned();
    tokio::task::spawn_blocking(move || match PasswordHash::new(&stored) {
        Ok(h) => argon2.verify_password(password.as_bytes(), &h).is_ok(),
        Err(_) => false,
    })
    .await
    .map_err(|e| StoreError::Unavailable(format!("hashing task: {e}")))
}

/// An account, without its password hash.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub role: String,
    pub region_code: Option<String>,
    pub member_no: Option<String>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub locked_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub agency_code: Option<String>,
    /// For a partner account: the financing partner it belongs to.
    pub partner_code: Option<String>,
}

impl User {
    pub fn role(&self) -> Result<Role> {
        Role::parse("role", &self.role)
            .map_err(|e| StoreError::Corrupt(format!("user {}: {e}", self.username)))
    }

    fn actor(&self, address: Option<String>) -> Result<Actor> {
        Ok(Actor::for_account(
            self.id,
            &self.username,
            self.role()?,
            self.region_code.as_deref(),
            self.member_no.as_deref(),
            address,
        )
        .with_agency(self.agency_code.clone()))
    }
}

const USER_COLS: &str = "id, username, role, region_code, member_no, disabled_at, locked_until, \
    created_at, agency_code, partner_code";

/// What an account is created with. The password and NIK are checked by [`Store::create_user`].
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub role: String,
    pub region: Option<String>,
    /// For a member account: the member number and the member's NIK, which must match.
    pub member_no: Option<String>,
    pub nik: Option<String>,
    /// The agency (pengampu) a staff account belongs to, e.g. `PPKUKM`.
    pub agency: Option<String>,
    /// For a partner account: the financing partner's code (required, and only there).
    pub partner: Option<String>,
    pub password: String,
}

/// A browser session as the web layer needs it.
#[derive(Debug, Clone)]
pub struct Session {
    /// The cookie value; only its hash is stored.
    pub token: String,
    pub csrf_token: String,
    pub actor: Actor,
}

/// An API token's record (the token itself is shown once, at creation).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApiToken {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Session `last_seen_at` is written at most this often.
const TOUCH_EVERY: Duration = Duration::from_secs(60);

fn chrono_dur(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

impl Store {
    /// Creates an account. Every problem is named by field: username taken or malformed,
    /// role unknown, region missing or at the wrong level, member link not matching,
    /// password too short or guessable.
    pub async fn create_user(
        &self,
        actor: &Actor,
        new: &NewUser,
        policy: &AccountPolicy,
    ) -> Result<User> {
        require(actor, Permission::UserManage)?;
        let mut errs = ValidationErrors::default();
        let username = errs.take(parse_username("username", &new.username));
        let role = errs.take(Role::parse("role", &new.role));
        let region = role
            .and_then(|r| errs.take(r.check_region("region", new.region.as_deref())))
            .flatten();
        if let Some(u) = &username {
            errs.take(check_password("password", &new.password, u));
        }
        let agency = match new
            .agency
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
        {
            None => None,
            Some(a) => {
                let code = a.to_uppercase();
                if jakpreneur_core::programme::programmes()
                    .agency(&code)
                    .is_none()
                {
                    errs.push(FieldError::new(
                        "agency",
                        "agency_unknown",
                        format!("agency {a:?} is not one of the programme's agencies"),
                    ));
                }
                Some(code)
            }
        };
        let member_no = match (role, &new.member_no) {
            (Some(Role::Member), Some(no)) => {
                let nik = new.nik.as_deref().map(Nik::parse);
                match nik {
                    Some(Ok(nik)) => {
                        let vault = self.vault()?;
                        let hash = vault.nik_hash(nik.as_str());
                        let found: Option<String> = query(
                            "SELECT member_no FROM members WHERE \
                            member_no = $1 AND nik_hash = $2 AND erased_at IS NULL",
                        )
                        .bind(no.trim())
                        .bind(hash)
                        .scalar_optional(self.read())
                        .await?;
                        if found.is_none() {
                            errs.push(FieldError::new(
                                "member_no",
                                "member_not_matched",
                                "no member has this member number together with this NIK",
                            ));
                        }
                        found
                    }
                    Some(Err(e)) => {
                        errs.push(e);
                        None
                    }
                    None => {
                        errs.push(FieldError::required("nik"));
                        None
                    }
                }
            }
            (Some(Role::Member), None) => {
                errs.push(FieldError::new(
                    "member_no",
                    "required",
                    "a member account needs the member number and NIK of its member",
                ));
                None
            }
            (Some(_), Some(_)) => {
                errs.push(FieldError::new(
                    "member_no",
                    "member_not_allowed",
                    "only a member account is linked to a member",
                ));
                None
            }
            _ => None,
        };
        let partner = new
            .partner
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_uppercase);
        match (role, &partner) {
            (Some(Role::Partner), Some(code)) => {
                let known: Option<String> =
                    query("SELECT code FROM financing_partners WHERE code = $1")
                        .bind(code)
                        .scalar_optional(self.read())
                        .await?;
                if known.is_none() {
                    errs.push(FieldError::new(
                        "partner",
                        "partner_unknown",
                        format!("no financing partner has the code {code}"),
                    ));
                }
            }
            (Some(Role::Partner), None) => errs.push(FieldError::new(
                "partner",
                "required",
                "a partner account needs the code of its financing partner",
            )),
            (Some(_), Some(_)) => errs.push(FieldError::new(
                "partner",
                "partner_not_allowed",
                "only a partner account belongs to a financing partner",
            )),
            _ => {}
        }
        let (Some(username), Some(role), true) = (username, role, errs.is_empty()) else {
            return Err(StoreError::Invalid(errs));
        };
        let hash = hash_password(policy, &new.password).await?;
        let now = Utc::now();
        let insert = format!(
            "INSERT INTO users (username, password_hash, role, region_code, member_no, \
             password_changed_at, created_at, agency_code, partner_code) VALUES ($1, $2, $3, $4, \
             $5, $6, $6, $7, $8) RETURNING {USER_COLS}"
        );
        let outcome: Result<User> = {
            async {
                let mut tx = self.begin().await?;
                let user: User = query_text(insert)
                    .bind(&username)
                    .bind(hash)
                    .bind(role.as_str())
                    .bind(region.as_ref().map(|r| r.as_str().to_owned()))
                    .bind(member_no)
                    .bind(now)
                    .bind(agency)
                    .bind(&partner)
                    .fetch_one(&mut tx)
                    .await?;
                let change = Change {
                    who: Who::from(actor),
                    action: "user.create",
                    record_type: "user",
                    record_id: user.username.clone(),
                    before: None,
                    after: Some(json!({
                        "username": user.username, "role": user.role,
                        "region_code": user.region_code, "member_no": user.member_no,
                        "agency_code": user.agency_code, "partner_code": user.partner_code,
                    })),
                };
                audit::append(&mut tx, now, std::slice::from_ref(&change)).await?;
                tx.commit().await?;
                Ok(user)
            }
            .await
        };
        match outcome {
            Err(e) if e.is_unique_violation() => {
                let taken = self.user_by_name(&username).await?.is_some();
                let field = if taken {
                    FieldError::new("username", "username_taken", "this username is taken")
                } else {
                    FieldError::new(
                        "member_no",
                        "member_has_account",
                        "this member already has an account",
                    )
                };
                Err(StoreError::Invalid(field.into()))
            }
            other => other,
        }
    }

    async fn user_by_name(&self, username: &str) -> Result<Option<User>> {
        let q = format!("SELECT {USER_COLS} FROM users WHERE username = $1");
        query_text(q)
            .bind(username.trim().to_lowercase())
            .fetch_optional(self.read())
            .await
    }

    /// How many accounts exist (the first start creates an administrator when none do).
    pub async fn count_users(&self) -> Result<i64> {
        query("SELECT COUNT(*) FROM users")
            .scalar(self.read())
            .await
    }

    pub async fn list_users(&self, actor: &Actor) -> Result<Vec<User>> {
        require(actor, Permission::UserManage)?;
        let q = format!("SELECT {USER_COLS} FROM users ORDER BY username");
        query_text(q).fetch_all(self.read()).await
    }

    /// Disables an account: its sessions end and its tokens stop working at once.
    pub async fn disable_user(&self, actor: &Actor, username: &str) -> Result<User> {
        require(actor, Permission::UserManage)?;
        let username = username.trim().to_lowercase();
        let now = Utc::now();
        let q = format!(
            "UPDATE users SET disabled_at = COALESCE(disabled_at, $1), version = version + 1 \
             WHERE username = $2 RETURNING {USER_COLS}"
        );
        let user: Option<User> = {
            let mut tx = self.begin().await?;
            let user: Option<User> = query_text(q)
                .bind(now)
                .bind(&username)
                .fetch_optional(&mut tx)
                .await?;
            if let Some(u) = &user {
                query("DELETE FROM sessions WHERE user_id = $1")
                    .bind(u.id)
                    .execute(&mut tx)
                    .await?;
                let change = Change {
                    who: Who::from(actor),
                    action: "user.disable",
                    record_type: "user",
                    record_id: u.username.clone(),
                    before: None,
                    after: Some(json!({ "disabled_at": u.disabled_at })),
                };
                audit::append(&mut tx, now, std::slice::from_ref(&change)).await?;
            }
            tx.commit().await?;
            user
        };
        user.ok_or(StoreError::NotFound)
    }

    /// Checks a username and password and opens a session. Any failure is
    /// [`StoreError::BadCredentials`], whatever the reason.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        address: Option<String>,
        policy: &AccountPolicy,
    ) -> Result<Session> {
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
        let Some(row) = row else {
            // The same argon2 work as for a real account, so timing does not tell.
            let _ = hash_password(policy, password).await?;
            return Err(StoreError::BadCredentials);
        };
        let ok = verify_password(policy, password, &row.password_hash).await?;
        let locked = row.user.locked_until.is_some_and(|t| t > now);
        if row.user.disabled_at.is_some() || locked {
            return Err(StoreError::BadCredentials);
        }
        if !ok {
            // Counted in SQL, so failures racing in parallel each count.
            let max = policy.max_failed_logins as i32;
            let until = now + chrono_dur(policy.lockout);
            let (failures, lock): (i32, bool) = {
                let mut tx = self.begin().await?;
                let failures: i32 = query(
                    "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING \
                        failed_logins",
                )
                .bind(row.user.id)
                .scalar(&mut tx)
                .await?;
                let lock = failures >= max;
                if lock {
                    query("UPDATE users SET failed_logins = 0, locked_until = $1 WHERE id = $2")
                        .bind(until)
                        .bind(row.user.id)
                        .execute(&mut tx)
                        .await?;
                    let change = Change {
                        who: Who {
                            user_id: None,
                            name: "anonymous".into(),
                            address: address.clone(),
                        },
                        action: "user.lock",
                        record_type: "user",
                        record_id: row.user.username.clone(),
                        before: None,
                        after: Some(json!({ "locked_until": until, "failures": failures })),
                    };
                    audit::append(&mut tx, now, std::slice::from_ref(&change)).await?;
                }
                tx.commit().await?;
                (failures, lock)
            };
            tracing::debug!(user_id = row.user.id, failures, "failed login");
            if lock {
                tracing::warn!(
                    user_id = row.user.id,
                    "account locked after repeated failed logins"
                );
            }
            return Err(StoreError::BadCredentials);
        }
        let token = random_token("");
        let csrf = random_token("");
        {
            let mut tx = self.begin().await?;
            query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
                .bind(row.user.id)
                .execute(&mut tx)
                .await?;
            query(
                "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, \
                last_seen_at, expires_at) \
                VALUES ($1, $2, $3, $4, $4, $5)",
            )
            .bind(sha256_hex(&token))
            .bind(row.user.id)
            .bind(&csrf)
            .bind(now)
            .bind(now + chrono_dur(policy.session_absolute))
            .execute(&mut tx)
            .await?;
            tx.commit().await?;
        };
        tracing::info!(user_id = row.user.id, "login");
        Ok(Session {
            token,
            csrf_token: csrf,
            actor: row.user.actor(address)?,
        })
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
            cols = USER_COLS
                .split(", ")
                .map(|c| format!("u.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
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
        Ok(Some(Session {
            token: token.to_owned(),
            csrf_token: row.csrf_token,
            actor: row.user.actor(address)?,
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
        let stored: Option<String> = query("SELECT password_hash FROM users WHERE id = $1")
            .bind(user_id)
            .scalar_optional(self.read())
            .await?;
        let stored = stored.ok_or(StoreError::NotFound)?;
        if !verify_password(policy, current, &stored).await? {
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
        if new == current {
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
            audit::append(&mut tx, now, std::slice::from_ref(&change)).await?;
            tx.commit().await?;
        };
        Ok(())
    }

    /// Creates an API token for `username` (an administrator for anyone; others only for
    /// themselves). Returns the record and the token, which is not stored and cannot be
    /// shown again.
    pub async fn create_token(
        &self,
        actor: &Actor,
        username: &str,
        name: &str,
    ) -> Result<(ApiToken, String)> {
        let username = username.trim().to_lowercase();
        if !(actor.can(Permission::UserManage)
            || (actor.can(Permission::TokenOwn) && actor.name == username))
        {
            return Err(StoreError::Forbidden(
                "you may create tokens only for yourself".into(),
            ));
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 80 || name.chars().any(char::is_control) {
            return Err(StoreError::Invalid(
                FieldError::new(
                    "name",
                    "name_invalid",
                    "name must be 1 to 80 printable characters",
                )
                .into(),
            ));
        }
        let user = self.user_by_name(&username).await?.ok_or_else(|| {
            StoreError::Invalid(FieldError::new("username", "user_unknown", "no such user").into())
        })?;
        if user.disabled_at.is_some() {
            return Err(StoreError::Invalid(
                FieldError::new("username", "user_disabled", "the account is disabled").into(),
            ));
        }
        let token = random_token("jpt_");
        let now = Utc::now();
        let id: i64 = {
            let mut tx = self.begin().await?;
            let id: i64 = query(
                "INSERT INTO api_tokens (user_id, name, token_hash, created_at) \
                VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(user.id)
            .bind(name)
            .bind(sha256_hex(&token))
            .bind(now)
            .scalar(&mut tx)
            .await?;
            let change = Change {
                who: Who::from(actor),
                action: "token.create",
                record_type: "api_token",
                record_id: id.to_string(),
                before: None,
                after: Some(json!({ "username": user.username, "name": name })),
            };
            audit::append(&mut tx, now, std::slice::from_ref(&change)).await?;
            tx.commit().await?;
            id
        };
        Ok((
            ApiToken {
                id,
                username: user.username,
                name: name.to_owned(),
                created_at: now,
                last_used_at: None,
                revoked_at: None,
            },
            token,
        ))
    }

    /// Tokens: all for an administrator, otherwise the actor's own.
    pub async fn list_tokens(&self, actor: &Actor) -> Result<Vec<ApiToken>> {
        let all = actor.can(Permission::UserManage);
        let user_id = actor.user_id.unwrap_or(-1);
        query(
            "SELECT t.id, u.username, t.name, t.created_at, t.last_used_at, t.revoked_at \
                FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE ($1 OR t.user_id = $2) \
                ORDER BY t.id",
        )
        .bind(all)
        .bind(user_id)
        .fetch_all(self.read())
        .await
    }

    /// Revokes a token (an administrator any, others their own). Revoking twice is fine.
    pub async fn revoke_token(&self, actor: &Actor, id: i64) -> Result<ApiToken> {
        let all = actor.can(Permission::UserManage);
        let user_id = actor.user_id.unwrap_or(-1);
        let now = Utc::now();
        let found: Option<ApiToken> = {
            let mut tx = self.begin().await?;
            let n = query(
                "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = \
                $2 AND ($3 OR user_id = $4)",
            )
            .bind(now)
            .bind(id)
            .bind(all)
            .bind(user_id)
            .execute(&mut tx)
            .await?;
            if n > 0 {
                let change = Change {
                    who: Who::from(actor),
                    action: "token.revoke",
                    record_type: "api_token",
                    record_id: id.to_string(),
                    before: None,
                    after: None,
                };
                audit::append(&mut tx, now, std::slice::from_ref(&change)).await?;
            }
            let t: Option<ApiToken> = query(
                "SELECT t.id, u.username, t.name, t.created_at, \
                t.last_used_at, t.revoked_at \
                FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1 AND ($2 OR \
                t.user_id = $3)",
            )
            .bind(id)
            .bind(all)
            .bind(user_id)
            .fetch_optional(&mut tx)
            .await?;
            tx.commit().await?;
            t
        };
        found.ok_or(StoreError::NotFound)
    }

    /// The actor behind an API token, if the token is live and its account enabled.
    /// Records when the token was last used (to the minute).
    pub async fn token_actor(&self, token: &str, address: Option<String>) -> Result<Option<Actor>> {
        let hash = sha256_hex(token);
        let q = format!(
            "SELECT {cols}, t.id AS token_id, t.last_used_at FROM api_tokens t JOIN users u ON \
                u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
            cols = USER_COLS
                .split(", ")
                .map(|c| format!("u.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            user: User,
            token_id: i64,
            last_used_at: Option<DateTime<Utc>>,
        }
        let row: Option<Row> = query_text(q)
            .bind(&hash)
            .fetch_optional(self.read())
            .await?;
        let Some(row) = row.filter(|r| r.user.disabled_at.is_none()) else {
            return Ok(None);
        };
        let now = Utc::now();
        if row
            .last_used_at
            .is_none_or(|t| now - t >= chrono_dur(TOUCH_EVERY))
        {
            {
                query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                    .bind(now)
                    .bind(row.token_id)
                    .execute(self.write())
                    .await?;
            };
        }
        row.user.actor(address).map(Some)
    }
}
