//! The `jakpreneur` binary as a script would use it, against the test's database.

use std::process::Output;

use jakpreneur_testkit::{TestApp, member};

use crate::support::jakpreneur;

on_both_backends!(
    member_commands_register_show_and_list,
    cli_errors_are_one_line_with_nonzero_exit,
    event_commands_record_list_and_void,
    partner_commands_add_list_and_refuse,
    catalogue_commands_list_show_and_open_calls,
    eorder_commands_add_units_buyers_and_list_orders
);

async fn catalogue_commands_list_show_and_open_calls(app: TestApp) {
    let no = app.register_on(1, "31.71.01.1001", "2025-01-10").await;
    let made = app
        .post_json(
            &format!("/api/v1/members/{no}/products"),
            &serde_json::json!({"name": "Nasi Kotak Betawi", "category": "catering", "unit": "kotak", "price": 35000}),
        )
        .await;
    let id = made.json()["id"].as_i64().unwrap().to_string();
    let list = stdout(&run(&app, &format!("product list --member {no}")));
    assert!(
        list.lines().any(|l| l.contains(&no)
            && l.contains("Nasi Kotak Betawi")
            && l.contains("35000")
            && l.ends_with("unlisted")),
        "{list}"
    );
    let show = run(&app, &format!("product show {id}"));
    assert!(
        stdout(&show).contains("category                 catering"),
        "{}",
        stdout(&show)
    );
    let missing = run(&app, "product show 999999");
    assert!(!missing.status.success());
    assert!(
        stderr(&missing).contains("no product 999999"),
        "{}",
        stderr(&missing)
    );

    let add = jakpreneur(
        &app,
        &[
            "curation",
            "call",
            "add",
            "--title",
            "Kurasi Kuliner Jakarta Pusat",
            "--opens-on",
            "2026-11-01",
            "--closes-on",
            "2026-11-30",
            "--region",
            "31.71",
            "--places",
            "40",
            "--category",
            "catering",
            "--category",
            "snacks",
        ],
    );
    assert!(add.status.success(), "{}", stderr(&add));
    let call_id = stdout(&add).trim().to_owned();
    assert!(call_id.parse::<i64>().is_ok(), "{call_id}");
    let calls = stdout(&run(&app, "curation call list"));
    assert!(
        calls.contains("Kurasi Kuliner Jakarta Pusat") && calls.contains("31.71"),
        "{calls}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&run(&app, "curation call list --json"))).unwrap();
    assert_eq!(
        json[0]["categories"],
        serde_json::json!(["catering", "snacks"])
    );
    let bad = run(
        &app,
        "curation call add --title Ku --opens-on 2026-11-30 --closes-on 2026-11-01 --places 0 --category guns",
    );
    assert!(!bad.status.success());
    let e = stderr(&bad);
    for field in ["title", "closes_on", "categories", "places"] {
        assert!(e.contains(field), "{field} not named in: {e}");
    }
}

async fn partner_commands_add_list_and_refuse(app: TestApp) {
    let out = jakpreneur(
        &app,
        &[
            "partner", "add", "--code", "bankdki", "--name", "Bank DKI", "--kind", "bank",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "added BANKDKI (Bank DKI, bank)");
    let again = jakpreneur(
        &app,
        &[
            "partner", "add", "--code", "BANKDKI", "--name", "Bank DKI", "--kind", "bank",
        ],
    );
    assert!(!again.status.success());
    assert!(stderr(&again).contains("code"), "{}", stderr(&again));
    let bad = run(
        &app,
        "partner add --code X --name Pegadaian --kind pawnshop",
    );
    assert!(!bad.status.success());
    let e = stderr(&bad);
    assert!(e.contains("code") && e.contains("kind"), "{e}");
    let list = stdout(&jakpreneur(&app, &["partner", "list"]));
    assert!(
        list.lines()
            .any(|l| l.starts_with("BANKDKI") && l.contains("Bank DKI")),
        "{list}"
    );
}

async fn eorder_commands_add_units_buyers_and_list_orders(app: TestApp) {
    let out = jakpreneur(
        &app,
        &[
            "unit",
            "add",
            "--code",
            "dppkukm",
            "--name",
            "Dinas PPKUKM",
            "--kind",
            "opd",
            "--region",
            "31",
            "--address",
            "Jl. Perintis Kemerdekaan",
            "--bank",
            "Bank DKI",
            "--account-no",
            "101 234 5678",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "added DPPKUKM (Dinas PPKUKM, opd)");
    let child = jakpreneur(
        &app,
        &[
            "unit",
            "add",
            "--code",
            "SUDIN-JP",
            "--name",
            "Suku Dinas Jakarta Pusat",
            "--kind",
            "opd",
            "--parent",
            "DPPKUKM",
            "--region",
            "31.71",
            "--address",
            "Jl. Tanah Abang I",
            "--bank",
            "Bank DKI",
            "--account-no",
            "1019999",
        ],
    );
    assert!(child.status.success(), "{}", stderr(&child));
    // Refused input names each field, on one line, with a non-zero exit.
    let bad = run(
        &app,
        "unit add --code X --name Dinas --kind ministry --region 99 --address Jl --bank B --account-no 12",
    );
    assert!(!bad.status.success());
    let e = stderr(&bad);
    for field in ["code", "kind", "address", "bank", "account_no"] {
        assert!(e.contains(field), "{field}: {e}");
    }
    let orphan = run(
        &app,
        "unit add --code ANAK --name Unit-anak --kind bumd --parent NONE --region 31 --address Jl.Panjang-1 --bank Bank-DKI --account-no 1234567",
    );
    assert!(!orphan.status.success());
    assert!(stderr(&orphan).contains("parent"), "{}", stderr(&orphan));
    let list = stdout(&jakpreneur(&app, &["unit", "list"]));
    assert!(
        list.lines()
            .any(|l| l.starts_with("SUDIN-JP") && l.contains("DPPKUKM")),
        "{list}"
    );
    // A buyer account with its unit and role; a buyer without them is refused.
    let add = |name: &str, extra: &[&str]| {
        let mut args = vec!["user", "add", "--username", name, "--role", "buyer"];
        args.extend_from_slice(extra);
        args.push("--password-stdin");
        crate::auth::cli(&app, &args, "kata-sandi-pembeli-rahasia\n")
    };
    let ok = add("ppk.dppkukm", &["--unit", "dppkukm", "--buyer-role", "ppk"]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    let missing = add("tanpa.unit", &[]);
    assert!(!missing.status.success());
    let e = stderr(&missing);
    assert!(e.contains("unit") && e.contains("buyer_role"), "{e}");
    let wrong = add("salah", &["--unit", "NOPE", "--buyer-role", "boss"]);
    let e = stderr(&wrong);
    assert!(
        e.contains("unit_unknown") || e.contains("no buying unit"),
        "{e}"
    );
    assert!(e.contains("buyer_role"), "{e}");
    let empty = jakpreneur(&app, &["order", "list"]);
    assert!(empty.status.success(), "{}", stderr(&empty));
    assert!(stderr(&empty).contains("no orders"));
    let bad_state = jakpreneur(&app, &["order", "list", "--state", "lost"]);
    assert!(!bad_state.status.success());
    assert!(
        stderr(&bad_state).contains("state"),
        "{}",
        stderr(&bad_state)
    );
    let none = jakpreneur(&app, &["order", "show", "9999"]);
    assert!(!none.status.success());
    assert!(stderr(&none).contains("no order 9999"), "{}", stderr(&none));
}

/// Runs `jakpreneur` with a command line split at spaces (its arguments have none).
fn run(app: &TestApp, line: &str) -> Output {
    jakpreneur(app, &line.split_whitespace().collect::<Vec<_>>())
}

/// `jakpreneur event add` for member `no`: an event of `kind` on `on`, then `more`.
fn add_event(app: &TestApp, no: &str, kind: &str, on: &str, more: &[&str]) -> Output {
    let args = [
        "event",
        "add",
        "--member-no",
        no,
        "--kind",
        kind,
        "--occurred-on",
        on,
    ];
    jakpreneur(app, &[&args[..], more].concat())
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn add_args(m: &serde_json::Value) -> Vec<String> {
    let mut v = vec!["member".to_owned(), "add".to_owned()];
    for (k, val) in m.as_object().unwrap() {
        if let Some(s) = val.as_str() {
            v.push(format!("--{}", k.replace('_', "-")));
            v.push(s.to_owned());
        } else if val.as_bool() == Some(true) {
            v.push(format!("--{}", k.replace('_', "-")));
        }
    }
    v
}

async fn member_commands_register_show_and_list(app: TestApp) {
    let m = member(1);
    let args = add_args(&m);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = jakpreneur(&app, &refs);
    assert!(out.status.success(), "{}", stderr(&out));
    let no = stdout(&out).trim().to_owned();
    assert!(no.starts_with("JP-31"), "prints the member number: {no}");
    assert_eq!(app.count().await, 1, "the same database as the API");

    let out = jakpreneur(&app, &["member", "show", &no, "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let nik = m["nik"].as_str().unwrap();
    assert_eq!(
        shown["nik"],
        format!("{}**********{}", &nik[..4], &nik[14..])
    );

    let out = jakpreneur(
        &app,
        &["member", "list", "--region", "31", "--format", "json"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed["items"][0]["member_no"], no.as_str());

    let out = jakpreneur(&app, &["member", "list", "--format", "csv"]);
    assert!(stdout(&out).starts_with("member_no,registered_on"));
    assert!(stdout(&out).contains(&no));

    let out = jakpreneur(&app, &["demo", "--members", "30", "--seed", "9"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(app.count().await, 31);

    // Finding 8 of the security review: the CSV wrote a cell starting with `=` as it was,
    // a formula to Excel.
    let mut m = jakpreneur_testkit::member_in(41, "31.71.01.1001");
    m["business_name"] = serde_json::json!("=1+1 Warung");
    assert!(
        app.post_json("/api/v1/members", &m)
            .await
            .status
            .is_success()
    );
    let out = jakpreneur(&app, &["member", "list", "--format", "csv"]);
    assert!(stdout(&out).contains(",'=1+1 Warung,"), "{}", stdout(&out));

    let out = jakpreneur(&app, &["migrate"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

async fn cli_errors_are_one_line_with_nonzero_exit(app: TestApp) {
    let m = member(2);
    let args = add_args(&m);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    assert!(jakpreneur(&app, &refs).status.success());
    let again = jakpreneur(&app, &refs);
    assert!(!again.status.success());
    let err = stderr(&again);
    assert!(err.contains("already registered as JP-"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");

    let out = jakpreneur(&app, &["member", "add", "--nik", "123"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.starts_with("error: invalid member: nik:"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");

    let out = jakpreneur(&app, &["member", "show", "JP-0000-0000000"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("no member JP-0000-0000000"));

    let out = jakpreneur(&app, &["member", "list", "--limit", "0"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("limit"));
    assert_eq!(app.count().await, 1);
}

async fn event_commands_record_list_and_void(app: TestApp) {
    let mut m = member(3);
    m["registered_on"] = serde_json::json!("2021-01-04");
    let no = app.post_json("/api/v1/members", &m).await.json()["member_no"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = add_event(
        &app,
        &no,
        "training_completed",
        "2021-02-01",
        &["--reference", "SERT-01"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let id = stdout(&out).trim().to_owned();
    assert!(id.parse::<i64>().is_ok(), "prints the event id: {id}");
    let out = add_event(&app, &no, "bazaar", "2020-12-01", &[]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("occurred_on") && err.contains("before the member registered"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    let out = jakpreneur(
        &app,
        &["event", "void", &no, &id, "--reason", "wrong member"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = jakpreneur(
        &app,
        &["event", "void", &no, &id, "--reason", "wrong member"],
    );
    assert!(stderr(&out).contains("already been voided"));
    let list = stdout(&jakpreneur(&app, &["event", "list", &no]));
    assert!(
        list.contains("registered") && list.contains("VOID"),
        "{list}"
    );
}

on_both_backends!(report_commands_print_the_statistics);

async fn report_commands_print_the_statistics(app: TestApp) {
    let mut m = jakpreneur_testkit::member_in(40, "31.71.01.1001");
    m["registered_on"] = serde_json::json!("2022-03-01");
    let refs: Vec<String> = add_args(&m);
    let refs: Vec<&str> = refs.iter().map(String::as_str).collect();
    assert!(jakpreneur(&app, &refs).status.success());
    let out = run(&app, "report facilities --as-of 2023-01-01 --format csv");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("group,name,P1,P2,P3,P4,P5,P6,P7\r\ntotal,DKI Jakarta,1,0,0,0,0,0,0\r\n"),
        "{text}"
    );
    let out = run(
        &app,
        "report facilities --as-of 2022-02-28 --region 31.71 --format json",
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["counts"]["P1"], 0, "registered after the date");
    let out = run(&app, "report period --from 2022-01-01 --to 2022-12-31");
    let text = stdout(&out);
    assert!(text.starts_with("Period report 2022-01-01"), "{text}");
    let header = text.lines().nth(1).unwrap();
    assert!(
        header.starts_with("group") && header.contains("new_registrants"),
        "{text}"
    );
    let total = text.lines().nth(2).unwrap();
    assert!(
        total.starts_with("total") && total.contains("DKI Jakarta  1"),
        "{text}"
    );
    // Broken down, into a spreadsheet; and the summary, the cohorts.
    let xlsx = std::env::temp_dir().join(format!("jp-release-{}.xlsx", std::process::id()));
    let out = jakpreneur(
        &app,
        &[
            "report",
            "facilities",
            "--group-by",
            "district",
            "--region",
            "31.71",
            "--format",
            "xlsx",
            "--out",
            xlsx.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let bytes = std::fs::read(&xlsx).unwrap();
    assert!(bytes.starts_with(b"PK"), "an XLSX file is a zip archive");
    let _ = std::fs::remove_file(&xlsx);
    let out = jakpreneur(&app, &["report", "facilities", "--format", "xlsx"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--out"), "{}", stderr(&out));
    let out = run(&app, "report summary --as-of 2023-01-01 --format csv");
    assert!(
        stdout(&out).contains("registered_members,1\r\nactive_members,1\r\n"),
        "{}",
        stdout(&out)
    );
    let out = jakpreneur(
        &app,
        &[
            "report", "cohort", "--from", "2022-01", "--to", "2022-06", "--format", "json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["cohorts"][2]["cohort"], "2022-03");
    assert_eq!(v["cohorts"][2]["registrants"], 1);
    let out = jakpreneur(
        &app,
        &[
            "target",
            "add",
            "--indicator",
            "registered_members",
            "--value",
            "200000",
            "--deadline",
            "2022-12-31",
            "--source",
            "RPJMD 2017–2022",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = jakpreneur(&app, &["report", "targets", "--format", "csv"]);
    let text = stdout(&out);
    assert!(
        text.contains(",registered_members,DKI Jakarta,200000,,2022-12-31,RPJMD 2017–2022,1,"),
        "{text}"
    );
    let out = run(
        &app,
        "target add --indicator reached_p9 --value 1 --deadline 2022-12-31 --source x",
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("indicator"), "{}", stderr(&out));
    let out = jakpreneur(&app, &["stats", "verify"]);
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("every counter equals the recount"),
        "{}",
        stdout(&out)
    );
    let file = std::env::temp_dir().join(format!("jp-funnel-{}.json", std::process::id()));
    let out = jakpreneur(
        &app,
        &[
            "report",
            "funnel",
            "--format",
            "json",
            "--out",
            file.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(v["stages"][0]["share_of_registrants"], 1.0);
    let _ = std::fs::remove_file(&file);
    // Wrong input: one line naming the field, a non-zero exit.
    let out = run(&app, "report period --from 2022-13-01 --to 2022-01-01");
    assert!(!out.status.success());
    assert!(stderr(&out).contains("from"), "{}", stderr(&out));
    let out = jakpreneur(&app, &["report", "facilities", "--region", "31.99"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("region"), "{}", stderr(&out));
}

/// Finding 8 of the security review: the SQLite file was created world-readable (0644),
/// and so were the files the commands write. Now the database (SQLite gives its `-wal`
/// and `-shm` files the database's mode), the data key and an export are the owner's alone.
#[cfg(unix)]
#[test]
fn new_files_are_readable_by_their_owner_alone() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let (db, key) = (dir.path().join("baru.db"), dir.path().join("baru.key"));
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_jakpreneur"))
            .arg("--db")
            .arg(&db)
            .env_remove("JAKPRENEUR_CONFIG")
            .env("JAKPRENEUR__SECURITY__DATA_KEY_FILE", &key)
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    };
    run(&["migrate"]);
    run(&["demo", "--members", "20", "--seed", "3"]);
    let export = dir.path().join("anggota.csv");
    run(&["export", "members", export.to_str().unwrap()]);
    for path in [&db, &key, &export] {
        let mode = std::fs::metadata(path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{}", path.display());
    }
}

/// Finding 4 of the security review: log lines as JSON on request
/// (`JAKPRENEUR_LOG_FORMAT=json`), one object per line.
#[test]
fn logs_can_be_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_jakpreneur"))
        .arg("--db")
        .arg(dir.path().join("baru.db"))
        .env_remove("JAKPRENEUR_CONFIG")
        .env("JAKPRENEUR__SECURITY__DATA_KEY_FILE", dir.path().join("k"))
        .env("JAKPRENEUR_LOG_FORMAT", "json")
        .arg("migrate")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<serde_json::Value> = stderr(&out)
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    assert!(!lines.is_empty(), "{}", stderr(&out));
    assert!(
        lines
            .iter()
            .all(|l| l["level"].is_string() && l["timestamp"].is_string()),
        "{lines:?}"
    );
}

/// Operations (issue 16): a backup taken from a live SQLite database, restored under
/// another name, passes the audit check and the statistics recount; neither command
/// overwrites a file.
#[test]
fn a_backup_restores_and_checks_out() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("kunci.key");
    let run = |db: &std::path::Path, args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_jakpreneur"))
            .arg("--db")
            .arg(db)
            .env_remove("JAKPRENEUR_CONFIG")
            .env("JAKPRENEUR__SECURITY__DATA_KEY_FILE", &key)
            .args(args)
            .output()
            .unwrap()
    };
    let db = dir.path().join("utama.db");
    assert!(
        run(&db, &["demo", "--members", "60", "--seed", "5"])
            .status
            .success()
    );
    let copy = dir.path().join("cadangan.db");
    let copy_s = copy.to_str().unwrap();
    let out = run(&db, &["backup", copy_s]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&db, &["backup", copy_s]);
    assert!(!out.status.success(), "a backup never overwrites");
    assert!(stderr(&out).contains("exists already"), "{}", stderr(&out));

    let restored = dir.path().join("pulih.db");
    let out = run(&restored, &["restore", copy_s]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("audit log intact"), "{text}");
    assert!(text.contains("60 members"), "{text}");
    assert!(text.contains("every one equals the recount"), "{text}");
    let out = run(
        &restored,
        &["member", "list", "--format", "csv", "--limit", "500"],
    );
    assert_eq!(stdout(&out).lines().count(), 61, "{}", stderr(&out));
    let out = run(&restored, &["restore", copy_s]);
    assert!(!out.status.success(), "a restore never overwrites");
    let not_sqlite = dir.path().join("bukan.db");
    std::fs::write(&not_sqlite, "nik,full_name\n").unwrap();
    let out = run(
        &dir.path().join("lain.db"),
        &["restore", not_sqlite.to_str().unwrap()],
    );
    assert!(
        stderr(&out).contains("not a SQLite database"),
        "{}",
        stderr(&out)
    );
}

/// The documented PostgreSQL backup (docs/operations.md): `pg_dump` of a live database,
/// `pg_restore` into a new one, and there `audit verify` and `stats verify` pass and every
/// member is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(jp_pg),
    ignore = "PostgreSQL skipped: set JAKPRENEUR_TEST_PG=postgres://… to run"
)]
async fn a_postgres_dump_restores_and_checks_out() {
    use jakpreneur_store::scratch::{create_pg_database, drop_pg_database, unique_name};
    let app = TestApp::postgres().await;
    for i in 0..12 {
        app.register(i).await;
    }
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("jakpreneur.dump");
    let out = std::process::Command::new("pg_dump")
        .args(["--format=custom", "--file"])
        .arg(&dump)
        .arg(&app.db_url)
        .output()
        .expect("pg_dump runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let server = jakpreneur_testkit::pg_server().unwrap();
    let name = unique_name("jp_restored");
    let restored = create_pg_database(&server, &name).await.unwrap();
    let out = std::process::Command::new("pg_restore")
        .args(["--no-owner", "--dbname", &restored])
        .arg(&dump)
        .output()
        .expect("pg_restore runs");
    assert!(out.status.success(), "{}", stderr(&out));
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_jakpreneur"))
            .arg("--db")
            .arg(&restored)
            .env_remove("JAKPRENEUR_CONFIG")
            .env("JAKPRENEUR__SECURITY__DATA_KEY_FILE", &app.key_file)
            .args(args)
            .output()
            .unwrap()
    };
    for check in [["audit", "verify"], ["stats", "verify"]] {
        let out = run(&check);
        assert!(
            out.status.success(),
            "{check:?}: {}{}",
            stdout(&out),
            stderr(&out)
        );
    }
    let out = run(&["member", "list", "--format", "csv", "--limit", "500"]);
    assert_eq!(stdout(&out).lines().count(), 13, "{}", stderr(&out));
    drop_pg_database(&server, &name).await.unwrap();
}

/// `migrate-data` moves a SQLite installation into an empty PostgreSQL database: every
/// member, service, encrypted bank account, market and audit entry, checked by the audit
/// chain, the recount and every report compared; the copy takes new registrations after
/// the old numbers; a database that already holds data is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(jp_pg),
    ignore = "PostgreSQL skipped: set JAKPRENEUR_TEST_PG=postgres://… to run"
)]
async fn migrate_data_moves_sqlite_into_postgres_and_compares_every_report() {
    use jakpreneur_store::scratch::{create_pg_database, drop_pg_database, unique_name};
    use serde_json::json;
    let app = TestApp::sqlite().await;
    let mut numbers = Vec::new();
    for i in 0..8 {
        let m = app.register(i).await;
        numbers.push(m["member_no"].as_str().unwrap().to_owned());
    }
    let res = app
        .post_json(
            &format!("/api/v1/members/{}/events", numbers[0]),
            &json!({"kind": "training_completed", "occurred_on": "2026-11-01"}),
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text());
    let res = app
        .put_json(
            &format!("/api/v1/members/{}/bank-account", numbers[1]),
            &json!({"bank": "Bank DKI", "account_name": "Siti Rahma", "account_no": "1234 5678 90"}),
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text());
    let res = app
        .post_json(
            &format!("/api/v1/members/{}/withdraw", numbers[2]),
            &json!({"reason": "pindah domisili"}),
        )
        .await;
    assert!(res.status.is_success(), "{}", res.text());

    let server = jakpreneur_testkit::pg_server().unwrap();
    let name = unique_name("jp_moved");
    let pg = create_pg_database(&server, &name).await.unwrap();
    let moved = jakpreneur(&app, &["migrate-data", "--from", &app.db_url, "--to", &pg]);
    assert!(
        moved.status.success(),
        "{}{}",
        stdout(&moved),
        stderr(&moved)
    );
    let text = stdout(&moved);
    assert!(text.contains("audit log intact"), "{text}");
    assert!(text.contains("every counter equals the recount"), "{text}");
    assert!(
        text.contains("reports compared: every one is the same on both"),
        "{text}"
    );

    let on_pg = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_jakpreneur"))
            .arg("--db")
            .arg(&pg)
            .env_remove("JAKPRENEUR_CONFIG")
            .env("JAKPRENEUR__SECURITY__DATA_KEY_FILE", &app.key_file)
            .args(args)
            .output()
            .unwrap()
    };
    let out = on_pg(&["member", "list", "--format", "csv", "--limit", "500"]);
    assert_eq!(stdout(&out).lines().count(), 9, "{}", stderr(&out));
    // A new registration on PostgreSQL takes the next number of its city.
    let args = add_args(&member(50));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = on_pg(&refs);
    assert!(out.status.success(), "{}", stderr(&out));
    let new_no = stdout(&out).trim().to_owned();
    assert!(!numbers.contains(&new_no), "{new_no} was given before");
    // Again into the same database: refused, nothing changed.
    let again = jakpreneur(&app, &["migrate-data", "--from", &app.db_url, "--to", &pg]);
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("already holds"),
        "{}",
        stderr(&again)
    );
    drop_pg_database(&server, &name).await.unwrap();
}
