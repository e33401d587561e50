//! `/statistik/e-order`: what government units bought from members through e-order in a
//! year, open to anyone: spend, orders, suppliers, the share to micro and small
//! businesses against the 40% target, TKDN spend and days to payment; by unit, month,
//! category and district. Definitions: the `eorder_…` indicators.

use std::collections::HashMap;

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use jakpreneur_core::eorder::EorderGroup;
use jakpreneur_store::{EorderFigures, EorderStats, StoreError};

use super::PageCtx;
use crate::pages::{Chrome, rupiah};

#[derive(Template)]
#[template(path = "statistik/eorder.html")]
struct EorderPage<'a> {
    c: Chrome<'a>,
    year: i32,
    years: Vec<i32>,
    stats: EorderStats,
    tables: Vec<(&'static str, Vec<EorderFigures>)>,
}

impl EorderPage<'_> {
    fn rp(&self, n: &i64) -> String {
        rupiah(*n)
    }
    fn share(&self, s: &Option<f64>) -> String {
        s.map_or_else(
            || "–".to_owned(),
            |s| format!("{:.1}%", s * 100.0).replace('.', ","),
        )
    }
    fn days(&self, d: &Option<f64>) -> String {
        d.map_or_else(|| "–".to_owned(), |d| format!("{d:.1}").replace('.', ","))
    }
}

pub async fn eorder(page: PageCtx, Query(q): Query<HashMap<String, String>>) -> Response {
    let today = page.today();
    let shown = async {
        let year = match q.get("year").map(|y| y.trim()).filter(|y| !y.is_empty()) {
            None => today.year(),
            Some(y) => y
                .parse::<i32>()
                .ok()
                .filter(|y| (2018..=today.year()).contains(y))
                .ok_or_else(|| {
                    StoreError::invalid(
                        "year",
                        "out_of_range",
                        format!("year must be between 2018 and {}", today.year()),
                    )
                })?,
        };
        let from = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(today);
        let to = NaiveDate::from_ymd_opt(year, 12, 31)
            .unwrap_or(today)
            .min(today);
        let store = &page.app.store;
        let stats = store.eorder_stats(from, to, None).await?;
        let mut tables = Vec::new();
        for (g, key) in [
            (EorderGroup::Unit, "eorder_stats.by_unit"),
            (EorderGroup::Month, "eorder_stats.by_month"),
            (EorderGroup::Category, "eorder_stats.by_category"),
            (EorderGroup::District, "eorder_stats.by_district"),
        ] {
            let mut rows = store.eorder_breakdown(from, to, g).await?;
            if g == EorderGroup::Month {
                rows.sort_by(|a, b| a.key.cmp(&b.key));
            }
            if g == EorderGroup::Category {
                for r in &mut rows {
                    r.name = page.tr().tv("category.", &r.key).to_owned();
                }
            }
            tables.push((key, rows));
        }
        Ok::<_, StoreError>(EorderPage {
            c: page.chrome(),
            year,
            years: (2018..=today.year()).rev().collect(),
            stats,
            tables,
        })
    }
    .await;
    match shown {
        Ok(p) => page.render(StatusCode::OK, &p),
        Err(e) => page.error(page.chrome(), e),
    }
}
