//! What an administrator does to an existing account: give it a new password (after
//! which the person must sign in again), enable it after a disable, and change a staff
//! account's role and region. Each is audited; each ends the account's sessions, since
//! what the account may do has changed.

use chrono::Utc;
use jakpreneur_core::password::check_password;
use jakpreneur_core::{Actor, FieldError, Permission, Role};
use serde_json::json;

use super::{AccountPolicy, USER_COLS, User, hash_password};
use crate::access::require;
use crate::audit::{self, Change, Who};
use crate::query::{Query, query, query_text};
use crate::{Result, Store, StoreError};

/// The roles whose account is defined by a role and a region alone (members, partners and
/// buyers are tied to a member, a partner or a buying unit, and are made anew instead).
const STAFF: [Role; 9] = [
    Role::Admin,
    Role::ProvinceOfficer,
    Role::CityOfficer,
    Role::DistrictOfficer,
    Role::Trainer,
    Role::Mentor,
    Role::Curator,
    Role::ManpowerOfficer,
    Role::Instructor,
];

impl Store {
    /// Sets a new password chosen by an administrator (checked like any password), clears
    /// a lockout, and signs the account out everywhere.
    pub async fn reset_password(
        &self,
        actor: &Actor,
        username: &str,
        password: &str,
        policy: &AccountPolicy,
    ) -> Result<User> {
        require(actor, Permission::UserManage)?;
        let username = username.trim().to_lowercase();
        check_password("password", password, &username)
            .map_err(|e| StoreError::Invalid(e.into()))?;
        let hash = hash_password(policy, password).await?;
        let now = Utc::now();
        let sql = format!(
            "UPDATE users SET password_hash = $1, password_changed_at = $2, failed_logins = 0, \
             locked_until = NULL, version = version + 1 WHERE username = $3 RETURNING {USER_COLS}"
        );
        let update = query_text(sql).bind(hash).bind(now).bind(username.clone());
        self.change_user(actor, &username, "user.reset_password", json!({}), update)
            .await
    }

    /// Lets a disabled account sign in again.
    pub async fn enable_user(&self, actor: &Actor, username: &str) -> Result<User> {
        require(actor, Permission::UserManage)?;
        let username = username.trim().to_lowercase();
        let sql = format!(
            "UPDATE users SET disabled_at = NULL, failed_logins = 0, locked_until = NULL, \
             version = version + 1 WHERE username = $1 RETURNING {USER_COLS}"
        );
        let update = query_text(sql).bind(username.clone());
        self.change_user(actor, &username, "user.enable", json!({}), update)
            .await
    }

    /// Moves a staff account to another role and region (a district officer promoted to
    /// the city, a trainer moving to another city). The region must suit the role.
    pub async fn set_user_role(
        &self,
        actor: &Actor,
        username: &str,
        role: &str,
        region: Option<&str>,
    ) -> Result<User> {
        require(actor, Permission::UserManage)?;
        let username = username.trim().to_lowercase();
        let mut errs = jakpreneur_core::ValidationErrors::default();
        let new_role = errs.take(Role::parse("role", role));
        if let Some(r) = new_role
            && !STAFF.contains(&r)
        {
            errs.push(FieldError::new(
                "role",
                "role_not_staff",
                "only staff roles are changed here; a member, partner or buyer account is made anew",
            ));
        }
        let region = new_role
            .and_then(|r| errs.take(r.check_region("region", region)))
            .flatten();
        if !errs.is_empty() {
            return Err(StoreError::Invalid(errs));
        }
        let current: Option<User> =
            query_text(format!("SELECT {USER_COLS} FROM users WHERE username = $1"))
                .bind(username.clone())
                .fetch_optional(self.read())
                .await?;
        let current = current.ok_or(StoreError::NotFound)?;
        if !STAFF.iter().any(|r| r.as_str() == current.role) {
            return Err(StoreError::Invalid(
                FieldError::new(
                    "role",
                    "role_not_staff",
                    "this account is tied to a member, partner or buying unit; its role stays",
                )
                .into(),
            ));
        }
        let role = new_role.map(Role::as_str).unwrap_or_default().to_owned();
        let region = region.map(|r| r.as_str().to_owned());
        let after = json!({
            "role": role, "region": region,
            "before": { "role": current.role, "region": current.region_code },
        });
        let sql = format!(
            "UPDATE users SET role = $1, region_code = $2, version = version + 1 \
             WHERE username = $3 RETURNING {USER_COLS}"
        );
        let update = query_text(sql)
            .bind(role)
            .bind(region)
            .bind(username.clone());
        self.change_user(actor, &username, "user.role", after, update)
            .await
    }

    /// The enabled accounts of a staff `role` (trainers, mentors) that work where the
    /// actor does — their region and the actor's scope overlap — by username and region:
    /// what a class's trainer or a member's mentor is chosen from. Names only.
    pub async fn staff_for_choice(
        &self,
        actor: &Actor,
        role: Role,
    ) -> Result<Vec<(String, Option<String>)>> {
        require(actor, Permission::EventRecord)?;
        let rows: Vec<(String, Option<String>)> = query(
            "SELECT username, region_code FROM users WHERE role = $1 AND disabled_at IS NULL \
             ORDER BY username",
        )
        .bind(role.as_str())
        .fetch_all(self.read())
        .await?;
        Ok(rows
            .into_iter()
            // An account without a region (none of these roles has one) works anywhere.
            .filter(|(_, region)| region.as_deref().is_none_or(|r| actor.scope.overlaps(r)))
            .collect())
    }

    /// Runs `update` (an UPDATE … RETURNING the account), ends the account's sessions and
    /// appends `action` to the audit log, in one transaction.
    async fn change_user(
        &self,
        actor: &Actor,
        username: &str,
        action: &'static str,
        after: serde_json::Value,
        update: Query,
    ) -> Result<User> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let user: User = update
            .fetch_optional(&mut tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user.id)
            .execute(&mut tx)
            .await?;
        let change = Change {
            who: Who::from(actor),
            action,
            record_type: "user",
            record_id: username.to_owned(),
            before: None,
            after: Some(after),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        Ok(user)
    }
}
