//! Facility P6's reports under `/api/v1/members/{member_no}/financial-reports`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jakpreneur_core::Actor;
use jakpreneur_store::NewReport;

use crate::AppState;
use crate::auth::{SignedIn, SignedInJson};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::views::{FileReport, FinanceView, MonthClassView, NoParams};

/// Everything the API and pages show of a member's finances.
pub async fn finance_view(
    app: &AppState,
    actor: &Actor,
    member_no: &str,
) -> Result<FinanceView, jakpreneur_store::StoreError> {
    let items = app.store.list_reports(actor, member_no).await?;
    let size = app.store.member_size(actor, member_no).await?;
    let months = app
        .store
        .size_history(actor, member_no)
        .await?
        .map(|h| {
            h.months
                .into_iter()
                .map(|m| MonthClassView {
                    month: m.month.to_string(),
                    annual_sales: m.annual_sales,
                    size_class: m.size_class.to_owned(),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(FinanceView {
        items,
        size,
        months,
    })
}

/// File a month's financial report (a member account its own). A second filing for the
/// same month supersedes the first.
#[utoipa::path(
    post, path = "/api/v1/members/{member_no}/financial-reports", tag = "finance",
    params(("member_no" = String, Path)),
    request_body = FileReport,
    responses(
        (status = 201, description = "Filed; writes `financial_report_filed`. Returns all reports and the size class", body = FinanceView),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 403, description = "Not allowed, or the member is outside the caller's scope", body = ErrorBody),
        (status = 404, description = "No such member", body = ErrorBody),
        (status = 422, description = "A field is invalid, the month lies after the filing date, or `facility_order`", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn file(
    State(app): State<AppState>,
    ApiPath(member_no): ApiPath<String>,
    SignedInJson(actor, b): SignedInJson<FileReport>,
) -> ApiResult<Response> {
    let n = |v: Option<i64>| v.map(|v| v.to_string());
    let r = NewReport::parse(
        b.month.as_deref(),
        n(b.sales).as_deref(),
        n(b.costs).as_deref(),
        n(b.employees).as_deref(),
        n(b.assets).as_deref(),
        b.filed_on.as_deref(),
        app.clock.today(),
    )?;
    app.store.file_report(&actor, &member_no, &r).await?;
    let view = finance_view(&app, &actor, &member_no).await?;
    Ok((StatusCode::CREATED, axum::Json(view)).into_response())
}

/// A member's reports, size class by month, current class and naik-kelas date.
#[utoipa::path(
    get, path = "/api/v1/members/{member_no}/financial-reports", tag = "finance",
    params(("member_no" = String, Path)),
    responses(
        (status = 200, description = "Reports and size", body = FinanceView),
        (status = 401, description = "No API token", body = ErrorBody),
        (status = 404, description = "No such member in the caller's scope", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn list(
    State(app): State<AppState>,
    ApiPath(member_no): ApiPath<String>,
    ApiQuery(_none): ApiQuery<NoParams>,
    SignedIn(actor): SignedIn,
) -> ApiResult<axum::Json<FinanceView>> {
    Ok(axum::Json(finance_view(&app, &actor, &member_no).await?))
}
