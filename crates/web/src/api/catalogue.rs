//! A member's products (`/api/v1/members/{member_no}/products`, `/api/v1/products/{id}`),
//! their photos, price history and listing, the member's bank account, and the public
//! catalogue (`/api/v1/catalogue`, no login).

use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use jakpreneur_core::catalogue::NewProduct;
use jakpreneur_store::{BankAccount, NewBankAccount, PricePoint, ProductFilter};

use crate::AppState;
use crate::auth::{SignedIn, SignedInJson};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiPath, ApiQuery, IfMatch, if_match};
use crate::params::parse_catalogue_query;
use crate::views::{
    BankAccountBody, CataloguePageView, CatalogueParams, NoParams, PhotoUpload, ProductBody,
    ProductList, ProductView,
};

fn product_response(status: StatusCode, p: ProductView) -> Response {
    let etag = format!("\"{}\"", p.product.version);
    (status, [(axum::http::header::ETAG, etag)], axum::Json(p)).into_response()
}

/// Add a product to a member (the member itself, or staff of its region).
#[utoipa::path(
    post, path = "/api/v1/members/{member_no}/products", tag = "catalogue",
    params(("member_no" = String, Path)),
    request_body = ProductBody,
    responses(
        (status = 201, description = "Created", body = ProductView),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Not allowed, or the member is outside the caller's region", body = ErrorBody),
        (status = 404, description = "No such member", body = ErrorBody),
        (status = 422, description = "A field is invalid (each is named)", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn create_product(
    State(app): State<AppState>,
    ApiPath(member_no): ApiPath<String>,
    SignedInJson(actor, b): SignedInJson<ProductBody>,
) -> ApiResult<Response> {
    let p = NewProduct::parse(&b.draft())?;
    let made = app.store.create_product(&actor, &member_no, &p).await?;
    Ok(product_response(
        StatusCode::CREATED,
        ProductView::new(made, app.clock.today()),
    ))
}

/// A member's products, newest first.
#[utoipa::path(
    get, path = "/api/v1/members/{member_no}/products", tag = "catalogue",
    params(("member_no" = String, Path)),
    responses(
        (status = 200, description = "Products", body = ProductList),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not read members", body = ErrorBody),
        (status = 404, description = "No such member within the caller's region", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn member_products(
    State(app): State<AppState>,
    ApiPath(member_no): ApiPath<String>,
    ApiQuery(_none): ApiQuery<NoParams>,
    SignedIn(actor): SignedIn,
) -> ApiResult<axum::Json<ProductList>> {
    app.store.member_reached(&actor, &member_no).await?;
    let items = app
        .store
        .list_products(
            &actor,
            &ProductFilter {
                member_no: Some(member_no),
                listed: None,
                limit: 1000,
            },
        )
        .await?;
    let today = app.clock.today();
    Ok(axum::Json(ProductList {
        items: items
            .into_iter()
            .map(|p| ProductView::new(p, today))
            .collect(),
    }))
}

/// One product (staff of the member's region, and the member).
#[utoipa::path(
    get, path = "/api/v1/products/{id}", tag = "catalogue",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The product; ETag is its version", body = ProductView),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not read members", body = ErrorBody),
        (status = 404, description = "No such product within the caller's region", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn show_product(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(_none): ApiQuery<NoParams>,
    SignedIn(actor): SignedIn,
) -> ApiResult<Response> {
    let p = app.store.product(&actor, id).await?;
    Ok(product_response(
        StatusCode::OK,
        ProductView::new(p, app.clock.today()),
    ))
}

/// Change a product: send only the fields to change (`null` clears stock, TKDN or the
/// permit). `If-Match` with the version read refuses a stale change. Changing name,
/// category or unit suspends the listing until the product is curated again; price and
/// stock do not.
#[utoipa::path(
    patch, path = "/api/v1/products/{id}", tag = "catalogue",
    params(
        ("id" = i64, Path),
        ("If-Match" = Option<String>, Header, description = "The version read, e.g. \"3\""),
    ),
    request_body = ProductBody,
    responses(
        (status = 200, description = "Changed", body = ProductView),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Not allowed, or outside the caller's region", body = ErrorBody),
        (status = 404, description = "No such product", body = ErrorBody),
        (status = 409, description = "Changed since it was read (`stale_version`)", body = ErrorBody),
        (status = 422, description = "A field is invalid, or nothing was sent", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn update_product(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    headers: HeaderMap,
    SignedInJson(actor, b): SignedInJson<ProductBody>,
) -> ApiResult<Response> {
    let expected = if_match(&headers)?.and_then(IfMatch::version);
    if b.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "empty_patch",
            "send at least one field to change",
        ));
    }
    let p = app
        .store
        .update_product(&actor, id, &b.draft(), expected)
        .await?;
    Ok(product_response(
        StatusCode::OK,
        ProductView::new(p, app.clock.today()),
    ))
}

/// Reads the one file of a photo upload (field `photo`).
pub(crate) async fn photo_bytes(mut m: Multipart) -> Result<Vec<u8>, jakpreneur_core::FieldError> {
    use jakpreneur_core::FieldError;
    while let Some(field) = m.next_field().await.map_err(|_| {
        FieldError::new(
            "photo",
            "multipart_invalid",
            "the upload is not valid multipart/form-data",
        )
    })? {
        if field.name() == Some("photo") {
            let bytes = field.bytes().await.map_err(|_| {
                FieldError::new(
                    "photo",
                    "photo_too_large",
                    "the photo could not be read whole: it is larger than 5 MB or the upload broke off",
                )
            })?;
            return Ok(bytes.to_vec());
        }
    }
    Err(FieldError::new(
        "photo",
        "required",
        "send the photo as the multipart field `photo`",
    ))
}

/// Add a photo (JPEG, PNG or WebP, at most 5 MB, at most 6 a product), sent as
/// `multipart/form-data` in the field `photo`. The content decides the format, not the
/// name; the photo is re-encoded without its metadata (no EXIF location) and gets a
/// thumbnail. A new photo suspends the listing until the product is curated again.
#[utoipa::path(
    post, path = "/api/v1/products/{id}/photos", tag = "catalogue",
    params(("id" = i64, Path)),
    request_body(content = PhotoUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Added", body = ProductView),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Not allowed, or outside the caller's region", body = ErrorBody),
        (status = 404, description = "No such product", body = ErrorBody),
        (status = 413, description = "Over the size limit", body = ErrorBody),
        (status = 422, description = "`photo_type`, `photo_corrupt`, `photo_too_large`, `photo_dimensions`, `too_many_photos`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn upload_photo(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    SignedIn(actor): SignedIn,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<Response> {
    app.store.check_product_write(&actor, id).await?;
    let multipart = multipart.map_err(|_| {
        jakpreneur_core::FieldError::new(
            "photo",
            "multipart_required",
            "send the photo as multipart/form-data in the field `photo`",
        )
    })?;
    let bytes = photo_bytes(multipart).await?;
    let checked =
        tokio::task::spawn_blocking(move || jakpreneur_store::media::check_photo("photo", &bytes))
            .await
            .map_err(|_| ApiError::internal())??;
    let p = app.store.add_photo(&actor, id, &checked).await?;
    Ok(product_response(
        StatusCode::CREATED,
        ProductView::new(p, app.clock.today()),
    ))
}

/// Remove the photo at a position (1–6).
#[utoipa::path(
    delete, path = "/api/v1/products/{id}/photos/{position}", tag = "catalogue",
    params(("id" = i64, Path), ("position" = i64, Path)),
    responses(
        (status = 200, description = "Removed", body = ProductView),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Not allowed, or outside the caller's region", body = ErrorBody),
        (status = 404, description = "No such product or photo", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn remove_photo(
    State(app): State<AppState>,
    ApiPath((id, position)): ApiPath<(i64, i64)>,
    SignedIn(actor): SignedIn,
) -> ApiResult<Response> {
    let p = app.store.remove_photo(&actor, id, position).await?;
    Ok(product_response(
        StatusCode::OK,
        ProductView::new(p, app.clock.today()),
    ))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PriceHistory {
    pub items: Vec<PricePoint>,
}

/// The product's prices, oldest first (what a buyer paid on a given day).
#[utoipa::path(
    get, path = "/api/v1/products/{id}/prices", tag = "catalogue",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "Prices", body = PriceHistory),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 404, description = "No such product within the caller's region", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn prices(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(_none): ApiQuery<NoParams>,
    SignedIn(actor): SignedIn,
) -> ApiResult<axum::Json<PriceHistory>> {
    Ok(axum::Json(PriceHistory {
        items: app.store.price_history(&actor, id).await?,
    }))
}

/// List the product in the e-order catalogue. Needs a curation certificate in force and
/// the member's issued NIB and NPWP and a bank account; each missing one is a 422 error
/// with its code (`not_curated`, `no_nib`, `no_npwp`, `no_bank_account`). Writes the
/// member's `catalogue_listing` (P5).
#[utoipa::path(
    post, path = "/api/v1/products/{id}/listing", tag = "catalogue",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "Listed (or already listed)", body = ProductView),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Not allowed, or outside the caller's region", body = ErrorBody),
        (status = 404, description = "No such product", body = ErrorBody),
        (status = 422, description = "A requirement is missing (one error each)", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list_product(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    SignedIn(actor): SignedIn,
) -> ApiResult<Response> {
    let today = app.clock.today();
    let p = app.store.list_product(&actor, id, today).await?;
    Ok(product_response(StatusCode::OK, ProductView::new(p, today)))
}

/// Take the product out of the catalogue.
#[utoipa::path(
    delete, path = "/api/v1/products/{id}/listing", tag = "catalogue",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "Not listed", body = ProductView),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Not allowed, or outside the caller's region", body = ErrorBody),
        (status = 404, description = "No such product", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn delist_product(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    SignedIn(actor): SignedIn,
) -> ApiResult<Response> {
    let today = app.clock.today();
    let p = app.store.delist_product(&actor, id, today).await?;
    Ok(product_response(StatusCode::OK, ProductView::new(p, today)))
}

/// Record or replace the member's bank account (the number is stored encrypted and
/// shown masked).
#[utoipa::path(
    put, path = "/api/v1/members/{member_no}/bank-account", tag = "catalogue",
    params(("member_no" = String, Path)),
    request_body = BankAccountBody,
    responses(
        (status = 200, description = "Recorded", body = BankAccount),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Not allowed, or outside the caller's region", body = ErrorBody),
        (status = 404, description = "No such member", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn set_bank_account(
    State(app): State<AppState>,
    ApiPath(member_no): ApiPath<String>,
    SignedInJson(actor, b): SignedInJson<BankAccountBody>,
) -> ApiResult<axum::Json<BankAccount>> {
    let (vat, umkm) = (
        b.vat_registered.unwrap_or(false),
        b.umkm_final.unwrap_or(false),
    );
    let b = NewBankAccount::parse(
        b.bank.as_deref(),
        b.account_name.as_deref(),
        b.account_no.as_deref(),
    )?
    .with_tax(vat, umkm);
    Ok(axum::Json(
        app.store.set_bank_account(&actor, &member_no, &b).await?,
    ))
}

/// The member's bank account, masked.
#[utoipa::path(
    get, path = "/api/v1/members/{member_no}/bank-account", tag = "catalogue",
    params(("member_no" = String, Path)),
    responses(
        (status = 200, description = "The account, or null when none is recorded", body = Option<BankAccount>),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 404, description = "No such member within the caller's region", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn bank_account(
    State(app): State<AppState>,
    ApiPath(member_no): ApiPath<String>,
    ApiQuery(_none): ApiQuery<NoParams>,
    SignedIn(actor): SignedIn,
) -> ApiResult<axum::Json<Option<BankAccount>>> {
    Ok(axum::Json(
        app.store.bank_account(&actor, &member_no).await?,
    ))
}

/// The public e-catalogue: listed products with a certificate in force. No login; no
/// personal data.
#[utoipa::path(
    get, path = "/api/v1/catalogue", tag = "catalogue",
    params(CatalogueParams),
    responses(
        (status = 200, description = "One page and the total", body = CataloguePageView),
        (status = 422, description = "A filter is invalid", body = ErrorBody),
    )
)]
pub async fn catalogue(
    State(app): State<AppState>,
    ApiQuery(q): ApiQuery<CatalogueParams>,
) -> ApiResult<axum::Json<CataloguePageView>> {
    let c = parse_catalogue_query(&q)?;
    let page = app.store.catalogue(&c, app.clock.today()).await?;
    Ok(axum::Json(CataloguePageView {
        total: page.total,
        page: c.offset / c.limit + 1,
        limit: c.limit,
        items: page.items,
    }))
}

/// One product of the public catalogue, with its photos.
#[utoipa::path(
    get, path = "/api/v1/catalogue/{id}", tag = "catalogue",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The product", body = jakpreneur_store::CatalogueItem),
        (status = 404, description = "Not in the catalogue", body = ErrorBody),
    )
)]
pub async fn catalogue_item(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(_none): ApiQuery<NoParams>,
) -> ApiResult<axum::Json<jakpreneur_store::CatalogueItem>> {
    Ok(axum::Json(
        app.store.catalogue_item(id, app.clock.today()).await?,
    ))
}
