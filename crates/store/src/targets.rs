//! Targets (`targets`) and their progress: the figure now, the figure twelve months
//! earlier, and the date the value is reached at that pace. Figures come from the
//! statistics counters; a mentor's figure (distinct members mentored) from that mentor's
//! own sessions.

use chrono::{DateTime, Months, NaiveDate, Utc};
use jakpreneur_core::stats::beginning;
use jakpreneur_core::targets::{Figure, Goal, NewTarget, Progress, progress};
use jakpreneur_core::{Actor, FieldError, Permission, RegionCode, Role};
use serde_json::json;

use crate::access::require;
use crate::audit::{self, Change, Who};
use crate::query::{query, query_text};
use crate::stats::Breakdown;
use crate::{Result, Store, StoreError};

/// A stored target.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Target {
    pub id: i64,
    pub indicator: String,
    pub region_code: Option<String>,
    pub agency_code: Option<String>,
    pub mentor: Option<String>,
    pub value: i64,
    pub from_on: Option<NaiveDate>,
    pub deadline: NaiveDate,
    pub source: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

const TARGET_SELECT: &str = "SELECT t.id, t.indicator, t.region_code, t.agency_code, u.username \
    AS mentor, \
     t.value, t.from_on, t.deadline, t.source, t.created_by, t.created_at \
     FROM targets t LEFT JOIN users u ON u.id = t.mentor_user_id WHERE t.withdrawn_at IS NULL";

impl Store {
    /// Records a target (administrators). A mentor's target names an account with the
    /// mentor role.
    pub async fn create_target(&self, actor: &Actor, t: &NewTarget) -> Result<Target> {
        require(actor, Permission::TargetManage)?;
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let mentor_id = match &t.mentor {
            None => None,
            Some(name) => {
                let found: Option<(i64, String)> =
                    query("SELECT id, role FROM users WHERE username = $1")
                        .bind(name)
                        .fetch_optional(&mut tx)
                        .await?;
                match found {
                    Some((id, role)) if role == Role::Mentor.as_str() => Some(id),
                    _ => {
                        return Err(StoreError::Invalid(
                            FieldError::new(
                                "mentor",
                                "mentor_unknown",
                                format!("{name} is not a mentor's account"),
                            )
                            .into(),
                        ));
                    }
                }
            }
        };
        let id: i64 = query(
            "INSERT INTO targets (indicator, region_code, agency_code, mentor_user_id, value, \
                    from_on, deadline, source, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(&t.indicator)
        .bind(t.region.as_ref().map(RegionCode::as_str))
        .bind(&t.agency)
        .bind(mentor_id)
        .bind(t.value)
        .bind(t.from)
        .bind(t.deadline)
        .bind(&t.source)
        .bind(&who.name)
        .bind(now)
        .scalar(&mut tx)
        .await?;
        let change = Change {
            who: who.clone(),
            action: "target.create",
            record_type: "target",
            record_id: id.to_string(),
            before: None,
            after: Some(json!({
                "indicator": t.indicator,
                "value": t.value,
                "region": t.region.as_ref().map(RegionCode::as_str),
                "agency": t.agency,
                "mentor": t.mentor,
                "from": t.from,
                "deadline": t.deadline,
                "source": t.source,
            })),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        self.target(id).await
    }

    async fn target(&self, id: i64) -> Result<Target> {
        let q = format!("{TARGET_SELECT} AND t.id = $1");
        let t: Option<Target> = query_text(q).bind(id).fetch_optional(self.read()).await?;
        t.ok_or(StoreError::NotFound)
    }

    /// Withdraws a target (administrators); it stays in the audit log.
    pub async fn withdraw_target(&self, actor: &Actor, id: i64) -> Result<()> {
        require(actor, Permission::TargetManage)?;
        let before = self.target(id).await?;
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let n =
            query("UPDATE targets SET withdrawn_at = $1 WHERE id = $2 AND withdrawn_at IS NULL")
                .bind(now)
                .bind(id)
                .execute(&mut tx)
                .await?;
        if n != 1 {
            return Err(StoreError::NotFound);
        }
        let change = Change {
            who: who.clone(),
            action: "target.withdraw",
            record_type: "target",
            record_id: id.to_string(),
            before: Some(json!({
                "indicator": before.indicator,
                "value": before.value,
                "deadline": before.deadline,
            })),
            after: None,
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await
    }

    /// Every target in force, in deadline order, with its progress on `today`: exact where
    /// the actor sees exact statistics of the target's region, the published (perturbed)
    /// figures elsewhere.
    pub async fn list_targets(
        &self,
        actor: &Actor,
        today: NaiveDate,
    ) -> Result<Vec<(Target, Progress)>> {
        require(actor, Permission::MemberRead)?;
        self.targets_with_progress(today, Some(actor)).await
    }

    /// The targets of the programme, regions and agencies (not mentors': those describe
    /// one person's work) for the open statistics.
    pub async fn open_targets(&self, today: NaiveDate) -> Result<Vec<(Target, Progress)>> {
        self.targets_with_progress(today, None).await
    }

    async fn targets_with_progress(
        &self,
        today: NaiveDate,
        staff: Option<&Actor>,
    ) -> Result<Vec<(Target, Progress)>> {
        // The open page leaves mentors' targets out, and its figures below city level
        // are the perturbed ones, as on every other open page.
        let mentors = if staff.is_none() {
            " AND t.mentor_user_id IS NULL"
        } else {
            ""
        };
        let q = format!("{TARGET_SELECT}{mentors} ORDER BY t.deadline, t.id");
        let targets: Vec<Target> = query_text(q).fetch_all(self.read()).await?;
        let mut out = Vec::with_capacity(targets.len());
        for t in targets {
            let p = self.target_progress(&t, today, staff).await?;
            out.push((t, p));
        }
        Ok(out)
    }

    async fn target_progress(
        &self,
        t: &Target,
        today: NaiveDate,
        staff: Option<&Actor>,
    ) -> Result<Progress> {
        let goal = Goal::parse(&t.indicator).ok_or_else(|| {
            StoreError::Corrupt(format!("target {} names an unknown indicator", t.id))
        })?;
        let region = t
            .region_code
            .as_deref()
            .map(|r| RegionCode::parse("region", r))
            .transpose()
            .map_err(|_| StoreError::Corrupt(format!("target {}: region", t.id)))?;
        // Exact where the reader sees exact statistics of the region, published otherwise.
        let public = !staff.is_some_and(|a| a.sees_exact_statistics(region.as_ref()));
        let to = today.min(t.deadline);
        let year_before = |d: NaiveDate| d.checked_sub_months(Months::new(12)).unwrap_or(d);
        let start = t.from_on.unwrap_or_else(beginning);
        // The figure up to `on`, and twelve months earlier.
        let figure_on = async |on: NaiveDate| -> Result<Figure> {
            let earlier = year_before(on);
            let (now, then) = match &goal {
                Goal::Stock(m) => (
                    self.figure(t, region.as_ref(), m, true, (beginning(), on), public)
                        .await?,
                    self.figure(t, region.as_ref(), m, true, (beginning(), earlier), public)
                        .await?,
                ),
                Goal::FirstReached(m) | Goal::Events(m) => {
                    let first = matches!(goal, Goal::FirstReached(_));
                    (
                        self.figure(t, region.as_ref(), m, first, (start, on), public)
                            .await?,
                        self.figure(t, region.as_ref(), m, first, (start, earlier), public)
                            .await?,
                    )
                }
                Goal::MentoredMembers => (
                    self.mentored(t, start, on).await?,
                    self.mentored(t, start, earlier).await?,
                ),
            };
            Ok(Figure {
                value: now,
                gained_12_months: now - then,
                on,
            })
        };
        let at = figure_on(to).await?;
        // A stock goes on after its deadline; a period's count ends with it.
        let later = if today > t.deadline && !goal.is_flow() {
            Some(figure_on(today).await?)
        } else {
            None
        };
        let mut p = progress(t.value, at, later, t.deadline);
        if today > t.deadline && goal.is_flow() {
            p.projected_on = None;
        }
        Ok(p)
    }

    /// A counter measure over [from, to] for a target's region or agency: first reaches
    /// (stocks are first reaches since the beginning) or events.
    async fn figure(
        &self,
        t: &Target,
        region: Option<&RegionCode>,
        measure: &str,
        reached: bool,
        (from, to): (NaiveDate, NaiveDate),
        public: bool,
    ) -> Result<i64> {
        if to < from {
            return Ok(0);
        }
        let by = t.agency_code.as_ref().map(|_| Breakdown::Agency);
        let f = if public {
            self.open_flows(region, from, to, by).await?
        } else {
            self.exact_flows(region, from, to, by).await?
        };
        let flows = match &t.agency_code {
            Some(a) => f.groups.get(a).cloned().unwrap_or_default(),
            None => f.total,
        };
        Ok(flows
            .get(measure)
            .map_or(0, |(r, e)| if reached { *r } else { *e }))
    }

    /// Distinct members the target's mentor held a non-voided session with in [from, to].
    async fn mentored(&self, t: &Target, from: NaiveDate, to: NaiveDate) -> Result<i64> {
        let Some(mentor) = &t.mentor else {
            return Ok(0);
        };
        query(
            "SELECT COUNT(DISTINCT s.member_id) FROM mentoring_sessions s JOIN users u ON \
                    u.id = s.mentor_user_id \
                 WHERE u.username = $1 AND s.held_on >= $2 AND s.held_on <= $3 \
                 AND NOT EXISTS (SELECT 1 FROM member_events v WHERE v.voids_event_id = \
                 s.event_id)",
        )
        .bind(mentor)
        .bind(from)
        .bind(to)
        .scalar(self.read())
        .await
    }
}
