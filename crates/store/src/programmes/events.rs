//! An enrolment's ledger: services checked against the programme's stored definition
//! (kind, stage, the order rule in force on the date), the first reach of each stage kept
//! with the event, voids that hand the first reach to the next qualifying event. Every
//! programme's services go through [`write_event`]; placements write theirs here too.

use chrono::{DateTime, NaiveDate, Utc};
use jakpreneur_core::programme::{NewEvent, Programmes};
use jakpreneur_core::{Actor, FieldError, Permission};
use serde_json::json;

use super::enrolments::{EnrolmentFacts, enrolment_for_write};
use super::{EnrolmentEvent, StageReached};
use crate::access::require;
use crate::audit::{self, Change, Who};
use crate::query::{Conn, query};
use crate::{Result, Store, StoreError, Void};

#[allow(clippy::too_many_arguments)] // reason: one argument per column
pub(crate) async fn insert_event(
    tx: &mut (impl Conn + ?Sized),
    enrolment_id: i64,
    e: &NewEvent,
    agency: &str,
    who: &Who,
    voids: Option<i64>,
    idempotency_key: Option<&str>,
    now: DateTime<Utc>,
) -> Result<i64> {
    query(
        "INSERT INTO programme_events (enrolment_id, programme, stage, kind, qualifying, \
         occurred_on, place_code, agency_code, recorded_by, reference, note, voids_event_id, \
         idempotency_key, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(enrolment_id)
    .bind(e.programme.clone())
    .bind(e.stage.clone())
    .bind(e.kind.clone())
    .bind(e.qualifying)
    .bind(e.occurred_on)
    .bind(e.place_code.clone())
    .bind(agency.to_owned())
    .bind(who.name.clone())
    .bind(e.reference.clone())
    .bind(e.note.clone())
    .bind(voids)
    .bind(idempotency_key.map(str::to_owned))
    .bind(now)
    .scalar(tx)
    .await
}

/// Sets (or, with `None`, removes) the enrolment's first reach of `stage`.
pub(crate) async fn set_reach(
    tx: &mut (impl Conn + ?Sized),
    enrolment_id: i64,
    programme: &str,
    stage: &str,
    reach: Option<(i64, NaiveDate, &str)>,
) -> Result<()> {
    match reach {
        Some((event_id, on, agency)) => {
            query(
                "INSERT INTO programme_reaches (enrolment_id, programme, stage, first_reached_on, \
                 event_id, agency_code) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (enrolment_id, stage) DO UPDATE SET \
                 first_reached_on = excluded.first_reached_on, event_id = excluded.event_id, \
                 agency_code = excluded.agency_code",
            )
            .bind(enrolment_id)
            .bind(programme.to_owned())
            .bind(stage.to_owned())
            .bind(on)
            .bind(event_id)
            .bind(agency.to_owned())
            .execute(tx)
            .await?;
        }
        None => {
            query("DELETE FROM programme_reaches WHERE enrolment_id = $1 AND stage = $2")
                .bind(enrolment_id)
                .bind(stage.to_owned())
                .execute(tx)
                .await?;
        }
    }
    Ok(())
}

pub(crate) async fn reached(
    tx: &mut (impl Conn + ?Sized),
    enrolment_id: i64,
) -> Result<Vec<StageReached>> {
    query(
        "SELECT stage, first_reached_on, event_id FROM programme_reaches WHERE enrolment_id = $1 \
         ORDER BY stage",
    )
    .bind(enrolment_id)
    .fetch_all(tx)
    .await
}

/// Writes one service for enrolment `f` inside the caller's transaction: its dates (not
/// before the enrolment, not after a withdrawal), the programme's order rule on its date,
/// the event, and the first reach of its stage. Returns the event's id.
#[allow(clippy::too_many_arguments)] // reason: the service, its recorder and its key, as insert_event
pub(crate) async fn write_event(
    tx: &mut (impl Conn + ?Sized),
    defs: &Programmes,
    f: &EnrolmentFacts,
    e: &NewEvent,
    agency: &str,
    who: &Who,
    idempotency_key: Option<&str>,
    now: DateTime<Utc>,
) -> Result<i64> {
    if e.programme != f.programme {
        return Err(StoreError::invalid(
            "kind",
            "kind_unknown",
            format!(
                "{} is a service of {}, not of {}",
                e.kind, e.programme, f.programme
            ),
        ));
    }
    if e.occurred_on < f.registered_on {
        return Err(StoreError::invalid(
            "occurred_on",
            "before_registration",
            format!(
                "occurred_on {} is before the enrolment ({})",
                e.occurred_on, f.registered_on
            ),
        ));
    }
    if let Some(w) = f
        .withdrawn_on
        .filter(|w| f.status == "withdrawn" && e.occurred_on > *w)
    {
        return Err(StoreError::invalid(
            "occurred_on",
            "after_withdrawal",
            format!(
                "occurred_on {} is after the withdrawal ({w})",
                e.occurred_on
            ),
        ));
    }
    let stages = reached(&mut *tx, f.id).await?;
    defs.check_order(&e.programme, &e.stage, e.occurred_on, |s| {
        stages
            .iter()
            .find(|r| r.stage == s)
            .map(|r| r.first_reached_on)
    })
    .map_err(|err| StoreError::Invalid(err.into()))?;
    let id = insert_event(&mut *tx, f.id, e, agency, who, None, idempotency_key, now).await?;
    if e.qualifying {
        let current = stages.iter().find(|r| r.stage == e.stage);
        if current.is_none_or(|c| e.occurred_on < c.first_reached_on) {
            set_reach(
                &mut *tx,
                f.id,
                &e.programme,
                &e.stage,
                Some((id, e.occurred_on, agency)),
            )
            .await?;
        }
    }
    Ok(id)
}

/// Voids event `event_id` of enrolment `f` inside the caller's transaction, and hands
/// its stage's first reach to the next non-voided qualifying event (or removes it).
pub(crate) async fn void_event(
    tx: &mut (impl Conn + ?Sized),
    f: &EnrolmentFacts,
    event_id: i64,
    reason: &str,
    on: NaiveDate,
    who: &Who,
    now: DateTime<Utc>,
) -> Result<i64> {
    let state: Option<(String, String, bool, Option<i64>)> = query(
        "SELECT e.stage, e.kind, e.qualifying, \
         (SELECT v.id FROM programme_events v WHERE v.voids_event_id = e.id) \
         FROM programme_events e WHERE e.id = $1 AND e.enrolment_id = $2 AND e.kind <> 'void'",
    )
    .bind(event_id)
    .bind(f.id)
    .fetch_optional(&mut *tx)
    .await?;
    let (stage, kind, qualifying, voided) = state.ok_or(StoreError::NotFound)?;
    if voided.is_some() {
        return Err(StoreError::AlreadyVoided);
    }
    if kind == jakpreneur_core::programme::REGISTERED {
        return Err(StoreError::invalid(
            "event",
            "event_is_registration",
            "the registration is not voided; withdraw the enrolment instead",
        ));
    }
    let void = NewEvent {
        programme: f.programme.clone(),
        stage: stage.clone(),
        kind: "void".into(),
        qualifying: false,
        occurred_on: on.max(f.registered_on),
        place_code: None,
        agency: None,
        reference: None,
        note: Some(reason.to_owned()),
    };
    let agency: String = query("SELECT agency_code FROM programme_events WHERE id = $1")
        .bind(event_id)
        .scalar(&mut *tx)
        .await?;
    let void_id = insert_event(
        &mut *tx,
        f.id,
        &void,
        &agency,
        who,
        Some(event_id),
        None,
        now,
    )
    .await?;
    if qualifying {
        let next: Option<(i64, NaiveDate, String)> = query(
            "SELECT e.id, e.occurred_on, e.agency_code FROM programme_events e \
             WHERE e.enrolment_id = $1 AND e.stage = $2 AND e.qualifying \
             AND NOT EXISTS (SELECT 1 FROM programme_events v WHERE v.voids_event_id = e.id) \
             ORDER BY e.occurred_on, e.id LIMIT 1",
        )
        .bind(f.id)
        .bind(stage.clone())
        .fetch_optional(&mut *tx)
        .await?;
        set_reach(
            &mut *tx,
            f.id,
            &f.programme,
            &stage,
            next.as_ref().map(|(id, d, a)| (*id, *d, a.as_str())),
        )
        .await?;
    }
    Ok(void_id)
}

/// Is the event written by a placement record (voided with the record, not alone)?
async fn owned_by_placement(tx: &mut (impl Conn + ?Sized), event_id: i64) -> Result<bool> {
    let n: i64 = query("SELECT COUNT(*) FROM placements WHERE event_id = $1")
        .bind(event_id)
        .scalar(tx)
        .await?;
    Ok(n > 0)
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

const EVENT_SELECT: &str = "SELECT e.id, e.programme, e.stage, e.kind, e.qualifying, \
     e.occurred_on, e.place_code, e.agency_code, e.recorded_by, e.reference, e.note, \
     e.created_at, v.id AS void_id, v.occurred_on AS void_on, v.recorded_by AS void_by, \
     v.note AS void_note FROM programme_events e \
     LEFT JOIN programme_events v ON v.voids_event_id = e.id \
     WHERE e.enrolment_id = $1 AND e.kind <> 'void'";

impl EventRow {
    fn into_event(self, enrolment_no: &str) -> EnrolmentEvent {
        EnrolmentEvent {
            voided: Void::joined(
                self.void_id,
                self.void_on,
                self.void_by,
                self.void_note,
                self.occurred_on,
            ),
            id: self.id,
            enrolment_no: enrolment_no.to_owned(),
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

impl Store {
    /// An enrolment's services, oldest first, voids attached; and the stages it reached.
    pub async fn enrolment_events(
        &self,
        actor: &Actor,
        enrolment_no: &str,
    ) -> Result<(Vec<EnrolmentEvent>, Vec<StageReached>)> {
        let id = self.enrolment_id(actor, enrolment_no).await?;
        let mut tx = self.begin_read().await?;
        let rows: Vec<EventRow> =
            crate::query::query_text(format!("{EVENT_SELECT} ORDER BY e.occurred_on, e.id"))
                .bind(id)
                .fetch_all(&mut tx)
                .await?;
        let stages = reached(&mut tx, id).await?;
        tx.rollback().await?;
        Ok((
            rows.into_iter()
                .map(|r| r.into_event(enrolment_no))
                .collect(),
            stages,
        ))
    }

    /// Records a service of an enrolment's programme, checked against the stored
    /// definition. With an `idempotency_key`, a retry returns the first event.
    pub async fn record_enrolment_event(
        &self,
        actor: &Actor,
        enrolment_no: &str,
        e: &NewEvent,
        idempotency_key: Option<&str>,
    ) -> Result<EnrolmentEvent> {
        require(actor, Permission::TraineeRecord)?;
        let defs = self.programme_definitions().await?;
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let f = enrolment_for_write(&mut tx, actor, enrolment_no).await?;
        let agency = e
            .agency
            .clone()
            .or_else(|| actor.agency.clone())
            .or_else(|| {
                defs.programmes
                    .iter()
                    .find(|p| p.code == f.programme)
                    .map(|p| p.lead_agency.clone())
            })
            .unwrap_or_default();
        if let Some(key) = idempotency_key {
            let earlier: Option<(i64, i64, String, NaiveDate)> = query(
                "SELECT id, enrolment_id, kind, occurred_on FROM programme_events \
                 WHERE recorded_by = $1 AND idempotency_key = $2",
            )
            .bind(who.name.clone())
            .bind(key.to_owned())
            .fetch_optional(&mut tx)
            .await?;
            if let Some((id, enrolment_id, kind, on)) = earlier {
                if enrolment_id == f.id && kind == e.kind && on == e.occurred_on {
                    drop(tx);
                    return self.enrolment_event(actor, enrolment_no, id).await;
                }
                return Err(StoreError::Invalid(
                    FieldError::new(
                        "Idempotency-Key",
                        "idempotency_key_reused",
                        "this Idempotency-Key was used for a different event",
                    )
                    .into(),
                ));
            }
        }
        let id = write_event(&mut tx, &defs, &f, e, &agency, &who, idempotency_key, now).await?;
        let change = Change {
            who,
            action: "enrolment.event",
            record_type: "enrolment",
            record_id: enrolment_no.to_owned(),
            before: None,
            after: Some(json!({
                "event_id": id, "kind": e.kind, "stage": e.stage,
                "occurred_on": e.occurred_on, "agency": agency,
            })),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        self.enrolment_event(actor, enrolment_no, id).await
    }

    /// One event of an enrolment.
    pub async fn enrolment_event(
        &self,
        actor: &Actor,
        enrolment_no: &str,
        event_id: i64,
    ) -> Result<EnrolmentEvent> {
        let (events, _) = self.enrolment_events(actor, enrolment_no).await?;
        events
            .into_iter()
            .find(|e| e.id == event_id)
            .ok_or(StoreError::NotFound)
    }

    /// Voids one service with a reason; a placement's event is voided with its record.
    pub async fn void_enrolment_event(
        &self,
        actor: &Actor,
        enrolment_no: &str,
        event_id: i64,
        reason: &str,
        today: NaiveDate,
    ) -> Result<EnrolmentEvent> {
        require(actor, Permission::TraineeRecord)?;
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let f = enrolment_for_write(&mut tx, actor, enrolment_no).await?;
        if owned_by_placement(&mut tx, event_id).await? {
            return Err(StoreError::invalid(
                "event",
                "event_owned_by_record",
                "this service was written by a placement: void the placement instead",
            ));
        }
        let void_id = void_event(&mut tx, &f, event_id, reason, today, &who, now).await?;
        let change = Change {
            who,
            action: "enrolment.event_void",
            record_type: "enrolment",
            record_id: enrolment_no.to_owned(),
            before: Some(json!({"event_id": event_id})),
            after: Some(json!({"void_event_id": void_id, "reason": reason})),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        self.enrolment_event(actor, enrolment_no, event_id).await
    }
}
