//! `jakpreneur member add|show|list`: the registry from scripts. Validation and storage
//! are the API's own; errors are one line on stderr with a non-zero exit code.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, bail};
use jakpreneur_core::{Clock, MemberDraft, NewMember};
use jakpreneur_reports::sheet::{SheetFormat, SheetWriter};
use jakpreneur_store::{Member, Store, StoreError};
use jakpreneur_web::params::parse_member_query;
use jakpreneur_web::views::MemberView;

use crate::cli::{ListFormat, MemberAddArgs, MemberCommand, MemberListArgs};

pub async fn run(store: &Store, cmd: MemberCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        MemberCommand::Add(args) => add(store, args).await,
        MemberCommand::Show { member_no, json } => show(store, &member_no, json).await,
        MemberCommand::List(args) => list(store, args).await,
    }
}

async fn add(store: &Store, a: MemberAddArgs) -> anyhow::Result<ExitCode> {
    let draft = MemberDraft {
        nik: a.nik,
        full_name: a.full_name,
        birth_date: a.birth_date,
        sex: a.sex,
        phone: a.phone,
        email: a.email,
        address: a.address,
        village_code: a.village_code,
        business_name: a.business_name,
        sector: a.sector,
        channel: a.channel,
        registered_on: a.registered_on,
        consent: Some(a.consent),
    };
    let new = match NewMember::parse_registration(&draft, Clock::System.today()) {
        Ok(m) => m,
        Err(errs) => bail!("invalid member: {errs}"),
    };
    match store.register_member(&super::cli_actor(), &new).await {
        Ok(m) => {
            if a.json {
                println!("{}", serde_json::to_string_pretty(&MemberView::from(m))?);
            } else {
                println!("{}", m.member_no);
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(StoreError::DuplicateNik { member_no }) => {
            // The command line's scope is the whole province: the number is always known.
            bail!(
                "nik: this NIK is already registered as {}",
                member_no.as_deref().unwrap_or("another member")
            )
        }
        Err(e) => Err(e).context("registering the member"),
    }
}

async fn show(store: &Store, member_no: &str, json: bool) -> anyhow::Result<ExitCode> {
    let m = match store
        .get_member(&super::cli_actor(), member_no, false)
        .await
    {
        Ok(m) => m,
        Err(StoreError::NotFound) => bail!("no member {member_no}"),
        Err(e) => return Err(e.into()),
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&MemberView::from(m))?);
    } else {
        print_member(&m);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_member(m: &Member) {
    let p = m.personal.as_ref();
    let personal = |f: fn(&jakpreneur_store::Personal) -> String| {
        p.map(f).unwrap_or_else(|| "(erased)".into())
    };
    let rows: [(&str, String); 17] = [
        ("member_no", m.member_no.clone()),
        ("status", m.status.to_string()),
        ("full_name", personal(|p| p.full_name.clone())),
        ("nik", personal(|p| p.nik.clone())),
        ("sex", m.sex.to_string()),
        ("birth_date", personal(|p| p.birth_date.to_string())),
        ("phone", personal(|p| p.phone.clone())),
        ("email", personal(|p| p.email.clone().unwrap_or_default())),
        ("address", personal(|p| p.address.clone())),
        ("village_code", m.village_code.clone()),
        ("business_name", m.business_name.clone()),
        ("sector", m.sector.clone()),
        ("channel", m.channel.to_string()),
        ("registered_on", m.registered_on.to_string()),
        (
            "withdrawn_on",
            m.withdrawn_on.map(|d| d.to_string()).unwrap_or_default(),
        ),
        (
            "withdrawal_reason",
            m.withdrawal_reason.clone().unwrap_or_default(),
        ),
        ("version", m.version.to_string()),
    ];
    for (k, v) in rows {
        println!("{k:<18} {v}");
    }
}

async fn list(store: &Store, a: MemberListArgs) -> anyhow::Result<ExitCode> {
    let query = a.filter.query(Some(a.limit.to_string()), a.after, a.sort);
    let (filter, page) = match parse_member_query(&query) {
        Ok(v) => v,
        Err(errs) => bail!("invalid filter: {errs}"),
    };
    let p = store
        .list_members(&super::cli_actor(), &filter, page)
        .await?;
    let next = p.next.map(|n| n.to_string());
    let mut out = std::io::stdout().lock();
    match a.format {
        ListFormat::Json => {
            let items: Vec<MemberView> = p.items.into_iter().map(MemberView::from).collect();
            let doc = serde_json::json!({ "items": items, "next": next });
            writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
        }
        ListFormat::Csv => {
            let header = [
                "member_no",
                "registered_on",
                "village_code",
                "sector",
                "status",
                "business_name",
                "full_name",
            ]
            .map(str::to_owned);
            // Through the sheet writer: a cell that a spreadsheet would run as a formula
            // is written as text.
            let mut w = SheetWriter::new(SheetFormat::Csv, std::io::stdout(), &header, None)?;
            for m in &p.items {
                w.text_row(&[
                    m.member_no.as_str(),
                    &m.registered_on.to_string(),
                    &m.village_code,
                    &m.sector,
                    m.status.as_str(),
                    &m.business_name,
                    m.personal.as_ref().map_or("", |p| p.full_name.as_str()),
                ])?;
            }
            w.finish()?;
        }
        ListFormat::Table => {
            if p.items.is_empty() {
                writeln!(out, "No member matches.")?;
            }
            for m in &p.items {
                writeln!(
                    out,
                    "{:<16} {} {:<14} {} {:<9} {}",
                    m.member_no,
                    m.registered_on,
                    m.village_code,
                    m.sector,
                    m.status.as_str(),
                    m.business_name
                )?;
            }
            if let Some(n) = &next {
                writeln!(out, "-- more: --after {n}")?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
