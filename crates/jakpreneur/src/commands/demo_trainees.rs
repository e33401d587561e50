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

/// The demo's training centres (invented names): one Pusat Pelatihan Kerja Daerah per
/// city, two more in East Jakarta, and the Kepulauan Seribu office, as seed 003 counts
/// them (7 centres and the office). (code, name, kind, city, capacity)
const CENTRES: [(&str, &str, &str, &str, i64); 8] = [
    (
        "PPKD-JP",
        "PPKD Jakarta Pusat (demo)",
        "centre",
        "31.71",
        60,
    ),
    (
        "PPKD-JU",
        "PPKD Jakarta Utara (demo)",
        "centre",
        "31.72",
        60,
    ),
    (
        "PPKD-JB",
        "PPKD Jakarta Barat (demo)",
        "centre",
        "31.73",
        60,
    ),
    (
        "PPKD-JS",
        "PPKD Jakarta Selatan (demo)",
        "centre",
        "31.74",
        60,
    ),
    (
        "PPKD-JT",
        "PPKD Jakarta Timur (demo)",
        "centre",
        "31.75",
        80,
    ),
    (
        "PPKD-JT2",
        "PPKD Jakarta Timur II (demo)",
        "centre",
        "31.75",
        40,
    ),
    (
        "PPKD-JT3",
        "PPKD Jakarta Timur III (demo)",
        "centre",
        "31.75",
        40,
    ),
    (
        "SUDIN-KS",
        "Sudin Nakertransgi Kepulauan Seribu (demo)",
        "office",
        "31.01",
        20,
    ),
];

/// The first centre of the village's city.
fn centre_of(village: &str) -> Option<&'static str> {
    CENTRES
        .iter()
        .find(|c| village.starts_with(c.3) && village.as_bytes().get(c.3.len()) == Some(&b'.'))
        .map(|c| c.0)
}

async fn add_centres(store: &Store, actor: &jakpreneur_core::Actor) -> anyhow::Result<()> {
    let r = jakpreneur_core::reference::reference();
    for (i, (code, name, kind, city, capacity)) in CENTRES.into_iter().enumerate() {
        let district = r
            .children(city)
            .nth(i % 3)
            .or_else(|| r.children(city).next())
            .map(|d| d.code.clone())
            .context("a city without districts")?;
        let c = jakpreneur_core::job_training::NewCentre::parse(
            &jakpreneur_core::job_training::CentreDraft {
                code: Some(code.into()),
                name: Some(name.into()),
                kind: Some(kind.into()),
                district_code: Some(district),
                address: Some(format!("Jl. Pelatihan Kerja No. {} (demo)", i + 1)),
                capacity: Some(capacity.to_string()),
            },
        )
        .map_err(|e| anyhow::anyhow!("demo centre {code}: {e}"))?;
        store
            .create_centre(actor, &c)
            .await
            .context("creating a demo training centre")?;
    }
    Ok(())
}

/// Adds `count` trainees; returns how many were placed in work.
pub async fn run(store: &Store, today: NaiveDate, count: usize) -> anyhow::Result<(usize, usize)> {
    let actor = super::cli_actor();
    add_centres(store, &actor).await?;
    let mut generator = DemoGenerator::new(7626, today);
    let mut rng = StdRng::seed_from_u64(5871);
    let mut enrolled = 0;
    let mut placed = 0;
    let mut referred = 0;
    // Certified trainees still looking for work, by city: the job fairs' applicants.
    let mut looking: Vec<(String, String, NaiveDate)> = Vec::new();
    // Enrolled at a centre, waiting for their class: (number, centre, registered).
    let mut waiting: Vec<(String, String, NaiveDate)> = Vec::new();
    for i in 0..count {
        let d = generator.draft();
        let registered = today - Duration::days(rng.random_range(5..540));
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
            // Trainees of the last months are enrolled at their city's centre; older ones
            // were enrolled before the centres were recorded here.
            centre_code: (today - registered < Duration::days(120))
                .then(|| d.village_code.as_deref().and_then(|v| centre_of(v)))
                .flatten()
                .map(str::to_owned),
        };
        let Ok(n) = NewEnrolment::parse(&draft, today) else {
            continue; // an age the programme does not take; the generator is for members
        };
        let e = match store.enrol_person(&actor, PELATIHAN_KERJA, &n).await {
            Ok(e) => e,
            Err(StoreError::AlreadyEnrolled { .. }) => continue,
            // A full centre: the trainee waits for the next intake (not enrolled now).
            Err(StoreError::Invalid(_)) => continue,
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
        // Trainees of the last two months at a centre wait for (or sit in) its current
        // class, recorded as a class below.
        if let Some(c) = &e.centre_code
            && (starts > today || today - registered < Duration::days(60))
        {
            waiting.push((no.clone(), c.clone(), registered));
            continue;
        }
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
        let after = certified + Duration::days(rng.random_range(7..160));
        if after > today {
            looking.push((no.clone(), e.city_code.clone(), certified));
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
    add_classes(store, &actor, today, &waiting).await?;
    placed += add_fairs(store, &actor, today, &looking).await?;
    Ok((enrolled, placed))
}

/// The centres' classes for the trainees waiting for one: at each centre a class that
/// began last week (its sessions so far held and attended) and, at the East Jakarta
/// centre, a mobile training unit whose sessions move from district to district.
async fn add_classes(
    store: &Store,
    actor: &jakpreneur_core::Actor,
    today: NaiveDate,
    waiting: &[(String, String, NaiveDate)],
) -> anyhow::Result<()> {
    use jakpreneur_core::job_training::{JobClassDraft, NewJobClass};
    let starts = today - Duration::days(6);
    let r = jakpreneur_core::reference::reference();
    let mut taken = std::collections::HashSet::new();
    for (code, _, _, city, _) in CENTRES {
        let mobile = code == "PPKD-JT2";
        let c = NewJobClass::parse(&JobClassDraft {
            centre_code: Some(code.into()),
            title: Some(
                if mobile {
                    "Tata boga keliling (demo)"
                } else {
                    "Menjahit dan tata busana (demo)"
                }
                .into(),
            ),
            mode: Some(if mobile { "mobile" } else { "regular" }.into()),
            starts_on: Some(starts.to_string()),
            ends_on: Some((starts + Duration::days(12)).to_string()),
            sessions: Some("4".into()),
            capacity: Some("20".into()),
        })
        .map_err(|e| anyhow::anyhow!("demo class: {e}"))?;
        let class = store
            .create_job_class(actor, &c)
            .await
            .context("opening a demo class")?;
        let districts: Vec<jakpreneur_core::RegionCode> = r
            .children(city)
            .filter_map(|d| jakpreneur_core::RegionCode::parse("place_code", &d.code).ok())
            .collect();
        for session in 1..=4_i64 {
            let day = starts + Duration::days((session - 1) * 4);
            let place =
                mobile.then(|| districts[(session as usize) % districts.len().max(1)].clone());
            store
                .schedule_session(actor, class.id, session, day, place.as_ref())
                .await
                .context("scheduling a demo session")?;
        }
        // A city with a mobile unit shares its waiting trainees between the centre's class
        // (every other one) and the unit (the rest).
        let shared = CENTRES.iter().any(|m| m.3 == city && m.0 == "PPKD-JT2");
        let trainees: Vec<String> = waiting
            .iter()
            .filter(|(no, c, registered)| {
                let same = if mobile {
                    centre_of(&format!("{city}.")).is_some_and(|own| own == c)
                } else {
                    c == code
                };
                same && *registered <= starts && !taken.contains(no)
            })
            .step_by(if shared && !mobile { 2 } else { 1 })
            .take(12)
            .map(|(no, _, _)| no.clone())
            .collect();
        taken.extend(trainees.iter().cloned());
        for no in &trainees {
            match store.enrol_in_class(actor, class.id, no).await {
                Ok(()) | Err(StoreError::Invalid(_)) => {}
                Err(e) => return Err(e).context("a demo class enrolment"),
            }
        }
        // The sessions already held: most came.
        for session in 1..=4_i64 {
            if starts + Duration::days((session - 1) * 4) > today || trainees.is_empty() {
                continue;
            }
            let came: Vec<String> = trainees
                .iter()
                .enumerate()
                .filter(|(i, _)| !(i + session as usize).is_multiple_of(5))
                .map(|(_, n)| n.clone())
                .collect();
            match store
                .record_class_attendance(actor, class.id, session, &came)
                .await
            {
                Ok(_) | Err(StoreError::Invalid(_)) => {}
                Err(e) => return Err(e).context("demo attendance"),
            }
        }
    }
    Ok(())
}

/// A job fair in each mainland city: one held three days ago, where the city's certified
/// trainees still looking for work applied (some hired, some not, some waiting), and one
/// next month with its vacancies open. Returns the hires.
async fn add_fairs(
    store: &Store,
    actor: &jakpreneur_core::Actor,
    today: NaiveDate,
    looking: &[(String, String, NaiveDate)],
) -> anyhow::Result<usize> {
    use jakpreneur_core::job_training::{FairDraft, NewFair, NewVacancy};
    let cities = [
        ("31.71", "Jakarta Pusat"),
        ("31.72", "Jakarta Utara"),
        ("31.73", "Jakarta Barat"),
        ("31.74", "Jakarta Selatan"),
        ("31.75", "Jakarta Timur"),
    ];
    let held = today - Duration::days(3);
    let mut hires = 0;
    for (k, (city, name)) in cities.into_iter().enumerate() {
        for (when, title) in [
            (held, format!("Bursa Kerja {name} (demo)")),
            (
                today + Duration::days(30),
                format!("Bursa Kerja {name} bulan depan (demo)"),
            ),
        ] {
            let f = NewFair::parse(&FairDraft {
                title: Some(title),
                city_code: Some(city.into()),
                held_on: Some(when.to_string()),
                place: Some(format!("Gelanggang Olahraga {name} (demo)")),
            })
            .map_err(|e| anyhow::anyhow!("demo fair: {e}"))?;
            let fair = store
                .create_fair(actor, &f)
                .await
                .context("creating a demo job fair")?;
            let mut vacancies = Vec::new();
            for (j, (position, openings)) in [
                ("Operator produksi", "6"),
                ("Juru masak", "3"),
                ("Teknisi listrik", "2"),
            ]
            .into_iter()
            .enumerate()
            {
                let v = NewVacancy::parse(
                    Some(EMPLOYERS[(k + j) % EMPLOYERS.len()]),
                    Some(position),
                    Some(openings),
                )
                .map_err(|e| anyhow::anyhow!("demo vacancy: {e}"))?;
                vacancies.push(store.add_vacancy(actor, fair.id, &v).await?.id);
            }
            if when > today {
                continue;
            }
            let applicants = looking
                .iter()
                .filter(|(_, c, certified)| c == city && *certified <= held);
            for (n, (no, _, _)) in applicants.take(8).enumerate() {
                let vacancy = vacancies[n % vacancies.len()];
                let application = match store.apply_at_fair(actor, fair.id, vacancy, no, held).await
                {
                    Ok(id) => id,
                    Err(StoreError::Invalid(_)) => continue,
                    Err(e) => return Err(e).context("a demo application"),
                };
                // Decided the day after the fair: some hired, some not, the rest waiting.
                let decision = match n % 3 {
                    0 => Some(true),
                    1 => Some(false),
                    _ => None,
                };
                if let Some(hired) = decision {
                    let wage = hired.then_some(WageBand::MinTo1_5);
                    match store
                        .decide_application(
                            actor,
                            application,
                            hired,
                            held + Duration::days(1),
                            wage,
                        )
                        .await
                    {
                        Ok(_) if hired => hires += 1,
                        Ok(_) | Err(StoreError::Invalid(_)) => {}
                        Err(e) => return Err(e).context("a demo hiring decision"),
                    }
                }
            }
        }
    }
    Ok(hires)
}
