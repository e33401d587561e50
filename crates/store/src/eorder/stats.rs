//! e-order's figures over a period, from the paid orders (definitions in
//! docs/indicators.md, "e-order"): spend, orders, suppliers reached, the share of spend
//! going to micro and small businesses against the 40% target of Perpres 12/2021, spend on
//! TKDN-certified products (P3DN), and the average days from order to payment; in total
//! and per unit, supplier, district, month or category. Whole months are read from the
//! monthly rollups (`rollup.rs`), the days around them from the orders themselves.

use chrono::{Datelike, Duration, NaiveDate};
use jakpreneur_core::eorder::EorderGroup;
use jakpreneur_core::settings::{SMALL_BUSINESS_SHARE_TARGET, setting_on};
use serde::Serialize;

use super::rollup;
use crate::query::query_text;
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
const SMALL: &str = "(s.size_class IS NULL OR s.size_class IN ('micro', 'small'))";

/// The figures of `source` (rows `f`: month, a group column, member, orders, spend, tkdn,
/// days) as [`Row`]s: first summed per `inner` key and supplier (so each supplier is one
/// row of its group and its size class is read once), then per `key` with its `name`
/// (`joins` reach them from `g`: `g.k`, `g.member_id`; members as `m`). `grouped`: one row
/// per key; otherwise one row in all.
fn figures_sql(
    source: &str,
    inner: Option<&str>,
    key: &str,
    name: &str,
    joins: &str,
    grouped: bool,
) -> String {
    let (inner, inner_group) = match inner {
        Some(k) => (k, format!("{k}, ")),
        None => ("NULL", String::new()),
    };
    let group = if grouped {
        format!(" GROUP BY {key}, {name} ORDER BY 4 DESC, 1 LIMIT 1000")
    } else {
        String::new()
    };
    format!(
        "SELECT {key}, {name}, COALESCE(CAST(SUM(g.orders) AS BIGINT), 0), \
         COALESCE(CAST(SUM(g.spend) AS BIGINT), 0), COUNT(g.member_id), \
         COALESCE(CAST(SUM(CASE WHEN {SMALL} THEN g.spend ELSE 0 END) AS BIGINT), 0), \
         COALESCE(CAST(SUM(g.tkdn) AS BIGINT), 0), COALESCE(CAST(SUM(g.days) AS BIGINT), 0) \
         FROM (SELECT {inner} AS k, f.member_id, SUM(f.orders) AS orders, SUM(f.spend) AS \
         spend, SUM(f.tkdn) AS tkdn, SUM(f.days) AS days FROM {source} f GROUP BY \
         {inner_group}f.member_id) g LEFT JOIN member_size s ON s.member_id = g.member_id{joins}{group}"
    )
}

/// The orders paid on the days of the period before its first whole month ($1 from, $5
/// that month's first day) and after its last ($6 that month's last day, $2 to), as two
/// ranges of the `(state, paid_on)` index.
const LEAD_DAYS: &str = "o.state = 'paid' AND o.paid_on >= $1 AND o.paid_on < $5";
const TAIL_DAYS: &str = "o.state = 'paid' AND o.paid_on > $6 AND o.paid_on <= $2";

/// The paid orders of the period as rows (month, unit_code, member_id, orders, spend,
/// tkdn, days): whole months ($3 to $4) from the rollup, the other days from the orders.
/// A subquery, to be named `f`.
fn sales(month: &str) -> String {
    let edge = |days: &str| {
        format!(
            "SELECT {month}, o.unit_code, o.member_id, 1, o.amount_due, o.tkdn_amount, \
             o.days_to_pay FROM orders o WHERE {days}"
        )
    };
    format!(
        "(SELECT r.month, r.unit_code, r.member_id, r.orders, r.spend, r.tkdn, r.days FROM \
         eorder_month_sales r WHERE r.month >= $3 AND r.month <= $4 UNION ALL {} UNION ALL {})",
        edge(LEAD_DAYS),
        edge(TAIL_DAYS)
    )
}

/// As [`sales`], per product category (an order counts once in each category it holds).
fn categories(month: &str) -> String {
    let edge = |days: &str| {
        format!(
            "SELECT {month}, l.category, o.member_id, 1, SUM(l.price * \
             COALESCE(l.received_quantity, l.quantity)), SUM(CASE WHEN l.tkdn_percent IS NOT \
             NULL THEN l.price * COALESCE(l.received_quantity, l.quantity) ELSE 0 END), \
             o.days_to_pay FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE {days} \
             GROUP BY o.id, {month}, l.category, o.member_id, o.days_to_pay"
        )
    };
    format!(
        "(SELECT r.month, r.category, r.member_id, r.orders, r.spend, r.tkdn, r.days FROM \
         eorder_month_categories r WHERE r.month >= $3 AND r.month <= $4 UNION ALL {} UNION \
         ALL {})",
        edge(LEAD_DAYS),
        edge(TAIL_DAYS)
    )
}

/// A period split for the rollups: its whole months (`YYYY-MM`, first to last; none when
/// first > last) and the days around them.
struct Split {
    first_month: String,
    last_month: String,
    /// The first whole month's first day (`to` + 1 without whole months).
    lead_end: NaiveDate,
    /// The last whole month's last day (`to` without whole months).
    tail_start: NaiveDate,
}

fn split(from: NaiveDate, to: NaiveDate) -> Split {
    // Checked steps: a period at the calendar's very end reads every day from the orders.
    let month_start = |d: NaiveDate| d.with_day(1).unwrap_or(d);
    let next_month = |d: NaiveDate| {
        month_start(d)
            .checked_add_signed(Duration::days(32))
            .map_or(NaiveDate::MAX, month_start)
    };
    let day_after = |d: NaiveDate| d.succ_opt().unwrap_or(NaiveDate::MAX);
    let first = if from.day() == 1 {
        from
    } else {
        next_month(from)
    };
    let last = if day_after(to).day() == 1 {
        to
    } else {
        month_start(to).pred_opt().unwrap_or(NaiveDate::MIN)
    };
    if first > last || to == NaiveDate::MAX {
        return Split {
            first_month: "9999-12".into(),
            last_month: "0000-01".into(),
            lead_end: day_after(to),
            tail_start: to,
        };
    }
    Split {
        first_month: first.format("%Y-%m").to_string(),
        last_month: last.format("%Y-%m").to_string(),
        lead_end: first,
        tail_start: last,
    }
}

/// Runs a figures query with the period's six arguments.
async fn rows(store: &Store, sql: String, from: NaiveDate, to: NaiveDate) -> Result<Vec<Row>> {
    let sp = split(from, to);
    query_text(sql)
        .bind(from)
        .bind(to)
        .bind(sp.first_month)
        .bind(sp.last_month)
        .bind(sp.lead_end)
        .bind(sp.tail_start)
        .fetch_all(store.read())
        .await
}

impl Store {
    /// The e-order figures of the orders paid in [from, to], in total and by `group`.
    pub async fn eorder_stats(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        group: Option<EorderGroup>,
    ) -> Result<EorderStats> {
        let target = setting_on(SMALL_BUSINESS_SHARE_TARGET, to).map(|bp| bp as f64 / 10_000.0);
        let month = rollup::paid_month(self.backend());
        let total = rows(
            self,
            figures_sql(&sales(month), None, "'total'", "'total'", "", false),
            from,
            to,
        )
        .await?
        .pop()
        .unwrap_or_else(|| ("total".into(), "total".into(), 0, 0, 0, 0, 0, 0));
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
        let month = rollup::paid_month(self.backend());
        const MEMBER: &str = " JOIN members m ON m.id = g.member_id";
        let sql = match group {
            EorderGroup::Category => figures_sql(
                &categories(month),
                Some("f.category"),
                "g.k",
                "g.k",
                "",
                true,
            ),
            EorderGroup::Unit => figures_sql(
                &sales(month),
                Some("f.unit_code"),
                "g.k",
                "u.name",
                " JOIN buyer_units u ON u.code = g.k",
                true,
            ),
            EorderGroup::Month => {
                figures_sql(&sales(month), Some("f.month"), "g.k", "g.k", "", true)
            }
            // A supplier's number, business and district are its own: summed per supplier
            // first, then named.
            EorderGroup::Supplier => figures_sql(
                &sales(month),
                None,
                "m.member_no",
                "m.business_name",
                MEMBER,
                true,
            ),
            EorderGroup::District => figures_sql(
                &sales(month),
                None,
                "m.district_code",
                "r.name",
                &format!("{MEMBER} JOIN regions r ON r.code = m.district_code"),
                true,
            ),
        };
        let rows = rows(self, sql, from, to).await?;
        Ok(rows.into_iter().map(|r| figures(r, target)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_period_splits_into_whole_months_and_the_days_around_them() {
        let sp = split(d("2026-01-01"), d("2026-12-31"));
        assert_eq!(
            (sp.first_month.as_str(), sp.last_month.as_str()),
            ("2026-01", "2026-12")
        );
        assert_eq!(
            (sp.lead_end, sp.tail_start),
            (d("2026-01-01"), d("2026-12-31"))
        );
        let sp = split(d("2025-12-04"), d("2026-12-03"));
        assert_eq!(
            (sp.first_month.as_str(), sp.last_month.as_str()),
            ("2026-01", "2026-11")
        );
        assert_eq!(
            (sp.lead_end, sp.tail_start),
            (d("2026-01-01"), d("2026-11-30"))
        );
        let sp = split(d("2024-01-31"), d("2024-02-29"));
        assert_eq!(
            (sp.first_month.as_str(), sp.last_month.as_str()),
            ("2024-02", "2024-02")
        );
        // Within one month: no whole month, every day from the orders.
        let sp = split(d("2026-11-02"), d("2026-11-29"));
        assert!(sp.first_month > sp.last_month);
        assert_eq!(
            (sp.lead_end, sp.tail_start),
            (d("2026-11-30"), d("2026-11-29"))
        );
        let sp = split(d("2026-11-15"), d("2026-12-14"));
        assert!(sp.first_month > sp.last_month);
        // The calendar's ends do not overflow.
        let sp = split(NaiveDate::MIN, NaiveDate::MAX);
        assert!(sp.first_month > sp.last_month);
        assert_eq!(sp.tail_start, NaiveDate::MAX);
    }
}
