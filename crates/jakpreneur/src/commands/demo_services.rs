//! The demo's recent services, created through the same store calls as the pages: classes
//! with enrolments, attendance and completion (finished last month, running this week,
//! starting next week), permits applied for and issued (some expiring within the month),
//! mentoring with follow-ups (some overdue), referrals to the financing partners (some
//! waiting for the partner's decision) and an exhibition with its participants. The older
//! history comes from `demo` as imported records, as a province's would; these make every
//! working list an officer opens show real, consistent work.

use anyhow::{Context, anyhow};
use chrono::{Duration, NaiveDate};
use jakpreneur_core::permit::{PermitIssue, PermitType};
use jakpreneur_core::training::{NewClass, NewCourse};
use jakpreneur_core::{Actor, RegionCode, Status};
use jakpreneur_store::{
    Decision, Member, MemberFilter, NewMarketEvent, NewMentoringSession, NewReferral, Page,
    PermitDecision, Store, StoreError,
};

/// Where the demo accounts work: Central Jakarta (the officers, the mentor) and South
/// Jakarta (the trainer).
const CITIES: [&str; 2] = ["31.71", "31.74"];

/// Active members of `city` to offer services to, newest first.
async fn pool(store: &Store, admin: &Actor, city: &str) -> anyhow::Result<Vec<Member>> {
    let page = store
        .list_members(
            admin,
            &MemberFilter {
                region: Some(RegionCode::parse("region", city).map_err(|e| anyhow!("{e}"))?),
                status: Some(Status::Active),
                ..MemberFilter::default()
            },
            Page {
                limit: 400,
                after: None,
            },
        )
        .await?;
    Ok(page.items)
}

/// A refusal the demo steps around (a member the order rule or a state does not allow);
/// anything else stops the demo.
fn skippable(e: &StoreError) -> bool {
    matches!(
        e,
        StoreError::Invalid(_) | StoreError::AlreadyWithdrawn | StoreError::Erased
    )
}

pub async fn run(store: &Store, today: NaiveDate) -> anyhow::Result<()> {
    let admin = super::cli_actor();
    let d = |days: i64| today - Duration::days(days);
    let courses = [
        ("Pemasaran digital untuk usaha mikro", "digital", "12", "P2"),
        ("Pengemasan dan label produk pangan", "packaging", "8", "P2"),
        (
            "Pembukuan sederhana dan laporan keuangan",
            "finance",
            "10",
            "P6",
        ),
    ];
    let mut course_ids = Vec::new();
    for (title, topic, hours, stage) in courses {
        let c = NewCourse::parse(Some(title), Some(topic), Some(hours), Some(stage))
            .map_err(|e| anyhow!("demo course: {e}"))?;
        course_ids.push(store.create_course(&admin, &c).await?.id);
    }
    let mut classes = 0;
    let mut enrolled = 0;
    for (ci, city) in CITIES.iter().enumerate() {
        let members = pool(store, &admin, city).await?;
        let districts: Vec<String> = jakpreneur_core::reference::reference()
            .children(city)
            .map(|r| r.code.clone())
            .collect();
        let trainer = (*city == "31.74").then(|| "pelatih".to_owned());
        // (starts, ends, sessions, course): finished last month, running, next week.
        let plan = [
            (d(40), d(38), 3, 0),
            (d(33), d(33), 1, 2),
            (d(1), today + Duration::days(1), 3, 1),
            (today + Duration::days(5), today + Duration::days(6), 2, 0),
        ];
        let mut next = members.iter().skip(ci * 7);
        for (k, (starts, ends, sessions, course)) in plan.into_iter().enumerate() {
            // Next week's class is in the city's first district (Gambir in Central
            // Jakarta), so the demo's district officer sees it among the week's classes.
            let at = if k == 3 {
                0
            } else {
                k % districts.len().max(1)
            };
            let place = districts.get(at).cloned();
            let class = store
                .create_class(
                    &admin,
                    course_ids[course],
                    &NewClass {
                        starts_on: starts,
                        ends_on: ends,
                        sessions,
                        place_code: place,
                        capacity: 25,
                        trainer: trainer.clone(),
                    },
                )
                .await
                .context("creating a demo class")?;
            classes += 1;
            let mut roster = Vec::new();
            for m in next.by_ref() {
                if roster.len() >= 18 {
                    break;
                }
                match store
                    .enrol(
                        &admin,
                        class.id,
                        &m.member_no,
                        Some(starts.min(today)),
                        today,
                    )
                    .await
                {
                    Ok(_) => roster.push(m.member_no.clone()),
                    Err(e) if skippable(&e) => {}
                    Err(e) => return Err(e).context("enrolling a demo member"),
                }
            }
            enrolled += roster.len();
            // Attendance for the sessions held so far; most come to each.
            for s in 1..=sessions {
                let held = starts + Duration::days((s - 1).min((ends - starts).num_days()));
                if held > today {
                    break;
                }
                let came: Vec<String> = roster
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !(i + s as usize).is_multiple_of(6))
                    .map(|(_, no)| no.clone())
                    .collect();
                store
                    .record_attendance(&admin, class.id, s, held, &came)
                    .await
                    .context("recording demo attendance")?;
            }
            if ends < today {
                store
                    .complete_class(&admin, class.id, today)
                    .await
                    .context("completing a demo class")?;
            }
        }

        // Permits: applied for over the last months; most issued, some still in process,
        // a few expiring within the month (the officer's reminder list).
        // The city's first district's members come first, so the demo's district officer
        // (Gambir) has permits falling due too.
        let (first, rest): (Vec<&Member>, Vec<&Member>) = members
            .iter()
            .skip(60 + ci * 5)
            .partition(|m| districts.first() == Some(&m.district_code));
        let mut permits = 0;
        for (i, m) in first.into_iter().chain(rest).enumerate() {
            if permits >= 24 {
                break;
            }
            let kind = [PermitType::Nib, PermitType::Pirt, PermitType::Halal][i % 3];
            let applied = d(20 + (i as i64 * 13) % 300);
            let p = match store
                .apply_permit(&admin, &m.member_no, kind, applied, None)
                .await
            {
                Ok(p) => p,
                Err(e) if skippable(&e) => continue,
                Err(e) => return Err(e).context("a demo permit application"),
            };
            permits += 1;
            if i % 5 == 4 {
                continue; // still with the issuing office
            }
            let issued = applied + Duration::days(7);
            if issued > today {
                continue;
            }
            let number = match kind {
                PermitType::Nib => format!("{:013}", 9_120_000_000_000_i64 + i as i64 * 7919),
                PermitType::Pirt => format!("{:015}", 206_317_101_000_000_i64 + i as i64 * 31),
                _ => format!("ID31110{:09}", 1_000_000 + i as i64 * 97),
            };
            // A P-IRT runs five years, a halal certificate four; a few issued long ago
            // fall due within the coming month.
            let expires = match kind {
                PermitType::Nib => None,
                _ if i % 4 == 1 => Some(today + Duration::days(5 + (i as i64 % 20))),
                PermitType::Pirt => Some(issued + Duration::days(5 * 365)),
                _ => Some(issued + Duration::days(4 * 365)),
            };
            let issue = PermitIssue::parse(
                kind,
                Some(&number),
                Some(&issued.to_string()),
                expires.map(|e| e.to_string()).as_deref(),
                today,
            )
            .map_err(|e| anyhow!("a demo permit: {e}"))?;
            match store
                .decide_permit(&admin, &m.member_no, p.id, &PermitDecision::Issue(issue))
                .await
            {
                Ok(_) => {}
                Err(e) if skippable(&e) => {}
                Err(e) => return Err(e).context("issuing a demo permit"),
            }
        }
    }

    // Mentoring in Central Jakarta by `pendamping`: sessions with follow-ups, some of
    // them overdue.
    let central = pool(store, &admin, "31.71").await?;
    let mut mentored = 0;
    for (i, m) in central.iter().skip(120).enumerate() {
        if mentored >= 12 {
            break;
        }
        match store
            .assign_mentor(&admin, &m.member_no, "pendamping", d(90))
            .await
        {
            Ok(()) => {}
            Err(e) if skippable(&e) => continue,
            Err(e) => return Err(e).context("assigning the demo mentor"),
        }
        mentored += 1;
        for (k, held) in [d(60), d(25)].into_iter().enumerate() {
            let due = held + Duration::days(14 + (i as i64 % 3) * 7);
            let session = NewMentoringSession {
                held_on: held,
                topics: vec![["permit", "marketing", "finance", "product"][(i + k) % 4].to_owned()],
                notes: Some("Kunjungan ke tempat usaha; catatan pendamping.".into()),
                follow_ups: vec![(
                    [
                        "Urus NIB di OSS",
                        "Foto produk untuk katalog",
                        "Catat penjualan harian",
                    ][(i + k) % 3]
                        .to_owned(),
                    due,
                )],
            };
            match store.record_session(&admin, &m.member_no, &session).await {
                Ok(_) => {}
                Err(e) if skippable(&e) => break,
                Err(e) => return Err(e).context("a demo mentoring session"),
            }
        }
    }

    // Referrals to the partners: decided ones, and this month's awaiting a decision.
    let partners = ["BANKDKI", "KOPJAK", "BANKDKI", "DANAKITA"];
    let mut referred = 0;
    for (i, m) in central.iter().skip(200).enumerate() {
        if referred >= 10 {
            break;
        }
        let r = NewReferral {
            partner_code: partners[i % partners.len()].to_owned(),
            purpose: ["Modal kerja", "Membeli mesin", "Menambah stok"][i % 3].to_owned(),
            amount_requested: 5_000_000 * (1 + (i as i64 % 6)),
            referred_on: d(if i < 6 {
                50 + i as i64 * 5
            } else {
                3 + i as i64
            }),
        };
        let made = match store.refer(&admin, &m.member_no, &r).await {
            Ok(x) => x,
            Err(e) if skippable(&e) => continue,
            Err(e) => return Err(e).context("a demo referral"),
        };
        referred += 1;
        if i < 6 {
            let decision = if i % 3 == 2 {
                Decision::Rejected {
                    reason: "Usaha belum berjalan enam bulan.".into(),
                }
            } else {
                Decision::Approved {
                    amount: r.amount_requested,
                }
            };
            store
                .decide_referral(
                    &admin,
                    made.id,
                    &decision,
                    r.referred_on + Duration::days(10),
                )
                .await
                .context("deciding a demo referral")?;
        }
    }

    // An exhibition last month with Central Jakarta members on its stands.
    let fair = NewMarketEvent {
        kind: "exhibition".into(),
        name: "Pameran Produk Jakpreneur Jakarta Pusat".into(),
        level: "local".into(),
        place_code: Some("31.71.01".into()),
        starts_on: d(30),
        ends_on: d(28),
        repeat_monthly: 0,
    };
    let events = store.create_market_events(&admin, &fair).await?;
    let mut stands = 0;
    if let Some(e) = events.first() {
        for m in central.iter().skip(260) {
            if stands >= 15 {
                break;
            }
            match store
                .add_market_participant(&admin, e.id, &m.member_no)
                .await
            {
                Ok(_) => stands += 1,
                Err(e) if skippable(&e) => {}
                Err(e) => return Err(e).context("a demo exhibitor"),
            }
        }
    }
    eprintln!(
        "Demo services: {classes} classes ({enrolled} enrolments), {mentored} mentored members, {referred} referrals, an exhibition with {stands} stands."
    );
    Ok(())
}
