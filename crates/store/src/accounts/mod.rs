//! Accounts, login, browser sessions and API tokens.
//!
//! Passwords are hashed with argon2id (parameters from [`AccountPolicy`]) on a blocking
//! thread. Session and API tokens are 256-bit random values; only their SHA-256 is
//! stored. A failed login never says why: an unknown username, a wrong password, a
//! disabled or a locked account all give [`StoreError::BadCredentials`], after the same
//! argon2 work. After `max_failed_logins` failures in a row an account is locked for
//! `lockout`.

mod manage;
mod notice;
mod sessions;
mod signup;
mod tokens;
mod two_factor;

pub use signup::{SIGNUP_CODE_MINUTES, SignupStart};
use std::sync::LazyLock;
use std::time::Duration;
pub use two_factor::{CHALLENGE_MINUTES, Enrolment, LoginStep, TwoFactorStatus, totp_code};

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{DateTime, Utc};
use jakpreneur_core::access::parse_username;
use jakpreneur_core::eorder::BuyerRole;
use jakpreneur_core::password::check_password;
use jakpreneur_core::text::given;
use jakpreneur_core::{Actor, FieldError, Nik, Permission, Role, ValidationErrors};
use serde_json::json;

use crate::access::require;
use crate::audit::{self, Change, Who};
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
    /// Roles that must sign in with a second factor (an authenticator app's code); an
    /// account of such a role without one is sent to enrol before anything else.
    pub two_factor_roles: Vec<Role>,
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
            two_factor_roles: jakpreneur_core::two_factor::REQUIRED_BY_DEFAULT.to_vec(),
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

    /// Whether an account of `role` must sign in with a second factor.
    pub fn requires_two_factor(&self, role: Role) -> bool {
        self.two_factor_roles.contains(&role)
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
pub(super) async fn hash_password(policy: &AccountPolicy, password: &str) -> Result<String> {
    let argon2 = policy.argon2()?;
    let password = jakpreneur_core::password::normalize(password);
    tokio::task::spawn_blocking(move || {
        argon2
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| StoreError::Key(format!("argon2: {e}")))
    })
    .await
    .map_err(|e| StoreError::Unavailable(format!("hashing task: {e}")))?
}

/// Verifies on a blocking thread, the password in Unicode NFC as it was hashed. The
/// parameters are read from the stored hash, so hashes made under older parameters still
/// verify; a hash made before passwords were normalized is tried with the password as
/// typed too.
pub(super) async fn verify_password(
    policy: &AccountPolicy,
    password: &str,
    stored: &str,
) -> Result<bool> {
    let argon2 = policy.argon2()?;
    let normalized = jakpreneur_core::password::normalize(password);
    let typed = (normalized != password).then(|| password.to_owned());
    let stored = stored.to_owned();
    tokio::task::spawn_blocking(move || match PasswordHash::new(&stored) {
        Ok(h) => {
            argon2.verify_password(normalized.as_bytes(), &h).is_ok()
                || typed.is_some_and(|t| argon2.verify_password(t.as_bytes(), &h).is_ok())
        }
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
    /// For a buyer account: its buying unit and its role there.
    pub buyer_unit_code: Option<String>,
    pub buyer_role: Option<String>,
    /// When the account's second factor (an authenticator app) was turned on.
    pub totp_enabled_at: Option<DateTime<Utc>>,
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

pub(super) const USER_COLS: &str = "id, username, role, region_code, member_no, disabled_at, locked_until, \
    created_at, agency_code, partner_code, buyer_unit_code, buyer_role, totp_enabled_at";

/// [`USER_COLS`] under the `u.` alias, for the joins that authenticate every request:
/// built once, not on each request.
pub(super) static USER_COLS_U: LazyLock<String> = LazyLock::new(|| {
    USER_COLS
        .split(", ")
        .map(|c| format!("u.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
});

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
    /// For a buyer account: the buying unit's code and the role there (both required, and
    /// only there).
    pub unit: Option<String>,
    pub buyer_role: Option<String>,
    pub password: String,
}

/// A browser session as the web layer needs it.
#[derive(Debug, Clone)]
pub struct Session {
    /// The cookie value; only its hash is stored.
    pub token: String,
    pub csrf_token: String,
    pub actor: Actor,
    /// The account's role requires a second factor and it has none yet: the session may
    /// only enrol one (or sign out) until it does.
    pub two_factor_due: bool,
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
pub(super) const TOUCH_EVERY: Duration = Duration::from_secs(60);

pub(super) fn chrono_dur(d: Duration) -> chrono::Duration {
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
        let (unit, buyer_role) = self.check_buyer_link(role, new, &mut errs).await?;
        let (Some(username), Some(role), true) = (username, role, errs.is_empty()) else {
            return Err(StoreError::Invalid(errs));
        };
        let hash = hash_password(policy, &new.password).await?;
        let now = Utc::now();
        let insert = format!(
            "INSERT INTO users (username, password_hash, role, region_code, member_no, \
             password_changed_at, created_at, agency_code, partner_code, buyer_unit_code, \
             buyer_role) VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9, $10) RETURNING {USER_COLS}"
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
                    .bind(&unit)
                    .bind(buyer_role.map(|r| r.as_str()))
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
                        "buyer_unit_code": user.buyer_unit_code, "buyer_role": user.buyer_role,
                    })),
                };
                audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
                tx.commit().await?;
                Ok(user)
            }
            .await
        };
        match outcome {
            Err(e) if e.is_unique_violation() => Err(self.account_conflict(&username).await?),
            other => other,
        }
    }

    /// A new account collided with one on file: its username, or else its member (one
    /// account per member), named by field.
    pub(super) async fn account_conflict(&self, username: &str) -> Result<StoreError> {
        let field = if self.user_by_name(username).await?.is_some() {
            FieldError::new("username", "username_taken", "this username is taken")
        } else {
            FieldError::new(
                "member_no",
                "member_has_account",
                "this member already has an account",
            )
        };
        Ok(StoreError::Invalid(field.into()))
    }

    /// A buyer account's unit and role: both required for a buyer, refused for others.
    async fn check_buyer_link(
        &self,
        role: Option<Role>,
        new: &NewUser,
        errs: &mut ValidationErrors,
    ) -> Result<(Option<String>, Option<BuyerRole>)> {
        let unit = given(new.unit.as_deref()).map(str::to_uppercase);
        let buyer_role = given(new.buyer_role.as_deref());
        if role != Some(Role::Buyer) {
            if unit.is_some() {
                errs.push(FieldError::new(
                    "unit",
                    "unit_not_allowed",
                    "only a buyer account belongs to a buying unit",
                ));
            }
            if buyer_role.is_some() {
                errs.push(FieldError::new(
                    "buyer_role",
                    "buyer_role_not_allowed",
                    "only a buyer account has a buyer role",
                ));
            }
            return Ok((None, None));
        }
        let buyer_role = match buyer_role {
            None => {
                errs.push(FieldError::new(
                    "buyer_role",
                    "required",
                    "a buyer account needs its role: pa_kpa, ppk, procurement_officer or treasurer",
                ));
                None
            }
            Some(r) => errs.take(BuyerRole::parse(r)),
        };
        let Some(code) = unit else {
            errs.push(FieldError::new(
                "unit",
                "required",
                "a buyer account needs the code of its buying unit",
            ));
            return Ok((None, buyer_role));
        };
        let known: Option<String> = query("SELECT code FROM buyer_units WHERE code = $1")
            .bind(&code)
            .scalar_optional(self.read())
            .await?;
        if known.is_none() {
            errs.push(FieldError::new(
                "unit",
                "unit_unknown",
                format!("no buying unit has the code {code}"),
            ));
        }
        Ok((Some(code), buyer_role))
    }

    pub(super) async fn user_by_name(&self, username: &str) -> Result<Option<User>> {
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
    /// Sets or clears (`None`) the e-mail address notifications to the account go to.
    pub async fn set_user_email(
        &self,
        actor: &Actor,
        username: &str,
        email: Option<&str>,
    ) -> Result<()> {
        require(actor, Permission::UserManage)?;
        let email = email
            .map(|e| jakpreneur_core::email::parse_email("email", e))
            .transpose()
            .map_err(|e| StoreError::Invalid(e.into()))?;
        let username = username.trim().to_lowercase();
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let n = query("UPDATE users SET email = $1, version = version + 1 WHERE username = $2")
            .bind(email.clone())
            .bind(&username)
            .execute(&mut tx)
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        let change = Change {
            who: Who::from(actor),
            action: "user.email",
            record_type: "user",
            record_id: username,
            before: None,
            after: Some(json!({ "email": email })),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        Ok(())
    }

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
                audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
            }
            tx.commit().await?;
            user
        };
        user.ok_or(StoreError::NotFound)
    }
}
