//! What the store can say about its own load, for `/metrics`: connection pools, the
//! writes waiting their turn, and the notifications not yet delivered.

use crate::db::Db;
use crate::query::query;
use crate::{Result, Store};

/// One connection pool's use at a moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolUse {
    /// `writer`, `readers` (SQLite) or `main` (PostgreSQL).
    pub pool: &'static str,
    pub open: u32,
    pub idle: u32,
    pub max: u32,
}

/// The store's gauges at a moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gauges {
    pub pools: Vec<PoolUse>,
    /// Registrations queued for SQLite's group commit (always 0 on PostgreSQL).
    pub commit_queue: usize,
    /// Counter changes waiting to be folded into the statistics counters.
    pub pending_counter_rows: i64,
    /// Notifications waiting for delivery (not yet given up on).
    pub outbox_backlog: i64,
}

impl Store {
    pub async fn gauges(&self) -> Result<Gauges> {
        let pools = match &self.db {
            Db::Sqlite(s) => vec![
                PoolUse {
                    pool: "writer",
                    open: s.writer.size(),
                    idle: s.writer.num_idle() as u32,
                    max: s.writer.options().get_max_connections(),
                },
                PoolUse {
                    pool: "readers",
                    open: s.readers.size(),
                    idle: s.readers.num_idle() as u32,
                    max: s.readers.options().get_max_connections(),
                },
            ],
            Db::Postgres(p) => vec![PoolUse {
                pool: "main",
                open: p.size(),
                idle: p.num_idle() as u32,
                max: p.options().get_max_connections(),
            }],
        };
        let commit_queue = match &self.db {
            Db::Sqlite(s) => s.commits.depth(),
            Db::Postgres(_) => 0,
        };
        let outbox_backlog: i64 =
            query("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND attempts < $1")
                .bind(crate::eorder::outbox::MAX_ATTEMPTS)
                .scalar(self.read())
                .await?;
        Ok(Gauges {
            pools,
            commit_queue,
            pending_counter_rows: self.pending_rows().await?,
            outbox_backlog,
        })
    }
}
