//! Facility P2 and P6's finance classes: courses, classes, capacity, attendance per
//! session, completion at 80%, certificates, and the ledger events each step writes.

use axum::http::StatusCode;
use jakpreneur_testkit::{TestApp, event_kinds};
use serde_json::{Value, json};

on_both_backends!(
    a_class_from_enrolment_to_certificate,
    a_full_class_refuses_the_next_member,
    a_finance_class_reaches_p6,
    a_trainer_works_only_on_their_own_classes
);

async fn course(app: &TestApp, facility: &str) -> i64 {
    let res = app
        .post_json(
            "/api/v1/courses",
            &json!({"title": "Pengemasan produk pangan", "topic": if facility == "P6" { "finance" } else { "packaging" },
                    "hours": 16, "facility": facility}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    res.json()["id"].as_i64().unwrap()
}

async fn class(app: &TestApp, course: i64, body: Value) -> i64 {
    let res = app
        .post_json(&format!("/api/v1/courses/{course}/classes"), &body)
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    res.json()["id"].as_i64().unwrap()
}

async fn a_class_from_enrolment_to_certificate(app: TestApp) {
    let c = course(&app, "P2").await;
    // Wrong input names its fields.
    let res = app
        .post_json(
            &format!("/api/v1/courses/{c}/classes"),
            &json!({"starts_on": "2026-02-30", "capacity": 0, "sessions": 5}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.error(),
        ("date_invalid".into(), Some("starts_on".into()))
    );
    let res = app
        .post_json(
            "/api/v1/courses/999/classes",
            &json!({"starts_on": "2026-03-02", "capacity": 5}),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let k = class(
        &app,
        c,
        json!({"starts_on": "2026-03-02", "ends_on": "2026-03-06", "sessions": 5, "capacity": 10, "place_code": "31.71.01"}),
    )
    .await;
    let a = app.register_on(1, "31.71.01.1001", "2021-01-04").await;
    let b = app.register_on(2, "31.71.01.1002", "2021-01-04").await;
    for no in [&a, &b] {
        let res = app
            .post_json(
                &format!("/api/v1/classes/{k}/enrolments"),
                &json!({"member_no": no, "enrolled_on": "2026-02-20"}),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    }
    let res = app
        .post_json(
            &format!("/api/v1/classes/{k}/enrolments"),
            &json!({"member_no": a}),
        )
        .await;
    assert_eq!(res.error().0, "already_enrolled");

    // Attendance: a session outside the class, a date outside it, a member not enrolled.
    let att = |session: i64, held_on: &str, members: Vec<&str>| json!({"session": session, "held_on": held_on, "members": members});
    let url = format!("/api/v1/classes/{k}/attendance");
    let res = app.post_json(&url, &att(6, "2026-03-02", vec![&a])).await;
    assert_eq!(
        res.error(),
        ("session_out_of_range".into(), Some("session".into()))
    );
    let res = app.post_json(&url, &att(1, "2026-03-09", vec![&a])).await;
    assert_eq!(res.error(), ("date_range".into(), Some("held_on".into())));
    let stranger = app.register_on(3, "31.71.01.1001", "2021-01-04").await;
    let res = app
        .post_json(&url, &att(1, "2026-03-02", vec![&a, &stranger]))
        .await;
    assert_eq!(res.error(), ("not_enrolled".into(), Some("members".into())));
    // All or nothing: a's attendance was not kept.
    let detail = app.get(&format!("/api/v1/classes/{k}")).await.json();
    assert!(
        detail["roster"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["attended"] == 0)
    );

    // a attends 4 of 5 (80%), b 3 of 5.
    for (s, day) in [(1, "2026-03-02"), (2, "2026-03-03"), (3, "2026-03-04")] {
        let res = app.post_json(&url, &att(s, day, vec![&a, &b])).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        assert_eq!(res.json()["added"], 2);
    }
    let res = app.post_json(&url, &att(4, "2026-03-05", vec![&a])).await;
    assert_eq!(res.json()["added"], 1);
    // A retried request adds nothing.
    let res = app.post_json(&url, &att(4, "2026-03-05", vec![&a])).await;
    assert_eq!(res.json()["added"], 0);

    let res = app
        .post_json(&format!("/api/v1/classes/{k}/complete"), &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let items = res.json()["items"].clone();
    let outcome = |no: &str| {
        items
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["member_no"] == no)
            .cloned()
            .unwrap()
    };
    assert_eq!(outcome(&a)["outcome"], "completed");
    assert_eq!(outcome(&a)["attended"], 4);
    let cert = outcome(&a)["certificate_no"].as_str().unwrap().to_owned();
    assert_eq!(cert, format!("P2-2026-{k:06}-0001"));
    assert_eq!(outcome(&b)["outcome"], "not_enough_attendance");
    assert_eq!(
        app.reached(&a).await.get("P2").map(String::as_str),
        Some("2026-03-06")
    );
    assert_eq!(app.reached(&b).await.get("P2"), None);
    let events = app.get(&format!("/api/v1/members/{a}/events")).await.json();
    let k_a = event_kinds(&events);
    assert_eq!(k_a.iter().filter(|k| *k == "training_attended").count(), 4);
    assert!(k_a.contains(&"training_enrolled".to_owned()));
    let done = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "training_completed")
        .unwrap()
        .clone();
    assert_eq!(done["reference"], cert.as_str());
    assert_eq!(done["place_code"], "31.71.01");
    // Running completion again changes nothing.
    let res = app
        .post_json(&format!("/api/v1/classes/{k}/complete"), &json!({}))
        .await;
    let again = res.json()["items"].clone();
    assert!(
        again
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["member_no"] == a.as_str() && i["outcome"] == "already_completed")
    );
    // The class's events belong to it: the generic void refuses them.
    let res = app
        .post_json(
            &format!("/api/v1/members/{a}/events/{}/void", done["id"]),
            &json!({"reason": "salah kelas"}),
        )
        .await;
    assert_eq!(res.error().0, "event_owned_by_record");
    // The member's classes.
    let mine = app
        .get(&format!("/api/v1/members/{a}/classes"))
        .await
        .json();
    assert_eq!(mine["items"][0]["certificate_no"], cert.as_str());
    assert_eq!(mine["items"][0]["attended"], 4);

    // A class that has not ended cannot be completed.
    let later = class(&app, c, json!({"starts_on": "2026-12-01", "capacity": 3})).await;
    let res = app
        .post_json(&format!("/api/v1/classes/{later}/complete"), &json!({}))
        .await;
    assert_eq!(res.error().0, "class_not_ended");
}

async fn a_full_class_refuses_the_next_member(app: TestApp) {
    let c = course(&app, "P2").await;
    let k = class(&app, c, json!({"starts_on": "2026-03-02", "capacity": 3})).await;
    let mut nos = Vec::new();
    for i in 0..6 {
        nos.push(app.register_on(i, "31.71.01.1001", "2021-01-04").await);
    }
    // Six officers enrol six members at once into three seats.
    let app = std::sync::Arc::new(app);
    let mut tasks = Vec::new();
    for no in nos.clone() {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            app.post_json(
                &format!("/api/v1/classes/{k}/enrolments"),
                &json!({"member_no": no}),
            )
            .await
        }));
    }
    let mut ok = 0;
    let mut full = 0;
    for t in tasks {
        let res = t.await.unwrap();
        match res.status {
            StatusCode::CREATED => ok += 1,
            StatusCode::UNPROCESSABLE_ENTITY => {
                assert_eq!(res.error(), ("class_full".into(), Some("class_id".into())));
                full += 1;
            }
            s => panic!("unexpected {s}: {}", res.text()),
        }
    }
    assert_eq!((ok, full), (3, 3));
    let detail = app.get(&format!("/api/v1/classes/{k}")).await.json();
    assert_eq!(detail["class"]["enrolled"], 3);
    assert_eq!(detail["roster"].as_array().unwrap().len(), 3);
    // A refused enrolment left no event behind.
    let mut enrolled_events = 0;
    for no in &nos {
        let ev = app
            .get(&format!("/api/v1/members/{no}/events"))
            .await
            .json();
        enrolled_events += event_kinds(&ev)
            .iter()
            .filter(|k| *k == "training_enrolled")
            .count();
    }
    assert_eq!(enrolled_events, 3);
}

async fn a_finance_class_reaches_p6(app: TestApp) {
    let c = course(&app, "P6").await;
    let k = class(
        &app,
        c,
        json!({"starts_on": "2026-04-01", "ends_on": "2026-04-01", "capacity": 5}),
    )
    .await;
    let no = app.register_on(1, "31.71.01.1001", "2021-01-04").await;
    app.post_json(
        &format!("/api/v1/classes/{k}/enrolments"),
        &json!({"member_no": no}),
    )
    .await;
    app.post_json(
        &format!("/api/v1/classes/{k}/attendance"),
        &json!({"session": 1, "held_on": "2026-04-01", "members": [no]}),
    )
    .await;
    let res = app
        .post_json(&format!("/api/v1/classes/{k}/complete"), &json!({}))
        .await;
    assert_eq!(
        res.json()["items"][0]["outcome"],
        "completed",
        "{}",
        res.text()
    );
    assert!(
        res.json()["items"][0]["certificate_no"]
            .as_str()
            .unwrap()
            .starts_with("P6-2026-")
    );
    assert_eq!(
        app.reached(&no).await.get("P6").map(String::as_str),
        Some("2026-04-01")
    );
    assert_eq!(app.reached(&no).await.get("P2"), None);
    let ev = event_kinds(
        &app.get(&format!("/api/v1/members/{no}/events"))
            .await
            .json(),
    );
    for k in [
        "finance_training_enrolled",
        "finance_training_attended",
        "finance_training_completed",
    ] {
        assert!(ev.contains(&k.to_owned()), "{k} in {ev:?}");
    }
}

async fn a_trainer_works_only_on_their_own_classes(app: TestApp) {
    let own = app.user("pelatih", "trainer", Some("31.71")).await;
    let other = app.user("pelatih-lain", "trainer", Some("31.71")).await;
    let c = course(&app, "P2").await;
    // A trainer who names no one schedules their own class.
    let res = app
        .as_(&own)
        .post_json(
            &format!("/api/v1/courses/{c}/classes"),
            &json!({"starts_on": "2026-03-02", "capacity": 5}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(res.json()["trainer"], "pelatih");
    let k = res.json()["id"].as_i64().unwrap();
    let res = app
        .post_json(
            &format!("/api/v1/courses/{c}/classes"),
            &json!({"starts_on": "2026-03-02", "capacity": 5, "trainer": "admin"}),
        )
        .await;
    assert_eq!(
        res.error(),
        ("trainer_unknown".into(), Some("trainer".into()))
    );
    let no = app.register_on(1, "31.71.01.1001", "2021-01-04").await;
    let res = app
        .as_(&other)
        .post_json(
            &format!("/api/v1/classes/{k}/enrolments"),
            &json!({"member_no": no}),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = app
        .as_(&own)
        .post_json(
            &format!("/api/v1/classes/{k}/enrolments"),
            &json!({"member_no": no}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    // A member outside the trainer's region is refused.
    let far = app.register_on(2, "31.74.02.1001", "2021-01-04").await;
    let res = app
        .as_(&own)
        .post_json(
            &format!("/api/v1/classes/{k}/enrolments"),
            &json!({"member_no": far}),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // The other trainer's class list does not show it.
    let list = app.as_(&other).get("/api/v1/classes").await.json();
    assert!(list["items"].as_array().unwrap().is_empty());

    // Finding 5 of the security review: closing a class answered with the outcomes of
    // enrolled members outside the trainer's region. The administrator enrols one; the
    // trainer's closing names only the member of their own region.
    let res = app
        .post_json(
            &format!("/api/v1/classes/{k}/enrolments"),
            &json!({"member_no": far}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let res = app
        .as_(&own)
        .post_json(&format!("/api/v1/classes/{k}/complete"), &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let named: Vec<String> = res.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["member_no"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(named, std::slice::from_ref(&no), "{}", res.text());
    assert!(!res.text().contains(&far));
}
