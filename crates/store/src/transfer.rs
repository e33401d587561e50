//! Moving a whole installation from SQLite to PostgreSQL (`jakpreneur migrate-data`): every
//! table both schemas have, row for row with the same ids, in one PostgreSQL transaction;
//! then the sequences, the member-number sequences and the audit chains' heads as the
//! PostgreSQL schema keeps them. SQLite's own search indexes (FTS5) are left behind: the
//! PostgreSQL schema indexes the same columns itself.

use std::collections::{BTreeMap, BTreeSet};

use futures_util::TryStreamExt;
use sqlx::postgres::PgArguments;
use sqlx::{Arguments, AssertSqlSafe, Row, TypeInfo, ValueRef};

use crate::db::Db;
use crate::{Result, Store, StoreError};

/// Rows a multi-row INSERT carries at most (fewer for wide tables: PostgreSQL takes 65,535
/// parameters per statement).
const ROWS_PER_INSERT: usize = 500;

/// One copied table and its row count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub table: String,
    pub rows: u64,
}

/// A value as SQLite stored it.
enum Cell {
    Null,
    Text(String),
    Bytes(Vec<u8>),
}

struct Target {
    name: String,
    /// (column, PostgreSQL type) of the columns both schemas have, generated ones left out.
    columns: Vec<(String, String)>,
}

impl Store {
    /// Copies this SQLite store into `target`, a migrated PostgreSQL store that holds no
    /// accounts and no members yet. `progress` hears each table as it is done.
    pub async fn copy_into_postgres(
        &self,
        target: &Store,
        mut progress: impl FnMut(&Copied),
    ) -> Result<Vec<Copied>> {
        let (Db::Sqlite(source), Db::Postgres(pg)) = (&self.db, &target.db) else {
            return Err(StoreError::Unavailable(
                "migrate-data copies a SQLite database into a PostgreSQL one".into(),
            ));
        };
        let (users, members): (i64, i64) = crate::query::query(
            "SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM members)",
        )
        .fetch_one(target.read())
        .await?;
        if users > 0 || members > 0 {
            return Err(StoreError::Unavailable(format!(
                "the PostgreSQL database already holds {users} accounts and {members} members; \
                 migrate-data fills an empty one (create it, run jakpreneur migrate, then this)"
            )));
        }
        let sqlite_tables: BTreeSet<String> = sqlx::query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name <> '_sqlx_migrations' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'",
        )
        .fetch_all(&source.readers)
        .await?
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect();
        let mut tx = pg.begin().await?;
        let order = fk_order(&mut tx, &sqlite_tables).await?;
        let mut targets = Vec::new();
        for name in &order {
            let source_cols: BTreeSet<String> = sqlx::query(AssertSqlSafe(format!(
                "SELECT name FROM pragma_table_info('{name}')"
            )))
            .fetch_all(&source.readers)
            .await?
            .iter()
            .map(|r| r.get::<String, _>(0))
            .collect();
            let columns: Vec<(String, String)> = sqlx::query(
                "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a \
                 JOIN pg_class c ON c.oid = a.attrelid \
                 WHERE c.relname = $1 AND c.relnamespace = current_schema()::regnamespace \
                 AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' \
                 ORDER BY a.attnum",
            )
            .bind(name)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| (r.get::<String, _>(0), r.get::<String, _>(1)))
            .filter(|(c, _)| source_cols.contains(c))
            .collect();
            targets.push(Target {
                name: name.clone(),
                columns,
            });
        }
        // What the PostgreSQL migration filled (reference data, heads, settings) goes, to
        // be replaced by the source's rows.
        let list = order.join(", ");
        sqlx::query(AssertSqlSafe(format!(
            "TRUNCATE {list} RESTART IDENTITY CASCADE"
        )))
        .execute(&mut *tx)
        .await?;
        let mut done = Vec::new();
        for t in &targets {
            let rows = copy_table(&source.readers, &mut tx, t).await?;
            let c = Copied {
                table: t.name.clone(),
                rows,
            };
            progress(&c);
            done.push(c);
        }
        finish_postgres(&mut tx).await?;
        tx.commit().await?;
        Ok(done)
    }
}

/// The tables in an order where every table comes after those it refers to.
async fn fk_order(tx: &mut sqlx::PgConnection, tables: &BTreeSet<String>) -> Result<Vec<String>> {
    let edges: Vec<(String, String)> = sqlx::query(
        "SELECT c.relname::text, p.relname::text FROM pg_constraint k \
         JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid \
         WHERE k.contype = 'f' AND k.connamespace = current_schema()::regnamespace",
    )
    .fetch_all(&mut *tx)
    .await?
    .iter()
    .map(|r| (r.get::<String, _>(0), r.get::<String, _>(1)))
    .collect();
    let present: BTreeSet<String> = sqlx::query(
        "SELECT relname::text FROM pg_class WHERE relkind IN ('r', 'p') \
         AND relnamespace = current_schema()::regnamespace",
    )
    .fetch_all(&mut *tx)
    .await?
    .iter()
    .map(|r| r.get::<String, _>(0))
    .collect();
    let mut needs: BTreeMap<&str, BTreeSet<&str>> = tables
        .iter()
        .filter(|t| present.contains(*t))
        .map(|t| (t.as_str(), BTreeSet::new()))
        .collect();
    for (child, parent) in &edges {
        if child != parent
            && needs.contains_key(parent.as_str())
            && let Some(n) = needs.get_mut(child.as_str())
        {
            n.insert(parent.as_str());
        }
    }
    let mut order = Vec::new();
    while !needs.is_empty() {
        let ready: Vec<&str> = needs
            .iter()
            .filter(|(_, n)| n.iter().all(|p| !needs.contains_key(p)))
            .map(|(t, _)| *t)
            .collect();
        if ready.is_empty() {
            return Err(StoreError::Corrupt(format!(
                "the tables {:?} refer to each other in a cycle",
                needs.keys().collect::<Vec<_>>()
            )));
        }
        for t in ready {
            needs.remove(t);
            order.push(t.to_owned());
        }
    }
    Ok(order)
}

async fn copy_table(
    source: &sqlx::SqlitePool,
    tx: &mut sqlx::PgConnection,
    t: &Target,
) -> Result<u64> {
    if t.columns.is_empty() {
        return Ok(0);
    }
    let cols: Vec<&str> = t.columns.iter().map(|(c, _)| c.as_str()).collect();
    let per_insert = ROWS_PER_INSERT.min(60_000 / cols.len()).max(1);
    // Streamed and written a page at a time, so a table of millions of rows never sits
    // in memory whole.
    let select = format!("SELECT {} FROM {}", cols.join(", "), t.name);
    let mut stream = sqlx::query(AssertSqlSafe(select)).fetch(source);
    let mut page = Vec::with_capacity(PAGE);
    let mut copied = 0u64;
    while let Some(row) = stream.try_next().await? {
        page.push(row);
        if page.len() == PAGE {
            copied += insert_rows(tx, t, &cols, &page, per_insert).await?;
            page.clear();
        }
    }
    copied += insert_rows(tx, t, &cols, &page, per_insert).await?;
    Ok(copied)
}

/// Rows read from SQLite at a time.
const PAGE: usize = 10_000;

/// Inserts `rows` (with `cols`, in order) in multi-row statements.
async fn insert_rows(
    tx: &mut sqlx::PgConnection,
    t: &Target,
    cols: &[&str],
    rows: &[sqlx::sqlite::SqliteRow],
    per_insert: usize,
) -> Result<u64> {
    let mut copied = 0u64;
    for chunk in rows.chunks(per_insert) {
        let mut args = PgArguments::default();
        let mut values = Vec::with_capacity(chunk.len());
        let mut n = 0usize;
        for row in chunk {
            let mut one = Vec::with_capacity(cols.len());
            for (i, (_, ty)) in t.columns.iter().enumerate() {
                n += 1;
                let cell = cell(row, i)?;
                if ty == "bytea" {
                    let bytes = match cell {
                        Cell::Null => None,
                        Cell::Bytes(b) => Some(b),
                        Cell::Text(s) => Some(s.into_bytes()),
                    };
                    args.add(bytes).map_err(sqlx::Error::Encode)?;
                    one.push(format!("${n}"));
                } else {
                    let text = match cell {
                        Cell::Null => None,
                        Cell::Text(s) => Some(s),
                        Cell::Bytes(b) => Some(String::from_utf8_lossy(&b).into_owned()),
                    };
                    args.add(text).map_err(sqlx::Error::Encode)?;
                    one.push(format!("${n}::text::{ty}"));
                }
            }
            values.push(format!("({})", one.join(", ")));
        }
        let sql = format!(
            "INSERT INTO {} ({}) OVERRIDING SYSTEM VALUE VALUES {}",
            t.name,
            cols.join(", "),
            values.join(", ")
        );
        sqlx::query_with(AssertSqlSafe(sql), args)
            .execute(&mut *tx)
            .await?;
        copied += chunk.len() as u64;
    }
    Ok(copied)
}

/// A SQLite value by its stored type (booleans are integers, times text: all become
/// text that PostgreSQL casts to the column's type).
fn cell(row: &sqlx::sqlite::SqliteRow, i: usize) -> Result<Cell> {
    let raw = row.try_get_raw(i)?;
    if raw.is_null() {
        return Ok(Cell::Null);
    }
    let kind = raw.type_info().name().to_ascii_uppercase();
    Ok(match kind.as_str() {
        "INTEGER" | "INT" | "BIGINT" | "BOOLEAN" => {
            Cell::Text(row.try_get::<i64, _>(i)?.to_string())
        }
        "REAL" | "FLOAT" | "DOUBLE" => Cell::Text(row.try_get::<f64, _>(i)?.to_string()),
        "BLOB" => Cell::Bytes(row.try_get::<Vec<u8>, _>(i)?),
        _ => Cell::Text(row.try_get::<String, _>(i)?),
    })
}

/// What PostgreSQL keeps beside the rows: every serial or identity sequence after its
/// highest id, the audit log's global sequence, a head for each of its 16 chains, and the
/// member-number sequences after the counters.
async fn finish_postgres(tx: &mut sqlx::PgConnection) -> Result<()> {
    let serials: Vec<(String, String, String)> = sqlx::query(
        "SELECT c.relname::text, a.attname::text, pg_get_serial_sequence(c.relname::text, a.attname::text) \
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
         WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' \
         AND a.attnum > 0 AND NOT a.attisdropped \
         AND pg_get_serial_sequence(c.relname::text, a.attname::text) IS NOT NULL",
    )
    .fetch_all(&mut *tx)
    .await?
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2)))
    .collect();
    for (table, column, seq) in serials {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT setval('{seq}', COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)"
        )))
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query(
        "SELECT setval('audit_log_seq', (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_log), false)",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO audit_head (id, seq, hash) SELECT g, 0, $1 FROM generate_series(1, 16) AS g \
         WHERE NOT EXISTS (SELECT 1 FROM audit_head h WHERE h.id = g)",
    )
    .bind(crate::audit::GENESIS)
    .execute(&mut *tx)
    .await?;
    crate::members::ensure_member_no_sequences(tx).await
}
