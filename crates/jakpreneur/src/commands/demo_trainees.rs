//! The demo's second programme, job training and placement (`pelatihan_kerja`), created
//! through the same store calls as the pages and the API: trainees enrolled over the last
//! eighteen months in every city, their classes, competency assessments and certificates,
//! where they went after training (hired with an employer and wage band, self-employed,
//! not placed), a few self-employed trainees referred to Jakpreneur, and a few people who
//! are in both programmes (one identity).

use anyhow::Context;
use chrono::{Duration, NaiveDate};
use jakpreneur_core::demo::DemoGenerator;
use jakpreneur_core::enrolment::{
    EnrolmentDraft, NewEnrolment, NewPlacement, Outcome, PELATIHAN_KERJA, WageBand,
};
use jakpreneur_core::programme::NewEvent;
use jakpreneur_store::{JakpreneurReferral, Store, StoreError};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Employers of the demo's hires (invented names).
const EMPLOYERS: [&str; 8] = [
    "PT Sinar Teknik Mandiri (demo)",
    "CV Busana Kita (demo)",
    "PT Boga Rasa Nusantara (demo)",
    "Hotel Melati Kemayoran (demo)",
    "PT Las dan Konstruksi Jaya (demo)",
    "Bengkel Motor Sentosa (demo)",
    "PT Logistik Cepat (demo)",
    "Salon Cantik Menteng (demo)",
];

fn event(
    kind: &str,
    stage: &str,
    qualifying: bool,
    on: NaiveDate,
    place: &str,
    reference: Option<String>,
) -> NewEvent {
    NewEvent {
        programme: PELATIHAN_KERJA.into(),
        stage: stage.into(),
        kind: kind.into(),
        qualifying,
        occurred_on: on,
        place_code: Some(place.to_owned()),
        agency: None,
        reference,
        note: None,
    }
}

/// Adds `count` trainees; returns how many were placed in work.
pub async fn run(store: &Store, today: NaiveDate, count: usize) -> anyhow::Result<(usize, usize)> {
    let actor = super::cli_actor();
    let mut generator = DemoGenerator::new(7626, today);
    let mut rng = StdRng::seed_from_u64(5871);
    let mut enrolled = 0;
    let mut placed = 0;
    let mut referred = 0;
    for i in 0..count {
        let d = generator.draft();
        let registered = today - Duration::days(rng.random_range(30..540));
        let draft = EnrolmentDraft {
            nik: d.nik,
            full_name: d.full_name,
            birth_date: d.birth_date,
            sex: d.sex,
            phone: d.phone,
            address: d.address,
            village_code: d.village_code.clone(),
            registered_on: Some(registered.to_string()),
            consent: Some(true),
        };
        let Ok(n) = NewEnrolment::parse(&draft, today) else {
            continue; // an age the programme does not take; the generator is for members
        };
        let e = match store.enrol_person(&actor, PELATIHAN_KERJA, &n).await {
            Ok(e) => e,
            Err(StoreError::AlreadyEnrolled { .. }) => continue,
            Err(e) => return Err(e).context("enrolling a demo trainee"),
        };
        enrolled += 1;
        let no = e.enrolment_no;
        let place = e.district_code.clone();
        let record = |ev: NewEvent| {
            let no = no.clone();
            let actor = actor.clone();
            async move { store.record_enrolment_event(&actor, &no, &ev, None).await }
        };
        // A class of one to four weeks starting within a month of registering; a few are
        // still in class.
        let starts = registered + Duration::days(rng.random_range(3..30));
        let ends = starts + Duration::days(rng.random_range(7..28));
        if starts > today {
            continue;
        }
        record(event("class_enrolled", "K2", false, starts, &place, None)).await?;
        if ends >= today {
            continue;
        }
        record(event("class_attended", "K2", false, ends, &place, None)).await?;
        if rng.random_bool(0.08) {
            record(event(
                "assessed_not_yet_competent",
                "K2",
                false,
                ends,
                &place,
                None,
            ))
            .await?;
            continue;
        }
        record(event("assessed_competent", "K2", true, ends, &place, None)).await?;
        let certified = ends + Duration::days(rng.random_range(1..10));
        if certified > today {
            continue;
        }
        let certificate = format!("PK-{}-{:05}", certified.format("%Y"), i + 1);
        record(event(
            "certified",
            "K3",
            true,
            certified,
            &place,
            Some(certificate),
        ))
        .await?;
        // Where they went: about three in four find work within six months.
        let after = certified + Duration::days(rng.random_range(7..200));
        if after > today {
            continue;
        }
        let roll: f64 = rng.random();
        let outcome = if roll < 0.62 {
            Outcome::Hired
        } else if roll < 0.79 {
            Outcome::SelfEmployed
        } else {
            Outcome::NotPlaced
        };
        let p = NewPlacement {
            outcome,
            employer: (outcome == Outcome::Hired)
                .then(|| EMPLOYERS[rng.random_range(0..EMPLOYERS.len())].to_owned()),
            placed_on: after,
            wage_band: match outcome {
                Outcome::NotPlaced => None,
                _ => Some(WageBand::ALL[rng.random_range(0..3)]),
            },
            note: None,
        };
        store
            .record_placement(&actor, &no, &p)
            .await
            .context("recording a demo placement")?;
        if outcome != Outcome::NotPlaced {
            placed += 1;
        }
        // Some of the self-employed are referred to Jakpreneur.
        if outcome == Outcome::SelfEmployed && referred < 12 {
            let r = JakpreneurReferral {
                business_name: Some(format!("Usaha {} (demo)", e.full_name)),
                sector: Some(["C", "G", "I", "S"][referred % 4].to_owned()),
                phone: None,
            };
            match store.refer_to_jakpreneur(&actor, &no, &r, today).await {
                Ok(_) => referred += 1,
                // A trainee whose NIK a demo member already holds is one person: not referred.
                Err(StoreError::Invalid(_)) => {}
                Err(e) => return Err(e).context("referring a demo trainee"),
            }
        }
    }
    Ok((enrolled, placed))
}
