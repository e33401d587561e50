//! The typed configuration: defaults → TOML file → environment
//! (`JAKPRENEUR__SECTION__KEY`) → command-line flags.

use std::path::{Path, PathBuf};

use anyhow::Context;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub database: DatabaseConfig,
    pub server: ServerConfig,
    pub security: SecurityConfig,
    pub eorder: EorderConfig,
    pub smtp: SmtpConfig,
}

/// e-order: open contracting data and notifications.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EorderConfig {
    /// The prefix of open contracting ids: `ocds-` and six letters or digits, as the Open
    /// Contracting Partnership registers it for a publisher.
    pub ocid_prefix: String,
    /// How notifications are delivered: `log` (the application log; the default), `smtp`
    /// (e-mail through the relay in `[smtp]`) or `none` (kept in the outbox only).
    pub notifications: String,
}

/// The mail relay e-mail notifications are handed to: a mail server on the host or the
/// network that accepts mail from this server without a password (a local MTA such as
/// Postfix, which handles TLS and delivery onward).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    /// The sender: `e-order Jakpreneur <e-order@jakpreneur.example>` or a bare address.
    pub from: String,
    /// Where the server is reached, for the links in the mail (`https://…`, no trailing
    /// slash).
    pub base_url: String,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".to_owned(),
            port: 25,
            from: String::new(),
            base_url: "http://127.0.0.1:8080".to_owned(),
        }
    }
}

impl Default for EorderConfig {
    fn default() -> Self {
        Self {
            ocid_prefix: jakpreneur_web::DEFAULT_OCID_PREFIX.to_owned(),
            notifications: "log".to_owned(),
        }
    }
}

impl EorderConfig {
    /// Refuses a prefix OCDS would not accept, and an unknown channel.
    pub fn check(&self) -> anyhow::Result<()> {
        if !jakpreneur_web::ocds::valid_prefix(&self.ocid_prefix) {
            anyhow::bail!(
                "eorder.ocid_prefix must be `ocds-` and six letters or digits, not {:?}",
                self.ocid_prefix
            );
        }
        if !matches!(self.notifications.as_str(), "log" | "smtp" | "none") {
            anyhow::bail!(
                "eorder.notifications must be `log`, `smtp` or `none`, not {:?}",
                self.notifications
            );
        }
        Ok(())
    }
}

/// A value that must not reach logs or error messages (a database URL may carry a
/// password): `Debug` prints `<redacted>`.
#[derive(Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Accounts, sessions, rate limits and the data key.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecurityConfig {
    /// The data key file (NIK encryption). Default: `jakpreneur.key` beside the SQLite
    /// database, or in the working directory for PostgreSQL. Created on first run.
    pub data_key_file: Option<PathBuf>,
    /// The folder of product photos. Default: `media` beside the SQLite file (or in the
    /// working directory for PostgreSQL). Several servers share it as a mount or sync it
    /// with an S3-compatible bucket (docs/catalogue.md).
    pub media_dir: Option<PathBuf>,
    /// Mark cookies Secure: set when the site is served over HTTPS.
    pub secure_cookies: bool,
    /// argon2id memory (KiB), iterations and lanes.
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    pub argon2_parallelism: u32,
    pub session_idle_minutes: u64,
    pub session_absolute_hours: u64,
    /// Failed logins in a row before an account is locked, and for how long.
    pub max_failed_logins: u32,
    pub lockout_minutes: u64,
    /// Roles that must sign in with a second factor (an authenticator app); by default the
    /// administrators and the province, city and district officers. `[]` turns the
    /// requirement off (every account may still add one).
    pub two_factor_roles: Vec<jakpreneur_core::Role>,
    /// Per client address.
    pub login_attempts_per_minute: u32,
    pub public_requests_per_minute: u32,
    /// Open statistics suppress a district or village count below this (default 5).
    pub public_stats_min_count: i64,
    /// Where signed audit checkpoints are appended (default: `audit-checkpoints.jsonl`
    /// beside the data key file). Keep it, or ship it, away from the database.
    pub audit_checkpoint_file: Option<PathBuf>,
    /// How often the server writes a checkpoint (minutes; 0: only at start).
    pub audit_checkpoint_minutes: u64,
}

impl Default for SecurityConfig {
    fn default() -> Self {
        let p = jakpreneur_store::AccountPolicy::default();
        Self {
            data_key_file: None,
            media_dir: None,
            secure_cookies: false,
            argon2_memory_kib: p.argon2_memory_kib,
            argon2_iterations: p.argon2_iterations,
            argon2_parallelism: p.argon2_parallelism,
            session_idle_minutes: p.session_idle.as_secs() / 60,
            session_absolute_hours: p.session_absolute.as_secs() / 3600,
            max_failed_logins: p.max_failed_logins,
            lockout_minutes: p.lockout.as_secs() / 60,
            two_factor_roles: p.two_factor_roles,
            login_attempts_per_minute: 10,
            public_requests_per_minute: 60,
            public_stats_min_count: 5,
            audit_checkpoint_file: None,
            audit_checkpoint_minutes: 60,
        }
    }
}

impl SecurityConfig {
    pub fn account_policy(&self) -> jakpreneur_store::AccountPolicy {
        use std::time::Duration;
        jakpreneur_store::AccountPolicy {
            argon2_memory_kib: self.argon2_memory_kib,
            argon2_iterations: self.argon2_iterations,
            argon2_parallelism: self.argon2_parallelism,
            session_idle: Duration::from_secs(self.session_idle_minutes * 60),
            session_absolute: Duration::from_secs(self.session_absolute_hours * 3600),
            max_failed_logins: self.max_failed_logins.max(1),
            lockout: Duration::from_secs(self.lockout_minutes * 60),
            two_factor_roles: self.two_factor_roles.clone(),
        }
    }

    pub fn web_settings(&self) -> jakpreneur_web::SecuritySettings {
        jakpreneur_web::SecuritySettings {
            accounts: self.account_policy(),
            limits: jakpreneur_web::security::RateLimits::new(
                self.login_attempts_per_minute,
                self.public_requests_per_minute,
            ),
            secure_cookies: self.secure_cookies,
            public_stats_min_count: self.public_stats_min_count.max(1),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// SQLite path or postgres:// URL.
    pub url: Secret,
    /// Readers (SQLite) or connections (PostgreSQL).
    pub max_connections: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    pub listen: String,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            url: Secret::new("jakpreneur.db"),
            max_connections: 8,
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
        }
    }
}

impl Config {
    pub fn load(file: Option<&Path>, db: Option<&str>) -> anyhow::Result<Self> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(f) => {
                anyhow::ensure!(
                    f.exists(),
                    "configuration file {} does not exist",
                    f.display()
                );
                fig = fig.merge(Toml::file(f));
            }
            None => fig = fig.merge(Toml::file("jakpreneur.toml")),
        }
        fig = fig.merge(Env::prefixed("JAKPRENEUR__").split("__"));
        let mut cfg: Config = fig.extract().context("invalid configuration")?;
        if let Some(db) = db {
            cfg.database.url = Secret::new(db);
        }
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_are_redacted_in_debug() {
        let mut cfg = super::Config::default();
        cfg.database.url = super::Secret::new("postgres://u:hunter2@h/db");
        assert!(!format!("{cfg:?}").contains("hunter2"));
    }
}
