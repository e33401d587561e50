//! Corrections of facility records: a record is voided as a whole, its ledger events with
//! it; reaches and daily counters follow, and the record counts for nothing anywhere.

use axum::http::StatusCode;
use jakpreneur_testkit::TestApp;
use serde_json::{Value, json};

use crate::recount::assert_ledger_matches_recount;

on_both_backends!(each_facility_record_is_voided_as_a_whole);

async fn ok(app: &TestApp, url: &str, body: Value) -> Value {
    let res = app.post_json(url, &body).await;
    assert!(res.status.is_success(), "{url}: {}", res.text());
    if res.status == StatusCode::NO_CONTENT {
        Value::Null
    } else {
        res.json()
    }
}

/// A new course, "Kemasan" (packaging, 8 hours).
async fn kemasan_course(app: &TestApp) -> Value {
    ok(
        app,
        "/api/v1/courses",
        json!({"title": "Kemasan", "topic": "packaging", "hours": 8}),
    )
    .await
}

/// Enrols `no` in class `kid` and records them present at its two sessions, on 6 and 7
/// April 2026.
async fn enrol_and_attend_both_sessions(app: &TestApp, kid: i64, no: &str) {
    ok(
        app,
        &format!("/api/v1/classes/{kid}/enrolments"),
        json!({"member_no": no}),
    )
    .await;
    for (s, d) in [(1, "2026-04-06"), (2, "2026-04-07")] {
        ok(
            app,
            &format!("/api/v1/classes/{kid}/attendance"),
            json!({"session": s, "held_on": d, "members": [no]}),
        )
        .await;
    }
}

async fn void(app: &TestApp, no: &str, record: &str) -> (StatusCode, Value) {
    let res = app
        .post_json(
            &format!("/api/v1/members/{no}/records/{record}/void"),
            &json!({"reason": "salah input"}),
        )
        .await;
    let body = if res.status == StatusCode::NO_CONTENT {
        Value::Null
    } else {
        res.json()
    };
    (res.status, body)
}

fn event_id(events: &Value, kind: &str) -> i64 {
    events["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == kind && !e["voided"].is_object())
        .unwrap_or_else(|| panic!("no live {kind} in {events}"))["id"]
        .as_i64()
        .unwrap()
}

async fn each_facility_record_is_voided_as_a_whole(app: TestApp) {
    let no = app.register_on(1, "31.71.01.1001", "2021-01-04").await;
    let other = app.register_on(2, "31.71.01.1001", "2021-01-04").await;

    // P4: an issued permit.
    let p = ok(
        &app,
        &format!("/api/v1/members/{no}/permits"),
        json!({"type": "pirt", "applied_on": "2026-01-05"}),
    )
    .await;
    let pid = p["id"].as_i64().unwrap();
    ok(
        &app,
        &format!("/api/v1/members/{no}/permits/{pid}/decision"),
        json!({"decision": "issue", "number": "P-IRT 2063171010123-26", "issued_on": "2026-02-01", "expires_on": "2027-01-01"}),
    )
    .await;
    assert!(app.reached(&no).await.contains_key("P4"));
    // The ledger refuses to void the permit's event on its own …
    let events = app
        .get(&format!("/api/v1/members/{no}/events"))
        .await
        .json();
    let issued = event_id(&events, "permit_issued");
    let res = app
        .post_json(
            &format!("/api/v1/members/{no}/events/{issued}/void"),
            &json!({"reason": "x salah"}),
        )
        .await;
    assert_eq!(res.error().0, "event_owned_by_record");
    // … the permit is voided as a whole instead, and stops counting.
    let expiring_url = "/api/v1/permits/expiring?from=2026-01-01&to=2027-12-31";
    let before = app.get(expiring_url).await.json();
    assert_eq!(before["items"].as_array().unwrap().len(), 1, "{before}");
    assert_eq!(
        void(&app, &no, &format!("permit-{pid}")).await.0,
        StatusCode::NO_CONTENT
    );
    assert!(!app.reached(&no).await.contains_key("P4"));
    let permits = app
        .get(&format!("/api/v1/members/{no}/permits"))
        .await
        .json();
    assert_eq!(permits["items"][0]["void_reason"], "salah input");
    let expiring = app.get(expiring_url).await.json();
    assert!(
        expiring["items"].as_array().unwrap().is_empty(),
        "{expiring}"
    );
    assert_eq!(
        void(&app, &no, &format!("permit-{pid}")).await.1["error"]["code"],
        "already_voided"
    );
    // Another member's record, or a malformed name, is not found / refused.
    assert_eq!(
        void(&app, &other, &format!("permit-{pid}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        void(&app, &no, "loan-1").await.1["error"]["code"],
        "record_invalid"
    );

    // P5: a participation, voided, then taken up again.
    let m = ok(
        &app,
        "/api/v1/market-events",
        json!({"kind": "bazaar", "name": "Bazar Balai Kota", "starts_on": "2026-03-02", "ends_on": "2026-03-04"}),
    )
    .await;
    let mid = m["items"][0]["id"].as_i64().unwrap();
    let url = format!("/api/v1/market-events/{mid}/participants");
    ok(&app, &url, json!({"member_no": no})).await;
    assert_eq!(
        void(&app, &no, &format!("market-{mid}")).await.0,
        StatusCode::NO_CONTENT
    );
    assert!(!app.reached(&no).await.contains_key("P5"));
    let list = app.get(&url).await.json();
    assert!(list["items"].as_array().unwrap().is_empty(), "{list}");
    ok(&app, &url, json!({"member_no": no})).await;
    assert_eq!(app.reached(&no).await["P5"], "2026-03-02");

    // P2: an enrolment with attendance and a certificate; the seat is freed.
    let c = kemasan_course(&app).await;
    let k = ok(
        &app,
        &format!("/api/v1/courses/{}/classes", c["id"]),
        json!({"starts_on": "2026-04-06", "ends_on": "2026-04-07", "sessions": 2, "capacity": 1}),
    )
    .await;
    let kid = k["id"].as_i64().unwrap();
    enrol_and_attend_both_sessions(&app, kid, &no).await;
    // One attendance is voided on its own (attendance is not a record of its own).
    let events = app
        .get(&format!("/api/v1/members/{no}/events"))
        .await
        .json();
    let att = event_id(&events, "training_attended");
    ok(
        &app,
        &format!("/api/v1/members/{no}/events/{att}/void"),
        json!({"reason": "tidak hadir"}),
    )
    .await;
    let detail = app.get(&format!("/api/v1/classes/{kid}")).await.json();
    assert_eq!(detail["roster"][0]["attended"], 1);
    // Recorded again: counted again.
    let again = ok(
        &app,
        &format!("/api/v1/classes/{kid}/attendance"),
        json!({"session": 1, "held_on": "2026-04-06", "members": [no]}),
    )
    .await;
    assert_eq!(again["added"], 1);
    let done = ok(&app, &format!("/api/v1/classes/{kid}/complete"), json!({})).await;
    assert_eq!(
        done["items"][0]["certificate_no"],
        format!("P2-2026-{kid:06}-0001")
    );
    assert_eq!(app.reached(&no).await["P2"], "2026-04-07");
    let res = app
        .post_json(
            &format!("/api/v1/classes/{kid}/enrolments"),
            &json!({"member_no": other}),
        )
        .await;
    assert_eq!(res.error().0, "class_full");
    assert_eq!(
        void(&app, &no, &format!("enrolment-{kid}")).await.0,
        StatusCode::NO_CONTENT
    );
    assert!(!app.reached(&no).await.contains_key("P2"));
    let detail = app.get(&format!("/api/v1/classes/{kid}")).await.json();
    assert_eq!(detail["class"]["enrolled"], 0);
    assert!(detail["roster"].as_array().unwrap().is_empty());
    // The freed seat goes to another member, whose certificate gets a new number.
    enrol_and_attend_both_sessions(&app, kid, &other).await;
    let done = ok(&app, &format!("/api/v1/classes/{kid}/complete"), json!({})).await;
    assert_eq!(
        done["items"][0]["certificate_no"],
        format!("P2-2026-{kid:06}-0002")
    );

    // P6: a report typed wrong is voided; the size class follows.
    let url = format!("/api/v1/members/{no}/financial-reports");
    ok(&app, &url, json!({"month": "2026-01", "sales": 10_000_000, "costs": 1, "employees": 1, "assets": 50_000_000})).await;
    let v = ok(&app, &url, json!({"month": "2026-02", "sales": 10_000_000, "costs": 1, "employees": 1, "assets": 5_000_000_000i64})).await;
    assert_eq!(v["size"]["size_class"], "small");
    let rid = v["items"][0]["id"].as_i64().unwrap();
    assert_eq!(
        void(&app, &no, &format!("report-{rid}")).await.0,
        StatusCode::NO_CONTENT
    );
    let v = app.get(&url).await.json();
    assert_eq!(v["size"]["size_class"], "micro");
    assert_eq!(v["size"]["moved_up_on"], Value::Null);
    assert_eq!(v["months"].as_array().unwrap().len(), 1);

    // P7: a disbursed referral; voiding removes the reach, and a decision is refused after.
    ok(
        &app,
        "/api/v1/financing-partners",
        json!({"code": "BANKDKI", "name": "Bank DKI", "kind": "bank"}),
    )
    .await;
    let r = ok(
        &app,
        &format!("/api/v1/members/{no}/referrals"),
        json!({"partner": "BANKDKI", "purpose": "Modal kerja", "amount_requested": 5_000_000, "consent": true, "referred_on": "2026-05-04"}),
    )
    .await;
    let rid = r["id"].as_i64().unwrap();
    ok(
        &app,
        &format!("/api/v1/referrals/{rid}/decision"),
        json!({"decision": "approved", "amount_approved": 5_000_000, "decided_on": "2026-05-10"}),
    )
    .await;
    ok(
        &app,
        &format!("/api/v1/referrals/{rid}/disbursement"),
        json!({"amount": 5_000_000, "loan_reference": "KUR-1", "disbursed_on": "2026-05-20"}),
    )
    .await;
    assert!(app.reached(&no).await.contains_key("P7"));
    assert_eq!(
        void(&app, &no, &format!("referral-{rid}")).await.0,
        StatusCode::NO_CONTENT
    );
    assert!(!app.reached(&no).await.contains_key("P7"));
    let r = app.get(&format!("/api/v1/referrals/{rid}")).await.json();
    assert_eq!(r["void_reason"], "salah input");
    let events = app
        .get(&format!("/api/v1/members/{no}/events"))
        .await
        .json();
    assert!(
        events["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["facility"] == "P7")
            .all(|e| e["voided"].is_object()),
        "every P7 event voided"
    );

    // P3: a mentor assigned to the wrong member; voiding the assignment ends it.
    app.user("pendamping", "mentor", Some("31.71")).await;
    let res = app
        .post_json(
            &format!("/api/v1/members/{no}/mentor"),
            &json!({"mentor": "pendamping", "assigned_on": "2026-06-01"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text());
    let sys = jakpreneur_core::Actor::system("test");
    let (aid, mentor, _) = app.store.current_mentor(&sys, &no).await.unwrap().unwrap();
    assert_eq!(mentor, "pendamping");
    assert!(
        app.get(&format!("/members/{no}"))
            .await
            .text()
            .contains("pendamping")
    );
    assert_eq!(
        void(&app, &no, &format!("mentor-{aid}")).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.store.current_mentor(&sys, &no).await.unwrap(), None);

    // Through all of it, reaches and counters equal a recount from the raw events.
    assert_ledger_matches_recount(&app, &[no, other]).await;
}

on_both_backends!(owners_erasure_and_races);

/// The review's cases: owners' rules hold for corrections, an erased member's referral
/// still lists, two officers closing one class at once issue one certificate each, and a
/// voided referral leaves the partner's queue.
async fn owners_erasure_and_races(app: TestApp) {
    let a = app.register_on(1, "31.71.01.1001", "2021-01-04").await;
    let b = app.register_on(2, "31.71.01.1001", "2021-01-04").await;
    let own = app.user("pelatih", "trainer", Some("31.71")).await;
    let other = app.user("pelatih-lain", "trainer", Some("31.71")).await;
    let c = kemasan_course(&app).await;
    let k = ok(
        &app,
        &format!("/api/v1/courses/{}/classes", c["id"]),
        json!({"starts_on": "2026-04-06", "capacity": 5, "trainer": "pelatih"}),
    )
    .await;
    let kid = k["id"].as_i64().unwrap();
    for no in [&a, &b] {
        let res = app
            .as_(&own)
            .post_json(
                &format!("/api/v1/classes/{kid}/enrolments"),
                &json!({"member_no": no}),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    }
    // The other trainer can neither see the roster nor void an enrolment of this class.
    assert_eq!(
        app.as_(&other)
            .get(&format!("/api/v1/classes/{kid}"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let res = app
        .as_(&other)
        .post_json(
            &format!("/api/v1/members/{a}/records/enrolment-{kid}/void"),
            &json!({"reason": "bukan kelas saya"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // Both attend the single session; two officers close the class at the same moment.
    ok(
        &app,
        &format!("/api/v1/classes/{kid}/attendance"),
        json!({"session": 1, "held_on": "2026-04-06", "members": [b, a]}),
    )
    .await;
    let app = std::sync::Arc::new(app);
    let tasks: Vec<_> = (0..2)
        .map(|_| {
            let app = app.clone();
            tokio::spawn(async move {
                app.post_json(&format!("/api/v1/classes/{kid}/complete"), &json!({}))
                    .await
            })
        })
        .collect();
    for t in tasks {
        let res = t.await.unwrap();
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    }
    let mut certs = Vec::new();
    for no in [&a, &b] {
        let ev = app
            .get(&format!("/api/v1/members/{no}/events"))
            .await
            .json();
        let done: Vec<&Value> = ev["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "training_completed")
            .collect();
        assert_eq!(done.len(), 1, "one completion for {no}");
        certs.push(done[0]["reference"].as_str().unwrap().to_owned());
    }
    certs.sort();
    assert_eq!(
        certs,
        [
            format!("P2-2026-{kid:06}-0001"),
            format!("P2-2026-{kid:06}-0002")
        ]
    );
    assert_ledger_matches_recount(&app, &[a.clone(), b.clone()]).await;

    // A member registered after a class began is enrolled from their registration day.
    let late = app.register_on(3, "31.71.01.1001", "2026-04-08").await;
    let k2 = ok(
        &app,
        &format!("/api/v1/courses/{}/classes", c["id"]),
        json!({"starts_on": "2026-04-06", "ends_on": "2026-04-20", "capacity": 5}),
    )
    .await;
    ok(
        &app,
        &format!("/api/v1/classes/{}/enrolments", k2["id"]),
        json!({"member_no": late}),
    )
    .await;
    let ev = app
        .get(&format!("/api/v1/members/{late}/events"))
        .await
        .json();
    let enrolled = ev["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "training_enrolled")
        .unwrap()
        .clone();
    assert_eq!(enrolled["occurred_on"], "2026-04-08");

    // Referrals: a voided one leaves the partner's queue and cannot be decided; an erased
    // member's referral still lists, without the personal data.
    let partner = app.user("petugas-bank", "partner", None).await;
    let refer = |no: String| {
        let app = app.clone();
        async move {
            ok(
                &app,
                &format!("/api/v1/members/{no}/referrals"),
                json!({"partner": jakpreneur_testkit::TEST_PARTNER, "purpose": "Modal kerja", "amount_requested": 1_000_000, "consent": true}),
            )
            .await["id"]
                .as_i64()
                .unwrap()
        }
    };
    let ra = refer(a.clone()).await;
    let rb = refer(b.clone()).await;
    assert_eq!(
        void(&app, &a, &format!("referral-{ra}")).await.0,
        StatusCode::NO_CONTENT
    );
    let queue = app.as_(&partner).get("/api/v1/referrals").await.json();
    let ids: Vec<i64> = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [rb]);
    let res = app
        .post_json(
            &format!("/api/v1/referrals/{ra}/decision"),
            &json!({"decision": "approved", "amount_approved": 1000}),
        )
        .await;
    assert_eq!(res.error().0, "record_voided");
    let res = app
        .post_json(
            &format!("/api/v1/members/{b}/erase"),
            &json!({"reason": "permintaan anggota"}),
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text());
    let queue = app.as_(&partner).get("/api/v1/referrals").await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.text());
    assert_eq!(queue.json()["items"][0]["owner_name"], Value::Null);
    assert_eq!(queue.json()["items"][0]["phone"], Value::Null);
}
