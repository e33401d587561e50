//! The real server loop over TCP: requests are answered, stalled clients are cut off.

use std::time::{Duration, Instant};

use jakpreneur_testkit::TestApp;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn read_all(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let mut buf = Vec::new();
    tokio::time::timeout(within, stream.read_to_end(&mut buf))
        .await
        .ok()?
        .ok()?;
    Some(String::from_utf8_lossy(&buf).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    let app = TestApp::sqlite().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(jakpreneur_web::serve_with(
        listener,
        app.router.clone(),
        async move {
            let _ = stopped.await;
        },
        Duration::from_millis(500),
    ));

    let mut ok = TcpStream::connect(addr).await.unwrap();
    ok.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let answer = read_all(&mut ok, Duration::from_secs(5))
        .await
        .expect("an answer");
    assert!(
        answer.starts_with("HTTP/1.1 200") && answer.ends_with("ok"),
        "{answer}"
    );

    let started = Instant::now();
    let mut stalled = TcpStream::connect(addr).await.unwrap();
    stalled
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n")
        .await
        .unwrap();
    let cut = read_all(&mut stalled, Duration::from_secs(10)).await;
    assert!(cut.is_some(), "the server closed the stalled connection");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "closed after the header timeout, not later"
    );

    let _ = stop.send(());
    server.await.unwrap().unwrap();
}

/// The first start on a database without accounts creates the administrator, prints its
/// generated password once, and that password signs in; the next start prints nothing.
#[test]
fn first_start_creates_an_administrator_and_prints_its_password_once() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("first.db");
    let start = || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_jakpreneur"))
            .arg("--db")
            .arg(&db)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env_remove("JAKPRENEUR_CONFIG")
            .env("JAKPRENEUR__SECURITY__ARGON2_MEMORY_KIB", "256")
            .env("JAKPRENEUR__SECURITY__ARGON2_ITERATIONS", "1")
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = Vec::new();
        for line in BufReader::new(child.stderr.take().unwrap()).lines() {
            let line = line.unwrap();
            let done = line.contains("serving on");
            lines.push(line);
            if done {
                break;
            }
        }
        child.kill().unwrap();
        child.wait().unwrap();
        lines
    };
    let first = start();
    let at = first
        .iter()
        .position(|l| l.contains("created the administrator \"admin\""))
        .unwrap_or_else(|| panic!("no administrator announced: {first:?}"));
    let password = first[at + 2].trim().to_owned();
    assert_eq!(password.len(), 24, "{first:?}");
    assert!(
        first.iter().any(|l| l.contains("Created the data key")),
        "the key file is made on first run: {first:?}"
    );
    let second = start();
    assert!(
        !second
            .iter()
            .any(|l| l.contains(&password) || l.contains("administrator")),
        "printed only once: {second:?}"
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store =
            jakpreneur_store::Store::connect(&db.display().to_string(), &Default::default())
                .await
                .unwrap();
        let policy = jakpreneur_store::AccountPolicy::for_tests();
        assert!(store.login("admin", &password, None, &policy).await.is_ok());
        store.close().await;
    });
}
