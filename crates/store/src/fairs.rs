//! Booths at a bazaar or exhibition with more applicants than places: members apply, and
//! an officer allocates with a published seed. The order (core's [`fair::allocate`]) is
//! grade first (the best certificate in force on the event's first day), then fewer places
//! in the 12 months before, then the seeded draw; winners become participants (their P5
//! event) in the allocating transaction, and every applicant's rank and reasons are kept.

use chrono::{DateTime, Months, Utc};
use jakpreneur_core::curation::Grade;
use jakpreneur_core::fair::{self, Applicant};
use jakpreneur_core::text::parse_reference;
use jakpreneur_core::{Actor, Permission};
use serde::Serialize;
use serde_json::json;

use crate::access::{require, scope_filter_on};
use crate::audit::{self, Change, Who};
use crate::ledger::member_for_write;
use crate::market::participate;
use crate::query::{query, query_text};
use crate::{Result, Store, StoreError};

/// One application and, once allocated, its place in the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Application {
    pub member_no: String,
    pub business_name: String,
    pub applied_at: DateTime<Utc>,
    pub rank: Option<i64>,
    pub won: Option<bool>,
    pub best_grade: Option<String>,
    pub places_before: Option<i64>,
    /// SHA-256 of `"<seed>:<member_no>"`, hex.
    pub draw: Option<String>,
}

/// A market event's allocation: the seed and every applicant in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Allocation {
    pub market_event_id: i64,
    pub booths: Option<i64>,
    pub seed: Option<String>,
    pub allocated_by: Option<String>,
    pub allocated_at: Option<DateTime<Utc>>,
    pub applications: Vec<Application>,
}

/// A seed: any text a person can publish (a date, a lottery number).
pub fn parse_seed(raw: Option<&str>) -> std::result::Result<String, jakpreneur_core::FieldError> {
    parse_reference("seed", raw.unwrap_or(""), 100)
}

impl Store {
    /// A member applies for a booth (the member itself, or staff of its region).
    pub async fn apply_for_booth(
        &self,
        actor: &Actor,
        market_id: i64,
        member_no: &str,
    ) -> Result<Allocation> {
        if !(actor.can(Permission::EventRecord) || actor.can(Permission::ProductManage)) {
            return Err(StoreError::Forbidden(
                "the role may not apply for booths".into(),
            ));
        }
        self.market_event(market_id).await?;
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let f = member_for_write(&mut tx, actor, member_no, false).await?;
        let done: Option<String> =
            query("SELECT seed FROM market_allocations WHERE market_event_id = $1")
                .bind(market_id)
                .scalar_optional(&mut tx)
                .await?;
        if done.is_some() {
            return Err(StoreError::invalid(
                "market_event_id",
                "already_allocated",
                "the booths of this market event are already allocated",
            ));
        }
        let n = query(
            "INSERT INTO market_applications (market_event_id, member_id, applied_at, applied_by) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (market_event_id, member_id) DO NOTHING",
        )
        .bind(market_id)
        .bind(f.id)
        .bind(now)
        .bind(&who.name)
        .execute(&mut tx)
        .await?;
        if n == 0 {
            return Err(StoreError::invalid(
                "member_no",
                "already_applied",
                "the member has already applied for this market event",
            ));
        }
        audit::append(
            &mut tx,
            self.vault()?,
            now,
            &[Change {
                who,
                action: "market.apply",
                record_type: "market_event",
                record_id: market_id.to_string(),
                before: None,
                after: Some(json!({ "member_no": member_no })),
            }],
        )
        .await?;
        tx.commit().await?;
        self.allocation(actor, market_id).await
    }

    /// Allocates `booths` booths among the applicants with `seed`, once per market event.
    #[tracing::instrument(skip_all)]
    pub async fn allocate_booths(
        &self,
        actor: &Actor,
        market_id: i64,
        booths: i64,
        seed: &str,
    ) -> Result<Allocation> {
        require(actor, Permission::EventRecord)?;
        let market = self.market_event(market_id).await?;
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let n = query(
            "INSERT INTO market_allocations (market_event_id, seed, allocated_by, allocated_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (market_event_id) DO NOTHING",
        )
        .bind(market_id)
        .bind(seed)
        .bind(&who.name)
        .bind(now)
        .execute(&mut tx)
        .await?;
        if n == 0 {
            return Err(StoreError::invalid(
                "seed",
                "already_allocated",
                "the booths of this market event are already allocated",
            ));
        }
        let since = market
            .starts_on
            .checked_sub_months(Months::new(12))
            .unwrap_or(market.starts_on);
        let rows: Vec<(i64, String, Option<String>, i64)> = query(
            "SELECT a.member_id, m.member_no, (SELECT MIN(p.grade) FROM products p WHERE \
             p.member_id = a.member_id AND p.grade IS NOT NULL AND p.certificate_valid_until >= \
             $2), (SELECT COUNT(*) FROM market_participants x JOIN market_events e ON e.id = \
             x.market_event_id WHERE x.member_id = a.member_id AND e.starts_on >= $3 AND \
             e.starts_on < $2 AND NOT EXISTS (SELECT 1 FROM member_events v WHERE \
             v.voids_event_id = x.event_id)) FROM market_applications a JOIN members m ON m.id = \
             a.member_id WHERE a.market_event_id = $1",
        )
        .bind(market_id)
        .bind(market.starts_on)
        .bind(since)
        .fetch_all(&mut tx)
        .await?;
        let applicants: Vec<Applicant> = rows
            .iter()
            .map(|(_, no, grade, places)| Applicant {
                member_no: no.clone(),
                best_grade: grade.as_deref().and_then(|g| Grade::parse(g).ok()),
                places_last_12_months: *places,
            })
            .collect();
        let ranked = fair::allocate(booths, &applicants, seed);
        let ids: std::collections::HashMap<&str, i64> = rows
            .iter()
            .map(|(id, no, _, _)| (no.as_str(), *id))
            .collect();
        // The allocating officer may not reach every winner's region: the allocation
        // itself is the authority, recorded under the officer's name and agency.
        let allocator = Actor::system(&who.name).with_agency(actor.agency.clone());
        for r in &ranked {
            let member_id = ids
                .get(r.member_no.as_str())
                .copied()
                .ok_or(StoreError::NotFound)?;
            query(
                "UPDATE market_applications SET rank = $1, won = $2, best_grade = $3, \
                 places_before = $4, draw = $5 WHERE market_event_id = $6 AND member_id = $7",
            )
            .bind(r.rank)
            .bind(r.won)
            .bind(r.best_grade.map(|g| g.as_str()))
            .bind(r.places_last_12_months)
            .bind(&r.draw)
            .bind(market_id)
            .bind(member_id)
            .execute(&mut tx)
            .await?;
            if r.won {
                participate(
                    &mut tx,
                    &allocator,
                    &who,
                    &market,
                    &r.member_no,
                    now,
                    self.vault()?,
                )
                .await?;
            }
        }
        query("UPDATE market_events SET booths = $1 WHERE id = $2")
            .bind(booths)
            .bind(market_id)
            .execute(&mut tx)
            .await?;
        audit::append(
            &mut tx, self.vault()?,
            now,
            &[Change {
                who,
                action: "market.allocate",
                record_type: "market_event",
                record_id: market_id.to_string(),
                before: None,
                after: Some(json!({ "booths": booths, "seed": seed,
                    "applicants": ranked.len(),
                    "winners": ranked.iter().filter(|r| r.won).map(|r| &r.member_no).collect::<Vec<_>>() })),
            }],
        )
        .await?;
        tx.commit().await?;
        self.allocation(actor, market_id).await
    }

    /// The applications the actor's scope reaches, in allocation order once allocated.
    pub async fn allocation(&self, actor: &Actor, market_id: i64) -> Result<Allocation> {
        if !(actor.can(Permission::MemberRead)) {
            return Err(StoreError::Forbidden(
                "the role may not read applications".into(),
            ));
        }
        let market = self.market_event(market_id).await?;
        let head: Option<(String, String, DateTime<Utc>)> = query(
            "SELECT seed, allocated_by, allocated_at FROM market_allocations WHERE \
             market_event_id = $1",
        )
        .bind(market_id)
        .fetch_optional(self.read())
        .await?;
        let booths: Option<i64> = query("SELECT booths FROM market_events WHERE id = $1")
            .bind(market_id)
            .scalar(self.read())
            .await?;
        let mut q = query_text(
            "SELECT m.member_no, m.business_name, a.applied_at, a.rank, a.won, a.best_grade, \
             a.places_before, a.draw FROM market_applications a JOIN members m ON m.id = \
             a.member_id WHERE a.market_event_id = $1",
        )
        .bind(market.id);
        scope_filter_on(actor, &mut q, "m.");
        q.push(" ORDER BY a.rank, a.applied_at, m.member_no");
        let applications = q.fetch_all(self.read()).await?;
        let (seed, allocated_by, allocated_at) = match head {
            Some((s, b, a)) => (Some(s), Some(b), Some(a)),
            None => (None, None, None),
        };
        Ok(Allocation {
            market_event_id: market_id,
            booths,
            seed,
            allocated_by,
            allocated_at,
            applications,
        })
    }
}
