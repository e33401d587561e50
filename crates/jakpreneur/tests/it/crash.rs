//! Crash safety: the real server is killed with SIGKILL while clients register members
//! and record services. Every write it acknowledged is there after the restart, and
//! nothing it did not finish is half there: every member has its registration in the
//! ledger, the audit chain holds and every statistic equals its recount.

use std::collections::BTreeMap;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jakpreneur_testkit::{TestApp, event_kinds, member_in};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{command, jakpreneur};

on_both_backends!(acknowledged_writes_survive_a_kill);

/// One HTTP/1.1 request on a fresh connection: the status and the body, or `None` when
/// the server did not answer (it was killed, or not up yet).
async fn send(
    addr: &str,
    method: &str,
    path: &str,
    token: &str,
    body: Option<&Value>,
) -> Option<(u16, Value)> {
    let mut stream = TcpStream::connect(addr).await.ok()?;
    let body = body.map(Value::to_string).unwrap_or_default();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.ok()?;
    stream.write_all(body.as_bytes()).await.ok()?;
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut answer))
        .await
        .ok()?
        .ok()?;
    let text = String::from_utf8_lossy(&answer);
    let status = text.get(9..12)?.parse().ok()?;
    let json = text
        .split_once("\r\n\r\n")
        .and_then(|(_, b)| serde_json::from_str(b).ok())
        .unwrap_or(Value::Null);
    Some((status, json))
}

fn free_address() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().to_string()
}

/// The server process; killed with SIGKILL when dropped (a failed test leaves none).
struct Server(std::process::Child);

impl Server {
    /// SIGKILL, and wait for the process to be gone.
    fn kill(&mut self) {
        self.0.kill().expect("SIGKILL");
        self.0.wait().expect("the server is reaped");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `jakpreneur serve` on this test's database and waits until it is ready.
async fn start(app: &TestApp, addr: &str) -> Server {
    let child = command(app)
        .args(["serve", "--listen", addr])
        .env("JAKPRENEUR_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server starts");
    let server = Server(child);
    for _ in 0..300 {
        if let Some((200, _)) = send(addr, "GET", "/readyz", "-", None).await {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server was not ready within 30 s");
}

#[derive(Default)]
struct Acknowledged {
    /// Member number → the ids of the services acknowledged for it.
    members: BTreeMap<String, Vec<i64>>,
}

async fn acknowledged_writes_survive_a_kill(app: TestApp) {
    let token = app.admin.token.clone().expect("the admin's API token");
    let addr = free_address();
    let mut server = start(&app, &addr).await;

    let acked = Arc::new(Mutex::new(Acknowledged::default()));
    let mut clients = Vec::new();
    for client in 0..4u32 {
        let (addr, token, acked) = (addr.clone(), token.clone(), acked.clone());
        clients.push(tokio::spawn(async move {
            for n in 0..500u32 {
                let i = client * 500 + n;
                let village = ["31.71.01.1001", "31.72.03.1002", "31.74.05.1003"][i as usize % 3];
                let mut m = member_in(i, village);
                m["registered_on"] = json!("2023-01-10");
                let Some((status, body)) =
                    send(&addr, "POST", "/api/v1/members", &token, Some(&m)).await
                else {
                    return;
                };
                assert_eq!(status, 201, "{body}");
                let no = body["member_no"].as_str().unwrap().to_owned();
                acked.lock().unwrap().members.insert(no.clone(), Vec::new());
                let service = json!({"kind": "training_completed", "occurred_on": "2024-05-02"});
                let path = format!("/api/v1/members/{no}/events");
                let Some((status, body)) = send(&addr, "POST", &path, &token, Some(&service)).await
                else {
                    return;
                };
                assert_eq!(status, 201, "{body}");
                let id = body["id"].as_i64().expect("the service's id");
                acked.lock().unwrap().members.get_mut(&no).unwrap().push(id);
            }
        }));
    }
    // Kill it mid-stream, once it has acknowledged a good number of writes.
    for _ in 0..600 {
        if acked.lock().unwrap().members.len() >= 40 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.kill();
    for c in clients {
        c.await
            .expect("a client saw only acknowledged writes or a dead server");
    }
    let acked = std::mem::take(&mut acked.lock().unwrap().members);
    assert!(
        acked.len() >= 40,
        "{} registrations acknowledged",
        acked.len()
    );

    // After a restart, every acknowledged write is there.
    let mut server = start(&app, &addr).await;
    for (no, events) in &acked {
        let Some((200, listed)) = send(
            &addr,
            "GET",
            &format!("/api/v1/members/{no}/events"),
            &token,
            None,
        )
        .await
        else {
            panic!("acknowledged member {no} is missing");
        };
        let ids: Vec<i64> = listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["id"].as_i64())
            .collect();
        for id in events {
            assert!(
                ids.contains(id),
                "acknowledged service {id} of {no} is missing"
            );
        }
    }
    server.kill();

    // Nothing is half there: every member on file (acknowledged or not) has its
    // registration in the ledger; the audit chain and the statistics check out.
    let all = app.get("/api/v1/members?limit=500").await.json();
    let on_file = all["items"].as_array().unwrap();
    assert!(on_file.len() >= acked.len());
    for m in on_file {
        let no = m["member_no"].as_str().unwrap();
        let kinds = event_kinds(
            &app.get(&format!("/api/v1/members/{no}/events"))
                .await
                .json(),
        );
        assert!(kinds.contains(&"registered".to_owned()), "{no}: {kinds:?}");
    }
    for check in [["audit", "verify"], ["stats", "verify"]] {
        let out = jakpreneur(&app, &check);
        assert!(
            out.status.success(),
            "{check:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
