//! `jakpreneur programme centre|class|fair`: job training's centres, classes and job fairs
//! from the command line, through the store calls the API uses.

use std::process::ExitCode;

use anyhow::{Context, anyhow, bail};
use jakpreneur_core::Clock;
use jakpreneur_core::enrolment::WageBand;
use jakpreneur_core::job_training::{
    CentreDraft, FairDraft, JobClassDraft, NewCentre, NewFair, NewJobClass, NewVacancy, parse_place,
};
use jakpreneur_core::text::{date_or_today, parse_date};
use jakpreneur_store::Store;

use crate::cli::{CentreCommand, ClassCommand, FairCommand};

fn day(field: &'static str, raw: &str) -> anyhow::Result<chrono::NaiveDate> {
    parse_date(field, raw).map_err(|e| anyhow!("{}: {}", e.field, e.message))
}

pub async fn centre(store: &Store, cmd: CentreCommand) -> anyhow::Result<ExitCode> {
    let actor = super::cli_actor();
    match cmd {
        CentreCommand::List => {
            for c in store.centres(&actor).await? {
                println!(
                    "{}\t{}\t{}\t{}\t{} of {} in training",
                    c.code, c.name, c.kind, c.district_code, c.in_training, c.capacity
                );
            }
        }
        CentreCommand::Add {
            code,
            name,
            kind,
            district,
            address,
            capacity,
        } => {
            let c = NewCentre::parse(&CentreDraft {
                code: Some(code),
                name: Some(name),
                kind,
                district_code: Some(district),
                address: Some(address),
                capacity: Some(capacity),
            })
            .map_err(|errs| anyhow!("invalid centre: {errs}"))?;
            let added = store.create_centre(&actor, &c).await?;
            println!("{}", added.code);
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn class(store: &Store, cmd: ClassCommand) -> anyhow::Result<ExitCode> {
    let actor = super::cli_actor();
    match cmd {
        ClassCommand::List => {
            for c in store.job_classes(&actor).await? {
                println!(
                    "{}\t{}\t{}\t{}\t{} to {}\t{} of {} seats",
                    c.id,
                    c.centre_code,
                    c.mode,
                    c.title,
                    c.starts_on,
                    c.ends_on,
                    c.enrolled,
                    c.capacity
                );
            }
        }
        ClassCommand::Add {
            centre,
            title,
            mode,
            starts_on,
            ends_on,
            sessions,
            capacity,
        } => {
            let c = NewJobClass::parse(&JobClassDraft {
                centre_code: Some(centre),
                title: Some(title),
                mode,
                starts_on: Some(starts_on),
                ends_on: Some(ends_on),
                sessions: Some(sessions),
                capacity: Some(capacity),
            })
            .map_err(|errs| anyhow!("invalid class: {errs}"))?;
            println!("{}", store.create_job_class(&actor, &c).await?.id);
        }
        ClassCommand::Session {
            class_id,
            session,
            on,
            place,
        } => {
            let on = day("on", &on)?;
            let place = place
                .map(|p| {
                    parse_place("place", &p).map_err(|e| anyhow!("{}: {}", e.field, e.message))
                })
                .transpose()?;
            let s = store
                .schedule_session(&actor, class_id, session, on, place.as_ref())
                .await?;
            println!(
                "session {} on {} at {}",
                s.session_no, s.held_on, s.place_code
            );
        }
        ClassCommand::Enrol {
            class_id,
            enrolment_no,
        } => {
            store
                .enrol_in_class(&actor, class_id, &enrolment_no)
                .await?;
            println!("{enrolment_no} enrolled in class {class_id}");
        }
        ClassCommand::Attend {
            class_id,
            session,
            enrolment_nos,
        } => {
            let added = store
                .record_class_attendance(&actor, class_id, session, &enrolment_nos)
                .await?;
            println!("{added} attendance recorded for session {session}");
        }
        ClassCommand::Assess {
            class_id,
            enrolment_no,
            competent,
            on,
        } => {
            let today = Clock::System.today();
            let on = date_or_today("on", on.as_deref(), today)
                .map_err(|e| anyhow!("{}: {}", e.field, e.message))?;
            if on > today {
                bail!("on: {on} is in the future");
            }
            store
                .assess_in_class(&actor, class_id, &enrolment_no, competent, on)
                .await?;
            println!(
                "{enrolment_no} assessed {}",
                if competent {
                    "competent"
                } else {
                    "not yet competent"
                }
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn fair(store: &Store, cmd: FairCommand) -> anyhow::Result<ExitCode> {
    let actor = super::cli_actor();
    match cmd {
        FairCommand::List => {
            for f in store.fairs(&actor).await? {
                println!(
                    "{}\t{}\t{}\t{}\t{} vacancies, {} openings, {} applications, {} hired",
                    f.id,
                    f.held_on,
                    f.city_code,
                    f.title,
                    f.vacancies,
                    f.openings,
                    f.applications,
                    f.hires
                );
            }
        }
        FairCommand::Add {
            title,
            city,
            held_on,
            place,
        } => {
            let f = NewFair::parse(&FairDraft {
                title: Some(title),
                city_code: Some(city),
                held_on: Some(held_on),
                place: Some(place),
            })
            .map_err(|errs| anyhow!("invalid fair: {errs}"))?;
            println!("{}", store.create_fair(&actor, &f).await?.id);
        }
        FairCommand::Vacancy {
            fair_id,
            employer,
            position,
            openings,
        } => {
            let v = NewVacancy::parse(Some(&employer), Some(&position), Some(&openings))
                .map_err(|errs| anyhow!("invalid vacancy: {errs}"))?;
            println!("{}", store.add_vacancy(&actor, fair_id, &v).await?.id);
        }
        FairCommand::Apply {
            fair_id,
            vacancy,
            enrolment_no,
            on,
        } => {
            let (fair, _, _) = store.fair(&actor, fair_id).await?;
            let on = match on {
                Some(d) => day("on", &d)?,
                None => fair.held_on,
            };
            let id = store
                .apply_at_fair(&actor, fair_id, vacancy, &enrolment_no, on)
                .await?;
            println!("{id}");
        }
        FairCommand::Decide {
            application_id,
            decision,
            on,
            wage_band,
        } => {
            let hired = match decision.trim().to_lowercase().as_str() {
                "hired" => true,
                "rejected" => false,
                other => bail!("decision: must be hired or rejected, not {other:?}"),
            };
            let today = Clock::System.today();
            let on = date_or_today("on", on.as_deref(), today)
                .map_err(|e| anyhow!("{}: {}", e.field, e.message))?;
            let wage = wage_band
                .map(|w| WageBand::parse(&w).map_err(|e| anyhow!("{}: {}", e.field, e.message)))
                .transpose()?;
            let a = store
                .decide_application(&actor, application_id, hired, on, wage)
                .await
                .context("deciding the application")?;
            println!("application {} {}", a.id, a.status);
        }
    }
    Ok(ExitCode::SUCCESS)
}
