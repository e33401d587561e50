//! Facility P5, market access: bazaars, exhibitions and outlets, and the members taking
//! part. Adding a participant writes its qualifying ledger event (kind = the market kind,
//! dated the first day) in the same transaction, so the member reaches P5 through the
//! ledger like every other facility.

use chrono::{Months, NaiveDate, Utc};
use jakpreneur_core::programme::{JAKPRENEUR, NewEvent};
use jakpreneur_core::{Actor, FieldError, Permission, RegionCode, ValidationErrors};
use serde::Serialize;
use serde_json::json;

use crate::access::require;
use crate::access::scope_filter_on;
use crate::audit::{self, Change, Who};
use crate::ledger::{member_for_write, write_event};
use crate::query::{query, query_text};
use crate::{Result, Store, StoreError};

/// A market event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct MarketEvent {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub level: String,
    pub place_code: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub agency_code: String,
    pub participants: i64,
}

/// A market event to create, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMarketEvent {
    pub kind: String,
    pub name: String,
    pub level: String,
    pub place_code: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Also create this many further editions, one month apart (the monthly bazaar).
    pub repeat_monthly: u32,
}

impl NewMarketEvent {
    #[allow(clippy::too_many_arguments)] // reason: one argument per form field
    pub fn parse(
        kind: Option<&str>,
        name: Option<&str>,
        level: Option<&str>,
        place_code: Option<&str>,
        starts_on: Option<&str>,
        ends_on: Option<&str>,
        repeat_monthly: Option<&str>,
    ) -> std::result::Result<Self, ValidationErrors> {
        use jakpreneur_core::text::{parse_date, parse_text};
        let mut errs = ValidationErrors::default();
        let given = |v: Option<&str>| {
            v.map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let kind = match given(kind).as_deref() {
            Some(k @ ("bazaar" | "exhibition" | "outlet")) => Some(k.to_owned()),
            Some(_) => {
                errs.push(FieldError::new(
                    "kind",
                    "market_kind_invalid",
                    "kind must be bazaar, exhibition or outlet",
                ));
                None
            }
            None => {
                errs.push(FieldError::required("kind"));
                None
            }
        };
        let name = match given(name) {
            Some(n) => errs.take(parse_text("name", &n, 3, 150)),
            None => {
                errs.push(FieldError::required("name"));
                None
            }
        };
        let level = match given(level).as_deref() {
            None => Some("local".to_owned()),
            Some(l @ ("local" | "national" | "international")) => Some(l.to_owned()),
            Some(_) => {
                errs.push(FieldError::new(
                    "level",
                    "level_invalid",
                    "level must be local, national or international",
                ));
                None
            }
        };
        let place_code = given(place_code).and_then(|c| {
            errs.take(RegionCode::parse_district("place_code", &c).map(|r| r.as_str().to_owned()))
        });
        let starts_on = match given(starts_on) {
            Some(d) => errs.take(parse_date("starts_on", &d)),
            None => {
                errs.push(FieldError::required("starts_on"));
                None
            }
        };
        let ends_on = match given(ends_on) {
            Some(d) => errs.take(parse_date("ends_on", &d)),
            None => starts_on,
        };
        if let (Some(s), Some(e)) = (starts_on, ends_on)
            && e < s
        {
            errs.push(FieldError::new(
                "ends_on",
                "date_range",
                "ends_on must not be before starts_on",
            ));
        }
        let repeat_monthly = match given(repeat_monthly) {
            None => Some(0),
            Some(r) => errs.take(r.parse::<u32>().ok().filter(|n| *n <= 24).ok_or_else(|| {
                FieldError::new(
                    "repeat_monthly",
                    "repeat_out_of_range",
                    "repeat_monthly must be 0 to 24",
                )
            })),
        };
        match (
            kind,
            name,
            level,
            starts_on,
            ends_on,
            repeat_monthly,
            errs.is_empty(),
        ) {
            (
                Some(kind),
                Some(name),
                Some(level),
                Some(starts_on),
                Some(ends_on),
                Some(repeat_monthly),
                true,
            ) => Ok(Self {
                kind,
                name,
                level,
                place_code,
                starts_on,
                ends_on,
                repeat_monthly,
            }),
            _ => Err(errs),
        }
    }
}

const MARKET_SELECT: &str = "SELECT e.id, e.kind, e.name, e.level, e.place_code, e.starts_on, \
    e.ends_on, \
     e.agency_code, (SELECT COUNT(*) FROM market_participants p WHERE p.market_event_id = e.id \
       AND NOT EXISTS (SELECT 1 FROM member_events v WHERE v.voids_event_id = p.event_id)) AS \
       participants \
     FROM market_events e";

impl Store {
    /// Creates a market event, and its monthly repeats if asked (same days of the month,
    /// each a month later). Returns them in date order.
    pub async fn create_market_events(
        &self,
        actor: &Actor,
        m: &NewMarketEvent,
    ) -> Result<Vec<MarketEvent>> {
        require(actor, Permission::EventRecord)?;
        let who = Who::from(actor);
        let agency = actor.agency_or_default();
        let now = Utc::now();
        let mut ids = Vec::new();
        let mut tx = self.begin().await?;
        for k in 0..=m.repeat_monthly {
            let shift = |d: NaiveDate| d.checked_add_months(Months::new(k));
            let (Some(starts), Some(ends)) = (shift(m.starts_on), shift(m.ends_on)) else {
                break;
            };
            let id: i64 = query(
                "INSERT INTO market_events (kind, name, level, place_code, starts_on, ends_on, \
                 agency_code, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(&m.kind)
            .bind(&m.name)
            .bind(&m.level)
            .bind(&m.place_code)
            .bind(starts)
            .bind(ends)
            .bind(&agency)
            .bind(&who.name)
            .bind(now)
            .scalar(&mut tx)
            .await?;
            let change = Change {
                who: who.clone(),
                action: "market.create",
                record_type: "market_event",
                record_id: id.to_string(),
                before: None,
                after: Some(json!({
                    "kind": m.kind, "name": m.name, "starts_on": starts, "ends_on": ends,
                })),
            };
            audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
            ids.push(id);
        }
        tx.commit().await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.market_event(id).await?);
        }
        Ok(out)
    }

    pub async fn market_event(&self, id: i64) -> Result<MarketEvent> {
        let q = format!("{MARKET_SELECT} WHERE e.id = $1");
        let row: Option<MarketEvent> = query_text(q).bind(id).fetch_optional(self.read()).await?;
        row.ok_or(StoreError::NotFound)
    }

    /// Market events starting from `from`, soonest first (at most 200). Market events are
    /// programme-wide, not personal data: any signed-in staff may see them.
    pub async fn list_market_events(
        &self,
        actor: &Actor,
        from: NaiveDate,
    ) -> Result<Vec<MarketEvent>> {
        require(actor, Permission::MemberRead)?;
        let q =
            format!("{MARKET_SELECT} WHERE e.ends_on >= $1 ORDER BY e.starts_on, e.id LIMIT 200");
        query_text(q).bind(from).fetch_all(self.read()).await
    }

    /// Adds a member to a market event: its ledger event (the market kind, dated the first
    /// day; the order rule in force that day applies) and the participation row.
    pub async fn add_market_participant(
        &self,
        actor: &Actor,
        market_id: i64,
        member_no: &str,
    ) -> Result<MarketEvent> {
        require(actor, Permission::EventRecord)?;
        let market = self.market_event(market_id).await?;
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        participate(&mut tx, actor, &who, &market, member_no, now, self.vault()?).await?;
        tx.commit().await?;
        self.market_event(market_id).await
    }

    /// The participants of a market event whom the actor's scope reaches: member number,
    /// business name, village.
    pub async fn market_participants(
        &self,
        actor: &Actor,
        market_id: i64,
    ) -> Result<Vec<(String, String, String)>> {
        require(actor, Permission::MemberRead)?;
        self.market_event(market_id).await?;
        let mut q = query(
            "SELECT m.member_no, m.business_name, m.village_code FROM market_participants p \
             JOIN members m ON m.id = p.member_id WHERE p.market_event_id = $1 \
             AND NOT EXISTS (SELECT 1 FROM member_events v WHERE v.voids_event_id = p.event_id)",
        )
        .bind(market_id);
        scope_filter_on(actor, &mut q, "m.");
        q.push(" ORDER BY m.member_no");
        q.fetch_all(self.read()).await
    }
}

/// Adds member `member_no` to `market` inside the caller's transaction: the qualifying P5
/// event (the market kind, dated the first day) and the participation row, audited.
pub(crate) async fn participate(
    tx: &mut crate::query::Tx,
    actor: &Actor,
    who: &Who,
    market: &MarketEvent,
    member_no: &str,
    now: chrono::DateTime<Utc>,
    vault: &crate::crypto::Vault,
) -> Result<i64> {
    let market_id = market.id;
    let agency = actor.agency_or_default();
    let f = member_for_write(&mut *tx, actor, member_no, false).await?;
    // A participation voided earlier is taken up again rather than added twice.
    let already: Option<bool> = query(
        "SELECT EXISTS (SELECT 1 FROM member_events v WHERE v.voids_event_id = p.event_id) \
             FROM market_participants p WHERE market_event_id = $1 AND member_id = $2",
    )
    .bind(market_id)
    .bind(f.id)
    .scalar_optional(&mut *tx)
    .await?;
    if already == Some(false) {
        return Err(StoreError::Invalid(
            FieldError::new(
                "member_no",
                "already_participating",
                "the member already takes part in this market event",
            )
            .into(),
        ));
    }
    let e = NewEvent {
        programme: JAKPRENEUR.into(),
        stage: "P5".into(),
        kind: market.kind.clone(),
        qualifying: true,
        occurred_on: market.starts_on,
        place_code: market.place_code.clone(),
        agency: None,
        reference: Some(market.name.chars().take(100).collect()),
        note: None,
    };
    let event_id = write_event(&mut *tx, &f, &e, &agency, who, None, now).await?;
    query(
        "INSERT INTO market_participants (market_event_id, member_id, event_id, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (market_event_id, member_id) DO UPDATE \
             SET event_id = excluded.event_id, created_at = excluded.created_at",
    )
    .bind(market_id)
    .bind(f.id)
    .bind(event_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let change = Change {
        who: who.clone(),
        action: "market.participant_add",
        record_type: "market_event",
        record_id: market_id.to_string(),
        before: None,
        after: Some(json!({ "member_no": member_no, "event_id": event_id })),
    };
    audit::append(&mut *tx, vault, now, std::slice::from_ref(&change)).await?;
    Ok(event_id)
}
