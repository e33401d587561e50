//! One module per subcommand. Every command goes through the same store and core calls
//! as the web API.

mod accounts;
mod audit;
mod backup;
mod bench;
mod bench_catalogue;
mod bench_eorder;
mod bench_reports;
mod bench_scope;
mod bench_search;
mod catalogue;
mod demo;
mod demo_catalogue;
mod demo_eorder;
mod demo_services;
mod demo_trainees;
mod eorder;
mod event;
mod export;
mod import;
mod job_training;
mod keys;
mod member;
mod migrate_data;
mod notify;
mod programme;
mod report;
mod serve;

use std::process::ExitCode;

use anyhow::Context;
use jakpreneur_core::Actor;
use jakpreneur_store::{AccountPolicy, Backend, ConnectOptions, DataKey, NewUser, Store};

use crate::cli::{BenchCommand, Cli, Command, ImportCommand, NotificationsCommand};
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
        Command::Event(cmd) => {
            let store = open(&cfg, false).await?;
            let code = event::run(&store, cmd).await;
            store.close().await;
            code
        }
        Command::User(cmd) => {
            let store = open(&cfg, false).await?;
            let code = accounts::user(&store, &cfg, cmd).await;
            store.close().await;
            code
        }
        Command::Report(cmd) => {
            let store = open(&cfg, false).await?;
            let code = report::run(&store, cmd).await;
            store.close().await;
            code
        }
        Command::Target(cmd) => {
            let store = open(&cfg, false).await?;
            let code = report::target(&store, cmd).await;
            store.close().await;
            code
        }
        Command::Import(cmd) => {
            let store = open(&cfg, false).await?;
            let code = match cmd {
                ImportCommand::Members(args) => {
                    import::run(&store, jakpreneur_store::ImportKind::Members, args).await
                }
                ImportCommand::Events(args) => {
                    import::run(&store, jakpreneur_store::ImportKind::Events, args).await
                }
            };
            store.close().await;
            code
        }
        Command::Export(cmd) => {
            let store = open(&cfg, false).await?;
            let code = export::run(&store, cmd).await;
            store.close().await;
            code
        }
        Command::Stats(cmd) => {
            let store = open(&cfg, false).await?;
            let code = report::stats(&store, cmd).await;
            store.close().await;
            code
        }
        Command::Partner(cmd) => {
            let store = open(&cfg, false).await?;
            let code = accounts::partner(&store, cmd).await;
            store.close().await;
            code
        }
        Command::Notifications(NotificationsCommand::Deliver) => {
            let store = open(&cfg, false).await?;
            let code = notify::deliver(&store, &cfg).await;
            store.close().await;
            code
        }
        Command::Unit(cmd) => {
            let store = open(&cfg, false).await?;
            let code = eorder::unit(&store, cmd).await;
            store.close().await;
            code
        }
        Command::Order(cmd) => {
            let store = open(&cfg, false).await?;
            let code = eorder::order(&store, cmd).await;
            store.close().await;
            code
        }
        Command::Product(cmd) => {
            let store = open(&cfg, false).await?;
            let code = catalogue::product(&store, cmd).await;
            store.close().await;
            code
        }
        Command::Curation(cmd) => {
            let store = open(&cfg, false).await?;
            let code = catalogue::curation(&store, cmd).await;
            store.close().await;
            code
        }
        Command::Token(cmd) => {
            let store = open(&cfg, false).await?;
            let code = accounts::token(&store, cmd).await;
            store.close().await;
            code
        }
        Command::Programme(cmd) => {
            let store = open(&cfg, false).await?;
            let code = programme::run(&store, cmd).await;
            store.close().await;
            code
        }
        Command::Audit(cmd) => {
            let store = open(&cfg, false).await?;
            let code = audit::run(&store, &cfg, cmd).await;
            store.close().await;
            code
        }
        Command::RotateKey => keys::rotate(&cfg).await,
        Command::MigrateData { from, to } => migrate_data::run(&cfg, &from, &to).await,
        Command::Backup { to } => {
            let store = open(&cfg, false).await?;
            let done = store.backup_to(&to).await;
            store.close().await;
            done.with_context(|| format!("backing up to {}", to.display()))?;
            eprintln!(
                "backed up to {} (the data key is not in it: keep the key file too)",
                to.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { from } => backup::restore(&cfg, &from).await,
        Command::Bench(BenchCommand::Register(args)) => {
            bench::register(&cfg, cli.db.is_some(), args).await
        }
        Command::Bench(BenchCommand::Login(args)) => {
            bench::login(&cfg, cli.db.is_some(), args).await
        }
        Command::Bench(BenchCommand::Events(args)) => {
            bench::events(&cfg, cli.db.is_some(), args).await
        }
        Command::Bench(BenchCommand::Scope(args)) => {
            bench_scope::scope(&cfg, cli.db.is_some(), args).await
        }
        Command::Bench(BenchCommand::Catalogue(args)) => {
            bench_catalogue::run(&cfg, cli.db.is_some(), args).await
        }
        Command::Bench(BenchCommand::Eorder(args)) => {
            bench_eorder::run(&cfg, cli.db.is_some(), args).await
        }
        Command::Bench(BenchCommand::Search(args)) => {
            bench_search::run(&cfg, cli.db.is_some(), args).await
        }
        Command::Bench(BenchCommand::Reports(args)) => {
            bench_reports::run(&cfg, cli.db.is_some(), args).await
        }
    }
}

pub async fn connect(cfg: &Config) -> anyhow::Result<Store> {
    let opts = ConnectOptions {
        max_connections: cfg.database.max_connections,
        ..ConnectOptions::default()
    };
    Store::connect(cfg.database.url.expose(), &opts)
        .await
        .with_context(|| "opening the database".to_string())
}

/// Connects, makes sure the schema is current and attaches the data key. SQLite is
/// migrated on start; PostgreSQL only when `migrate_postgres` (the demo), otherwise it
/// must be migrated beforehand with `jakpreneur migrate`.
pub async fn open(cfg: &Config, migrate_postgres: bool) -> anyhow::Result<Store> {
    let store = connect(cfg).await?;
    if store.backend() == Backend::Sqlite || migrate_postgres {
        store.migrate().await.context("migrating the database")?;
    } else {
        store.check_migrated().await?;
    }
    let key = load_key(cfg, &store).await?;
    let media =
        cfg.security.media_dir.clone().unwrap_or_else(|| {
            jakpreneur_store::media::Media::default_dir(cfg.database.url.expose())
        });
    Ok(store
        .attach_key(&key)
        .await?
        .with_media(jakpreneur_store::media::Media::new(media)))
}

pub fn key_path(cfg: &Config) -> std::path::PathBuf {
    cfg.security
        .data_key_file
        .clone()
        .unwrap_or_else(|| DataKey::default_path(cfg.database.url.expose()))
}

/// The data key from its file. A database that has never had a key gets a new one
/// (written owner-only); a database written with a key whose file is missing is an
/// error, never a fresh key that could not read it.
pub(super) async fn load_key(cfg: &Config, store: &Store) -> anyhow::Result<DataKey> {
    let path = key_path(cfg);
    let recorded = store.key_fingerprint().await?;
    if recorded.is_some() || path.exists() {
        if !path.exists() {
            anyhow::bail!(
                "the data key file {} is missing; this database's NIKs were encrypted with the key of fingerprint {}. \
                 Restore the key file (or set JAKPRENEUR__SECURITY__DATA_KEY_FILE)",
                path.display(),
                recorded.unwrap_or_default()
            );
        }
        return Ok(DataKey::load(&path)?);
    }
    let (key, created) = DataKey::load_or_create(&path)?;
    if created {
        eprintln!(
            "Created the data key {} (owner-only). Back it up apart from the database: without it the NIKs cannot be read.",
            path.display()
        );
    }
    Ok(key)
}

/// A file the command writes (an export, a report, a refusals list): created readable by
/// its owner alone (0600), since it may hold personal data; an existing file is
/// truncated and keeps its mode.
pub fn create_private(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Who the command line acts as in the audit log.
pub fn cli_actor() -> Actor {
    let who = std::env::var("USER")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "cli".into());
    Actor::system(&who)
}

/// An administrator and a token for the benchmark's scratch database.
pub async fn bench_token(store: &Store) -> anyhow::Result<String> {
    let policy = AccountPolicy::default();
    store
        .create_user(
            &cli_actor(),
            &NewUser {
                username: "bench-admin".into(),
                role: "admin".into(),
                region: None,
                member_no: None,
                nik: None,
                agency: None,
                partner: None,
                unit: None,
                buyer_role: None,
                password: jakpreneur_store::crypto::random_token(""),
            },
            &policy,
        )
        .await?;
    let (_, token) = store
        .create_token(&cli_actor(), "bench-admin", "bench")
        .await?;
    Ok(token)
}
