//! Every figure shown is recomputed here from raw records (docs/indicators.md).

use jakpreneur_testkit::TestApp;
use serde_json::json;

on_both_backends!(registered_members_counts_every_record);

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
