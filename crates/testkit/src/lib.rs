//! `TestApp`: a fresh database per test on each backend (a temporary SQLite file, or a
//! scratch database on the PostgreSQL server named by `JAKPRENEUR_TEST_PG`, dropped when
//! the test ends), the router over it with a pinned date, typed request helpers, and
//! builders for valid members.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use chrono::NaiveDate;
use jakpreneur_core::demo::DemoGenerator;
use jakpreneur_store::{ConnectOptions, Store, scratch};
use jakpreneur_web::{AppState, Clock, build_router};
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
    },
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Guard::Postgres { server, name } = self {
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
    guard: Option<Guard>,
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
}

impl TestApp {
    async fn over(db_url: String, guard: Guard) -> Self {
        let opts = ConnectOptions {
            max_connections: 16,
            ..ConnectOptions::default()
        };
        let store = Store::connect(&db_url, &opts)
            .await
            .expect("test database opens");
        store.migrate().await.expect("migrations apply");
        let router = build_router(AppState::new(store.clone(), Clock::Fixed(today())));
        Self {
            router,
            store,
            db_url,
            guard: Some(guard),
        }
    }

    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = dir.path().join("test.db").display().to_string();
        Self::over(url, Guard::Sqlite(dir)).await
    }

    /// A fresh database on the server in `JAKPRENEUR_TEST_PG`.
    pub async fn postgres() -> Self {
        let server = pg_server().expect("JAKPRENEUR_TEST_PG must hold a PostgreSQL server URL");
        let name = scratch::unique_name("jp_test");
        let url = scratch::create_pg_database(&server, &name)
            .await
            .expect("scratch PostgreSQL database");
        Self::over(url, Guard::Postgres { server, name }).await
    }

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
        for (k, v) in headers {
            b = b.header(*k, *v);
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

    pub async fn post_form(&self, path: &str, pairs: &[(&str, &str)]) -> TestResponse {
        let mut s = form_urlencoded::Serializer::new(String::new());
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

    /// Registers `member(i)` and returns the created record.
    pub async fn register(&self, i: u32) -> Value {
        let res = self.post_json("/api/v1/members", &member(i)).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        res.json()
    }

    /// Runs SQL directly on this test's database, bypassing the product (to simulate damage).
    pub async fn raw_sql(&self, sql: &str) {
        use sqlx::Connection;
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        if self.db_url.starts_with("postgres") {
            let mut c = sqlx::PgConnection::connect(&self.db_url)
                .await
                .expect("raw connection");
            sqlx::raw_sql(sql)
                .execute(&mut c)
                .await
                .expect("raw SQL runs");
        } else {
            let mut c = sqlx::SqliteConnection::connect(&format!("sqlite:{}", self.db_url))
                .await
                .expect("raw connection");
            sqlx::raw_sql(sql)
                .execute(&mut c)
                .await
                .expect("raw SQL runs");
        }
    }

    pub async fn count(&self) -> i64 {
        self.store.count_members().await.expect("count")
    }
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
