//! `/api/v1/members`: register (P1), list, read, correct, withdraw.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jakpreneur_core::member::parse_withdrawal_reason;
use jakpreneur_core::{MemberDraft, MemberPatch, NewMember};
use jakpreneur_store::Member;

use crate::AppState;
use crate::auth::{SignedIn, SignedInJson};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiPath, ApiQuery, IfMatch, if_match};
use crate::params::parse_member_query;
use crate::views::{
    EraseMember, MemberExportView, MemberList, MemberQuery, MemberView, RegisterMember,
    RevealQuery, UpdateMember, WithdrawMember,
};

fn etag(m: &Member) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{}\"", m.version))
        .unwrap_or(HeaderValue::from_static("\"0\""))
}

fn member_response(status: StatusCode, m: Member) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(header::ETAG, etag(&m));
    if status == StatusCode::CREATED
        && let Ok(loc) = HeaderValue::from_str(&format!("/api/v1/members/{}", m.member_no))
    {
        headers.insert(header::LOCATION, loc);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    (status, headers, axum::Json(MemberView::from(m))).into_response()
}

/// Register a member (facility P1).
#[utoipa::path(
    post, path = "/api/v1/members", tag = "members",
    request_body = RegisterMember,
    responses(
        (status = 201, description = "Registered", body = MemberView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB", body = ErrorBody),
        (status = 415, description = "Body not sent as UTF-8 JSON", body = ErrorBody),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not register, or the village is outside its region", body = ErrorBody),
        (status = 409, description = "`duplicate_nik`: the NIK is registered; `member_no` names the member when it lies in the caller's region", body = ErrorBody),
        (status = 422, description = "A field is invalid; `field` names it", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn register_member(
    State(app): State<AppState>,
    SignedInJson(actor, body): SignedInJson<RegisterMember>,
) -> ApiResult<Response> {
    let draft = MemberDraft::from(body);
    let new = NewMember::parse_registration(&draft, app.clock.today())?;
    let m = app.store.register_member(&actor, &new).await?;
    Ok(member_response(StatusCode::CREATED, m))
}

/// List members, most recently recorded first, with keyset pages.
#[utoipa::path(
    get, path = "/api/v1/members", tag = "members",
    params(MemberQuery),
    responses(
        (status = 200, description = "A page of members in the caller's region (NIK masked)", body = MemberList),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not read members", body = ErrorBody),
        (status = 422, description = "A filter is invalid", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list_members(
    State(app): State<AppState>,
    ApiQuery(q): ApiQuery<MemberQuery>,
    SignedIn(actor): SignedIn,
) -> ApiResult<axum::Json<MemberList>> {
    let (filter, page) = parse_member_query(&q)?;
    let p = app.store.list_members(&actor, &filter, page).await?;
    Ok(axum::Json(MemberList {
        items: p.items.into_iter().map(MemberView::from).collect(),
        next: p.next.map(|n| n.to_string()),
    }))
}

/// Read one member.
#[utoipa::path(
    get, path = "/api/v1/members/{member_no}", tag = "members",
    params(("member_no" = String, Path, example = "JP-3171-0000123"), RevealQuery),
    responses(
        (status = 200, description = "The member; `ETag` carries the version. The NIK is masked unless `reveal=nik` (audited)", body = MemberView),
        (status = 400, description = "The member number is not UTF-8", body = ErrorBody),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not read members, or not see NIKs", body = ErrorBody),
        (status = 404, description = "No such member in the caller's region", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn get_member(
    State(app): State<AppState>,
    ApiPath(member_no): ApiPath<String>,
    ApiQuery(q): ApiQuery<RevealQuery>,
    SignedIn(actor): SignedIn,
) -> ApiResult<Response> {
    let reveal = q.reveal()?;
    let m = app.store.get_member(&actor, &member_no, reveal).await?;
    Ok(member_response(StatusCode::OK, m))
}

/// Correct a member. Requires `If-Match: <version>`; a stale version changes nothing.
#[utoipa::path(
    patch, path = "/api/v1/members/{member_no}", tag = "members",
    params(
        ("member_no" = String, Path),
        ("If-Match" = String, Header, description = "The version read, e.g. \"3\", or * for any"),
    ),
    request_body = UpdateMember,
    responses(
        (status = 200, description = "Corrected", body = MemberView),
        (status = 400, description = "Malformed JSON, or a path or If-Match that cannot be read", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB", body = ErrorBody),
        (status = 415, description = "Body not sent as UTF-8 JSON", body = ErrorBody),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not correct members, or the member (or its new village) is outside its region", body = ErrorBody),
        (status = 404, description = "No such member", body = ErrorBody),
        (status = 409, description = "`stale_version`, `duplicate_nik` or `member_erased`", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = ErrorBody),
        (status = 428, description = "If-Match missing", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn update_member(
    State(app): State<AppState>,
    ApiPath(member_no): ApiPath<String>,
    headers: HeaderMap,
    SignedInJson(actor, body): SignedInJson<UpdateMember>,
) -> ApiResult<Response> {
    let condition = if_match(&headers)?.ok_or_else(|| {
        ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            "if_match_required",
            "send If-Match with the version you read (the ETag of GET /api/v1/members/{member_no})",
        )
        .with_field("If-Match")
    })?;
    let patch = MemberPatch::from(body);
    if patch.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "empty_patch",
            "send at least one field to change",
        ));
    }
    let expected = match condition {
        IfMatch::Any => None,
        IfMatch::Version(v) => Some(v),
    };
    let m = app
        .store
        .update_member(&actor, &member_no, expected, &patch, app.clock.today())
        .await?;
    Ok(member_response(StatusCode::OK, m))
}

/// Withdraw a member: the record stays, its status becomes `withdrawn`.
#[utoipa::path(
    post, path = "/api/v1/members/{member_no}/withdraw", tag = "members",
    params(
        ("member_no" = String, Path),
        ("If-Match" = Option<String>, Header, description = "Optional: the version read"),
    ),
    request_body = WithdrawMember,
    responses(
        (status = 200, description = "Withdrawn", body = MemberView),
        (status = 400, description = "Malformed JSON, or a path or If-Match that cannot be read", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB", body = ErrorBody),
        (status = 415, description = "Body not sent as UTF-8 JSON", body = ErrorBody),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not withdraw members, or the member is outside its region", body = ErrorBody),
        (status = 404, description = "No such member", body = ErrorBody),
        (status = 409, description = "`already_withdrawn`, `stale_version` or `member_erased`", body = ErrorBody),
        (status = 422, description = "Reason missing or invalid", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn withdraw_member(
    State(app): State<AppState>,
    ApiPath(member_no): ApiPath<String>,
    headers: HeaderMap,
    SignedInJson(actor, body): SignedInJson<WithdrawMember>,
) -> ApiResult<Response> {
    let expected = if_match(&headers)?.and_then(IfMatch::version);
    let reason = parse_withdrawal_reason(body.reason.as_deref())?;
    let m = app
        .store
        .withdraw_member(&actor, &member_no, &reason, app.clock.today(), expected)
        .await?;
    Ok(member_response(StatusCode::OK, m))
}

/// Download everything held about a member as JSON (UU 27/2022): the record, linked
/// accounts and the record's audit trail. The download is itself audited.
#[utoipa::path(
    get, path = "/api/v1/members/{member_no}/export", tag = "members",
    params(("member_no" = String, Path)),
    responses(
        (status = 200, description = "All data held about the member", body = MemberExportView),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "The role may not export", body = ErrorBody),
        (status = 404, description = "No such member in the caller's region", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn export_member(
    State(app): State<AppState>,
    ApiPath(member_no): ApiPath<String>,
    SignedIn(actor): SignedIn,
) -> ApiResult<Response> {
    let export = app.store.export_member(&actor, &member_no).await?;
    let disposition = format!("attachment; filename=\"{}.json\"", export.member.member_no);
    let mut res = axum::Json(MemberExportView::from(export)).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

/// Erase a member's personal data. The member number and the anonymous facts statistics
/// need (region, sector, sex, dates, status) stay, so published counts do not change.
#[utoipa::path(
    post, path = "/api/v1/members/{member_no}/erase", tag = "members",
    params(("member_no" = String, Path)),
    request_body = EraseMember,
    responses(
        (status = 200, description = "Erased", body = MemberView),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Only an administrator may erase", body = ErrorBody),
        (status = 404, description = "No such member", body = ErrorBody),
        (status = 409, description = "`member_erased`: already erased", body = ErrorBody),
        (status = 422, description = "Reason missing or invalid", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn erase_member(
    State(app): State<AppState>,
    ApiPath(member_no): ApiPath<String>,
    SignedInJson(actor, body): SignedInJson<EraseMember>,
) -> ApiResult<Response> {
    let reason = parse_withdrawal_reason(body.reason.as_deref())?;
    let m = app
        .store
        .erase_member(&actor, &member_no, &reason, app.clock.today())
        .await?;
    Ok(member_response(StatusCode::OK, m))
}
