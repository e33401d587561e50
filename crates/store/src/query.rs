//! One way to run a statement on either backend. A store function builds a [`Query`]
//! (SQL text with `$n` placeholders, which SQLite and PostgreSQL both accept, and the
//! values to bind) and runs it on an [`Exec`]: a transaction ([`Tx`]), a connection, or one
//! of the store's pools. The backend is chosen when the statement runs, so every store
//! function is written once, as a plain `async fn`, and rustfmt formats all of it.
//!
//! ```ignore
//! let mut tx = store.begin().await?;
//! let id: i64 = query("INSERT INTO t (a) VALUES ($1) RETURNING id")
//!     .bind(a)
//!     .scalar(&mut tx)
//!     .await?;
//! tx.commit().await?;
//! ```

use std::borrow::Cow;

use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArguments, PgConnection, PgPool, PgRow};
use sqlx::sqlite::{SqliteArguments, SqliteConnection, SqlitePool, SqliteRow};
use sqlx::{Arguments, AssertSqlSafe, Encode, FromRow, Postgres, Sqlite, Type};

use crate::{Result, StoreError};

/// A value that binds on both backends: any type sqlx encodes for SQLite and PostgreSQL
/// (integers, text, dates, timestamps, bytes, booleans, and `Option`s of them).
pub(crate) trait Bind<'q>:
    Encode<'q, Sqlite> + Type<Sqlite> + Encode<'q, Postgres> + Type<Postgres> + Send
{
}

impl<'q, T> Bind<'q> for T where
    T: Encode<'q, Sqlite> + Type<Sqlite> + Encode<'q, Postgres> + Type<Postgres> + Send
{
}

/// A row type both backends decode (a `sqlx::FromRow` struct or a tuple).
pub(crate) trait Row:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

impl<T> Row for T
where
    T: for<'r> FromRow<'r, SqliteRow>,
    T: for<'r> FromRow<'r, PgRow> + Send + Unpin,
{
}

/// The two databases the store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// An open transaction on either backend. Dropped without [`Tx::commit`], it rolls back.
pub(crate) enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }

    /// Undoes everything the transaction wrote (dropping it does too, but later).
    pub async fn rollback(self) -> Result<()> {
        match self {
            Tx::Sqlite(tx) => tx.rollback().await?,
            Tx::Postgres(tx) => tx.rollback().await?,
        }
        Ok(())
    }

    /// The row lock a read-modify-write needs: ` FOR UPDATE` on PostgreSQL; nothing on
    /// SQLite, whose write transaction (`BEGIN IMMEDIATE`) already holds the only write lock.
    pub fn for_update(&self) -> &'static str {
        match self {
            Tx::Sqlite(_) => "",
            Tx::Postgres(_) => " FOR UPDATE",
        }
    }
}

/// Where a statement runs.
pub(crate) enum Exec<'a> {
    SqlitePool(&'a SqlitePool),
    PgPool(&'a PgPool),
    Sqlite(&'a mut SqliteConnection),
    Postgres(&'a mut PgConnection),
}

/// Something statements run on one after another: a transaction or a connection.
pub(crate) trait Conn: Send {
    fn exec(&mut self) -> Exec<'_>;

    fn backend(&mut self) -> Backend {
        self.exec().backend()
    }
}

impl Exec<'_> {
    pub fn backend(&self) -> Backend {
        match self {
            Exec::SqlitePool(_) | Exec::Sqlite(_) => Backend::Sqlite,
            Exec::PgPool(_) | Exec::Postgres(_) => Backend::Postgres,
        }
    }
}

impl Conn for Tx {
    fn exec(&mut self) -> Exec<'_> {
        match self {
            Tx::Sqlite(tx) => Exec::Sqlite(tx),
            Tx::Postgres(tx) => Exec::Postgres(tx),
        }
    }
}

impl Conn for SqliteConnection {
    fn exec(&mut self) -> Exec<'_> {
        Exec::Sqlite(self)
    }
}

impl Conn for PgConnection {
    fn exec(&mut self) -> Exec<'_> {
        Exec::Postgres(self)
    }
}

impl<'a, C: Conn + ?Sized> From<&'a mut C> for Exec<'a> {
    fn from(c: &'a mut C) -> Self {
        c.exec()
    }
}

/// A statement and the values bound to it, in placeholder order. Each value is encoded
/// for both backends as it is bound (a copy into two small buffers), so that the statement
/// can run on whichever backend the store has.
pub(crate) struct Query {
    sql: Cow<'static, str>,
    sqlite: SqliteArguments,
    pg: PgArguments,
    /// The backend the statement will run on, when its builder knows: values are then
    /// encoded for that backend only (the write path's large statements).
    only: Option<Backend>,
    count: usize,
    /// The first value that failed to encode; reported when the statement runs.
    error: Option<BoxDynError>,
}

/// A statement written in the code.
pub(crate) fn query(sql: &'static str) -> Query {
    Query::new(Cow::Borrowed(sql))
}

/// A statement assembled at run time (list filters, multi-row inserts). Values still go
/// through placeholders: [`Query::arg`] binds one and returns its `$n`.
pub(crate) fn query_text(sql: impl Into<String>) -> Query {
    Query::new(Cow::Owned(sql.into()))
}

/// [`query_text`] for a statement that will run on `backend`: each value is encoded
/// once, for that backend alone (running it on the other is refused).
pub(crate) fn query_text_on(backend: Backend, sql: impl Into<String>) -> Query {
    let mut q = query_text(sql);
    q.only = Some(backend);
    q
}

/// Runs `$call` on the sqlx query built for the backend of `$on`.
macro_rules! run {
    ($self:ident, $on:expr, $build:ident, $call:ident) => {{
        let on: Exec<'_> = $on.into();
        let (sql, sqlite, pg) = $self.into_parts(&on)?;
        match on {
            Exec::SqlitePool(p) => $build::<Sqlite, _, _>(sql, sqlite).$call(p).await?,
            Exec::PgPool(p) => $build::<Postgres, _, _>(sql, pg).$call(p).await?,
            Exec::Sqlite(c) => $build::<Sqlite, _, _>(sql, sqlite).$call(c).await?,
            Exec::Postgres(c) => $build::<Postgres, _, _>(sql, pg).$call(c).await?,
        }
    }};
}

impl Query {
    fn new(sql: Cow<'static, str>) -> Self {
        Self {
            sql,
            sqlite: SqliteArguments::default(),
            pg: PgArguments::default(),
            only: None,
            count: 0,
            error: None,
        }
    }

    /// Binds the next placeholder.
    pub fn bind<'q>(mut self, value: impl Bind<'q>) -> Self {
        self.add(value);
        self
    }

    /// Binds a value and returns its placeholder (`$3`), for SQL assembled at run time.
    pub fn arg<'q>(&mut self, value: impl Bind<'q>) -> String {
        self.add(value);
        format!("${}", self.count)
    }

    /// Binds a value for one use and returns its placeholder: `?` on a statement bound for
    /// SQLite alone ([`query_text_on`]), else `$n`. SQLite's anonymous `?` are numbered
    /// by their place in the text, so every placeholder of such a statement must come
    /// from here, each used once, in the order the text puts them. The reason: sqlx looks
    /// a named `$n` up among all of a statement's parameters, one by one, which makes a
    /// multi-row insert cost the square of its values.
    pub fn arg_once<'q>(&mut self, value: impl Bind<'q>) -> String {
        self.add(value);
        if self.only == Some(Backend::Sqlite) {
            "?".to_owned()
        } else {
            format!("${}", self.count)
        }
    }

    fn add<'q>(&mut self, value: impl Bind<'q>) {
        self.count += 1;
        if self.error.is_some() {
            return;
        }
        let added = match self.only {
            Some(Backend::Sqlite) => self.sqlite.add(value),
            Some(Backend::Postgres) => self.pg.add(value),
            None => self.sqlite.add(&value).and_then(|()| self.pg.add(&value)),
        };
        if let Err(e) = added {
            self.error = Some(e);
        }
    }

    /// The statement's text and values, to run on `on`.
    fn into_parts(
        self,
        on: &Exec<'_>,
    ) -> Result<(Cow<'static, str>, SqliteArguments, PgArguments)> {
        let backend = on.backend();
        if let Some(only) = self.only
            && only != backend
        {
            return Err(StoreError::Corrupt(format!(
                "a statement bound for {} was run on {}",
                only.name(),
                backend.name()
            )));
        }
        match self.error {
            Some(e) => Err(StoreError::Database(sqlx::Error::Encode(e))),
            None => Ok((self.sql, self.sqlite, self.pg)),
        }
    }

    /// Appends SQL text.
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.sql.to_mut().push_str(text);
        self
    }

    /// Rows affected.
    pub async fn execute<'e>(self, on: impl Into<Exec<'e>>) -> Result<u64> {
        let on: Exec<'_> = on.into();
        let (sql, sqlite, pg) = self.into_parts(&on)?;
        let sql = AssertSqlSafe(sql);
        let done = match on {
            Exec::SqlitePool(p) => sqlx::query_with(sql, sqlite)
                .execute(p)
                .await?
                .rows_affected(),
            Exec::PgPool(p) => sqlx::query_with(sql, pg).execute(p).await?.rows_affected(),
            Exec::Sqlite(c) => sqlx::query_with(sql, sqlite)
                .execute(c)
                .await?
                .rows_affected(),
            Exec::Postgres(c) => sqlx::query_with(sql, pg).execute(c).await?.rows_affected(),
        };
        Ok(done)
    }

    pub async fn fetch_one<'e, T: Row>(self, on: impl Into<Exec<'e>>) -> Result<T> {
        Ok(run!(self, on, rows, fetch_one))
    }

    pub async fn fetch_optional<'e, T: Row>(self, on: impl Into<Exec<'e>>) -> Result<Option<T>> {
        Ok(run!(self, on, rows, fetch_optional))
    }

    pub async fn fetch_all<'e, T: Row>(self, on: impl Into<Exec<'e>>) -> Result<Vec<T>> {
        Ok(run!(self, on, rows, fetch_all))
    }

    /// The first column of the one row.
    pub async fn scalar<'e, T>(self, on: impl Into<Exec<'e>>) -> Result<T>
    where
        (T,): Row,
    {
        let (v,): (T,) = self.fetch_one(on).await?;
        Ok(v)
    }

    /// The first column of the row, if there is one.
    pub async fn scalar_optional<'e, T>(self, on: impl Into<Exec<'e>>) -> Result<Option<T>>
    where
        (T,): Row,
    {
        let row: Option<(T,)> = self.fetch_optional(on).await?;
        Ok(row.map(|(v,)| v))
    }

    /// The first column of every row.
    pub async fn scalars<'e, T>(self, on: impl Into<Exec<'e>>) -> Result<Vec<T>>
    where
        (T,): Row,
    {
        let rows: Vec<(T,)> = self.fetch_all(on).await?;
        Ok(rows.into_iter().map(|(v,)| v).collect())
    }
}

/// A row-returning sqlx query for backend `DB`.
fn rows<DB, T, A>(sql: Cow<'static, str>, args: A) -> sqlx::query::QueryAs<'static, DB, T, A>
where
    DB: sqlx::Database,
    A: sqlx::IntoArguments<DB>,
    T: for<'r> FromRow<'r, DB::Row>,
{
    sqlx::query_as_with(AssertSqlSafe(sql), args)
}
