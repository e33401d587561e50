//! Job-training centres: the places trainees are trained, each with its capacity (the
//! trainees it holds in training at once). An enrolment may name its centre; a full
//! centre refuses the next one (`centre_full`), checked under a lock on the centre's row
//! so two officers cannot both take its last seat.

use chrono::Utc;
use jakpreneur_core::job_training::NewCentre;
use jakpreneur_core::{Actor, Permission, RegionLevel};
use serde::Serialize;
use serde_json::json;

use crate::access::require;
use crate::audit::{self, Change, Who};
use crate::query::{Conn, query, query_text};
use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct TrainingCentre {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub district_code: String,
    pub city_code: String,
    pub address: String,
    pub capacity: i64,
    /// Active enrolments at the centre that have not completed skills training (K2).
    pub in_training: i64,
}

const CENTRE_SELECT: &str = "SELECT c.code, c.name, c.kind, c.district_code, c.city_code, \
     c.address, CAST(c.capacity AS BIGINT) AS capacity, \
     (SELECT COUNT(*) FROM programme_enrolments e WHERE e.centre_code = c.code \
        AND e.status = 'active' AND NOT EXISTS (SELECT 1 FROM programme_reaches r \
        WHERE r.enrolment_id = e.id AND r.stage = 'K2')) AS in_training \
     FROM training_centres c";

/// Takes a seat at `code` for an enrolment being written in the caller's transaction:
/// 422 `centre_unknown` or `centre_full`.
pub(crate) async fn take_seat(tx: &mut (impl Conn + ?Sized), code: &str) -> Result<()> {
    let lock = match tx.backend() {
        crate::query::Backend::Sqlite => "",
        crate::query::Backend::Postgres => " FOR UPDATE",
    };
    let capacity: Option<i64> = query_text(format!(
        "SELECT CAST(capacity AS BIGINT) FROM training_centres WHERE code = $1{lock}"
    ))
    .bind(code.to_owned())
    .scalar_optional(&mut *tx)
    .await?;
    let Some(capacity) = capacity else {
        return Err(StoreError::invalid(
            "centre_code",
            "centre_unknown",
            format!("no training centre has the code {code:?}"),
        ));
    };
    let held: i64 = query(
        "SELECT COUNT(*) FROM programme_enrolments e WHERE e.centre_code = $1 \
         AND e.status = 'active' AND NOT EXISTS (SELECT 1 FROM programme_reaches r \
         WHERE r.enrolment_id = e.id AND r.stage = 'K2')",
    )
    .bind(code.to_owned())
    .scalar(&mut *tx)
    .await?;
    if held >= capacity {
        return Err(StoreError::invalid(
            "centre_code",
            "centre_full",
            format!("{code} holds {held} trainees in training, its capacity"),
        ));
    }
    Ok(())
}

impl Store {
    /// Adds a training centre (administrators and manpower staff whose region holds its
    /// district); a code on file is 422 `centre_exists`.
    pub async fn create_centre(&self, actor: &Actor, c: &NewCentre) -> Result<TrainingCentre> {
        require(actor, Permission::TraineeRegister)?;
        if !actor.scope.covers(c.district.as_str(), "") {
            return Err(StoreError::Forbidden(
                "the district lies outside your region".into(),
            ));
        }
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let inserted: Option<String> = query(
            "INSERT INTO training_centres (code, name, kind, district_code, city_code, address, \
             capacity, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (code) DO NOTHING RETURNING code",
        )
        .bind(c.code.clone())
        .bind(c.name.clone())
        .bind(c.kind)
        .bind(c.district.as_str().to_owned())
        .bind(
            c.district
                .at_level(RegionLevel::City)
                .unwrap_or_default()
                .to_owned(),
        )
        .bind(c.address.clone())
        .bind(c.capacity)
        .bind(now)
        .scalar_optional(&mut tx)
        .await?;
        if inserted.is_none() {
            return Err(StoreError::invalid(
                "code",
                "centre_exists",
                format!("a training centre with the code {} exists", c.code),
            ));
        }
        let change = Change {
            who: Who::from(actor),
            action: "centre.create",
            record_type: "training_centre",
            record_id: c.code.clone(),
            before: None,
            after: Some(
                json!({"name": c.name, "district": c.district.as_str(), "capacity": c.capacity}),
            ),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        self.centres(actor)
            .await?
            .into_iter()
            .find(|x| x.code == c.code)
            .ok_or(StoreError::NotFound)
    }

    /// Every training centre with its capacity and the trainees it holds in training.
    pub async fn centres(&self, actor: &Actor) -> Result<Vec<TrainingCentre>> {
        require(actor, Permission::TraineeRead)?;
        query_text(format!("{CENTRE_SELECT} ORDER BY c.city_code, c.code"))
            .fetch_all(self.read())
            .await
    }
}
