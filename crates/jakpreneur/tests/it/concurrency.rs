//! Two officers, retried requests: the database, not luck, keeps the registry consistent.

use std::collections::HashSet;

use axum::http::StatusCode;
use jakpreneur_testkit::{TestApp, member, member_in};

on_both_backends!(
    fifty_simultaneous_registrations_of_one_nik_leave_one_member,
    simultaneous_registrations_get_distinct_member_numbers,
    a_registration_the_database_refuses_does_not_sink_the_others,
    the_audit_check_holds_while_others_write,
);

/// `audit verify` while registrations append to the log: it reads one snapshot, so an
/// entry appended meanwhile is never taken for a removed one.
async fn the_audit_check_holds_while_others_write(app: TestApp) {
    let app = std::sync::Arc::new(app);
    let writers: Vec<_> = (0..60u32)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                app.post_json("/api/v1/members", &member_in(300 + i, "31.71.01.1001"))
                    .await
                    .status
            })
        })
        .collect();
    let mut checks = 0;
    while writers.iter().any(|w| !w.is_finished()) || checks < 3 {
        match app.store.verify_audit().await.unwrap() {
            jakpreneur_store::ChainCheck::Intact { .. } => checks += 1,
            broken => panic!("check {checks} beside writers: {broken:?}"),
        }
    }
    for w in writers {
        assert_eq!(w.await.unwrap(), StatusCode::CREATED);
    }
    assert!(matches!(
        app.store.verify_audit().await.unwrap(),
        jakpreneur_store::ChainCheck::Intact { .. }
    ));
}

async fn fifty_simultaneous_registrations_of_one_nik_leave_one_member(app: TestApp) {
    let app = std::sync::Arc::new(app);
    let body = member(21);
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (app, body) = (app.clone(), body.clone());
            tokio::spawn(async move { app.post_json("/api/v1/members", &body).await })
        })
        .collect();
    let mut created = Vec::new();
    let mut conflicts = Vec::new();
    for t in tasks {
        let res = t.await.expect("task");
        match res.status {
            StatusCode::CREATED => {
                created.push(res.json()["member_no"].as_str().unwrap().to_owned())
            }
            StatusCode::CONFLICT => {
                let v = res.json();
                assert_eq!(v["error"]["code"], "duplicate_nik");
                conflicts.push(v["error"]["member_no"].as_str().unwrap().to_owned());
            }
            other => panic!("unexpected {other}: {}", res.text()),
        }
    }
    assert_eq!(created.len(), 1, "exactly one registration wins");
    assert_eq!(conflicts.len(), 49);
    assert!(
        conflicts.iter().all(|no| *no == created[0]),
        "every loser learns the winner's member_no"
    );
    assert_eq!(app.count().await, 1);
}

async fn simultaneous_registrations_get_distinct_member_numbers(app: TestApp) {
    let app = std::sync::Arc::new(app);
    let tasks: Vec<_> = (0..40u32)
        .map(|i| {
            let app = app.clone();
            let village = if i % 2 == 0 {
                "31.71.01.1001"
            } else {
                "31.71.03.1002"
            };
            tokio::spawn(async move {
                app.post_json("/api/v1/members", &member_in(100 + i, village))
                    .await
            })
        })
        .collect();
    let mut numbers = HashSet::new();
    for t in tasks {
        let res = t.await.expect("task");
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        numbers.insert(res.json()["member_no"].as_str().unwrap().to_owned());
    }
    assert_eq!(numbers.len(), 40, "member numbers are unique");
    let expected: HashSet<String> = (1..=40).map(|n| format!("JP-3171-{n:07}")).collect();
    assert_eq!(
        numbers, expected,
        "one city's sequence, without gaps when nothing failed"
    );
}

/// SQLite writes simultaneous registrations in one transaction; a record the database
/// refuses (here: its village row was deleted behind the product's back) must fail alone.
async fn a_registration_the_database_refuses_does_not_sink_the_others(app: TestApp) {
    app.raw_sql("DELETE FROM regions WHERE code = '31.71.01.1001'")
        .await;
    let app = std::sync::Arc::new(app);
    let tasks: Vec<_> = (0..30u32)
        .map(|i| {
            let app = app.clone();
            let village = if i == 17 {
                "31.71.01.1001"
            } else {
                "31.74.02.1001"
            };
            tokio::spawn(async move {
                app.post_json("/api/v1/members", &member_in(200 + i, village))
                    .await
            })
        })
        .collect();
    let mut created = 0;
    for (i, t) in tasks.into_iter().enumerate() {
        let res = t.await.expect("task");
        if i == 17 {
            assert_eq!(
                res.status,
                StatusCode::INTERNAL_SERVER_ERROR,
                "{}",
                res.text()
            );
            assert_eq!(res.error().0, "internal", "the cause stays in the log");
        } else {
            assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
            created += 1;
        }
    }
    assert_eq!(created, 29);
    assert_eq!(app.count().await, 29, "nothing half-written");
}
