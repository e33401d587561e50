//! e-order's access matrix: every e-order route × every role, including each buyer role
//! of the order's unit and a buyer of another unit, × an order whose supplier is inside
//! or outside the regional officers' region. Each case gets a fresh order in the state its
//! route acts on, so a refusal can only come from who is asking. Written by hand from the
//! issue's rules; `access::every_route_has_an_entry` counts these routes as covered.

use std::sync::atomic::{AtomicU32, Ordering};

use axum::http::StatusCode;
use jakpreneur_testkit::{Creds, TINY_PNG, TestApp, member_in};
use serde_json::{Value, json};

on_both_backends!(eorder_route_role_matrix);

const IN_VILLAGE: &str = "31.71.01.1001"; // Gambir, Central Jakarta
const OUT_VILLAGE: &str = "31.74.02.1001"; // Setiabudi, South Jakarta
const UNIT: &str = "MATRIKS";
const A_PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// The routes this matrix covers.
pub const EORDER_ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/v1/buyer-units"),
    ("POST", "/api/v1/buyer-units"),
    ("GET", "/api/v1/packages"),
    ("POST", "/api/v1/packages"),
    ("GET", "/api/v1/packages/{id}"),
    ("POST", "/api/v1/packages/{id}/assign"),
    ("GET", "/api/v1/orders"),
    ("POST", "/api/v1/orders"),
    ("GET", "/api/v1/orders/{id}"),
    ("POST", "/api/v1/orders/{id}/{action}"),
    ("POST", "/api/v1/orders/{id}/payments"),
    ("POST", "/api/v1/orders/{id}/rating"),
    ("POST", "/api/v1/orders/{id}/complaints"),
    ("POST", "/api/v1/payments/{id}/approve"),
    ("GET", "/api/v1/payments/{id}/{document}"),
    ("GET", "/api/v1/complaints"),
    ("POST", "/api/v1/complaints/{id}/close"),
    ("GET", "/api/v1/stats/e-order"),
    ("GET", "/api/v1/ocds/releases"),
    ("GET", "/api/v1/ocds/records/{ocid}"),
    ("GET", "/orders"),
    ("GET", "/orders/{id}"),
    ("POST", "/orders/{id}/{action}"),
    ("POST", "/orders/{id}/payments"),
    ("POST", "/payments/{id}/approve"),
    ("POST", "/complaints/{id}/close"),
    ("GET", "/packages"),
    ("POST", "/packages"),
    ("POST", "/packages/{id}/assign"),
    ("GET", "/belanja"),
    ("POST", "/belanja"),
    ("GET", "/statistik/e-order"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum R {
    Admin,
    Province,
    City,
    District,
    Trainer,
    Mentor,
    Curator,
    Partner,
    /// The member that sells in the "inside" order.
    Supplier,
    PaKpa,
    Ppk,
    Po,
    Treasurer,
    /// A procurement officer of another unit.
    OtherBuyer,
    Anonymous,
}
use R::*;

const ROLES: [R; 15] = [
    Admin, Province, City, District, Trainer, Mentor, Curator, Partner, Supplier, PaKpa, Ppk, Po,
    Treasurer, OtherBuyer, Anonymous,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    Ok,
    NotFound,
    Forbidden,
    SignIn,
}
use Want::*;

fn unit_buyer(r: R) -> bool {
    matches!(r, PaKpa | Ppk | Po | Treasurer)
}

/// Who may read an order whose supplier is inside (Gambir) or outside (Setiabudi).
fn reads(r: R, inside: bool) -> bool {
    match r {
        Admin | Province => true,
        City | District | Supplier => inside,
        r => unit_buyer(r),
    }
}

/// An action on one order that `allowed` may take: others who can read it are refused
/// (403), the rest find nothing (404).
fn act(r: R, inside: bool, allowed: fn(R) -> bool) -> Want {
    match r {
        Anonymous => SignIn,
        r if reads(r, inside) && allowed(r) => Ok,
        r if reads(r, inside) => Forbidden,
        _ => NotFound,
    }
}

fn want(method: &str, path: &str, action: &str, r: R, inside: bool) -> Want {
    // Open contracting data is open to anyone.
    if path.starts_with("/api/v1/ocds/") || path == "/statistik/e-order" {
        return Ok;
    }
    if r == Anonymous {
        // Pages: a read sends the public to the login form; a form without a session's
        // CSRF token is refused.
        return if path.starts_with("/api/") || method == "GET" {
            SignIn
        } else {
            Forbidden
        };
    }
    let yes = |ok: bool| if ok { Ok } else { Forbidden };
    // A page answers as its API does.
    let path = match path {
        "/orders" => "/api/v1/orders",
        "/orders/{id}" => "/api/v1/orders/{id}",
        "/orders/{id}/{action}" => "/api/v1/orders/{id}/{action}",
        "/orders/{id}/payments" => "/api/v1/orders/{id}/payments",
        "/payments/{id}/approve" => "/api/v1/payments/{id}/approve",
        "/complaints/{id}/close" => "/api/v1/complaints/{id}/close",
        "/packages" if method == "GET" => "/api/v1/packages",
        "/packages" => "/api/v1/packages",
        "/packages/{id}/assign" => "/api/v1/packages/{id}/assign",
        "/belanja" if method == "POST" => "/api/v1/orders",
        // The cart: a procurement officer's.
        "/belanja" => return yes(matches!(r, Po | OtherBuyer)),
        p => p,
    };
    match (method, path) {
        // Aggregates without personal data, as open contracting publishes them.
        ("GET", "/api/v1/buyer-units") | ("GET", "/api/v1/stats/e-order") => Ok,
        ("POST", "/api/v1/buyer-units") => yes(r == Admin),
        ("GET", "/api/v1/packages") => yes(r == Admin || unit_buyer(r) || r == OtherBuyer),
        // An administrator names the unit; a PA/KPA creates in its own.
        ("POST", "/api/v1/packages") => yes(matches!(r, Admin | PaKpa)),
        ("GET", "/api/v1/packages/{id}") => match r {
            Admin => Ok,
            r if unit_buyer(r) => Ok,
            _ => NotFound,
        },
        // A fresh package: its PA/KPA assigns it; its PPK has nothing assigned yet.
        ("POST", "/api/v1/packages/{id}/assign") => match r {
            PaKpa => Ok,
            OtherBuyer => NotFound,
            _ => Forbidden,
        },
        ("GET", "/api/v1/orders") => yes(!matches!(r, Trainer | Mentor | Curator | Partner)),
        // A buyer of another unit names a package its unit does not have: 422
        // `package_unknown`, a refusal on content.
        ("POST", "/api/v1/orders") => yes(matches!(r, Po | OtherBuyer)),
        ("GET", "/api/v1/orders/{id}") => {
            if reads(r, inside) {
                Ok
            } else {
                NotFound
            }
        }
        ("POST", "/api/v1/orders/{id}/{action}") => match action {
            "accept" | "decline" | "ship" => act(r, inside, |r| r == Supplier),
            "cancel" => act(r, inside, |r| matches!(r, Po | Ppk)),
            "receive" => act(r, inside, |r| r == Ppk),
            other => panic!("no rule for {other}"),
        },
        ("POST", "/api/v1/orders/{id}/payments") => act(r, inside, |r| r == Treasurer),
        ("POST", "/api/v1/payments/{id}/approve") => act(r, inside, |r| r == PaKpa),
        ("GET", "/api/v1/payments/{id}/{document}") => {
            if reads(r, inside) {
                Ok
            } else {
                NotFound
            }
        }
        ("POST", "/api/v1/orders/{id}/rating") | ("POST", "/api/v1/orders/{id}/complaints") => {
            act(r, inside, unit_buyer)
        }
        ("GET", "/api/v1/complaints") => yes(matches!(r, Admin | Province | City | District)),
        ("POST", "/api/v1/complaints/{id}/close") => match r {
            Admin | Province => Ok,
            City | District if inside => Ok,
            City | District => NotFound,
            _ => Forbidden,
        },
        _ => panic!("no e-order access rule for {method} {path}"),
    }
}

struct World {
    creds: Vec<(R, Creds)>,
    suppliers: [String; 2],
    products: [i64; 2],
    package: i64,
    next: AtomicU32,
}

impl World {
    fn creds(&self, r: R) -> Creds {
        self.creds
            .iter()
            .find(|(x, _)| *x == r)
            .map(|(_, c)| c.clone())
            .unwrap_or_default()
    }
}

async fn world(app: &TestApp) -> World {
    app.unit(UNIT, None).await;
    app.unit("LAIN", None).await;
    let mut creds = vec![(Admin, app.admin.clone()), (Anonymous, Creds::default())];
    for (r, name, role, region) in [
        (Province, "provinsi", "province_officer", Some("31")),
        (City, "jakpus", "city_officer", Some("31.71")),
        (District, "gambir", "district_officer", Some("31.71.01")),
        (Trainer, "pelatih", "trainer", Some("31.71.01")),
        (Mentor, "mentor", "mentor", Some("31.71.01")),
        (Curator, "kurator", "curator", Some("31.71.01")),
        (Partner, "bank", "partner", None),
    ] {
        creds.push((r, app.user(name, role, region).await));
    }
    for (r, name, unit, role) in [
        (PaKpa, "m-pa", UNIT, "pa_kpa"),
        (Ppk, "m-ppk", UNIT, "ppk"),
        (Po, "m-po", UNIT, "procurement_officer"),
        (Treasurer, "m-bend", UNIT, "treasurer"),
        (OtherBuyer, "lain-po", "LAIN", "procurement_officer"),
    ] {
        creds.push((r, app.buyer(name, unit, role).await));
    }
    let mut suppliers = Vec::new();
    let mut products = Vec::new();
    for (i, village) in [(1, IN_VILLAGE), (2, OUT_VILLAGE)] {
        let m = member_in(900 + i, village);
        let res = app.post_json("/api/v1/members", &m).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        let no = res.json()["member_no"].as_str().unwrap().to_owned();
        if i == 1 {
            creds.push((
                Supplier,
                app.user_linked(
                    "penyedia",
                    "member",
                    None,
                    Some((&no, m["nik"].as_str().unwrap())),
                )
                .await,
            ));
        }
        let p = app
            .listed_product(
                &no,
                &json!({"name": "Nasi kotak", "category": "catering", "unit": "kotak",
                        "price": 10000, "lead_days": 1}),
            )
            .await;
        suppliers.push(no);
        products.push(p);
    }
    let w = World {
        creds,
        suppliers: [suppliers[0].clone(), suppliers[1].clone()],
        products: [products[0], products[1]],
        package: 0,
        next: AtomicU32::new(1),
    };
    let package = fresh_package(app, &w, true).await;
    World { package, ..w }
}

async fn ok(res: jakpreneur_testkit::TestResponse, what: &str) -> Value {
    assert!(
        res.status.is_success(),
        "{what}: {} {}",
        res.status,
        res.text()
    );
    res.json()
}

/// A package of the unit; assigned down to the procurement officer when `assigned`.
async fn fresh_package(app: &TestApp, w: &World, assigned: bool) -> i64 {
    let k = ok(
        app.as_(&w.creds(PaKpa))
            .post_json(
                "/api/v1/packages",
                &json!({"name": "Paket matriks", "budget_code": "5.1.02", "ceiling": 1_000_000_000_000i64,
                        "fiscal_year": 2026}),
            )
            .await,
        "package",
    )
    .await;
    let id = k["id"].as_i64().unwrap();
    if assigned {
        for (who, to) in [(PaKpa, Ppk), (Ppk, Po)] {
            ok(
                app.as_(&w.creds(who))
                    .post_json(
                        &format!("/api/v1/packages/{id}/assign"),
                        &json!({"user": w.creds(to).username}),
                    )
                    .await,
                "assign",
            )
            .await;
        }
    }
    id
}

/// A fresh order from the inside or outside supplier, moved to `state`.
async fn order_in(app: &TestApp, w: &World, inside: bool, state: &str) -> i64 {
    let side = usize::from(!inside);
    let o = ok(
        app.as_(&w.creds(Po))
            .post_json(
                "/api/v1/orders",
                &json!({"package_id": w.package,
                        "lines": [{"product_id": w.products[side], "quantity": 3}],
                        "delivery_address": "Balai Kota Jakarta", "needed_on": "2026-11-30"}),
            )
            .await,
        "order",
    )
    .await;
    let id = o["id"].as_i64().unwrap();
    // The supplier's own account exists for the inside one; the administrator cannot act
    // as a supplier, so the outside order moves through the store as its member.
    let supplier = if inside {
        Some(w.creds(Supplier))
    } else {
        None
    };
    let steps: &[&str] = match state {
        "submitted" => &[],
        "accepted" => &["accept"],
        "shipped" => &["accept", "ship"],
        _ => &["accept", "ship", "receive"],
    };
    for s in steps {
        let body = if *s == "receive" {
            json!({"bast_no": "BAST/M", "received_on": "2026-11-23"})
        } else {
            json!({})
        };
        let url = format!("/api/v1/orders/{id}/{s}");
        let res = match (*s, &supplier) {
            ("receive", _) => app.as_(&w.creds(Ppk)).post_json(&url, &body).await,
            (_, Some(c)) => app.as_(c).post_json(&url, &body).await,
            (_, None) => {
                let actor = jakpreneur_core::Actor::for_account(
                    0,
                    "penyedia-luar",
                    jakpreneur_core::Role::Member,
                    None,
                    Some(&w.suppliers[1]),
                    None,
                );
                let a = jakpreneur_core::eorder::OrderAction::parse(s).unwrap();
                app.store
                    .order_step(&actor, id, a, None, jakpreneur_testkit::today())
                    .await
                    .expect("the outside supplier's step");
                continue;
            }
        };
        ok(res, s).await;
    }
    id
}

async fn eorder_route_role_matrix(app: TestApp) {
    let w = world(&app).await;
    let mut failures = Vec::new();
    let mut cases = 0;
    for &(method, path) in EORDER_ROUTES {
        let actions: &[&str] = if path.ends_with("{action}") {
            &["accept", "decline", "cancel", "ship", "receive"]
        } else {
            &[""]
        };
        for &action in actions {
            for r in ROLES {
                for inside in [true, false] {
                    let expected = want(method, path, action, r, inside);
                    let c = app.as_(&w.creds(r));
                    let n = w.next.fetch_add(1, Ordering::Relaxed);
                    let res = match (method, path) {
                        ("POST", "/api/v1/buyer-units") => {
                            c.post_json(
                                path,
                                &json!({"code": format!("U{n}"), "name": "Unit matriks", "kind": "opd",
                                        "region": "31.71", "address": "Jl. Matriks 1",
                                        "bank": "Bank DKI", "account_no": "1234567"}),
                            )
                            .await
                        }
                        ("POST", "/api/v1/packages") => {
                            c.post_json(
                                path,
                                &json!({"unit": UNIT, "name": "Paket baru", "budget_code": "5.1",
                                        "ceiling": 1000000, "fiscal_year": 2026}),
                            )
                            .await
                        }
                        ("GET", "/api/v1/packages/{id}") => {
                            c.get(&format!("/api/v1/packages/{}", w.package)).await
                        }
                        ("POST", "/api/v1/packages/{id}/assign") => {
                            let k = fresh_package(&app, &w, false).await;
                            c.post_json(
                                &format!("/api/v1/packages/{k}/assign"),
                                &json!({"user": w.creds(Ppk).username}),
                            )
                            .await
                        }
                        ("POST", "/api/v1/orders") => {
                            c.post_json(
                                path,
                                &json!({"package_id": w.package,
                                        "lines": [{"product_id": w.products[0], "quantity": 1}],
                                        "delivery_address": "Balai Kota Jakarta",
                                        "needed_on": "2026-11-30"}),
                            )
                            .await
                        }
                        ("GET", "/api/v1/orders/{id}") => {
                            let id = order_in(&app, &w, inside, "submitted").await;
                            c.get(&format!("/api/v1/orders/{id}")).await
                        }
                        ("POST", "/api/v1/orders/{id}/{action}") => {
                            let state = match action {
                                "ship" => "accepted",
                                "receive" => "shipped",
                                _ => "submitted",
                            };
                            let id = order_in(&app, &w, inside, state).await;
                            c.post_json(
                                &format!("/api/v1/orders/{id}/{action}"),
                                &json!({"reason": "Kapasitas penuh", "bast_no": "BAST/X",
                                        "received_on": "2026-11-23"}),
                            )
                            .await
                        }
                        ("POST", "/api/v1/orders/{id}/payments") => {
                            let id = order_in(&app, &w, inside, "received").await;
                            c.post_json(
                                &format!("/api/v1/orders/{id}/payments"),
                                &json!({"method": "autodebit"}),
                            )
                            .await
                        }
                        ("POST", "/api/v1/payments/{id}/approve") => {
                            let id = order_in(&app, &w, inside, "received").await;
                            let p = ok(
                                app.as_(&w.creds(Treasurer))
                                    .post_json(
                                        &format!("/api/v1/orders/{id}/payments"),
                                        &json!({"method": "autodebit"}),
                                    )
                                    .await,
                                "autodebit",
                            )
                            .await;
                            c.post_json(
                                &format!("/api/v1/payments/{}/approve", p["id"]),
                                &json!({}),
                            )
                            .await
                        }
                        ("GET", "/api/v1/payments/{id}/{document}") => {
                            let id = order_in(&app, &w, inside, "received").await;
                            let p = ok(
                                app.as_(&w.creds(Treasurer))
                                    .multipart(
                                        &format!("/api/v1/orders/{id}/payments"),
                                        &[("method", "transfer")],
                                        &[
                                            ("proof", "a.pdf", "application/pdf", A_PDF),
                                            ("tax_slip", "b.png", "image/png", TINY_PNG),
                                        ],
                                    )
                                    .await,
                                "transfer",
                            )
                            .await;
                            c.get(&format!("/api/v1/payments/{}/tax_slip", p["id"])).await
                        }
                        ("POST", "/api/v1/orders/{id}/rating") => {
                            let id = order_in(&app, &w, inside, "received").await;
                            c.post_json(
                                &format!("/api/v1/orders/{id}/rating"),
                                &json!({"stars": 4}),
                            )
                            .await
                        }
                        ("POST", "/api/v1/orders/{id}/complaints") => {
                            let id = order_in(&app, &w, inside, "accepted").await;
                            c.post_json(
                                &format!("/api/v1/orders/{id}/complaints"),
                                &json!({"text": "Kemasan rusak"}),
                            )
                            .await
                        }
                        ("POST", "/api/v1/complaints/{id}/close") => {
                            let id = order_in(&app, &w, inside, "accepted").await;
                            let k = ok(
                                app.as_(&w.creds(Ppk))
                                    .post_json(
                                        &format!("/api/v1/orders/{id}/complaints"),
                                        &json!({"text": "Kemasan rusak"}),
                                    )
                                    .await,
                                "complaint",
                            )
                            .await;
                            c.post_json(
                                &format!("/api/v1/complaints/{}/close", k["id"]),
                                &json!({"outcome": "rejected", "note": "Tidak terbukti"}),
                            )
                            .await
                        }
                        ("GET", "/api/v1/ocds/records/{ocid}") => {
                            let id = order_in(&app, &w, inside, "accepted").await;
                            c.get(&format!("/api/v1/ocds/records/ocds-jkp000-eorder-{id}"))
                                .await
                        }
                        ("GET", "/orders/{id}") => {
                            let id = order_in(&app, &w, inside, "submitted").await;
                            c.get(&format!("/orders/{id}")).await
                        }
                        ("POST", "/orders/{id}/{action}") => {
                            let state = match action {
                                "ship" => "accepted",
                                "receive" => "shipped",
                                _ => "submitted",
                            };
                            let id = order_in(&app, &w, inside, state).await;
                            c.post_form(
                                &format!("/orders/{id}/{action}"),
                                &[
                                    ("reason", "Kapasitas penuh"),
                                    ("bast_no", "BAST/X"),
                                    ("received_on", "2026-11-23"),
                                    ("received_1", "3"),
                                ],
                            )
                            .await
                        }
                        ("POST", "/orders/{id}/payments") => {
                            let id = order_in(&app, &w, inside, "received").await;
                            c.post_form(
                                &format!("/orders/{id}/payments"),
                                &[("method", "autodebit")],
                            )
                            .await
                        }
                        ("POST", "/payments/{id}/approve") => {
                            let id = order_in(&app, &w, inside, "received").await;
                            let p = ok(
                                app.as_(&w.creds(Treasurer))
                                    .post_json(
                                        &format!("/api/v1/orders/{id}/payments"),
                                        &json!({"method": "autodebit"}),
                                    )
                                    .await,
                                "autodebit",
                            )
                            .await;
                            c.post_form(&format!("/payments/{}/approve", p["id"]), &[]).await
                        }
                        ("POST", "/complaints/{id}/close") => {
                            let id = order_in(&app, &w, inside, "accepted").await;
                            let k = ok(
                                app.as_(&w.creds(Ppk))
                                    .post_json(
                                        &format!("/api/v1/orders/{id}/complaints"),
                                        &json!({"text": "Kemasan rusak"}),
                                    )
                                    .await,
                                "complaint",
                            )
                            .await;
                            c.post_form(
                                &format!("/complaints/{}/close", k["id"]),
                                &[
                                    ("order_id", &id.to_string()),
                                    ("outcome", "rejected"),
                                    ("outcome_note", "Tidak terbukti"),
                                ],
                            )
                            .await
                        }
                        ("POST", "/packages") => {
                            c.post_form(
                                path,
                                &[
                                    ("name", "Paket halaman"),
                                    ("budget_code", "5.1"),
                                    ("ceiling", "1.000.000"),
                                    ("fiscal_year", "2026"),
                                ],
                            )
                            .await
                        }
                        ("POST", "/packages/{id}/assign") => {
                            let k = fresh_package(&app, &w, false).await;
                            c.post_form(
                                &format!("/packages/{k}/assign"),
                                &[("user", &w.creds(Ppk).username)],
                            )
                            .await
                        }
                        ("GET", "/belanja") => {
                            c.get(&format!("/belanja?supplier={}", w.suppliers[0])).await
                        }
                        ("POST", "/belanja") => {
                            c.post_form(
                                path,
                                &[
                                    ("supplier", &w.suppliers[0]),
                                    ("package_id", &w.package.to_string()),
                                    (&format!("qty_{}", w.products[0]), "1"),
                                    ("delivery_address", "Balai Kota Jakarta"),
                                    ("needed_on", "2026-11-30"),
                                ],
                            )
                            .await
                        }
                        _ => c.get(path).await,
                    };
                    let to_login = res
                        .header("location")
                        .is_some_and(|l| l.starts_with("/login"));
                    let got = match res.status.as_u16() {
                        401 => SignIn,
                        303 | 302 if to_login => SignIn,
                        403 => Forbidden,
                        404 => NotFound,
                        s if (200..400).contains(&s) || s == 409 || s == 422 => Ok,
                        s => panic!(
                            "{method} {path} {action} as {r:?}: unexpected {s}: {}",
                            res.text()
                        ),
                    };
                    cases += 1;
                    if got != expected {
                        failures.push(format!(
                            "{method} {path} {action} as {r:?} ({}): expected {expected:?}, got {got:?} {}",
                            if inside { "inside" } else { "outside" },
                            res.text()
                        ));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cases} cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(cases, (EORDER_ROUTES.len() + 8) * ROLES.len() * 2);
}
