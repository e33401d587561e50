//! Finding members: filters at every region level, dates, sector, text, status, and
//! keyset pages that neither skip nor repeat rows while others register.

use std::collections::HashSet;

use axum::http::StatusCode;
use jakpreneur_testkit::{TestApp, member, member_in};
use serde_json::{Value, json};

on_both_backends!(
    filters_narrow_the_list,
    pages_neither_skip_nor_repeat_under_inserts,
    bad_filters_are_named,
    lists_mask_the_nik,
    word_search_follows_the_register
);

fn numbers(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["member_no"].as_str().unwrap().to_owned())
        .collect()
}

async fn filters_narrow_the_list(app: TestApp) {
    let specs = [
        (
            0,
            "31.71.01.1001",
            "I",
            "2019-05-01",
            "Warung Makan Sederhana",
        ),
        (
            1,
            "31.71.01.1002",
            "G",
            "2020-06-01",
            "Toko Kelontong Barokah",
        ),
        (2, "31.71.03.1002", "I", "2021-07-01", "Kedai Kopi Senja"),
        (
            3,
            "31.74.02.1001",
            "C",
            "2022-08-01",
            "Batik Betawi Ibu Rahma",
        ),
        (
            4,
            "31.01.01.1001",
            "A",
            "2023-09-01",
            "Ikan Asin Pulau Panggang",
        ),
    ];
    let mut no = Vec::new();
    for (i, village, sector, date, business) in specs {
        let mut m = member_in(i, village);
        m["sector"] = json!(sector);
        m["registered_on"] = json!(date);
        m["business_name"] = json!(business);
        no.push(
            app.post_json("/api/v1/members", &m).await.json()["member_no"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let list = |q: &str| {
        let app = &app;
        let q = q.to_owned();
        async move {
            let res = app.get(&format!("/api/v1/members?{q}")).await;
            assert_eq!(res.status, StatusCode::OK, "{q}: {}", res.text());
            let mut n = numbers(&res.json());
            n.sort();
            n
        }
    };
    let sorted = |idx: &[usize]| {
        let mut v: Vec<String> = idx.iter().map(|&i| no[i].clone()).collect();
        v.sort();
        v
    };
    assert_eq!(list("").await, sorted(&[0, 1, 2, 3, 4]));
    assert_eq!(list("region=31").await, sorted(&[0, 1, 2, 3, 4]));
    assert_eq!(list("region=31.71").await, sorted(&[0, 1, 2]));
    assert_eq!(list("region=31.71.01").await, sorted(&[0, 1]));
    assert_eq!(list("region=31.71.01.1002").await, sorted(&[1]));
    assert_eq!(list("region=31.01").await, sorted(&[4]));
    assert_eq!(list("sector=I").await, sorted(&[0, 2]));
    assert_eq!(list("sector=i").await, sorted(&[0, 2]));
    assert_eq!(
        list("registered_from=2020-06-01&registered_to=2022-08-01").await,
        sorted(&[1, 2, 3])
    );
    assert_eq!(list("registered_to=2019-05-01").await, sorted(&[0]));
    assert_eq!(list("q=kopi").await, sorted(&[2]));
    assert_eq!(list("q=BATIK%20betawi").await, sorted(&[3]));
    assert_eq!(
        list("q=100%25").await,
        Vec::<String>::new(),
        "LIKE wildcards in q are literal"
    );
    assert_eq!(
        list("region=31.71&sector=I&registered_from=2020-01-01").await,
        sorted(&[2])
    );
    app.post_json(
        &format!("/api/v1/members/{}/withdraw", no[1]),
        &json!({"reason": "tutup usaha"}),
    )
    .await;
    assert_eq!(list("status=withdrawn").await, sorted(&[1]));
    assert_eq!(list("status=active&region=31.71.01").await, sorted(&[0]));
}

async fn pages_neither_skip_nor_repeat_under_inserts(app: TestApp) {
    let mut existing = HashSet::new();
    for i in 0..25 {
        existing.insert(
            app.register(i).await["member_no"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    let mut extra = 100;
    let mut last_id = i64::MAX;
    loop {
        let url = match &after {
            Some(a) => format!("/api/v1/members?limit=7&after={a}"),
            None => "/api/v1/members?limit=7".to_owned(),
        };
        let page = app.get(&url).await.json();
        for m in page["items"].as_array().unwrap() {
            let id = m["id"].as_i64().unwrap();
            assert!(id < last_id, "stable order, newest first");
            last_id = id;
            seen.push(m["member_no"].as_str().unwrap().to_owned());
        }
        // Another officer registers between page loads.
        app.register(extra).await;
        extra += 1;
        match page["next"].as_str() {
            Some(n) => after = Some(n.to_owned()),
            None => break,
        }
    }
    let unique: HashSet<_> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "no member is repeated");
    assert!(
        existing.is_subset(&unique),
        "no member that existed at the start is skipped"
    );
    assert_eq!(
        seen.len(),
        25,
        "new registrations appear at the head, not in later pages"
    );
}

async fn bad_filters_are_named(app: TestApp) {
    for (q, field, code) in [
        ("limit=0", "limit", "limit_out_of_range"),
        ("limit=501", "limit", "limit_out_of_range"),
        ("limit=ten", "limit", "limit_out_of_range"),
        ("after=abc", "after", "invalid_cursor"),
        ("after=-5", "after", "invalid_cursor"),
        ("region=99", "region", "region_unknown"),
        ("region=31.71.1", "region", "region_unknown"),
        (
            "registered_from=2021-13-01",
            "registered_from",
            "date_invalid",
        ),
        (
            "registered_from=2022-01-02&registered_to=2022-01-01",
            "registered_to",
            "date_range",
        ),
        ("sector=ZZ", "sector", "sector_unknown"),
        ("status=gone", "status", "status_invalid"),
    ] {
        let res = app.get(&format!("/api/v1/members?{q}")).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{q}");
        assert_eq!(
            res.error(),
            (code.to_owned(), Some(field.to_owned())),
            "{q}"
        );
    }
    assert_eq!(
        app.get("/api/v1/members?limit=500").await.status,
        StatusCode::OK
    );
}

async fn lists_mask_the_nik(app: TestApp) {
    let body = member(30);
    app.post_json("/api/v1/members", &body).await;
    let nik = body["nik"].as_str().unwrap();
    let list = app.get("/api/v1/members").await;
    assert!(!list.text().contains(nik), "a list never shows a whole NIK");
    let shown = list.json()["items"][0]["nik"].as_str().unwrap().to_owned();
    assert_eq!(shown, format!("{}**********{}", &nik[..4], &nik[14..]));
}

/// Names and business names are searched by the start of their words, through the word
/// index: within the reader's region, newest first in pages, and in step with every
/// registration, correction and erasure.
async fn word_search_follows_the_register(app: TestApp) {
    let people = [
        ("31.71.01.1001", "Siti Santoso", "Warung Makan Sederhana"),
        ("31.71.01.1002", "Budi Santoso", "Kedai Kopi Senja"),
        ("31.71.03.1002", "Agus Santoso", "Warung Kopi Tubruk"),
        ("31.74.02.1001", "H. Ahmad Rahman", "Batik Betawi"),
    ];
    let mut no = Vec::new();
    for (i, (village, name, business)) in people.iter().enumerate() {
        let mut m = member_in(i as u32, village);
        m["full_name"] = json!(name);
        m["business_name"] = json!(business);
        let res = app.post_json("/api/v1/members", &m).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        no.push(res.json()["member_no"].as_str().unwrap().to_owned());
    }
    let pick = |ix: &[usize]| ix.iter().map(|&i| no[i].clone()).collect::<Vec<_>>();
    let find = |who: Option<&jakpreneur_testkit::Creds>, q: &str| {
        let client = match who {
            Some(c) => app.as_(c),
            None => app.as_(&app.admin),
        };
        let q = q.to_owned();
        async move {
            let res = client.get(&format!("/api/v1/members?{q}")).await;
            assert_eq!(res.status, StatusCode::OK, "{q}: {}", res.text());
            numbers(&res.json())
        }
    };
    // Newest first; the start of a word, any case; every word required.
    assert_eq!(find(None, "q=sant").await, pick(&[2, 1, 0]));
    assert_eq!(find(None, "q=SANTOSO").await, pick(&[2, 1, 0]));
    assert_eq!(find(None, "q=warung%20sant").await, pick(&[2, 0]));
    assert_eq!(find(None, "q=kopi").await, pick(&[2, 1]));
    assert!(find(None, "q=antoso").await.is_empty(), "only word starts");
    assert_eq!(find(None, "q=h%20ahmad").await, pick(&[3]), "an initial");
    assert!(
        find(None, "q=%25%22*").await.is_empty(),
        "no words, no match"
    );
    // With the other filters, and in pages that neither skip nor repeat.
    assert_eq!(find(None, "q=sant&region=31.71.01").await, pick(&[1, 0]));
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let url = match &after {
            Some(a) => format!("/api/v1/members?q=santoso&limit=1&after={a}"),
            None => "/api/v1/members?q=santoso&limit=1".to_owned(),
        };
        let page = app.get(&url).await.json();
        seen.extend(numbers(&page));
        match page["next"].as_str() {
            Some(n) => after = Some(n.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, pick(&[2, 1, 0]));
    // A district officer finds only its district's members.
    let gambir = app
        .user("gambir", "district_officer", Some("31.71.01"))
        .await;
    assert_eq!(find(Some(&gambir), "q=santoso").await, pick(&[1, 0]));
    assert!(find(Some(&gambir), "q=batik").await.is_empty());
    // A corrected name is found by its new words only.
    let res = app
        .patch_json(
            &format!("/api/v1/members/{}", no[0]),
            &json!({"full_name": "Siti Rahayu", "business_name": "Katering Bu Siti"}),
            Some("*"),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(find(None, "q=santoso").await, pick(&[2, 1]));
    assert_eq!(find(None, "q=rahayu%20katering").await, pick(&[0]));
    // An erased member's name leaves the index; its business name stays on record.
    let res = app
        .post_json(
            &format!("/api/v1/members/{}/erase", no[1]),
            &json!({"reason": "permintaan anggota"}),
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text());
    assert_eq!(find(None, "q=santoso").await, pick(&[2]));
    assert_eq!(find(None, "q=senja").await, pick(&[1]));
    // The public check searches business names only, never people's names.
    let public = app
        .anonymous()
        .get("/api/v1/public/membership?q=agus%20santoso")
        .await
        .json();
    assert_eq!(public["total"], 0);
    let public = app
        .anonymous()
        .get("/api/v1/public/membership?q=warung%20kop")
        .await
        .json();
    assert_eq!(public["total"], 1);
    assert_eq!(public["items"][0]["member_no"], no[2].as_str());
}
