//! Personal data (UU 27/2022) and the audit log: the NIK never reaches the database in
//! the clear, unmasked views and exports are audited, erasure keeps the counts, and the
//! hash chain catches a row edited behind the product's back.

use axum::http::StatusCode;
use jakpreneur_testkit::{TestApp, member, member_in};
use serde_json::json;

use crate::support::jakpreneur;

on_both_backends!(
    reveal_and_export_are_audited,
    erasure_removes_personal_data_and_keeps_counts,
    a_trainees_erasure_forgets_the_person_and_keeps_the_figures,
    audit_chain_catches_an_edited_row,
    audit_chain_cannot_be_recomputed_without_the_key,
    checkpoints_catch_entries_cut_off_the_end,
    an_old_log_is_sealed_once_and_a_missing_seal_is_a_break,
    public_check_lists_twenty_and_counts_the_rest,
);

fn masked(nik: &str) -> String {
    format!("{}**********{}", &nik[..4], &nik[14..])
}

async fn audit_actions(app: &TestApp, record_id: &str) -> Vec<String> {
    let v = app
        .get(&format!("/api/v1/audit?record_id={record_id}&limit=500"))
        .await
        .json();
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

/// The test: the raw NIKs registered appear nowhere in the SQLite file or its
/// WAL, even after corrections, withdrawal, erasure and a key rotation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_raw_nik_in_the_sqlite_file_or_wal() {
    let app = TestApp::sqlite().await;
    let mut niks = Vec::new();
    let mut numbers = Vec::new();
    for i in 0..40 {
        let m = member(i);
        niks.push(m["nik"].as_str().unwrap().to_owned());
        numbers.push(
            app.register(i).await["member_no"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    // A correction to a new NIK, a withdrawal, an erasure, a reveal, an export.
    let new_nik = member(200)["nik"].as_str().unwrap().to_owned();
    let res = app
        .patch_json(
            &format!("/api/v1/members/{}", numbers[0]),
            &json!({"nik": new_nik, "birth_date": member(200)["birth_date"], "sex": member(200)["sex"]}),
            Some("*"),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    niks.push(new_nik);
    app.post_json(
        &format!("/api/v1/members/{}/withdraw", numbers[1]),
        &json!({"reason": "moved away"}),
    )
    .await;
    app.post_json(
        &format!("/api/v1/members/{}/erase", numbers[2]),
        &json!({"reason": "member's request"}),
    )
    .await;
    let shown = app
        .get(&format!("/api/v1/members/{}?reveal=nik", numbers[3]))
        .await
        .json();
    assert_eq!(
        shown["nik"], niks[3],
        "the clear NIK is there for those allowed"
    );
    app.get(&format!("/api/v1/members/{}/export", numbers[4]))
        .await;

    app.store.close().await;
    let dir = std::path::Path::new(&app.db_url)
        .parent()
        .unwrap()
        .to_owned();
    let mut scanned = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("test.db") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        scanned += bytes.len();
        for nik in &niks {
            assert!(
                !bytes.windows(16).any(|w| w == nik.as_bytes()),
                "raw NIK {} found in {name}",
                masked(nik)
            );
        }
    }
    assert!(
        scanned > 100_000,
        "the database files were read ({scanned} bytes)"
    );
}

async fn reveal_and_export_are_audited(app: TestApp) {
    let sent = member_in(1, "31.71.01.1001");
    let nik = sent["nik"].as_str().unwrap().to_owned();
    let m = app.post_json("/api/v1/members", &sent).await.json();
    let no = m["member_no"].as_str().unwrap().to_owned();
    assert_eq!(m["nik"], masked(&nik));

    let officer = app
        .user("gambir", "district_officer", Some("31.71.01"))
        .await;
    let trainer = app.user("pelatih", "trainer", Some("31.71.01")).await;
    let url = format!("/api/v1/members/{no}");
    let plain = app.as_(&officer).get(&url).await.json();
    assert_eq!(plain["nik"], masked(&nik), "masked unless asked for");
    assert!(
        !audit_actions(&app, &no)
            .await
            .contains(&"member.view_nik".to_owned())
    );

    let revealed = app.as_(&officer).get(&format!("{url}?reveal=nik")).await;
    assert_eq!(revealed.status, StatusCode::OK);
    assert_eq!(revealed.json()["nik"], nik);
    assert_eq!(revealed.json()["nik_revealed"], true);
    let denied = app.as_(&trainer).get(&format!("{url}?reveal=nik")).await;
    assert_eq!(
        denied.status,
        StatusCode::FORBIDDEN,
        "a trainer never sees NIKs"
    );
    let bad = app.as_(&officer).get(&format!("{url}?reveal=phone")).await;
    assert_eq!(bad.error().0, "reveal_invalid");

    // The page shows the NIK only after a deliberate POST, and audits it too.
    let page = app
        .as_(&officer)
        .get(&format!("/members/{no}"))
        .await
        .text();
    assert!(page.contains(&masked(&nik)) && !page.contains(&nik));
    let page = app
        .as_(&officer)
        .post_form(&format!("/members/{no}/nik"), &[])
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains(&nik));

    // The member's own download (an account linked by member number and NIK).
    let own = app
        .user_linked("siti", "member", None, Some((&no, &nik)))
        .await;
    let export = app.as_(&own).get(&format!("{url}/export")).await;
    assert_eq!(export.status, StatusCode::OK, "{}", export.text());
    assert!(
        export
            .header("content-disposition")
            .unwrap()
            .contains(".json")
    );
    let e = export.json();
    assert_eq!(e["member"]["nik"], nik);
    assert_eq!(e["member"]["consent_version"], "2026-11-v1");
    assert_eq!(e["accounts"][0]["username"], "siti");
    assert!(
        e["history"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["action"] == "member.register"),
        "the record's own audit trail is part of the export"
    );
    // Another member's export is not there for this account.
    let other = app
        .post_json("/api/v1/members", &member_in(2, "31.71.01.1001"))
        .await
        .json();
    let other_no = other["member_no"].as_str().unwrap();
    let res = app
        .as_(&own)
        .get(&format!("/api/v1/members/{other_no}/export"))
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);

    let actions = audit_actions(&app, &no).await;
    assert_eq!(
        actions.iter().filter(|a| *a == "member.view_nik").count(),
        2,
        "one entry per unmasked view: {actions:?}"
    );
    assert!(actions.contains(&"member.export".to_owned()));
    // Audit entries never hold the NIK or other personal values in the clear.
    let log = app.get("/api/v1/audit?limit=500").await.text();
    assert!(!log.contains(&nik), "no clear NIK in the audit log");
    assert!(!log.contains(sent["phone"].as_str().unwrap().trim_start_matches('0')));
}

async fn erasure_removes_personal_data_and_keeps_counts(app: TestApp) {
    let sent = member_in(1, "31.71.01.1001");
    let nik = sent["nik"].as_str().unwrap().to_owned();
    let no = app.post_json("/api/v1/members", &sent).await.json()["member_no"]
        .as_str()
        .unwrap()
        .to_owned();
    app.register(2).await;
    let own = app
        .user_linked("siti", "member", None, Some((&no, &nik)))
        .await;
    assert_eq!(app.as_(&own).get("/api/v1/me").await.status, StatusCode::OK);
    let officer = app
        .user("gambir", "district_officer", Some("31.71.01"))
        .await;
    let before = app.count().await;

    let res = app
        .as_(&officer)
        .post_json(
            &format!("/api/v1/members/{no}/erase"),
            &json!({"reason": "request"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "officers do not erase");
    let res = app
        .post_json(&format!("/api/v1/members/{no}/erase"), &json!({}))
        .await;
    assert_eq!(res.error().1.as_deref(), Some("reason"));

    let res = app
        .post_json(
            &format!("/api/v1/members/{no}/erase"),
            &json!({"reason": "the member's request of 2026-11-20"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let m = res.json();
    for field in [
        "nik",
        "full_name",
        "birth_date",
        "phone",
        "email",
        "address",
    ] {
        assert!(m[field].is_null(), "{field} erased: {m}");
    }
    assert!(m["erased_at"].is_string());
    assert_eq!(m["member_no"], no.as_str());
    assert_eq!(m["village_code"], "31.71.01.1001", "anonymous facts stay");
    assert_eq!(m["status"], "withdrawn");
    assert_eq!(app.count().await, before, "counts do not change");
    let listed = app.get("/api/v1/members?region=31.71.01").await.text();
    assert!(listed.contains(&no));

    let again = app
        .post_json(
            &format!("/api/v1/members/{no}/erase"),
            &json!({"reason": "again"}),
        )
        .await;
    assert_eq!(again.error().0, "member_erased");
    let patch = app
        .patch_json(
            &format!("/api/v1/members/{no}"),
            &json!({"business_name": "X"}),
            Some("*"),
        )
        .await;
    assert_eq!(patch.error().0, "member_erased");
    let res = app.as_(&own).get("/api/v1/me").await;
    assert_eq!(
        res.status,
        StatusCode::UNAUTHORIZED,
        "the member's account is disabled"
    );
    let public = app
        .anonymous()
        .get(&format!("/api/v1/public/membership?q={no}"))
        .await
        .json();
    assert_eq!(public["items"][0]["member_no"], no.as_str());
}

async fn audit_chain_catches_an_edited_row(app: TestApp) {
    for i in 0..5 {
        app.register(i).await;
    }
    let no = app.get("/api/v1/members?limit=1").await.json()["items"][0]["member_no"]
        .as_str()
        .unwrap()
        .to_owned();
    app.patch_json(
        &format!("/api/v1/members/{no}"),
        &json!({"business_name": "Toko Baru"}),
        Some("*"),
    )
    .await;
    let entries = match app.store.verify_audit().await.unwrap() {
        jakpreneur_store::ChainCheck::Intact { entries, .. } => entries,
        other => panic!("fresh chain broken: {other:?}"),
    };
    assert!(entries >= 7, "user, token and member entries: {entries}");
    let out = jakpreneur(&app, &["audit", "verify"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("{entries} entries")));

    // The page lists entries, newest first, filtered by record.
    let page = app.get(&format!("/admin/audit?record_id={no}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains(&format!(
        "mengubah data <a href=\"/members/{no}\">anggota {no}</a>"
    )));

    // Someone with database access rewrites who made a change.
    app.raw_sql("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 4")
        .await;
    assert_eq!(
        app.store.verify_audit().await.unwrap(),
        jakpreneur_store::ChainCheck::Broken {
            seq: 4,
            reason: "its contents do not match its hash (the row was altered)".into()
        }
    );
    let out = jakpreneur(&app, &["audit", "verify"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("broken at entry 4"), "{err}");

    // Deleting the newest entry is caught too.
    app.raw_sql(
        "UPDATE audit_log SET actor = (SELECT actor FROM audit_log WHERE seq = 3) WHERE seq = 4",
    )
    .await;
    app.raw_sql(&format!("DELETE FROM audit_log WHERE seq = {entries}"))
        .await;
    let check = app.store.verify_audit().await.unwrap();
    assert!(
        matches!(check, jakpreneur_store::ChainCheck::Broken { .. }),
        "{check:?}"
    );
}

/// The stored entries of the audit log, newest first.
async fn audit_entries(app: &TestApp) -> Vec<jakpreneur_store::AuditEntry> {
    let admin = jakpreneur_core::Actor::system("test");
    let page = app
        .store
        .list_audit(&admin, &Default::default(), 500, None)
        .await
        .unwrap();
    page.items
}

fn sql_text(v: &Option<String>) -> String {
    v.as_ref()
        .map_or("NULL".into(), |s| format!("'{}'", s.replace('\'', "''")))
}

/// Finding 6: someone holding the database changes an entry and recomputes every later
/// hash of its chain and the chain's head. The hashes all fit; the seals, which need the
/// data key, do not.
async fn audit_chain_cannot_be_recomputed_without_the_key(app: TestApp) {
    for i in 0..4 {
        app.register(i).await;
    }
    let mut entries = audit_entries(&app).await;
    entries.reverse();
    // The attack: the second registration's entry claims another actor.
    let target = entries
        .iter()
        .filter(|e| e.action == "member.register")
        .nth(1)
        .unwrap()
        .seq;
    let mut at = entries.iter().position(|e| e.seq == target).unwrap();
    let mut forged = entries[at].clone();
    forged.actor = "someone-else".into();
    let mut old_hash = forged.hash.clone();
    forged.hash = forged.expected_hash(&forged.prev_hash);
    loop {
        app.raw_sql(&format!(
            "UPDATE audit_log SET actor = {}, prev_hash = '{}', hash = '{}' WHERE seq = {}",
            sql_text(&Some(forged.actor.clone())),
            forged.prev_hash,
            forged.hash,
            forged.seq
        ))
        .await;
        // The chain's next entry is the one that named the old hash as its previous.
        match entries[at + 1..]
            .iter()
            .position(|e| e.prev_hash == old_hash)
        {
            Some(i) => {
                at += 1 + i;
                let mut next = entries[at].clone();
                next.prev_hash = forged.hash.clone();
                old_hash = next.hash.clone();
                next.hash = next.expected_hash(&next.prev_hash);
                forged = next;
            }
            None => break,
        }
    }
    app.raw_sql(&format!(
        "UPDATE audit_head SET hash = '{}' WHERE hash = '{old_hash}'",
        forged.hash
    ))
    .await;
    let check = app.store.verify_audit().await.unwrap();
    let jakpreneur_store::ChainCheck::Broken { seq, reason } = check else {
        panic!("a recomputed chain passed: {check:?}");
    };
    assert_eq!(seq, target);
    assert!(reason.contains("seal does not match"), "{reason}");
    let out = jakpreneur(&app, &["audit", "verify"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("without the data key"));
}

/// Cutting entries off the end of a chain and setting its head back needs no new seal;
/// a checkpoint taken before (kept outside the database) catches it.
async fn checkpoints_catch_entries_cut_off_the_end(app: TestApp) {
    for i in 0..3 {
        app.register(i).await;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("checkpoints.jsonl");
    let file_arg = file.to_str().unwrap();
    let out = jakpreneur(&app, &["audit", "checkpoint", "--file", file_arg]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Later entries are fine: the log still passes through the checkpoint.
    app.register(3).await;
    let out = jakpreneur(&app, &["audit", "checkpoint", "--file", file_arg]);
    assert!(out.status.success());
    let out = jakpreneur(&app, &["audit", "verify", "--checkpoints", file_arg]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("passes through all 2 checkpoints"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // The newest entry goes, and its chain's head is set back to the one before.
    app.raw_sql(
        "UPDATE audit_head SET seq = seq - 1,          hash = (SELECT prev_hash FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log))          WHERE id = (SELECT chain FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log))",
    )
    .await;
    app.raw_sql("DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)")
        .await;
    assert!(
        matches!(
            app.store.verify_audit().await.unwrap(),
            jakpreneur_store::ChainCheck::Intact { .. }
        ),
        "without checkpoints a clean cut at the end is invisible"
    );
    let out = jakpreneur(&app, &["audit", "verify", "--checkpoints", file_arg]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("entries were removed"), "{err}");

    // A checkpoint file edited by hand is named as such.
    let text = std::fs::read_to_string(&file).unwrap();
    let forged = text.replacen("\"entries\":", "\"entries\":1", 1);
    std::fs::write(&file, forged).unwrap();
    let out = jakpreneur(&app, &["audit", "verify", "--checkpoints", file_arg]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("checkpoint file was altered"), "{err}");
    // A file with no checkpoint in it is an error, not a pass.
    std::fs::write(&file, "nothing here\n").unwrap();
    let out = jakpreneur(&app, &["audit", "verify", "--checkpoints", file_arg]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("holds no audit checkpoint"));
}

/// A log from before seals existed is checked and sealed once when the key is attached;
/// after that, an entry without a seal is a break, never sealed again.
async fn an_old_log_is_sealed_once_and_a_missing_seal_is_a_break(app: TestApp) {
    for i in 0..3 {
        app.register(i).await;
    }
    app.raw_sql("UPDATE audit_log SET seal = NULL").await;
    let reopen = || async {
        let store = jakpreneur_store::Store::connect(&app.db_url, &Default::default())
            .await
            .unwrap();
        store.attach_key(&app.key).await.unwrap()
    };
    let store = reopen().await;
    assert!(matches!(
        store.verify_audit().await.unwrap(),
        jakpreneur_store::ChainCheck::Intact { .. }
    ));
    store.close().await;
    assert!(
        audit_entries(&app)
            .await
            .iter()
            .any(|e| e.action == "audit.sealed")
    );

    app.raw_sql("UPDATE audit_log SET seal = NULL WHERE seq = (SELECT MIN(seq) FROM audit_log)")
        .await;
    let store = reopen().await;
    let check = store.verify_audit().await.unwrap();
    store.close().await;
    let jakpreneur_store::ChainCheck::Broken { reason, .. } = check else {
        panic!("an unsealed entry passed: {check:?}");
    };
    assert!(reason.contains("no seal"), "{reason}");
}

/// Rotating the data key re-encrypts every NIK; lookups and the chain still work.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotate_key_reencrypts_every_nik() {
    let app = TestApp::sqlite().await;
    let mut first = String::new();
    for i in 0..5 {
        let m = app.register(i).await;
        if i == 0 {
            first = m["member_no"].as_str().unwrap().to_owned();
        }
    }
    // A supplier's bank account number and the administrator's authenticator secret are
    // sealed with the key too.
    let res = app
        .put_json(
            &format!("/api/v1/members/{first}/bank-account"),
            &serde_json::json!({"bank": "Bank DKI", "account_name": "Usaha", "account_no": "1234567890"}),
        )
        .await;
    assert_eq!(res.status, axum::http::StatusCode::OK, "{}", res.text());
    // The first member is a job trainee too: one person, whose NIK is sealed in `people`.
    let m0 = member(0);
    let mut trainee = serde_json::json!({"registered_on": "2025-01-06", "consent": true});
    for k in [
        "nik",
        "full_name",
        "birth_date",
        "sex",
        "phone",
        "address",
        "village_code",
    ] {
        trainee[k] = m0[k].clone();
    }
    let res = app
        .post_json("/api/v1/programmes/pelatihan_kerja/enrolments", &trainee)
        .await;
    assert_eq!(
        res.status,
        axum::http::StatusCode::CREATED,
        "{}",
        res.text()
    );
    let trainee_no = res.json()["enrolment_no"].as_str().unwrap().to_owned();
    let old = std::fs::read_to_string(&app.key_file).unwrap();
    let out = jakpreneur(&app, &["rotate-key"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("re-encrypted 5 NIKs"));
    let new = std::fs::read_to_string(&app.key_file).unwrap();
    assert_ne!(old, new, "the key file holds the new key");
    let mut old_path = app.key_file.clone().into_os_string();
    old_path.push(".old");
    assert_eq!(std::fs::read_to_string(old_path).unwrap(), old);
    // The CLI (a new process, reading the new key) still finds NIKs and their duplicates.
    let m = member(1);
    let mut args = vec![
        "member".to_owned(),
        "add".to_owned(),
        "--consent".to_owned(),
    ];
    for (k, v) in m.as_object().unwrap() {
        if let Some(s) = v.as_str() {
            args.push(format!("--{}", k.replace('_', "-")));
            args.push(s.to_owned());
        }
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let dup = jakpreneur(&app, &refs);
    assert!(!dup.status.success());
    assert!(String::from_utf8_lossy(&dup.stderr).contains("already registered"));
    // The trainee's NIK decrypts under the new key, and still finds the same person.
    let shown = jakpreneur(&app, &["programme", "show", &trainee_no]);
    assert!(
        shown.status.success(),
        "{}",
        String::from_utf8_lossy(&shown.stderr)
    );
    let masked = jakpreneur_core::nik::mask(m0["nik"].as_str().unwrap());
    assert!(String::from_utf8_lossy(&shown.stdout).contains(&masked));
    let mut again = vec![
        "programme".to_owned(),
        "enrol".to_owned(),
        "--consent".to_owned(),
    ];
    for k in [
        "nik",
        "full_name",
        "birth_date",
        "sex",
        "address",
        "village_code",
    ] {
        again.push(format!("--{}", k.replace('_', "-")));
        again.push(m0[k].as_str().unwrap().to_owned());
    }
    let refs: Vec<&str> = again.iter().map(String::as_str).collect();
    let twice = jakpreneur(&app, &refs);
    assert!(!twice.status.success());
    assert!(
        String::from_utf8_lossy(&twice.stderr).contains("already enrolled"),
        "{}",
        String::from_utf8_lossy(&twice.stderr)
    );
    assert!(jakpreneur(&app, &["audit", "verify"]).status.success());
    // The administrator's second step works under the new key.
    let store = jakpreneur_store::Store::connect(&app.db_url, &Default::default())
        .await
        .unwrap()
        .attach_key(&jakpreneur_store::DataKey::load(&app.key_file).unwrap())
        .await
        .unwrap();
    let policy = jakpreneur_store::AccountPolicy::for_tests();
    let step = store
        .login("admin", jakpreneur_testkit::TEST_PASSWORD, None, &policy)
        .await
        .unwrap();
    let jakpreneur_store::LoginStep::SecondFactor { challenge } = step else {
        panic!("the administrator signs in in two steps");
    };
    let code = app.next_totp("admin").await;
    store
        .complete_login(&challenge, &code, None, &policy)
        .await
        .expect("the authenticator secret decrypts under the new key");
    store.close().await;
    // The old key no longer opens the database.
    std::fs::write(&app.key_file, old).unwrap();
    let refused = jakpreneur(&app, &["member", "list"]);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr)
            .contains("not the one this database was written with")
    );
}

/// A row written by the version before encryption (its NIK in `nik_legacy`) is encrypted
/// when the store next opens, and the clear text leaves the SQLite file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn niks_left_in_the_clear_by_an_older_version_are_encrypted_on_start() {
    let app = TestApp::sqlite().await;
    let legacy_nik = "3171015503900001";
    app.raw_sql(&format!(
        "INSERT INTO members (member_no, nik_legacy, full_name, birth_date, sex, phone, address, \
         province_code, city_code, district_code, village_code, business_name, sector, channel, \
         registered_on, status, version, created_at, updated_at) VALUES ('JP-3171-0999999', \
         '{legacy_nik}', 'Siti Aminah', '1990-03-15', 'F', '+6281234567890', 'Jl. Kebon Sirih 1', \
         '31', '31.71', '31.71.01', '31.71.01.1001', 'Warung Lama', 'I', 'centre', '2019-05-01', \
         'active', 1, '2019-05-01T00:00:00Z', '2019-05-01T00:00:00Z')"
    ))
    .await;
    let reopened = jakpreneur_store::Store::connect(&app.db_url, &Default::default())
        .await
        .unwrap();
    reopened.migrate().await.unwrap();
    let reopened = reopened.attach_key(&app.key).await.unwrap();
    reopened.close().await;

    let shown = app
        .get("/api/v1/members/JP-3171-0999999?reveal=nik")
        .await
        .json();
    assert_eq!(
        shown["nik"], legacy_nik,
        "converted, and readable with the key"
    );
    // Its NIK is now on file by hash: registering it again is a duplicate.
    let mut again = member(1);
    again["nik"] = json!(legacy_nik);
    again["birth_date"] = json!("1990-03-15");
    again["sex"] = json!("F");
    let res = app.post_json("/api/v1/members", &again).await;
    assert_eq!(res.error().0, "duplicate_nik");
    app.store.close().await;
    let dir = std::path::Path::new(&app.db_url)
        .parent()
        .unwrap()
        .to_owned();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("test.db")
        {
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !bytes.windows(16).any(|w| w == legacy_nik.as_bytes()),
                "clear NIK left in {}",
                path.display()
            );
        }
    }
}

/// The public check lists at most 20 businesses, says how many matched, and shows the
/// facilities each really reached.
async fn public_check_lists_twenty_and_counts_the_rest(app: TestApp) {
    let mut first = String::new();
    for i in 0..22 {
        let mut m = member_in(i, "31.71.01.1001");
        m["business_name"] = json!(format!("Warung Kemuning {i:02}"));
        let res = app.post_json("/api/v1/members", &m).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        if i == 0 {
            first = res.json()["member_no"].as_str().unwrap().to_owned();
        }
    }
    let res = app
        .post_json(
            &format!("/api/v1/members/{first}/events"),
            &json!({"kind": "training_completed", "occurred_on": "2021-03-01", "agency": "KPKP"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let v = app
        .anonymous()
        .get("/api/v1/public/membership?q=kemuning")
        .await
        .json();
    assert_eq!(v["total"], 22);
    assert_eq!(v["items"].as_array().unwrap().len(), 20);
    assert_eq!(v["items"][0]["member_no"], first.as_str());
    assert_eq!(v["items"][0]["facilities"], json!(["P1", "P2"]));
    assert_eq!(v["items"][1]["facilities"], json!(["P1"]));
    let page = app.anonymous().get("/cek?q=kemuning").await.text();
    assert!(page.contains("Menampilkan 20 dari 22"), "{page}");
    assert!(page.contains("<li>P2 Pelatihan</li>"), "{page}");
}

/// A job trainee who is also a Jakpreneur member asks for their data to be erased: the
/// person's NIK, name, birth date and each enrolment's contact go, the enrolments end
/// withdrawn, the placement figures do not move, the member record is untouched, and the
/// NIK enrolled again is a new person. Only an administrator erases.
async fn a_trainees_erasure_forgets_the_person_and_keeps_the_figures(app: TestApp) {
    let village = "31.71.01.1001";
    let m = member_in(41, village);
    let res = app.post_json("/api/v1/members", &m).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let member_no = res.json()["member_no"].as_str().unwrap().to_owned();
    let body = json!({
        "nik": m["nik"], "full_name": m["full_name"], "birth_date": m["birth_date"],
        "sex": m["sex"], "phone": "081234567890", "address": m["address"],
        "village_code": village, "registered_on": "2025-01-06", "consent": true,
    });
    let res = app
        .post_json("/api/v1/programmes/pelatihan_kerja/enrolments", &body)
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let no = res.json()["enrolment_no"].as_str().unwrap().to_owned();
    for kind in ["class_enrolled", "assessed_competent", "certified"] {
        let res = app
            .post_json(
                &format!("/api/v1/enrolments/{no}/events"),
                &json!({"kind": kind, "occurred_on": "2025-02-01"}),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    }
    let res = app
        .post_json(
            &format!("/api/v1/enrolments/{no}/placements"),
            &json!({"outcome": "hired", "employer": "PT Hapus", "placed_on": "2025-03-01"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let before = placement_figures(&app).await;

    // A manpower officer may not erase; the reason is required.
    let officer = app
        .user("sudin.jakpus", "manpower_officer", Some("31.71"))
        .await;
    let refused = app
        .as_(&officer)
        .post_json(
            &format!("/api/v1/enrolments/{no}/erase"),
            &json!({"reason": "permintaan"}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text());
    let bad = app
        .post_json(&format!("/api/v1/enrolments/{no}/erase"), &json!({}))
        .await;
    assert_eq!(
        bad.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        bad.text()
    );

    let res = app
        .post_json(
            &format!("/api/v1/enrolments/{no}/erase"),
            &json!({"reason": "permintaan peserta 2026-11-20"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let e = res.json();
    assert!(e["erased_at"].is_string(), "{e}");
    assert_eq!(e["full_name"], "");
    assert_eq!(e["nik"], "");
    assert!(e["phone"].is_null() && e["address"].is_null(), "{e}");
    assert_eq!(e["status"], "withdrawn");
    let again = app
        .post_json(
            &format!("/api/v1/enrolments/{no}/erase"),
            &json!({"reason": "sekali lagi"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(again.error_code(), "already_erased", "{}", again.text());

    // Nothing personal is left in the people table; the figures are the same.
    let erased = count(
        &app,
        "SELECT COUNT(*) FROM people WHERE erased_at IS NOT NULL AND nik_hash IS NULL \
         AND nik_cipher IS NULL AND full_name IS NULL AND birth_date IS NULL",
    )
    .await;
    assert_eq!(erased, 1);
    assert_eq!(placement_figures(&app).await, before);
    // The Jakpreneur member keeps its own record.
    let member = app
        .get(&format!("/api/v1/members/{member_no}"))
        .await
        .json();
    assert_eq!(member["full_name"], m["full_name"]);
    // The trainee's page says so, without a name or birth date.
    let page = app.get(&format!("/pelatihan-kerja/{no}")).await.text();
    assert!(page.contains("(data pribadi dihapus)"), "{page}");
    assert!(!page.contains(m["full_name"].as_str().unwrap()), "{page}");
    // The NIK is forgotten: enrolled again it is a new person with a new number.
    let res = app
        .post_json("/api/v1/programmes/pelatihan_kerja/enrolments", &body)
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_ne!(res.json()["enrolment_no"], json!(no));
    assert!(
        audit_actions(&app, &no)
            .await
            .contains(&"trainee.erase".to_owned())
    );
}

/// A count straight from the database, behind the product's back.
async fn count(app: &TestApp, sql: &'static str) -> i64 {
    use sqlx::Connection;
    if app.db_url.starts_with("postgres") {
        let mut c = sqlx::PgConnection::connect(&app.db_url).await.unwrap();
        sqlx::query_scalar(sql).fetch_one(&mut c).await.unwrap()
    } else {
        let url = format!("sqlite:{}", app.db_url);
        let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query_scalar(sql).fetch_one(&mut c).await.unwrap()
    }
}

async fn placement_figures(app: &TestApp) -> serde_json::Value {
    app.get("/api/v1/stats/placement?as_of=2025-12-31")
        .await
        .json()
}
