//! `jakpreneur serve`: the web pages and API until Ctrl-C or SIGTERM.

use std::process::ExitCode;

use anyhow::Context;
use jakpreneur_web::{AppState, Clock, build_router};

use crate::cli::ServeArgs;
use crate::config::Config;

pub async fn run(cfg: &Config, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let store = super::open(cfg, args.demo).await?;
    if args.demo {
        let have = store.count_members().await?;
        if have == 0 {
            eprintln!("Filling the empty database with demo members…");
            super::demo::run(&store, 10_000, Some(2017)).await?;
        } else {
            eprintln!("The database already holds {have} members; no demo members added.");
        }
    }
    let listen = args.listen.unwrap_or_else(|| cfg.server.listen.clone());
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    eprintln!(
        "Jakpreneur ({} database) serving on http://{addr}/ — API docs at http://{addr}/api/docs/",
        store.backend().name()
    );
    let router = build_router(AppState::new(store.clone(), Clock::System));
    jakpreneur_web::serve(listener, router, shutdown_signal())
        .await
        .context("server failed")?;
    store.close().await;
    eprintln!("Stopped.");
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
