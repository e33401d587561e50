//! TRANSITIONAL: delete this file once the ledger, counters and access modules are written
//! with [`crate::query`] (their conversion lands from another branch).
//!
//! Until then, the facility modules already converted to [`Tx`] (training, mentoring,
//! financing, permits, market) still call the ledger's and the counters' helpers, which are
//! traits implemented for the raw sqlx connection types, and the scope filter, which builds
//! a [`crate::sql::Sql`]. This file bridges the two, and nothing else uses it:
//! - [`LedgerOps`] and [`CounterOps`] for [`Tx`], each method forwarded to the connection
//!   inside the transaction, so `member_for_write(&mut tx, …)`, `write_event(&mut tx, …)`
//!   and `tx.member_facts_locked(…)` compile today and keep compiling, unchanged, once the
//!   traits are implemented for every `C: Conn`;
//! - [`scope_filter_on`] on a [`Query`], which runs `access::scope_filter_on` (the one
//!   place the scope rule is written) and carries its text and value over.
//!
//! When the other branch lands: delete this file and its `mod` line, and import
//! `scope_filter_on` from `crate::access` again in training, mentoring, financing, permits
//! and market.

use std::future::Future;

use chrono::{DateTime, NaiveDate, Utc};
use jakpreneur_core::Actor;
use jakpreneur_core::programme::NewEvent;
use jakpreneur_core::stats::Entry;

use crate::Result;
use crate::audit::Who;
use crate::counters::{CounterOps, Rows};
use crate::ledger::{EventState, LedgerOps, MemberFacts, Reached};
use crate::query::{Query, Tx};
use crate::sql::{Arg, Sql};

impl LedgerOps for Tx {
    fn reached_stages<'a>(
        &'a mut self,
        member_id: i64,
    ) -> impl Future<Output = Result<Vec<Reached>>> + Send + 'a {
        async move {
            match self {
                Tx::Sqlite(c) => c.reached_stages(member_id).await,
                Tx::Postgres(c) => c.reached_stages(member_id).await,
            }
        }
    }

    fn member_facts_locked<'a>(
        &'a mut self,
        member_no: &'a str,
    ) -> impl Future<Output = Result<Option<MemberFacts>>> + Send + 'a {
        async move {
            match self {
                Tx::Sqlite(c) => c.member_facts_locked(member_no).await,
                Tx::Postgres(c) => c.member_facts_locked(member_no).await,
            }
        }
    }

    fn earliest_qualifying<'a>(
        &'a mut self,
        member_id: i64,
        stage: &'a str,
    ) -> impl Future<Output = Result<Option<(i64, NaiveDate)>>> + Send + 'a {
        async move {
            match self {
                Tx::Sqlite(c) => c.earliest_qualifying(member_id, stage).await,
                Tx::Postgres(c) => c.earliest_qualifying(member_id, stage).await,
            }
        }
    }

    fn set_reach<'a>(
        &'a mut self,
        member_id: i64,
        stage: &'a str,
        reach: Option<(i64, NaiveDate)>,
    ) -> impl Future<Output = Result<()>> + Send + 'a {
        async move {
            match self {
                Tx::Sqlite(c) => c.set_reach(member_id, stage, reach).await,
                Tx::Postgres(c) => c.set_reach(member_id, stage, reach).await,
            }
        }
    }

    fn first_service_on<'a>(
        &'a mut self,
        member_id: i64,
    ) -> impl Future<Output = Result<Option<NaiveDate>>> + Send + 'a {
        async move {
            match self {
                Tx::Sqlite(c) => c.first_service_on(member_id).await,
                Tx::Postgres(c) => c.first_service_on(member_id).await,
            }
        }
    }

    fn event_state<'a>(
        &'a mut self,
        member_id: i64,
        event_id: i64,
    ) -> impl Future<Output = Result<Option<EventState>>> + Send + 'a {
        async move {
            match self {
                Tx::Sqlite(c) => c.event_state(member_id, event_id).await,
                Tx::Postgres(c) => c.event_state(member_id, event_id).await,
            }
        }
    }

    fn owned_by_record<'a>(
        &'a mut self,
        event_id: i64,
    ) -> impl Future<Output = Result<bool>> + Send + 'a {
        async move {
            match self {
                Tx::Sqlite(c) => c.owned_by_record(event_id).await,
                Tx::Postgres(c) => c.owned_by_record(event_id).await,
            }
        }
    }

    fn insert_event<'a>(
        &'a mut self,
        member_id: i64,
        e: &'a NewEvent,
        agency: &'a str,
        who: &'a Who,
        voids: Option<i64>,
        idempotency_key: Option<&'a str>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<i64>> + Send + 'a {
        async move {
            match self {
                Tx::Sqlite(c) => {
                    c.insert_event(member_id, e, agency, who, voids, idempotency_key, now)
                        .await
                }
                Tx::Postgres(c) => {
                    c.insert_event(member_id, e, agency, who, voids, idempotency_key, now)
                        .await
                }
            }
        }
    }
}

impl CounterOps for Tx {
    fn stat_inputs<'a>(
        &'a mut self,
        member_id: i64,
    ) -> impl Future<Output = Result<(Vec<Entry>, Option<NaiveDate>)>> + Send + 'a {
        async move {
            match self {
                Tx::Sqlite(c) => c.stat_inputs(member_id).await,
                Tx::Postgres(c) => c.stat_inputs(member_id).await,
            }
        }
    }

    fn write_rows<'a>(
        &'a mut self,
        rows: &'a Rows,
        fresh: bool,
    ) -> impl Future<Output = Result<()>> + Send + 'a {
        async move {
            match self {
                Tx::Sqlite(c) => c.write_rows(rows, fresh).await,
                Tx::Postgres(c) => c.write_rows(rows, fresh).await,
            }
        }
    }
}

/// `access::scope_filter_on` on a [`Query`]: the actor's scope added to a member query's
/// WHERE clause, `prefix` being the members table's alias and a dot (`m.`).
pub(crate) fn scope_filter_on(actor: &Actor, q: &mut Query, prefix: &str) {
    let mut filter = Sql::new("");
    crate::access::scope_filter_on(actor, &mut filter, prefix);
    // The filter binds at most one value, as `$1` of its own text.
    let mut text = filter.text;
    if let Some(arg) = filter.args.into_iter().next() {
        let p = match arg {
            Arg::Text(v) => q.arg(v),
            Arg::Int(v) => q.arg(v),
            Arg::Date(v) => q.arg(v),
            Arg::Bytes(v) => q.arg(v),
        };
        text = text.replace("$1", &p);
    }
    q.push(&text);
}
