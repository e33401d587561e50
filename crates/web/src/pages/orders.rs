//! e-order on pages: `/orders` (what waits for me, and the orders I may read by state),
//! `/orders/{id}` (lines, amounts, taxes, the timeline, and the forms the reader's party
//! may use), `/packages` (a unit's packages, created by its PA/KPA and assigned down the
//! chain) and `/belanja` (a procurement officer's cart: one supplier's listed products,
//! quantities, a package, where and when).

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, Query, Request};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use jakpreneur_core::eorder::{
    BuyerRole, ComplaintOutcome, LineDraft, NewOrder, NewPackage, OrderAction, OrderDraft,
    OrderState, PackageDraft, Party, PaymentMethod, Rating, Receipt, ReceiptDraft, parse_reason,
    step,
};
use jakpreneur_core::{FieldError, Permission, ValidationErrors};
use jakpreneur_store::media::check_document;
use jakpreneur_store::{
    CatalogueItem, CatalogueQuery, Order, OrderFilter, Package, PaymentUpload, StoreError,
};

use super::Chrome;
use super::ctx::{PageCtx, SignedInPage};
use super::rupiah;

fn rp(n: &i64) -> String {
    rupiah(*n)
}

#[derive(Template)]
#[template(path = "orders/index.html")]
struct IndexPage<'a> {
    c: Chrome<'a>,
    waiting: Vec<Order>,
    /// What the reader's queue is waiting for (a translation key), if it has one.
    waiting_for: Option<&'static str>,
    orders: Vec<Order>,
    /// The id the next (older) page starts below, if there is one.
    older: Option<i64>,
    /// This is a later page.
    paged: bool,
    state: String,
    states: Vec<&'static str>,
}

/// Orders a page of the list shows.
const PAGE: i64 = 50;

impl IndexPage<'_> {
    fn rp(&self, n: &i64) -> String {
        rp(n)
    }
}

/// What an account's queue holds: orders in `state` (with an autodebit waiting for
/// approval, for `approval`), under the heading `label` (a translation key).
pub(crate) struct Queue {
    pub state: OrderState,
    pub approval: bool,
    pub label: &'static str,
}

impl Queue {
    /// The store's filter for the queue, at most `limit` orders.
    pub fn filter(&self, limit: i64) -> OrderFilter {
        OrderFilter {
            state: Some(self.state),
            awaiting_approval: self.approval,
            limit: Some(limit),
            ..Default::default()
        }
    }
}

/// The queue an account works through, if it has one.
pub(crate) fn queue_of(party: Option<BuyerRole>, is_member: bool) -> Option<Queue> {
    let q = |state, label| Queue {
        state,
        approval: false,
        label,
    };
    match (party, is_member) {
        (_, true) => Some(q(OrderState::Submitted, "eorder.waiting_supplier")),
        (Some(BuyerRole::Ppk), _) => Some(q(OrderState::Shipped, "eorder.waiting_receipt")),
        (Some(BuyerRole::Treasurer), _) => Some(q(OrderState::Received, "eorder.waiting_payment")),
        (Some(BuyerRole::PaKpa), _) => Some(Queue {
            state: OrderState::Received,
            approval: true,
            label: "eorder.waiting_approval",
        }),
        (Some(BuyerRole::ProcurementOfficer), _) => {
            Some(q(OrderState::Accepted, "eorder.waiting_delivery"))
        }
        (None, false) => None,
    }
}

pub async fn index(page: SignedInPage, Query(q): Query<HashMap<String, String>>) -> Response {
    let shown = async {
        let actor = page.actor();
        let state = match q.get("state").map(String::as_str).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(OrderState::parse(s).map_err(|e| StoreError::Invalid(e.into()))?),
        };
        let seat = page.app.store.buyer_seat(actor).await?;
        let queue = queue_of(
            seat.map(|s| s.role),
            actor.role == jakpreneur_core::Role::Member,
        );
        let mut waiting = Vec::new();
        if let Some(queue) = &queue {
            waiting = page
                .app
                .store
                .list_orders(actor, &queue.filter(100))
                .await?;
        }
        let before = match q
            .get("before")
            .map(String::as_str)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(b) => Some(
                jakpreneur_core::text::parse_int("before", b, 1, i64::MAX)
                    .map_err(|e| StoreError::Invalid(e.into()))?,
            ),
        };
        let f = OrderFilter {
            state,
            limit: Some(PAGE + 1),
            before,
            ..Default::default()
        };
        let mut orders = page.app.store.list_orders(actor, &f).await?;
        let older = (orders.len() > PAGE as usize).then(|| {
            orders.truncate(PAGE as usize);
            orders.last().map_or(0, |o| o.id)
        });
        Ok::<_, StoreError>(IndexPage {
            c: page.chrome(),
            waiting,
            waiting_for: queue.map(|k| k.label),
            orders,
            older,
            paged: before.is_some(),
            state: state.map(|s| s.as_str().to_owned()).unwrap_or_default(),
            states: OrderState::ALL.iter().map(|s| s.as_str()).collect(),
        })
    }
    .await;
    match shown {
        Ok(p) => page.render(StatusCode::OK, &p),
        Err(e) => page.error(page.chrome(), e),
    }
}

#[derive(Template)]
#[template(path = "orders/show.html")]
struct OrderPage<'a> {
    c: Chrome<'a>,
    o: Order,
    /// The actions the reader may take now.
    actions: Vec<&'static str>,
    can_feedback: bool,
    can_complain: bool,
    can_close: bool,
    /// How the amount due divides if paid today (a received order without payment).
    preview: Option<jakpreneur_core::tax::TaxBreakdown>,
    ocid: String,
    errors: HashMap<String, String>,
    values: HashMap<String, String>,
}

impl OrderPage<'_> {
    fn rp(&self, n: &i64) -> String {
        rp(n)
    }
    fn can(&self, a: &str) -> bool {
        self.actions.contains(&a)
    }
    fn v(&self, k: &str) -> &str {
        self.values.get(k).map_or("", String::as_str)
    }
    fn err(&self, k: &str) -> &str {
        self.errors.get(k).map_or("", String::as_str)
    }
    fn errs(&self) -> Vec<&String> {
        self.errors.values().collect()
    }
    fn percent(&self, bp: &i64) -> String {
        format!("{},{:02}%", bp / 100, bp % 100)
    }
    fn line_amount(&self, price: &i64, q: &i64) -> String {
        rp(&(price * q))
    }
}

async fn order_page<'a>(
    page: &'a PageCtx,
    c: Chrome<'a>,
    id: i64,
) -> Result<OrderPage<'a>, StoreError> {
    let actor = page.actor();
    let o = page.app.store.order(actor, id).await?;
    let party = page.app.store.order_party(actor, &o).await?;
    let pending_autodebit = o
        .payment
        .as_ref()
        .is_some_and(|p| p.state == "pending_approval");
    let actions = OrderAction::ALL
        .iter()
        .filter(|a| step(o.state, **a).is_some_and(|(_, who)| who.contains(&party)))
        .filter(|a| match a {
            OrderAction::PayTransfer | OrderAction::RequestAutodebit => o.payment.is_none(),
            OrderAction::ApprovePayment => pending_autodebit,
            _ => true,
        })
        .map(|a| a.as_str())
        .collect();
    let received = matches!(o.state, OrderState::Received | OrderState::Paid);
    let preview = page
        .app
        .store
        .payment_preview(&o, page.app.clock.today())
        .await?;
    Ok(OrderPage {
        preview,
        c,
        can_feedback: matches!(party, Party::Buyer(_)) && received && o.rating.is_none(),
        can_complain: matches!(party, Party::Buyer(_))
            && !matches!(
                o.state,
                OrderState::Submitted | OrderState::Declined | OrderState::Cancelled
            ),
        can_close: actor.can(Permission::OrderOversee),
        ocid: crate::ocds::ocid(&page.app.ocid_prefix, o.id),
        o,
        actions,
        errors: HashMap::new(),
        values: HashMap::new(),
    })
}

fn parse_id(raw: &str) -> Result<i64, StoreError> {
    raw.parse::<i64>().map_err(|_| StoreError::NotFound)
}

pub async fn show(Path(id): Path<String>, page: SignedInPage) -> Response {
    let shown = match parse_id(&id) {
        Ok(id) => order_page(&page, page.chrome(), id).await,
        Err(e) => Err(e),
    };
    match shown {
        Ok(p) => page.render(StatusCode::OK, &p),
        Err(e) => page.error(page.chrome(), e),
    }
}

/// Ends an order form: back to the order, or its page again with the errors.
async fn finish(
    page: &SignedInPage,
    id: i64,
    outcome: Result<(), StoreError>,
    values: HashMap<String, String>,
) -> Response {
    let at = format!("/orders/{id}");
    let c = || page.chrome_at(&at);
    let reload = async {
        order_page(page, c(), id)
            .await
            .map_err(|e| page.error(c(), e))
    };
    page.after_form(outcome.map(|()| at.clone()), reload, |p, errs| {
        p.errors = errs;
        p.values = values;
    })
    .await
    .unwrap_or_else(|e| page.error(c(), e))
}

/// accept, decline, cancel, ship, receive, rating, complaints.
pub async fn act(
    Path((id, action)): Path<(String, String)>,
    page: SignedInPage,
    body: Bytes,
) -> Response {
    let Ok(id) = parse_id(&id) else {
        return page.error(page.chrome(), StoreError::NotFound);
    };
    let f = super::form(&body);
    let g = |k: &str| f.get(k).cloned();
    let store = &page.app.store;
    let actor = page.actor();
    let today = page.today();
    let outcome: Result<(), StoreError> = async {
        match action.as_str() {
            "accept" | "decline" | "cancel" | "ship" => {
                let a = OrderAction::parse(&action).map_err(|_| StoreError::NotFound)?;
                store
                    .order_step(actor, id, a, g("reason").as_deref(), today)
                    .await?;
            }
            "receive" => {
                let o = store.order(actor, id).await?;
                let lines = o
                    .lines
                    .iter()
                    .map(|l| jakpreneur_core::eorder::ReceivedLineDraft {
                        product_id: Some(l.product_id.to_string()),
                        quantity: g(&format!("received_{}", l.line_no)),
                    })
                    .collect();
                let r = Receipt::parse(
                    &ReceiptDraft {
                        bast_no: g("bast_no"),
                        received_on: g("received_on"),
                        lines: Some(lines),
                        note: g("note"),
                    },
                    today,
                )
                .map_err(StoreError::Invalid)?;
                store.receive_order(actor, id, &r).await?;
            }
            "rating" => {
                let r = Rating::parse(g("stars").as_deref(), g("note").as_deref())
                    .map_err(StoreError::Invalid)?;
                store.rate_order(actor, id, &r, today).await?;
            }
            "complaints" => {
                let text = parse_reason("text", g("text").as_deref())
                    .map_err(|e| StoreError::Invalid(e.into()))?;
                store.complain(actor, id, &text, today).await?;
            }
            _ => return Err(StoreError::NotFound),
        }
        Ok(())
    }
    .await;
    finish(&page, id, outcome, f).await
}

/// The treasurer pays: `transfer` as multipart with the two files (the form's CSRF token
/// travels in its address), or `autodebit` as a plain form.
pub async fn pay(
    Path(id): Path<String>,
    page: SignedInPage,
    headers: HeaderMap,
    req: Request,
) -> Response {
    let Ok(id) = parse_id(&id) else {
        return page.error(page.chrome(), StoreError::NotFound);
    };
    let multipart = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let outcome: Result<(), StoreError> = async {
        if !multipart {
            let body = axum::body::to_bytes(req.into_body(), 64 * 1024)
                .await
                .map_err(|_| {
                    StoreError::invalid("method", "body_invalid", "the form is too large")
                })?;
            let f = super::form(&body);
            let method = PaymentMethod::parse(f.get("method").map_or("", String::as_str))
                .map_err(|e| StoreError::Invalid(e.into()))?;
            if method == PaymentMethod::Transfer {
                return Err(StoreError::invalid(
                    "proof",
                    "required",
                    "a transfer needs the transfer proof and the tax-withholding slip",
                ));
            }
            page.app
                .store
                .pay_order(page.actor(), id, method, None, page.today())
                .await?;
            return Ok(());
        }
        let mut m = Multipart::from_request(req, &()).await.map_err(|_| {
            StoreError::invalid("proof", "multipart_invalid", "the upload is not valid")
        })?;
        let (mut proof, mut slip) = (None, None);
        while let Ok(Some(field)) = m.next_field().await {
            let name = field.name().unwrap_or_default().to_owned();
            let bytes = field.bytes().await.map_err(|_| {
                StoreError::invalid(
                    "proof",
                    "document_too_large",
                    "a file could not be read whole: it is larger than 5 MB",
                )
            })?;
            match name.as_str() {
                "proof" if !bytes.is_empty() => proof = Some(bytes.to_vec()),
                "tax_slip" if !bytes.is_empty() => slip = Some(bytes.to_vec()),
                _ => {}
            }
        }
        let upload = tokio::task::spawn_blocking(move || {
            let mut errs = ValidationErrors::default();
            let proof = errs.take(match proof {
                Some(b) => check_document("proof", &b),
                None => Err(FieldError::required("proof")),
            });
            let slip = errs.take(match slip {
                Some(b) => check_document("tax_slip", &b),
                None => Err(FieldError::required("tax_slip")),
            });
            match (proof, slip) {
                (Some(proof), Some(slip)) if errs.is_empty() => Ok(PaymentUpload { proof, slip }),
                _ => Err(errs),
            }
        })
        .await
        .map_err(|e| StoreError::Unavailable(e.to_string()))?
        .map_err(StoreError::Invalid)?;
        page.app
            .store
            .pay_order(
                page.actor(),
                id,
                PaymentMethod::Transfer,
                Some(&upload),
                page.today(),
            )
            .await?;
        Ok(())
    }
    .await;
    finish(&page, id, outcome, HashMap::new()).await
}

/// The PA/KPA approves an autodebit.
pub async fn approve(Path(id): Path<String>, page: SignedInPage) -> Response {
    let Ok(id) = parse_id(&id) else {
        return page.error(page.chrome(), StoreError::NotFound);
    };
    match page
        .app
        .store
        .approve_payment(page.actor(), id, page.today())
        .await
    {
        Ok(p) => Redirect::to(&format!("/orders/{}", p.order_id)).into_response(),
        Err(e) => page.error(page.chrome(), e),
    }
}

/// Staff close a complaint with its outcome.
pub async fn close_complaint(Path(id): Path<String>, page: SignedInPage, body: Bytes) -> Response {
    let Ok(id) = parse_id(&id) else {
        return page.error(page.chrome(), StoreError::NotFound);
    };
    let f = super::form(&body);
    let order_id = f
        .get("order_id")
        .and_then(|o| o.parse::<i64>().ok())
        .unwrap_or_default();
    let outcome = async {
        let outcome = ComplaintOutcome::parse(f.get("outcome").map_or("", String::as_str))
            .map_err(|e| StoreError::Invalid(e.into()))?;
        let note = parse_reason("outcome_note", f.get("outcome_note").map(String::as_str))
            .map_err(|e| StoreError::Invalid(e.into()))?;
        page.app
            .store
            .close_complaint(page.actor(), id, outcome, &note, page.today())
            .await
            .map(|_| ())
    }
    .await;
    finish(&page, order_id, outcome, f).await
}

#[derive(Template)]
#[template(path = "orders/packages.html")]
struct PackagesPage<'a> {
    c: Chrome<'a>,
    packages: Vec<Package>,
    role: Option<BuyerRole>,
    ppks: Vec<String>,
    officers: Vec<String>,
    me: String,
    errors: HashMap<String, String>,
    values: HashMap<String, String>,
}

impl PackagesPage<'_> {
    fn rp(&self, n: &i64) -> String {
        rp(n)
    }
    fn v(&self, k: &str) -> &str {
        self.values.get(k).map_or("", String::as_str)
    }
    fn err(&self, k: &str) -> &str {
        self.errors.get(k).map_or("", String::as_str)
    }
    fn is_pa(&self) -> bool {
        self.role == Some(BuyerRole::PaKpa)
    }
    fn is_ppk_of(&self, k: &Package) -> bool {
        self.role == Some(BuyerRole::Ppk) && k.ppk.as_deref() == Some(self.me.as_str())
    }
}

async fn packages_page<'a>(
    page: &'a PageCtx,
    c: Chrome<'a>,
) -> Result<PackagesPage<'a>, StoreError> {
    let actor = page.actor();
    let store = &page.app.store;
    Ok(PackagesPage {
        c,
        packages: store.list_packages(actor).await?,
        role: store.buyer_seat(actor).await?.map(|s| s.role),
        ppks: store.unit_accounts(actor, BuyerRole::Ppk).await?,
        officers: store
            .unit_accounts(actor, BuyerRole::ProcurementOfficer)
            .await?,
        me: actor.name.clone(),
        errors: HashMap::new(),
        values: HashMap::new(),
    })
}

pub async fn packages(page: SignedInPage) -> Response {
    match packages_page(&page, page.chrome()).await {
        Ok(p) => page.render(StatusCode::OK, &p),
        Err(e) => page.error(page.chrome(), e),
    }
}

pub async fn create_package(page: SignedInPage, body: Bytes) -> Response {
    let f = super::form(&body);
    let g = |k: &str| f.get(k).cloned();
    let outcome = async {
        let p = NewPackage::parse(&PackageDraft {
            unit: None,
            name: g("name"),
            budget_code: g("budget_code"),
            ceiling: g("ceiling"),
            fiscal_year: g("fiscal_year"),
        })
        .map_err(StoreError::Invalid)?;
        page.app.store.create_package(page.actor(), &p).await?;
        Ok("/packages".to_owned())
    }
    .await;
    packages_form_end(&page, outcome, f).await
}

/// Ends a form of `/packages`: back to it, or the page again with the errors.
async fn packages_form_end(
    page: &SignedInPage,
    outcome: Result<String, StoreError>,
    values: HashMap<String, String>,
) -> Response {
    let c = || page.chrome_at("/packages");
    let reload = async {
        packages_page(page, c())
            .await
            .map_err(|e| page.error(c(), e))
    };
    page.after_form(outcome, reload, |p, errs| {
        p.errors = errs;
        p.values = values;
    })
    .await
    .unwrap_or_else(|e| page.error(c(), e))
}

pub async fn assign_package(Path(id): Path<String>, page: SignedInPage, body: Bytes) -> Response {
    let Ok(id) = parse_id(&id) else {
        return page.error(page.chrome(), StoreError::NotFound);
    };
    let f = super::form(&body);
    let user = f.get("user").cloned().unwrap_or_default();
    let outcome = page
        .app
        .store
        .assign_package(page.actor(), id, &user)
        .await
        .map(|_| "/packages".to_owned());
    packages_form_end(&page, outcome, f).await
}

#[derive(Template)]
#[template(path = "orders/cart.html")]
struct CartPage<'a> {
    c: Chrome<'a>,
    supplier: String,
    business: String,
    items: Vec<CatalogueItem>,
    packages: Vec<Package>,
    /// A fresh key per form: a double-submitted cart places one order.
    key: String,
    errors: HashMap<String, String>,
    values: HashMap<String, String>,
}

impl CartPage<'_> {
    fn rp(&self, n: &i64) -> String {
        rp(n)
    }
    fn v(&self, k: &str) -> &str {
        self.values.get(k).map_or("", String::as_str)
    }
    fn err(&self, k: &str) -> &str {
        self.errors.get(k).map_or("", String::as_str)
    }
    fn qty(&self, id: &i64) -> &str {
        self.v(&format!("qty_{id}"))
    }
}

async fn cart_page<'a>(
    page: &'a PageCtx,
    c: Chrome<'a>,
    supplier: &str,
) -> Result<CartPage<'a>, StoreError> {
    let actor = page.actor();
    if page.app.store.buyer_seat(actor).await?.map(|s| s.role)
        != Some(BuyerRole::ProcurementOfficer)
    {
        return Err(StoreError::Forbidden(
            "only a procurement officer places orders".into(),
        ));
    }
    let q = CatalogueQuery {
        supplier: Some(supplier.trim().to_uppercase()),
        limit: 100,
        ..Default::default()
    };
    let items = page.app.store.catalogue(&q, page.today()).await?.items;
    let business = items
        .first()
        .map(|i| i.business_name.clone())
        .ok_or(StoreError::NotFound)?;
    let packages = page
        .app
        .store
        .list_packages(actor)
        .await?
        .into_iter()
        .filter(|k| k.officer.as_deref() == Some(actor.name.as_str()))
        .collect();
    Ok(CartPage {
        c,
        supplier: supplier.trim().to_uppercase(),
        business,
        items,
        packages,
        key: jakpreneur_store::crypto::random_token("cart"),
        errors: HashMap::new(),
        values: HashMap::new(),
    })
}

pub async fn cart(page: SignedInPage, Query(q): Query<HashMap<String, String>>) -> Response {
    let supplier = q.get("supplier").cloned().unwrap_or_default();
    let at = format!("/belanja?supplier={supplier}");
    match cart_page(&page, page.chrome_at(&at), &supplier).await {
        Ok(p) => page.render(StatusCode::OK, &p),
        Err(e) => page.error(page.chrome(), e),
    }
}

pub async fn place(page: SignedInPage, body: Bytes) -> Response {
    let f = super::form(&body);
    let g = |k: &str| f.get(k).cloned();
    let supplier = g("supplier").unwrap_or_default();
    let lines: Vec<LineDraft> = f
        .iter()
        .filter_map(|(k, v)| {
            let id = k.strip_prefix("qty_")?;
            (!v.trim().is_empty() && v.trim() != "0").then(|| LineDraft {
                product_id: Some(id.to_owned()),
                quantity: Some(v.clone()),
            })
        })
        .collect();
    let outcome = async {
        let o = NewOrder::parse(&OrderDraft {
            package_id: g("package_id"),
            lines,
            delivery_address: g("delivery_address"),
            needed_on: g("needed_on"),
            note: g("note"),
        })
        .map_err(StoreError::Invalid)?;
        let key = g("key").filter(|k| (1..=100).contains(&k.len()));
        let placed = page
            .app
            .store
            .place_order(page.actor(), &o, key.as_deref(), page.today())
            .await?;
        Ok(format!("/orders/{}", placed.order.id))
    }
    .await;
    let at = format!("/belanja?supplier={supplier}");
    let c = || page.chrome_at(&at);
    let reload = async {
        cart_page(&page, c(), &supplier)
            .await
            .map_err(|e| page.error(c(), e))
    };
    page.after_form(outcome, reload, |p, errs| {
        p.errors = errs;
        p.values = f;
    })
    .await
    .unwrap_or_else(|e| page.error(c(), e))
}
