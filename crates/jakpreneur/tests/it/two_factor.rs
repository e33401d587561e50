//! Two-step verification as people meet it: an officer's second step at sign-in, codes
//! that work once, wrong codes that lock, an officer without an authenticator kept on the
//! enrolment page until it has one, recovery codes, an administrator's reset, and a
//! trainer who may turn it off.

use axum::http::StatusCode;
use jakpreneur_store::{AccountPolicy, NewUser};
use jakpreneur_testkit::{Creds, TEST_PASSWORD, TestApp};

use crate::auth::{challenge_of, cli, code_step, password_step};

on_both_backends!(
    officers_sign_in_with_a_code_that_works_once,
    wrong_codes_lock_the_account_like_wrong_passwords,
    an_officer_without_a_second_factor_enrols_before_anything_else,
    recovery_codes_work_once_and_an_administrator_can_reset,
    a_trainer_may_turn_it_off_and_an_officer_may_not,
);

/// The authenticator key an enrolment page shows as text (without its spaces).
fn key_in(html: &str) -> String {
    let at = html
        .find(r#"<code class="secret">"#)
        .expect("the key as text")
        + 21;
    html[at..]
        .chars()
        .take_while(|c| *c != '<')
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// The recovery codes a page shows (once).
fn recovery_codes_in(html: &str) -> Vec<String> {
    html.split("<li><code>")
        .skip(1)
        .map(|s| s.split('<').next().unwrap_or_default().to_owned())
        .collect()
}

/// The value of `name="csrf"` in the first form of a page.
fn csrf_in(html: &str) -> String {
    let at = html
        .find(r#"name="csrf" value=""#)
        .expect("a form with a CSRF token")
        + 19;
    html[at..at + 64].to_owned()
}

/// A browser's credentials after a form sign-in: the session cookie it was given and the
/// CSRF token of its forms.
async fn browser(app: &TestApp, res: &jakpreneur_testkit::TestResponse, username: &str) -> Creds {
    let token = crate::auth::set_cookie_value(res, "jp_session").expect("a session cookie");
    let mut creds = Creds {
        username: username.into(),
        token: None,
        session: Some((token, String::new())),
    };
    let page = app.as_(&creds).get("/account/two-factor").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    creds.session.as_mut().unwrap().1 = csrf_in(&page.text());
    creds
}

async fn officers_sign_in_with_a_code_that_works_once(app: TestApp) {
    app.user("gambir", "district_officer", Some("31.71.01"))
        .await;
    // The right password alone opens no session: it leads to the second step.
    let first = password_step(&app, "gambir", TEST_PASSWORD, "/members").await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    assert_eq!(
        first.header("location").as_deref(),
        Some("/login/code?next=%2Fmembers")
    );
    assert_eq!(crate::auth::set_cookie_value(&first, "jp_session"), None);
    let challenge = challenge_of(&first).expect("the sign-in's challenge in a cookie");
    let form = app
        .anonymous()
        .request(
            axum::http::Method::GET,
            "/login/code?next=%2Fmembers",
            &[("cookie", &format!("jp_2fa={challenge}"))],
            Vec::new(),
        )
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.text().contains(r#"autocomplete="one-time-code""#));
    // Without a sign-in under way, the second step sends the browser to the first.
    let none = app.anonymous().get("/login/code").await;
    assert_eq!(none.header("location").as_deref(), Some("/login"));

    // A wrong code: 422 with the reason, no session, on record as a security event.
    let right = app.next_totp("gambir").await;
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    let res = code_step(&app, &challenge, wrong, "/members").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("sudah dipakai"), "{}", res.text());
    assert_eq!(crate::auth::set_cookie_value(&res, "jp_session"), None);
    let log = app
        .get("/api/v1/audit?action=security.second_factor_failed")
        .await
        .json();
    assert_eq!(log["items"][0]["record_id"], "gambir");
    // Malformed is named as such and does not count.
    let res = code_step(&app, &challenge, "12ab", "/members").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("enam angka"), "{}", res.text());

    // The right code signs in and goes on.
    let res = code_step(&app, &challenge, &right, "/members").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    assert_eq!(res.header("location").as_deref(), Some("/members"));
    let officer = browser(&app, &res, "gambir").await;
    assert_eq!(
        app.as_(&officer).get("/members").await.status,
        StatusCode::OK
    );
    // The challenge is spent.
    let again = code_step(&app, &challenge, &right, "/members").await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        again.text().contains("Proses masuk ini"),
        "{}",
        again.text()
    );

    // The same code at a new sign-in is refused: a code works once.
    let first = password_step(&app, "gambir", TEST_PASSWORD, "/").await;
    let challenge = challenge_of(&first).unwrap();
    let res = code_step(&app, &challenge, &right, "/").await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a replayed code"
    );
    // The next code does.
    let next = app.next_totp("gambir").await;
    let res = code_step(&app, &challenge, &next, "/").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
}

async fn wrong_codes_lock_the_account_like_wrong_passwords(app: TestApp) {
    app.user("jakpus", "city_officer", Some("31.71")).await;
    let first = password_step(&app, "jakpus", TEST_PASSWORD, "/").await;
    let challenge = challenge_of(&first).unwrap();
    let right = app.next_totp("jakpus").await;
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    let max = AccountPolicy::for_tests().max_failed_logins;
    for _ in 0..max {
        let res = code_step(&app, &challenge, wrong, "/").await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let locks = app.get("/api/v1/audit?action=user.lock").await.json();
    assert_eq!(locks["items"][0]["record_id"], "jakpus");
    // Locked: the right password gets nowhere, the right code neither.
    let res = password_step(&app, "jakpus", TEST_PASSWORD, "/").await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    let res = code_step(&app, &challenge, &right, "/").await;
    assert_ne!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(crate::auth::set_cookie_value(&res, "jp_session"), None);
}

async fn an_officer_without_a_second_factor_enrols_before_anything_else(app: TestApp) {
    // An officer made without an authenticator (as every account made before this
    // feature): the password opens a session that can only enrol.
    app.store
        .create_user(
            &jakpreneur_core::Actor::system("test"),
            &NewUser {
                username: "kec.senen".into(),
                role: "district_officer".into(),
                region: Some("31.71.02".into()),
                member_no: None,
                nik: None,
                agency: None,
                partner: None,
                unit: None,
                buyer_role: None,
                password: TEST_PASSWORD.into(),
            },
            &AccountPolicy::for_tests(),
        )
        .await
        .unwrap();
    let res = password_step(&app, "kec.senen", TEST_PASSWORD, "/members").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        res.header("location").as_deref(),
        Some("/account/two-factor")
    );
    let officer = browser(&app, &res, "kec.senen").await;
    let c = app.as_(&officer);
    for path in ["/members", "/", "/account", "/statistik/target"] {
        let res = c.get(path).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(
            res.header("location").as_deref(),
            Some("/account/two-factor")
        );
    }
    let res = c.post_form("/members", &[("name", "x")]).await;
    assert_eq!(
        res.header("location").as_deref(),
        Some("/account/two-factor")
    );
    let page = c.get("/account/two-factor").await.text();
    assert!(
        page.contains("wajib memakai verifikasi dua langkah"),
        "{page}"
    );

    // Start: a QR code and the key as text.
    let res = c.post_form("/account/two-factor/start", &[]).await;
    assert_eq!(res.status, StatusCode::OK);
    let html = res.text();
    assert!(html.contains("<svg role=\"img\""), "a QR code");
    let key = key_in(&html);
    assert_eq!(key.len(), 32, "{key}");
    // A wrong code: 422 under the field; the key is still being added.
    let res = c
        .post_form("/account/two-factor/confirm", &[("code", "12345")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains(r#"class="field-error""#));
    let code = jakpreneur_store::totp_code(&key, chrono::Utc::now()).unwrap();
    let res = c
        .post_form("/account/two-factor/confirm", &[("code", &code)])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let html = res.text();
    let codes = recovery_codes_in(&html);
    assert_eq!(codes.len(), 10, "ten recovery codes shown once");
    assert_eq!(res.header("cache-control").as_deref(), Some("no-store"));
    // Now the officer's pages open.
    assert_eq!(c.get("/members").await.status, StatusCode::OK);
    let log = app
        .get("/api/v1/audit?action=user.two_factor_enable")
        .await
        .json();
    assert!(
        log["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["record_id"] == "kec.senen")
    );
    // The key is not in the database as written: it is encrypted with the data key.
    let stored = app
        .store
        .list_users(&jakpreneur_core::Actor::system("t"))
        .await
        .unwrap();
    assert!(
        stored
            .iter()
            .any(|u| u.username == "kec.senen" && u.totp_enabled_at.is_some())
    );
}

async fn recovery_codes_work_once_and_an_administrator_can_reset(app: TestApp) {
    app.user("provinsi", "province_officer", Some("31")).await;
    // Recovery codes are made with a code from the app (the test key).
    let officer = app
        .user("gambir", "district_officer", Some("31.71.01"))
        .await;
    // The officer has an e-mail address: each change to its sign-in is told there.
    app.store
        .set_user_email(
            &jakpreneur_core::Actor::system("test"),
            "gambir",
            Some("camat.gambir@example.go.id"),
        )
        .await
        .unwrap();
    let code = app.next_totp("gambir").await;
    let res = app
        .as_(&officer)
        .post_form("/account/two-factor/recovery-codes", &[("code", &code)])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let codes = recovery_codes_in(&res.text());
    assert_eq!(codes.len(), 10);
    // One of them, typed in capitals, stands in for the app once.
    let first = password_step(&app, "gambir", TEST_PASSWORD, "/").await;
    let challenge = challenge_of(&first).unwrap();
    let res = code_step(&app, &challenge, &codes[3].to_uppercase(), "/").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let used = app
        .get("/api/v1/audit?action=user.recovery_code_used")
        .await
        .json();
    let after: serde_json::Value =
        serde_json::from_str(used["items"][0]["after"].as_str().unwrap()).unwrap();
    assert_eq!(after["left"], 9);
    let first = password_step(&app, "gambir", TEST_PASSWORD, "/").await;
    let challenge = challenge_of(&first).unwrap();
    let res = code_step(&app, &challenge, &codes[3], "/").await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a used recovery code"
    );
    // The account page counts what is left.
    let page = app.as_(&officer).get("/account/two-factor").await.text();
    assert!(page.contains("<dd>9</dd>"), "{page}");

    // The administrator removes it (lost phone and codes): the sessions end, the audit
    // log says who did it, and the next sign-in enrols again.
    let users = app.get("/admin/users").await.text();
    assert!(users.contains("/admin/users/gambir/two-factor-reset"));
    let res = app
        .post_form("/admin/users/gambir/two-factor-reset", &[])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let reset = app
        .get("/api/v1/audit?action=user.two_factor_reset")
        .await
        .json();
    assert_eq!(reset["items"][0]["record_id"], "gambir");
    assert_eq!(reset["items"][0]["actor"], "admin");
    let res = app.as_(&officer).get("/members").await;
    assert!(
        res.header("location")
            .is_some_and(|l| l.starts_with("/login")),
        "the officer's session ended"
    );
    let res = password_step(&app, "gambir", TEST_PASSWORD, "/").await;
    assert_eq!(
        res.header("location").as_deref(),
        Some("/account/two-factor")
    );
    // Three notices went to the officer's address, one for each change, in order.
    let notices: Vec<String> = app
        .store
        .pending_notifications(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|n| n.topic == "account.security")
        .map(|n| {
            assert_eq!(n.recipient, "user:gambir");
            n.body
        })
        .collect();
    assert_eq!(notices.len(), 3, "{notices:?}");
    assert!(
        notices[0].contains("Kode pemulihan baru dibuat"),
        "{}",
        notices[0]
    );
    assert!(notices[1].contains("tersisa 9"), "{}", notices[1]);
    assert!(
        notices[2].contains("Administrator menghapus"),
        "{}",
        notices[2]
    );
    assert_eq!(
        app.store
            .notification_addresses("user:gambir")
            .await
            .unwrap(),
        ["camat.gambir@example.go.id"]
    );
    // Another officer cannot reset anyone.
    let province = app.user("provinsi2", "province_officer", Some("31")).await;
    let res = app
        .as_(&province)
        .post_form("/admin/users/gambir/two-factor-reset", &[])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // The command line does the same for an operator.
    let out = cli(&app, &["user", "reset-two-factor", "provinsi"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = cli(&app, &["user", "reset-two-factor", "nobody-here"], "");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no account named"));
    let out = cli(&app, &["user", "list"], "");
    let list = String::from_utf8_lossy(&out.stdout);
    let line = list.lines().find(|l| l.starts_with("provinsi ")).unwrap();
    assert!(line.contains(" off "), "{line}");
    // An account without an address gets no notice (nothing to pile up in the outbox).
    let all = app.store.pending_notifications(100).await.unwrap();
    assert!(!all.iter().any(|n| n.recipient == "user:provinsi"));
}

async fn a_trainer_may_turn_it_off_and_an_officer_may_not(app: TestApp) {
    let trainer = app.user("pelatih", "trainer", Some("31.74")).await;
    let c = app.as_(&trainer);
    // A trainer signs in with the password alone, and may add an authenticator.
    let page = c.get("/account/two-factor").await.text();
    assert!(page.contains("boleh dimatikan"), "{page}");
    let html = c.post_form("/account/two-factor/start", &[]).await.text();
    let key = key_in(&html);
    let now = chrono::Utc::now();
    let code = jakpreneur_store::totp_code(&key, now).unwrap();
    let res = c
        .post_form("/account/two-factor/confirm", &[("code", &code)])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    // From now on the trainer's sign-in takes two steps.
    let first = password_step(&app, "pelatih", TEST_PASSWORD, "/").await;
    assert!(challenge_of(&first).is_some());
    // Off, with the next code.
    let next = jakpreneur_store::totp_code(&key, now + chrono::Duration::seconds(30)).unwrap();
    let res = c
        .post_form("/account/two-factor/disable", &[("code", &next)])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let first = password_step(&app, "pelatih", TEST_PASSWORD, "/").await;
    assert_eq!(first.header("location").as_deref(), Some("/"));
    // An officer's is required: it cannot be turned off, even with a right code.
    let officer = app
        .user("gambir", "district_officer", Some("31.71.01"))
        .await;
    let code = app.next_totp("gambir").await;
    let res = app
        .as_(&officer)
        .post_form("/account/two-factor/disable", &[("code", &code)])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text().contains("tidak dapat dimatikan"),
        "{}",
        res.text()
    );
}
