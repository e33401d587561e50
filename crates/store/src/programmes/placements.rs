//! Job training's placement outcomes (stage K4): hired (with the employer), self-employed
//! or not placed, dated, with a wage band. Each writes its ledger event in the same
//! transaction; a placement is corrected by voiding it whole.

use chrono::{DateTime, NaiveDate, Utc};
use jakpreneur_core::enrolment::{NewPlacement, PELATIHAN_KERJA, STAGE_PLACEMENT};
use jakpreneur_core::programme::NewEvent;
use jakpreneur_core::{Actor, Permission};
use serde::Serialize;
use serde_json::json;

use super::enrolments::enrolment_for_write;
use super::events::{void_event, write_event};
use crate::access::require;
use crate::audit::{self, Change, Who};
use crate::query::query;
use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Placement {
    pub id: i64,
    pub outcome: String,
    pub employer: Option<String>,
    pub placed_on: NaiveDate,
    pub wage_band: Option<String>,
    pub event_id: i64,
    pub voided_at: Option<DateTime<Utc>>,
    pub void_reason: Option<String>,
    pub recorded_by: String,
    pub created_at: DateTime<Utc>,
}

const PLACEMENT_COLS: &str = "id, outcome, employer, placed_on, wage_band, event_id, voided_at, \
     void_reason, recorded_by, created_at";

/// Writes a placement and its K4 service for enrolment `f` inside the caller's
/// transaction (a job fair's hire writes one with the application); returns its id.
pub(crate) async fn place_in_tx(
    tx: &mut (impl crate::query::Conn + ?Sized),
    defs: &jakpreneur_core::programme::Programmes,
    f: &super::enrolments::EnrolmentFacts,
    p: &NewPlacement,
    who: &Who,
    agency: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    if f.programme != PELATIHAN_KERJA {
        return Err(StoreError::invalid(
            "enrolment_no",
            "not_job_training",
            format!(
                "placements are recorded for {PELATIHAN_KERJA} enrolments, and this is of {}",
                f.programme
            ),
        ));
    }
    let kind = p.outcome.kind();
    let e = NewEvent {
        programme: f.programme.clone(),
        stage: STAGE_PLACEMENT.into(),
        kind: kind.into(),
        qualifying: defs.kind(&f.programme, kind).is_some_and(|k| k.qualifying),
        occurred_on: p.placed_on,
        place_code: None,
        agency: None,
        reference: p.employer.clone(),
        note: p.note.clone(),
    };
    let event_id = write_event(&mut *tx, defs, f, &e, agency, who, None, now).await?;
    query(
        "INSERT INTO placements (enrolment_id, outcome, employer, placed_on, wage_band, \
         event_id, recorded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(f.id)
    .bind(p.outcome.as_str())
    .bind(p.employer.clone())
    .bind(p.placed_on)
    .bind(p.wage_band.map(|w| w.as_str()))
    .bind(event_id)
    .bind(who.name.clone())
    .bind(now)
    .scalar(&mut *tx)
    .await
}

impl Store {
    /// Records where a trainee went: the placement and its `K4` event (`placed_hired`,
    /// `placed_self_employed` or `not_placed`), which needs certification (`K3`) first by
    /// the programme's order rule. Only for job-training enrolments.
    pub async fn record_placement(
        &self,
        actor: &Actor,
        enrolment_no: &str,
        p: &NewPlacement,
    ) -> Result<Placement> {
        require(actor, Permission::TraineeRecord)?;
        let defs = self.programme_definitions().await?;
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let f = enrolment_for_write(&mut tx, actor, enrolment_no).await?;
        let agency = actor
            .agency
            .clone()
            .unwrap_or_else(|| "NAKERTRANSGI".into());
        let id = place_in_tx(&mut tx, &defs, &f, p, &who, &agency, now).await?;
        let change = Change {
            who,
            action: "placement.record",
            record_type: "enrolment",
            record_id: enrolment_no.to_owned(),
            before: None,
            after: Some(json!({
                "placement_id": id, "outcome": p.outcome.as_str(), "employer": p.employer,
                "placed_on": p.placed_on, "wage_band": p.wage_band.map(|w| w.as_str()),
            })),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        self.placement(actor, enrolment_no, id).await
    }

    /// An enrolment's placements, oldest first (voided ones marked).
    pub async fn placements(&self, actor: &Actor, enrolment_no: &str) -> Result<Vec<Placement>> {
        let id = self.enrolment_id(actor, enrolment_no).await?;
        crate::query::query_text(format!(
            "SELECT {PLACEMENT_COLS} FROM placements WHERE enrolment_id = $1 ORDER BY placed_on, id"
        ))
        .bind(id)
        .fetch_all(self.read())
        .await
    }

    async fn placement(&self, actor: &Actor, enrolment_no: &str, id: i64) -> Result<Placement> {
        self.placements(actor, enrolment_no)
            .await?
            .into_iter()
            .find(|p| p.id == id)
            .ok_or(StoreError::NotFound)
    }

    /// Voids a placement whole: its event voided, the trainee's first placement handed to
    /// the next one (or none), the row kept and marked with the reason.
    pub async fn void_placement(
        &self,
        actor: &Actor,
        enrolment_no: &str,
        id: i64,
        reason: &str,
        today: NaiveDate,
    ) -> Result<Placement> {
        require(actor, Permission::TraineeRecord)?;
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let f = enrolment_for_write(&mut tx, actor, enrolment_no).await?;
        let row: Option<(i64, Option<String>)> = query(
            "SELECT event_id, void_reason FROM placements WHERE id = $1 AND enrolment_id = $2",
        )
        .bind(id)
        .bind(f.id)
        .fetch_optional(&mut tx)
        .await?;
        let (event_id, voided) = row.ok_or(StoreError::NotFound)?;
        if voided.is_some() {
            return Err(StoreError::AlreadyVoided);
        }
        void_event(&mut tx, &f, event_id, reason, today, &who, now).await?;
        query("UPDATE placements SET voided_at = $1, void_reason = $2 WHERE id = $3")
            .bind(now)
            .bind(reason.to_owned())
            .bind(id)
            .execute(&mut tx)
            .await?;
        let change = Change {
            who,
            action: "placement.void",
            record_type: "enrolment",
            record_id: enrolment_no.to_owned(),
            before: Some(json!({"placement_id": id})),
            after: Some(json!({"reason": reason})),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        self.placement(actor, enrolment_no, id).await
    }
}
