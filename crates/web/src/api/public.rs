//! `/api/v1/public/membership`: is this business a member? Open to anyone, rate limited,
//! and never shows personal data.

use axum::extract::State;
use jakpreneur_core::member::parse_public_query;

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::ApiQuery;
use crate::views::{PublicMemberView, PublicMembership, PublicQuery};

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
    let (found, total) = app.store.public_lookup(&q).await?;
    let items = found.into_iter().map(PublicMemberView::from).collect();
    Ok(axum::Json(PublicMembership { q, total, items }))
}
