//! Facility P5: market events, the monthly bazaar, participants and the ledger.

use axum::http::StatusCode;
use jakpreneur_testkit::TestApp;
use serde_json::json;

on_both_backends!(market_events_and_participants);

async fn market_events_and_participants(app: TestApp) {
    let no = app.register_on(1, "31.71.01.1001", "2021-01-04").await;
    let far_no = app.register_on(2, "31.74.02.1001", "2021-01-04").await;

    let res = app
        .post_json(
            "/api/v1/market-events",
            &json!({"kind": "fair", "name": "X", "starts_on": "2026-13-01", "repeat_monthly": 99}),
        )
        .await;
    assert_eq!(
        res.error_fields(),
        ["kind", "name", "starts_on", "repeat_monthly"]
    );

    // The monthly three-day bazaar at City Hall: one record per edition.
    let res = app
        .post_json(
            "/api/v1/market-events",
            &json!({"kind": "bazaar", "name": "Bazar Jakpreneur Balai Kota", "place_code": "31.71.01",
                    "starts_on": "2026-11-24", "ends_on": "2026-11-26", "repeat_monthly": 2}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let made = res.json();
    let starts: Vec<&str> = made["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["starts_on"].as_str().unwrap())
        .collect();
    assert_eq!(starts, ["2026-11-24", "2026-12-24", "2027-01-24"]);
    let listed = app.get("/api/v1/market-events").await.json();
    assert_eq!(listed["items"].as_array().unwrap().len(), 3);

    let past = app
        .post_json("/api/v1/market-events", &json!({"kind": "exhibition", "level": "international", "name": "Trade Expo Indonesia", "starts_on": "2022-10-19", "ends_on": "2022-10-23"}))
        .await
        .json();
    let id = past["items"][0]["id"].as_i64().unwrap();
    let url = format!("/api/v1/market-events/{id}/participants");
    let res = app.post_json(&url, &json!({"member_no": no})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["participants"], 1);
    let again = app.post_json(&url, &json!({"member_no": no})).await;
    assert_eq!(again.error().0, "already_participating");
    assert_eq!(app.reached(&no).await["P5"], "2022-10-19");

    // A district officer of Gambir adds only its own members, and sees only them.
    let officer = app
        .user("gambir", "district_officer", Some("31.71.01"))
        .await;
    let res = app
        .as_(&officer)
        .post_json(&url, &json!({"member_no": far_no}))
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    app.post_json(&url, &json!({"member_no": far_no})).await;
    let seen = app.as_(&officer).get(&url).await.json();
    let nos: Vec<&str> = seen["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["member_no"].as_str().unwrap())
        .collect();
    assert_eq!(nos, [no.as_str()]);
    let res = app
        .post_json(
            "/api/v1/market-events/999999/participants",
            &json!({"member_no": no}),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

/// The same through the pages: create with monthly repeats, add a participant, errors.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn market_pages() {
    let app = TestApp::sqlite().await;
    let no = app.register_on(3, "31.71.01.1001", "2021-01-04").await;
    let bazaar = |fields: &[(&'static str, &'static str)]| {
        [&[("kind", "bazaar"), ("name", "Bazar Balai Kota")], fields].concat()
    };
    let res = app
        .post_form(
            "/market-events",
            &bazaar(&[("starts_on", "2026-11-27"), ("ends_on", "2026-11-25")]),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .post_form(
            "/market-events",
            &bazaar(&[
                ("place_code", "31.71.01"),
                ("starts_on", "2026-11-27"),
                ("ends_on", "2026-11-29"),
                ("repeat_monthly", "1"),
            ]),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let list = app.get("/market-events").await.text();
    assert!(
        list.contains("27 Desember 2026"),
        "the monthly repeat is listed"
    );
    let id = app.get("/api/v1/market-events").await.json()["items"][0]["id"]
        .as_i64()
        .unwrap();
    let res = app
        .post_form(
            &format!("/market-events/{id}/participants"),
            &[("member_no", "JP-0000-0000000")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .post_form(
            &format!("/market-events/{id}/participants"),
            &[("member_no", &no)],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(
        app.get(&format!("/market-events/{id}"))
            .await
            .text()
            .contains(&no)
    );
}
