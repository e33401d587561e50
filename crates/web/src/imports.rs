//! Imports started from the upload page (`/import`): each runs in a task of its own
//! through `Store::import_file` (the same as `jakpreneur import`), and its page follows
//! its progress. Jobs live in the server's memory, the most recent [`KEPT`] of them. A
//! dry run keeps its file until it is applied (once), so that it needs no second
//! upload; an import drops its file when it ends. What an import wrote is in the database and the audit log, not here; a restart
//! loses only the progress page (running the file again completes it, each row once).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use jakpreneur_core::{Actor, Clock};
use jakpreneur_store::{ImportKind, ImportRequest, ImportSummary, Store, StoreError};

/// Jobs kept (finished or not); the oldest finished one goes first.
const KEPT: usize = 50;

/// One upload's import.
#[derive(Debug)]
pub struct ImportJob {
    pub id: String,
    /// The account that started it: only it sees the job.
    pub owner: String,
    pub kind: ImportKind,
    pub file_name: String,
    pub dry_run: bool,
    /// A dry run's file, until it is applied.
    bytes: Mutex<Option<Arc<Vec<u8>>>>,
    pub started: DateTime<Utc>,
    done: AtomicU64,
    total: AtomicU64,
    outcome: Mutex<Option<JobEnd>>,
}

/// How an import ended.
#[derive(Debug, Clone)]
pub enum JobEnd {
    Done(ImportSummary),
    /// Refused whole before a row was written (the file's type or header row, the
    /// account's rights), with the reason to show.
    Refused(String),
    /// Stopped by the database or the server (logged); rows of batches already
    /// committed stay, and running the file again completes it.
    Failed,
}

impl ImportJob {
    /// Rows written so far and rows to write (0 of 0 while the file is being read).
    pub fn progress(&self) -> (u64, u64) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }

    /// A finished dry run's file, to import it for real: given once.
    pub fn take_file(&self) -> Option<Arc<Vec<u8>>> {
        if !self.dry_run || self.outcome().is_none() {
            return None;
        }
        self.bytes.lock().ok()?.take()
    }

    /// The outcome, once the import has ended.
    pub fn outcome(&self) -> Option<JobEnd> {
        self.outcome.lock().ok().and_then(|o| o.clone())
    }
}

/// What to import: the file, what it holds, and whether only to check it.
#[derive(Debug, Clone)]
pub struct JobFile {
    pub kind: ImportKind,
    pub name: String,
    pub bytes: Arc<Vec<u8>>,
    pub dry_run: bool,
}

/// The jobs of this server.
#[derive(Debug, Default)]
pub struct ImportJobs(Mutex<VecDeque<Arc<ImportJob>>>);

impl ImportJobs {
    /// Starts importing `file` as `actor`; returns the job at once.
    pub fn start(
        &self,
        store: &Store,
        clock: Clock,
        actor: &Actor,
        file: JobFile,
    ) -> Arc<ImportJob> {
        let job = Arc::new(ImportJob {
            id: jakpreneur_store::crypto::random_token("")[..16].to_owned(),
            owner: actor.name.clone(),
            kind: file.kind,
            file_name: file.name,
            dry_run: file.dry_run,
            // Only a dry run keeps its file, for the import that may follow it.
            bytes: Mutex::new(file.dry_run.then(|| file.bytes.clone())),
            started: Utc::now(),
            done: AtomicU64::new(0),
            total: AtomicU64::new(0),
            outcome: Mutex::new(None),
        });
        if let Ok(mut jobs) = self.0.lock() {
            while jobs.len() >= KEPT {
                match jobs.iter().position(|j| j.outcome().is_some()) {
                    Some(i) => {
                        jobs.remove(i);
                    }
                    None => break,
                }
            }
            jobs.push_back(job.clone());
        }
        let (store, actor, running, bytes) =
            (store.clone(), actor.clone(), job.clone(), file.bytes);
        tokio::spawn(async move {
            let req = ImportRequest {
                kind: running.kind,
                file_name: &running.file_name,
                bytes: &bytes,
                dry_run: running.dry_run,
                today: clock.today(),
            };
            let progress = |done: u64, total: u64| {
                running.total.store(total, Ordering::Relaxed);
                running.done.store(done, Ordering::Relaxed);
            };
            let outcome = match store.import_file(&actor, &req, &progress).await {
                Ok(summary) => JobEnd::Done(summary),
                Err(StoreError::Invalid(errs)) => JobEnd::Refused(errs.to_string()),
                Err(StoreError::Forbidden(why)) => JobEnd::Refused(why),
                Err(e) => {
                    tracing::warn!(job = %running.id, error = %e, "an import from the upload page stopped");
                    JobEnd::Failed
                }
            };
            if let Ok(mut o) = running.outcome.lock() {
                *o = Some(outcome);
            }
        });
        job
    }

    /// The job `id` if `owner` started it.
    pub fn get(&self, id: &str, owner: &str) -> Option<Arc<ImportJob>> {
        self.0
            .lock()
            .ok()?
            .iter()
            .find(|j| j.id == id && j.owner == owner)
            .cloned()
    }

    /// `owner`'s jobs, newest first.
    pub fn of(&self, owner: &str) -> Vec<Arc<ImportJob>> {
        self.0.lock().map_or_else(
            |_| Vec::new(),
            |jobs| {
                jobs.iter()
                    .rev()
                    .filter(|j| j.owner == owner)
                    .cloned()
                    .collect()
            },
        )
    }
}
