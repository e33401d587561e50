//! The ledger of services: qualifying kinds, first reach, voids, the order rules across
//! 2020-01-01, dates, idempotent retries, corrections of the registration, and a
//! randomised check of `member_facility` and the daily counters against a recount from
//! the raw events.

use std::collections::BTreeMap;

use crate::recount::counters;

use axum::http::{Method, StatusCode};
use chrono::NaiveDate;
use jakpreneur_testkit::{TestApp, member_in};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

on_both_backends!(
    first_reach_follows_qualifying_events_and_voids,
    order_rules_change_on_2020_01_01,
    dates_and_retries,
    registration_corrections_move_the_counts,
    random_histories_match_a_recount,
);

async fn record(app: &TestApp, no: &str, kind: &str, on: &str) -> (StatusCode, Value) {
    let res = app
        .post_json(
            &format!("/api/v1/members/{no}/events"),
            &json!({"kind": kind, "occurred_on": on}),
        )
        .await;
    let status = res.status;
    (status, res.json())
}

async fn event_id(app: &TestApp, no: &str, kind: &str, on: &str) -> i64 {
    let (status, v) = record(app, no, kind, on).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    v["id"].as_i64().unwrap()
}

async fn void(app: &TestApp, no: &str, id: i64) -> (StatusCode, Value) {
    let res = app
        .post_json(
            &format!("/api/v1/members/{no}/events/{id}/void"),
            &json!({"reason": "entered twice"}),
        )
        .await;
    let status = res.status;
    (status, res.json())
}

async fn first_reach_follows_qualifying_events_and_voids(app: TestApp) {
    let no = app.register_on(1, "31.71.01.1001", "2021-02-01").await;
    assert_eq!(
        app.reached(&no).await,
        BTreeMap::from([("P1".into(), "2021-02-01".into())]),
        "registration writes P1"
    );
    let events = app
        .get(&format!("/api/v1/members/{no}/events"))
        .await
        .json();
    assert_eq!(events["items"][0]["kind"], "registered");
    assert_eq!(events["items"][0]["agency"], "PPKUKM");

    event_id(&app, &no, "training_enrolled", "2021-03-01").await;
    assert!(
        !app.reached(&no).await.contains_key("P2"),
        "enrolment does not qualify"
    );
    let late = event_id(&app, &no, "training_completed", "2021-06-01").await;
    assert_eq!(app.reached(&no).await["P2"], "2021-06-01");
    let early = event_id(&app, &no, "training_completed", "2021-04-01").await;
    assert_eq!(
        app.reached(&no).await["P2"],
        "2021-04-01",
        "the earliest counts"
    );
    let c = counters(&app).await;
    let key = |d: &str| ("31.71.01.1001".to_owned(), "P2".to_owned(), d.to_owned());
    assert_eq!(c.get(&key("2021-04-01")), Some(&(1, 1)));
    assert_eq!(c.get(&key("2021-06-01")), Some(&(0, 1)));

    // Voiding the first reach moves it to the next qualifying event, counters following.
    let (status, v) = void(&app, &no, early).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["voided"]["reason"], "entered twice");
    assert_eq!(app.reached(&no).await["P2"], "2021-06-01");
    let c = counters(&app).await;
    assert_eq!(c.get(&key("2021-04-01")), None);
    assert_eq!(c.get(&key("2021-06-01")), Some(&(1, 1)));
    // Voiding the last one removes the reach.
    void(&app, &no, late).await;
    assert!(!app.reached(&no).await.contains_key("P2"));
    assert!(!counters(&app).await.keys().any(|k| k.1 == "P2"));

    let (status, v) = void(&app, &no, late).await;
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_voided"))
    );
    let p1 = events["items"][0]["id"].as_i64().unwrap();
    let (status, v) = void(&app, &no, p1).await;
    assert_eq!(v["error"]["code"], "registration_not_voidable", "{status}");
    let (status, _) = void(&app, &no, 999_999).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The timeline keeps everything, voided events struck through with their reason.
    let list = app
        .get(&format!("/api/v1/members/{no}/events"))
        .await
        .json();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 4);
    assert_eq!(items.iter().filter(|e| e["voided"].is_object()).count(), 2);
    let page = app.get(&format!("/members/{no}")).await.text();
    assert!(page.contains("<del>1 April 2021</del>") && page.contains("entered twice"));
    let audit = app
        .get(&format!("/api/v1/audit?record_id={no}&action=event.void"))
        .await
        .json();
    assert_eq!(audit["items"].as_array().unwrap().len(), 2);
}

async fn order_rules_change_on_2020_01_01(app: TestApp) {
    let no = app.register_on(2, "31.71.01.1001", "2018-01-10").await;
    // OK OCE (sequential) before 2020: mentoring needs training first.
    let (status, v) = record(&app, &no, "mentoring_session", "2019-06-01").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["code"], "facility_order");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("needs P2"),
        "{v}"
    );
    event_id(&app, &no, "training_completed", "2019-05-01").await;
    event_id(&app, &no, "mentoring_session", "2019-06-01").await;
    let (_, v) = record(&app, &no, "financing_disbursed", "2019-07-01").await;
    assert!(
        v["error"]["message"].as_str().unwrap().contains("needs P6"),
        "{v}"
    );
    // Jakpreneur (free) from 2020: any facility once registered.
    event_id(&app, &no, "financing_disbursed", "2020-01-01").await;
    assert_eq!(
        app.reached(&no).await.keys().cloned().collect::<Vec<_>>(),
        ["P1", "P2", "P3", "P7"]
    );
    // The page form says the same, next to the field.
    let res = app
        .post_form(
            &format!("/members/{no}/events"),
            &[("kind", "bazaar"), ("occurred_on", "2019-08-01")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("mensyaratkan fasilitas sebelumnya"));
    assert!(
        res.text().contains("belum tercapai: P4"),
        "names the missing facility"
    );
    let res = app
        .post_form(
            &format!("/members/{no}/events"),
            &[
                ("kind", "permit_issued"),
                ("occurred_on", "2020-08-01"),
                ("agency", "KPKP"),
                ("reference", "NIB 1234567890123"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let list = app
        .get(&format!("/api/v1/members/{no}/events"))
        .await
        .json();
    let permit = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "permit_issued")
        .unwrap()
        .clone();
    assert_eq!(permit["agency"], "KPKP");
}

async fn dates_and_retries(app: TestApp) {
    let no = app.register_on(3, "31.71.01.1001", "2022-03-01").await;
    let (_, v) = record(&app, &no, "bazaar", "2022-02-28").await;
    assert_eq!(v["error"]["code"], "before_registration");
    let (_, v) = record(&app, &no, "bazaar", "2026-11-24").await;
    assert_eq!(v["error"]["code"], "date_in_future");
    let (_, v) = record(&app, &no, "graduation", "2022-03-05").await;
    assert_eq!(v["error"]["code"], "kind_unknown");
    let res = app
        .post_json(
            &format!("/api/v1/members/{no}/events"),
            &json!({"facility": "P3", "kind": "bazaar", "occurred_on": "2022-03-05"}),
        )
        .await;
    assert_eq!(
        res.error(),
        ("facility_kind_mismatch".into(), Some("facility".into()))
    );
    let res = app
        .post_json(
            "/api/v1/members/JP-0000-0000000/events",
            &json!({"kind": "bazaar", "occurred_on": "2022-03-05"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);

    // The same Idempotency-Key twice: one event.
    let body = json!({"kind": "exhibition", "occurred_on": "2022-04-01"}).to_string();
    let send = |key: &'static str, body: String| {
        let app = &app;
        let no = no.clone();
        async move {
            app.request(
                Method::POST,
                &format!("/api/v1/members/{no}/events"),
                &[
                    ("content-type", "application/json"),
                    ("idempotency-key", key),
                ],
                body.into_bytes(),
            )
            .await
        }
    };
    let a = send("retry-1", body.clone()).await;
    let b = send("retry-1", body.clone()).await;
    assert_eq!(a.status, StatusCode::CREATED);
    assert_eq!(
        a.json()["id"],
        b.json()["id"],
        "the retry finds the same event"
    );
    let other = send(
        "retry-1",
        json!({"kind": "outlet", "occurred_on": "2022-04-01"}).to_string(),
    )
    .await;
    assert_eq!(other.error().0, "idempotency_key_reused");
    // Finding 8 of the security review: the same kind and day with another reference (or
    // note, or agency) was answered with the first event as if it were a retry.
    for changed in [
        json!({"kind": "exhibition", "occurred_on": "2022-04-01", "reference": "PAMERAN-2"}),
        json!({"kind": "exhibition", "occurred_on": "2022-04-01", "note": "stan B"}),
        json!({"kind": "exhibition", "occurred_on": "2022-04-01", "agency": "PAREKRAF"}),
    ] {
        let res = send("retry-1", changed.to_string()).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{changed}");
        assert_eq!(res.error().0, "idempotency_key_reused", "{changed}");
    }
    let list = app
        .get(&format!("/api/v1/members/{no}/events"))
        .await
        .json();
    assert_eq!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "exhibition")
            .count(),
        1
    );

    // After a withdrawal, services dated later are refused; earlier ones still fit.
    app.post_json(
        &format!("/api/v1/members/{no}/withdraw"),
        &json!({"reason": "closed the shop"}),
    )
    .await;
    // (Withdrawn three weeks ago: the API withdraws as of today.)
    app.raw_sql(&format!(
        "UPDATE members SET withdrawn_on = '2026-11-01' WHERE member_no = '{no}'"
    ))
    .await;
    let (_, v) = record(&app, &no, "outlet", "2026-11-23").await;
    assert_eq!(v["error"]["code"], "after_withdrawal");
    let (status, _) = record(&app, &no, "outlet", "2022-05-01").await;
    assert_eq!(status, StatusCode::CREATED);
}

async fn registration_corrections_move_the_counts(app: TestApp) {
    let no = app.register_on(4, "31.71.01.1001", "2021-01-10").await;
    event_id(&app, &no, "training_completed", "2021-02-01").await;
    let url = format!("/api/v1/members/{no}");
    let res = app
        .patch_json(&url, &json!({"registered_on": "2021-03-01"}), Some("*"))
        .await;
    assert_eq!(
        res.error(),
        (
            "events_before_registration".into(),
            Some("registered_on".into())
        )
    );
    let res = app
        .patch_json(&url, &json!({"registered_on": "2021-01-05"}), Some("*"))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(app.reached(&no).await["P1"], "2021-01-05");
    let c = counters(&app).await;
    assert_eq!(
        c.get(&("31.71.01.1001".into(), "P1".into(), "2021-01-05".into())),
        Some(&(1, 1))
    );
    assert!(!c.contains_key(&("31.71.01.1001".into(), "P1".into(), "2021-01-10".into())));
    // Moving the business moves every count to the new village.
    let res = app
        .patch_json(&url, &json!({"village_code": "31.74.02.1001"}), Some("*"))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let c = counters(&app).await;
    assert!(c.keys().all(|k| k.0 == "31.74.02.1001"), "{c:?}");
    assert_eq!(
        c.get(&("31.74.02.1001".into(), "P2".into(), "2021-02-01".into())),
        Some(&(1, 1))
    );
}

/// Random histories of records and voids across many members; then `member_facility`
/// and every daily counter must equal a recount from the raw events.
async fn random_histories_match_a_recount(app: TestApp) {
    let kinds: Vec<(String, String, bool)> = jakpreneur_core::programme::programmes()
        .kinds
        .iter()
        .filter(|k| k.programme == "jakpreneur" && k.kind != "registered")
        .map(|k| (k.kind.clone(), k.stage.clone(), k.qualifying))
        .collect();
    let villages = ["31.71.01.1001", "31.74.02.1001", "31.75.01.1001"];
    let mut rng = StdRng::seed_from_u64(20261123);
    let mut members = Vec::new();
    for i in 0..12u32 {
        let year = rng.random_range(2018..=2023);
        let mut m = member_in(300 + i, villages[i as usize % 3]);
        m["registered_on"] = json!(format!(
            "{year}-0{}-1{}",
            rng.random_range(1..=9),
            rng.random_range(0..=9)
        ));
        let res = app.post_json("/api/v1/members", &m).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        members.push(res.json()["member_no"].as_str().unwrap().to_owned());
    }
    let mut recorded: Vec<(String, i64)> = Vec::new();
    let (mut accepted, mut refused, mut voided) = (0, 0, 0);
    for _ in 0..220 {
        let no = &members[rng.random_range(0..members.len())];
        if !recorded.is_empty() && rng.random_bool(0.25) {
            let (vno, id) = recorded[rng.random_range(0..recorded.len())].clone();
            let (status, _) = void(&app, &vno, id).await;
            assert!(
                status == StatusCode::OK || status == StatusCode::CONFLICT,
                "{status}"
            );
            voided += usize::from(status == StatusCode::OK);
            continue;
        }
        let (kind, _, _) = &kinds[rng.random_range(0..kinds.len())];
        let day = NaiveDate::from_ymd_opt(
            rng.random_range(2017..=2026),
            rng.random_range(1..=10),
            rng.random_range(1..=28),
        )
        .unwrap();
        let (status, v) = record(&app, no, kind, &day.to_string()).await;
        match status {
            StatusCode::CREATED => {
                accepted += 1;
                recorded.push((no.clone(), v["id"].as_i64().unwrap()));
            }
            StatusCode::UNPROCESSABLE_ENTITY => refused += 1,
            other => panic!("unexpected {other}: {v}"),
        }
    }
    assert!(
        accepted > 50 && refused > 10 && voided > 10,
        "{accepted} {refused} {voided}"
    );

    crate::recount::assert_ledger_matches_recount(&app, &members).await;
}
