//! `jakpreneur product list|show` and `jakpreneur curation call add|list`: the curated
//! catalogue from scripts, through the same parsers and store calls as the API.

use std::process::ExitCode;

use anyhow::{Context, bail};
use jakpreneur_core::Clock;
use jakpreneur_core::curation::{CallDraft, NewCall};
use jakpreneur_store::{Product, ProductFilter, Store, StoreError};

use crate::cli::{CallCommand, CurationCommand, ProductCommand};

pub async fn product(store: &Store, cmd: ProductCommand) -> anyhow::Result<ExitCode> {
    let actor = super::cli_actor();
    let today = Clock::System.today();
    match cmd {
        ProductCommand::List {
            member,
            listed,
            limit,
            json,
        } => {
            if !(1..=1000).contains(&limit) {
                bail!("limit: must be between 1 and 1000");
            }
            let filter = ProductFilter {
                member_no: member,
                listed: listed.then_some(true),
                limit,
            };
            let items = store.list_products(&actor, &filter).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&items)?);
            } else if items.is_empty() {
                eprintln!("no products");
            } else {
                println!(
                    "{:>6}  {:<16} {:<40} {:>12}  {:<5} catalogue",
                    "id", "member", "name", "price (Rp)", "grade"
                );
                for p in &items {
                    print_line(p, today);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        ProductCommand::Show { id, json } => {
            let p = match store.product(&actor, id).await {
                Ok(p) => p,
                Err(StoreError::NotFound) => bail!("no product {id}"),
                Err(e) => return Err(e.into()),
            };
            let prices = store.price_history(&actor, id).await?;
            let submissions = store.submissions_of(&actor, None, Some(id)).await?;
            if json {
                let doc = serde_json::json!({
                    "product": p, "listing_state": p.listing_state(today),
                    "prices": prices, "submissions": submissions,
                });
                println!("{}", serde_json::to_string_pretty(&doc)?);
                return Ok(ExitCode::SUCCESS);
            }
            let rows = [
                ("id", p.id.to_string()),
                ("member_no", p.member_no.clone()),
                ("business_name", p.business_name.clone()),
                ("name", p.name.clone()),
                ("category", p.category.to_string()),
                ("unit", p.unit.clone()),
                ("price", p.price.to_string()),
                ("min_order", p.min_order.to_string()),
                (
                    "stock",
                    p.stock.map_or("made to order".into(), |s| s.to_string()),
                ),
                ("lead_days", p.lead_days.to_string()),
                (
                    "tkdn_percent",
                    p.tkdn_percent.map(|t| t.to_string()).unwrap_or_default(),
                ),
                ("grade", p.grade.clone().unwrap_or_default()),
                (
                    "certificate_valid_until",
                    p.certificate_valid_until
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                ),
                ("catalogue", p.listing_state(today).to_owned()),
                ("photos", p.photos.len().to_string()),
                ("version", p.version.to_string()),
            ];
            for (k, v) in rows {
                println!("{k:<24} {v}");
            }
            for x in prices {
                println!(
                    "price from {}: {} ({})",
                    x.valid_from, x.price, x.changed_by
                );
            }
            for s in submissions {
                println!(
                    "submission {}: {} — {}{}",
                    s.id,
                    s.call_title,
                    s.state,
                    s.grade.map(|g| format!(", grade {g}")).unwrap_or_default()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn print_line(p: &Product, today: chrono::NaiveDate) {
    let name: String = p.name.chars().take(40).collect();
    println!(
        "{:>6}  {:<16} {:<40} {:>12}  {:<5} {}",
        p.id,
        p.member_no,
        name,
        p.price,
        p.grade.as_deref().unwrap_or("-"),
        p.listing_state(today)
    );
}

pub async fn curation(store: &Store, cmd: CurationCommand) -> anyhow::Result<ExitCode> {
    let actor = super::cli_actor();
    let today = Clock::System.today();
    match cmd {
        CurationCommand::Call(CallCommand::Add(a)) => {
            let call = match NewCall::parse(&CallDraft {
                title: Some(a.title),
                opens_on: Some(a.opens_on),
                closes_on: Some(a.closes_on),
                categories: a.categories,
                region: a.region,
                places: Some(a.places),
                exclude_own_region_curators: Some(!a.allow_own_region_curators),
            }) {
                Ok(c) => c,
                Err(errs) => bail!("invalid call: {errs}"),
            };
            let made = store
                .create_call(&actor, &call, today)
                .await
                .context("opening the call")?;
            println!("{}", made.id);
            Ok(ExitCode::SUCCESS)
        }
        CurationCommand::Call(CallCommand::List { json }) => {
            let calls = store.list_calls(&actor, today).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&calls)?);
            } else if calls.is_empty() {
                eprintln!("no calls for curation");
            } else {
                for c in calls {
                    println!(
                        "{:>4}  {} – {}  {:<8} {:<10} {:>4}/{:<4} {}",
                        c.id,
                        c.opens_on,
                        c.closes_on,
                        c.state,
                        c.region_code,
                        c.submissions,
                        c.places,
                        c.title
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
