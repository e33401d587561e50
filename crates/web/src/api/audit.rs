//! `/api/v1/audit` (administrators) and `/api/v1/me` (who am I).

use axum::extract::State;
use axum::http::StatusCode;
use jakpreneur_core::{Permission, Scope};

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::ApiQuery;
use crate::params::parse_audit_query;
use crate::views::{AuditList, AuditQuery, MeView, NoParams};

/// The audit log, newest first (administrators).
#[utoipa::path(
    get, path = "/api/v1/audit", tag = "audit",
    params(AuditQuery),
    responses(
        (status = 200, description = "Entries, newest first", body = AuditList),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Only administrators read the audit log", body = ErrorBody),
        (status = 422, description = "A filter is invalid", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list_audit(
    State(app): State<AppState>,
    ApiQuery(q): ApiQuery<AuditQuery>,
    SignedIn(actor): SignedIn,
) -> ApiResult<axum::Json<AuditList>> {
    let (filter, limit, before) = parse_audit_query(&q)?;
    let page = app.store.list_audit(&actor, &filter, limit, before).await?;
    Ok(axum::Json(AuditList {
        items: page.items.into_iter().map(Into::into).collect(),
        next: page.next.map(|n| n.to_string()),
    }))
}

/// The account behind the token: role, permissions and scope.
#[utoipa::path(
    get, path = "/api/v1/me", tag = "audit",
    responses(
        (status = 200, description = "The caller", body = MeView),
        (status = 401, description = "No API token", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn me(
    ApiQuery(_none): ApiQuery<NoParams>,
    SignedIn(actor): SignedIn,
) -> ApiResult<(StatusCode, axum::Json<MeView>)> {
    let scope = match &actor.scope {
        Scope::All => "all".to_owned(),
        Scope::Region(r) => format!("region:{}", r.as_str()),
        Scope::Member(no) => format!("member:{no}"),
        Scope::Nothing => "none".to_owned(),
    };
    Ok((
        StatusCode::OK,
        axum::Json(MeView {
            username: actor.name.clone(),
            role: actor.role.as_str().to_owned(),
            permissions: Permission::ALL
                .into_iter()
                .filter(|p| actor.can(*p))
                .map(|p| p.as_str().to_owned())
                .collect(),
            scope,
        }),
    ))
}
