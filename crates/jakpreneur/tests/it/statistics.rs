//! Every statistic beyond the facility release, recounted from raw records read back
//! through the API: active members, members at k facilities, naik kelas, breakdowns by
//! sector, registration year and agency, permits and exhibitions in a period, cohorts;
//! then the store's own recount (`verify_stats`) and a rebuild.

use std::collections::{BTreeMap, BTreeSet};

use axum::http::StatusCode;
use chrono::NaiveDate;
use jakpreneur_core::stats::{is_active_on, whole_months};
use jakpreneur_testkit::{TestApp, member_in};
use serde_json::{Value, json};

on_both_backends!(
    every_statistic_matches_a_recount,
    the_server_rolls_counter_changes_up_in_the_background,
    every_statistics_endpoint_takes_a_programme,
);

/// `programme=CODE` on every statistics endpoint, staff and open: `jakpreneur` (any case)
/// gives what the call without it gives; a code no programme has is a 422 naming the field.
async fn every_statistics_endpoint_takes_a_programme(app: TestApp) {
    for i in 0..3 {
        app.register(i).await;
    }
    for path in [
        "/api/v1/stats/facilities?region=31.71",
        "/api/v1/stats/period?from=2020-01-01&to=2026-12-31",
        "/api/v1/stats/funnel?region=31.71",
        "/api/v1/stats/summary?region=31.71",
        "/api/v1/stats/cohorts?from=2026-01&to=2026-06",
        "/api/v1/public/stats/facilities?region=31.71",
        "/api/v1/public/stats/funnel?region=31.71",
        "/api/v1/public/stats/period?from=2020-01-01&to=2026-12-31",
        "/api/v1/public/stats/summary?region=31.71",
    ] {
        let plain = app.get(path).await;
        assert_eq!(plain.status, StatusCode::OK, "{path}: {}", plain.text());
        let named = app.get(&format!("{path}&programme=%20Jakpreneur")).await;
        assert_eq!(named.status, StatusCode::OK, "{path}: {}", named.text());
        assert_eq!(named.json(), plain.json(), "{path}");
        let unknown = app.get(&format!("{path}&programme=tidak_ada")).await;
        assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        let e = unknown.json();
        assert_eq!(e["error"]["field"], "programme", "{path}: {e}");
        assert_eq!(e["error"]["code"], "programme_unknown", "{path}: {e}");
    }
}

/// The server's folder empties `stat_pending` on its own, and the figures stay.
async fn the_server_rolls_counter_changes_up_in_the_background(app: TestApp) {
    for i in 0..3 {
        app.register(i).await;
    }
    let before = app.get("/api/v1/stats/summary").await.json();
    assert_eq!(before["registered_members"], 3, "{before}");
    let waiting = app.store.pending_rows().await.unwrap();
    assert!(waiting > 0, "registrations left counter changes waiting");
    app.store.spawn_folder(std::time::Duration::from_millis(20));
    for _ in 0..250 {
        if app.store.pending_rows().await.unwrap() == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(
        app.store.pending_rows().await.unwrap(),
        0,
        "the folder rolled them up"
    );
    assert_eq!(app.get("/api/v1/stats/summary").await.json(), before);
}

#[derive(Debug, Clone)]
struct Ev {
    stage: String,
    kind: String,
    qualifying: bool,
    on: NaiveDate,
    agency: String,
}

#[derive(Debug, Clone)]
struct Raw {
    village: String,
    sector: String,
    registered_on: NaiveDate,
    moved_up_on: Option<NaiveDate>,
    events: Vec<Ev>,
}

impl Raw {
    fn first(&self, stage: &str, agency: Option<&str>) -> Option<NaiveDate> {
        self.events
            .iter()
            .filter(|e| e.qualifying && e.stage == stage && agency.is_none_or(|a| a == e.agency))
            .map(|e| e.on)
            .min()
    }
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

const STAGES: [&str; 7] = ["P1", "P2", "P3", "P4", "P5", "P6", "P7"];

async fn population(app: &TestApp) -> Vec<String> {
    let villages = [
        "31.71.01.1001",
        "31.71.02.1001",
        "31.74.02.1001",
        "31.72.01.1001",
    ];
    let sectors = ["I", "C", "G"];
    let agencies = ["PPKUKM", "KPKP", "PAREKRAF"];
    let kinds = [
        "training_completed",
        "training_attended",
        "mentoring_session",
        "permit_issued",
        "permit_applied",
        "exhibition",
        "bazaar",
        "finance_training_completed",
        "financing_disbursed",
    ];
    let mut members = Vec::new();
    for i in 0..16u32 {
        let mut m = member_in(900 + i, villages[i as usize % 4]);
        m["sector"] = json!(sectors[i as usize % 3]);
        m["registered_on"] = json!(format!(
            "20{}-{:02}-{:02}",
            19 + i % 6,
            1 + (i * 5) % 12,
            1 + (i * 7) % 28
        ));
        let res = app.post_json("/api/v1/members", &m).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        members.push(res.json()["member_no"].as_str().unwrap().to_owned());
    }
    let mut n = 0usize;
    for (i, no) in members.iter().enumerate() {
        for (j, kind) in kinds.iter().enumerate() {
            if (i * 3 + j) % 4 == 0 {
                continue;
            }
            for rep in 0..(1 + (i + j) % 2) {
                n += 1;
                let day = format!(
                    "202{}-{:02}-{:02}",
                    (i + j + rep) % 6 + 1,
                    1 + (i * 7 + j + rep * 5) % 12,
                    1 + (i + j * 3) % 28
                );
                let res = app
                    .post_json(
                        &format!("/api/v1/members/{no}/events"),
                        &json!({"kind": kind, "occurred_on": day, "agency": agencies[(i + j + rep) % 3]}),
                    )
                    .await;
                assert!(
                    res.status.is_success() || res.status == StatusCode::UNPROCESSABLE_ENTITY,
                    "{}",
                    res.text()
                );
                if res.status.is_success() && n.is_multiple_of(5) {
                    let id = res.json()["id"].as_i64().unwrap();
                    let res = app
                        .post_json(
                            &format!("/api/v1/members/{no}/events/{id}/void"),
                            &json!({"reason": "salah input"}),
                        )
                        .await;
                    assert!(res.status.is_success(), "{}", res.text());
                }
            }
        }
    }
    // Naik kelas for one member: micro in January 2026, small in March.
    let url = format!("/api/v1/members/{}/financial-reports", members[0]);
    for (month, assets) in [("2026-01", 200_000_000i64), ("2026-03", 1_500_000_000)] {
        let res = app
            .post_json(&url, &json!({"month": month, "sales": 100_000_000, "costs": 50_000_000, "employees": 2, "assets": assets, "filed_on": "2026-11-01"}))
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    }
    // A withdrawal, an erasure, a business that moves, a sector corrected.
    for (no, action) in [(&members[1], "withdraw"), (&members[2], "erase")] {
        let res = app
            .post_json(
                &format!("/api/v1/members/{no}/{action}"),
                &json!({"reason": "permintaan anggota"}),
            )
            .await;
        assert!(res.status.is_success(), "{}", res.text());
    }
    for (no, patch) in [
        (&members[3], json!({"village_code": "31.71.01.1002"})),
        (&members[4], json!({"sector": "A"})),
    ] {
        let res = app
            .patch_json(&format!("/api/v1/members/{no}"), &patch, Some("*"))
            .await;
        assert!(res.status.is_success(), "{}", res.text());
    }
    assert!(n > 150, "{n} services");
    members
}

async fn raw_records(app: &TestApp, members: &[String]) -> Vec<Raw> {
    let kinds: BTreeMap<String, (String, bool)> = jakpreneur_core::programme::programmes()
        .kinds
        .iter()
        .filter(|k| k.programme == "jakpreneur")
        .map(|k| (k.kind.clone(), (k.stage.clone(), k.qualifying)))
        .collect();
    let mut out = Vec::new();
    for no in members {
        let m = app.get(&format!("/api/v1/members/{no}")).await.json();
        let events = app
            .get(&format!("/api/v1/members/{no}/events"))
            .await
            .json();
        let size = app
            .get(&format!("/api/v1/members/{no}/financial-reports"))
            .await
            .json();
        let events = events["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| !e["voided"].is_object())
            .map(|e| {
                let kind = e["kind"].as_str().unwrap().to_owned();
                let (stage, qualifying) = kinds[&kind].clone();
                Ev {
                    stage,
                    qualifying,
                    kind,
                    on: d(e["occurred_on"].as_str().unwrap()),
                    agency: e["agency"].as_str().unwrap().to_owned(),
                }
            })
            .collect();
        out.push(Raw {
            village: m["village_code"].as_str().unwrap().to_owned(),
            sector: m["sector"].as_str().unwrap().to_owned(),
            registered_on: d(m["registered_on"].as_str().unwrap()),
            moved_up_on: size["size"]["moved_up_on"].as_str().map(d),
            events,
        });
    }
    out
}

fn in_region(village: &str, region: Option<&str>) -> bool {
    region.is_none_or(|r| village == r || village.starts_with(&format!("{r}.")))
}

fn release(members: &[&Raw], as_of: NaiveDate, agency: Option<&str>) -> BTreeMap<String, i64> {
    STAGES
        .iter()
        .map(|s| {
            let n = members
                .iter()
                .filter(|m| m.first(s, agency).is_some_and(|f| f <= as_of))
                .count() as i64;
            (s.to_string(), n)
        })
        .collect()
}

fn counts(v: &Value) -> BTreeMap<String, i64> {
    serde_json::from_value(v.clone()).unwrap()
}

async fn every_statistic_matches_a_recount(app: TestApp) {
    let members = population(&app).await;
    let raw = raw_records(&app, &members).await;
    assert!(
        raw.iter().any(|m| m.moved_up_on.is_some()),
        "someone moved up a class"
    );
    for region in [None, Some("31.71"), Some("31.71.01"), Some("31.74.02.1001")] {
        let q = region.map_or(String::new(), |r| format!("&region={r}"));
        let here: Vec<&Raw> = raw
            .iter()
            .filter(|m| in_region(&m.village, region))
            .collect();
        for as_of in ["2021-06-30", "2023-12-31", "2026-11-01"] {
            let day = d(as_of);
            let s = app
                .get(&format!("/api/v1/stats/summary?as_of={as_of}{q}"))
                .await
                .json();
            let registered = here.iter().filter(|m| m.registered_on <= day).count() as i64;
            assert_eq!(
                s["registered_members"], registered,
                "registered {as_of} {region:?}"
            );
            let active = here
                .iter()
                .filter(|m| m.events.iter().any(|e| is_active_on(e.on, day)))
                .count() as i64;
            assert_eq!(s["active_members"], active, "active {as_of} {region:?}");
            assert_eq!(counts(&s["reached"]), release(&here, day, None));
            for k in 2..=7usize {
                let want = here
                    .iter()
                    .filter(|m| {
                        STAGES
                            .iter()
                            .filter(|st| m.first(st, None).is_some_and(|f| f <= day))
                            .count()
                            >= k
                    })
                    .count() as i64;
                assert_eq!(
                    s["reached_at_least"][k.to_string()],
                    want,
                    "at least {k} as of {as_of} in {region:?}"
                );
            }
            let up = here
                .iter()
                .filter(|m| m.moved_up_on.is_some_and(|u| u <= day))
                .count() as i64;
            assert_eq!(s["moved_up_class"], up, "naik kelas {as_of} {region:?}");
            // Breakdowns: each group recounted on its own.
            for by in ["sector", "year", "agency"] {
                if region.is_some_and(|r| r.len() == 13) {
                    let r = app
                        .get(&format!(
                            "/api/v1/stats/facilities?as_of={as_of}{q}&group_by={by}"
                        ))
                        .await;
                    assert_eq!(
                        r.error(),
                        ("group_by_too_fine".into(), Some("group_by".into()))
                    );
                    continue;
                }
                let r = app
                    .get(&format!(
                        "/api/v1/stats/facilities?as_of={as_of}{q}&group_by={by}"
                    ))
                    .await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.text());
                let r = r.json();
                assert_eq!(
                    counts(&r["counts"]),
                    release(&here, day, None),
                    "total with {by}"
                );
                for g in r["groups"].as_array().unwrap() {
                    let key = g["key"].as_str().unwrap();
                    let want = match by {
                        "sector" => release(
                            &here
                                .iter()
                                .copied()
                                .filter(|m| m.sector == key)
                                .collect::<Vec<_>>(),
                            day,
                            None,
                        ),
                        "year" => release(
                            &here
                                .iter()
                                .copied()
                                .filter(|m| m.registered_on.format("%Y").to_string() == key)
                                .collect::<Vec<_>>(),
                            day,
                            None,
                        ),
                        _ => release(&here, day, Some(key)),
                    };
                    assert_eq!(
                        counts(&g["counts"]),
                        want,
                        "{by} {key} as of {as_of} in {region:?}"
                    );
                }
            }
        }
        for (from, to) in [("2022-10-17", "2023-03-24"), ("2020-01-01", "2026-11-01")] {
            let (f, t) = (d(from), d(to));
            let p = app
                .get(&format!(
                    "/api/v1/stats/period?from={from}&to={to}{q}{}",
                    if region.is_some_and(|r| r.len() == 13) {
                        ""
                    } else {
                        "&group_by=agency"
                    }
                ))
                .await
                .json();
            let kind_n = |kind: &str| -> i64 {
                here.iter()
                    .flat_map(|m| &m.events)
                    .filter(|e| e.kind == kind && e.on >= f && e.on <= t)
                    .count() as i64
            };
            assert_eq!(
                p["permits_issued"],
                kind_n("permit_issued"),
                "permits {from}–{to} {region:?}"
            );
            assert_eq!(
                p["exhibition_participations"],
                kind_n("exhibition"),
                "exhibitions {from}–{to}"
            );
            for g in p["groups"].as_array().into_iter().flatten() {
                let agency = g["key"].as_str().unwrap();
                for s in &STAGES[1..] {
                    let first = here
                        .iter()
                        .filter(|m| m.first(s, Some(agency)).is_some_and(|x| x >= f && x <= t))
                        .count() as i64;
                    let events = here
                        .iter()
                        .flat_map(|m| &m.events)
                        .filter(|e| {
                            e.qualifying
                                && e.stage == *s
                                && e.agency == agency
                                && e.on >= f
                                && e.on <= t
                        })
                        .count() as i64;
                    assert_eq!(
                        g["first_reached"][s], first,
                        "{agency} first {s} {from}–{to}"
                    );
                    assert_eq!(g["events"][s], events, "{agency} events {s} {from}–{to}");
                }
            }
        }
        // Cohorts, observed today.
        let today = jakpreneur_testkit::today();
        let c = app
            .get(&format!("/api/v1/stats/cohorts?from=2019-01&to=2024-12{q}"))
            .await;
        assert_eq!(c.status, StatusCode::OK, "{}", c.text());
        let c = c.json();
        assert_eq!(c["cohorts"].as_array().unwrap().len(), 72);
        for row in c["cohorts"].as_array().unwrap() {
            let month = row["cohort"].as_str().unwrap();
            let cohort: Vec<&Raw> = here
                .iter()
                .copied()
                .filter(|m| m.registered_on.format("%Y-%m").to_string() == month)
                .collect();
            assert_eq!(
                row["registrants"],
                cohort.len() as i64,
                "registrants of {month}"
            );
            let last_day = d(&format!("{month}-01"))
                .checked_add_months(chrono::Months::new(1))
                .unwrap()
                .pred_opt()
                .unwrap();
            for s in &STAGES[1..] {
                let st = &row["stages"][s];
                let mut days: Vec<i64> = cohort
                    .iter()
                    .filter_map(|m| m.first(s, None).map(|f| (m.registered_on, f)))
                    .map(|(r, f)| (f - r).num_days())
                    .collect();
                assert_eq!(st["reached"], days.len() as i64, "{month} {s} reached");
                for k in [3u32, 6, 12, 24] {
                    let observable =
                        last_day.checked_add_months(chrono::Months::new(k)).unwrap() <= today;
                    let want = (observable && !cohort.is_empty()).then(|| {
                        cohort
                            .iter()
                            .filter(|m| {
                                m.first(s, None)
                                    .is_some_and(|f| whole_months(m.registered_on, f) < k as i32)
                            })
                            .count() as f64
                            / cohort.len() as f64
                    });
                    assert_eq!(
                        st["within"][k.to_string()].as_f64(),
                        want,
                        "{month} {s} within {k}"
                    );
                }
                days.sort_unstable();
                let median = (!days.is_empty()).then(|| {
                    let n = days.len();
                    (days[(n - 1) / 2] + days[n / 2]) as f64 / 2.0
                });
                assert_eq!(st["median_days"].as_f64(), median, "{month} {s} median");
            }
        }
    }
    // Every figure above was read with the counter changes still waiting in
    // `stat_pending` (no folder runs here); rolled up into the counters, nothing changes.
    let urls = [
        "/api/v1/stats/summary?as_of=2023-12-31&region=31.71",
        "/api/v1/stats/facilities?as_of=2026-11-01&group_by=district",
        "/api/v1/stats/facilities?as_of=2024-06-15&group_by=agency",
        "/api/v1/stats/period?from=2021-02-10&to=2024-03-05&group_by=village&region=31.71.01",
        "/api/v1/stats/cohorts?from=2019-01&to=2024-12",
    ];
    let mut waiting = Vec::new();
    for url in urls {
        let res = app.get(url).await;
        assert_eq!(res.status, StatusCode::OK, "{url}: {}", res.text());
        waiting.push(res.json());
    }
    assert!(
        app.store.fold_pending().await.unwrap() > 0,
        "changes were waiting"
    );
    assert_eq!(app.store.fold_pending().await.unwrap(), 0, "all rolled up");
    for (url, before) in urls.iter().zip(&waiting) {
        assert_eq!(&app.get(url).await.json(), before, "{url}");
    }
    // The store's own recount agrees with every counter; a rebuild changes nothing.
    let check = app.store.verify_stats().await.unwrap();
    assert!(check.differences.is_empty(), "{:?}", check.differences);
    assert_eq!(check.members, 16);
    assert!(check.rows_checked > 1000, "{} rows", check.rows_checked);
    let before = app
        .get("/api/v1/stats/facilities?group_by=district")
        .await
        .json();
    app.store.rebuild_stats().await.unwrap();
    assert_eq!(
        app.get("/api/v1/stats/facilities?group_by=district")
            .await
            .json(),
        before
    );
    // A counter changed behind the store's back is found.
    app.raw_sql("UPDATE stat_counts SET reached = reached + 1 WHERE dim = 'sector' AND grain = 'year' AND region_code = '31'")
        .await;
    let check = app.store.verify_stats().await.unwrap();
    assert!(!check.differences.is_empty());
    // Wrong input names its field.
    for (url, field) in [
        ("/api/v1/stats/facilities?group_by=planet", "group_by"),
        ("/api/v1/stats/cohorts?from=2019-13", "from"),
        ("/api/v1/stats/cohorts?from=2010-01&to=2024-01", "from"),
        ("/api/v1/stats/cohorts?from=2024-02&to=2024-01", "to"),
        ("/api/v1/stats/summary?group_by=sector", "group_by"),
    ] {
        let res = app.get(url).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}");
        assert_eq!(res.error().1.as_deref(), Some(field), "{url}");
    }
    let sectors: BTreeSet<&str> = raw.iter().map(|m| m.sector.as_str()).collect();
    assert!(sectors.len() >= 3);
}
