//! Integration tests, one binary. They go through the HTTP router or the CLI as a user
//! would. Every test that touches storage runs on SQLite always and on PostgreSQL when
//! `JAKPRENEUR_TEST_PG` holds a server URL; otherwise its `postgres` variant is reported
//! as ignored, with the reason.

/// For each `async fn name(app: TestApp)`, generates `name::sqlite` and `name::postgres`.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(jakpreneur_testkit::TestApp::sqlite().await).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(not(jp_pg), ignore = "PostgreSQL skipped: set JAKPRENEUR_TEST_PG=postgres://… to run")]
            async fn postgres() {
                super::$name(jakpreneur_testkit::TestApp::postgres().await).await
            }
        }
    )*};
}

mod access;
mod access_eorder;
mod access_programmes;
mod auth;
mod catalogue;
mod cli;
mod concurrency;
mod corrections;
mod crash;
mod disclosure;
mod eorder;
mod errors;
mod facility_pages;
mod finance;
mod import;
mod indicators;
mod job_training_pages;
mod ledger;
mod listing;
mod market;
mod members;
mod mentoring;
mod pages;
mod permits;
mod privacy;
mod programmes;
mod recount;
mod reference;
mod server;
mod snapshots;
mod statistics;
mod statistik_pages;
mod support;
mod targets;
mod training;
mod two_factor;
