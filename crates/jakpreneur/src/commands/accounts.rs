//! `jakpreneur user add|list|disable` and `jakpreneur token create|revoke|list`.

use std::io::BufRead;
use std::process::ExitCode;

use anyhow::{Context, bail};
use jakpreneur_store::{NewUser, Store, StoreError};

use super::cli_actor;
use crate::cli::{PartnerCommand, TokenCommand, UserAddArgs, UserCommand};
use crate::config::Config;

/// One-line message for a refused input, naming each field.
fn refused(e: StoreError) -> anyhow::Error {
    match e {
        StoreError::Invalid(errs) => anyhow::anyhow!("{errs}"),
        other => anyhow::Error::new(other),
    }
}

pub async fn partner(store: &Store, cmd: PartnerCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        PartnerCommand::Add(a) => {
            let p = jakpreneur_store::parse_partner(Some(&a.code), Some(&a.name), Some(&a.kind))
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let p = store
                .create_partner(&cli_actor(), &p)
                .await
                .map_err(refused)?;
            println!("added {} ({}, {})", p.code, p.name, p.kind);
        }
        PartnerCommand::List => {
            println!("{:<20} {:<16} name", "code", "kind");
            for p in store.list_partners(&cli_actor()).await? {
                println!("{:<20} {:<16} {}", p.code, p.kind, p.name);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn user(store: &Store, cfg: &Config, cmd: UserCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        UserCommand::Add(a) => add(store, cfg, a).await,
        UserCommand::List => {
            let users = store.list_users(&cli_actor()).await?;
            println!(
                "{:<24} {:<18} {:<14} {:<16} {:<9} status",
                "username", "role", "region", "member", "two-step"
            );
            for u in users {
                let status = match (u.disabled_at, u.locked_until) {
                    (Some(_), _) => "disabled",
                    (None, Some(t)) if t > chrono::Utc::now() => "locked",
                    _ => "active",
                };
                println!(
                    "{:<24} {:<18} {:<14} {:<16} {:<9} {status}",
                    u.username,
                    u.role,
                    u.region_code.as_deref().unwrap_or("-"),
                    u.member_no.as_deref().unwrap_or("-"),
                    if u.totp_enabled_at.is_some() {
                        "on"
                    } else {
                        "off"
                    },
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::Disable { username } => {
            match store.disable_user(&cli_actor(), &username).await {
                Ok(u) => {
                    println!("disabled {}", u.username);
                    Ok(ExitCode::SUCCESS)
                }
                Err(StoreError::NotFound) => bail!("username: no account named {username:?}"),
                Err(e) => Err(e.into()),
            }
        }
        UserCommand::ResetTwoFactor { username } => {
            match store.reset_two_factor(&cli_actor(), &username).await {
                Ok(u) => {
                    println!(
                        "removed two-step verification of {}; its sessions ended",
                        u.username
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(StoreError::NotFound) => bail!("username: no account named {username:?}"),
                Err(e) => Err(e.into()),
            }
        }
    }
}

async fn add(store: &Store, cfg: &Config, a: UserAddArgs) -> anyhow::Result<ExitCode> {
    let mut lines = std::io::stdin().lock().lines();
    let password = lines
        .next()
        .transpose()
        .context("reading the password from standard input")?
        .unwrap_or_default();
    let nik = if a.role.trim() == "member" {
        Some(
            lines
                .next()
                .transpose()
                .context("reading the NIK from standard input")?
                .unwrap_or_default()
                .trim()
                .to_owned(),
        )
    } else {
        None
    };
    // Checked before the account exists, so a wrong address creates nothing.
    if let Some(email) = a.email.as_deref() {
        jakpreneur_core::email::parse_email("email", email).map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let new = NewUser {
        username: a.username,
        role: a.role,
        region: a.region,
        member_no: a.member_no,
        nik,
        agency: a.agency,
        partner: a.partner,
        unit: a.unit,
        buyer_role: a.buyer_role,
        password: password.trim_end_matches(['\r', '\n']).to_owned(),
    };
    let user = store
        .create_user(&cli_actor(), &new, &cfg.security.account_policy())
        .await
        .map_err(refused)?;
    if let Some(email) = a.email.as_deref() {
        store
            .set_user_email(&cli_actor(), &user.username, Some(email))
            .await
            .map_err(refused)?;
    }
    println!(
        "created {} ({}{})",
        user.username,
        user.role,
        user.region_code
            .as_deref()
            .or(user.member_no.as_deref())
            .map(|s| format!(", {s}"))
            .unwrap_or_default()
    );
    if cfg
        .security
        .account_policy()
        .requires_two_factor(user.role()?)
    {
        println!(
            "its role signs in with two-step verification: it adds an authenticator app at its \
             first sign-in"
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn token(store: &Store, cmd: TokenCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        TokenCommand::Create { username, name } => {
            let (t, token) = store
                .create_token(&cli_actor(), &username, &name)
                .await
                .map_err(refused)?;
            eprintln!(
                "token {} for {} created; it is shown once, below — store it now",
                t.id, t.username
            );
            println!("{token}");
            Ok(ExitCode::SUCCESS)
        }
        TokenCommand::Revoke { id } => match store.revoke_token(&cli_actor(), id).await {
            Ok(t) => {
                println!("revoked token {} ({}, {})", t.id, t.username, t.name);
                Ok(ExitCode::SUCCESS)
            }
            Err(StoreError::NotFound) => bail!("id: no token {id}"),
            Err(e) => Err(e.into()),
        },
        TokenCommand::List => {
            println!(
                "{:>5} {:<24} {:<24} {:<20} {:<20} status",
                "id", "username", "name", "created", "last used"
            );
            for t in store.list_tokens(&cli_actor()).await? {
                let fmt = |d: Option<chrono::DateTime<chrono::Utc>>| {
                    d.map_or_else(
                        || "-".to_owned(),
                        |d| d.format("%Y-%m-%d %H:%M").to_string(),
                    )
                };
                println!(
                    "{:>5} {:<24} {:<24} {:<20} {:<20} {}",
                    t.id,
                    t.username,
                    t.name,
                    fmt(Some(t.created_at)),
                    fmt(t.last_used_at),
                    if t.revoked_at.is_some() {
                        "revoked"
                    } else {
                        "active"
                    }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
