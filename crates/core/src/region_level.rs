//! The four levels of Kemendagri's region hierarchy: province, city (or regency),
//! district (kecamatan), village (kelurahan). Its own module so that the reference data
//! and region codes can both use it without importing each other.

use serde::{Deserialize, Serialize};

use crate::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    Province,
    City,
    District,
    Village,
}

impl RegionLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Province => "province",
            Self::City => "city",
            Self::District => "district",
            Self::Village => "village",
        }
    }

    pub fn parse(field: &'static str, s: &str) -> Result<Self, FieldError> {
        match s.trim() {
            "province" => Ok(Self::Province),
            "city" => Ok(Self::City),
            "district" => Ok(Self::District),
            "village" => Ok(Self::Village),
            other => Err(FieldError::new(
                field,
                "level_invalid",
                format!("{field} must be province, city, district or village, not {other:?}"),
            )),
        }
    }
}
