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
