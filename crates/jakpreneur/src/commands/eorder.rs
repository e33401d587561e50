//! `jakpreneur unit add|list` and `jakpreneur order list|show`: e-order from scripts,
//! through the same parsers and store calls as the API.

use std::process::ExitCode;

use anyhow::bail;
use jakpreneur_core::eorder::{NewUnit, OrderState, UnitDraft, rupiah};
use jakpreneur_store::{OrderFilter, Store, StoreError};

use crate::cli::{OrderCommand, UnitCommand};

fn refused(e: StoreError) -> anyhow::Error {
    match e {
        StoreError::Invalid(errs) => anyhow::anyhow!("{errs}"),
        other => anyhow::Error::new(other),
    }
}

pub async fn unit(store: &Store, cmd: UnitCommand) -> anyhow::Result<ExitCode> {
    let actor = super::cli_actor();
    match cmd {
        UnitCommand::Add(a) => {
            let u = match NewUnit::parse(&UnitDraft {
                code: Some(a.code),
                name: Some(a.name),
                kind: Some(a.kind),
                parent: a.parent,
                region: Some(a.region),
                address: Some(a.address),
                bank: Some(a.bank),
                account_no: Some(a.account_no),
            }) {
                Ok(u) => u,
                Err(errs) => bail!("{errs}"),
            };
            let made = store.create_unit(&actor, &u).await.map_err(refused)?;
            println!("added {} ({}, {})", made.code, made.name, made.kind);
        }
        UnitCommand::List { json } => {
            let units = store.list_units(&actor).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&units)?);
            } else if units.is_empty() {
                eprintln!("no buying units: add one with `jakpreneur unit add`");
            } else {
                println!(
                    "{:<16} {:<5} {:<16} {:>8}  name",
                    "code", "kind", "parent", "accounts"
                );
                for u in units {
                    println!(
                        "{:<16} {:<5} {:<16} {:>8}  {}",
                        u.code,
                        u.kind,
                        u.parent_code.as_deref().unwrap_or("-"),
                        u.accounts,
                        u.name
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn order(store: &Store, cmd: OrderCommand) -> anyhow::Result<ExitCode> {
    let actor = super::cli_actor();
    match cmd {
        OrderCommand::List {
            state,
            unit,
            member,
            limit,
            json,
        } => {
            if !(1..=500).contains(&limit) {
                bail!("limit: must be between 1 and 500");
            }
            let state = match state.as_deref().map(OrderState::parse) {
                None => None,
                Some(Ok(s)) => Some(s),
                Some(Err(e)) => bail!("{e}"),
            };
            let f = OrderFilter {
                state,
                unit,
                member_no: member,
                package_id: None,
                limit: Some(limit),
                before: None,
                awaiting_approval: false,
            };
            let orders = store.list_orders(&actor, &f).await.map_err(refused)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&orders)?);
            } else if orders.is_empty() {
                eprintln!("no orders");
            } else {
                println!(
                    "{:>7}  {:<10} {:<10} {:<14} {:<16} {:>16}  supplier",
                    "id", "ordered", "state", "unit", "member", "amount due"
                );
                for o in orders {
                    println!(
                        "{:>7}  {:<10} {:<10} {:<14} {:<16} {:>16}  {}",
                        o.id,
                        o.ordered_on,
                        o.state,
                        o.unit_code,
                        o.member_no,
                        rupiah(o.amount_due),
                        o.business_name
                    );
                }
            }
        }
        OrderCommand::Show { id } => match store.order(&actor, id).await {
            Ok(o) => println!("{}", serde_json::to_string_pretty(&o)?),
            Err(StoreError::NotFound) => bail!("id: there is no order {id}"),
            Err(e) => return Err(e.into()),
        },
    }
    Ok(ExitCode::SUCCESS)
}
