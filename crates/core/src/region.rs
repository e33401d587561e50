//! Kemendagri region codes in dotted form: `31` province, `31.71` city or regency,
//! `31.71.01` district (kecamatan), `31.71.01.1001` village (kelurahan).

use crate::FieldError;
use crate::reference::reference;
pub use crate::region_level::RegionLevel;

/// A region code known to the embedded reference data.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RegionCode {
    code: String,
    level: RegionLevel,
}

impl RegionCode {
    /// Any known region, at any level.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, FieldError> {
        let code = raw.trim();
        if code.is_empty() {
            return Err(FieldError::required(field));
        }
        match reference().region(code) {
            Some(r) => Ok(Self {
                code: r.code.clone(),
                level: r.level,
            }),
            None => Err(FieldError::new(
                field,
                "region_unknown",
                format!("{field} {code:?} is not a known region code (form 31.71.01.1001)"),
            )),
        }
    }

    /// A known village (kelurahan) code.
    pub fn parse_village(field: &'static str, raw: &str) -> Result<Self, FieldError> {
        let r = Self::parse(field, raw).map_err(|e| {
            if e.code == "region_unknown" {
                FieldError::new(
                    field,
                    "village_unknown",
                    format!("{field} {:?} is not a known village code", raw.trim()),
                )
            } else {
                e
            }
        })?;
        if r.level != RegionLevel::Village {
            return Err(FieldError::new(
                field,
                "village_unknown",
                format!(
                    "{field} must be a village code such as 31.71.01.1001, not a {}",
                    r.level.as_str()
                ),
            ));
        }
        Ok(r)
    }

    /// A known district (kecamatan) code: where services take place.
    pub fn parse_district(field: &'static str, raw: &str) -> Result<Self, FieldError> {
        let r = Self::parse(field, raw)?;
        if r.level != RegionLevel::District {
            return Err(FieldError::new(
                field,
                "region_level",
                format!("{field} must be a district code such as 31.71.01"),
            ));
        }
        Ok(r)
    }

    pub fn as_str(&self) -> &str {
        &self.code
    }

    pub fn level(&self) -> RegionLevel {
        self.level
    }

    /// The code of this region's ancestor at `level` (itself at its own level), if any.
    pub fn at_level(&self, level: RegionLevel) -> Option<&str> {
        let segments = match level {
            RegionLevel::Province => 1,
            RegionLevel::City => 2,
            RegionLevel::District => 3,
            RegionLevel::Village => 4,
        };
        if level > self.level {
            return None;
        }
        let end = self
            .code
            .match_indices('.')
            .nth(segments - 1)
            .map_or(self.code.len(), |(i, _)| i);
        Some(&self.code[..end])
    }

    /// The city digits without the dot (`31.71.01.1001` → `3171`), used in member numbers.
    pub fn city_digits(&self) -> Option<String> {
        self.at_level(RegionLevel::City).map(|c| c.replace('.', ""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_ancestors() {
        let v = RegionCode::parse_village("village_code", "31.71.01.1001").unwrap();
        assert_eq!(v.at_level(RegionLevel::Province), Some("31"));
        assert_eq!(v.at_level(RegionLevel::City), Some("31.71"));
        assert_eq!(v.at_level(RegionLevel::District), Some("31.71.01"));
        assert_eq!(v.at_level(RegionLevel::Village), Some("31.71.01.1001"));
        assert_eq!(v.city_digits().as_deref(), Some("3171"));
        let c = RegionCode::parse("region", "31.71").unwrap();
        assert_eq!(c.level(), RegionLevel::City);
        assert_eq!(c.at_level(RegionLevel::District), None);
    }

    #[test]
    fn unknown_and_wrong_level_are_refused() {
        assert_eq!(
            RegionCode::parse("region", "31.99").unwrap_err().code,
            "region_unknown"
        );
        assert_eq!(
            RegionCode::parse_village("village_code", "31.71.01")
                .unwrap_err()
                .code,
            "village_unknown"
        );
        assert_eq!(
            RegionCode::parse_village("village_code", "3171011001")
                .unwrap_err()
                .code,
            "village_unknown"
        );
        assert_eq!(
            RegionCode::parse_village("village_code", "")
                .unwrap_err()
                .code,
            "required"
        );
    }
}
