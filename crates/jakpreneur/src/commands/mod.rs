//! One module per subcommand. Every command goes through the same store and core calls
//! as the web API.

mod bench;
mod demo;
mod member;
mod serve;

use std::process::ExitCode;

use anyhow::Context;
use jakpreneur_store::{Backend, ConnectOptions, Store};

use crate::cli::{BenchCommand, Cli, Command};
use crate::config::Config;

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let cfg = Config::load(cli.config.as_deref(), cli.db.as_deref())?;
    match cli.command {
        Command::Serve(args) => serve::run(&cfg, args).await,
        Command::Migrate => {
            let store = connect(&cfg).await?;
            store.migrate().await.context("migrating the database")?;
            println!("{} database is up to date", store.backend().name());
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo(args) => {
            let store = open(&cfg, false).await?;
            demo::run(&store, args.members, args.seed).await?;
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Member(cmd) => {
            let store = open(&cfg, false).await?;
            let code = member::run(&store, cmd).await;
            store.close().await;
            code
        }
        Command::Bench(BenchCommand::Register(args)) => {
            bench::register(&cfg, cli.db.is_some(), args).await
        }
    }
}

pub async fn connect(cfg: &Config) -> anyhow::Result<Store> {
    let opts = ConnectOptions {
        max_connections: cfg.database.max_connections,
        ..ConnectOptions::default()
    };
    Store::connect(&cfg.database.url, &opts)
        .await
        .with_context(|| "opening the database".to_string())
}

/// Connects and makes sure the schema is current: SQLite is migrated on start;
/// PostgreSQL only when `migrate_postgres` (the demo), otherwise it must be migrated
/// beforehand with `jakpreneur migrate`.
pub async fn open(cfg: &Config, migrate_postgres: bool) -> anyhow::Result<Store> {
    let store = connect(cfg).await?;
    if store.backend() == Backend::Sqlite || migrate_postgres {
        store.migrate().await.context("migrating the database")?;
    } else {
        store.check_migrated().await?;
    }
    Ok(store)
}
