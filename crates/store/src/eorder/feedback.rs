//! After receipt the buyer rates the order (1–5 stars, a note), once; the rating shows in
//! the catalogue beside the product. A complaint opens a case about an order that
//! programme staff (whose region holds the supplier) close with an outcome.

use chrono::{NaiveDate, Utc};
use jakpreneur_core::eorder::{ComplaintOutcome, OrderState, Party, Rating};
use jakpreneur_core::{Actor, Permission};
use serde::Serialize;
use serde_json::json;

use super::orders::readable;
use super::{party, seat_of};
use crate::access::require;
use crate::audit::{self, Change, Who};
use crate::query::query;
use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct OrderRating {
    pub stars: i64,
    pub note: String,
    pub rated_by: String,
    pub rated_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Complaint {
    pub id: i64,
    pub order_id: i64,
    pub text: String,
    pub opened_by: String,
    pub opened_on: NaiveDate,
    /// `open` or `closed`.
    pub state: String,
    /// `upheld` or `rejected`, once closed.
    pub outcome: Option<String>,
    pub outcome_note: Option<String>,
    pub closed_by: Option<String>,
    pub closed_on: Option<NaiveDate>,
}

const COMPLAINT_SELECT: &str = "SELECT id, order_id, text, opened_by, opened_on, state, \
     outcome, outcome_note, closed_by, closed_on FROM order_complaints";

impl Store {
    /// Rates a received order (an account of the buying unit), once.
    pub async fn rate_order(
        &self,
        actor: &Actor,
        order_id: i64,
        r: &Rating,
        today: NaiveDate,
    ) -> Result<OrderRating> {
        let o = self.order(actor, order_id).await?;
        let seat = seat_of(self.read(), actor).await?;
        if !matches!(party(actor, seat.as_ref(), &o), Party::Buyer(_)) {
            return Err(StoreError::Forbidden(
                "only the buying unit rates its orders".into(),
            ));
        }
        if !matches!(o.state, OrderState::Received | OrderState::Paid) {
            return Err(StoreError::invalid(
                "stars",
                "order_state",
                format!("an order is rated after receipt; this one is {}", o.state),
            ));
        }
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let done = query(
            "INSERT INTO order_ratings (order_id, stars, note, rated_by, rated_on) VALUES ($1, \
             $2, $3, $4, $5) ON CONFLICT (order_id) DO NOTHING",
        )
        .bind(order_id)
        .bind(r.stars)
        .bind(&r.note)
        .bind(&who.name)
        .bind(today)
        .execute(&mut tx)
        .await?;
        if done == 0 {
            return Err(StoreError::invalid(
                "stars",
                "already_rated",
                "this order has been rated",
            ));
        }
        audit::append(
            &mut tx,
            self.vault()?,
            now,
            &[Change {
                who,
                action: "eorder.rate",
                record_type: "order",
                record_id: order_id.to_string(),
                before: None,
                after: Some(json!({ "stars": r.stars, "note": r.note })),
            }],
        )
        .await?;
        tx.commit().await?;
        self.rating_of_order(order_id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Opens a complaint about an order that was accepted (an account of the buying unit).
    pub async fn complain(
        &self,
        actor: &Actor,
        order_id: i64,
        text: &str,
        today: NaiveDate,
    ) -> Result<Complaint> {
        let o = self.order(actor, order_id).await?;
        let seat = seat_of(self.read(), actor).await?;
        if !matches!(party(actor, seat.as_ref(), &o), Party::Buyer(_)) {
            return Err(StoreError::Forbidden(
                "only the buying unit complains about its orders".into(),
            ));
        }
        if matches!(
            o.state,
            OrderState::Submitted | OrderState::Declined | OrderState::Cancelled
        ) {
            return Err(StoreError::invalid(
                "text",
                "order_state",
                format!(
                    "a complaint needs an accepted order; this one is {}",
                    o.state
                ),
            ));
        }
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let id: i64 = query(
            "INSERT INTO order_complaints (order_id, text, opened_by, opened_on, state) VALUES \
             ($1, $2, $3, $4, 'open') RETURNING id",
        )
        .bind(order_id)
        .bind(text)
        .bind(&who.name)
        .bind(today)
        .scalar(&mut tx)
        .await?;
        audit::append(
            &mut tx,
            self.vault()?,
            now,
            &[Change {
                who,
                action: "eorder.complaint_open",
                record_type: "order",
                record_id: order_id.to_string(),
                before: None,
                after: Some(json!({ "complaint_id": id, "text": text })),
            }],
        )
        .await?;
        tx.commit().await?;
        self.complaint(id).await
    }

    /// Closes a complaint with its outcome (programme staff whose region holds the
    /// supplier).
    pub async fn close_complaint(
        &self,
        actor: &Actor,
        id: i64,
        outcome: ComplaintOutcome,
        note: &str,
        today: NaiveDate,
    ) -> Result<Complaint> {
        require(actor, Permission::OrderOversee)?;
        let c = self.complaint(id).await?;
        let o = self.order_unscoped(c.order_id).await?;
        if !readable(actor, None, &o) {
            return Err(StoreError::NotFound);
        }
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let done = query(
            "UPDATE order_complaints SET state = 'closed', outcome = $1, outcome_note = $2, \
             closed_by = $3, closed_on = $4 WHERE id = $5 AND state = 'open'",
        )
        .bind(outcome.as_str())
        .bind(note)
        .bind(&who.name)
        .bind(today)
        .bind(id)
        .execute(&mut tx)
        .await?;
        if done == 0 {
            return Err(StoreError::invalid(
                "outcome",
                "complaint_closed",
                "this complaint is already closed",
            ));
        }
        audit::append(
            &mut tx,
            self.vault()?,
            now,
            &[Change {
                who,
                action: "eorder.complaint_close",
                record_type: "order",
                record_id: c.order_id.to_string(),
                before: Some(json!({ "complaint_id": id, "state": "open" })),
                after: Some(json!({ "state": "closed", "outcome": outcome, "note": note })),
            }],
        )
        .await?;
        tx.commit().await?;
        self.complaint(id).await
    }

    /// Open complaints the actor may close, oldest first.
    pub async fn open_complaints(&self, actor: &Actor) -> Result<Vec<Complaint>> {
        require(actor, Permission::OrderOversee)?;
        let mut q = crate::query::query_text(
            "SELECT c.id, c.order_id, c.text, c.opened_by, c.opened_on, c.state, c.outcome, \
             c.outcome_note, c.closed_by, c.closed_on FROM order_complaints c JOIN orders o ON \
             o.id = c.order_id JOIN members m ON m.id = o.member_id WHERE c.state = 'open'",
        );
        crate::access::scope_filter_on(actor, &mut q, "m.");
        q.push(" ORDER BY c.id LIMIT 500");
        q.fetch_all(self.read()).await
    }

    async fn complaint(&self, id: i64) -> Result<Complaint> {
        crate::query::query_text(format!("{COMPLAINT_SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.read())
            .await?
            .ok_or(StoreError::NotFound)
    }

    pub(crate) async fn rating_of_order(&self, order_id: i64) -> Result<Option<OrderRating>> {
        query("SELECT stars, note, rated_by, rated_on FROM order_ratings WHERE order_id = $1")
            .bind(order_id)
            .fetch_optional(self.read())
            .await
    }

    pub(crate) async fn complaints_of_order(&self, order_id: i64) -> Result<Vec<Complaint>> {
        crate::query::query_text(format!(
            "{COMPLAINT_SELECT} WHERE order_id = $1 ORDER BY id"
        ))
        .bind(order_id)
        .fetch_all(self.read())
        .await
    }
}
