//! The member facts a ledger write needs ([`LedgerFacts`]): one row of `members`, read
//! (and locked) at the start of a write, shared by the ledger, the counters and the
//! facility modules. Its own module, so that the counters need not import the ledger.

use chrono::{DateTime, NaiveDate, Utc};
use jakpreneur_core::stats;

/// The member facts a ledger write needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct LedgerFacts {
    pub id: i64,
    pub member_no: String,
    pub village_code: String,
    pub district_code: String,
    pub sector: String,
    pub channel: String,
    pub registered_on: NaiveDate,
    pub status: String,
    pub withdrawn_on: Option<NaiveDate>,
    pub erased_at: Option<DateTime<Utc>>,
}

/// Columns of [`LedgerFacts`], in order.
pub(crate) const FACTS_COLS: &str = "id, member_no, village_code, district_code, sector, channel, \
     registered_on, status, withdrawn_on, erased_at";

impl LedgerFacts {
    /// What the statistics need of the member, with its naik-kelas date.
    pub fn stat_facts(&self, moved_up_on: Option<NaiveDate>) -> stats::MemberFacts<'_> {
        stats::MemberFacts {
            village: &self.village_code,
            sector: &self.sector,
            registered_on: self.registered_on,
            moved_up_on,
        }
    }
}
