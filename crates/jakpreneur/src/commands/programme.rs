//! `jakpreneur programme list|load`: the programmes the database holds, and adding one
//! from its definition files.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use jakpreneur_core::programme::{DefinitionFiles, Programmes};
use jakpreneur_store::Store;

use crate::cli::{EnrolArgs, ProgrammeCommand};
use jakpreneur_core::Clock;
use jakpreneur_core::enrolment::{EnrolmentDraft, NewEnrolment, NewPlacement, PlacementDraft};
use jakpreneur_core::programme::{EventDraft, NewEvent};

pub async fn run(store: &Store, cmd: ProgrammeCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ProgrammeCommand::List => {
            let defs = store.programme_definitions().await?;
            for p in &defs.programmes {
                let stages: Vec<String> = defs
                    .stages_of(&p.code)
                    .map(|s| format!("{} {}", s.stage, s.name_id))
                    .collect();
                println!("{}\t{}\t{}", p.code, p.name_id, stages.join(" → "));
            }
            Ok(ExitCode::SUCCESS)
        }
        ProgrammeCommand::Enrol(a) => enrol(store, a).await,
        ProgrammeCommand::Centre(c) => super::job_training::centre(store, c).await,
        ProgrammeCommand::Class(c) => super::job_training::class(store, c).await,
        ProgrammeCommand::Fair(c) => super::job_training::fair(store, c).await,
        ProgrammeCommand::Show { enrolment_no } => show(store, &enrolment_no).await,
        ProgrammeCommand::Record {
            enrolment_no,
            kind,
            on,
            place,
            reference,
        } => {
            let actor = super::cli_actor();
            let e = store.enrolment(&actor, &enrolment_no).await?;
            let defs = store.programme_definitions().await?;
            let draft = EventDraft {
                facility: None,
                kind: Some(kind),
                occurred_on: Some(on),
                place_code: place,
                agency: None,
                reference,
                note: None,
            };
            let ev = NewEvent::parse_in(&defs, &e.programme, &draft, Clock::System.today())
                .map_err(|errs| anyhow::anyhow!("invalid service: {errs}"))?;
            let recorded = store
                .record_enrolment_event(&actor, &enrolment_no, &ev, None)
                .await?;
            println!(
                "recorded {} ({}) as event {}",
                recorded.kind, recorded.stage, recorded.id
            );
            Ok(ExitCode::SUCCESS)
        }
        ProgrammeCommand::Place {
            enrolment_no,
            outcome,
            employer,
            on,
            wage_band,
        } => {
            let draft = PlacementDraft {
                outcome: Some(outcome),
                employer,
                placed_on: Some(on),
                wage_band,
                note: None,
            };
            let p = NewPlacement::parse(&draft, Clock::System.today())
                .map_err(|errs| anyhow::anyhow!("invalid placement: {errs}"))?;
            let placed = store
                .record_placement(&super::cli_actor(), &enrolment_no, &p)
                .await?;
            println!(
                "placement {} recorded: {} on {}",
                placed.id, placed.outcome, placed.placed_on
            );
            Ok(ExitCode::SUCCESS)
        }
        ProgrammeCommand::Placement {
            as_of,
            from,
            region,
        } => {
            let mut errs = jakpreneur_core::ValidationErrors::default();
            let today = Clock::System.today();
            let as_of =
                jakpreneur_reports::parse_day(&mut errs, "as_of", as_of.as_deref(), Some(today));
            let from = from
                .as_deref()
                .and_then(|f| jakpreneur_reports::parse_day(&mut errs, "from", Some(f), None));
            let region = jakpreneur_reports::parse_region(&mut errs, region.as_deref());
            let (Some(as_of), true) = (as_of, errs.is_empty()) else {
                anyhow::bail!("{errs}");
            };
            let r = store
                .placement_report(as_of, from, region.as_ref(), None)
                .await?;
            let show = |n: Option<i64>| n.map_or("-".to_owned(), |n| n.to_string());
            println!(
                "placement_rate as of {}: {} of {} trainees placed within {} months = {}%  (hired {}, self-employed {})",
                r.as_of,
                show(r.placed),
                show(r.trainees),
                r.window_months,
                r.placement_rate
                    .map_or("-".to_owned(), |p| format!("{p:.2}")),
                show(r.hired),
                show(r.self_employed)
            );
            for g in &r.groups {
                println!(
                    "  {} {}: {} of {} = {}%",
                    g.region_code,
                    g.name,
                    show(g.placed),
                    show(g.trainees),
                    g.placement_rate
                        .map_or("-".to_owned(), |p| format!("{p:.2}"))
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        ProgrammeCommand::Load { dir } => {
            let files = read_dir(&dir)?;
            let defs = match Programmes::from_files(&files) {
                Ok(d) => d,
                Err(e) => {
                    eprintln!("error: {e}");
                    return Ok(ExitCode::from(2));
                }
            };
            let actor = super::cli_actor();
            match store.load_programmes(&actor, &defs).await {
                Ok(codes) => {
                    for c in codes {
                        println!("loaded {c}");
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(jakpreneur_store::StoreError::Invalid(errs)) => {
                    for e in errs.0 {
                        eprintln!("error: {}: {}", e.field, e.message);
                    }
                    Ok(ExitCode::from(2))
                }
                Err(e) => Err(e.into()),
            }
        }
    }
}

fn read_dir(dir: &Path) -> anyhow::Result<DefinitionFiles> {
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))
    };
    Ok(DefinitionFiles {
        programmes: read("programmes.csv")?,
        stages: read("stages.csv")?,
        kinds: read("kinds.csv")?,
        rules: read("rules.csv")?,
    })
}

async fn enrol(store: &Store, a: EnrolArgs) -> anyhow::Result<ExitCode> {
    let draft = EnrolmentDraft {
        nik: a.nik,
        full_name: a.full_name,
        birth_date: a.birth_date,
        sex: a.sex,
        phone: a.phone,
        address: a.address,
        village_code: a.village_code,
        registered_on: a.registered_on,
        consent: Some(a.consent),
        centre_code: a.centre,
    };
    let n = NewEnrolment::parse(&draft, Clock::System.today())
        .map_err(|errs| anyhow::anyhow!("invalid enrolment: {errs}"))?;
    let codes = store.programme_codes().await?;
    let refs: Vec<&str> = codes.iter().map(String::as_str).collect();
    let programme =
        jakpreneur_core::programme::parse_programme_in("programme", Some(&a.programme), &refs)
            .map_err(|e| anyhow::anyhow!("{}: {}", e.field, e.message))?;
    let e = store
        .enrol_person(&super::cli_actor(), &programme, &n)
        .await?;
    println!("{}", e.enrolment_no);
    Ok(ExitCode::SUCCESS)
}

async fn show(store: &Store, no: &str) -> anyhow::Result<ExitCode> {
    let actor = super::cli_actor();
    let e = store.enrolment(&actor, no).await?;
    let (events, stages) = store.enrolment_events(&actor, no).await?;
    let placements = store.placements(&actor, no).await?;
    println!(
        "{} {} ({}), NIK {}",
        e.enrolment_no, e.full_name, e.programme, e.nik_masked
    );
    println!(
        "village {}, registered {}, {}",
        e.village_code, e.registered_on, e.status
    );
    for s in stages {
        println!("  reached {} on {}", s.stage, s.first_reached_on);
    }
    for ev in events {
        let void = ev
            .voided
            .map(|v| format!(" [voided: {}]", v.reason))
            .unwrap_or_default();
        println!("  {} {} {}{}", ev.occurred_on, ev.stage, ev.kind, void);
    }
    for p in placements {
        println!(
            "  placement {}: {} {} {}",
            p.id,
            p.placed_on,
            p.outcome,
            p.employer.unwrap_or_default()
        );
    }
    Ok(ExitCode::SUCCESS)
}
