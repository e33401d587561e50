//! Facility P6's reports and size classes, and P7's referrals, decisions and disbursements.

use axum::http::StatusCode;
use jakpreneur_testkit::{Client, TestApp, TestResponse, event_kinds, member_in};
use serde_json::{Value, json};

on_both_backends!(
    reports_derive_the_size_class_and_naik_kelas,
    a_member_files_their_own_report_only,
    a_referral_from_consent_to_disbursement,
    a_partner_sees_only_its_own_referrals
);

fn report(month: &str, sales: i64, assets: i64) -> Value {
    json!({"month": month, "sales": sales, "costs": sales / 2, "employees": 2, "assets": assets, "filed_on": "2026-11-01"})
}

/// Files an October report for member `no` as `client`.
async fn file_october_report(client: &Client, no: &str) -> TestResponse {
    client
        .post_json(
            &format!("/api/v1/members/{no}/financial-reports"),
            &report("2026-10", 5_000_000, 10_000_000),
        )
        .await
}

/// The ids of the referrals in a listing.
fn referral_ids(list: &Value) -> Vec<i64> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect()
}

async fn reports_derive_the_size_class_and_naik_kelas(app: TestApp) {
    let no = app.register_on(1, "31.71.01.1001", "2021-01-04").await;
    let url = format!("/api/v1/members/{no}/financial-reports");
    // Every wrong field is named.
    let res = app
        .post_json(
            &url,
            &json!({"month": "2026-13", "sales": -5, "costs": 1, "employees": 1, "filed_on": "2027-01-01"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.error_fields(), ["month", "sales", "assets", "filed_on"]);
    let res = app
        .post_json(
            &url,
            &json!({"month": "2026-12", "sales": 1, "costs": 1, "employees": 1, "assets": 1}),
        )
        .await;
    assert_eq!(
        res.error(),
        ("month_in_future".into(), Some("month".into()))
    );
    let empty = app.get(&url).await.json();
    assert_eq!(empty["size"], Value::Null);
    assert_eq!(empty["items"], json!([]));

    // Micro: 100 million a month = 1.2 billion a year, capital 200 million.
    let res = app
        .post_json(&url, &report("2026-01", 100_000_000, 200_000_000))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(res.json()["size"]["size_class"], "micro");
    assert_eq!(res.json()["size"]["moved_up_on"], Value::Null);
    app.post_json(&url, &report("2026-02", 100_000_000, 200_000_000))
        .await;
    // March: capital 1.5 billion makes it small: naik kelas, dated 31 March.
    let res = app
        .post_json(&url, &report("2026-03", 100_000_000, 1_500_000_000))
        .await;
    let size = res.json()["size"].clone();
    assert_eq!(size["size_class"], "small");
    assert_eq!(size["first_class"], "micro");
    assert_eq!(size["moved_up_month"], "2026-03");
    assert_eq!(size["moved_up_on"], "2026-03-31");
    // A corrected March filing (capital typed wrong) supersedes the first: back to micro,
    // and the naik kelas goes away.
    let res = app
        .post_json(&url, &report("2026-03", 100_000_000, 150_000_000))
        .await;
    let v = res.json();
    assert_eq!(v["size"]["size_class"], "micro");
    assert_eq!(v["size"]["moved_up_on"], Value::Null);
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 4);
    assert_eq!(items.iter().filter(|r| r["superseded"] == true).count(), 1);
    assert_eq!(v["months"].as_array().unwrap().len(), 3);
    assert_eq!(v["months"][2]["annual_sales"], 1_200_000_000i64);
    // Filing writes a non-qualifying P6 event: the member has not reached P6.
    let kinds = event_kinds(&app.events(&no).await);
    assert_eq!(
        kinds
            .iter()
            .filter(|k| *k == "financial_report_filed")
            .count(),
        4
    );
    assert!(!app.reached(&no).await.contains_key("P6"));
}

async fn a_member_files_their_own_report_only(app: TestApp) {
    let own = app.register_on(1, "31.71.01.1001", "2021-01-04").await;
    let nik = member_in(1, "31.71.01.1001")["nik"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = app.register_on(2, "31.71.01.1001", "2021-01-04").await;
    let me = app
        .user_linked("anggota", "member", None, Some((&own, &nik)))
        .await;
    let res = file_october_report(&app.as_(&me), &own).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let res = file_october_report(&app.as_(&me), &other).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = app
        .as_(&me)
        .get(&format!("/api/v1/members/{other}/financial-reports"))
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let trainer = app.user("pelatih", "trainer", Some("31.71")).await;
    let res = file_october_report(&app.as_(&trainer), &own).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

async fn partner(app: &TestApp, code: &str) {
    let res = app
        .post_json(
            "/api/v1/financing-partners",
            &json!({"code": code, "name": format!("Mitra {code}"), "kind": "bank"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
}

async fn refer(app: &TestApp, no: &str, partner: &str) -> i64 {
    let res = app
        .post_json(
            &format!("/api/v1/members/{no}/referrals"),
            &json!({"partner": partner, "purpose": "Modal kerja bahan baku", "amount_requested": 25_000_000,
                    "consent": true, "referred_on": "2026-05-04"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    res.json()["id"].as_i64().unwrap()
}

async fn a_referral_from_consent_to_disbursement(app: TestApp) {
    partner(&app, "BANKDKI").await;
    let res = app
        .post_json(
            "/api/v1/financing-partners",
            &json!({"code": "BANKDKI", "name": "Lagi", "kind": "pawnshop"}),
        )
        .await;
    assert_eq!(
        res.error(),
        ("partner_kind_invalid".into(), Some("kind".into()))
    );
    let no = app.register_on(1, "31.71.01.1001", "2021-01-04").await;
    let url = format!("/api/v1/members/{no}/referrals");
    // No consent, no referral.
    let res = app
        .post_json(
            &url,
            &json!({"partner": "BANKDKI", "purpose": "Modal kerja", "amount_requested": 1000000}),
        )
        .await;
    assert_eq!(
        res.error(),
        ("partner_consent_required".into(), Some("consent".into()))
    );
    let res = app
        .post_json(&url, &json!({"partner": "NOBANK", "purpose": "Modal kerja", "amount_requested": 1000000, "consent": true}))
        .await;
    assert_eq!(
        res.error(),
        ("partner_unknown".into(), Some("partner".into()))
    );
    let id = refer(&app, &no, "BANKDKI").await;
    let bank = app.user("petugas-bank", "partner", None).await;
    // The test partner account belongs to BANKUJI, not BANKDKI: it cannot see this one.
    let res = app.as_(&bank).get(&format!("/api/v1/referrals/{id}")).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);

    let d = format!("/api/v1/referrals/{id}/decision");
    let res = app.post_json(&d, &json!({"decision": "approved"})).await;
    assert_eq!(
        res.error(),
        ("required".into(), Some("amount_approved".into()))
    );
    let res = app.post_json(&d, &json!({"decision": "maybe"})).await;
    assert_eq!(res.error().0, "decision_invalid");
    let res = app
        .post_json(
            &format!("/api/v1/referrals/{id}/disbursement"),
            &json!({"amount": 1, "loan_reference": "X"}),
        )
        .await;
    assert_eq!(res.error().0, "not_approved");
    let res = app
        .post_json(&d, &json!({"decision": "approved", "amount_approved": 20_000_000, "decided_on": "2026-05-20"}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["status"], "approved");
    let res = app
        .post_json(
            &d,
            &json!({"decision": "rejected", "reason": "berubah pikiran"}),
        )
        .await;
    assert_eq!(res.error().0, "already_decided");
    let b = format!("/api/v1/referrals/{id}/disbursement");
    let res = app
        .post_json(
            &b,
            &json!({"amount": 25_000_000, "loan_reference": "KUR-1", "disbursed_on": "2026-06-01"}),
        )
        .await;
    assert_eq!(
        res.error(),
        ("above_approved".into(), Some("amount".into()))
    );
    let res = app
        .post_json(&b, &json!({"amount": 20_000_000, "loan_reference": "KUR-2026-000123", "disbursed_on": "2026-06-01"}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["status"], "disbursed");
    assert_eq!(app.reached(&no).await["P7"], "2026-06-01");
    let ev = app.events(&no).await;
    let kinds = event_kinds(&ev);
    for k in [
        "financing_referred",
        "financing_approved",
        "financing_disbursed",
    ] {
        assert!(kinds.iter().any(|x| x == k), "{k} in {kinds:?}");
    }
    let disbursed = ev["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "financing_disbursed")
        .unwrap()
        .clone();
    assert_eq!(disbursed["reference"], "KUR-2026-000123");
    // A rejection needs its reason and is recorded with it.
    let no2 = app.register_on(2, "31.71.01.1001", "2021-01-04").await;
    let id2 = refer(&app, &no2, "BANKDKI").await;
    let res = app
        .post_json(
            &format!("/api/v1/referrals/{id2}/decision"),
            &json!({"decision": "rejected"}),
        )
        .await;
    assert_eq!(res.error(), ("required".into(), Some("reason".into())));
    let res = app
        .post_json(
            &format!("/api/v1/referrals/{id2}/decision"),
            &json!({"decision": "rejected", "reason": "Usaha belum 6 bulan"}),
        )
        .await;
    assert_eq!(res.json()["decision_reason"], "Usaha belum 6 bulan");
    let list = app.get("/api/v1/referrals?status=rejected").await.json();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let res = app.get("/api/v1/referrals?status=pending").await;
    assert_eq!(
        res.error(),
        ("status_invalid".into(), Some("status".into()))
    );
}

async fn a_partner_sees_only_its_own_referrals(app: TestApp) {
    // The test partner account belongs to BANKUJI (created with it).
    let bank = app.user("petugas-bank", "partner", None).await;
    partner(&app, "KOPJAK").await;
    let a = app.register_on(1, "31.71.01.1001", "2021-01-04").await;
    let b = app.register_on(2, "31.74.02.1001", "2021-01-04").await;
    let mine = refer(&app, &a, "BANKUJI").await;
    let theirs = refer(&app, &b, "KOPJAK").await;
    let list = app.as_(&bank).get("/api/v1/referrals").await.json();
    assert_eq!(referral_ids(&list), [mine]);
    // The partner sees who to contact for its referral, and nothing of the register.
    assert_eq!(list["items"][0]["member_no"], a.as_str());
    assert!(list["items"][0]["phone"].is_string());
    assert!(list["items"][0].get("nik").is_none());
    for url in [
        format!("/api/v1/members/{a}"),
        "/api/v1/members".into(),
        format!("/api/v1/members/{a}/events"),
    ] {
        let res = app.as_(&bank).get(&url).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{url}");
    }
    let res = app
        .as_(&bank)
        .post_json(
            &format!("/api/v1/referrals/{theirs}/decision"),
            &json!({"decision": "rejected", "reason": "bukan kami"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = app
        .as_(&bank)
        .post_json(&format!("/api/v1/referrals/{mine}/decision"), &json!({"decision": "approved", "amount_approved": 10_000_000, "decided_on": "2026-05-10"}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["decided_by"], "petugas-bank");
    // Officers may refer but not decide; a district officer sees only its district.
    let gambir = app
        .user("gambir", "district_officer", Some("31.71.01"))
        .await;
    let res = app
        .as_(&gambir)
        .post_json(
            &format!("/api/v1/referrals/{mine}/disbursement"),
            &json!({"amount": 1, "loan_reference": "X"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let list = app.as_(&gambir).get("/api/v1/referrals").await.json();
    assert_eq!(referral_ids(&list), [mine]);
    // A partner account needs its partner, and only a partner account has one.
    let res = jakpreneur_store::NewUser {
        username: "tanpa-mitra".into(),
        role: "partner".into(),
        region: None,
        member_no: None,
        nik: None,
        agency: None,
        partner: None,
        unit: None,
        buyer_role: None,
        password: jakpreneur_testkit::TEST_PASSWORD.into(),
    };
    let err = app
        .store
        .create_user(
            &jakpreneur_core::Actor::system("test"),
            &res,
            &jakpreneur_store::AccountPolicy::for_tests(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, jakpreneur_store::StoreError::Invalid(ref e) if e.0[0].field == "partner"),
        "{err}"
    );
}
