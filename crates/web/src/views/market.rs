//! Facility P5: market events and their participants.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A bazaar, exhibition or outlet to create.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMarketEvent {
    /// bazaar, exhibition or outlet.
    #[schema(required = true, nullable = false, example = "bazaar")]
    pub kind: Option<String>,
    #[schema(
        required = true,
        nullable = false,
        example = "Bazar Jakpreneur Balai Kota"
    )]
    pub name: Option<String>,
    /// local (default), national or international.
    pub level: Option<String>,
    /// The district where it is held, e.g. 31.71.01.
    pub place_code: Option<String>,
    #[schema(required = true, nullable = false, format = Date)]
    pub starts_on: Option<String>,
    /// Default: the same day.
    #[schema(format = Date)]
    pub ends_on: Option<String>,
    /// Also create this many monthly repeats (0–24), e.g. the three-day monthly bazaar.
    pub repeat_monthly: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MarketEventView {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub level: String,
    pub place_code: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub agency: String,
    /// All participants, whatever the caller's region.
    pub participants: i64,
}

impl From<jakpreneur_store::MarketEvent> for MarketEventView {
    fn from(m: jakpreneur_store::MarketEvent) -> Self {
        Self {
            id: m.id,
            kind: m.kind,
            name: m.name,
            level: m.level,
            place_code: m.place_code,
            starts_on: m.starts_on,
            ends_on: m.ends_on,
            agency: m.agency_code,
            participants: m.participants,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MarketEventList {
    pub items: Vec<MarketEventView>,
    pub next: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddParticipant {
    #[schema(required = true, nullable = false, example = "JP-3171-0000123")]
    pub member_no: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ParticipantView {
    pub member_no: String,
    pub business_name: String,
    pub village_code: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ParticipantList {
    pub items: Vec<ParticipantView>,
    pub next: Option<String>,
}
