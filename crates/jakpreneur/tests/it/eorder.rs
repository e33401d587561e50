//! e-order through the API as its users act: a unit's PA/KPA, PPK, procurement officer and
//! treasurer, and the member that sells. The chain, limits, races for stock and for a
//! package's ceiling, idempotent retries, payment never before receipt, partial receipt,
//! the taxes, and the sale on the member's ledger.

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use jakpreneur_testkit::{Creds, TINY_PNG, TestApp, member_in};
use serde_json::{Value, json};

on_both_backends!(
    chain_transfer_partial_receipt_and_ledger,
    autodebit_approval_and_taxes,
    limits_and_rules,
    fifty_orders_race_for_the_last_ten_units,
    two_orders_at_once_never_pass_the_ceiling,
    complaints_and_ratings,
    statistics_match_a_recount_from_the_orders,
    history_loaded_in_bulk_counts_in_the_statistics,
    notifications_go_out_by_email_through_the_relay,
    open_contracting_data_validates,
    the_chain_through_the_pages,
);

const GAMBIR: &str = "31.71.01.1001";

/// The PA/KPA's queue heading on `/orders`.
const APPROVAL_QUEUE: &str = "Menunggu persetujuan autodebit";
const A_PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// A buying unit with its four accounts, a supplier with a member account, and a package
/// assigned down to the procurement officer.
struct Market {
    pa: Creds,
    ppk: Creds,
    po: Creds,
    treasurer: Creds,
    supplier: Creds,
    supplier_no: String,
    package: i64,
}

async fn market(app: &TestApp, serial: u32, ceiling: i64) -> Market {
    let unit = format!("DINAS{serial}");
    app.unit(&unit, None).await;
    let pa = app.buyer(&format!("pa{serial}"), &unit, "pa_kpa").await;
    let ppk = app.buyer(&format!("ppk{serial}"), &unit, "ppk").await;
    let po = app
        .buyer(&format!("po{serial}"), &unit, "procurement_officer")
        .await;
    let treasurer = app
        .buyer(&format!("bend{serial}"), &unit, "treasurer")
        .await;
    let body = member_in(serial, GAMBIR);
    let res = app.post_json("/api/v1/members", &body).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let supplier_no = res.json()["member_no"].as_str().unwrap().to_owned();
    let supplier = app
        .user_linked(
            &format!("usaha{serial}"),
            "member",
            None,
            Some((&supplier_no, body["nik"].as_str().unwrap())),
        )
        .await;
    let res = app
        .as_(&pa)
        .post_json(
            "/api/v1/packages",
            &json!({"name": "Makan minum rapat", "budget_code": "5.1.02.01.01.0052",
                    "ceiling": ceiling, "fiscal_year": 2026}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let package = res.json()["id"].as_i64().unwrap();
    let res = app
        .as_(&pa)
        .post_json(
            &format!("/api/v1/packages/{package}/assign"),
            &json!({"user": ppk.username}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let res = app
        .as_(&ppk)
        .post_json(
            &format!("/api/v1/packages/{package}/assign"),
            &json!({"user": po.username}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["officer"], po.username.as_str());
    Market {
        pa,
        ppk,
        po,
        treasurer,
        supplier,
        supplier_no,
        package,
    }
}

fn snack(price: i64, stock: Option<i64>, min_order: i64) -> Value {
    json!({"name": "Kue Lapis Legit", "category": "snacks", "unit": "kotak", "price": price,
           "stock": stock, "min_order": min_order, "lead_days": 2, "tkdn_percent": 60})
}

fn order(package: i64, lines: &[(i64, i64)]) -> Value {
    json!({
        "package_id": package,
        "lines": lines.iter().map(|(p, q)| json!({"product_id": p, "quantity": q})).collect::<Vec<_>>(),
        "delivery_address": "Balai Kota, Jl. Medan Merdeka Selatan 8-9",
        "needed_on": "2026-11-30",
    })
}

fn code(res: &jakpreneur_testkit::TestResponse) -> String {
    res.json()["error"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn step(app: &TestApp, who: &Creds, id: i64, action: &str, body: Value) -> Value {
    let res = app
        .as_(who)
        .post_json(&format!("/api/v1/orders/{id}/{action}"), &body)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{action}: {}", res.text());
    res.json()
}

/// Accepted and shipped by the supplier, received in full by the PPK.
async fn deliver(app: &TestApp, m: &Market, id: i64, bast: &str) {
    step(app, &m.supplier, id, "accept", json!({})).await;
    step(app, &m.supplier, id, "ship", json!({})).await;
    step(
        app,
        &m.ppk,
        id,
        "receive",
        json!({"bast_no": bast, "received_on": "2026-11-23"}),
    )
    .await;
}

async fn chain_transfer_partial_receipt_and_ledger(app: TestApp) {
    let m = market(&app, 1, 10_000_000).await;
    let product = app
        .listed_product(&m.supplier_no, &snack(25_000, Some(100), 10))
        .await;
    // A retried order is the same order; a key reused for another order is refused.
    let body = order(m.package, &[(product, 20)]);
    let po = app.as_(&m.po);
    let key = [
        ("content-type", "application/json"),
        ("idempotency-key", "rapat-01"),
    ];
    let first = po
        .request(
            Method::POST,
            "/api/v1/orders",
            &key,
            body.to_string().into_bytes(),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());
    let o = first.json();
    let id = o["id"].as_i64().unwrap();
    assert_eq!(
        (o["total"].as_i64(), o["state"].as_str()),
        (Some(500_000), Some("submitted"))
    );
    assert_eq!(o["lines"][0]["price"], 25_000);
    let again = po
        .request(
            Method::POST,
            "/api/v1/orders",
            &key,
            body.to_string().into_bytes(),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json()["id"].as_i64(), Some(id));
    let other = order(m.package, &[(product, 30)]);
    let reused = po
        .request(
            Method::POST,
            "/api/v1/orders",
            &key,
            other.to_string().into_bytes(),
        )
        .await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(code(&reused), "idempotency_key_reused");
    let p = app.get(&format!("/api/v1/products/{product}")).await.json();
    assert_eq!(p["stock"], 80, "the stock was taken once");
    // The price changes later; the order keeps the price it was placed at.
    let res = app
        .patch_json(
            &format!("/api/v1/products/{product}"),
            &json!({"price": 30_000}),
            Some(&p["version"].to_string()),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());

    // Payment never before receipt.
    let early = app
        .as_(&m.treasurer)
        .post_json(
            &format!("/api/v1/orders/{id}/payments"),
            &json!({"method": "autodebit"}),
        )
        .await;
    assert_eq!(
        early.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        early.text()
    );
    assert_eq!(code(&early), "order_state");

    // Only the supplier accepts; then it ships; the PPK receives 18 of 20.
    let wrong = app
        .as_(&m.po)
        .post_json(&format!("/api/v1/orders/{id}/accept"), &json!({}))
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    step(&app, &m.supplier, id, "accept", json!({})).await;
    step(&app, &m.supplier, id, "ship", json!({})).await;
    let short = app
        .as_(&m.ppk)
        .post_json(
            &format!("/api/v1/orders/{id}/receive"),
            &json!({"bast_no": "BAST/01/XI/2026", "received_on": "2026-11-23",
                    "lines": [{"product_id": product, "quantity": 18}]}),
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        short.json()["error"]["field"],
        "note",
        "fewer units need a reason"
    );
    let o = step(
        &app,
        &m.ppk,
        id,
        "receive",
        json!({"bast_no": "BAST/01/XI/2026", "received_on": "2026-11-23",
               "lines": [{"product_id": product, "quantity": 18}],
               "note": "Dua kotak rusak dalam pengiriman"}),
    )
    .await;
    assert_eq!(o["state"], "received");
    assert_eq!(
        o["amount_due"], 450_000,
        "the amount due follows the units received"
    );
    let k = app
        .as_(&m.pa)
        .get(&format!("/api/v1/packages/{}", m.package))
        .await
        .json();
    assert_eq!(k["committed"], 450_000);

    // The treasurer pays by transfer with the proof and the tax slip, checked by content.
    let url = format!("/api/v1/orders/{id}/payments");
    let bad = app
        .as_(&m.treasurer)
        .multipart(
            &url,
            &[("method", "transfer")],
            &[
                ("proof", "bukti.pdf", "application/pdf", b"not a pdf at all"),
                ("tax_slip", "bupot.png", "image/png", TINY_PNG),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["error"]["field"], "proof");
    assert_eq!(code(&bad), "document_type");
    let files: [(&str, &str, &str, &[u8]); 2] = [
        ("proof", "bukti.pdf", "application/pdf", A_PDF),
        ("tax_slip", "bupot.png", "image/png", TINY_PNG),
    ];
    let paid = app
        .as_(&m.treasurer)
        .multipart(&url, &[("method", "transfer")], &files)
        .await;
    assert_eq!(paid.status, StatusCode::CREATED, "{}", paid.text());
    let pay = paid.json();
    assert_eq!(
        (
            pay["amount"].as_i64(),
            pay["income_tax_kind"].as_str(),
            pay["net"].as_i64()
        ),
        (Some(450_000), Some("none"), Some(450_000)),
        "at most Rp 2,000,000: no PPh 22"
    );
    let retry = app
        .as_(&m.treasurer)
        .multipart(&url, &[("method", "transfer")], &files)
        .await;
    assert_eq!(retry.status, StatusCode::OK, "a retry returns the payment");
    assert_eq!(retry.json()["id"], pay["id"]);
    let doc = app
        .as_(&m.ppk)
        .get(&format!("/api/v1/payments/{}/proof", pay["id"]))
        .await;
    assert_eq!(doc.status, StatusCode::OK);
    assert!(doc.body.starts_with(b"%PDF-"));
    let stranger = app.user("orang-luar", "buyer", None).await;
    let hidden = app
        .as_(&stranger)
        .get(&format!("/api/v1/payments/{}/proof", pay["id"]))
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);

    // The supplier sees what it received and when; the timeline has every step.
    let seen = app
        .as_(&m.supplier)
        .get(&format!("/api/v1/orders/{id}"))
        .await
        .json();
    assert_eq!(seen["state"], "paid");
    assert_eq!(seen["paid_on"], "2026-11-23");
    assert_eq!(seen["payment"]["net"], 450_000);
    let actions: Vec<&str> = seen["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["place", "accept", "ship", "receive", "pay_transfer"]
    );
    let notes = app.store.order_notifications(id).await.unwrap();
    let topics: Vec<&str> = notes.iter().map(|n| n.topic.as_str()).collect();
    assert_eq!(
        topics,
        [
            "order_new",
            "order_accepted",
            "order_shipped",
            "payment_due",
            "order_paid"
        ]
    );
    assert_eq!(notes[0].recipient, format!("member:{}", m.supplier_no));
    assert_eq!(notes[3].recipient, "unit:DINAS1:treasurer");
    // The worker's delivery: a failing channel keeps them pending with the error; a
    // working one delivers each once.
    let failed = app
        .store
        .deliver_notifications(100, |_| Err("smtp: connection refused".into()))
        .await
        .unwrap();
    assert_eq!(failed, 0);
    let pending = app.store.pending_notifications(100).await.unwrap();
    assert!(pending.len() >= 5);
    assert!(pending.iter().all(|n| n.attempts == 1
        && n.last_error.as_deref() == Some("smtp: connection refused")));
    let mut seen = Vec::new();
    let delivered = app
        .store
        .deliver_notifications(100, |n| {
            seen.push(n.subject.clone());
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(delivered, pending.len());
    assert!(
        seen.iter().any(|s| s.contains("menunggu pembayaran")),
        "{seen:?}"
    );
    assert!(
        app.store
            .pending_notifications(100)
            .await
            .unwrap()
            .is_empty()
    );

    // The sale is market access (P5) on the member's ledger, and its sales.
    let events = app
        .get(&format!("/api/v1/members/{}/events", m.supplier_no))
        .await
        .json();
    let sale = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "eorder_sale")
        .expect("an eorder_sale event");
    assert_eq!(sale["facility"], "P5");
    assert_eq!(sale["occurred_on"], "2026-11-23");
    let size = app
        .store
        .size_history(&jakpreneur_core::Actor::system("t"), &m.supplier_no)
        .await
        .unwrap()
        .expect("sales give a size class");
    assert_eq!(size.current.annual_sales, 450_000 * 12);
    assert_eq!(size.current.size_class, "micro");
    // The audit log has each step.
    let audit = app
        .get(&format!("/api/v1/audit?record_type=order&record_id={id}"))
        .await;
    assert_eq!(audit.status, StatusCode::OK, "{}", audit.text());
    let audited: Vec<String> = audit.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        audited.contains(&"eorder.order_place".to_owned()),
        "{audited:?}"
    );
    assert!(
        audited.contains(&"eorder.payment".to_owned()),
        "{audited:?}"
    );
}

async fn autodebit_approval_and_taxes(app: TestApp) {
    let m = market(&app, 2, 40_000_000).await;
    let product = app
        .listed_product(&m.supplier_no, &snack(150_000, None, 1))
        .await;
    let res = app
        .as_(&m.po)
        .post_json("/api/v1/orders", &order(m.package, &[(product, 20)]))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let id = res.json()["id"].as_i64().unwrap();
    deliver(&app, &m, id, "BAST/02").await;
    let res = app
        .as_(&m.treasurer)
        .post_json(
            &format!("/api/v1/orders/{id}/payments"),
            &json!({"method": "autodebit"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let p = res.json();
    assert_eq!(p["state"], "pending_approval");
    // Rp 3,000,000 is above the PPh 22 threshold: 1.5% withheld.
    assert_eq!(
        (
            p["income_tax_kind"].as_str(),
            p["income_tax"].as_i64(),
            p["net"].as_i64()
        ),
        (Some("pph22"), Some(45_000), Some(2_955_000))
    );
    let pid = p["id"].as_i64().unwrap();
    for who in [&m.treasurer, &m.ppk, &m.supplier] {
        let res = app
            .as_(who)
            .post_json(&format!("/api/v1/payments/{pid}/approve"), &json!({}))
            .await;
        assert_eq!(
            res.status,
            StatusCode::FORBIDDEN,
            "only the PA/KPA approves"
        );
    }
    let res = app
        .as_(&m.pa)
        .post_json(&format!("/api/v1/payments/{pid}/approve"), &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["state"], "paid");
    let o = app.get(&format!("/api/v1/orders/{id}")).await.json();
    assert_eq!(o["state"], "paid");
    // A VAT-registered supplier with the small-business certificate: VAT collected, the
    // final 0.5% withheld instead of PPh 22.
    let res = app
        .put_json(
            &format!("/api/v1/members/{}/bank-account", m.supplier_no),
            &json!({"bank": "Bank DKI", "account_name": "Usaha", "account_no": "1234567890",
                    "vat_registered": true, "umkm_final": true}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let res = app
        .as_(&m.po)
        .post_json("/api/v1/orders", &order(m.package, &[(product, 74)]))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let id = res.json()["id"].as_i64().unwrap();
    deliver(&app, &m, id, "BAST/03").await;
    let res = app
        .as_(&m.treasurer)
        .multipart(
            &format!("/api/v1/orders/{id}/payments"),
            &[("method", "transfer")],
            &[
                ("proof", "a.png", "image/png", TINY_PNG),
                ("tax_slip", "b.pdf", "application/pdf", A_PDF),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let p = res.json();
    // 74 × 150,000 = 11,100,000 with VAT inside: 1,100,000 VAT, 0.5% of 10,000,000.
    assert_eq!(
        (
            p["vat"].as_i64(),
            p["income_tax_kind"].as_str(),
            p["income_tax"].as_i64(),
            p["net"].as_i64()
        ),
        (
            Some(1_100_000),
            Some("pph_final_umkm"),
            Some(50_000),
            Some(9_950_000)
        )
    );
}

async fn limits_and_rules(app: TestApp) {
    let m = market(&app, 3, 200_000_000).await;
    let product = app
        .listed_product(&m.supplier_no, &snack(100_000, Some(1_000), 10))
        .await;
    let post = |who: &Creds, body: Value| {
        let c = app.as_(who);
        async move { c.post_json("/api/v1/orders", &body).await }
    };
    // Above Rp 50,000,000 in one transaction.
    let res = post(&m.po, order(m.package, &[(product, 501)])).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(code(&res), "over_transaction_limit");
    assert!(res.text().contains("Rp 50.000.000"), "{}", res.text());
    // Exactly the limit is allowed.
    let res = post(&m.po, order(m.package, &[(product, 500)])).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let big = res.json()["id"].as_i64().unwrap();
    // Below the minimum, too soon for the lead time.
    let res = post(&m.po, order(m.package, &[(product, 5)])).await;
    assert_eq!(code(&res), "below_min_order");
    let mut soon = order(m.package, &[(product, 10)]);
    soon["needed_on"] = json!("2026-11-24");
    let res = post(&m.po, soon).await;
    assert_eq!(code(&res), "before_lead_time");
    // One supplier per order; only listed products.
    let other_no = app.register_on(31, GAMBIR, "2026-01-10").await;
    let other = app.listed_product(&other_no, &snack(10_000, None, 1)).await;
    let res = post(&m.po, order(m.package, &[(product, 10), (other, 1)])).await;
    assert_eq!(code(&res), "one_supplier");
    let res = app
        .delete(&format!("/api/v1/products/{other}/listing"))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let res = post(&m.po, order(m.package, &[(other, 1)])).await;
    assert_eq!(code(&res), "product_not_listed");
    // Only the procurement officer the package is assigned to places orders.
    let res = post(&m.ppk, order(m.package, &[(product, 10)])).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let po2 = app.buyer("po3b", "DINAS3", "procurement_officer").await;
    let res = post(&po2, order(m.package, &[(product, 10)])).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let outsider = app.user("po-lain", "buyer", None).await;
    let res = post(&outsider, order(m.package, &[(product, 10)])).await;
    assert_eq!(code(&res), "package_unknown");
    // Another unit's account cannot read the order.
    let res = app
        .as_(&outsider)
        .get(&format!("/api/v1/orders/{big}"))
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    // Declining gives back the stock and the package's money.
    let res = app
        .as_(&m.supplier)
        .post_json(&format!("/api/v1/orders/{big}/decline"), &json!({}))
        .await;
    assert_eq!(res.json()["error"]["field"], "reason");
    step(
        &app,
        &m.supplier,
        big,
        "decline",
        json!({"reason": "Kapasitas produksi penuh"}),
    )
    .await;
    let p = app.get(&format!("/api/v1/products/{product}")).await.json();
    assert_eq!(p["stock"], 1_000);
    let k = app
        .as_(&m.pa)
        .get(&format!("/api/v1/packages/{}", m.package))
        .await
        .json();
    assert_eq!(k["committed"], 0);
    // The buyer cancels before acceptance, not after.
    let res = post(&m.po, order(m.package, &[(product, 10)])).await;
    let a = res.json()["id"].as_i64().unwrap();
    step(&app, &m.po, a, "cancel", json!({"reason": "Rapat ditunda"})).await;
    let res = post(&m.po, order(m.package, &[(product, 10)])).await;
    let b = res.json()["id"].as_i64().unwrap();
    step(&app, &m.supplier, b, "accept", json!({})).await;
    let res = app
        .as_(&m.po)
        .post_json(
            &format!("/api/v1/orders/{b}/cancel"),
            &json!({"reason": "Terlambat"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(code(&res), "order_state");
    // The supplier does not sign the BAST; an unknown action is no route.
    step(&app, &m.supplier, b, "ship", json!({})).await;
    let res = app
        .as_(&m.supplier)
        .post_json(
            &format!("/api/v1/orders/{b}/receive"),
            &json!({"bast_no": "X/1", "received_on": "2026-11-23"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = app
        .as_(&m.po)
        .post_json(&format!("/api/v1/orders/{b}/approve"), &json!({}))
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    // Fields are named.
    let res = post(
        &m.po,
        json!({"package_id": "x", "lines": [{"product_id": product, "quantity": 0}],
               "needed_on": "30/11/2026"}),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let v = res.json();
    let fields: Vec<&str> = v["error"]["details"]
        .as_array()
        .map(|e| e.iter().filter_map(|x| x["field"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        fields,
        ["package_id", "lines", "delivery_address", "needed_on"]
    );
}

async fn fifty_orders_race_for_the_last_ten_units(app: TestApp) {
    let m = market(&app, 4, 100_000_000).await;
    let product = app
        .listed_product(&m.supplier_no, &snack(20_000, Some(10), 1))
        .await;
    let app = Arc::new(app);
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (app, po, body) = (app.clone(), m.po.clone(), order(m.package, &[(product, 1)]));
            tokio::spawn(async move { app.as_(&po).post_json("/api/v1/orders", &body).await })
        })
        .collect();
    let (mut placed, mut refused) = (0, 0);
    for t in tasks {
        let res = t.await.expect("task");
        match res.status {
            StatusCode::CREATED => placed += 1,
            StatusCode::UNPROCESSABLE_ENTITY => {
                assert_eq!(code(&res), "out_of_stock", "{}", res.text());
                refused += 1;
            }
            other => panic!("unexpected {other}: {}", res.text()),
        }
    }
    assert_eq!((placed, refused), (10, 40));
    let p = app.get(&format!("/api/v1/products/{product}")).await.json();
    assert_eq!(p["stock"], 0);
    let k = app
        .as_(&m.pa)
        .get(&format!("/api/v1/packages/{}", m.package))
        .await
        .json();
    assert_eq!(
        k["committed"],
        10 * 20_000,
        "the refused orders took no money"
    );
}

async fn two_orders_at_once_never_pass_the_ceiling(app: TestApp) {
    // The ceiling holds two orders of Rp 1,000,000; ten arrive at once.
    let m = market(&app, 5, 2_000_000).await;
    let product = app
        .listed_product(&m.supplier_no, &snack(100_000, None, 1))
        .await;
    let app = Arc::new(app);
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let (app, po, body) = (
                app.clone(),
                m.po.clone(),
                order(m.package, &[(product, 10)]),
            );
            tokio::spawn(async move { app.as_(&po).post_json("/api/v1/orders", &body).await })
        })
        .collect();
    let mut placed = 0;
    for t in tasks {
        let res = t.await.expect("task");
        match res.status {
            StatusCode::CREATED => placed += 1,
            StatusCode::UNPROCESSABLE_ENTITY => assert_eq!(code(&res), "over_ceiling"),
            other => panic!("unexpected {other}: {}", res.text()),
        }
    }
    assert_eq!(placed, 2);
    let k = app
        .as_(&m.pa)
        .get(&format!("/api/v1/packages/{}", m.package))
        .await
        .json();
    assert_eq!(
        (k["committed"].as_i64(), k["remaining"].as_i64()),
        (Some(2_000_000), Some(0))
    );
}

async fn complaints_and_ratings(app: TestApp) {
    let m = market(&app, 6, 10_000_000).await;
    let product = app
        .listed_product(&m.supplier_no, &snack(50_000, None, 1))
        .await;
    let res = app
        .as_(&m.po)
        .post_json("/api/v1/orders", &order(m.package, &[(product, 10)]))
        .await;
    let id = res.json()["id"].as_i64().unwrap();
    let rate = |who: &Creds, stars: i64| {
        let c = app.as_(who);
        async move {
            c.post_json(
                &format!("/api/v1/orders/{id}/rating"),
                &json!({"stars": stars, "note": "Enak dan tepat waktu"}),
            )
            .await
        }
    };
    let res = rate(&m.ppk, 5).await;
    assert_eq!(code(&res), "order_state", "rated only after receipt");
    step(&app, &m.supplier, id, "accept", json!({})).await;
    let res = app
        .as_(&m.ppk)
        .post_json(
            &format!("/api/v1/orders/{id}/complaints"),
            &json!({"text": "Pengiriman terlambat dua jam"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let complaint = res.json()["id"].as_i64().unwrap();
    // A district officer of another district, and the supplier, may not close it.
    let far = app
        .user("kec-setiabudi", "district_officer", Some("31.74.02"))
        .await;
    let res = app
        .as_(&far)
        .post_json(
            &format!("/api/v1/complaints/{complaint}/close"),
            &json!({"outcome": "upheld", "note": "Penyedia ditegur"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = app
        .as_(&m.supplier)
        .post_json(
            &format!("/api/v1/complaints/{complaint}/close"),
            &json!({"outcome": "rejected", "note": "Tidak benar"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let city = app.user("kota-pusat", "city_officer", Some("31.71")).await;
    let open = app.as_(&city).get("/api/v1/complaints").await.json();
    assert_eq!(open["items"].as_array().unwrap().len(), 1);
    let res = app
        .as_(&city)
        .post_json(
            &format!("/api/v1/complaints/{complaint}/close"),
            &json!({"outcome": "upheld", "note": "Penyedia ditegur dan berjanji memperbaiki"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["outcome"], "upheld");
    step(&app, &m.supplier, id, "ship", json!({})).await;
    step(
        &app,
        &m.ppk,
        id,
        "receive",
        json!({"bast_no": "BAST/06", "received_on": "2026-11-23"}),
    )
    .await;
    assert_eq!(rate(&m.supplier, 5).await.status, StatusCode::FORBIDDEN);
    let res = rate(&m.ppk, 4).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(code(&rate(&m.po, 5).await), "already_rated");
    assert_eq!(code(&rate(&m.ppk, 6).await), "out_of_range");
}

/// The e-order figures, in total and by every breakdown, equal a recount from the orders
/// as the API lists them; the sales' P5 events keep the ledger's counters true.
async fn statistics_match_a_recount_from_the_orders(app: TestApp) {
    use std::collections::{BTreeMap, BTreeSet};
    let m = market(&app, 7, 500_000_000).await;
    let snack_id = app
        .listed_product(&m.supplier_no, &snack(40_000, None, 1))
        .await;
    let no_tkdn = app
        .listed_product(
            &m.supplier_no,
            &json!({"name": "Nasi kotak ayam", "category": "catering", "unit": "kotak",
                    "price": 35_000, "lead_days": 1}),
        )
        .await;
    // A second supplier in South Jakarta that reports itself medium-sized.
    let big_no = app.register_on(71, "31.74.02.1001", "2026-01-10").await;
    let res = app
        .post_json(
            &format!("/api/v1/members/{big_no}/financial-reports"),
            &json!({"month": "2026-10", "sales": 3_000_000_000i64, "costs": 1_000_000,
                    "employees": 40, "assets": 8_000_000_000i64}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let big_nik = member_in(71, "31.74.02.1001")["nik"]
        .as_str()
        .unwrap()
        .to_owned();
    let big = app
        .user_linked("usaha-besar", "member", None, Some((&big_no, &big_nik)))
        .await;
    let big_product = app
        .listed_product(&big_no, &snack(90_000, Some(500), 1))
        .await;
    let mut paid = Vec::new();
    for (lines, pay) in [
        (vec![(snack_id, 10), (no_tkdn, 20)], true),
        (vec![(no_tkdn, 50)], true),
        (vec![(big_product, 30)], true),
        (vec![(snack_id, 5)], false),
        (vec![(big_product, 1)], true),
    ] {
        let seller = if lines[0].0 == big_product {
            &big
        } else {
            &m.supplier
        };
        let res = app
            .as_(&m.po)
            .post_json("/api/v1/orders", &order(m.package, &lines))
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        let id = res.json()["id"].as_i64().unwrap();
        step(&app, seller, id, "accept", json!({})).await;
        step(&app, seller, id, "ship", json!({})).await;
        step(
            &app,
            &m.ppk,
            id,
            "receive",
            json!({"bast_no": format!("BAST/{id}"), "received_on": "2026-11-23"}),
        )
        .await;
        if pay {
            let res = app
                .as_(&m.treasurer)
                .post_json(
                    &format!("/api/v1/orders/{id}/payments"),
                    &json!({"method": "autodebit"}),
                )
                .await;
            let pid = res.json()["id"].as_i64().unwrap();
            let res = app
                .as_(&m.pa)
                .post_json(&format!("/api/v1/payments/{pid}/approve"), &json!({}))
                .await;
            assert_eq!(res.status, StatusCode::OK, "{}", res.text());
            paid.push(id);
        }
    }
    // One declined order counts for nothing.
    let res = app
        .as_(&m.po)
        .post_json("/api/v1/orders", &order(m.package, &[(big_product, 2)]))
        .await;
    let declined = res.json()["id"].as_i64().unwrap();
    step(
        &app,
        &big,
        declined,
        "decline",
        json!({"reason": "Stok habis"}),
    )
    .await;

    // The recount: every order as the API lists it.
    let all = app.get("/api/v1/orders?limit=500").await.json();
    let orders: Vec<&Value> = all["items"].as_array().unwrap().iter().collect();
    let mut full = Vec::new();
    for o in &orders {
        full.push(app.get(&format!("/api/v1/orders/{}", o["id"])).await.json());
    }
    let is_small = |no: &str| no != big_no;
    #[derive(Default, Debug, PartialEq)]
    struct F {
        spend: i64,
        orders: BTreeSet<i64>,
        suppliers: BTreeSet<String>,
        small: i64,
        tkdn: i64,
    }
    let mut by: BTreeMap<(&str, String), F> = BTreeMap::new();
    for o in full.iter().filter(|o| o["state"] == "paid") {
        let id = o["id"].as_i64().unwrap();
        let no = o["member_no"].as_str().unwrap().to_owned();
        for l in o["lines"].as_array().unwrap() {
            let amount = l["price"].as_i64().unwrap() * l["received_quantity"].as_i64().unwrap();
            let keys = [
                ("total", "total".to_owned()),
                ("unit", o["unit_code"].as_str().unwrap().to_owned()),
                ("supplier", no.clone()),
                ("district", o["district_code"].as_str().unwrap().to_owned()),
                ("month", o["paid_on"].as_str().unwrap()[..7].to_owned()),
                ("category", l["category"].as_str().unwrap().to_owned()),
            ];
            for k in keys {
                let f = by.entry(k).or_default();
                f.spend += amount;
                f.orders.insert(id);
                f.suppliers.insert(no.clone());
                if is_small(&no) {
                    f.small += amount;
                }
                if !l["tkdn_percent"].is_null() {
                    f.tkdn += amount;
                }
            }
        }
    }
    assert_eq!(by[&("total", "total".to_owned())].orders.len(), paid.len());
    // Whole months come from the monthly rollups, other days from the orders: a year, a
    // period with a partial month on each side, and one within a month all agree.
    let periods = [
        "from=2026-01-01&to=2026-12-31",
        "from=2026-10-15&to=2026-12-31",
        "from=2026-11-02&to=2026-11-29",
    ];
    for (period, group) in periods.iter().flat_map(|p| {
        ["", "unit", "supplier", "district", "month", "category"].map(move |g| (p, g))
    }) {
        let url = if group.is_empty() {
            format!("/api/v1/stats/e-order?{period}")
        } else {
            format!("/api/v1/stats/e-order?{period}&group_by={group}")
        };
        let v = app.get(&url).await.json();
        let rows: Vec<(String, &Value)> = if group.is_empty() {
            vec![("total".to_owned(), &v["totals"])]
        } else {
            v["groups"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| (g["key"].as_str().unwrap().to_owned(), g))
                .collect()
        };
        let dim = if group.is_empty() { "total" } else { group };
        let expected: Vec<&(&str, String)> = by.keys().filter(|(d, _)| *d == dim).collect();
        assert_eq!(rows.len(), expected.len(), "{dim}: {v}");
        for (key, g) in rows {
            let f = &by[&(dim, key.clone())];
            let got = (
                g["spend"].as_i64().unwrap(),
                g["orders"].as_i64().unwrap() as usize,
                g["suppliers"].as_i64().unwrap() as usize,
                g["small_business_spend"].as_i64().unwrap(),
                g["tkdn_spend"].as_i64().unwrap(),
            );
            assert_eq!(
                got,
                (f.spend, f.orders.len(), f.suppliers.len(), f.small, f.tkdn),
                "{dim} {key}"
            );
            let share = f.small as f64 / f.spend as f64;
            assert!((g["small_business_share"].as_f64().unwrap() - share).abs() < 1e-9);
            assert_eq!(g["meets_target"].as_bool(), Some(share >= 0.4));
            assert_eq!(
                g["avg_days_to_payment"].as_f64(),
                Some(0.0),
                "ordered and paid today"
            );
        }
    }
    assert_eq!(
        app.get("/api/v1/stats/e-order?from=2026-12-01&to=2026-01-01")
            .await
            .json()["error"]["code"],
        "to_before_from"
    );
    assert_eq!(
        app.get("/api/v1/stats/e-order?group_by=village")
            .await
            .json()["error"]["code"],
        "group_by_invalid"
    );
    // The sales are P5 services: the daily counters equal a recount from the events.
    crate::recount::assert_ledger_matches_recount(&app, &[m.supplier_no.clone(), big_no]).await;
}

/// Paid orders of the past loaded through the bulk path count in the figures and their
/// monthly rollups like orders paid here: the same totals for a year, for a period with
/// partial months and for a month's days; a load that is not whole is refused whole.
async fn history_loaded_in_bulk_counts_in_the_statistics(app: TestApp) {
    use jakpreneur_store::{PaidLine, PaidOrder};
    let m = market(&app, 9, 500_000_000).await;
    let product = app
        .listed_product(&m.supplier_no, &snack(40_000, None, 1))
        .await;
    let admin = jakpreneur_core::Actor::system("test");
    let member_id = app
        .store
        .get_member(&admin, &m.supplier_no, false)
        .await
        .unwrap()
        .id;
    let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    let paid = |ordered: &str, paid: &str, quantity: i64, tkdn: Option<i64>| PaidOrder {
        unit_code: "DINAS9".into(),
        package_id: m.package,
        member_id,
        ordered_on: d(ordered),
        paid_on: d(paid),
        lines: vec![PaidLine {
            product_id: product,
            name: "Kue lapis".into(),
            category: "snacks".into(),
            unit: "kotak".into(),
            price: 10_000,
            quantity,
            tkdn_percent: tkdn,
        }],
    };
    let rows = [
        paid("2026-03-01", "2026-03-11", 10, Some(60)),
        paid("2026-03-20", "2026-04-02", 20, None),
        paid("2026-07-30", "2026-08-31", 30, None),
    ];
    assert_eq!(app.store.load_paid_orders(&admin, &rows).await.unwrap(), 3);
    let mut bad = rows.to_vec();
    bad.push(paid("2026-05-02", "2026-05-01", 1, None));
    assert!(app.store.load_paid_orders(&admin, &bad).await.is_err());
    for (period, orders, spend, tkdn, days) in [
        (
            "from=2026-01-01&to=2026-12-31",
            3,
            600_000,
            100_000,
            10 + 13 + 32,
        ),
        ("from=2026-03-05&to=2026-08-31", 3, 600_000, 100_000, 55),
        ("from=2026-03-12&to=2026-08-30", 1, 200_000, 0, 13),
        ("from=2026-04-01&to=2026-04-30", 1, 200_000, 0, 13),
        ("from=2026-08-31&to=2026-09-15", 1, 300_000, 0, 32),
    ] {
        let v = app
            .get(&format!("/api/v1/stats/e-order?{period}&group_by=category"))
            .await
            .json();
        for f in [&v["totals"], &v["groups"][0]] {
            assert_eq!(f["orders"], orders, "{period}: {v}");
            assert_eq!(f["spend"], spend, "{period}");
            assert_eq!(f["tkdn_spend"], tkdn, "{period}");
            assert_eq!(f["suppliers"], 1, "{period}");
            let mean = f["avg_days_to_payment"].as_f64().unwrap();
            assert!(
                (mean - f64::from(days) / f64::from(orders)).abs() < 1e-9,
                "{period}"
            );
        }
    }
}

/// A mail relay on a loopback port that accepts every message and keeps what it was
/// told (the envelope and the data); enough SMTP for a client that sends one message a
/// connection.
fn fake_relay() -> (u16, Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = seen.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut out) = conn else { return };
            let mut lines = BufReader::new(out.try_clone().unwrap());
            let _ = out.write_all(b"220 relay ready\r\n");
            let mut data = false;
            let mut line = String::new();
            while lines.read_line(&mut line).unwrap_or(0) > 0 {
                kept.lock().unwrap().push(line.clone());
                let reply: &[u8] = if data {
                    if line == ".\r\n" {
                        data = false;
                        b"250 queued\r\n"
                    } else {
                        b""
                    }
                } else if line.starts_with("DATA") {
                    data = true;
                    b"354 go on\r\n"
                } else if line.starts_with("QUIT") {
                    let _ = out.write_all(b"221 bye\r\n");
                    break;
                } else {
                    b"250 ok\r\n"
                };
                let _ = out.write_all(reply);
                line.clear();
            }
        }
    });
    (port, seen)
}

/// With `eorder.notifications = "smtp"`, a new order reaches the supplier's account by
/// e-mail through the relay, with its link; a notification for a role with no address on
/// file fails, stays pending with the reason, and the command says so.
async fn notifications_go_out_by_email_through_the_relay(app: TestApp) {
    let m = market(&app, 10, 500_000_000).await;
    let product = app
        .listed_product(&m.supplier_no, &snack(40_000, None, 1))
        .await;
    let admin = jakpreneur_core::Actor::system("test");
    app.store
        .set_user_email(&admin, &m.supplier.username, Some("Penjual@Example.id"))
        .await
        .unwrap();
    assert!(
        app.store
            .set_user_email(&admin, &m.supplier.username, Some("bukan alamat"))
            .await
            .is_err()
    );
    let res = app
        .as_(&m.po)
        .post_json("/api/v1/orders", &order(m.package, &[(product, 10)]))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let id = res.json()["id"].as_i64().unwrap();
    let (port, seen) = fake_relay();
    let deliver = || {
        crate::support::command(&app)
            .args(["notifications", "deliver"])
            .env("JAKPRENEUR__EORDER__NOTIFICATIONS", "smtp")
            .env("JAKPRENEUR__SMTP__HOST", "127.0.0.1")
            .env("JAKPRENEUR__SMTP__PORT", port.to_string())
            .env(
                "JAKPRENEUR__SMTP__FROM",
                "e-order <e-order@jakarta.example>",
            )
            .env("JAKPRENEUR__SMTP__BASE_URL", "https://jakpreneur.example")
            .output()
            .unwrap()
    };
    let out = deliver();
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{said} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.contains("1 notification(s) delivered through smtp, 0 failed"),
        "{said}"
    );
    let talk = seen.lock().unwrap().concat();
    assert!(talk.contains("RCPT TO:<Penjual@example.id>"), "{talk}");
    assert!(
        talk.contains(&format!("Subject: Pesanan baru #{id}")),
        "{talk}"
    );
    assert!(
        talk.contains(&format!("https://jakpreneur.example/orders/{id}")),
        "{talk}"
    );
    // Accepted: the procurement officer is told, but no address is on file for it.
    step(&app, &m.supplier, id, "accept", json!({})).await;
    let out = deliver();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("0 notification(s) delivered through smtp, 1 failed")
    );
    let pending = app.store.pending_notifications(10).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].topic, "order_accepted");
    assert_eq!(pending[0].attempts, 1);
    assert!(
        pending[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("no e-mail address on file for unit:DINAS10:procurement_officer")
    );
}

/// Runs the Open Contracting Partnership's validator on a package, if it is installed
/// (`JAKPRENEUR_LIBCOVEOCDS` names its executable; `.ci/run` installs it), and asserts no
/// schema error. Returns whether it ran.
fn libcoveocds(package: &Value) -> bool {
    let Some(exe) = std::env::var_os("JAKPRENEUR_LIBCOVEOCDS") else {
        eprintln!("JAKPRENEUR_LIBCOVEOCDS is not set: the OCDS schema validation is skipped");
        return false;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("package.json");
    std::fs::write(&file, serde_json::to_vec_pretty(package).unwrap()).unwrap();
    let zip = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/ocds/standard-1__1__5.zip");
    let out = std::process::Command::new(exe)
        .args(["-s", "1.1", "--standard-zip"])
        .arg(&zip)
        .arg("-o")
        .arg(dir.path().join("out"))
        .arg("-d")
        .arg(&file)
        .output()
        .expect("libcoveocds runs");
    assert!(
        out.status.success(),
        "libcoveocds failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("libcoveocds prints JSON");
    assert_eq!(
        report["validation_errors"],
        json!([]),
        "OCDS schema errors in {}",
        serde_json::to_string_pretty(package).unwrap()
    );
    true
}

/// Orders in every state are published as OCDS 1.1 release and record packages that the
/// Partnership's own validator accepts with no schema error.
async fn open_contracting_data_validates(app: TestApp) {
    let m = market(&app, 8, 100_000_000).await;
    let product = app
        .listed_product(&m.supplier_no, &snack(25_000, None, 1))
        .await;
    let place = || async {
        let res = app
            .as_(&m.po)
            .post_json("/api/v1/orders", &order(m.package, &[(product, 4)]))
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        res.json()["id"].as_i64().unwrap()
    };
    let _submitted = place().await;
    let accepted = place().await;
    step(&app, &m.supplier, accepted, "accept", json!({})).await;
    let declined = place().await;
    step(
        &app,
        &m.supplier,
        declined,
        "decline",
        json!({"reason": "Libur"}),
    )
    .await;
    let cancelled = place().await;
    step(
        &app,
        &m.po,
        cancelled,
        "cancel",
        json!({"reason": "Acara batal"}),
    )
    .await;
    let paid = place().await;
    deliver(&app, &m, paid, "BAST/OCDS").await;
    let res = app
        .as_(&m.treasurer)
        .multipart(
            &format!("/api/v1/orders/{paid}/payments"),
            &[("method", "transfer")],
            &[
                ("proof", "a.pdf", "application/pdf", A_PDF),
                ("tax_slip", "b.png", "image/png", TINY_PNG),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());

    // Open to anyone.
    let res = app
        .anonymous()
        .get("/api/v1/ocds/releases?from=2026-11-01&to=2026-11-30")
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let package = res.json();
    assert_eq!(package["version"], "1.1");
    let releases = package["releases"].as_array().unwrap();
    assert_eq!(releases.len(), 5);
    let tags: Vec<&Value> = releases.iter().map(|r| &r["tag"]).collect();
    assert_eq!(
        tags,
        [
            &json!(["tender"]),
            &json!(["award", "contract"]),
            &json!(["awardCancellation"]),
            &json!(["tenderCancellation"]),
            &json!(["implementation"])
        ]
    );
    let last = &releases[4];
    let ocid = last["ocid"].as_str().unwrap();
    assert_eq!(ocid, format!("ocds-jkp000-eorder-{paid}"));
    let tx = &last["contracts"][0]["implementation"]["transactions"][0];
    assert_eq!(tx["value"], json!({"amount": 100_000, "currency": "IDR"}));
    let person = member_in(8, GAMBIR);
    for field in ["nik", "full_name", "phone", "address"] {
        let value = person[field].as_str().unwrap();
        assert!(
            !package.to_string().contains(value),
            "the member's {field} is not published"
        );
    }
    // Pages continue with links.next.
    let first = app
        .anonymous()
        .get("/api/v1/ocds/releases?from=2026-11-01&to=2026-11-30&limit=2")
        .await
        .json();
    assert_eq!(first["releases"].as_array().unwrap().len(), 2);
    let next = first["links"]["next"].as_str().unwrap();
    let path = &next[next.find("/api/").unwrap()..];
    let second = app.anonymous().get(path).await.json();
    assert_eq!(second["releases"][0]["ocid"], releases[2]["ocid"]);
    let record = app
        .anonymous()
        .get(&format!("/api/v1/ocds/records/{ocid}"))
        .await;
    assert_eq!(record.status, StatusCode::OK, "{}", record.text());
    let record = record.json();
    assert_eq!(
        record["records"][0]["compiledRelease"]["tag"],
        json!(["compiled"])
    );
    for bad in ["ocds-jkp000-eorder-999999", "ocds-other0-eorder-1", "x"] {
        let res = app
            .anonymous()
            .get(&format!("/api/v1/ocds/records/{bad}"))
            .await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{bad}");
    }
    let res = app
        .anonymous()
        .get("/api/v1/ocds/releases?from=2026-12-01&to=2026-11-01")
        .await;
    assert_eq!(res.json()["error"]["code"], "to_before_from");
    if libcoveocds(&package) {
        // The record package schema refers to the release schema by its web address,
        // which the validator would download: the record's releases, compiled one
        // included, are validated offline as a release package instead.
        let r = &record["records"][0];
        let mut as_releases = package.clone();
        as_releases["releases"] = json!([r["releases"][0], r["compiledRelease"]]);
        as_releases.as_object_mut().unwrap().remove("links");
        libcoveocds(&as_releases);
    }
}

/// The whole chain as its people use the pages: the cart (a double-submitted form places
/// one order), each step's form, the timeline, and the open statistics.
async fn the_chain_through_the_pages(app: TestApp) {
    let m = market(&app, 9, 10_000_000).await;
    let product = app
        .listed_product(&m.supplier_no, &snack(12_500, Some(50), 10))
        .await;
    let po = app.as_(&m.po);
    let cart = po
        .get(&format!("/belanja?supplier={}", m.supplier_no))
        .await;
    assert_eq!(cart.status, StatusCode::OK, "{}", cart.text());
    let html = cart.text();
    assert!(
        html.contains("Kue Lapis Legit") && html.contains("Rp 12.500"),
        "{html}"
    );
    let key = regex::Regex::new(r#"name="key" value="([^"]+)""#)
        .unwrap()
        .captures(&html)
        .expect("the cart carries a key")[1]
        .to_owned();
    let qty = format!("qty_{product}");
    let package = m.package.to_string();
    let mut form = vec![
        ("supplier", m.supplier_no.as_str()),
        ("package_id", package.as_str()),
        (qty.as_str(), "5"),
        ("delivery_address", "Ruang rapat lantai 3, Balai Kota"),
        ("needed_on", "2026-11-30"),
        ("key", key.as_str()),
    ];
    // Below the minimum: the cart again, with the reason.
    let refused = po.post_form("/belanja", &form).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.text()
    );
    assert!(refused.text().contains("field-error"), "{}", refused.text());
    form[2].1 = "20";
    let placed = po.post_form("/belanja", &form).await;
    assert_eq!(placed.status, StatusCode::SEE_OTHER, "{}", placed.text());
    let at = placed.header("location").unwrap();
    let again = po.post_form("/belanja", &form).await;
    assert_eq!(
        again.header("location").as_deref(),
        Some(at.as_str()),
        "one order"
    );
    let id: i64 = at.trim_start_matches("/orders/").parse().unwrap();
    let form_step = |who: &Creds, action: &str, pairs: Vec<(&'static str, String)>| {
        let c = app.as_(who);
        let url = format!("/orders/{id}/{action}");
        async move {
            let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let res = c.post_form(&url, &pairs).await;
            assert_eq!(res.status, StatusCode::SEE_OTHER, "{url}: {}", res.text());
        }
    };
    let page = app
        .as_(&m.supplier)
        .get(&format!("/orders/{id}"))
        .await
        .text();
    assert!(
        page.contains(&format!("/orders/{id}/accept")),
        "the supplier may accept"
    );
    assert!(!page.contains("/receive"), "but not receive");
    form_step(&m.supplier, "accept", vec![]).await;
    form_step(&m.supplier, "ship", vec![]).await;
    form_step(
        &m.ppk,
        "receive",
        vec![
            ("bast_no", "BAST/09/XI/2026".into()),
            ("received_on", "2026-11-23".into()),
            ("received_1", "20".into()),
        ],
    )
    .await;
    // Received, no autodebit asked yet: nothing waits for the PA/KPA's approval.
    let queue = app.as_(&m.pa).get("/orders").await.text();
    assert!(
        queue.contains(&format!("{} (0)", APPROVAL_QUEUE)),
        "{queue}"
    );
    // Before paying, the treasurer and the supplier see how the amount will divide.
    for who in [&m.treasurer, &m.supplier] {
        let page = app.as_(who).get(&format!("/orders/{id}")).await.text();
        assert!(
            page.contains("Rincian pembayaran bila dibayar hari ini")
                && page.contains("Rp 250.000"),
            "{page}"
        );
    }
    let res = app
        .as_(&m.treasurer)
        .post_form(
            &format!("/orders/{id}/payments"),
            &[("method", "autodebit")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let queue = app.as_(&m.pa).get("/orders").await.text();
    assert!(
        queue.contains(&format!("{} (1)", APPROVAL_QUEUE)),
        "{queue}"
    );
    let page = app.as_(&m.pa).get(&format!("/orders/{id}")).await.text();
    let pid = regex::Regex::new(r#"/payments/(\d+)/approve"#)
        .unwrap()
        .captures(&page)
        .expect("the PA/KPA is offered the approval")[1]
        .to_owned();
    let res = app
        .as_(&m.pa)
        .post_form(&format!("/payments/{pid}/approve"), &[])
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let page = app
        .as_(&m.supplier)
        .get(&format!("/orders/{id}"))
        .await
        .text();
    assert!(page.contains("Dibayar"), "{page}");
    assert!(!page.contains("bila dibayar hari ini"), "paid: no preview");
    assert!(page.contains("Rp 250.000"), "{page}");
    assert!(page.contains("BAST/09/XI/2026"));
    // The queues: nothing waits any more for the PPK.
    let queue = app.as_(&m.ppk).get("/orders").await.text();
    assert!(queue.contains("Menunggu penerimaan (BAST) (0)"), "{queue}");
    // The open statistics count it, for anyone.
    let stats = app.anonymous().get("/statistik/e-order?year=2026").await;
    assert_eq!(stats.status, StatusCode::OK);
    assert!(stats.text().contains("Rp 250.000"), "{}", stats.text());
    let bad = app.anonymous().get("/statistik/e-order?year=1999").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}
