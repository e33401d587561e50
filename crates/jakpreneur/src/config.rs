//! The typed configuration: defaults → TOML file → environment
//! (`JAKPRENEUR__SECTION__KEY`) → command-line flags.

use std::path::Path;

use anyhow::Context;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub database: DatabaseConfig,
    pub server: ServerConfig,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// SQLite path or postgres:// URL.
    pub url: String,
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
            url: "jakpreneur.db".into(),
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
            cfg.database.url = db.to_owned();
        }
        Ok(cfg)
    }
}
