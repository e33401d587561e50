//! Targets as records: progress and the projected date recounted from raw records, every
//! wrong field named, withdrawal, and the CLI's report.

use axum::http::StatusCode;
use chrono::{Months, NaiveDate};
use jakpreneur_testkit::{TestApp, member_in};
use serde_json::json;

on_both_backends!(targets_show_progress_and_pace);

async fn targets_show_progress_and_pace(app: TestApp) {
    let today = jakpreneur_testkit::today();
    // Registrations spread over the last three years, and KPKP trainings this year.
    let mut registered = Vec::new();
    for i in 0..12u32 {
        let on = today.checked_sub_months(Months::new(3 * i + 1)).unwrap();
        let mut m = member_in(300 + i, "31.71.01.1001");
        m["registered_on"] = json!(on.to_string());
        let res = app.post_json("/api/v1/members", &m).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        registered.push((res.json()["member_no"].as_str().unwrap().to_owned(), on));
    }
    let year_start = NaiveDate::from_ymd_opt(chrono::Datelike::year(&today), 1, 1).unwrap();
    let mut trained = 0;
    for (no, on) in &registered {
        let day = (*on).max(year_start);
        if day > today {
            continue;
        }
        let res = app
            .post_json(
                &format!("/api/v1/members/{no}/events"),
                &json!({"kind": "training_completed", "occurred_on": day.to_string(), "agency": "KPKP"}),
            )
            .await;
        assert!(res.status.is_success(), "{}", res.text());
        trained += 1;
    }
    let deadline = today.checked_add_months(Months::new(24)).unwrap();
    let res = app
        .post_json(
            "/api/v1/targets",
            &json!({"indicator": "registered_members", "value": 20, "deadline": deadline.to_string(), "source": "RPJMD (uji)"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let t = res.json();
    let year_ago = today.checked_sub_months(Months::new(12)).unwrap();
    let current = registered.iter().filter(|(_, on)| *on <= today).count() as i64;
    let then = registered.iter().filter(|(_, on)| *on <= year_ago).count() as i64;
    assert_eq!(t["current"], current);
    assert_eq!(t["last_12_months"], current - then);
    assert_eq!(t["share"].as_f64(), Some(current as f64 / 20.0));
    let days = ((20 - current) as f64 * 365.0 / (current - then) as f64).ceil() as u64;
    let projected = today.checked_add_days(chrono::Days::new(days)).unwrap();
    assert_eq!(t["projected_on"], projected.to_string());
    assert_eq!(t["on_track"], projected <= deadline);
    assert_eq!(t["reached"], false);
    // A deadline passed and missed: its figure is the one on the deadline, and the
    // projection goes on from today's figure at today's pace.
    let past = today.checked_sub_months(Months::new(4)).unwrap();
    let res = app
        .post_json(
            "/api/v1/targets",
            &json!({"indicator": "registered_members", "value": 40, "deadline": past.to_string(), "source": "RPJMD lama"}),
        )
        .await;
    let t3 = res.json();
    let at_deadline = registered.iter().filter(|(_, on)| *on <= past).count() as i64;
    assert_eq!(t3["current"], at_deadline);
    assert_eq!(t3["counted_to"], past.to_string());
    let days = ((40 - current) as f64 * 365.0 / (current - then) as f64).ceil() as u64;
    assert_eq!(
        t3["projected_on"],
        today
            .checked_add_days(chrono::Days::new(days))
            .unwrap()
            .to_string()
    );
    assert_eq!(t3["on_track"], false);
    let id3 = t3["id"].as_i64().unwrap();
    app.post_json(&format!("/api/v1/targets/{id3}/withdraw"), &json!({}))
        .await;
    // An agency's target over a period: members first trained by KPKP this year.
    let res = app
        .post_json(
            "/api/v1/targets",
            &json!({"indicator": "first_reached_p2", "agency": "kpkp", "value": 3, "from": year_start.to_string(),
                    "deadline": NaiveDate::from_ymd_opt(chrono::Datelike::year(&today), 12, 31).unwrap().to_string(),
                    "source": "Renja KPKP"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let t2 = res.json();
    assert_eq!(t2["current"], trained);
    assert_eq!(t2["reached"], trained >= 3);
    assert_eq!(t2["agency"], "KPKP");
    // Every wrong field is named; a mentor must be a mentor.
    let res = app
        .post_json(
            "/api/v1/targets",
            &json!({"indicator": "reached_p9", "value": -1, "deadline": "2022-02-30", "region": "31.99"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        res.error_fields(),
        ["indicator", "value", "region", "deadline", "source"]
    );
    let res = app
        .post_json(
            "/api/v1/targets",
            &json!({"indicator": "mentored_members", "mentor": "admin", "value": 60, "from": "2026-01-01",
                    "deadline": "2026-12-31", "source": "60 members per mentor per year"}),
        )
        .await;
    assert_eq!(
        res.error(),
        ("mentor_unknown".into(), Some("mentor".into()))
    );
    // The list, in deadline order; a withdrawn target leaves it.
    let list = app.get("/api/v1/targets").await.json();
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    let id = t2["id"].as_i64().unwrap();
    let res = app
        .post_json(&format!("/api/v1/targets/{id}/withdraw"), &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{}", res.text());
    let res = app
        .post_json(&format!("/api/v1/targets/{id}/withdraw"), &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let list = app.get("/api/v1/targets").await.json();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["source"], "RPJMD (uji)");
    // A district's target: exact for the administrator; a trainer, who has no need of
    // exact figures, reads the published (noised) one, as the open page shows it.
    let res = app
        .post_json(
            "/api/v1/targets",
            &json!({"indicator": "registered_members", "region": "31.71.01", "value": 30,
                    "deadline": deadline.to_string(), "source": "Renstra kecamatan (uji)"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let district = res.json();
    assert_eq!(
        district["current"], current,
        "the administrator's figure is exact"
    );
    let trainer = app.user("pelatih-t", "trainer", Some("31.74")).await;
    let listed = app.as_(&trainer).get("/api/v1/targets").await.json();
    let seen = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == district["id"])
        .expect("listed")["current"]
        .as_i64()
        .unwrap();
    assert!((seen - current).abs() <= 2, "{seen} for {current}");
    let open = app.anonymous().get("/statistik/target").await.text();
    assert!(
        open.contains(&format!(
            r#"<strong class="target-current">{seen}</strong>"#
        )) || seen < 7,
        "the open page shows the trainer's figure"
    );
}
