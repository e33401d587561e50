//! Dated settings: values the programme may change over time (how long a curation
//! certificate stays valid, and later e-order's limits and tax rates). Each row says from
//! which date a value holds, so a decision made on a date is always made with the value in
//! force that day, and a change never rewrites the past. The rows live in
//! `data/settings.csv`, embedded in the binary.

use std::sync::LazyLock;

use chrono::NaiveDate;
use serde::Deserialize;

pub const SETTINGS_CSV: &str = include_str!("../data/settings.csv");

/// The setting that says how many months a curation certificate is valid.
pub const CERTIFICATE_VALIDITY_MONTHS: &str = "curation_certificate_validity_months";

/// The most an e-order may cost, in rupiah.
pub const TRANSACTION_LIMIT: &str = "eorder_transaction_limit_rupiah";

/// The share of spending that must go to micro and small businesses, in basis points.
pub const SMALL_BUSINESS_SHARE_TARGET: &str = "small_business_share_target_bp";

#[derive(Debug, Clone, Deserialize)]
struct Row {
    setting: String,
    effective_from: NaiveDate,
    value: i64,
}

static ROWS: LazyLock<Vec<Row>> = LazyLock::new(|| {
    let mut rows: Vec<Row> = csv::Reader::from_reader(SETTINGS_CSV.as_bytes())
        .deserialize()
        .collect::<Result<_, _>>()
        .expect("data/settings.csv is embedded and checked by a test");
    rows.sort_by(|a, b| (&a.setting, a.effective_from).cmp(&(&b.setting, b.effective_from)));
    rows
});

/// The value of `setting` in force on `on`: the row with the latest `effective_from` not
/// after that date. `None` when the setting is unknown or not yet in force.
pub fn setting_on(setting: &str, on: NaiveDate) -> Option<i64> {
    ROWS.iter()
        .rfind(|r| r.setting == setting && r.effective_from <= on)
        .map(|r| r.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_validity_is_two_years() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        assert_eq!(setting_on(CERTIFICATE_VALIDITY_MONTHS, d), Some(24));
        let before = NaiveDate::from_ymd_opt(2019, 12, 31).unwrap();
        assert_eq!(setting_on(CERTIFICATE_VALIDITY_MONTHS, before), None);
        assert_eq!(setting_on("no_such_setting", d), None);
    }
}
