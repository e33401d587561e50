//! The registration event (P1): written with the member record (one at a time, or a
//! group-committed batch), and voided and written again when a correction moves the
//! registration date, with every count following the member to its new village, sector
//! or registration year.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use jakpreneur_core::FieldError;
use jakpreneur_core::programme::{JAKPRENEUR, NewEvent, REGISTERED};
use jakpreneur_core::stats::{Contribution, Entry};

use super::events::{insert_event, reached_stages, set_reach};
use crate::audit::Who;
use crate::counters;
use crate::facts::LedgerFacts;
use crate::query::{Backend, Conn, query, query_text_on};
use crate::{Result, StoreError};

/// The registration event (P1) of a member just inserted, its reach and its counters.
pub(crate) async fn record_registration(
    tx: &mut (impl Conn + ?Sized),
    f: &LedgerFacts,
    who: &Who,
    agency: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let e = registration_event(f);
    let id = insert_event(&mut *tx, f.id, &e, agency, who, None, None, now).await?;
    set_reach(&mut *tx, f.id, "P1", Some((id, e.occurred_on))).await?;
    counters::apply(tx, &registration_contribution(f, id, agency)).await
}

/// What a member just registered contributes: its registration event alone.
fn registration_contribution(f: &LedgerFacts, event_id: i64, agency: &str) -> Contribution {
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
    tx: &mut (impl Conn + ?Sized),
    batch: &[(LedgerFacts, &Who, &str)],
    now: DateTime<Utc>,
) -> Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let mut q = query_text_on(
        Backend::Sqlite,
        "INSERT INTO member_events (member_id, programme, stage, kind, qualifying, occurred_on, \
         place_code, agency_code, recorded_by, recorded_by_user, reference, created_at) VALUES ",
    );
    for (i, (f, who, agency)) in batch.iter().enumerate() {
        let e = registration_event(f);
        let values = [
            q.arg_once(f.id),
            q.arg_once(e.programme),
            q.arg_once(e.stage),
            q.arg_once(e.kind),
            q.arg_once(e.qualifying),
            q.arg_once(e.occurred_on),
            q.arg_once(e.place_code),
            q.arg_once(agency.to_string()),
            q.arg_once(who.name.clone()),
            q.arg_once(who.user_id),
            q.arg_once(e.reference),
            q.arg_once(now),
        ];
        if i > 0 {
            q.push(", ");
        }
        q.push(&format!("({})", values.join(", ")));
    }
    q.push(" RETURNING id, member_id, occurred_on");
    let events: Vec<(i64, i64, NaiveDate)> = q.fetch_all(&mut *tx).await?;
    let mut q = query_text_on(
        Backend::Sqlite,
        "INSERT INTO member_facility (member_id, programme, stage, first_reached_on, event_id) \
         VALUES ",
    );
    for (i, (id, member_id, on)) in events.iter().enumerate() {
        let (member_id, programme, on, id) = (
            q.arg_once(member_id),
            q.arg_once(JAKPRENEUR),
            q.arg_once(on),
            q.arg_once(id),
        );
        if i > 0 {
            q.push(", ");
        }
        q.push(&format!("({member_id}, {programme}, 'P1', {on}, {id})"));
    }
    q.execute(&mut *tx).await?;
    let by_id: HashMap<i64, (&LedgerFacts, &str)> = batch
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
    counters::apply(tx, &all).await
}

fn registration_event(f: &LedgerFacts) -> NewEvent {
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

/// The date of the member's earliest non-voided service other than registration.
pub(crate) async fn first_service_on(
    tx: &mut (impl Conn + ?Sized),
    member_id: i64,
) -> Result<Option<NaiveDate>> {
    query(
        "SELECT MIN(e.occurred_on) FROM member_events e WHERE e.member_id = $1 \
         AND e.kind NOT IN ('void', 'registered') \
         AND NOT EXISTS (SELECT 1 FROM member_events v WHERE v.voids_event_id = e.id)",
    )
    .bind(member_id)
    .scalar(tx)
    .await
}

/// After a correction of a member's registration date or village: the registration event
/// is voided and written again at the new date, and every count moves to the new village.
/// Refused when a recorded service would then precede the registration.
pub(crate) async fn follow_member_change(
    tx: &mut (impl Conn + ?Sized),
    before: &LedgerFacts,
    after: &LedgerFacts,
    who: &Who,
    agency: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let counted = (&before.village_code, &before.sector, before.registered_on);
    if counted == (&after.village_code, &after.sector, after.registered_on) {
        return Ok(());
    }
    let was = counters::contribution(&mut *tx, before).await?;
    if before.registered_on != after.registered_on {
        if let Some(first) = first_service_on(&mut *tx, before.id).await?
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
        let reach = reached_stages(&mut *tx, before.id).await?;
        if let Some(p1) = reach.iter().find(|r| r.stage == "P1") {
            let void = NewEvent {
                kind: "void".into(),
                qualifying: false,
                occurred_on: now.date_naive(),
                reference: None,
                note: Some("registration date corrected".into()),
                ..registration_event(before)
            };
            insert_event(
                &mut *tx,
                before.id,
                &void,
                agency,
                who,
                Some(p1.event_id),
                None,
                now,
            )
            .await?;
        }
        let e = registration_event(after);
        let id = insert_event(&mut *tx, after.id, &e, agency, who, None, None, now).await?;
        set_reach(&mut *tx, after.id, "P1", Some((id, e.occurred_on))).await?;
    }
    // A member counts where its business is now, in its sector and registration year:
    // every count moves with it.
    let is = counters::contribution(&mut *tx, after).await?;
    counters::apply_change(tx, &was, &is).await
}
