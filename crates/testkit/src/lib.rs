//! `TestApp`: a fresh database per test on each backend (a temporary SQLite file, or a
//! scratch database on the PostgreSQL server named by `JAKPRENEUR_TEST_PG`, dropped when
//! the test ends), the router over it with a pinned date, typed request helpers, and
//! builders for valid members.

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use chrono::NaiveDate;
use jakpreneur_core::Actor;
use jakpreneur_core::demo::DemoGenerator;
use jakpreneur_store::{
    AccountPolicy, ConnectOptions, DataKey, LoginStep, NewUser, Store, StoreError, scratch,
};
use jakpreneur_web::security::RateLimits;
use jakpreneur_web::{AppState, Clock, SecuritySettings, build_router};
use serde_json::{Value, json};
use tower::ServiceExt;

/// The date every test app believes is today.
pub const TODAY: (i32, u32, u32) = (2026, 11, 23);

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(TODAY.0, TODAY.1, TODAY.2).unwrap_or_default()
}

/// The PostgreSQL server URL for tests, if configured.
pub fn pg_server() -> Option<String> {
    std::env::var("JAKPRENEUR_TEST_PG")
        .ok()
        .filter(|s| !s.trim().is_empty())
}

enum Guard {
    Sqlite(
        #[allow(dead_code, reason = "held for its Drop, which deletes the directory")]
        tempfile::TempDir,
    ),
    Postgres {
        server: String,
        name: String,
        /// Holds the data key file.
        #[allow(dead_code, reason = "held for its Drop, which deletes the directory")]
        dir: tempfile::TempDir,
    },
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Guard::Postgres { server, name, .. } = self {
            let (server, name) = (server.clone(), name.clone());
            // Drop runs outside async; a short-lived runtime on its own thread does the I/O.
            let _ = std::thread::spawn(move || {
                if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    let _ = rt.block_on(scratch::drop_pg_database(&server, &name));
                }
            })
            .join();
        }
    }
}

pub struct TestApp {
    pub router: Router,
    pub store: Store,
    /// The URL of this test's database (for the CLI).
    pub db_url: String,
    /// The data key, and (SQLite) the key file beside the database, for the CLI.
    pub key: DataKey,
    pub key_file: std::path::PathBuf,
    /// The administrator `admin` every test app starts with.
    pub admin: Creds,
    /// The last authenticator step each account signed in with (a code works once).
    totp_steps: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, i64>>>,
    /// Requests made on the app itself (`app.get(…)`) go through this client, as `admin`.
    as_admin: Client,
    guard: Option<Guard>,
}

/// `app.get(…)`, `app.post_json(…)` and the other request methods of [`Client`] are made as
/// the administrator.
impl std::ops::Deref for TestApp {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.as_admin
    }
}

/// The password of every account tests create.
pub const TEST_PASSWORD: &str = "kopi-tubruk-pagi-hujan-Cempaka";
/// The financing partner that test partner accounts belong to.
pub const TEST_PARTNER: &str = "BANKUJI";
/// The authenticator key of every test account whose role requires two-step verification
/// (base32).
pub const TEST_TWO_FACTOR_KEY: &str = "KOPITUBRUKPAGIHUJANCEMPAKA234567";

/// The buying unit test buyer accounts belong to unless a test names another.
pub const TEST_UNIT: &str = "UJI";

/// A valid 4 × 3 PNG, for photo uploads.
pub const TINY_PNG: &[u8] = &[
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 4, 0, 0, 0, 3, 8, 2, 0,
    0, 0, 59, 150, 57, 145, 0, 0, 0, 39, 73, 68, 65, 84, 120, 156, 13, 199, 65, 1, 0, 48, 16, 194,
    176, 10, 67, 4, 114, 42, 7, 17, 39, 112, 203, 47, 128, 65, 241, 16, 106, 170, 245, 250, 51, 51,
    157, 55, 31, 220, 199, 13, 153, 129, 77, 219, 159, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96,
    130,
];

/// How a test client identifies itself: an API token for `/api/`, a session cookie and
/// its CSRF token for pages. Empty for the public.
#[derive(Debug, Clone, Default)]
pub struct Creds {
    pub username: String,
    pub token: Option<String>,
    pub session: Option<(String, String)>,
}

/// Cheap account hashing and generous rate limits: tests make many logins from one
/// (absent) address. Tests of the limits build their own settings.
pub fn test_settings() -> SecuritySettings {
    SecuritySettings {
        accounts: AccountPolicy::for_tests(),
        limits: RateLimits::new(100_000, 100_000),
        secure_cookies: false,
        public_stats_min_count: 5,
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Close the pool before the database is dropped or the directory removed.
        let store = self.store.clone();
        let _ = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                rt.block_on(store.close());
            }
        })
        .join();
        drop(self.guard.take());
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "response is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    /// Asserts the API error shape and returns `(code, field)`.
    pub fn error(&self) -> (String, Option<String>) {
        let v = self.json();
        let e = &v["error"];
        assert!(e["code"].is_string(), "no error.code in {v}");
        assert!(e["message"].is_string(), "no error.message in {v}");
        (
            e["code"].as_str().unwrap_or_default().to_owned(),
            e["field"].as_str().map(str::to_owned),
        )
    }

    /// The API error's code.
    pub fn error_code(&self) -> String {
        self.error().0
    }

    /// The field each entry of an API error's `details` names, in order.
    pub fn error_fields(&self) -> Vec<String> {
        self.json()["error"]["details"]
            .as_array()
            .unwrap_or_else(|| panic!("no error.details in {}", self.text()))
            .iter()
            .map(|d| d["field"].as_str().unwrap_or_default().to_owned())
            .collect()
    }
}

const FIXED_NOISE_KEY: &str = "INSERT INTO settings (name, value) VALUES ('stats_noise_key', \
     '7e57c0de7e57c0de7e57c0de7e57c0de7e57c0de7e57c0de7e57c0de7e57c0de') \
     ON CONFLICT (name) DO NOTHING";

async fn raw_sql_at(db_url: &str, sql: &str) {
    if db_url.starts_with("postgres") {
        run_raw_sql::<sqlx::PgConnection>(db_url, sql).await;
    } else {
        run_raw_sql::<sqlx::SqliteConnection>(&format!("sqlite:{db_url}"), sql).await;
    }
}

impl TestApp {
    async fn over(
        db_url: String,
        guard: Guard,
        key_file: std::path::PathBuf,
        settings: SecuritySettings,
    ) -> Self {
        let opts = ConnectOptions {
            max_connections: 16,
            ..ConnectOptions::default()
        };
        let store = Store::connect(&db_url, &opts)
            .await
            .expect("test database opens");
        store.migrate().await.expect("migrations apply");
        // A fixed noise key, so the open statistics' perturbed figures are the same on
        // every run and both backends (a real installation makes a random one).
        raw_sql_at(&db_url, FIXED_NOISE_KEY).await;
        let key = DataKey::load_or_create(&key_file).expect("key file").0;
        let media = key_file.with_extension("media");
        let store = store
            .attach_key(&key)
            .await
            .expect("data key attaches")
            .with_media(jakpreneur_store::media::Media::new(media));
        let router = build_router(AppState::new(
            store.clone(),
            Clock::Fixed(today()),
            settings,
        ));
        let mut app = Self {
            router: router.clone(),
            store,
            db_url,
            key,
            key_file,
            admin: Creds::default(),
            totp_steps: Default::default(),
            as_admin: Client {
                router,
                creds: Creds::default(),
            },
            guard: Some(guard),
        };
        app.admin = app.user("admin", "admin", None).await;
        app.as_admin.creds = app.admin.clone();
        app
    }

    pub async fn sqlite() -> Self {
        Self::sqlite_with(test_settings()).await
    }

    pub async fn sqlite_with(settings: SecuritySettings) -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = dir.path().join("test.db").display().to_string();
        let key_file = dir.path().join("jakpreneur.key");
        Self::over(url, Guard::Sqlite(dir), key_file, settings).await
    }

    /// A fresh database on the server in `JAKPRENEUR_TEST_PG`.
    pub async fn postgres() -> Self {
        Self::postgres_with(test_settings()).await
    }

    pub async fn postgres_with(settings: SecuritySettings) -> Self {
        let server = pg_server().expect("JAKPRENEUR_TEST_PG must hold a PostgreSQL server URL");
        let name = scratch::unique_name("jp_test");
        let url = scratch::create_pg_database(&server, &name)
            .await
            .expect("scratch PostgreSQL database");
        let dir = tempfile::tempdir().expect("temporary directory");
        let key_file = dir.path().join("jakpreneur.key");
        Self::over(
            url,
            Guard::Postgres { server, name, dir },
            key_file,
            settings,
        )
        .await
    }

    /// Creates an account (through the store, as the command line would), signs it in
    /// and gives it a token. `link` is `(member_no, nik)` for a member account.
    pub async fn user(&self, username: &str, role: &str, region: Option<&str>) -> Creds {
        self.user_linked(username, role, region, None).await
    }

    pub async fn user_linked(
        &self,
        username: &str,
        role: &str,
        region: Option<&str>,
        link: Option<(&str, &str)>,
    ) -> Creds {
        let seat = (role == "buyer").then_some((TEST_UNIT, "procurement_officer"));
        self.account(username, role, region, link, seat).await
    }

    /// A buyer account of `unit` (created with [`TestApp::unit`] first) with `buyer_role`.
    pub async fn buyer(&self, username: &str, unit: &str, buyer_role: &str) -> Creds {
        self.account(username, "buyer", None, None, Some((unit, buyer_role)))
            .await
    }

    /// A buying unit with this code (under `parent`, if given), in the province.
    pub async fn unit(&self, code: &str, parent: Option<&str>) {
        let u = jakpreneur_core::eorder::NewUnit::parse(&jakpreneur_core::eorder::UnitDraft {
            code: Some(code.into()),
            name: Some(format!("Unit {code}")),
            kind: Some("opd".into()),
            parent: parent.map(str::to_owned),
            region: Some("31".into()),
            address: Some("Jl. Medan Merdeka Selatan 8-9".into()),
            bank: Some("Bank DKI".into()),
            account_no: Some("1010000001".into()),
        })
        .expect("a valid test unit");
        match self.store.create_unit(&Actor::system("test"), &u).await {
            Ok(_) => {}
            Err(StoreError::Invalid(e)) if e.0[0].code == "unit_code_taken" => {}
            Err(e) => panic!("creating unit {code}: {e}"),
        }
    }

    async fn account(
        &self,
        username: &str,
        role: &str,
        region: Option<&str>,
        link: Option<(&str, &str)>,
        seat: Option<(&str, &str)>,
    ) -> Creds {
        if let Some((unit, _)) = seat
            && unit == TEST_UNIT
        {
            self.unit(TEST_UNIT, None).await;
        }
        let policy = AccountPolicy::for_tests();
        let cli = Actor::system("test");
        // A partner account belongs to a financing partner: the test bank.
        let partner = (role == "partner").then(|| TEST_PARTNER.to_owned());
        if partner.is_some() {
            match self
                .store
                .create_partner(
                    &cli,
                    &jakpreneur_store::Partner {
                        code: TEST_PARTNER.into(),
                        name: "Bank Uji".into(),
                        kind: "bank".into(),
                    },
                )
                .await
            {
                Ok(_) | Err(StoreError::Invalid(_)) => {}
                Err(e) => panic!("creating the test partner: {e}"),
            }
        }
        self.store
            .create_user(
                &cli,
                &NewUser {
                    username: username.into(),
                    role: role.into(),
                    region: region.map(str::to_owned),
                    member_no: link.map(|l| l.0.to_owned()),
                    nik: link.map(|l| l.1.to_owned()),
                    agency: None,
                    partner,
                    unit: seat.map(|s| s.0.to_owned()),
                    buyer_role: seat.map(|s| s.1.to_owned()),
                    password: TEST_PASSWORD.into(),
                },
                &policy,
            )
            .await
            .unwrap_or_else(|e| panic!("creating {username}: {e}"));
        if policy.requires_two_factor(jakpreneur_core::Role::parse("role", role).expect("a role")) {
            self.store
                .enrol_two_factor_unconfirmed(&cli, username, TEST_TWO_FACTOR_KEY)
                .await
                .unwrap_or_else(|e| panic!("two-step verification for {username}: {e}"));
        }
        let session = self.sign_in(username).await;
        let token = match self.store.create_token(&cli, username, "test").await {
            Ok((_, t)) => Some(t),
            Err(e) => panic!("token for {username}: {e}"),
        };
        Creds {
            username: username.into(),
            token,
            session: Some((session.token, session.csrf_token)),
        }
    }

    /// Signs `username` in with [`TEST_PASSWORD`] (and its second step, where the account
    /// has one): a new session.
    pub async fn sign_in(&self, username: &str) -> jakpreneur_store::Session {
        let policy = AccountPolicy::for_tests();
        match self
            .store
            .login(username, TEST_PASSWORD, None, &policy)
            .await
            .expect("test login")
        {
            LoginStep::Done(s) => s,
            LoginStep::SecondFactor { challenge } => {
                let code = self.next_totp(username).await;
                self.store
                    .complete_login(&challenge, &code, None, &policy)
                    .await
                    .expect("test login's second step")
            }
        }
    }

    /// A code of [`TEST_TWO_FACTOR_KEY`] that `username` has not used yet: of the current
    /// step, or the next (the server allows one step of drift) when the current one was
    /// used, waiting for the clock when three sign-ins of one account fall in one half
    /// minute.
    pub async fn next_totp(&self, username: &str) -> String {
        let now = || chrono::Utc::now().timestamp() / 30;
        let step = {
            let mut steps = self.totp_steps.lock().expect("steps lock");
            let last = steps.get(username).copied().unwrap_or(i64::MIN);
            let step = now().max(last.saturating_add(1));
            steps.insert(username.to_owned(), step);
            step
        };
        while step > now() + 1 {
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
        let at = chrono::DateTime::from_timestamp(step * 30, 0).expect("a time");
        jakpreneur_store::totp_code(TEST_TWO_FACTOR_KEY, at).expect("a code")
    }

    /// Requests as `creds` (the public when empty).
    pub fn as_(&self, creds: &Creds) -> Client {
        Client {
            router: self.router.clone(),
            creds: creds.clone(),
        }
    }

    pub fn anonymous(&self) -> Client {
        self.as_(&Creds::default())
    }

    /// Registers `member(i)` and returns the created record.
    pub async fn register(&self, i: u32) -> Value {
        let res = self.post_json("/api/v1/members", &member(i)).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        res.json()
    }

    /// Registers `member_in(i, village)` as registered on `registered_on` and returns its
    /// member number.
    pub async fn register_on(&self, i: u32, village: &str, registered_on: &str) -> String {
        let mut m = member_in(i, village);
        m["registered_on"] = json!(registered_on);
        let res = self.post_json("/api/v1/members", &m).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        res.json()["member_no"]
            .as_str()
            .expect("a member number")
            .to_owned()
    }

    /// A product of member `no` made from `product` (the API's product fields), taken
    /// through the whole chain to the e-order catalogue: a photo, the member's NIB and
    /// NPWP issued, a bank account, a call, the curation chain graded `A`, and the
    /// listing. Returns the product's id. Each member needs it only once for its permits.
    pub async fn listed_product(&self, no: &str, product: &Value) -> i64 {
        use jakpreneur_core::curation::{Action, CallDraft, GradeDraft, Grading, NewCall};
        use jakpreneur_core::{Actor, Role};
        let res = self
            .post_json(&format!("/api/v1/members/{no}/products"), product)
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        let id = res.json()["id"].as_i64().expect("a product id");
        let res = self
            .upload(
                &format!("/api/v1/products/{id}/photos"),
                "photo",
                "a.png",
                "image/png",
                TINY_PNG,
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        // Permit numbers are unique: make them the member's own.
        let digits: String = no.chars().filter(char::is_ascii_digit).collect();
        let tail = format!("{:0>10}", &digits[digits.len().saturating_sub(10)..]);
        let (nib, npwp) = (format!("912{tail}"), format!("01234{tail}"));
        for (kind, number) in [("nib", nib.as_str()), ("npwp", npwp.as_str())] {
            let have = self
                .get(&format!("/api/v1/members/{no}/permits"))
                .await
                .json();
            let issued = have["items"].as_array().is_some_and(|ps| {
                ps.iter()
                    .any(|p| p["type"] == kind && p["status"] == "issued")
            });
            if issued {
                continue;
            }
            let res = self
                .post_json(
                    &format!("/api/v1/members/{no}/permits"),
                    &json!({"type": kind, "applied_on": "2026-11-01"}),
                )
                .await;
            assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
            let pid = res.json()["id"].as_i64().expect("a permit id");
            let res = self
                .post_json(
                    &format!("/api/v1/members/{no}/permits/{pid}/decision"),
                    &json!({"decision": "issue", "number": number, "issued_on": "2026-11-05"}),
                )
                .await;
            assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        }
        let res = self
            .put_json(
                &format!("/api/v1/members/{no}/bank-account"),
                &json!({"bank": "Bank DKI", "account_name": "Usaha Uji", "account_no": "1234567890"}),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        let sys = Actor::system("test");
        let call = NewCall::parse(&CallDraft {
            title: Some(format!("Kurasi produk {id}")),
            opens_on: Some("2026-11-01".into()),
            closes_on: Some("2026-12-31".into()),
            places: Some("10".into()),
            ..Default::default()
        })
        .expect("a valid call");
        let call = self
            .store
            .create_call(&sys, &call, today())
            .await
            .expect("a call");
        let s = self
            .store
            .submit_to_call(&sys, call.id, id, today())
            .await
            .expect("submitted");
        let village = s.district_code.clone();
        let as_ = |role, region: &str| Actor::for_account(0, "uji", role, Some(region), None, None);
        let district = as_(Role::DistrictOfficer, &village);
        let city = as_(Role::CityOfficer, &village[..5]);
        for (who, action) in [
            (&district, Action::Verify),
            (&district, Action::Validate),
            (&city, Action::Forward),
        ] {
            self.store
                .curation_step(who, s.id, action, "", None, today())
                .await
                .expect("a curation step");
        }
        let g = Grading::parse(&GradeDraft {
            grade: Some("A".into()),
            taste: Some("5".into()),
            packaging: Some("5".into()),
            hygiene: Some("5".into()),
            halal: Some("5".into()),
            photos: Some("5".into()),
            note: Some("Layak jual".into()),
        })
        .expect("a grading");
        self.store
            .curation_step(
                &as_(Role::Curator, "31.01"),
                s.id,
                Action::Grade,
                "",
                Some(&g),
                today(),
            )
            .await
            .expect("graded");
        let res = self
            .post_json(&format!("/api/v1/products/{id}/listing"), &json!({}))
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        id
    }

    /// The facilities a member reached, each with the day it was first reached, as the
    /// API tells.
    pub async fn reached(&self, no: &str) -> BTreeMap<String, String> {
        let v = self.get(&format!("/api/v1/members/{no}/facilities")).await;
        v.json()["items"]
            .as_array()
            .unwrap_or_else(|| panic!("no facilities listed: {}", v.text()))
            .iter()
            .map(|r| {
                (
                    r["facility"].as_str().unwrap_or_default().to_owned(),
                    r["first_reached_on"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                )
            })
            .collect()
    }

    /// The member's ledger events as the API lists them (`items`, oldest first).
    pub async fn events(&self, no: &str) -> Value {
        self.get(&format!("/api/v1/members/{no}/events"))
            .await
            .json()
    }

    /// Runs SQL directly on this test's database, bypassing the product (to simulate damage).
    pub async fn raw_sql(&self, sql: &str) {
        raw_sql_at(&self.db_url, sql).await;
    }

    pub async fn count(&self) -> i64 {
        self.store.count_members().await.expect("count")
    }
}

async fn run_raw_sql<C>(url: &str, sql: &str)
where
    C: sqlx::Connection,
    for<'c> &'c mut C: sqlx::Executor<'c, Database = C::Database>,
{
    let mut c = C::connect(url).await.expect("raw connection");
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&mut c)
        .await
        .expect("raw SQL runs");
}

/// The `kind` of each event in an events listing ([`TestApp::events`]).
pub fn event_kinds(events: &Value) -> Vec<String> {
    events["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no events listed: {events}"))
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// A valid registration, different for each `i` (< 9999): realistic demo data with the
/// NIK serial set to `i + 1`, so NIKs never collide within a test.
pub fn member(i: u32) -> Value {
    assert!(i < 9999, "member builder index must be < 9999");
    let mut d = DemoGenerator::new(u64::from(i) + 1, today()).draft();
    let nik = d.nik.unwrap_or_default();
    d.nik = Some(format!("{}{:04}", &nik[..12], i + 1));
    serde_json::to_value(d).expect("a draft serializes")
}

/// A valid registration in a given village, with the NIK region digits to match.
pub fn member_in(i: u32, village_code: &str) -> Value {
    let mut m = member(i);
    let district: String = village_code[..8].replace('.', "");
    let nik = m["nik"].as_str().unwrap_or_default().to_owned();
    m["nik"] = json!(format!("{district}{}", &nik[6..]));
    m["village_code"] = json!(village_code);
    m
}

/// Requests made as one set of credentials.
pub struct Client {
    router: Router,
    pub creds: Creds,
}

impl Client {
    pub async fn send(&self, req: Request<Body>) -> TestResponse {
        let res = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("router answers");
        let status = res.status();
        let headers = res.headers().clone();
        let body = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .expect("body reads")
            .to_vec();
        TestResponse {
            status,
            headers,
            body,
        }
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> TestResponse {
        let mut b = Request::builder().method(method).uri(path);
        let given = |name: &str| headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name));
        if let (true, Some(t), false) = (
            path.starts_with("/api/"),
            &self.creds.token,
            given("authorization"),
        ) {
            b = b.header("authorization", format!("Bearer {t}"));
        }
        let session = (!path.starts_with("/api/"))
            .then_some(self.creds.session.as_ref())
            .flatten()
            .map(|(c, _)| format!("jp_session={c}"));
        let mut cookie_sent = false;
        for (k, v) in headers {
            if k.eq_ignore_ascii_case("cookie")
                && let Some(s) = &session
            {
                // The test's own cookies travel with the session's.
                b = b.header(*k, format!("{v}; {s}"));
                cookie_sent = true;
            } else {
                b = b.header(*k, *v);
            }
        }
        if let (Some(s), false) = (&session, cookie_sent) {
            b = b.header("cookie", s.as_str());
        }
        self.send(b.body(Body::from(body)).expect("request builds"))
            .await
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        self.request(Method::GET, path, &[], Vec::new()).await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> TestResponse {
        self.request(
            Method::POST,
            path,
            &[("content-type", "application/json")],
            body.to_string().into_bytes(),
        )
        .await
    }

    pub async fn put_json(&self, path: &str, body: &Value) -> TestResponse {
        self.request(
            Method::PUT,
            path,
            &[("content-type", "application/json")],
            body.to_string().into_bytes(),
        )
        .await
    }

    pub async fn delete(&self, path: &str) -> TestResponse {
        self.request(Method::DELETE, path, &[], Vec::new()).await
    }

    /// Uploads one file as `multipart/form-data` in the field `field`.
    pub async fn upload(
        &self,
        path: &str,
        field: &str,
        file_name: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> TestResponse {
        let boundary = "----jakpreneur-test-boundary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let ct = format!("multipart/form-data; boundary={boundary}");
        self.request(Method::POST, path, &[("content-type", &ct)], body)
            .await
    }

    /// Posts `multipart/form-data` with text fields and files (`(field, file name,
    /// content type, bytes)`).
    pub async fn multipart(
        &self,
        path: &str,
        texts: &[(&str, &str)],
        files: &[(&str, &str, &str, &[u8])],
    ) -> TestResponse {
        let boundary = "----jakpreneur-test-boundary";
        let mut body = Vec::new();
        for (name, value) in texts {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        for (name, file_name, content_type, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let ct = format!("multipart/form-data; boundary={boundary}");
        self.request(Method::POST, path, &[("content-type", &ct)], body)
            .await
    }

    pub async fn patch_json(
        &self,
        path: &str,
        body: &Value,
        if_match: Option<&str>,
    ) -> TestResponse {
        let mut h = vec![("content-type", "application/json")];
        if let Some(v) = if_match {
            h.push(("if-match", v));
        }
        self.request(Method::PATCH, path, &h, body.to_string().into_bytes())
            .await
    }

    /// Posts a form, with the session's CSRF token unless the pairs carry a `csrf`.
    pub async fn post_form(&self, path: &str, pairs: &[(&str, &str)]) -> TestResponse {
        let mut s = form_urlencoded::Serializer::new(String::new());
        if let (Some((_, csrf)), false) =
            (&self.creds.session, pairs.iter().any(|(k, _)| *k == "csrf"))
        {
            s.append_pair("csrf", csrf);
        }
        for (k, v) in pairs {
            s.append_pair(k, v);
        }
        let body = s.finish();
        self.request(
            Method::POST,
            path,
            &[(
                header::CONTENT_TYPE.as_str(),
                "application/x-www-form-urlencoded",
            )],
            body.into_bytes(),
        )
        .await
    }
}
