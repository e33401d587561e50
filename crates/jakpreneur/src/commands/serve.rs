//! `jakpreneur serve`: the web pages and API until Ctrl-C or SIGTERM.

use std::process::ExitCode;

use anyhow::Context;
use jakpreneur_core::Clock;
use jakpreneur_store::{NewUser, Store};
use jakpreneur_web::{AppState, build_router};

use crate::cli::ServeArgs;
use crate::config::Config;

/// How often the server rolls the waiting statistics changes up into the counters.
pub(super) const FOLD_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

pub async fn run(cfg: &Config, args: ServeArgs) -> anyhow::Result<ExitCode> {
    cfg.eorder.check()?;
    // A wrong mail setting stops the start before anything is filled or served.
    let channel = super::notify::Channel::from_config(cfg)?;
    let store = super::open(cfg, args.demo).await?;
    store.spawn_folder(FOLD_EVERY);
    let mut demo_filled = false;
    if args.demo {
        let have = store.count_members().await?;
        if have == 0 {
            eprintln!("Filling the empty database with demo members…");
            super::demo::run(&store, 10_000, Some(2017)).await?;
            demo_filled = true;
        } else {
            eprintln!("The database already holds {have} members; no demo members added.");
        }
    }
    // The published demo password only ever guards a database of demo members.
    ensure_accounts(&store, cfg, demo_filled).await?;
    if demo_filled {
        eprintln!("Filling the demo catalogue: products, curation, listings, a bazaar…");
        super::demo_catalogue::run(
            &store,
            &cfg.security.account_policy(),
            DEMO_PASSWORD,
            Clock::System.today(),
            10_000,
        )
        .await?;
        eprintln!("Filling the demo's recent services: classes, permits, mentoring, referrals…");
        super::demo_services::run(&store, Clock::System.today()).await?;
        eprintln!(
            "Filling the demo's job training and placement: trainees, certificates, placements…"
        );
        let (trainees, placed) =
            super::demo_trainees::run(&store, Clock::System.today(), 400).await?;
        eprintln!("  {trainees} trainees enrolled, {placed} placed in work.");
        eprintln!("Filling the demo's e-order market: buying units, packages, a year of orders…");
        super::demo_eorder::run(
            &store,
            &cfg.security.account_policy(),
            DEMO_PASSWORD,
            Clock::System.today(),
        )
        .await?;
        enrol_demo_staff(&store, cfg).await?;
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
    let mut state = AppState::new(store.clone(), Clock::System, cfg.security.web_settings())
        .with_ocid_prefix(&cfg.eorder.ocid_prefix);
    if args.demo {
        state = state.with_demo_two_factor_key(DEMO_TWO_FACTOR_KEY);
    }
    let router = build_router(state);
    super::audit::spawn_checkpoints(
        store.clone(),
        super::audit::checkpoint_file(cfg),
        cfg.security.audit_checkpoint_minutes,
    );
    if !matches!(channel, super::notify::Channel::None) {
        tokio::spawn(super::notify::worker(store.clone(), channel));
    }
    jakpreneur_web::serve(listener, router, shutdown_signal())
        .await
        .context("server failed")?;
    store.close().await;
    eprintln!("Stopped.");
    Ok(ExitCode::SUCCESS)
}

/// The demo database's accounts, documented in the README. All share one password.
pub const DEMO_PASSWORD: &str = "ondel-ondel-kerak-telor";
pub const DEMO_ACCOUNTS: [(&str, &str, Option<&str>); 9] = [
    ("admin", "admin", None),
    ("provinsi", "province_officer", Some("31")),
    ("jakpus", "city_officer", Some("31.71")),
    ("gambir", "district_officer", Some("31.71.01")),
    ("pelatih", "trainer", Some("31.74")),
    ("mitra", "partner", None),
    ("disnaker", "manpower_officer", Some("31")),
    ("sudin.jakpus", "manpower_officer", Some("31.71")),
    ("instruktur", "instructor", Some("31.71.01")),
];

/// The authenticator key of every demo account whose role requires two-step verification
/// (published like the password; base32, 160 bits).
pub const DEMO_TWO_FACTOR_KEY: &str = "JAKPRENEURDEMOKEYONDELONDELKERAK";

/// The demo's staff accounts whose role requires a second factor get the published key,
/// so the demo can be signed into without enrolling a phone first.
async fn enrol_demo_staff(store: &Store, cfg: &Config) -> anyhow::Result<()> {
    let policy = cfg.security.account_policy();
    let actor = super::cli_actor();
    for u in store.list_users(&actor).await? {
        if u.totp_enabled_at.is_none() && policy.requires_two_factor(u.role()?) {
            store
                .enrol_two_factor_unconfirmed(&actor, &u.username, DEMO_TWO_FACTOR_KEY)
                .await
                .with_context(|| format!("enrolling the demo account {}", u.username))?;
        }
    }
    Ok(())
}

/// The demo's financing partners (invented names, except the regional bank); the demo
/// partner account `mitra` belongs to the first.
pub const DEMO_PARTNERS: [(&str, &str, &str); 4] = [
    ("BANKDKI", "Bank DKI", "bank"),
    (
        "KOPJAK",
        "Koperasi Jakpreneur Sejahtera (demo)",
        "cooperative",
    ),
    ("DANAKITA", "Dana Usaha Kita (demo)", "fintech"),
    ("PKE", "Dana Bergulir UMKM (demo)", "government_fund"),
];

/// With no account at all, the server would be unusable: the demo gets its documented
/// accounts; otherwise an administrator is created and its generated password printed
/// once, here and nowhere else.
async fn ensure_accounts(store: &Store, cfg: &Config, demo: bool) -> anyhow::Result<()> {
    if store.count_users().await? > 0 {
        return Ok(());
    }
    let policy = cfg.security.account_policy();
    let actor = super::cli_actor();
    if demo {
        for (code, name, kind) in DEMO_PARTNERS {
            let p = jakpreneur_store::Partner {
                code: code.into(),
                name: name.into(),
                kind: kind.into(),
            };
            match store.create_partner(&actor, &p).await {
                Ok(_) | Err(jakpreneur_store::StoreError::Invalid(_)) => {}
                Err(e) => return Err(e).context("creating the demo financing partners"),
            }
        }
        for (username, role, region) in DEMO_ACCOUNTS {
            store
                .create_user(
                    &actor,
                    &NewUser {
                        username: username.into(),
                        role: role.into(),
                        region: region.map(str::to_owned),
                        member_no: None,
                        nik: None,
                        agency: None,
                        partner: (role == "partner").then(|| DEMO_PARTNERS[0].0.to_owned()),
                        unit: None,
                        buyer_role: None,
                        password: DEMO_PASSWORD.into(),
                    },
                    &policy,
                )
                .await
                .with_context(|| format!("creating the demo account {username}"))?;
        }
        eprintln!(
            "Demo accounts (password {DEMO_PASSWORD:?}): admin, provinsi (province officer), jakpus (Central Jakarta officer), gambir (Gambir district officer), pelatih (trainer, South Jakarta), mitra (financing partner Bank DKI), pendamping (mentor, Central Jakarta), kurator (curator, South Jakarta), disnaker and sudin.jakpus (manpower department, province and Central Jakarta), instruktur (job-training instructor, Gambir), kec.<district> (an officer for each other Central Jakarta district, e.g. kec.menteng); e-order buyers pa.|ppk.|pengadaan.|bendahara. + dppkukm|setda|jakpus|gambir|tarakan|pamjaya; suppliers penjual, penjual2 … penjual12."
        );
    } else {
        let password = jakpreneur_store::crypto::random_token("")[..24].to_owned();
        store
            .create_user(
                &actor,
                &NewUser {
                    username: "admin".into(),
                    role: "admin".into(),
                    region: None,
                    member_no: None,
                    nik: None,
                    agency: None,
                    partner: None,
                    unit: None,
                    buyer_role: None,
                    password: password.clone(),
                },
                &policy,
            )
            .await
            .context("creating the first administrator")?;
        eprintln!(
            "No accounts existed: created the administrator \"admin\" with the password\n\n    {password}\n\nIt is shown only this once. Sign in and change it under My account."
        );
    }
    Ok(())
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
