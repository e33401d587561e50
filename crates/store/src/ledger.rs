//! The ledger of services: append-only events per member, each member's first reach of
//! every stage (`member_facility`), and the daily counters (`facility_daily`), all kept
//! in the transaction that writes the event (and its audit entry). A void is a new event
//! naming the one it voids; when it removes a first reach, the next non-voided qualifying
//! event takes its place and the counters follow.

use chrono::{DateTime, NaiveDate, Utc};
use jakpreneur_core::programme::{DEFAULT_AGENCY, JAKPRENEUR, NewEvent, REGISTERED, programmes};
use jakpreneur_core::{Actor, FieldError, Permission, Status};
use serde::Serialize;
use serde_json::json;

use jakpreneur_core::stats::{Contribution, Entry};

use crate::access::{require, require_covers, scope_filter};
use crate::audit::{AppendAudit, Change, Who};
use crate::counters::{self, CounterOps};
use crate::sql::{Arg, Sql};
use crate::{Result, Store, StoreError};

/// A recorded service, with its void if it has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    pub id: i64,
    pub member_no: String,
    pub programme: String,
    pub stage: String,
    pub kind: String,
    pub qualifying: bool,
    pub occurred_on: NaiveDate,
    pub place_code: Option<String>,
    pub agency_code: String,
    pub recorded_by: String,
    pub reference: Option<String>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub voided: Option<Void>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Void {
    pub void_event_id: i64,
    pub on: NaiveDate,
    pub by: String,
    pub reason: String,
}

/// A stage a member has reached, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Reached {
    pub stage: String,
    pub first_reached_on: NaiveDate,
    pub event_id: i64,
}

#[derive(Debug, sqlx::FromRow)]
struct EventRow {
    id: i64,
    programme: String,
    stage: String,
    kind: String,
    qualifying: bool,
    occurred_on: NaiveDate,
    place_code: Option<String>,
    agency_code: String,
    recorded_by: String,
    reference: Option<String>,
    note: Option<String>,
    created_at: DateTime<Utc>,
    void_id: Option<i64>,
    void_on: Option<NaiveDate>,
    void_by: Option<String>,
    void_note: Option<String>,
}

impl EventRow {
    fn into_event(self, member_no: &str) -> Event {
        Event {
            voided: self.void_id.map(|id| Void {
                void_event_id: id,
                on: self.void_on.unwrap_or(self.occurred_on),
                by: self.void_by.clone().unwrap_or_default(),
                reason: self.void_note.clone().unwrap_or_default(),
            }),
            id: self.id,
            member_no: member_no.to_owned(),
            programme: self.programme,
            stage: self.stage,
            kind: self.kind,
            qualifying: self.qualifying,
            occurred_on: self.occurred_on,
            place_code: self.place_code,
            agency_code: self.agency_code,
            recorded_by: self.recorded_by,
            reference: self.reference,
            note: self.note,
            created_at: self.created_at,
        }
    }
}

const EVENT_SELECT: &str = "SELECT e.id, e.programme, e.stage, e.kind, e.qualifying, e.occurred_on, \
     e.place_code, e.agency_code, e.recorded_by, e.reference, e.note, e.created_at, \
     v.id AS void_id, v.occurred_on AS void_on, v.recorded_by AS void_by, v.note AS void_note \
     FROM member_events e LEFT JOIN member_events v ON v.voids_event_id = e.id \
     WHERE e.kind <> 'void'";

/// The member facts a ledger write needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct MemberFacts {
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

/// Columns of [`MemberFacts`], in order.
macro_rules! facts_cols {
    () => {
        "id, member_no, village_code, district_code, sector, channel, registered_on, status, withdrawn_on, erased_at"
    };
}

const FACTS_COLS: &str = facts_cols!();

/// An event as a void needs it: stage, kind, qualifying, date, the void naming it.
pub(crate) type EventState = (String, String, bool, NaiveDate, Option<i64>);

/// SQL that is true when event `$ev` was written by a facility record: such services are
/// corrected through their record (`Store::void_record`), which voids all of its events
/// together, so record and ledger never disagree. Attendance is the exception: one
/// attended session is voided on its own.
macro_rules! owned_by_record {
    ($ev:literal) => {
        concat!(
            "(EXISTS (SELECT 1 FROM permits WHERE applied_event_id = ",
            $ev,
            " OR decision_event_id = ",
            $ev,
            ") \
             OR EXISTS (SELECT 1 FROM market_participants WHERE event_id = ",
            $ev,
            ") \
             OR EXISTS (SELECT 1 FROM mentoring_sessions WHERE event_id = ",
            $ev,
            ") \
             OR EXISTS (SELECT 1 FROM mentor_assignments WHERE event_id = ",
            $ev,
            ") \
             OR EXISTS (SELECT 1 FROM enrolments WHERE event_id = ",
            $ev,
            " OR completed_event_id = ",
            $ev,
            ") \
             OR EXISTS (SELECT 1 FROM financial_reports WHERE event_id = ",
            $ev,
            ") \
             OR EXISTS (SELECT 1 FROM referrals WHERE referred_event_id = ",
            $ev,
            " OR decision_event_id = ",
            $ev,
            " OR disbursed_event_id = ",
            $ev,
            "))"
        )
    };
}
pub(crate) use owned_by_record;

/// Ledger statements on one connection, written once for both backends.
pub(crate) trait LedgerOps {
    fn reached_stages<'a>(
        &'a mut self,
        member_id: i64,
    ) -> impl std::future::Future<Output = Result<Vec<Reached>>> + Send + 'a;

    /// The member row, locked for the rest of the transaction where the backend needs it.
    fn member_facts_locked<'a>(
        &'a mut self,
        member_no: &'a str,
    ) -> impl std::future::Future<Output = Result<Option<MemberFacts>>> + Send + 'a;

    /// The earliest non-voided qualifying event of a stage.
    fn earliest_qualifying<'a>(
        &'a mut self,
        member_id: i64,
        stage: &'a str,
    ) -> impl std::future::Future<Output = Result<Option<(i64, NaiveDate)>>> + Send + 'a;

    fn set_reach<'a>(
        &'a mut self,
        member_id: i64,
        stage: &'a str,
        reach: Option<(i64, NaiveDate)>,
    ) -> impl std::future::Future<Output = Result<()>> + Send + 'a;

    /// The date of the member's earliest non-voided service other than registration.
    fn first_service_on<'a>(
        &'a mut self,
        member_id: i64,
    ) -> impl std::future::Future<Output = Result<Option<NaiveDate>>> + Send + 'a;

    /// An event of the member: stage, kind, qualifying, date, and the void that names it.
    fn event_state<'a>(
        &'a mut self,
        member_id: i64,
        event_id: i64,
    ) -> impl std::future::Future<Output = Result<Option<EventState>>> + Send + 'a;

    /// Was the event written by a facility record (which is then corrected as a whole)?
    fn owned_by_record<'a>(
        &'a mut self,
        event_id: i64,
    ) -> impl std::future::Future<Output = Result<bool>> + Send + 'a;

    #[allow(clippy::too_many_arguments)] // reason: one argument per column
    fn insert_event<'a>(
        &'a mut self,
        member_id: i64,
        e: &'a NewEvent,
        agency: &'a str,
        who: &'a Who,
        voids: Option<i64>,
        idempotency_key: Option<&'a str>,
        now: DateTime<Utc>,
    ) -> impl std::future::Future<Output = Result<i64>> + Send + 'a;
}

macro_rules! impl_ledger_ops {
    // `$lock`: PostgreSQL locks the member row; SQLite's write transaction
    // (`BEGIN IMMEDIATE`) already holds the only write lock.
    ($conn:ty, $lock:literal) => {
        impl LedgerOps for $conn {
            fn member_facts_locked<'a>(
                &'a mut self,
                member_no: &'a str,
            ) -> impl std::future::Future<Output = Result<Option<MemberFacts>>> + Send + 'a {
                async move {
                    Ok(sqlx::query_as(concat!(
                        "SELECT ",
                        facts_cols!(),
                        " FROM members WHERE member_no = $1",
                        $lock
                    ))
                    .bind(member_no)
                    .fetch_optional(&mut *self)
                    .await?)
                }
            }

            fn reached_stages<'a>(
                &'a mut self,
                member_id: i64,
            ) -> impl std::future::Future<Output = Result<Vec<Reached>>> + Send + 'a {
                async move {
                    Ok(sqlx::query_as(
                        "SELECT stage, first_reached_on, event_id FROM member_facility \
                         WHERE member_id = $1 AND programme = $2 ORDER BY stage",
                    )
                    .bind(member_id)
                    .bind(JAKPRENEUR)
                    .fetch_all(&mut *self)
                    .await?)
                }
            }

            fn earliest_qualifying<'a>(
                &'a mut self,
                member_id: i64,
                stage: &'a str,
            ) -> impl std::future::Future<Output = Result<Option<(i64, NaiveDate)>>> + Send + 'a {
                async move {
                    Ok(sqlx::query_as(
                        "SELECT e.id, e.occurred_on FROM member_events e \
                         WHERE e.member_id = $1 AND e.programme = $2 AND e.stage = $3 AND e.qualifying \
                         AND NOT EXISTS (SELECT 1 FROM member_events v WHERE v.voids_event_id = e.id) \
                         ORDER BY e.occurred_on, e.id LIMIT 1",
                    )
                    .bind(member_id)
                    .bind(JAKPRENEUR)
                    .bind(stage)
                    .fetch_optional(&mut *self)
                    .await?)
                }
            }

            fn set_reach<'a>(
                &'a mut self,
                member_id: i64,
                stage: &'a str,
                reach: Option<(i64, NaiveDate)>,
            ) -> impl std::future::Future<Output = Result<()>> + Send + 'a {
                async move {
                    match reach {
                        Some((event_id, on)) => {
                            sqlx::query(
                                "INSERT INTO member_facility (member_id, programme, stage, first_reached_on, event_id) \
                                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (member_id, programme, stage) \
                                 DO UPDATE SET first_reached_on = excluded.first_reached_on, event_id = excluded.event_id",
                            )
                            .bind(member_id)
                            .bind(JAKPRENEUR)
                            .bind(stage)
                            .bind(on)
                            .bind(event_id)
                            .execute(&mut *self)
                            .await?;
                        }
                        None => {
                            sqlx::query(
                                "DELETE FROM member_facility WHERE member_id = $1 AND programme = $2 AND stage = $3",
                            )
                            .bind(member_id)
                            .bind(JAKPRENEUR)
                            .bind(stage)
                            .execute(&mut *self)
                            .await?;
                        }
                    }
                    Ok(())
                }
            }

            fn first_service_on<'a>(
                &'a mut self,
                member_id: i64,
            ) -> impl std::future::Future<Output = Result<Option<NaiveDate>>> + Send + 'a {
                async move {
                    Ok(sqlx::query_scalar(
                        "SELECT MIN(e.occurred_on) FROM member_events e WHERE e.member_id = $1 \
                         AND e.kind NOT IN ('void', 'registered') \
                         AND NOT EXISTS (SELECT 1 FROM member_events v WHERE v.voids_event_id = e.id)",
                    )
                    .bind(member_id)
                    .fetch_one(&mut *self)
                    .await?)
                }
            }

            fn event_state<'a>(
                &'a mut self,
                member_id: i64,
                event_id: i64,
            ) -> impl std::future::Future<Output = Result<Option<EventState>>> + Send + 'a {
                async move {
                    Ok(sqlx::query_as(
                        "SELECT e.stage, e.kind, e.qualifying, e.occurred_on, \
                         (SELECT v.id FROM member_events v WHERE v.voids_event_id = e.id) \
                         FROM member_events e WHERE e.id = $1 AND e.member_id = $2 AND e.kind <> 'void'",
                    )
                    .bind(event_id)
                    .bind(member_id)
                    .fetch_optional(&mut *self)
                    .await?)
                }
            }

            fn owned_by_record<'a>(
                &'a mut self,
                event_id: i64,
            ) -> impl std::future::Future<Output = Result<bool>> + Send + 'a {
                async move {
                    Ok(sqlx::query_scalar(concat!("SELECT ", owned_by_record!("$1")))
                        .bind(event_id)
                        .fetch_one(&mut *self)
                        .await?)
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
            ) -> impl std::future::Future<Output = Result<i64>> + Send + 'a {
                async move {
                    Ok(sqlx::query_scalar(
                        "INSERT INTO member_events (member_id, programme, stage, kind, qualifying, occurred_on, \
                         place_code, agency_code, recorded_by, recorded_by_user, reference, note, voids_event_id, created_at, \
                         idempotency_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
                    )
                    .bind(member_id)
                    .bind(&e.programme)
                    .bind(&e.stage)
                    .bind(&e.kind)
                    .bind(e.qualifying)
                    .bind(e.occurred_on)
                    .bind(&e.place_code)
                    .bind(agency)
                    .bind(&who.name)
                    .bind(who.user_id)
                    .bind(&e.reference)
                    .bind(&e.note)
                    .bind(voids)
                    .bind(now)
                    .bind(idempotency_key)
                    .fetch_one(&mut *self)
                    .await?)
                }
            }
        }
    };
}

impl_ledger_ops!(sqlx::SqliteConnection, "");
impl_ledger_ops!(sqlx::PgConnection, " FOR UPDATE");

/// The member a write aims at, locked for the transaction: 404 when missing, 403 outside
/// the actor's scope, 409 once erased (unless `erased_ok`). Every facility writer starts
/// here.
pub(crate) async fn member_for_write<C: LedgerOps + Send>(
    conn: &mut C,
    actor: &Actor,
    member_no: &str,
    erased_ok: bool,
) -> Result<MemberFacts> {
    let f = conn
        .member_facts_locked(member_no)
        .await?
        .ok_or(StoreError::NotFound)?;
    require_covers(actor, &f.village_code, member_no)?;
    if f.erased_at.is_some() && !erased_ok {
        return Err(StoreError::Erased);
    }
    Ok(f)
}

/// Writes one service for member `f` inside the caller's transaction: checks its dates and
/// the order rule in force on its date, inserts it, and keeps `member_facility` and the
/// daily counters. Returns the event's id. Every writer of services goes through here.
pub(crate) async fn write_event<C: LedgerOps + CounterOps + Send>(
    conn: &mut C,
    f: &MemberFacts,
    e: &NewEvent,
    agency: &str,
    who: &Who,
    idempotency_key: Option<&str>,
    now: DateTime<Utc>,
) -> Result<i64> {
    check_dates(f, e)?;
    let reached = conn.reached_stages(f.id).await?;
    programmes()
        .check_order(&e.programme, &e.stage, e.occurred_on, |s| {
            reached
                .iter()
                .find(|r| r.stage == s)
                .map(|r| r.first_reached_on)
        })
        .map_err(|err| StoreError::Invalid(err.into()))?;
    let (mut entries, moved_up_on) = conn.stat_inputs(f.id).await?;
    let id = conn
        .insert_event(f.id, e, agency, who, None, idempotency_key, now)
        .await?;
    if e.qualifying {
        let current = reached.iter().find(|r| r.stage == e.stage);
        if current.is_none_or(|c| e.occurred_on < c.first_reached_on) {
            conn.set_reach(f.id, &e.stage, Some((id, e.occurred_on)))
                .await?;
        }
    }
    let before = counters::contribution_from(f, &entries, moved_up_on);
    entries.push(Entry {
        id,
        stage: e.stage.clone(),
        kind: e.kind.clone(),
        qualifying: e.qualifying,
        occurred_on: e.occurred_on,
        agency: agency.to_owned(),
    });
    let after = counters::contribution_from(f, &entries, moved_up_on);
    counters::apply_change(conn, &before, &after).await?;
    Ok(id)
}

/// Voids event `event_id` of member `f` inside the caller's transaction: the void event,
/// the counters, and the member's first reach of the stage moved to the next qualifying
/// event (or removed). Returns `false`, changing nothing, when it was already voided.
#[allow(clippy::too_many_arguments)] // reason: the event, why, who, and the two dates
pub(crate) async fn void_in_tx<C: LedgerOps + CounterOps + Send>(
    conn: &mut C,
    f: &MemberFacts,
    event_id: i64,
    reason: &str,
    who: &Who,
    agency: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<bool> {
    let (stage, _, qualifying, _, voided) = conn
        .event_state(f.id, event_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    if voided.is_some() {
        return Ok(false);
    }
    let void = NewEvent {
        programme: JAKPRENEUR.into(),
        stage: stage.clone(),
        kind: "void".into(),
        qualifying: false,
        occurred_on: today,
        place_code: None,
        agency: None,
        reference: None,
        note: Some(reason.to_owned()),
    };
    let (mut entries, moved_up_on) = conn.stat_inputs(f.id).await?;
    let before = counters::contribution_from(f, &entries, moved_up_on);
    conn.insert_event(f.id, &void, agency, who, Some(event_id), None, now)
        .await?;
    if qualifying {
        let reached = conn.reached_stages(f.id).await?;
        if reached
            .iter()
            .any(|r| r.stage == stage && r.event_id == event_id)
        {
            let next = conn.earliest_qualifying(f.id, &stage).await?;
            conn.set_reach(f.id, &stage, next).await?;
        }
    }
    entries.retain(|x| x.id != event_id);
    let after = counters::contribution_from(f, &entries, moved_up_on);
    counters::apply_change(conn, &before, &after).await?;
    Ok(true)
}

/// The registration event (P1) of a member just inserted, its reach and its counters.
pub(crate) async fn record_registration<C: LedgerOps + CounterOps + Send>(
    conn: &mut C,
    f: &MemberFacts,
    who: &Who,
    agency: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let e = registration_event(f);
    let id = conn
        .insert_event(f.id, &e, agency, who, None, None, now)
        .await?;
    conn.set_reach(f.id, "P1", Some((id, e.occurred_on)))
        .await?;
    counters::apply(conn, &registration_contribution(f, id, agency)).await
}

/// What a member just registered contributes: its registration event alone.
fn registration_contribution(f: &MemberFacts, event_id: i64, agency: &str) -> Contribution {
    let e = registration_event(f);
    let entry = Entry {
        id: event_id,
        stage: e.stage,
        kind: e.kind,
        qualifying: e.qualifying,
        occurred_on: e.occurred_on,
        agency: agency.to_owned(),
    };
    counters::contribution_from(f, std::slice::from_ref(&entry), None)
}

/// [`record_registration`] for a group-committed batch on SQLite, in a fixed number of
/// statements: one multi-row insert of the events, one of the first-reach rows, and one
/// counter update per village and day (not three statements per member).
pub(crate) async fn record_registrations_sqlite(
    conn: &mut sqlx::SqliteConnection,
    batch: &[(MemberFacts, &Who, &str)],
    now: DateTime<Utc>,
) -> Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    const PER_ROW: usize = 12;
    let mut sql = String::from(
        "INSERT INTO member_events (member_id, programme, stage, kind, qualifying, occurred_on, \
         place_code, agency_code, recorded_by, recorded_by_user, reference, created_at) VALUES ",
    );
    for i in 0..batch.len() {
        if i > 0 {
            sql.push_str(", ");
        }
        let ps: Vec<String> = (1..=PER_ROW)
            .map(|k| format!("${}", i * PER_ROW + k))
            .collect();
        sql.push_str(&format!("({})", ps.join(", ")));
    }
    sql.push_str(" RETURNING id, member_id, occurred_on");
    let mut q = sqlx::query_as::<_, (i64, i64, NaiveDate)>(sqlx::AssertSqlSafe(sql));
    for (f, who, agency) in batch {
        let e = registration_event(f);
        q = q
            .bind(f.id)
            .bind(e.programme)
            .bind(e.stage)
            .bind(e.kind)
            .bind(e.qualifying)
            .bind(e.occurred_on)
            .bind(e.place_code)
            .bind(agency.to_string())
            .bind(who.name.clone())
            .bind(who.user_id)
            .bind(e.reference)
            .bind(now);
    }
    let events = q.fetch_all(&mut *conn).await?;
    let mut sql = String::from(
        "INSERT INTO member_facility (member_id, programme, stage, first_reached_on, event_id) VALUES ",
    );
    for i in 0..events.len() {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!(
            "(${}, $1, 'P1', ${}, ${})",
            3 * i + 2,
            3 * i + 3,
            3 * i + 4
        ));
    }
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(JAKPRENEUR);
    for (id, member_id, on) in &events {
        q = q.bind(member_id).bind(on).bind(id);
    }
    q.execute(&mut *conn).await?;
    let by_id: std::collections::HashMap<i64, (&MemberFacts, &str)> = batch
        .iter()
        .map(|(f, _, agency)| (f.id, (f, *agency)))
        .collect();
    let mut all = Contribution::default();
    for (id, member_id, _) in &events {
        let (f, agency) = by_id
            .get(member_id)
            .ok_or_else(|| StoreError::Corrupt(format!("registration of member {member_id}")))?;
        all.add(&registration_contribution(f, *id, agency), 1);
    }
    counters::apply(conn, &all).await
}

fn registration_event(f: &MemberFacts) -> NewEvent {
    NewEvent {
        programme: JAKPRENEUR.into(),
        stage: "P1".into(),
        kind: REGISTERED.into(),
        qualifying: true,
        occurred_on: f.registered_on,
        place_code: (f.channel == "centre").then(|| f.district_code.clone()),
        agency: None,
        reference: Some(f.member_no.clone()),
        note: None,
    }
}

/// After a correction of a member's registration date or village: the registration event
/// is voided and written again at the new date, and every count moves to the new village.
/// Refused when a recorded service would then precede the registration.
pub(crate) async fn follow_member_change<C: LedgerOps + CounterOps + Send>(
    conn: &mut C,
    before: &MemberFacts,
    after: &MemberFacts,
    who: &Who,
    agency: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let counted = (&before.village_code, &before.sector, before.registered_on);
    if counted == (&after.village_code, &after.sector, after.registered_on) {
        return Ok(());
    }
    let was = counters::contribution(conn, before).await?;
    if before.registered_on != after.registered_on {
        if let Some(first) = conn.first_service_on(before.id).await?
            && first < after.registered_on
        {
            return Err(StoreError::Invalid(
                FieldError::new(
                    "registered_on",
                    "events_before_registration",
                    format!(
                        "a service is recorded on {first}, before the new registration date {}",
                        after.registered_on
                    ),
                )
                .into(),
            ));
        }
        let reach = conn.reached_stages(before.id).await?;
        if let Some(p1) = reach.iter().find(|r| r.stage == "P1") {
            let void = NewEvent {
                kind: "void".into(),
                qualifying: false,
                occurred_on: now.date_naive(),
                reference: None,
                note: Some("registration date corrected".into()),
                ..registration_event(before)
            };
            conn.insert_event(before.id, &void, agency, who, Some(p1.event_id), None, now)
                .await?;
        }
        let e = registration_event(after);
        let id = conn
            .insert_event(after.id, &e, agency, who, None, None, now)
            .await?;
        conn.set_reach(after.id, "P1", Some((id, e.occurred_on)))
            .await?;
    }
    // A member counts where its business is now, in its sector and registration year:
    // every count moves with it.
    let is = counters::contribution(conn, after).await?;
    counters::apply_change(conn, &was, &is).await
}

impl Store {
    pub(crate) async fn member_facts(
        &self,
        actor: &Actor,
        member_no: &str,
    ) -> Result<Option<MemberFacts>> {
        let mut sql = Sql::new(&format!(
            "SELECT {FACTS_COLS} FROM members WHERE member_no = $1"
        ));
        sql.args.push(Arg::Text(member_no.to_owned()));
        scope_filter(actor, &mut sql);
        Ok(dispatch!(&self.db, read, pool => {
            bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql.text.clone())), &sql.args).fetch_optional(pool).await?
        }))
    }

    /// Records a service for a member: the event, the member's first reach of its stage
    /// and the daily counters, with the audit entry, in one transaction. Refused (422) when
    /// dated before the registration, after a withdrawal, or against the order rule in force
    /// on its date (`facility_order`, naming the missing stage).
    /// With an `idempotency_key`, a retried request returns the event it created instead
    /// of adding another, even when the retry races the original.
    #[tracing::instrument(skip_all)]
    pub async fn record_event(
        &self,
        actor: &Actor,
        member_no: &str,
        e: &NewEvent,
        idempotency_key: Option<&str>,
    ) -> Result<Event> {
        match self
            .record_event_once(actor, member_no, e, idempotency_key)
            .await
        {
            Err(err) if err.is_unique_violation() && idempotency_key.is_some() => {
                self.record_event_once(actor, member_no, e, idempotency_key)
                    .await
            }
            other => other,
        }
    }

    async fn record_event_once(
        &self,
        actor: &Actor,
        member_no: &str,
        e: &NewEvent,
        idempotency_key: Option<&str>,
    ) -> Result<Event> {
        require(actor, Permission::EventRecord)?;
        let who = Who::from(actor);
        let agency = e
            .agency
            .clone()
            .or_else(|| actor.agency.clone())
            .unwrap_or_else(|| DEFAULT_AGENCY.to_owned());
        let now = Utc::now();
        let id: i64 = dispatch!(&self.db, write, pool, begin => {
            let mut tx = pool.begin_with(begin).await?;
            let f = member_for_write(&mut *tx, actor, member_no, false).await?;
            if let Some(key) = idempotency_key {
                let earlier: Option<(i64, i64, String, NaiveDate)> = sqlx::query_as(
                    "SELECT id, member_id, kind, occurred_on FROM member_events \
                     WHERE recorded_by = $1 AND idempotency_key = $2",
                )
                .bind(&who.name)
                .bind(key)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some((id, member_id, kind, on)) = earlier {
                    if member_id == f.id && kind == e.kind && on == e.occurred_on {
                        // A retry of a request that succeeded: the same event, nothing new.
                        drop(tx);
                        return self.event(member_no, id).await;
                    }
                    return Err(StoreError::Invalid(FieldError::new(
                        "Idempotency-Key",
                        "idempotency_key_reused",
                        "this Idempotency-Key was used for a different event",
                    ).into()));
                }
            }
            let id = write_event(&mut *tx, &f, e, &agency, &who, idempotency_key, now).await?;
            let change = Change {
                who: who.clone(),
                action: "event.record",
                record_type: "member",
                record_id: member_no.to_owned(),
                before: None,
                after: Some(json!({
                    "event_id": id, "stage": e.stage, "kind": e.kind, "occurred_on": e.occurred_on,
                    "place_code": e.place_code, "agency_code": agency, "reference": e.reference,
                })),
            };
            tx.append_audit(now, std::slice::from_ref(&change)).await?;
            tx.commit().await?;
            id
        });
        self.event(member_no, id).await
    }

    /// Voids a recorded service with a reason: a new event that names it. The voided event
    /// stops counting; if it was the member's first reach of its stage, the next
    /// non-voided qualifying event takes its place (or the stage is no longer reached).
    #[tracing::instrument(skip_all)]
    pub async fn void_event(
        &self,
        actor: &Actor,
        member_no: &str,
        event_id: i64,
        reason: &str,
        today: NaiveDate,
    ) -> Result<Event> {
        require(actor, Permission::EventRecord)?;
        let who = Who::from(actor);
        let agency = actor.agency_or_default();
        let now = Utc::now();
        dispatch!(&self.db, write, pool, begin => {
            let mut tx = pool.begin_with(begin).await?;
            let f = member_for_write(&mut *tx, actor, member_no, true).await?;
            let (stage, kind, _, occurred_on, voided) =
                tx.event_state(f.id, event_id).await?.ok_or(StoreError::NotFound)?;
            if voided.is_some() {
                return Err(StoreError::AlreadyVoided);
            }
            if tx.owned_by_record(event_id).await? {
                return Err(StoreError::Invalid(FieldError::new(
                    "event_id",
                    "event_owned_by_record",
                    "this service belongs to a facility record (permit, market participation, mentoring, class enrolment, financial report or referral); void that record instead",
                ).into()));
            }
            if kind == REGISTERED {
                return Err(StoreError::Invalid(FieldError::new(
                    "event_id",
                    "registration_not_voidable",
                    "the registration event follows the member record: correct registered_on, or withdraw the member",
                ).into()));
            }
            void_in_tx(&mut *tx, &f, event_id, reason, &who, &agency, today, now).await?;
            let change = Change {
                who: who.clone(),
                action: "event.void",
                record_type: "member",
                record_id: member_no.to_owned(),
                before: Some(json!({ "event_id": event_id, "stage": stage, "kind": kind, "occurred_on": occurred_on })),
                after: Some(json!({ "voided": true, "reason": reason })),
            };
            tx.append_audit(now, std::slice::from_ref(&change)).await?;
            tx.commit().await?;
        });
        self.event(member_no, event_id).await
    }

    pub(crate) async fn event(&self, member_no: &str, id: i64) -> Result<Event> {
        let q = format!("{EVENT_SELECT} AND e.id = $1");
        let row: Option<EventRow> = dispatch!(&self.db, read, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(q)).bind(id).fetch_optional(pool).await?
        });
        row.map(|r| r.into_event(member_no))
            .ok_or(StoreError::NotFound)
    }

    /// A member's services in date order (voided ones included, with their void), if the
    /// actor's scope reaches the member.
    pub async fn list_events(&self, actor: &Actor, member_no: &str) -> Result<Vec<Event>> {
        require(actor, Permission::MemberRead)?;
        let f = self
            .member_facts(actor, member_no)
            .await?
            .ok_or(StoreError::NotFound)?;
        let q = format!("{EVENT_SELECT} AND e.member_id = $1 ORDER BY e.occurred_on, e.id");
        let rows: Vec<EventRow> = dispatch!(&self.db, read, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(q)).bind(f.id).fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(|r| r.into_event(member_no)).collect())
    }

    /// The stages a member has reached, with dates.
    pub async fn member_reached(&self, actor: &Actor, member_no: &str) -> Result<Vec<Reached>> {
        require(actor, Permission::MemberRead)?;
        let f = self
            .member_facts(actor, member_no)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(dispatch!(&self.db, read, pool => {
            sqlx::query_as("SELECT stage, first_reached_on, event_id FROM member_facility \
                WHERE member_id = $1 AND programme = $2 ORDER BY stage")
                .bind(f.id).bind(JAKPRENEUR).fetch_all(pool).await?
        }))
    }
}

pub(crate) fn check_dates(f: &MemberFacts, e: &NewEvent) -> Result<()> {
    if e.occurred_on < f.registered_on {
        return Err(StoreError::Invalid(
            FieldError::new(
                "occurred_on",
                "before_registration",
                format!(
                    "occurred_on {} is before the member registered ({})",
                    e.occurred_on, f.registered_on
                ),
            )
            .into(),
        ));
    }
    if f.status == Status::Withdrawn.as_str()
        && let Some(w) = f.withdrawn_on
        && e.occurred_on > w
    {
        return Err(StoreError::Invalid(
            FieldError::new(
                "occurred_on",
                "after_withdrawal",
                format!(
                    "occurred_on {} is after the member withdrew ({w})",
                    e.occurred_on
                ),
            )
            .into(),
        ));
    }
    Ok(())
}
