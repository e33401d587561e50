//! A member creates its own account. First it proves who it is with its member number and
//! its NIK, and gets a six-digit code at the e-mail address on its record (through the
//! notifications outbox, like every message the system sends); then it chooses a username
//! and password and types the code. Codes are stored hashed, last 15 minutes, allow five
//! tries, and at most three are sent to a member in an hour.

use chrono::{DateTime, Duration, Utc};
use jakpreneur_core::access::parse_username;
use jakpreneur_core::password::check_password;
use jakpreneur_core::{Actor, FieldError, Nik, Role};
use serde_json::json;

use super::{AccountPolicy, USER_COLS, User, hash_password};
use crate::audit::{self, Change, Who};
use crate::crypto::{random_bytes, sha256_hex};
use crate::query::{query, query_text};
use crate::{Result, Store, StoreError};

pub const SIGNUP_CODE_MINUTES: i64 = 15;
pub const SIGNUP_MAX_ATTEMPTS: i32 = 5;
pub const SIGNUP_CODES_PER_HOUR: i64 = 3;

/// What the first step did. The page says the same for `Sent` and `NoMatch`, so that the
/// form tells nobody which member numbers and NIKs go together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignupStart {
    Sent,
    NoMatch,
    /// The member has no e-mail address on record: its office creates the account.
    NoEmail,
    /// The member already has an account (sign in, or ask for a password reset).
    HasAccount,
    /// Three codes went to this member in the last hour; no more for now.
    Throttled,
}

fn code_hash(member_id: i64, code: &str) -> String {
    sha256_hex(&format!("member-signup:{member_id}:{code}"))
}

/// Six random digits.
fn new_code() -> String {
    let n = u64::from_le_bytes(random_bytes::<8>()) % 1_000_000;
    format!("{n:06}")
}

impl Store {
    pub async fn start_member_signup(
        &self,
        member_no: &str,
        nik: &Nik,
        now: DateTime<Utc>,
    ) -> Result<SignupStart> {
        let vault = self.vault()?;
        let member_no = member_no.trim().to_uppercase();
        let found: Option<(i64, Option<String>)> = query(
            "SELECT id, email FROM members WHERE member_no = $1 AND nik_hash = $2 \
             AND erased_at IS NULL AND status = 'active'",
        )
        .bind(&member_no)
        .bind(vault.nik_hash(nik.as_str()))
        .fetch_optional(self.read())
        .await?;
        let Some((member_id, email)) = found else {
            return Ok(SignupStart::NoMatch);
        };
        let has_account: Option<i64> = query("SELECT id FROM users WHERE member_no = $1")
            .bind(&member_no)
            .scalar_optional(self.read())
            .await?;
        if has_account.is_some() {
            return Ok(SignupStart::HasAccount);
        }
        if email.is_none() {
            return Ok(SignupStart::NoEmail);
        }
        let recent: i64 =
            query("SELECT COUNT(*) FROM member_signups WHERE member_id = $1 AND created_at > $2")
                .bind(member_id)
                .bind(now - Duration::hours(1))
                .scalar(self.read())
                .await?;
        if recent >= SIGNUP_CODES_PER_HOUR {
            return Ok(SignupStart::Throttled);
        }
        let code = new_code();
        let mut tx = self.begin().await?;
        query(
            "INSERT INTO member_signups (member_id, code_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(member_id)
        .bind(code_hash(member_id, &code))
        .bind(now)
        .bind(now + Duration::minutes(SIGNUP_CODE_MINUTES))
        .execute(&mut tx)
        .await?;
        let body = json!({
            "text": format!(
                "Kode untuk membuat akun Jakpreneur anggota {member_no}: {code}\n\
                 Berlaku {SIGNUP_CODE_MINUTES} menit. Jika Anda tidak memintanya, abaikan pesan ini."
            ),
        });
        crate::eorder::outbox::enqueue(
            &mut tx,
            now,
            "member.signup",
            None,
            &format!("member:{member_no}"),
            "Kode pembuatan akun Jakpreneur",
            &body,
        )
        .await?;
        tx.commit().await?;
        Ok(SignupStart::Sent)
    }

    /// The second step: the code, and the account's username and password. Every problem
    /// is named by field; a wrong code counts against the code's tries.
    pub async fn finish_member_signup(
        &self,
        member_no: &str,
        code: &str,
        username: &str,
        password: &str,
        policy: &AccountPolicy,
        now: DateTime<Utc>,
    ) -> Result<User> {
        let member_no = member_no.trim().to_uppercase();
        let code = code.trim();
        let mut errs = jakpreneur_core::ValidationErrors::default();
        let username = errs.take(parse_username("username", username));
        if let Some(u) = &username {
            errs.take(check_password("password", password, u));
        }
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            errs.push(FieldError::new(
                "code",
                "code_format",
                "the code is six digits",
            ));
        }
        let (Some(username), true) = (username, errs.is_empty()) else {
            return Err(StoreError::Invalid(errs));
        };
        let pending: Option<(i64, i64, String, i32)> = query(
            "SELECT s.id, s.member_id, s.code_hash, s.attempts FROM member_signups s \
             JOIN members m ON m.id = s.member_id WHERE m.member_no = $1 AND s.used_at IS NULL \
             AND s.expires_at > $2 ORDER BY s.id DESC LIMIT 1",
        )
        .bind(&member_no)
        .bind(now)
        .fetch_optional(self.read())
        .await?;
        let refuse = |code: &'static str, message: &str| {
            Err(StoreError::Invalid(
                FieldError::new("code", code, message.to_owned()).into(),
            ))
        };
        let Some((signup_id, member_id, stored, attempts)) = pending else {
            return refuse("code_expired", "no valid code: ask for a new one");
        };
        if attempts >= SIGNUP_MAX_ATTEMPTS {
            return refuse(
                "code_locked",
                "this code was tried too often: ask for a new one",
            );
        }
        if code_hash(member_id, code) != stored {
            query("UPDATE member_signups SET attempts = attempts + 1 WHERE id = $1")
                .bind(signup_id)
                .execute(self.write())
                .await?;
            return refuse("code_wrong", "the code is not right");
        }
        let hash = hash_password(policy, password).await?;
        let insert = format!(
            "INSERT INTO users (username, password_hash, role, member_no, password_changed_at, \
             created_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING {USER_COLS}"
        );
        let outcome: Result<User> = async {
            let mut tx = self.begin().await?;
            // Used once: a second request with the same code finds nothing to use.
            let used =
                query("UPDATE member_signups SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
                    .bind(now)
                    .bind(signup_id)
                    .execute(&mut tx)
                    .await?;
            if used == 0 {
                return Err(StoreError::Invalid(
                    FieldError::new("code", "code_expired", "no valid code: ask for a new one")
                        .into(),
                ));
            }
            let user: User = query_text(insert)
                .bind(&username)
                .bind(hash)
                .bind(Role::Member.as_str())
                .bind(&member_no)
                .bind(now)
                .fetch_one(&mut tx)
                .await?;
            let who = Actor::system(&format!("signup:{member_no}"));
            let change = Change {
                who: Who::from(&who),
                action: "user.signup",
                record_type: "user",
                record_id: user.username.clone(),
                before: None,
                after: Some(json!({ "username": user.username, "member_no": member_no })),
            };
            audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
            tx.commit().await?;
            Ok(user)
        }
        .await;
        match outcome {
            Err(e) if e.is_unique_violation() => Err(self.account_conflict(&username).await?),
            other => other,
        }
    }
}
