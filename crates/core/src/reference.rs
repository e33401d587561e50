//! Reference data embedded in the binary from `crates/core/data/` (copied from the real
//! Kemendagri and KBLI 2020 sources, see `crates/core/data/SOURCES.md`): Jakarta's region
//! hierarchy, the 38 province codes, and the KBLI 2020 sections. Parsed once, on first use.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;

use crate::region_level::RegionLevel;

pub const REGIONS_CSV: &str = include_str!("../data/jakarta_regions.csv");
pub const PROVINCES_CSV: &str = include_str!("../data/provinces.csv");
pub const SECTORS_CSV: &str = include_str!("../data/kbli_2020_sections.csv");

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Region {
    pub code: String,
    pub level: RegionLevel,
    pub name: String,
    #[serde(deserialize_with = "empty_as_none")]
    pub parent_code: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Province {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Sector {
    pub code: String,
    pub name_id: String,
    pub name_en: String,
}

/// The parsed reference tables, with indexes by code.
#[derive(Debug)]
pub struct Reference {
    pub regions: Vec<Region>,
    pub provinces: Vec<Province>,
    pub sectors: Vec<Sector>,
    region_index: HashMap<String, usize>,
}

fn empty_as_none<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s = String::deserialize(d)?;
    Ok(if s.trim().is_empty() { None } else { Some(s) })
}

fn parse_csv<T: for<'de> Deserialize<'de>>(name: &str, text: &str) -> Vec<T> {
    csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .collect::<Result<Vec<T>, _>>()
        // The files are compiled in and checked by tests; a broken one is a build defect.
        .unwrap_or_else(|e| panic!("embedded reference file {name} is malformed: {e}"))
}

static REFERENCE: LazyLock<Reference> = LazyLock::new(|| {
    let regions: Vec<Region> = parse_csv("jakarta_regions.csv", REGIONS_CSV);
    let region_index = regions
        .iter()
        .enumerate()
        .map(|(i, r)| (r.code.clone(), i))
        .collect();
    Reference {
        regions,
        provinces: parse_csv("provinces.csv", PROVINCES_CSV),
        sectors: parse_csv("kbli_2020_sections.csv", SECTORS_CSV),
        region_index,
    }
});

/// The embedded reference data.
pub fn reference() -> &'static Reference {
    &REFERENCE
}

impl Reference {
    pub fn region(&self, code: &str) -> Option<&Region> {
        self.region_index.get(code).map(|&i| &self.regions[i])
    }

    pub fn is_province(&self, two_digits: &str) -> bool {
        self.provinces.iter().any(|p| p.code == two_digits)
    }

    pub fn sector(&self, code: &str) -> Option<&Sector> {
        self.sectors.iter().find(|s| s.code == code)
    }

    pub fn regions_at(&self, level: RegionLevel) -> impl Iterator<Item = &Region> {
        self.regions.iter().filter(move |r| r.level == level)
    }

    pub fn children<'a>(&'a self, parent: &'a str) -> impl Iterator<Item = &'a Region> {
        self.regions
            .iter()
            .filter(move |r| r.parent_code.as_deref() == Some(parent))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jakarta_hierarchy_has_the_published_counts() {
        let r = reference();
        let count = |l| r.regions_at(l).count();
        assert_eq!(count(RegionLevel::Province), 1);
        assert_eq!(count(RegionLevel::City), 6);
        assert_eq!(count(RegionLevel::District), 44);
        assert_eq!(count(RegionLevel::Village), 267);
        for reg in &r.regions {
            if let Some(p) = &reg.parent_code {
                assert!(r.region(p).is_some(), "parent of {} missing", reg.code);
            }
        }
        assert_eq!(r.region("31.71").unwrap().level, RegionLevel::City);
    }

    #[test]
    fn provinces_and_sectors() {
        let r = reference();
        assert_eq!(r.provinces.len(), 38);
        assert!(r.is_province("31") && r.is_province("96") && !r.is_province("10"));
        assert_eq!(r.sectors.len(), 21);
        assert_eq!(r.sector("C").unwrap().name_en, "Manufacturing");
        assert!(r.sector("V").is_none());
    }
}
