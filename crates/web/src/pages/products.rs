//! A member's products on pages: `/members/{member_no}/products` (the list, the form to
//! add one, the bank account) and `/products/{id}` (change it, its photos, price history,
//! submissions for curation, listing in the e-order catalogue).

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jakpreneur_core::catalogue::{Category, NewProduct, ProductDraft};
use jakpreneur_core::{Permission, ValidationErrors};
use jakpreneur_store::{
    BankAccount, Call, NewBankAccount, Permit, PricePoint, Product, ProductFilter, StoreError,
    Submission,
};

use super::ctx::{PageCtx, SignedInPage};
use super::{Chrome, rupiah};

/// A product's fields as a form shows them.
fn form_values(d: ProductDraft) -> HashMap<String, String> {
    [
        ("name", d.name),
        ("category", d.category),
        ("description", d.description),
        ("unit", d.unit),
        ("price", d.price),
        ("min_order", d.min_order),
        ("stock", d.stock),
        ("lead_days", d.lead_days),
        ("tkdn_percent", d.tkdn_percent),
        ("halal_permit_id", d.halal_permit_id),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v)))
    .collect()
}

fn draft_of(f: &HashMap<String, String>) -> ProductDraft {
    let g = |k: &str| f.get(k).cloned();
    ProductDraft {
        name: g("name"),
        category: g("category"),
        description: g("description"),
        unit: g("unit"),
        price: g("price"),
        min_order: g("min_order"),
        stock: g("stock"),
        lead_days: g("lead_days"),
        tkdn_percent: g("tkdn_percent"),
        halal_permit_id: g("halal_permit_id"),
    }
}

#[derive(Template)]
#[template(path = "products/member.html")]
struct MemberProducts<'a> {
    c: Chrome<'a>,
    member_no: String,
    items: Vec<Product>,
    bank: Option<BankAccount>,
    permits: Vec<Permit>,
    can_manage: bool,
    categories: Vec<&'static str>,
    errors: HashMap<String, String>,
    values: HashMap<String, String>,
    today: chrono::NaiveDate,
}

impl MemberProducts<'_> {
    fn v(&self, k: &str) -> &str {
        self.values.get(k).map_or("", String::as_str)
    }
    fn err(&self, k: &str) -> &str {
        self.errors.get(k).map_or("", String::as_str)
    }
    fn rp(&self, n: &i64) -> String {
        rupiah(*n)
    }
}

fn halal_permits(all: Vec<Permit>) -> Vec<Permit> {
    all.into_iter()
        .filter(|p| p.status == "issued" && (p.permit_type == "halal" || p.permit_type == "pirt"))
        .collect()
}

async fn member_products_page<'a>(
    page: &'a PageCtx,
    c: Chrome<'a>,
    member_no: &str,
) -> Result<MemberProducts<'a>, StoreError> {
    let store = &page.app.store;
    let actor = page.actor();
    let bank = store.bank_account(actor, member_no).await?;
    let items = store
        .list_products(
            actor,
            &ProductFilter {
                member_no: Some(member_no.to_owned()),
                listed: None,
                limit: 1000,
            },
        )
        .await?;
    let permits = halal_permits(store.list_permits(actor, member_no).await?);
    Ok(MemberProducts {
        c,
        member_no: member_no.to_owned(),
        items,
        bank,
        permits,
        can_manage: actor.can(Permission::ProductManage),
        categories: Category::ALL.iter().map(|c| c.as_str()).collect(),
        errors: HashMap::new(),
        values: HashMap::new(),
        today: page.today(),
    })
}

pub async fn member_products(Path(member_no): Path<String>, page: SignedInPage) -> Response {
    match member_products_page(&page, page.chrome(), &member_no).await {
        Ok(shown) => page.render(StatusCode::OK, &shown),
        Err(e) => page.error(page.chrome(), e),
    }
}

pub async fn create(Path(member_no): Path<String>, page: SignedInPage, body: Bytes) -> Response {
    let at = format!("/members/{member_no}/products");
    let c = || page.chrome_at(&at);
    let f = super::form(&body);
    let outcome = match NewProduct::parse(&draft_of(&f)) {
        Ok(p) => page
            .app
            .store
            .create_product(page.actor(), &member_no, &p)
            .await
            .map(|p| format!("/products/{}", p.id)),
        Err(errs) => Err(StoreError::Invalid(errs)),
    };
    let reload = async {
        member_products_page(&page, c(), &member_no)
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

pub async fn bank_account(
    Path(member_no): Path<String>,
    page: SignedInPage,
    body: Bytes,
) -> Response {
    let at = format!("/members/{member_no}/products");
    let c = || page.chrome_at(&at);
    let f = super::form(&body);
    let g = |k: &str| f.get(k).map(String::as_str);
    let tax = (g("vat_registered").is_some(), g("umkm_final").is_some());
    let outcome = match NewBankAccount::parse(g("bank"), g("account_name"), g("account_no"))
        .map(|b| b.with_tax(tax.0, tax.1))
    {
        Ok(b) => page
            .app
            .store
            .set_bank_account(page.actor(), &member_no, &b)
            .await
            .map(|_| at.clone()),
        Err(errs) => Err(StoreError::Invalid(errs)),
    };
    let reload = async {
        member_products_page(&page, c(), &member_no)
            .await
            .map_err(|e| page.error(c(), e))
    };
    page.after_form(outcome, reload, |p, errs| {
        p.errors = errs;
        // The account number is personal data: never sent back into the page.
        p.values = f
            .iter()
            .filter(|(k, _)| k.as_str() != "account_no")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
    })
    .await
    .unwrap_or_else(|e| page.error(c(), e))
}

#[derive(Template)]
#[template(path = "products/show.html")]
struct ProductPage<'a> {
    c: Chrome<'a>,
    p: Product,
    prices: Vec<PricePoint>,
    submissions: Vec<Submission>,
    open_calls: Vec<Call>,
    permits: Vec<Permit>,
    can_manage: bool,
    categories: Vec<&'static str>,
    errors: HashMap<String, String>,
    values: HashMap<String, String>,
    today: chrono::NaiveDate,
}

impl ProductPage<'_> {
    fn v(&self, k: &str) -> &str {
        self.values.get(k).map_or("", String::as_str)
    }
    fn err(&self, k: &str) -> &str {
        self.errors.get(k).map_or("", String::as_str)
    }
    fn general(&self) -> Vec<&String> {
        let fields = [
            "name",
            "category",
            "description",
            "unit",
            "price",
            "min_order",
            "stock",
            "lead_days",
            "tkdn_percent",
            "halal_permit_id",
        ];
        self.errors
            .iter()
            .filter(|(k, _)| !fields.contains(&k.as_str()))
            .map(|(_, v)| v)
            .collect()
    }
    fn rp(&self, n: &i64) -> String {
        rupiah(*n)
    }
    fn listing_state(&self) -> &'static str {
        self.p.listing_state(self.today)
    }
}

async fn product_page<'a>(
    page: &'a PageCtx,
    c: Chrome<'a>,
    id: i64,
) -> Result<ProductPage<'a>, StoreError> {
    let store = &page.app.store;
    let actor = page.actor();
    let p = store.product(actor, id).await?;
    let today = page.today();
    let submissions = store.submissions_of(actor, None, Some(id)).await?;
    // Open calls the product is not in yet.
    let open_calls = store
        .list_calls(actor, today)
        .await?
        .into_iter()
        .filter(|k| k.state == "open" && !submissions.iter().any(|s| s.call_id == k.id))
        .collect();
    Ok(ProductPage {
        c,
        prices: store.price_history(actor, id).await?,
        submissions,
        permits: halal_permits(store.list_permits(actor, &p.member_no).await?),
        open_calls,
        can_manage: actor.can(Permission::ProductManage),
        categories: Category::ALL.iter().map(|c| c.as_str()).collect(),
        errors: HashMap::new(),
        values: form_values(p.draft()),
        today,
        p,
    })
}

fn parse_id(raw: &str) -> Result<i64, StoreError> {
    raw.parse::<i64>().map_err(|_| StoreError::NotFound)
}

pub async fn show(Path(id): Path<String>, page: SignedInPage) -> Response {
    let shown = match parse_id(&id) {
        Ok(id) => product_page(&page, page.chrome(), id).await,
        Err(e) => Err(e),
    };
    match shown {
        Ok(shown) => page.render(StatusCode::OK, &shown),
        Err(e) => page.error(page.chrome(), e),
    }
}

/// Ends a product form: back to the product page, or the page again with the errors.
async fn finish(
    page: &PageCtx,
    id: i64,
    outcome: Result<String, StoreError>,
    f: HashMap<String, String>,
) -> Response {
    let at = format!("/products/{id}");
    let c = || page.chrome_at(&at);
    let reload = async {
        product_page(page, c(), id)
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

pub async fn update(Path(id): Path<String>, page: SignedInPage, body: Bytes) -> Response {
    let Ok(id) = parse_id(&id) else {
        return page.error(page.chrome(), StoreError::NotFound);
    };
    let f = super::form(&body);
    let version = f.get("version").and_then(|v| v.parse::<i64>().ok());
    let outcome = page
        .app
        .store
        .update_product(page.actor(), id, &draft_of(&f), version)
        .await
        .map(|_| format!("/products/{id}"));
    let outcome = match outcome {
        Err(StoreError::StaleVersion { .. }) => Err(StoreError::Invalid(ValidationErrors::from(
            jakpreneur_core::FieldError::new(
                "form",
                "stale_version",
                "someone changed this product since you opened it; the page now shows their change",
            ),
        ))),
        o => o,
    };
    finish(&page, id, outcome, f).await
}

/// A photo from the page's file form (`multipart/form-data`, CSRF token in the address).
pub async fn upload(
    Path(id): Path<String>,
    page: SignedInPage,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let Ok(id) = parse_id(&id) else {
        return page.error(page.chrome(), StoreError::NotFound);
    };
    if let Err(e) = page.app.store.check_product_write(page.actor(), id).await {
        return page.error(page.chrome(), e);
    }
    let outcome = async {
        let multipart = multipart.map_err(|_| {
            StoreError::Invalid(
                jakpreneur_core::FieldError::new(
                    "photo",
                    "multipart_required",
                    "choose a photo file to upload",
                )
                .into(),
            )
        })?;
        let bytes = crate::api::catalogue::photo_bytes(multipart)
            .await
            .map_err(|e| StoreError::Invalid(e.into()))?;
        let checked = tokio::task::spawn_blocking(move || {
            jakpreneur_store::media::check_photo("photo", &bytes)
        })
        .await
        .map_err(|_| StoreError::Unavailable("photo check stopped".into()))?
        .map_err(|e| StoreError::Invalid(e.into()))?;
        page.app.store.add_photo(page.actor(), id, &checked).await?;
        Ok(format!("/products/{id}#photos"))
    }
    .await;
    finish(&page, id, outcome, HashMap::new()).await
}

pub async fn remove_photo(
    Path((id, position)): Path<(String, String)>,
    page: SignedInPage,
) -> Response {
    let (Ok(id), Ok(position)) = (parse_id(&id), parse_id(&position)) else {
        return page.error(page.chrome(), StoreError::NotFound);
    };
    match page
        .app
        .store
        .remove_photo(page.actor(), id, position)
        .await
    {
        Ok(_) => Redirect::to(&format!("/products/{id}#photos")).into_response(),
        Err(e) => finish(&page, id, Err(e), HashMap::new()).await,
    }
}

pub async fn list(Path(id): Path<String>, page: SignedInPage) -> Response {
    let Ok(id) = parse_id(&id) else {
        return page.error(page.chrome(), StoreError::NotFound);
    };
    let outcome = page
        .app
        .store
        .list_product(page.actor(), id, page.today())
        .await
        .map(|_| format!("/products/{id}#listing"));
    finish(&page, id, outcome, HashMap::new()).await
}

pub async fn delist(Path(id): Path<String>, page: SignedInPage) -> Response {
    let Ok(id) = parse_id(&id) else {
        return page.error(page.chrome(), StoreError::NotFound);
    };
    let outcome = page
        .app
        .store
        .delist_product(page.actor(), id, page.today())
        .await
        .map(|_| format!("/products/{id}#listing"));
    finish(&page, id, outcome, HashMap::new()).await
}

pub async fn submit(Path(id): Path<String>, page: SignedInPage, body: Bytes) -> Response {
    let Ok(id) = parse_id(&id) else {
        return page.error(page.chrome(), StoreError::NotFound);
    };
    let f = super::form(&body);
    let outcome = match f.get("call_id").and_then(|c| c.parse::<i64>().ok()) {
        None => Err(StoreError::Invalid(
            jakpreneur_core::FieldError::required("call_id").into(),
        )),
        Some(call) => page
            .app
            .store
            .submit_to_call(page.actor(), call, id, page.today())
            .await
            .map(|s| format!("/curation/submissions/{}", s.id)),
    };
    finish(&page, id, outcome, f).await
}
