//! A report as rows, and the cell formats the rows share.

use jakpreneur_core::reference::reference;

/// A report as rows: a header and string cells, numbers left unformatted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// The report's region as a row label: `DKI Jakarta` for the province, else `Name (code)`.
pub(crate) fn region_label(code: Option<&str>) -> String {
    match code {
        None => "DKI Jakarta".to_owned(),
        Some(c) => reference()
            .region(c)
            .map_or_else(|| c.to_owned(), |r| format!("{} ({c})", r.name)),
    }
}

/// A share with four decimals; empty when there is none.
pub(crate) fn share(v: Option<f64>) -> String {
    v.map_or_else(String::new, |f| format!("{f:.4}"))
}
