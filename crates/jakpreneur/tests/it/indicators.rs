//! Every figure shown is recomputed here from raw records (docs/indicators.md).

use jakpreneur_testkit::TestApp;
use serde_json::{Value, json};

on_both_backends!(registered_members_counts_every_record);

/// The indicator list the API serves is the one documented, word for word.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_indicator_is_defined_in_the_docs_as_in_the_api() {
    let app = TestApp::sqlite().await;
    let res = app
        .as_(&jakpreneur_testkit::Creds::default())
        .get("/api/v1/indicators")
        .await;
    assert_eq!(res.status, axum::http::StatusCode::OK, "open to all");
    let docs = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/indicators.md"
    ))
    .expect("docs/indicators.md");
    let items = res.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), jakpreneur_core::indicators::INDICATORS.len());
    for i in &items {
        let code = i["code"].as_str().unwrap();
        let row = docs
            .lines()
            .find(|l| l.starts_with(&format!("| `{code}` |")))
            .unwrap_or_else(|| panic!("{code} has no row in docs/indicators.md"));
        assert!(
            row.contains(i["definition"].as_str().unwrap()),
            "the definition of {code} differs between the code and docs/indicators.md"
        );
        assert!(
            row.contains(i["name_id"].as_str().unwrap())
                && row.contains(i["name_en"].as_str().unwrap())
        );
    }
    // And the docs define nothing the API does not serve.
    let documented = docs.lines().filter(|l| l.starts_with("| `")).count();
    assert_eq!(documented, items.len());
}

async fn registered_members_counts_every_record(app: TestApp) {
    let mut numbers = Vec::new();
    for i in 0..3 {
        numbers.push(
            app.register(i).await["member_no"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    app.post_json(
        &format!("/api/v1/members/{}/withdraw", numbers[0]),
        &json!({"reason": "pindah domisili"}),
    )
    .await;
    app.post_json(
        &format!("/api/v1/members/{}/erase", numbers[1]),
        &json!({"reason": "permintaan anggota"}),
    )
    .await;
    // Recount from the raw rows, withdrawn and erased members included.
    let mut raw = 0;
    let mut after: Option<String> = None;
    loop {
        let url = after
            .as_ref()
            .map_or("/api/v1/members?limit=500".to_owned(), |a| {
                format!("/api/v1/members?limit=500&after={a}")
            });
        let page = app.get(&url).await.json();
        raw += page["items"].as_array().unwrap().len();
        match page["next"].as_str() {
            Some(n) => after = Some(n.to_owned()),
            None => break,
        }
    }
    assert_eq!(raw, 3);
    let home = app.get("/").await.text();
    assert!(
        home.contains(&format!("<span class=\"stat-value\">{raw}</span>")),
        "home shows {raw}"
    );
}

on_both_backends!(facility_release_and_period_match_a_recount);

/// A population with known histories (voids, a withdrawal, an erasure, a business that
/// moves, services after the as-of date, a member registered after it, both order rules),
/// then every figure of the facility release and the period report against a direct
/// recount from the raw events, for several dates and regions.
async fn facility_release_and_period_match_a_recount(app: TestApp) {
    use std::collections::BTreeMap;

    use axum::http::StatusCode;
    use jakpreneur_testkit::member_in;

    let villages = [
        "31.71.01.1001",
        "31.71.01.1002",
        "31.71.02.1001",
        "31.74.02.1001",
    ];
    let mut members = Vec::new();
    for i in 0..12u32 {
        let mut m = member_in(500 + i, villages[i as usize % 4]);
        m["registered_on"] = json!(format!("20{}-0{}-1{}", 18 + i % 6, 1 + i % 9, i % 10));
        let res = app.post_json("/api/v1/members", &m).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        members.push(res.json()["member_no"].as_str().unwrap().to_owned());
    }
    let kinds = [
        "training_completed",
        "mentoring_session",
        "permit_issued",
        "bazaar",
        "finance_training_completed",
        "financing_disbursed",
        "training_attended",
    ];
    let mut n = 0u32;
    for (i, no) in members.iter().enumerate() {
        for (j, kind) in kinds.iter().enumerate() {
            if (i + j) % 3 == 0 {
                continue;
            }
            n += 1;
            let day = format!(
                "202{}-{:02}-{:02}",
                1 + (i + j) % 5,
                1 + (i * 7 + j) % 12,
                1 + (i + j * 3) % 28
            );
            let res = app
                .post_json(
                    &format!("/api/v1/members/{no}/events"),
                    &json!({"kind": kind, "occurred_on": day}),
                )
                .await;
            assert!(
                res.status.is_success() || res.status == StatusCode::UNPROCESSABLE_ENTITY,
                "{}",
                res.text()
            );
            if res.status.is_success() && n.is_multiple_of(4) {
                let id = res.json()["id"].as_i64().unwrap();
                app.post_json(
                    &format!("/api/v1/members/{no}/events/{id}/void"),
                    &json!({"reason": "salah input"}),
                )
                .await;
            }
        }
    }
    app.post_json(
        &format!("/api/v1/members/{}/withdraw", members[1]),
        &json!({"reason": "pindah domisili"}),
    )
    .await;
    app.post_json(
        &format!("/api/v1/members/{}/erase", members[2]),
        &json!({"reason": "permintaan anggota"}),
    )
    .await;
    let res = app
        .patch_json(
            &format!("/api/v1/members/{}", members[3]),
            &json!({"village_code": "31.71.01.1002"}),
            Some("*"),
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text());

    // The raw records: each member's village and non-voided qualifying events.
    let qualifying: BTreeMap<String, (String, bool)> = jakpreneur_core::programme::programmes()
        .kinds
        .iter()
        .filter(|k| k.programme == "jakpreneur")
        .map(|k| (k.kind.clone(), (k.stage.clone(), k.qualifying)))
        .collect();
    let mut raw: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for no in &members {
        let m = app.get(&format!("/api/v1/members/{no}")).await.json();
        let events = app
            .get(&format!("/api/v1/members/{no}/events"))
            .await
            .json();
        let live = events["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| !e["voided"].is_object())
            .filter(|e| {
                qualifying
                    .get(e["kind"].as_str().unwrap())
                    .is_some_and(|(_, q)| *q)
            })
            .map(|e| {
                (
                    e["facility"].as_str().unwrap().to_owned(),
                    e["occurred_on"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        raw.push((m["village_code"].as_str().unwrap().to_owned(), live));
    }
    let in_region = |village: &str, region: Option<&str>| {
        region.is_none_or(|r| village == r || village.starts_with(&format!("{r}.")))
    };
    let stages = ["P1", "P2", "P3", "P4", "P5", "P6", "P7"];
    for region in [
        None,
        Some("31.71"),
        Some("31.71.01"),
        Some("31.71.01.1002"),
        Some("31.74.02"),
    ] {
        for as_of in ["2019-06-30", "2022-03-15", "2026-11-23"] {
            let mut want: BTreeMap<String, i64> =
                stages.iter().map(|s| (s.to_string(), 0)).collect();
            for (village, events) in &raw {
                if !in_region(village, region) {
                    continue;
                }
                for s in stages {
                    let first = events
                        .iter()
                        .filter(|(st, _)| st == s)
                        .map(|(_, d)| d.as_str())
                        .min();
                    if first.is_some_and(|d| d <= as_of) {
                        *want.get_mut(s).unwrap() += 1;
                    }
                }
            }
            let q = region.map_or(String::new(), |r| format!("&region={r}"));
            let got = app
                .get(&format!("/api/v1/stats/facilities?as_of={as_of}{q}"))
                .await
                .json();
            let got: BTreeMap<String, i64> = serde_json::from_value(got["counts"].clone()).unwrap();
            assert_eq!(got, want, "facility release as of {as_of} in {region:?}");
            // The funnel shows the same counts, with both shares.
            let funnel = app
                .get(&format!("/api/v1/stats/funnel?as_of={as_of}{q}"))
                .await
                .json();
            let p1 = want["P1"];
            for (i, s) in stages.iter().enumerate() {
                let st = &funnel["stages"][i];
                assert_eq!(
                    (st["facility"].as_str(), st["count"].as_i64()),
                    (Some(*s), Some(want[*s]))
                );
                let of_reg = (p1 > 0).then(|| want[*s] as f64 / p1 as f64);
                assert_eq!(
                    st["share_of_registrants"].as_f64(),
                    of_reg,
                    "{s} share of registrants"
                );
                let prev = (i > 0).then(|| want[stages[i - 1]]).filter(|p| *p > 0);
                assert_eq!(
                    st["share_of_previous"].as_f64(),
                    prev.map(|p| want[*s] as f64 / p as f64),
                    "{s} share of previous"
                );
            }
        }
        for (from, to) in [
            ("2021-01-01", "2021-12-31"),
            ("2018-01-01", "2026-11-23"),
            ("2022-10-17", "2023-03-24"),
        ] {
            let mut first: BTreeMap<String, i64> =
                stages.iter().map(|s| (s.to_string(), 0)).collect();
            let mut events: BTreeMap<String, i64> =
                stages.iter().map(|s| (s.to_string(), 0)).collect();
            for (village, evs) in &raw {
                if !in_region(village, region) {
                    continue;
                }
                for s in stages {
                    let f = evs
                        .iter()
                        .filter(|(st, _)| st == s)
                        .map(|(_, d)| d.as_str())
                        .min();
                    if f.is_some_and(|d| d >= from && d <= to) {
                        *first.get_mut(s).unwrap() += 1;
                    }
                    *events.get_mut(s).unwrap() += evs
                        .iter()
                        .filter(|(st, d)| st == s && d.as_str() >= from && d.as_str() <= to)
                        .count() as i64;
                }
            }
            let q = region.map_or(String::new(), |r| format!("&region={r}"));
            let got = app
                .get(&format!("/api/v1/stats/period?from={from}&to={to}{q}"))
                .await
                .json();
            assert_eq!(
                got["new_registrants"], first["P1"],
                "new registrants {from}–{to} in {region:?}"
            );
            first.remove("P1");
            events.remove("P1");
            let got_first: BTreeMap<String, i64> =
                serde_json::from_value(got["first_reached"].clone()).unwrap();
            let got_events: BTreeMap<String, i64> =
                serde_json::from_value(got["events"].clone()).unwrap();
            assert_eq!(got_first, first, "first reached {from}–{to} in {region:?}");
            assert_eq!(got_events, events, "events {from}–{to} in {region:?}");
        }
    }
    // Per child region: every district of Central Jakarta, each as its own recount.
    let grouped = app
        .get("/api/v1/stats/facilities?as_of=2026-11-23&region=31.71&group_by=district")
        .await
        .json();
    let groups = grouped["groups"].as_array().unwrap();
    let districts: Vec<&str> = groups.iter().map(|g| g["key"].as_str().unwrap()).collect();
    let expected_districts: Vec<String> = jakpreneur_core::reference::reference()
        .children("31.71")
        .map(|r| r.code.clone())
        .collect();
    assert_eq!(
        districts, expected_districts,
        "every district of 31.71, in order"
    );
    for g in groups {
        let code = g["key"].as_str().unwrap();
        let one = app
            .get(&format!(
                "/api/v1/stats/facilities?as_of=2026-11-23&region={code}"
            ))
            .await
            .json();
        assert_eq!(g["counts"], one["counts"], "group {code} = its own release");
    }
    let res = app
        .get("/api/v1/stats/facilities?region=31.71.01&group_by=city")
        .await;
    assert_eq!(
        res.error(),
        ("group_by_level".into(), Some("group_by".into()))
    );
    let res = app.get("/api/v1/stats/summary?group_by=city").await;
    assert_eq!(res.error().0, "group_by_not_supported");
    // The funnel per city: each city's stages are its own funnel.
    let by_city = app
        .get("/api/v1/stats/funnel?as_of=2026-11-23&group_by=city")
        .await
        .json();
    for g in by_city["groups"].as_array().unwrap() {
        let code = g["key"].as_str().unwrap();
        let one = app
            .get(&format!(
                "/api/v1/stats/funnel?as_of=2026-11-23&region={code}"
            ))
            .await
            .json();
        assert_eq!(g["stages"], one["stages"], "funnel of {code}");
    }
    // The population is not trivial: every facility was reached by someone, and some
    // services were voided.
    let all = app.get("/api/v1/stats/facilities").await.json();
    for s in stages {
        assert!(
            all["counts"][s].as_i64().unwrap() > 0,
            "{s} reached by someone: {all}"
        );
    }
    assert!(n > 50, "{n} services recorded");
    // Wrong input names its field.
    let res = app
        .get("/api/v1/stats/period?from=2023-02-30&to=2023-01-01")
        .await;
    assert_eq!(res.error(), ("date_invalid".into(), Some("from".into())));
    let res = app
        .get("/api/v1/stats/period?from=2023-02-01&to=2023-01-01")
        .await;
    assert_eq!(res.error(), ("date_range".into(), Some("to".into())));
    let res = app.get("/api/v1/stats/facilities?region=31.99").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.error().1.as_deref(), Some("region"));
}

on_both_backends!(open_statistics_suppress_small_areas);

/// The open facility release: no login; a district or village count carries a noise of at
/// most 2 and is `null` when the noised value is below 7 (the threshold 5 plus the bound);
/// province and city totals are always shown, exact.
async fn open_statistics_suppress_small_areas(app: TestApp) {
    use axum::http::StatusCode;
    use jakpreneur_testkit::member_in;

    // Gambir (31.71.01) gets 20 members, Sawah Besar (31.71.02) 2.
    for i in 0..22u32 {
        let village = if i < 20 {
            "31.71.01.1001"
        } else {
            "31.71.02.1001"
        };
        let mut m = member_in(700 + i, village);
        m["registered_on"] = json!("2022-05-10");
        let res = app.post_json("/api/v1/members", &m).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    }
    let public = app.as_(&jakpreneur_testkit::Creds::default());
    let get = |region: &str| {
        let url = format!("/api/v1/public/stats/facilities?as_of=2026-01-01&region={region}");
        let public = &public;
        async move {
            let res = public.get(&url).await;
            assert_eq!(res.status, StatusCode::OK, "{}", res.text());
            res.json()
        }
    };
    let gambir = get("31.71.01").await;
    let p1 = gambir["counts"]["P1"].as_i64().expect("20 ± 2 is shown");
    assert!((18..=22).contains(&p1), "{p1}");
    assert_eq!(gambir, get("31.71.01").await, "the same figures every time");
    assert_eq!(
        gambir["counts"]["P2"],
        serde_json::Value::Null,
        "0 < 7 is suppressed"
    );
    assert_eq!(gambir["suppressed_below"], 7);
    let sawah_besar = get("31.71.02").await;
    assert_eq!(sawah_besar["counts"]["P1"], serde_json::Value::Null);
    let village = get("31.71.02.1001").await;
    assert_eq!(village["counts"]["P1"], serde_json::Value::Null);
    let city = get("31.71").await;
    assert_eq!(city["counts"]["P1"], 22);
    assert_eq!(city["counts"]["P2"], 0, "a city total is shown as it is");
    assert_eq!(city["suppressed_below"], serde_json::Value::Null);
    let province = public
        .get("/api/v1/public/stats/facilities?as_of=2026-01-01")
        .await
        .json();
    assert_eq!(province["counts"]["P1"], 22);
    // The staff release shows the exact small counts.
    let staff = app
        .get("/api/v1/stats/facilities?as_of=2026-01-01&region=31.71.02")
        .await
        .json();
    assert_eq!(staff["counts"]["P1"], 2);
    // Staff figures need an account.
    assert_eq!(
        public.get("/api/v1/stats/facilities").await.status,
        StatusCode::UNAUTHORIZED
    );
}

on_both_backends!(a_lone_suppressed_count_is_protected_by_its_siblings);

/// Complementary suppression: with one village of Gambir hidden (2 members), the district
/// total minus the others would narrow it down, so the smallest shown village is hidden
/// too (the villages have 10, 15, 20, 25 and 30 members: their noised values, within 2,
/// keep that order).
async fn a_lone_suppressed_count_is_protected_by_its_siblings(app: TestApp) {
    use axum::http::StatusCode;
    use jakpreneur_testkit::member_in;

    let villages: Vec<String> = jakpreneur_core::reference::reference()
        .children("31.71.01")
        .map(|r| r.code.clone())
        .collect();
    assert_eq!(villages.len(), 6);
    let mut i = 0u32;
    for (n, v) in villages.iter().enumerate() {
        let count = if n == 5 { 2 } else { 10 + 5 * n as u32 };
        for _ in 0..count {
            i += 1;
            let mut m = member_in(800 + i, v);
            m["registered_on"] = json!("2022-05-10");
            let res = app.post_json("/api/v1/members", &m).await;
            assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        }
    }
    let public = app.as_(&jakpreneur_testkit::Creds::default());
    let r = public
        .get("/api/v1/public/stats/facilities?as_of=2026-01-01&region=31.71.01&group_by=village")
        .await
        .json();
    let total = r["counts"]["P1"]
        .as_i64()
        .expect("the district total is shown");
    assert!((total - i64::from(i)).abs() <= 2, "{total} for {i}");
    let p1: Vec<Value> = r["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["counts"]["P1"].clone())
        .collect();
    assert_eq!(p1[5], Value::Null, "2 < 7");
    assert_eq!(
        p1[0],
        Value::Null,
        "the smallest shown village (10) is hidden with it"
    );
    for (n, v) in p1.iter().enumerate().take(5).skip(1) {
        let v = v.as_i64().expect("shown");
        assert!((v - (10 + 5 * n as i64)).abs() <= 2, "village {n}: {v}");
    }
    // The staff view shows everything.
    let staff = app
        .get("/api/v1/stats/facilities?as_of=2026-01-01&region=31.71.01&group_by=village")
        .await
        .json();
    assert_eq!(staff["groups"][5]["counts"]["P1"], 2);
}

on_both_backends!(staff_statistics_are_exact_only_inside_the_readers_region);

/// Finding 2 of the security review: a member account or a trainer of South Jakarta got
/// exact district and village counts of any region from `/api/v1/stats/*`. Now exact
/// figures are for administrators and officers inside their region; every other reader
/// of members gets the published figures, small counts hidden.
async fn staff_statistics_are_exact_only_inside_the_readers_region(app: TestApp) {
    use axum::http::StatusCode;
    use jakpreneur_testkit::member_in;

    // Sawah Besar (31.71.02) has 2 members: hidden in the published figures.
    for i in 0..2u32 {
        let mut m = member_in(720 + i, "31.71.02.1001");
        m["registered_on"] = json!("2022-05-10");
        let res = app.post_json("/api/v1/members", &m).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    }
    let camat = app
        .user("camat", "district_officer", Some("31.71.02"))
        .await;
    let camat_lain = app
        .user("camat_lain", "district_officer", Some("31.74.01"))
        .await;
    let pelatih = app.user("pelatih", "trainer", Some("31.74")).await;
    let mentor = app.user("mentor", "mentor", Some("31.71.02")).await;
    let suffix = "as_of=2026-01-01&region=31.71.02";
    for (who, creds, exact) in [
        ("admin", app.admin.clone(), true),
        ("the district's officer", camat, true),
        ("another district's officer", camat_lain, false),
        ("a trainer of South Jakarta", pelatih, false),
        ("a mentor of the district", mentor, false),
    ] {
        for path in ["facilities", "summary", "funnel"] {
            let res = app
                .as_(&creds)
                .get(&format!("/api/v1/stats/{path}?{suffix}"))
                .await;
            assert_eq!(res.status, StatusCode::OK, "{who} {path}: {}", res.text());
            let v = res.json();
            let count = match path {
                "facilities" => &v["counts"]["P1"],
                "funnel" => &v["stages"][0]["count"],
                _ => &v["registered_members"],
            };
            assert_eq!(
                *count == json!(2),
                exact,
                "{who} {path}: exact figures only inside the officer's region: {v}"
            );
            if !exact {
                assert!(count.is_null(), "{who} {path}: the published figure: {v}");
            }
        }
        let res = app
            .as_(&creds)
            .get("/api/v1/stats/period?from=2022-01-01&to=2022-12-31&region=31.71.02")
            .await;
        assert_eq!(res.status, StatusCode::OK, "{who}: {}", res.text());
        assert_eq!(
            res.json()["new_registrants"] == json!(2),
            exact,
            "{who}: {}",
            res.text()
        );
    }
}
