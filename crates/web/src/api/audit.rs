//! `/api/v1/audit` (administrators) and `/api/v1/me` (who am I).

use axum::extract::State;
use axum::http::StatusCode;
use jakpreneur_core::text::parse_date;
use jakpreneur_core::{FieldError, Permission, Scope, ValidationErrors};
use jakpreneur_store::AuditFilter;

use crate::AppState;
use crate::api::members::signed_in;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::ApiQuery;
use crate::security::Caller;
use crate::views::{AuditList, AuditQuery, MeView, NoParams};

/// Parses the audit filters; every bad value is named.
pub fn parse_audit_query(
    q: &AuditQuery,
) -> Result<(AuditFilter, u32, Option<i64>), ValidationErrors> {
    let mut errs = ValidationErrors::default();
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let from = given(&q.from).and_then(|d| errs.take(parse_date("from", &d)));
    let to = given(&q.to).and_then(|d| errs.take(parse_date("to", &d)));
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        errs.push(FieldError::new(
            "to",
            "date_range",
            "to must not be before from",
        ));
    }
    let limit = match given(&q.limit) {
        None => 100,
        Some(l) => errs
            .take(
                l.parse::<u32>()
                    .ok()
                    .filter(|n| (1..=500).contains(n))
                    .ok_or_else(|| {
                        FieldError::new(
                            "limit",
                            "limit_out_of_range",
                            "limit must be a whole number from 1 to 500",
                        )
                    }),
            )
            .unwrap_or(100),
    };
    let before = given(&q.before).and_then(|b| {
        errs.take(b.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
            FieldError::new(
                "before",
                "invalid_cursor",
                "before must be the `next` value of a previous page",
            )
        }))
    });
    for (name, v) in [
        ("actor", &q.actor),
        ("record_type", &q.record_type),
        ("record_id", &q.record_id),
        ("action", &q.action),
    ] {
        if v.as_ref()
            .is_some_and(|s| s.chars().count() > 100 || s.chars().any(char::is_control))
        {
            errs.push(FieldError::new(
                name,
                "invalid",
                format!("{name} must be at most 100 printable characters"),
            ));
        }
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    Ok((
        AuditFilter {
            actor: given(&q.actor),
            record_type: given(&q.record_type),
            record_id: given(&q.record_id),
            action: given(&q.action),
            from,
            to,
        },
        limit,
        before,
    ))
}

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
    caller: Caller,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<axum::Json<AuditList>> {
    let actor = signed_in(&caller)?;
    let (filter, limit, before) = parse_audit_query(&q)?;
    let page = app.store.list_audit(actor, &filter, limit, before).await?;
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
    caller: Caller,
    ApiQuery(_none): ApiQuery<NoParams>,
) -> ApiResult<(StatusCode, axum::Json<MeView>)> {
    let actor = signed_in(&caller)?;
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
