//! JSON shapes the API sends and receives, one module a resource (field names are
//! fixed: docs/ARCHITECTURE.md, "Fixed conventions"). Everything is re-exported here,
//! so `views::MemberView` names the same type as `views::members::MemberView`.

pub mod audit;
pub mod catalogue;
pub mod eorder;
pub mod events;
pub mod finance;
pub mod financing;
pub mod market;
pub mod members;
pub mod mentoring;
pub mod permits;
pub mod programmes;
pub mod public;
pub mod regions;
pub mod stats;
pub mod targets;
pub mod training;

pub use audit::*;
pub use catalogue::*;
pub use eorder::*;
pub use events::*;
pub use finance::*;
pub use financing::*;
pub use market::*;
pub use members::*;
pub use mentoring::*;
pub use permits::*;
pub use programmes::*;
pub use public::*;
pub use regions::*;
pub use stats::*;
pub use targets::*;
pub use training::*;

use serde::{Deserialize, Deserializer};

/// A value sent as a JSON number or string, as text for core's parsers (`null`: absent).
pub(crate) fn scalar<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    })
}

/// An endpoint without query parameters: any given is refused, as elsewhere.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}
