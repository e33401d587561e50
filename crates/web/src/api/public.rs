//! `/api/v1/public/membership`: is this business a member? Open to anyone, rate limited,
//! and never shows personal data.

use axum::extract::State;
use axum::http::StatusCode;
use jakpreneur_core::reference::reference;

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiQuery;
use crate::views::{PublicMemberView, PublicMembership, PublicQuery};

/// Checks the query: a member number, or 3–100 characters of a business name.
pub fn parse_public_query(q: Option<&str>) -> ApiResult<String> {
    let q = q.map(str::trim).unwrap_or_default();
    let n = q.chars().count();
    if !(3..=100).contains(&n) || q.chars().any(char::is_control) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "query_invalid",
            "q must be a member number or 3 to 100 characters of a business name",
        )
        .with_field("q"));
    }
    Ok(q.to_owned())
}

pub async fn lookup(app: &AppState, q: &str) -> ApiResult<Vec<PublicMemberView>> {
    let found = app.store.public_lookup(q).await?;
    Ok(found
        .into_iter()
        .map(|m| PublicMemberView {
            district: reference()
                .region(&m.district_code)
                .map_or_else(|| m.district_code.clone(), |r| r.name.clone()),
            member_no: m.member_no,
            business_name: m.business_name,
            district_code: m.district_code,
            status: m.status.as_str().to_owned(),
            facilities: m.facilities,
        })
        .collect())
}

/// Public membership check by member number or business name.
#[utoipa::path(
    get, path = "/api/v1/public/membership", tag = "public",
    params(PublicQuery),
    responses(
        (status = 200, description = "Matching members: business name, district, status and facilities only", body = PublicMembership),
        (status = 422, description = "q missing, too short or too long", body = ErrorBody),
        (status = 429, description = "Too many lookups from this address; see Retry-After", body = ErrorBody),
    )
)]
pub async fn membership(
    State(app): State<AppState>,
    ApiQuery(q): ApiQuery<PublicQuery>,
) -> ApiResult<axum::Json<PublicMembership>> {
    let q = parse_public_query(q.q.as_deref())?;
    let items = lookup(&app, &q).await?;
    Ok(axum::Json(PublicMembership { q, items }))
}
