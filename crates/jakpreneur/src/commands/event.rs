//! `jakpreneur event add|list|void`: the ledger from scripts, through the same core parser
//! and store calls as `POST /api/v1/members/{member_no}/events`.

use std::process::ExitCode;

use anyhow::bail;
use jakpreneur_core::Clock;
use jakpreneur_core::programme::{EventDraft, NewEvent};
use jakpreneur_store::{Store, StoreError};
use jakpreneur_web::views::EventView;

use super::cli_actor;
use crate::cli::EventCommand;

fn refused(e: StoreError, member_no: &str) -> anyhow::Error {
    match e {
        StoreError::Invalid(errs) => anyhow::anyhow!("{errs}"),
        StoreError::NotFound => anyhow::anyhow!("no member {member_no} (or no such event)"),
        StoreError::AlreadyVoided => anyhow::anyhow!("id: the event has already been voided"),
        other => anyhow::Error::new(other),
    }
}

pub async fn run(store: &Store, cmd: EventCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        EventCommand::Add(a) => {
            let draft = EventDraft {
                facility: a.facility,
                kind: Some(a.kind),
                occurred_on: Some(a.occurred_on),
                place_code: a.place_code,
                agency: a.agency,
                reference: a.reference,
                note: a.note,
            };
            let e = match NewEvent::parse(&draft, Clock::System.today()) {
                Ok(e) => e,
                Err(errs) => bail!("invalid event: {errs}"),
            };
            let ev = store
                .record_event(&cli_actor(), &a.member_no, &e, None)
                .await
                .map_err(|err| refused(err, &a.member_no))?;
            println!("{}", ev.id);
            Ok(ExitCode::SUCCESS)
        }
        EventCommand::List { member_no, json } => {
            let events = store
                .list_events(&cli_actor(), &member_no)
                .await
                .map_err(|err| refused(err, &member_no))?;
            if json {
                let items: Vec<EventView> = events.into_iter().map(EventView::from).collect();
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({ "items": items }))?
                );
            } else {
                for e in events {
                    println!(
                        "{:>6} {} {} {:<28} {:<12} {}",
                        e.id,
                        e.occurred_on,
                        e.stage,
                        e.kind,
                        e.agency_code,
                        e.voided
                            .map(|v| format!("VOID {}: {}", v.on, v.reason))
                            .unwrap_or_default()
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        EventCommand::Void {
            member_no,
            id,
            reason,
        } => {
            let reason = match jakpreneur_core::member::parse_withdrawal_reason(Some(&reason)) {
                Ok(r) => r,
                Err(e) => bail!("{e}"),
            };
            store
                .void_event(&cli_actor(), &member_no, id, &reason, Clock::System.today())
                .await
                .map_err(|err| refused(err, &member_no))?;
            println!("voided event {id}");
            Ok(ExitCode::SUCCESS)
        }
    }
}
