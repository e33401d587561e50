//! Facility P3: mentors, sessions, follow-ups and the overdue list.

use axum::http::StatusCode;
use jakpreneur_testkit::TestApp;
use serde_json::json;

use crate::support::{follow_up_done, session_with_follow_ups};

on_both_backends!(mentors_sessions_and_follow_ups);

async fn mentors_sessions_and_follow_ups(app: TestApp) {
    let no = app.register_on(1, "31.71.01.1001", "2021-01-04").await;
    let other = app.register_on(2, "31.71.01.1001", "2021-01-04").await;
    let mentor = app.user("pendamping", "mentor", Some("31.71")).await;
    let far = app
        .user("pendamping-selatan", "mentor", Some("31.74"))
        .await;
    app.user("pelatih", "trainer", Some("31.71")).await;

    let assign = |who: &str| json!({"mentor": who, "assigned_on": "2021-02-01"});
    let res = app
        .post_json(&format!("/api/v1/members/{no}/mentor"), &assign("pelatih"))
        .await;
    assert_eq!(
        res.error(),
        ("mentor_unknown".into(), Some("mentor".into()))
    );
    let res = app
        .post_json(
            &format!("/api/v1/members/{no}/mentor"),
            &assign(&far.username),
        )
        .await;
    assert_eq!(res.error().0, "mentor_out_of_region");
    let res = app
        .post_json(
            &format!("/api/v1/members/{no}/mentor"),
            &assign("pendamping"),
        )
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text());

    let url = format!("/api/v1/members/{no}/mentoring-sessions");
    let res = app
        .as_(&mentor)
        .post_json(
            &url,
            &json!({"held_on": "2021-02-10", "topics": ["astrology"]}),
        )
        .await;
    assert_eq!(res.error().0, "topic_unknown");
    let res = app
        .as_(&mentor)
        .post_json(&url, &session_with_follow_ups())
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(res.json()["mentor"], "pendamping");
    assert_eq!(res.json()["topics"], json!(["halal", "marketing"]));
    assert_eq!(app.reached(&no).await["P3"], "2021-02-10");

    // A mentor records only for the members assigned to them.
    let res = app
        .as_(&mentor)
        .post_json(
            &format!("/api/v1/members/{other}/mentoring-sessions"),
            &json!({"held_on": "2021-02-10", "topics": ["finance"]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    // The overdue list: the mentor's own open follow-ups past their due date.
    let overdue = app
        .as_(&mentor)
        .get("/api/v1/follow-ups/overdue")
        .await
        .json();
    let items = overdue["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{overdue}");
    assert_eq!(items[0]["action"], "daftar SIHALAL");
    let id = items[0]["id"].as_i64().unwrap();
    let res = follow_up_done(&app.as_(&far), id, json!({})).await;
    assert_eq!(
        res.status,
        StatusCode::FORBIDDEN,
        "another mentor's, outside their region"
    );
    let res = follow_up_done(&app.as_(&mentor), id, json!({"done_on": "2021-03-05"})).await;
    assert_eq!(res.json()["done_on"], "2021-03-05");
    assert_eq!(
        app.as_(&mentor)
            .get("/api/v1/follow-ups/overdue")
            .await
            .json()["items"],
        json!([])
    );
    let listed = app.get(&url).await.json();
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert_eq!(listed["follow_ups"].as_array().unwrap().len(), 2);
}

/// The member page's mentoring forms and the overdue page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mentoring_pages() {
    let app = TestApp::sqlite().await;
    let no = app.register_on(3, "31.71.01.1001", "2021-01-04").await;
    let mentor = app.user("pendamping", "mentor", Some("31.71")).await;
    let res = app
        .post_form(&format!("/members/{no}/mentor"), &[("mentor", "nobody")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("Tidak ada akun pendamping"));
    let res = app
        .post_form(
            &format!("/members/{no}/mentor"),
            &[("mentor", "pendamping")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let res = app
        .as_(&mentor)
        .post_form(
            &format!("/members/{no}/mentoring-sessions"),
            &[
                ("held_on", "2026-11-01"),
                ("topics", "halal"),
                ("topics", "npwp"),
                ("follow_up_action", "ajukan NPWP"),
                ("follow_up_due_on", "2026-11-10"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let page = app.as_(&mentor).get("/follow-ups/overdue").await;
    assert!(page.text().contains("ajukan NPWP"));
    let member_page = app.as_(&mentor).get(&format!("/members/{no}")).await.text();
    assert!(member_page.contains("halal,npwp"));
}
