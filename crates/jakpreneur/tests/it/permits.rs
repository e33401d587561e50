//! Facility P4: applications, decisions, number checks, the ledger events they write, and
//! the permits about to expire, scoped to the caller's region.

use axum::http::StatusCode;
use jakpreneur_testkit::{TestApp, event_kinds};
use serde_json::json;

on_both_backends!(
    applications_decisions_and_the_ledger,
    expiring_permits_by_region
);

async fn applications_decisions_and_the_ledger(app: TestApp) {
    let no = app.register_on(1, "31.71.01.1001", "2021-01-04").await;
    let url = format!("/api/v1/members/{no}/permits");
    let res = app
        .post_json(&url, &json!({"type": "sim", "applied_on": "2027-01-01"}))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.error_fields(), ["type", "applied_on"]);
    let nib = app
        .post_json(&url, &json!({"type": "nib", "applied_on": "2021-03-01"}))
        .await;
    assert_eq!(nib.status, StatusCode::CREATED, "{}", nib.text());
    let nib = nib.json();
    assert_eq!(nib["status"], "applied");
    let decide = |id: i64| format!("{url}/{id}/decision");
    let id = nib["id"].as_i64().unwrap();

    let res = app
        .post_json(
            &decide(id),
            &json!({"decision": "issue", "number": "12345", "issued_on": "2021-03-10"}),
        )
        .await;
    assert_eq!(res.error(), ("nib_format".into(), Some("number".into())));
    let res = app
        .post_json(
            &decide(id),
            &json!({"decision": "issue", "number": "1234567890123", "issued_on": "2021-02-01"}),
        )
        .await;
    assert_eq!(res.error().0, "before_application");
    let res = app
        .post_json(&decide(id), &json!({"decision": "process"}))
        .await;
    assert_eq!(res.json()["status"], "in_process");
    let res = app
        .post_json(
            &decide(id),
            &json!({"decision": "issue", "number": "1234567890123", "issued_on": "2021-03-10"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["number"], "1234567890123");
    let again = app
        .post_json(
            &decide(id),
            &json!({"decision": "reject", "reason": "late"}),
        )
        .await;
    assert_eq!(again.error().0, "permit_decided");

    // Issuing reached P4 through the ledger; applying did not.
    assert_eq!(app.reached(&no).await["P4"], "2021-03-10");
    let events = app.events(&no).await;
    assert_eq!(
        event_kinds(&events),
        ["registered", "permit_applied", "permit_issued"]
    );
    // The permit's events are corrected on the permit, not voided behind its back.
    let issued = events["items"][2]["id"].as_i64().unwrap();
    let res = app
        .post_json(
            &format!("/api/v1/members/{no}/events/{issued}/void"),
            &json!({"reason": "wrong"}),
        )
        .await;
    assert_eq!(res.error().0, "event_owned_by_record");

    // NPWP in the NIK form; a rejection with its reason; the same number twice is refused.
    let npwp = app
        .post_json(&url, &json!({"type": "npwp", "applied_on": "2022-01-01"}))
        .await
        .json();
    let res = app
        .post_json(&decide(npwp["id"].as_i64().unwrap()), &json!({"decision": "issue", "number": "01.234.567.8-901.000", "issued_on": "2022-01-05"}))
        .await;
    assert_eq!(res.json()["number"], "012345678901000");
    let halal = app
        .post_json(&url, &json!({"type": "halal", "applied_on": "2022-02-01"}))
        .await
        .json();
    let res = app
        .post_json(
            &decide(halal["id"].as_i64().unwrap()),
            &json!({"decision": "reject", "reason": "sertifikat bahan belum lengkap"}),
        )
        .await;
    assert_eq!(res.json()["status"], "rejected");
    assert_eq!(
        res.json()["rejection_reason"],
        "sertifikat bahan belum lengkap"
    );
    let second = app
        .post_json(&url, &json!({"type": "nib", "applied_on": "2022-03-01"}))
        .await
        .json();
    let res = app
        .post_json(
            &decide(second["id"].as_i64().unwrap()),
            &json!({"decision": "issue", "number": "1234567890123", "issued_on": "2022-03-02"}),
        )
        .await;
    assert_eq!(
        res.error(),
        ("permit_number_taken".into(), Some("number".into()))
    );
    let list = app.get(&url).await.json();
    assert_eq!(list["items"].as_array().unwrap().len(), 4);
    // Under the OK OCE rule (before 2020) the permit facility needs mentoring (P3) first,
    // for the application as for the permit.
    let old = app.register_on(2, "31.71.01.1001", "2018-01-08").await;
    let ourl = format!("/api/v1/members/{old}/permits");
    let res = app
        .post_json(&ourl, &json!({"type": "pirt", "applied_on": "2019-01-01"}))
        .await;
    assert_eq!(res.error().0, "facility_order");
    assert!(
        res.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("needs P3")
    );
}

async fn expiring_permits_by_region(app: TestApp) {
    let gambir = app.register_on(3, "31.71.01.1001", "2021-01-04").await;
    let setiabudi = app.register_on(4, "31.74.02.1001", "2021-01-04").await;
    for (no, expires) in [(&gambir, "2027-01-15"), (&setiabudi, "2027-02-01")] {
        let url = format!("/api/v1/members/{no}/permits");
        let p = app
            .post_json(&url, &json!({"type": "pirt", "applied_on": "2022-01-01"}))
            .await
            .json();
        let res = app
            .post_json(&format!("{url}/{}/decision", p["id"]), &json!({"decision": "issue", "number": format!("PIRT-{no}"), "issued_on": "2022-01-05", "expires_on": expires}))
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    }
    let all = app.get("/api/v1/permits/expiring").await.json();
    let nos: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["member_no"].as_str().unwrap())
        .collect();
    assert_eq!(
        nos,
        [gambir.as_str(), setiabudi.as_str()],
        "soonest first, within 90 days"
    );
    let officer = app
        .user("gambir", "district_officer", Some("31.71.01"))
        .await;
    let mine = app
        .as_(&officer)
        .get("/api/v1/permits/expiring")
        .await
        .json();
    assert_eq!(
        mine["items"].as_array().unwrap().len(),
        1,
        "only the officer's district"
    );
    let narrow = app
        .get("/api/v1/permits/expiring?from=2027-01-20&to=2027-03-01")
        .await
        .json();
    assert_eq!(narrow["items"].as_array().unwrap().len(), 1);
    let bad = app
        .get("/api/v1/permits/expiring?from=2027-03-01&to=2027-01-01")
        .await;
    assert_eq!(bad.error(), ("date_range".into(), Some("to".into())));
}

/// The same through the member page's forms, and the expiring page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permit_forms_on_the_member_page() {
    let app = TestApp::sqlite().await;
    let no = app.register_on(5, "31.71.01.1001", "2021-01-04").await;
    let res = app
        .post_form(
            &format!("/members/{no}/permits"),
            &[("type", "nib"), ("applied_on", "2021-02-01")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let id = app
        .get(&format!("/api/v1/members/{no}/permits"))
        .await
        .json()["items"][0]["id"]
        .as_i64()
        .unwrap();
    let url = format!("/members/{no}/permits/{id}/decision");
    let res = app
        .post_form(
            &url,
            &[
                ("decision", "issue"),
                ("number", "123"),
                ("issued_on", "2021-02-10"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text().contains("NIB terdiri dari 13 digit"),
        "the reason, in Indonesian"
    );
    let res = app
        .post_form(
            &url,
            &[
                ("decision", "issue"),
                ("number", "1234567890123"),
                ("issued_on", "2021-02-10"),
                ("expires_on", "2027-01-01"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let page = app.get(&format!("/members/{no}")).await.text();
    assert!(page.contains("1234567890123") && page.contains("Terbit"));
    let soon = app.get("/permits/expiring").await;
    assert_eq!(soon.status, StatusCode::OK);
    assert!(soon.text().contains(&no));
}
