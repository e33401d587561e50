//! The programme's date. Jakarta keeps WIB (UTC+7) all year; "today" and "not in the
//! future" are judged in that zone. Tests pin the date.

use chrono::{FixedOffset, NaiveDate, Offset, Utc};

#[derive(Debug, Clone, Copy)]
pub enum Clock {
    /// The real date in Asia/Jakarta.
    System,
    /// A fixed date (tests, reproducible benchmarks).
    Fixed(NaiveDate),
}

const WIB_SECONDS: i32 = 7 * 3600;

/// Jakarta's zone, WIB (UTC+7), for showing moments as people there read them.
pub fn wib() -> FixedOffset {
    FixedOffset::east_opt(WIB_SECONDS).unwrap_or_else(|| Utc.fix())
}

impl Clock {
    pub fn today(&self) -> NaiveDate {
        match self {
            Clock::System => {
                let now = Utc::now();
                FixedOffset::east_opt(WIB_SECONDS)
                    .map_or(now.date_naive(), |wib| now.with_timezone(&wib).date_naive())
            }
            Clock::Fixed(d) => *d,
        }
    }
}
