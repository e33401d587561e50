//! API tokens: created for an account (shown once, only their SHA-256 stored), listed,
//! revoked, and resolved to the actor they act for.

use chrono::{DateTime, Utc};
use jakpreneur_core::{Actor, FieldError, Permission};
use serde_json::json;

use super::{ApiToken, TOUCH_EVERY, USER_COLS_U, User, chrono_dur};
use crate::audit::{self, Change, Who};
use crate::crypto::{random_token, sha256_hex};
use crate::query::{query, query_text};
use crate::{Result, Store, StoreError};

impl Store {
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
            audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
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
                audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
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
            cols = USER_COLS_U.as_str()
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
