//! The groups of a broken-down report: which keys a breakdown lists, their display names
//! and the breakdown's own name.

use std::collections::BTreeMap;

use jakpreneur_core::RegionCode;
use jakpreneur_core::access::region_contains;
use jakpreneur_core::programme::programmes;
use jakpreneur_core::reference::reference;
use jakpreneur_store::Breakdown;

/// A group's key and display name.
pub(crate) fn group_name(by: Breakdown, key: &str) -> String {
    match by {
        Breakdown::Region(_) => reference()
            .region(key)
            .map_or_else(|| key.to_owned(), |r| r.name.clone()),
        Breakdown::Agency => programmes()
            .agency(key)
            .map_or_else(|| key.to_owned(), |a| a.name_id.clone()),
        Breakdown::Sector => reference()
            .sector(key)
            .map_or_else(|| key.to_owned(), |s| s.name_id.clone()),
        Breakdown::Year => key.to_owned(),
    }
}

/// Every group a breakdown lists, zeros included: each region at the level within the
/// report's region, each agency, each sector; years as found.
pub(crate) fn group_keys<T>(
    by: Breakdown,
    region: Option<&RegionCode>,
    found: &BTreeMap<String, T>,
) -> Vec<String> {
    match by {
        Breakdown::Region(level) => reference()
            .regions_at(level)
            .filter(|r| region.is_none_or(|p| region_contains(p.as_str(), &r.code)))
            .map(|r| r.code.clone())
            .collect(),
        Breakdown::Agency => {
            let mut keys: Vec<String> = programmes()
                .agencies
                .iter()
                .map(|a| a.code.clone())
                .collect();
            keys.extend(
                found
                    .keys()
                    .filter(|k| !keys.contains(k))
                    .cloned()
                    .collect::<Vec<_>>(),
            );
            keys
        }
        Breakdown::Sector => reference().sectors.iter().map(|s| s.code.clone()).collect(),
        Breakdown::Year => found.keys().cloned().collect(),
    }
}

pub(crate) fn group_by_name(by: Breakdown) -> &'static str {
    match by {
        Breakdown::Region(l) => l.as_str(),
        Breakdown::Agency => "agency",
        Breakdown::Sector => "sector",
        Breakdown::Year => "year",
    }
}
