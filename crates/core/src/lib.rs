//! Jakpreneur's domain, free of I/O: identifiers (NIK, phone, email, region codes), the
//! embedded reference data (regions, provinces, KBLI sectors), and the rules a member
//! record must satisfy. Everything a page, the API or the CLI accepts is parsed here, so a
//! value of one of these types in hand is known to be valid.

pub mod access;
pub mod catalogue;
pub mod clock;
pub mod curation;
pub mod disclosure;
pub mod email;
pub mod enrolment;
pub mod eorder;
pub mod error;
pub mod fair;
pub mod finance;
pub mod format;
pub mod import;
pub mod indicators;
pub mod job_training;
pub mod member;
pub mod nik;
pub mod password;
pub mod permit;
pub mod phone;
pub mod programme;
pub mod reference;
pub mod region;
pub mod region_level;
pub mod settings;
pub mod stats;
pub mod targets;
pub mod tax;
pub mod text;
pub mod training;
pub mod two_factor;

#[cfg(feature = "demo")]
pub mod demo;
#[cfg(feature = "demo")]
pub mod demo_catalogue;

pub use access::{Actor, Permission, Role, Scope};
pub use clock::Clock;
pub use error::{FieldError, ValidationErrors};
pub use member::{Channel, MemberDraft, MemberPatch, NewMember, Sex, Status};
pub use nik::Nik;
pub use phone::Phone;
pub use region::{RegionCode, RegionLevel};
