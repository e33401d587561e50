//! Facility P6's arithmetic: a member's monthly financial reports, the business size class
//! they imply, and the date a member moved up a class (naik kelas).
//!
//! The thresholds are data with effective dates (`data/programmes/size_classes.csv`: UU
//! 20/2008, then PP 7/2021 from 2 February 2021). The rule, written once here and in
//! `docs/indicators.md`:
//! - **annual sales** at month M = the sales of the reported months among the twelve
//!   ending at M, scaled to twelve months when fewer were reported (sum × 12 / n);
//! - **capital** at month M = the business capital (excluding land and buildings) of M's report;
//! - the **class** at M is the smallest class, under the thresholds in force on M's last
//!   day, whose capital *and* annual-sales limits both hold; above medium is `large`;
//! - a member **moved up** in the first reported month whose class ranks above the class
//!   of its first reported month, and is dated that month's last day.

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::FieldError;
use crate::programme::parse_csv;

pub const SIZE_CLASSES_CSV: &str = include_str!("../data/programmes/size_classes.csv");

/// One class's upper limits, in force from a date.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Threshold {
    pub effective_from: NaiveDate,
    pub size_class: String,
    pub rank: u8,
    pub max_capital: i64,
    pub max_annual_sales: i64,
    pub source: String,
}

static THRESHOLDS: LazyLock<Vec<Threshold>> = LazyLock::new(|| {
    let mut t: Vec<Threshold> = parse_csv("size_classes.csv", SIZE_CLASSES_CSV);
    t.sort_by_key(|t| (t.effective_from, t.rank));
    t
});

pub fn thresholds() -> &'static [Threshold] {
    &THRESHOLDS
}

/// The class above every threshold.
pub const LARGE: &str = "large";

/// A class's rank: micro 1, small 2, medium 3, large 4.
pub fn rank(class: &str) -> u8 {
    thresholds()
        .iter()
        .find(|t| t.size_class == class)
        .map_or(4, |t| t.rank)
}

/// A calendar month, `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, FieldError> {
        let bad = || {
            FieldError::new(
                field,
                "month_invalid",
                format!("{field} must be a month written YYYY-MM, not {raw:?}"),
            )
        };
        let (y, m) = raw.trim().split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        if !(1..=12).contains(&month) || !(1900..=9999).contains(&year) {
            return Err(bad());
        }
        Ok(Self { year, month })
    }

    pub fn of(d: NaiveDate) -> Self {
        Self {
            year: d.year(),
            month: d.month(),
        }
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }

    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or(NaiveDate::MIN)
    }

    pub fn next(self) -> Self {
        if self.month == 12 {
            Self {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Self {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// Months from `self` to `later` (0 when equal).
    pub fn months_until(self, later: Month) -> i64 {
        i64::from(later.year - self.year) * 12 + i64::from(later.month) - i64::from(self.month)
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The class for a capital and annual sales under the thresholds in force on `on`.
pub fn classify(capital: i64, annual_sales: i64, on: NaiveDate) -> &'static str {
    let from = thresholds()
        .iter()
        .filter(|t| t.effective_from <= on)
        .map(|t| t.effective_from)
        .max()
        .unwrap_or_else(|| thresholds().first().map_or(on, |t| t.effective_from));
    thresholds()
        .iter()
        .filter(|t| t.effective_from == from)
        .find(|t| capital <= t.max_capital && annual_sales <= t.max_annual_sales)
        .map_or(LARGE, |t| t.size_class.as_str())
}

/// One month's figures as the class rule needs them (the latest filing of that month).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthFigures {
    pub month: Month,
    pub sales: i64,
    pub capital: i64,
}

/// The class of one reported month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthClass {
    pub month: Month,
    pub annual_sales: i64,
    pub size_class: &'static str,
}

/// What a member's reports imply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SizeHistory {
    pub months: Vec<MonthClass>,
    pub current: MonthClass,
    pub first: MonthClass,
    /// The first month classed above `first`.
    pub moved_up: Option<MonthClass>,
}

/// Joins the member's e-order sales to its reports (the rule in docs/ledger.md): a month's
/// sales are the reported sales or the e-order sales paid that month, whichever is larger
/// (a report should include its e-order sales; the paid orders are a floor a report cannot
/// go under); a month with e-order sales and no report counts with the capital of the
/// latest report before it, or none (0) when there is none.
pub fn with_eorder_sales(reports: &[MonthFigures], eorder: &[(Month, i64)]) -> Vec<MonthFigures> {
    let mut by_month: std::collections::BTreeMap<Month, MonthFigures> =
        reports.iter().map(|r| (r.month, *r)).collect();
    let mut sold: std::collections::BTreeMap<Month, i64> = std::collections::BTreeMap::new();
    for (m, amount) in eorder {
        *sold.entry(*m).or_default() += amount;
    }
    for (month, amount) in sold {
        match by_month.get_mut(&month) {
            Some(r) => r.sales = r.sales.max(amount),
            None => {
                let capital = reports
                    .iter()
                    .filter(|r| r.month < month)
                    .max_by_key(|r| r.month)
                    .map_or(0, |r| r.capital);
                by_month.insert(
                    month,
                    MonthFigures {
                        month,
                        sales: amount,
                        capital,
                    },
                );
            }
        }
    }
    by_month.into_values().collect()
}

/// Derives the class of every reported month. `reports` holds at most one entry per month
/// (any order); `None` when there is none.
pub fn size_history(reports: &[MonthFigures]) -> Option<SizeHistory> {
    let mut r = reports.to_vec();
    r.sort_by_key(|m| m.month);
    let months: Vec<MonthClass> = r
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let window: Vec<&MonthFigures> = r[..=i]
                .iter()
                .filter(|w| w.month.months_until(m.month) < 12)
                .collect();
            let total: i128 = window.iter().map(|w| i128::from(w.sales)).sum();
            let n = window.len() as i128;
            let annual = i64::try_from(total * 12 / n).unwrap_or(i64::MAX);
            MonthClass {
                month: m.month,
                annual_sales: annual,
                size_class: classify(m.capital, annual, m.month.last_day()),
            }
        })
        .collect();
    let first = months.first()?.clone();
    let current = months.last()?.clone();
    let moved_up = months
        .iter()
        .find(|m| rank(m.size_class) > rank(first.size_class))
        .cloned();
    Some(SizeHistory {
        months,
        current,
        first,
        moved_up,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Month {
        Month::parse("month", s).unwrap()
    }
    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn months_parse_strictly() {
        assert_eq!(m("2024-02").last_day(), d("2024-02-29"));
        assert_eq!(m("2023-12").next(), m("2024-01"));
        for bad in [
            "2024-13", "2024-00", "24-01", "2024-1", "2024/01", "", "abcd-ef",
        ] {
            assert_eq!(
                Month::parse("month", bad).unwrap_err().code,
                "month_invalid",
                "{bad}"
            );
        }
    }

    #[test]
    fn thresholds_follow_the_law_in_force() {
        // 600 million a year: small under UU 20/2008, micro under PP 7/2021.
        assert_eq!(classify(40_000_000, 600_000_000, d("2020-12-31")), "small");
        assert_eq!(classify(40_000_000, 600_000_000, d("2021-02-28")), "micro");
        // Limits are inclusive; one rupiah more is the next class.
        assert_eq!(
            classify(1_000_000_000, 2_000_000_000, d("2022-01-31")),
            "micro"
        );
        assert_eq!(
            classify(1_000_000_001, 2_000_000_000, d("2022-01-31")),
            "small"
        );
        assert_eq!(classify(0, 50_000_000_001, d("2022-01-31")), LARGE);
        // Either limit decides: small capital but medium sales is medium.
        assert_eq!(
            classify(2_000_000_000, 20_000_000_000, d("2022-01-31")),
            "medium"
        );
    }

    #[test]
    fn annual_sales_scale_the_months_reported() {
        let f = |month: &str, sales: i64| MonthFigures {
            month: m(month),
            sales,
            capital: 10_000_000,
        };
        // One month of 200 million: 2.4 billion a year, small (PP 7/2021).
        let h = size_history(&[f("2023-01", 200_000_000)]).unwrap();
        assert_eq!(h.current.annual_sales, 2_400_000_000);
        assert_eq!(h.current.size_class, "small");
        // Twelve months of 100 million then one of 400 million: the window drops January.
        let mut r: Vec<MonthFigures> = (1..=12)
            .map(|i| f(&format!("2023-{i:02}"), 100_000_000))
            .collect();
        r.push(f("2024-01", 400_000_000));
        let h = size_history(&r).unwrap();
        assert_eq!(h.first.size_class, "micro");
        assert_eq!(h.current.annual_sales, 1_100_000_000 + 400_000_000);
        assert_eq!(h.current.size_class, "micro");
        assert!(h.moved_up.is_none());
    }

    #[test]
    fn moving_up_is_dated_by_the_first_higher_month() {
        let f = |month: &str, sales: i64, capital: i64| MonthFigures {
            month: m(month),
            sales,
            capital,
        };
        let h = size_history(&[
            f("2023-03", 300_000_000, 2_000_000_000), // small by capital
            f("2023-01", 10_000_000, 100_000_000),    // micro: the first month
            f("2023-02", 10_000_000, 100_000_000),
            f("2023-04", 10_000_000, 100_000_000), // back to micro
        ])
        .unwrap();
        assert_eq!(h.first.month, m("2023-01"));
        let up = h.moved_up.unwrap();
        assert_eq!((up.month, up.size_class), (m("2023-03"), "small"));
        assert_eq!(h.current.size_class, "micro");
        assert!(size_history(&[]).is_none());
    }

    #[test]
    fn eorder_sales_are_a_floor_and_fill_unreported_months() {
        let m = |s: &str| Month::parse("month", s).unwrap();
        let reports = [MonthFigures {
            month: m("2026-01"),
            sales: 10_000_000,
            capital: 40_000_000,
        }];
        let sales = [
            (m("2026-01"), 4_000_000),
            (m("2026-01"), 8_000_000),
            (m("2026-03"), 30_000_000),
        ];
        let joined = with_eorder_sales(&reports, &sales);
        assert_eq!(joined.len(), 2);
        assert_eq!(joined[0].sales, 12_000_000); // the paid orders exceed the report
        assert_eq!(
            (joined[1].sales, joined[1].capital),
            (30_000_000, 40_000_000)
        );
        let none = with_eorder_sales(&[], &[(m("2026-05"), 1)]);
        assert_eq!(none[0].capital, 0);
    }
}
