//! Group commit for SQLite registrations. SQLite has one writer; a transaction per
//! registration spends most of its time in BEGIN/COMMIT and in writing the same index
//! pages to the log again and again. One task owns the write path for registrations
//! instead: it takes every registration waiting (up to [`MAX_BATCH`]), writes them in one
//! transaction and answers each caller separately.
//!
//! A NIK already present (or repeated within the batch) is skipped by the INSERT and
//! reported to its caller as a duplicate. Each registration's audit entry is written in
//! the same transaction. Any other failure rolls the whole batch back and
//! each registration is retried alone, so one bad record never sinks the others and
//! nothing is half-written.

use chrono::{DateTime, Utc};
use sqlx::sqlite::SqlitePool;
use tokio::sync::{mpsc, oneshot};

use super::insert::{Prepared, insert_batch_sqlite};
use super::row::MemberRow;
use crate::{Result, StoreError};

pub const MAX_BATCH: usize = 128;

/// `Ok(None)`: the NIK is already registered.
type Reply = Result<Option<MemberRow>>;

#[derive(Debug)]
pub(crate) struct Job {
    member: Prepared,
    reply: oneshot::Sender<Reply>,
}

#[derive(Debug, Clone)]
pub(crate) struct CommitQueue(mpsc::Sender<Job>);

impl CommitQueue {
    pub fn spawn(writer: SqlitePool) -> Self {
        let (tx, mut rx) = mpsc::channel::<Job>(4 * MAX_BATCH);
        tokio::spawn(async move {
            let mut jobs = Vec::with_capacity(MAX_BATCH);
            while rx.recv_many(&mut jobs, MAX_BATCH).await > 0 {
                run(&writer, std::mem::take(&mut jobs)).await;
            }
        });
        Self(tx)
    }

    /// Whether registrations are queued, not yet taken by the writer.
    pub fn waiting(&self) -> bool {
        self.depth() > 0
    }

    /// How many registrations are queued, not yet taken by the writer.
    pub fn depth(&self) -> usize {
        self.0.max_capacity() - self.0.capacity()
    }

    /// Queues a registration and waits for its transaction to commit.
    pub async fn register(&self, member: Prepared) -> Reply {
        let (reply, answer) = oneshot::channel();
        let closed = || StoreError::Unavailable("the SQLite writer has stopped".into());
        self.0
            .send(Job { member, reply })
            .await
            .map_err(|_| closed())?;
        answer.await.map_err(|_| closed())?
    }
}

async fn run(writer: &SqlitePool, jobs: Vec<Job>) {
    let now = Utc::now();
    let members: Vec<&Prepared> = jobs.iter().map(|j| &j.member).collect();
    match write(writer, &members, now).await {
        Ok(outcomes) => {
            for (job, outcome) in jobs.into_iter().zip(outcomes) {
                let _ = job.reply.send(Ok(outcome));
            }
        }
        Err(e) if jobs.len() == 1 => {
            if let Some(job) = jobs.into_iter().next() {
                let _ = job.reply.send(Err(e));
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, size = jobs.len(), "batch rolled back; writing its \
                registrations one by one");
            for job in jobs {
                let r = write(writer, &[&job.member], now)
                    .await
                    .map(|mut v| v.pop().flatten());
                let _ = job.reply.send(r);
            }
        }
    }
}

/// One transaction for all `members`; `None` where the NIK was already on file.
async fn write(
    writer: &SqlitePool,
    members: &[&Prepared],
    now: DateTime<Utc>,
) -> Result<Vec<Option<MemberRow>>> {
    let mut tx = writer.begin_with("BEGIN IMMEDIATE").await?;
    let out = insert_batch_sqlite(&mut tx, members, now).await?;
    tx.commit().await?;
    Ok(out)
}
