//! Facility P6: monthly financial reports and the size class they imply.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FileReport {
    #[schema(required = true, nullable = false, example = "2026-10")]
    pub month: Option<String>,
    /// The month's sales, whole rupiah.
    #[schema(required = true, nullable = false, example = 45000000)]
    pub sales: Option<i64>,
    #[schema(required = true, nullable = false, example = 30000000)]
    pub costs: Option<i64>,
    #[schema(required = true, nullable = false, example = 3)]
    pub employees: Option<i64>,
    /// Business capital excluding land and buildings, whole rupiah.
    #[schema(required = true, nullable = false, example = 80000000)]
    pub assets: Option<i64>,
    /// Default today.
    #[schema(format = Date)]
    pub filed_on: Option<String>,
}

/// The class of one reported month.
#[derive(Debug, Serialize, ToSchema)]
pub struct MonthClassView {
    #[schema(example = "2026-10")]
    pub month: String,
    /// Sales of the reported months among the twelve ending here, scaled to a year.
    pub annual_sales: i64,
    pub size_class: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FinanceView {
    /// Every filing, newest month first; `superseded` ones were replaced by a later filing.
    pub items: Vec<jakpreneur_store::FinancialReport>,
    /// The current class and naik-kelas date, once a report is on file.
    pub size: Option<jakpreneur_store::MemberSize>,
    /// The class of each reported month, oldest first.
    pub months: Vec<MonthClassView>,
}
