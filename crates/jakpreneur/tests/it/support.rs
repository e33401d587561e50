//! What several test modules share beyond the test kit: the `jakpreneur` binary run
//! against a test's database, and request bodies more than one module sends.

use std::process::{Command, Output};

use jakpreneur_testkit::{Client, TestApp, TestResponse};
use serde_json::{Value, json};

/// The `jakpreneur` binary on this test's database and data key, with no config file.
pub fn command(app: &TestApp) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_jakpreneur"));
    c.arg("--db")
        .arg(&app.db_url)
        .env_remove("JAKPRENEUR_CONFIG")
        .env("JAKPRENEUR__SECURITY__DATA_KEY_FILE", &app.key_file);
    c
}

/// Runs `jakpreneur` with `args` on this test's database and waits for it.
pub fn jakpreneur(app: &TestApp, args: &[&str]) -> Output {
    command(app).args(args).output().expect("the binary runs")
}

/// A mentoring session on halal and marketing with two follow-ups: one due on
/// 2021-03-01 (overdue by the test date) and one due in 2030.
pub fn session_with_follow_ups() -> Value {
    json!({"held_on": "2021-02-10", "topics": ["halal", "marketing"], "notes": "produk keripik",
           "follow_ups": [{"action": "daftar SIHALAL", "due_on": "2021-03-01"}, {"action": "foto produk", "due_on": "2030-01-01"}]})
}

/// Marks follow-up `id` done as `client`, with `body` (`done_on`, or nothing for today).
pub async fn follow_up_done(client: &Client, id: i64, body: Value) -> TestResponse {
    client
        .post_json(&format!("/api/v1/follow-ups/{id}/done"), &body)
        .await
}
