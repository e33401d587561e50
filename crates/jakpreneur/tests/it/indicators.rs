//! Every figure shown is recomputed here from raw records (docs/indicators.md).

use jakpreneur_testkit::TestApp;
use serde_json::json;

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
    let documented = docs
        .lines()
        .filter(|l| l.starts_with("| `"))
        .filter(|l| !l.contains("| home page"))
        .count();
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
