//! e-order under `/api/v1/buyer-units`, `/api/v1/packages`, `/api/v1/orders`,
//! `/api/v1/payments` and `/api/v1/complaints`: government units buy from members' listed
//! products, receive (BAST) and pay; ratings and complaints follow.

use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jakpreneur_core::FieldError;
use jakpreneur_core::eorder::{
    ComplaintOutcome, NewOrder, NewPackage, NewUnit, OrderAction, OrderState, PaymentMethod,
    Rating, Receipt, parse_reason,
};
use jakpreneur_core::text::{given, parse_int};
use jakpreneur_store::media::{check_document, document_content_type};
use jakpreneur_store::{
    BuyerUnit, Complaint, EorderStats, Order, OrderFilter, OrderRating, Package, Payment,
    PaymentUpload,
};

use crate::AppState;
use crate::api::events::idempotency_key;
use crate::auth::{SignedIn, SignedInJson};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::views::{
    AssignPackage, CloseComplaint, ComplaintList, CreateOrder, CreatePackage, CreateUnit,
    EorderStatsQuery, NoParams, OpenComplaint, OrderActionBody, OrderList, OrderParams,
    PackageList, PaymentForm, PaymentJson, RateOrder, UnitList,
};

/// Add a buying unit: a government unit (`opd`) or a provincial company (`bumd`), under
/// its parent unit if it has one (administrators).
#[utoipa::path(
    post, path = "/api/v1/buyer-units", tag = "e-order",
    request_body = CreateUnit,
    responses(
        (status = 201, description = "Added", body = BuyerUnit),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 422, description = "A field is invalid; `unit_code_taken`, `unit_unknown` (parent), `region_unknown`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn create_unit(
    State(app): State<AppState>,
    SignedInJson(actor, b): SignedInJson<CreateUnit>,
) -> ApiResult<Response> {
    let u = NewUnit::parse(&b.draft())?;
    let unit = app.store.create_unit(&actor, &u).await?;
    Ok((StatusCode::CREATED, axum::Json(unit)).into_response())
}

/// Every buying unit, a parent before the units under it.
#[utoipa::path(
    get, path = "/api/v1/buyer-units", tag = "e-order",
    responses(
        (status = 200, description = "Units", body = UnitList),
        (status = 401, description = "No API token", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list_units(
    State(app): State<AppState>,
    ApiQuery(_none): ApiQuery<NoParams>,
    SignedIn(actor): SignedIn,
) -> ApiResult<axum::Json<UnitList>> {
    Ok(axum::Json(UnitList {
        items: app.store.list_units(&actor).await?,
    }))
}

/// Create a package (the unit's PA/KPA; an administrator names the unit).
#[utoipa::path(
    post, path = "/api/v1/packages", tag = "e-order",
    request_body = CreatePackage,
    responses(
        (status = 201, description = "Created", body = Package),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Not the unit's PA/KPA", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn create_package(
    State(app): State<AppState>,
    SignedInJson(actor, b): SignedInJson<CreatePackage>,
) -> ApiResult<Response> {
    let p = NewPackage::parse(&b.draft())?;
    let k = app.store.create_package(&actor, &p).await?;
    Ok((StatusCode::CREATED, axum::Json(k)).into_response())
}

/// The packages of the caller's unit and the units below it.
#[utoipa::path(
    get, path = "/api/v1/packages", tag = "e-order",
    responses(
        (status = 200, description = "Packages", body = PackageList),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Not a buyer account", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list_packages(
    State(app): State<AppState>,
    ApiQuery(_none): ApiQuery<NoParams>,
    SignedIn(actor): SignedIn,
) -> ApiResult<axum::Json<PackageList>> {
    Ok(axum::Json(PackageList {
        items: app.store.list_packages(&actor).await?,
    }))
}

/// One package with what remains of its ceiling.
#[utoipa::path(
    get, path = "/api/v1/packages/{id}", tag = "e-order",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The package", body = Package),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 404, description = "No such package within the caller's units", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn show_package(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(_none): ApiQuery<NoParams>,
    SignedIn(actor): SignedIn,
) -> ApiResult<axum::Json<Package>> {
    Ok(axum::Json(app.store.package(&actor, id).await?))
}

/// Assign a package: the unit's PA/KPA to a PPK of the unit; that PPK to a procurement
/// officer of the unit.
#[utoipa::path(
    post, path = "/api/v1/packages/{id}/assign", tag = "e-order",
    params(("id" = i64, Path)),
    request_body = AssignPackage,
    responses(
        (status = 200, description = "Assigned", body = Package),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Not the PA/KPA, or not the package's PPK", body = ErrorBody),
        (status = 404, description = "No such package within the caller's units", body = ErrorBody),
        (status = 422, description = "`assignee_invalid`: not an active account of the right role in the unit", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn assign_package(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    SignedInJson(actor, b): SignedInJson<AssignPackage>,
) -> ApiResult<axum::Json<Package>> {
    let user = given(b.user.as_deref()).ok_or(FieldError::required("user"))?;
    Ok(axum::Json(
        app.store.assign_package(&actor, id, user).await?,
    ))
}

/// Place an order to one supplier under a package assigned to the caller (a procurement
/// officer). Prices are frozen; stock and the package's money are taken at once. A retry
/// with the same `Idempotency-Key` returns the first order (200).
#[utoipa::path(
    post, path = "/api/v1/orders", tag = "e-order",
    params(("Idempotency-Key" = Option<String>, Header, description = "A retried request with the same key returns the order it created")),
    request_body = CreateOrder,
    responses(
        (status = 201, description = "Placed", body = Order),
        (status = 200, description = "A retry: the order the first request placed", body = Order),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Not a procurement officer, or the package is not assigned to the caller", body = ErrorBody),
        (status = 422, description = "A field is invalid; `over_transaction_limit`, `over_ceiling`, `out_of_stock`, `below_min_order`, `before_lead_time`, `one_supplier`, `product_not_listed`, `package_unknown`, `idempotency_key_reused`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn place_order(
    State(app): State<AppState>,
    headers: HeaderMap,
    SignedInJson(actor, b): SignedInJson<CreateOrder>,
) -> ApiResult<Response> {
    let key = idempotency_key(&headers)?;
    let o = NewOrder::parse(&b.draft())?;
    let placed = app
        .store
        .place_order(&actor, &o, key.as_deref(), app.clock.today())
        .await?;
    let status = if placed.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, axum::Json(placed.order)).into_response())
}

fn order_filter(p: OrderParams) -> ApiResult<OrderFilter> {
    let mut errs = jakpreneur_core::ValidationErrors::default();
    let state = given(p.state.as_deref()).and_then(|s| errs.take(OrderState::parse(s)));
    let package_id = given(p.package_id.as_deref())
        .and_then(|s| errs.take(parse_int("package_id", s, 1, i64::MAX)));
    let limit = given(p.limit.as_deref()).and_then(|s| errs.take(parse_int("limit", s, 1, 500)));
    let before =
        given(p.before.as_deref()).and_then(|s| errs.take(parse_int("before", s, 1, i64::MAX)));
    if !errs.is_empty() {
        return Err(errs.into());
    }
    Ok(OrderFilter {
        state,
        unit: given(p.unit.as_deref()).map(str::to_owned),
        member_no: given(p.member_no.as_deref()).map(str::to_owned),
        package_id,
        limit,
        before,
        awaiting_approval: false,
    })
}

/// The orders the caller may read, newest first: a buyer its unit's and those of the
/// units below; a member its own sales; officers those of suppliers in their region.
#[utoipa::path(
    get, path = "/api/v1/orders", tag = "e-order",
    params(OrderParams),
    responses(
        (status = 200, description = "Orders", body = OrderList),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role takes no part in e-order", body = ErrorBody),
        (status = 422, description = "A filter is invalid", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list_orders(
    State(app): State<AppState>,
    ApiQuery(p): ApiQuery<OrderParams>,
    SignedIn(actor): SignedIn,
) -> ApiResult<axum::Json<OrderList>> {
    let f = order_filter(p)?;
    Ok(axum::Json(OrderList {
        items: app.store.list_orders(&actor, &f).await?,
    }))
}

/// One order with its lines, timeline, payment, rating and complaints.
#[utoipa::path(
    get, path = "/api/v1/orders/{id}", tag = "e-order",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The order", body = Order),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 404, description = "No such order within the caller's reach", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn show_order(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(_none): ApiQuery<NoParams>,
    SignedIn(actor): SignedIn,
) -> ApiResult<axum::Json<Order>> {
    Ok(axum::Json(app.store.order(&actor, id).await?))
}

/// Move an order on: `accept`, `decline` (with `reason`) and `ship` by the supplier;
/// `cancel` (with `reason`) by the procurement officer or PPK before acceptance; `receive`
/// by the PPK with the BAST (`bast_no`, `received_on`, optionally `lines` with the units
/// received and `note` saying why fewer).
#[utoipa::path(
    post, path = "/api/v1/orders/{id}/{action}", tag = "e-order",
    params(("id" = i64, Path), ("action" = String, Path, description = "accept, decline, cancel, ship or receive")),
    request_body = OrderActionBody,
    responses(
        (status = 200, description = "The order after the step", body = Order),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Not this party's step", body = ErrorBody),
        (status = 404, description = "No such order or action", body = ErrorBody),
        (status = 422, description = "`order_state` (the step does not follow from where it stands), or a field", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn order_action(
    State(app): State<AppState>,
    ApiPath((id, action)): ApiPath<(i64, String)>,
    SignedInJson(actor, b): SignedInJson<OrderActionBody>,
) -> ApiResult<axum::Json<Order>> {
    let today = app.clock.today();
    let action = match OrderAction::parse(&action) {
        Ok(
            a @ (OrderAction::Accept
            | OrderAction::Decline
            | OrderAction::Cancel
            | OrderAction::Ship
            | OrderAction::Receive),
        ) => a,
        _ => return Err(ApiError::not_found()),
    };
    let o = if action == OrderAction::Receive {
        let r = Receipt::parse(&b.receipt(), today)?;
        app.store.receive_order(&actor, id, &r).await?
    } else {
        app.store
            .order_step(&actor, id, action, b.reason.as_deref(), today)
            .await?
    };
    Ok(axum::Json(o))
}

/// Reads a payment's fields: `method` and, for a transfer, the files `proof` and
/// `tax_slip`.
async fn payment_fields(
    mut m: Multipart,
) -> Result<(Option<String>, Option<Vec<u8>>, Option<Vec<u8>>), FieldError> {
    let (mut method, mut proof, mut slip) = (None, None, None);
    let broken = || {
        FieldError::new(
            "proof",
            "multipart_invalid",
            "the upload is not valid multipart/form-data, or a file is larger than 5 MB",
        )
    };
    while let Some(field) = m.next_field().await.map_err(|_| broken())? {
        match field.name() {
            Some("method") => method = Some(field.text().await.map_err(|_| broken())?),
            Some("proof") => proof = Some(field.bytes().await.map_err(|_| broken())?.to_vec()),
            Some("tax_slip") => slip = Some(field.bytes().await.map_err(|_| broken())?.to_vec()),
            _ => {}
        }
    }
    Ok((method, proof, slip))
}

/// Pay a received order (its unit's treasurer): `transfer` with the transfer proof and the
/// tax-withholding slip (each a PDF or an image, checked by content), paid at once; or
/// `autodebit` from the unit's account, paid when the PA/KPA approves. The taxes are
/// computed from the amount due, not typed. Never before receipt. A retry with the same
/// method returns the payment already made (200).
#[utoipa::path(
    post, path = "/api/v1/orders/{id}/payments", tag = "e-order",
    params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header, description = "Accepted; an order has one payment, so a retry returns it")),
    request_body(content = PaymentForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Paid, or an autodebit waiting for approval", body = Payment),
        (status = 200, description = "A retry: the payment already made", body = Payment),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Not the unit's treasurer", body = ErrorBody),
        (status = 404, description = "No such order within the caller's reach", body = ErrorBody),
        (status = 422, description = "`order_state` (not received, or already paid), `payment_exists`, `document_type`, a file `required`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn pay(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    SignedIn(actor): SignedIn,
    headers: HeaderMap,
    req: Request,
) -> ApiResult<Response> {
    idempotency_key(&headers)?;
    let multipart = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let (method, proof, slip) = if multipart {
        let m = Multipart::from_request(req, &()).await.map_err(|_| {
            FieldError::new(
                "proof",
                "multipart_invalid",
                "the upload is not valid multipart/form-data",
            )
        })?;
        payment_fields(m).await?
    } else {
        let bytes = axum::body::to_bytes(req.into_body(), 64 * 1024)
            .await
            .map_err(|_| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "body_invalid",
                    "the body could not be read",
                )
            })?;
        let b: PaymentJson = serde_json::from_slice(&bytes).map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "json_invalid",
                format!("the body is not the JSON this endpoint takes: {e}"),
            )
        })?;
        (b.method, None, None)
    };
    let method = PaymentMethod::parse(method.as_deref().unwrap_or(""))?;
    let upload = match (method, proof, slip) {
        (PaymentMethod::Autodebit, _, _) => None,
        (PaymentMethod::Transfer, proof, slip) => {
            let checked = tokio::task::spawn_blocking(move || {
                let mut errs = jakpreneur_core::ValidationErrors::default();
                let proof = errs.take(match proof {
                    Some(b) => check_document("proof", &b),
                    None => Err(FieldError::required("proof")),
                });
                let slip = errs.take(match slip {
                    Some(b) => check_document("tax_slip", &b),
                    None => Err(FieldError::required("tax_slip")),
                });
                match (proof, slip) {
                    (Some(proof), Some(slip)) if errs.is_empty() => {
                        Ok(PaymentUpload { proof, slip })
                    }
                    _ => Err(errs),
                }
            })
            .await
            .map_err(|_| ApiError::internal())??;
            Some(checked)
        }
    };
    let (payment, created) = app
        .store
        .pay_order(&actor, id, method, upload.as_ref(), app.clock.today())
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, axum::Json(payment)).into_response())
}

/// Approve an autodebit (the unit's PA/KPA): the order is paid.
#[utoipa::path(
    post, path = "/api/v1/payments/{id}/approve", tag = "e-order",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "Approved and paid", body = Payment),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Not the unit's PA/KPA", body = ErrorBody),
        (status = 404, description = "No such payment within the caller's reach", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn approve_payment(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    SignedIn(actor): SignedIn,
) -> ApiResult<axum::Json<Payment>> {
    Ok(axum::Json(
        app.store
            .approve_payment(&actor, id, app.clock.today())
            .await?,
    ))
}

/// A transfer's proof (`proof`) or tax-withholding slip (`tax_slip`), as uploaded.
#[utoipa::path(
    get, path = "/api/v1/payments/{id}/{document}", tag = "e-order",
    params(("id" = i64, Path), ("document" = String, Path, description = "proof or tax_slip")),
    responses(
        (status = 200, description = "The file (PDF or image)"),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 404, description = "No such payment or document within the caller's reach", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn payment_document(
    State(app): State<AppState>,
    ApiPath((id, which)): ApiPath<(i64, String)>,
    SignedIn(actor): SignedIn,
) -> ApiResult<Response> {
    let d = app.store.payment_document(&actor, id, &which).await?;
    Ok((
        [
            (header::CONTENT_TYPE, document_content_type(&d.format)),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        d.bytes,
    )
        .into_response())
}

/// Rate a received order, once (an account of the buying unit): 1–5 stars and a note.
#[utoipa::path(
    post, path = "/api/v1/orders/{id}/rating", tag = "e-order",
    params(("id" = i64, Path)),
    request_body = RateOrder,
    responses(
        (status = 201, description = "Rated", body = OrderRating),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Not an account of the buying unit", body = ErrorBody),
        (status = 404, description = "No such order within the caller's reach", body = ErrorBody),
        (status = 422, description = "`order_state` (not received yet), `already_rated`, or a field", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn rate(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    SignedInJson(actor, b): SignedInJson<RateOrder>,
) -> ApiResult<Response> {
    let r = Rating::parse(b.stars.as_deref(), b.note.as_deref())?;
    let rating = app
        .store
        .rate_order(&actor, id, &r, app.clock.today())
        .await?;
    Ok((StatusCode::CREATED, axum::Json(rating)).into_response())
}

/// Complain about an accepted order (an account of the buying unit): opens a case.
#[utoipa::path(
    post, path = "/api/v1/orders/{id}/complaints", tag = "e-order",
    params(("id" = i64, Path)),
    request_body = OpenComplaint,
    responses(
        (status = 201, description = "Opened", body = Complaint),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Not an account of the buying unit", body = ErrorBody),
        (status = 404, description = "No such order within the caller's reach", body = ErrorBody),
        (status = 422, description = "`order_state`, or `text`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn complain(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    SignedInJson(actor, b): SignedInJson<OpenComplaint>,
) -> ApiResult<Response> {
    let text = parse_reason("text", b.text.as_deref())?;
    let c = app
        .store
        .complain(&actor, id, &text, app.clock.today())
        .await?;
    Ok((StatusCode::CREATED, axum::Json(c)).into_response())
}

/// Open complaints about suppliers in the caller's region (programme officers).
#[utoipa::path(
    get, path = "/api/v1/complaints", tag = "e-order",
    responses(
        (status = 200, description = "Open complaints, oldest first", body = ComplaintList),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Not programme staff", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list_complaints(
    State(app): State<AppState>,
    ApiQuery(_none): ApiQuery<NoParams>,
    SignedIn(actor): SignedIn,
) -> ApiResult<axum::Json<ComplaintList>> {
    Ok(axum::Json(ComplaintList {
        items: app.store.open_complaints(&actor).await?,
    }))
}

/// Close a complaint with its outcome, `upheld` or `rejected`, and a note (programme
/// officers whose region holds the supplier).
#[utoipa::path(
    post, path = "/api/v1/complaints/{id}/close", tag = "e-order",
    params(("id" = i64, Path)),
    request_body = CloseComplaint,
    responses(
        (status = 200, description = "Closed", body = Complaint),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Not programme staff", body = ErrorBody),
        (status = 404, description = "No such complaint within the caller's region", body = ErrorBody),
        (status = 422, description = "`complaint_closed`, or a field", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn close_complaint(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    SignedInJson(actor, b): SignedInJson<CloseComplaint>,
) -> ApiResult<axum::Json<Complaint>> {
    let mut errs = jakpreneur_core::ValidationErrors::default();
    let outcome = errs.take(ComplaintOutcome::parse(b.outcome.as_deref().unwrap_or("")));
    let note = errs.take(parse_reason("note", b.note.as_deref()));
    let (Some(outcome), Some(note)) = (outcome, note) else {
        return Err(errs.into());
    };
    Ok(axum::Json(
        app.store
            .close_complaint(&actor, id, outcome, &note, app.clock.today())
            .await?,
    ))
}

/// e-order's figures for the orders paid in a period: spend, orders, suppliers, the share
/// to micro and small businesses against the 40% target, TKDN spend, and days from order
/// to payment; in total and per unit, supplier, district, month or category. Definitions:
/// `GET /api/v1/indicators` (codes `eorder_…`).
#[utoipa::path(
    get, path = "/api/v1/stats/e-order", tag = "statistics",
    params(EorderStatsQuery),
    responses(
        (status = 200, description = "The figures", body = EorderStats),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 422, description = "A malformed date, `to` before `from`, an unknown group", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn stats(
    State(app): State<AppState>,
    ApiQuery(q): ApiQuery<EorderStatsQuery>,
    SignedIn(_actor): SignedIn,
) -> ApiResult<axum::Json<EorderStats>> {
    let (from, to, group) = q.resolve(app.clock.today())?;
    Ok(axum::Json(app.store.eorder_stats(from, to, group).await?))
}
