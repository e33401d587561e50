//! Connecting, migrating, and running one body of code on either backend.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

pub use crate::query::Backend;
use crate::query::{Exec, Tx, query};
use crate::{Result, StoreError};

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Pool sizes and waits; the defaults suit one server process on a small machine.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// Readers for SQLite; connections in all for PostgreSQL.
    pub max_connections: u32,
    /// How long a writer waits for a SQLite lock held by another process.
    pub busy_timeout: Duration,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self {
            max_connections: 8,
            busy_timeout: Duration::from_secs(10),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct SqlitePools {
    /// SQLite has one writer at a time anyway; one connection avoids lock contention.
    pub writer: SqlitePool,
    pub readers: SqlitePool,
    /// Registrations go through one group-commit task on the writer.
    pub commits: crate::members::group_commit::CommitQueue,
}

#[derive(Debug, Clone)]
pub(crate) enum Db {
    Sqlite(SqlitePools),
    Postgres(PgPool),
}

/// The database behind the product. Cheap to clone (pools are shared).
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) db: Db,
    /// The data key's ciphers; attached after migration by [`Store::attach_key`].
    pub(crate) vault: Option<std::sync::Arc<crate::crypto::Vault>>,
    /// Where product photos are stored; attached by [`Store::with_media`].
    pub(crate) media: Option<std::sync::Arc<crate::media::Media>>,
    /// The open statistics' noise key; loaded with the data key.
    pub(crate) noise: Option<crate::disclosure::Noise>,
}

impl Store {
    /// Stores product photos in `media` from now on.
    pub fn with_media(mut self, media: crate::media::Media) -> Self {
        self.media = Some(std::sync::Arc::new(media));
        self
    }

    pub(crate) fn media(&self) -> Result<&crate::media::Media> {
        self.media
            .as_deref()
            .ok_or_else(|| StoreError::Unavailable("no photo folder is configured".into()))
    }

    /// A stored photo file by its URL name (`<sha256>.<ext>`, `<sha256>.thumb.<ext>`).
    pub async fn media_file(&self, name: &str) -> Result<Option<Vec<u8>>> {
        self.media()?.read(name).await
    }

    /// Opens `url`: `postgres://…` / `postgresql://…`, or `sqlite:PATH`, or a plain file path.
    /// A SQLite file is created if missing.
    pub async fn connect(url: &str, opts: &ConnectOptions) -> Result<Self> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)
                .map_err(|_| StoreError::InvalidUrl(redact_url(url)))?;
            let pool = PgPoolOptions::new()
                .max_connections(opts.max_connections)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(options)
                .await?;
            return Ok(Self {
                db: Db::Postgres(pool),
                vault: None,
                media: None,
                noise: None,
            });
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        if path.is_empty() || path.contains("://") {
            return Err(StoreError::InvalidUrl(redact_url(url)));
        }
        create_private(Path::new(path))?;
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(opts.busy_timeout)
            .pragma("temp_store", "memory")
            .pragma("cache_size", "-32000")
            // Checkpoints run in the background (see `spawn_checkpointer`), not inside a
            // committing writer, whose request would otherwise wait for the fsync.
            .pragma("wal_autocheckpoint", "0")
            // Once the log restarts, its file is cut back to 64 MiB.
            .pragma("journal_size_limit", "67108864")
            // Deleted and overwritten content (an erased member's data, a NIK converted
            // out of the clear) is zeroed in the file, not left in free pages.
            .pragma("secure_delete", "ON");
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(options.clone())
            .await?;
        let readers = SqlitePoolOptions::new()
            .max_connections(opts.max_connections.max(1))
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await?;
        spawn_checkpointer(readers.clone());
        let commits = crate::members::group_commit::CommitQueue::spawn(writer.clone());
        Ok(Self {
            db: Db::Sqlite(SqlitePools {
                writer,
                readers,
                commits,
            }),
            vault: None,
            media: None,
            noise: None,
        })
    }

    pub fn backend(&self) -> Backend {
        match self.db {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies pending migrations, then loads the embedded reference data.
    pub async fn migrate(&self) -> Result<()> {
        match &self.db {
            Db::Sqlite(s) => SQLITE_MIGRATOR.run(&s.writer).await?,
            Db::Postgres(p) => POSTGRES_MIGRATOR.run(p).await?,
        }
        self.sync_reference_data().await?;
        if let Db::Postgres(p) = &self.db {
            let mut conn = p.acquire().await?;
            crate::members::ensure_member_no_sequences(&mut conn).await?;
        }
        self.build_stats_if_missing().await
    }

    /// Refuses to run against a schema older than this binary expects.
    pub async fn check_migrated(&self) -> Result<()> {
        let expected = match self.backend() {
            Backend::Sqlite => SQLITE_MIGRATOR.iter().map(|m| m.version).max(),
            Backend::Postgres => POSTGRES_MIGRATOR.iter().map(|m| m.version).max(),
        }
        .unwrap_or(0);
        const Q: &str = "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success";
        // No migration table yet: nothing applied.
        let applied: i64 = query(Q).scalar(self.read()).await.unwrap_or(0);
        if applied < expected {
            return Err(StoreError::NotMigrated { applied, expected });
        }
        Ok(())
    }

    /// Refreshes the query planner's statistics. Worth running after a bulk load: without
    /// them PostgreSQL may pick a plan that sorts every row a filter matches (measured in
    /// BENCHMARKS.md).
    pub async fn analyze(&self) -> Result<()> {
        query("ANALYZE").execute(self.write()).await?;
        Ok(())
    }

    /// After a bulk load on SQLite: copies the whole write-ahead log into the database file
    /// and empties it, so later transactions do not work beside a log of millions of pages.
    /// Nothing to do on PostgreSQL.
    pub async fn checkpoint(&self) -> Result<()> {
        if let Db::Sqlite(s) = &self.db {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&s.writer)
                .await?;
        }
        Ok(())
    }

    /// Whether registrations are queued for SQLite's one writer (never on PostgreSQL).
    pub(crate) fn registrations_waiting(&self) -> bool {
        match &self.db {
            Db::Sqlite(s) => s.commits.waiting(),
            Db::Postgres(_) => false,
        }
    }

    /// Whether [`Self::close`] has run: background tasks stop then.
    pub fn is_closed(&self) -> bool {
        match &self.db {
            Db::Sqlite(s) => s.writer.is_closed(),
            Db::Postgres(p) => p.is_closed(),
        }
    }

    /// Waits for in-flight queries and closes every connection (and checkpoints SQLite's WAL).
    pub async fn close(&self) {
        match &self.db {
            Db::Sqlite(s) => {
                s.readers.close().await;
                s.writer.close().await;
            }
            Db::Postgres(p) => p.close().await,
        }
    }
}

/// Where a store function's statements run.
impl Store {
    /// Opens a write transaction. On SQLite it is `BEGIN IMMEDIATE` on the one writer
    /// connection: the write lock is taken up front, so a transaction never fails half-way
    /// when another process (a CLI command beside the server) writes at the same time.
    pub(crate) async fn begin(&self) -> Result<Tx> {
        Ok(match &self.db {
            Db::Sqlite(s) => Tx::Sqlite(s.writer.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// A read-only transaction on the readers whose statements all see one snapshot of
    /// the database (PostgreSQL: repeatable read; SQLite: a read transaction in WAL mode),
    /// for a check that reads in several statements while others write.
    pub(crate) async fn begin_read(&self) -> Result<Tx> {
        Ok(match &self.db {
            Db::Sqlite(s) => Tx::Sqlite(s.readers.begin().await?),
            Db::Postgres(p) => Tx::Postgres(
                p.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?,
            ),
        })
    }

    /// The readers, for a statement outside a transaction (on SQLite, never the writer).
    pub(crate) fn read(&self) -> Exec<'_> {
        match &self.db {
            Db::Sqlite(s) => Exec::SqlitePool(&s.readers),
            Db::Postgres(p) => Exec::PgPool(p),
        }
    }

    /// The writer, for a single statement that needs no transaction of its own.
    pub(crate) fn write(&self) -> Exec<'_> {
        match &self.db {
            Db::Sqlite(s) => Exec::SqlitePool(&s.writer),
            Db::Postgres(p) => Exec::PgPool(p),
        }
    }
}

/// Copies the SQLite write-ahead log into the database file every second, beside the
/// writer rather than in its way (a PASSIVE checkpoint never blocks it). Once nobody is
/// reading an old snapshot the log is reset, so it does not grow without bound. Stops
/// when the pool closes.
/// WAL frames (of 4 KiB pages: 64 MiB) after which the checkpointer restarts the log.
const RESTART_AFTER_FRAMES: i64 = 16_384;

fn spawn_checkpointer(readers: SqlitePool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if readers.is_closed() {
                break;
            }
            // Under steady writes a PASSIVE checkpoint never catches up with the last
            // frame, so the log is never restarted and grows without end (seen: 9.8 GB
            // while loading 240,000 demo members). Past 64 MiB of log, a RESTART
            // checkpoint waits for the writer between two transactions and makes the
            // next writer start the log from the beginning.
            let passive: Result<(i64, i64, i64), sqlx::Error> =
                sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
                    .fetch_one(&readers)
                    .await;
            let result = match passive {
                Ok((_, log_frames, _)) if log_frames > RESTART_AFTER_FRAMES => {
                    sqlx::query("PRAGMA wal_checkpoint(RESTART)")
                        .execute(&readers)
                        .await
                        .map(|_| ())
                }
                other => other.map(|_| ()),
            };
            if let Err(e) = result {
                if readers.is_closed() {
                    break;
                }
                tracing::warn!(error = %e, "WAL checkpoint failed");
            }
        }
    });
}

/// A URL fit for an error message: no password.
/// A database URL fit to print: the password (everything before `@`) left out.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://…@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

impl Store {
    /// A consistent copy of the whole SQLite database, taken while others write
    /// (`VACUUM INTO`: one read transaction, a compact new file), into `path`, which must
    /// not exist yet; created 0600. PostgreSQL is backed up with its own tools
    /// (`pg_dump`, docs/operations.md): refused here.
    pub async fn backup_to(&self, path: &Path) -> Result<()> {
        if self.backend() == Backend::Postgres {
            return Err(StoreError::Forbidden(
                "a PostgreSQL database is backed up with pg_dump (docs/operations.md)".into(),
            ));
        }
        if path.exists() {
            return Err(StoreError::Forbidden(format!(
                "{} exists already; a backup never overwrites a file",
                path.display()
            )));
        }
        let target = path.to_str().ok_or_else(|| {
            StoreError::Forbidden(format!("{} is not a UTF-8 path", path.display()))
        })?;
        create_private(path)?;
        // `VACUUM INTO` wants a file that does not exist or is empty: it is empty.
        crate::query::query("VACUUM INTO $1")
            .bind(target.to_owned())
            .execute(self.read())
            .await?;
        Ok(())
    }

    /// Can this store serve? The database answers a read, and the statistics counters
    /// are built in this build's layout (migrations ran). The reason when not, without
    /// the database's address.
    pub async fn ready(&self) -> std::result::Result<(), String> {
        let layout: Option<String> =
            crate::query::query("SELECT value FROM stat_meta WHERE key = 'layout'")
                .scalar_optional(self.read())
                .await
                .map_err(|e| {
                    tracing::warn!(error = %e, "readiness: the database did not answer");
                    "the database does not answer".to_owned()
                })?;
        match layout {
            Some(_) => Ok(()),
            None => Err("the database is not migrated (run `jakpreneur migrate`)".into()),
        }
    }
}

/// A new database file is created readable by its owner alone (0600) before SQLite opens
/// it: it holds personal data. SQLite gives its `-wal` and `-shm` files the same mode. An
/// existing file is left as it is; `:memory:` is no file.
fn create_private(path: &Path) -> Result<()> {
    if path.as_os_str() == ":memory:" || path.exists() {
        return Ok(());
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::Database(sqlx::Error::Io(std::io::Error::new(
            e.kind(),
            format!("creating {}: {e}", path.display()),
        )))),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(
            super::redact_url("postgres://u:secret@h/db"),
            "postgres://…@h/db"
        );
        assert_eq!(super::redact_url("mysql://h/db"), "mysql://h/db");
    }
}
