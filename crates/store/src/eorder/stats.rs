//! e-order's figures over a period, from the paid orders themselves (definitions in
//! docs/indicators.md, "e-order"): spend, orders, suppliers reached, the share of spend
//! going to micro and small businesses against the 40% target of Perpres 12/2021, spend on
//! TKDN-certified products (P3DN), and the average days from order to payment; in total
//! and per unit, supplier, district, month or category.

use chrono::NaiveDate;
use jakpreneur_core::eorder::EorderGroup;
use jakpreneur_core::settings::{SMALL_BUSINESS_SHARE_TARGET, setting_on};
use serde::Serialize;

use crate::query::{Backend, query_text};
use crate::{Result, Store};

/// One row of figures: the total, or one group.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct EorderFigures {
    /// The group's code (unit code, member number, district code, `YYYY-MM`, category);
    /// `total` for the total.
    pub key: String,
    pub name: String,
    /// Rupiah paid (the amount due, before taxes).
    pub spend: i64,
    pub orders: i64,
    /// Distinct suppliers (members) paid.
    pub suppliers: i64,
    pub small_business_spend: i64,
    /// `small_business_spend / spend`; `null` without spend.
    pub small_business_share: Option<f64>,
    /// Whether the share reaches the target (`null` without spend).
    pub meets_target: Option<bool>,
    pub tkdn_spend: i64,
    /// Mean days from ordering to payment; `null` without orders.
    pub avg_days_to_payment: Option<f64>,
}

/// The figures of a period.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct EorderStats {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group_by: Option<String>,
    /// The share of spend that should go to micro and small businesses (0.40), in force
    /// on `to`.
    pub small_business_target: Option<f64>,
    pub target_source: &'static str,
    pub totals: EorderFigures,
    pub groups: Vec<EorderFigures>,
}

type Row = (String, String, i64, i64, i64, i64, i64, i64);

fn figures(r: Row, target: Option<f64>) -> EorderFigures {
    let (key, name, orders, spend, suppliers, small, tkdn, days) = r;
    let share = (spend > 0).then(|| small as f64 / spend as f64);
    EorderFigures {
        key,
        name,
        spend,
        orders,
        suppliers,
        small_business_spend: small,
        small_business_share: share,
        meets_target: share.zip(target).map(|(s, t)| s >= t),
        tkdn_spend: tkdn,
        avg_days_to_payment: (orders > 0).then(|| days as f64 / orders as f64),
    }
}

/// A supplier counts as micro or small unless its size class on file is medium or large
/// (the programme admits small businesses; one without reports has no class on file).
macro_rules! small {
    () => {
        "(s.size_class IS NULL OR s.size_class IN ('micro', 'small'))"
    };
}
const SMALL: &str = small!();

/// The figures of a set of paid orders `o`, in the order of [`Row`] after key and name.
const SUMS: &str = concat!(
    "COUNT(*), COALESCE(CAST(SUM(o.amount_due) AS BIGINT), 0), COUNT(DISTINCT o.member_id), ",
    "COALESCE(CAST(SUM(CASE WHEN ",
    small!(),
    " THEN o.amount_due ELSE 0 END) AS BIGINT), 0), COALESCE(CAST(SUM(o.tkdn_amount) AS ",
    "BIGINT), 0), COALESCE(CAST(SUM(o.days_to_pay) AS BIGINT), 0)"
);
const FROM_PAID: &str = "FROM orders o JOIN members m ON m.id = o.member_id LEFT JOIN \
     member_size s ON s.member_id = o.member_id";
const PAID: &str = "o.state = 'paid' AND o.paid_on >= $1 AND o.paid_on <= $2";

impl Store {
    /// The e-order figures of the orders paid in [from, to], in total and by `group`.
    pub async fn eorder_stats(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        group: Option<EorderGroup>,
    ) -> Result<EorderStats> {
        let target = setting_on(SMALL_BUSINESS_SHARE_TARGET, to).map(|bp| bp as f64 / 10_000.0);
        let total: Row = query_text(format!(
            "SELECT 'total', 'total', {SUMS} {FROM_PAID} WHERE {PAID}"
        ))
        .bind(from)
        .bind(to)
        .fetch_one(self.read())
        .await?;
        let groups = match group {
            None => Vec::new(),
            Some(g) => self.eorder_breakdown(from, to, g).await?,
        };
        Ok(EorderStats {
            from,
            to,
            group_by: group.map(|g| g.as_str().to_owned()),
            small_business_target: target,
            target_source: "Perpres 12/2021 art. 65: at least 40% of goods and services spending to micro and small businesses and cooperatives",
            totals: figures(total, target),
            groups,
        })
    }

    /// The e-order figures of the orders paid in [from, to], one row per group, without
    /// the total (a page showing several breakdowns reads the total once).
    pub async fn eorder_breakdown(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        group: EorderGroup,
    ) -> Result<Vec<EorderFigures>> {
        let target = setting_on(SMALL_BUSINESS_SHARE_TARGET, to).map(|bp| bp as f64 / 10_000.0);
        let month = match self.backend() {
            Backend::Sqlite => "substr(o.paid_on, 1, 7)",
            Backend::Postgres => "to_char(o.paid_on, 'YYYY-MM')",
        };
        let sql = match group {
            EorderGroup::Category => format!(
                "SELECT c.category, c.category, COUNT(*), COALESCE(CAST(SUM(c.amount) AS BIGINT), \
                 0), COUNT(DISTINCT o.member_id), COALESCE(CAST(SUM(CASE WHEN {SMALL} THEN \
                 c.amount ELSE 0 END) AS BIGINT), 0), COALESCE(CAST(SUM(c.tkdn) AS BIGINT), 0), \
                 COALESCE(CAST(SUM(o.days_to_pay) AS BIGINT), 0) FROM (SELECT l.order_id, \
                 l.category, SUM(l.price * COALESCE(l.received_quantity, l.quantity)) AS amount, \
                 SUM(CASE WHEN l.tkdn_percent IS NOT NULL THEN l.price * \
                 COALESCE(l.received_quantity, l.quantity) ELSE 0 END) AS tkdn FROM orders o JOIN \
                 order_lines l ON l.order_id = o.id WHERE {PAID} GROUP BY l.order_id, \
                 l.category) c JOIN orders o ON o.id = c.order_id LEFT JOIN member_size s ON \
                 s.member_id = o.member_id GROUP BY c.category ORDER BY 4 DESC, 1"
            ),
            g => {
                let (key, name, join) = match g {
                    EorderGroup::Unit => (
                        "o.unit_code",
                        "u.name",
                        " JOIN buyer_units u ON u.code = o.unit_code",
                    ),
                    EorderGroup::Supplier => ("m.member_no", "m.business_name", ""),
                    EorderGroup::District => (
                        "m.district_code",
                        "r.name",
                        " JOIN regions r ON r.code = m.district_code",
                    ),
                    _ => (month, month, ""),
                };
                format!(
                    "SELECT {key}, {name}, {SUMS} {FROM_PAID}{join} WHERE {PAID} GROUP BY {key}, \
                     {name} ORDER BY 4 DESC, 1 LIMIT 1000"
                )
            }
        };
        let rows: Vec<Row> = query_text(sql)
            .bind(from)
            .bind(to)
            .fetch_all(self.read())
            .await?;
        Ok(rows.into_iter().map(|r| figures(r, target)).collect())
    }
}
