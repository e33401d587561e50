//! Throw-away databases for tests and benchmarks: a fresh SQLite file in a temporary
//! directory, or a fresh database on a PostgreSQL server (dropped afterwards).

use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection};

use crate::{Result, StoreError};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A unique database name: prefix, process id, a counter, and the time.
pub fn unique_name(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Creates database `name` on the server of `server_url` and returns a URL to it.
pub async fn create_pg_database(server_url: &str, name: &str) -> Result<String> {
    let opts = PgConnectOptions::from_str(server_url)
        .map_err(|_| StoreError::InvalidUrl(server_url.to_owned()))?;
    let mut conn = PgConnection::connect_with(&opts).await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    let mut url = url_without_db(server_url);
    url.push('/');
    url.push_str(name);
    Ok(url)
}

/// Drops database `name` (closing its remaining connections).
pub async fn drop_pg_database(server_url: &str, name: &str) -> Result<()> {
    let opts = PgConnectOptions::from_str(server_url)
        .map_err(|_| StoreError::InvalidUrl(server_url.to_owned()))?;
    let mut conn = PgConnection::connect_with(&opts).await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
    )))
    .execute(&mut conn)
    .await?;
    conn.close().await?;
    Ok(())
}

/// `postgres://u@h:5432/db?x=y` → `postgres://u@h:5432` (query parameters are not kept).
fn url_without_db(url: &str) -> String {
    let no_query = url.split('?').next().unwrap_or(url);
    let after_scheme = no_query.find("://").map_or(0, |i| i + 3);
    match no_query[after_scheme..].find('/') {
        Some(slash) => no_query[..after_scheme + slash].to_owned(),
        None => no_query.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn strips_database() {
        assert_eq!(
            super::url_without_db("postgres://postgres@127.0.0.1:5432/postgres"),
            "postgres://postgres@127.0.0.1:5432"
        );
        assert_eq!(super::url_without_db("postgres://h"), "postgres://h");
        assert_eq!(
            super::url_without_db("postgres://h/db?sslmode=disable"),
            "postgres://h"
        );
    }
}
