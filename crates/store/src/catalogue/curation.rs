//! Calls for curation, submissions and the chain (core's [`step`] table decides which
//! action leads where and which roles take it; this module adds what needs records: the
//! member's mentor, region scope, the call's window, places and conflict-of-interest rule).
//! A passing grade issues the certificate, puts it on the product (if the product has not
//! changed since it was submitted) and writes the member's `curation_assisted` (P3) and
//! `product_curated` (P5) events, all in the grading transaction.

use chrono::{DateTime, NaiveDate, Utc};
use jakpreneur_core::access::region_contains;
use jakpreneur_core::catalogue::Category;
use jakpreneur_core::curation::{
    Action, Grading, NewCall, SubmissionState, call_state, certificate_no, certificate_valid_until,
    step,
};
use jakpreneur_core::programme::{JAKPRENEUR, NewEvent};
use jakpreneur_core::{Actor, Permission, Role, Scope};
use serde::Serialize;
use serde_json::json;

use super::owner_for_write;
use crate::access::{require, require_covers, scope_filter_on};
use crate::audit::{self, Change, Who};
use crate::ledger::{member_facts_locked, write_event};
use crate::query::{Query, Tx, query, query_text};
use crate::{Result, Store, StoreError};

/// A call for curation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Call {
    pub id: i64,
    pub title: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    /// Category codes separated by commas; empty: every category.
    #[serde(skip)]
    pub categories: String,
    pub region_code: String,
    pub places: i64,
    pub exclude_own_region_curators: bool,
    pub agency_code: String,
    pub submissions: i64,
    /// `upcoming`, `open` or `closed` on the day it was read.
    #[sqlx(skip)]
    pub state: String,
    #[sqlx(skip)]
    #[serde(rename = "categories")]
    pub category_list: Vec<String>,
}

impl Call {
    fn finish(mut self, today: NaiveDate) -> Self {
        self.state = call_state(self.opens_on, self.closes_on, today).to_owned();
        self.category_list = self
            .categories
            .split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect();
        self
    }

    fn admits(&self, c: Category) -> bool {
        self.categories.is_empty() || self.categories.split(',').any(|x| x == c.as_str())
    }
}

const CALL_SELECT: &str = "SELECT c.id, c.title, c.opens_on, c.closes_on, c.categories, \
     c.region_code, c.places, c.exclude_own_region_curators, c.agency_code, (SELECT COUNT(*) \
     FROM curation_submissions s WHERE s.call_id = c.id) AS submissions FROM curation_calls c";

/// A product submitted to a call, where it stands, and its grade once graded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Submission {
    pub id: i64,
    pub call_id: i64,
    pub call_title: String,
    pub product_id: i64,
    pub product_name: String,
    pub category: String,
    pub member_no: String,
    pub business_name: String,
    pub district_code: String,
    #[sqlx(try_from = "String")]
    #[schema(value_type = String)]
    pub state: SubmissionState,
    pub submitted_on: NaiveDate,
    pub verified_on: Option<NaiveDate>,
    pub grade: Option<String>,
    pub score_taste: Option<i64>,
    pub score_packaging: Option<i64>,
    pub score_hygiene: Option<i64>,
    pub score_halal: Option<i64>,
    pub score_photos: Option<i64>,
    pub graded_on: Option<NaiveDate>,
    pub graded_by: Option<String>,
    pub certificate_no: Option<String>,
    pub valid_until: Option<NaiveDate>,
    /// The product's judged version when it was submitted (a certificate covers it).
    pub judged_version: i64,
    /// Whether this certificate is the one in force on the product now.
    pub certificate_current: bool,
    #[serde(skip)]
    pub member_id: i64,
    #[serde(skip)]
    pub village_code: String,
    #[serde(skip)]
    pub exclude_own_region_curators: bool,
    #[sqlx(skip)]
    pub steps: Vec<Step>,
}

/// One step of the chain, with its note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Step {
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub actor: String,
    pub actor_role: String,
    pub note: String,
    /// The day the step was taken.
    pub taken_on: NaiveDate,
    /// When it was recorded.
    pub at: DateTime<Utc>,
}

/// What waits for an actor in the chain, oldest first.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct CurationQueue {
    pub items: Vec<Submission>,
}

const SUBMISSION_SELECT: &str = "SELECT s.id, s.call_id, c.title AS call_title, s.product_id, \
     p.name AS product_name, p.category, m.member_no, m.business_name, m.district_code, s.state, \
     s.submitted_on, s.verified_on, s.grade, s.score_taste, s.score_packaging, s.score_hygiene, \
     s.score_halal, s.score_photos, s.graded_on, s.graded_by, s.certificate_no, s.valid_until, \
     s.judged_version, (p.certificate_id IS NOT NULL AND p.certificate_id = s.id) AS \
     certificate_current, s.member_id, m.village_code, c.exclude_own_region_curators FROM \
     curation_submissions s JOIN curation_calls c ON c.id = s.call_id JOIN products p ON p.id = \
     s.product_id JOIN members m ON m.id = s.member_id WHERE 1 = 1";

/// The member's mentor now, if any (the account id).
async fn current_mentor(tx: &mut Tx, member_id: i64) -> Result<Option<i64>> {
    query(
        "SELECT mentor_user_id FROM mentor_assignments WHERE member_id = $1 AND ended_on IS NULL \
         ORDER BY assigned_on DESC LIMIT 1",
    )
    .bind(member_id)
    .scalar_optional(tx)
    .await
}

/// Whether a curator's own region holds the member (the call may forbid grading then).
fn curator_conflict(actor: &Actor, village: &str) -> bool {
    matches!(&actor.scope, Scope::Region(r) if region_contains(r.as_str(), village))
}

fn invalid_state(state: SubmissionState, action: Action) -> StoreError {
    StoreError::invalid(
        "action",
        "submission_state",
        format!("a submission that is {state} cannot take the action {action}"),
    )
}

impl Store {
    /// Opens a call for curation within the actor's region.
    pub async fn create_call(&self, actor: &Actor, c: &NewCall, today: NaiveDate) -> Result<Call> {
        require(actor, Permission::CurationManage)?;
        if let Scope::Region(r) = &actor.scope
            && !region_contains(r.as_str(), c.region.as_str())
        {
            return Err(StoreError::Forbidden(
                "the call's region lies outside your region".into(),
            ));
        }
        let who = Who::from(actor);
        let now = Utc::now();
        let categories: Vec<&str> = c.categories.iter().map(|c| c.as_str()).collect();
        let mut tx = self.begin().await?;
        let id: i64 = query(
            "INSERT INTO curation_calls (title, opens_on, closes_on, categories, region_code, \
             places, exclude_own_region_curators, agency_code, created_by, created_at) VALUES \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(&c.title)
        .bind(c.opens_on)
        .bind(c.closes_on)
        .bind(categories.join(","))
        .bind(c.region.as_str())
        .bind(c.places)
        .bind(c.exclude_own_region_curators)
        .bind(actor.agency_or_default())
        .bind(&who.name)
        .bind(now)
        .scalar(&mut tx)
        .await?;
        audit::append(
            &mut tx,
            self.vault()?,
            now,
            &[Change {
                who,
                action: "curation.call_create",
                record_type: "curation_call",
                record_id: id.to_string(),
                before: None,
                after: Some(json!({ "title": c.title, "opens_on": c.opens_on,
                    "closes_on": c.closes_on, "categories": categories,
                    "region": c.region.as_str(), "places": c.places,
                    "exclude_own_region_curators": c.exclude_own_region_curators })),
            }],
        )
        .await?;
        tx.commit().await?;
        self.call(actor, id, today).await
    }

    /// Every call, newest window first (anyone signed in who reads members).
    pub async fn list_calls(&self, actor: &Actor, today: NaiveDate) -> Result<Vec<Call>> {
        require(actor, Permission::MemberRead)?;
        let rows: Vec<Call> = query_text(format!(
            "{CALL_SELECT} ORDER BY c.opens_on DESC, c.id DESC LIMIT 500"
        ))
        .fetch_all(self.read())
        .await?;
        Ok(rows.into_iter().map(|c| c.finish(today)).collect())
    }

    pub async fn call(&self, actor: &Actor, id: i64, today: NaiveDate) -> Result<Call> {
        require(actor, Permission::MemberRead)?;
        let c: Call = query_text(format!("{CALL_SELECT} WHERE c.id = $1"))
            .bind(id)
            .fetch_optional(self.read())
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(c.finish(today))
    }

    /// Submits a product to a call: inside the call's window, in one of its categories,
    /// from a member in its region, while places remain, with at least one photo; once
    /// per product and call.
    #[tracing::instrument(skip_all)]
    pub async fn submit_to_call(
        &self,
        actor: &Actor,
        call_id: i64,
        product_id: i64,
        today: NaiveDate,
    ) -> Result<Submission> {
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let o = owner_for_write(&mut tx, actor, product_id).await?;
        let call: Call = query_text(format!("{CALL_SELECT} WHERE c.id = $1{}", tx.for_update()))
            .bind(call_id)
            .fetch_optional(&mut tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        if today < call.opens_on {
            return Err(StoreError::invalid(
                "call_id",
                "call_not_open",
                format!("the call opens on {}", call.opens_on),
            ));
        }
        if today > call.closes_on {
            return Err(StoreError::invalid(
                "call_id",
                "call_closed",
                format!("the call closed on {}", call.closes_on),
            ));
        }
        let (category, photos): (String, i64) = query(
            "SELECT category, (SELECT COUNT(*) FROM product_photos f WHERE f.product_id = p.id) \
             FROM products p WHERE p.id = $1",
        )
        .bind(product_id)
        .fetch_one(&mut tx)
        .await?;
        let category = Category::parse(&category).map_err(|e| StoreError::Invalid(e.into()))?;
        if !call.admits(category) {
            return Err(StoreError::invalid(
                "product_id",
                "category_not_in_call",
                format!("the call does not take products of the category {category}"),
            ));
        }
        if !region_contains(&call.region_code, &o.village_code) {
            return Err(StoreError::invalid(
                "product_id",
                "member_outside_call_region",
                format!("the call is for members in {}", call.region_code),
            ));
        }
        if photos == 0 {
            return Err(StoreError::invalid(
                "product_id",
                "photo_required",
                "curators judge the photos: add at least one photo first",
            ));
        }
        if call.submissions >= call.places {
            return Err(StoreError::invalid(
                "call_id",
                "call_full",
                format!("all {} places of the call are taken", call.places),
            ));
        }
        let taken: Option<i64> =
            query("SELECT id FROM curation_submissions WHERE call_id = $1 AND product_id = $2")
                .bind(call_id)
                .bind(product_id)
                .scalar_optional(&mut tx)
                .await?;
        if taken.is_some() {
            return Err(StoreError::invalid(
                "product_id",
                "already_submitted",
                "the product is already submitted to this call",
            ));
        }
        let id: i64 = query(
            "INSERT INTO curation_submissions (call_id, product_id, member_id, state, \
             submitted_on, judged_version, created_at, updated_at) VALUES ($1, $2, $3, \
             'submitted', $4, $5, $6, $6) RETURNING id",
        )
        .bind(call_id)
        .bind(product_id)
        .bind(o.member_id)
        .bind(today)
        .bind(o.judged_version)
        .bind(now)
        .scalar(&mut tx)
        .await?;
        add_step(
            &mut tx,
            id,
            "submit",
            None,
            SubmissionState::Submitted,
            actor,
            "",
            today,
            now,
        )
        .await?;
        audit::append(
            &mut tx,
            self.vault()?,
            now,
            &[Change {
                who,
                action: "curation.submit",
                record_type: "curation_submission",
                record_id: id.to_string(),
                before: None,
                after: Some(json!({ "call_id": call_id, "product_id": product_id,
                    "member_no": o.member_no })),
            }],
        )
        .await?;
        tx.commit().await?;
        self.submission_unscoped(id).await
    }

    /// Takes one step of the chain. `grading` is needed for `grade`; `note` is required
    /// for `return` (the reason) and `grade`.
    #[tracing::instrument(skip_all)]
    pub async fn curation_step(
        &self,
        actor: &Actor,
        id: i64,
        action: Action,
        note: &str,
        grading: Option<&Grading>,
        today: NaiveDate,
    ) -> Result<Submission> {
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let s: Submission = query_text(format!("{SUBMISSION_SELECT} AND s.id = $1"))
            .bind(id)
            .fetch_optional(&mut tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let Some((next, roles)) = step(s.state, action) else {
            return Err(invalid_state(s.state, action));
        };
        if !roles.contains(&actor.role) {
            return Err(StoreError::Forbidden(format!(
                "the role {} may not {action} a submission that is {}",
                actor.role.as_str(),
                s.state
            )));
        }
        // What records decide beyond the role.
        match (s.state, actor.role) {
            (SubmissionState::Submitted, Role::Mentor) => {
                if current_mentor(&mut tx, s.member_id).await? != actor.user_id {
                    return Err(StoreError::Forbidden(
                        "only the member's own mentor verifies its submissions".into(),
                    ));
                }
            }
            (SubmissionState::Submitted, _) => {
                require_covers(actor, &s.village_code, &s.member_no)?;
                if current_mentor(&mut tx, s.member_id).await?.is_some() {
                    return Err(StoreError::Forbidden(
                        "the member has a mentor: the mentor verifies its submissions".into(),
                    ));
                }
            }
            (SubmissionState::Forwarded, _) => {
                if s.exclude_own_region_curators && curator_conflict(actor, &s.village_code) {
                    return Err(StoreError::Forbidden(
                        "conflict of interest: this call does not let curators grade \
                         submissions from their own region"
                            .into(),
                    ));
                }
            }
            _ => require_covers(actor, &s.village_code, &s.member_no)?,
        }
        let note = match (action, grading) {
            (Action::Grade, Some(g)) => g.note.clone(),
            (Action::Grade, None) => {
                return Err(StoreError::invalid(
                    "grade",
                    "required",
                    "grade is required",
                ));
            }
            (Action::Return, _) if note.trim().is_empty() => {
                return Err(StoreError::invalid(
                    "note",
                    "required",
                    "a returned submission needs the reason in note",
                ));
            }
            _ => note.to_owned(),
        };
        let mut set = query_text(
            "UPDATE curation_submissions SET state = $1, version = version + 1, updated_at = $2",
        )
        .bind(next.as_str())
        .bind(now);
        if action == Action::Verify {
            let a = set.arg(today);
            set.push(&format!(", verified_on = {a}"));
        }
        if action == Action::Resubmit {
            // The product as it is now is what the chain judges from here on.
            let a = set.arg(today);
            set.push(&format!(", submitted_on = {a}, verified_on = NULL"));
            set.push(", judged_version = (SELECT judged_version FROM products p WHERE p.id = product_id)");
        }
        let mut certificate = None;
        if let (Action::Grade, Some(g)) = (action, grading) {
            let until = certificate_valid_until(today);
            let no = g.grade.passed().then(|| certificate_no(today, id));
            push_grade(
                &mut set,
                g,
                today,
                &who.name,
                no.as_deref(),
                g.grade.passed().then_some(until),
            );
            certificate = no.map(|n| (n, until));
        }
        let a = set.arg(id);
        set.push(&format!(" WHERE id = {a}"));
        set.execute(&mut tx).await?;
        add_step(
            &mut tx,
            id,
            action.as_str(),
            Some(s.state),
            next,
            actor,
            &note,
            today,
            now,
        )
        .await?;
        if let (Some((no, until)), Some(g)) = (&certificate, grading) {
            self.issue_certificate(&mut tx, &s, g, no, *until, today, &who, now)
                .await?;
        }
        audit::append(
            &mut tx,
            self.vault()?,
            now,
            &[Change {
                who,
                action: "curation.step",
                record_type: "curation_submission",
                record_id: id.to_string(),
                before: Some(json!({ "state": s.state })),
                after: Some(json!({ "action": action, "state": next, "note": note,
                    "grade": grading.map(|g| g.grade), "scores": grading.map(|g| g.scores),
                    "certificate_no": certificate.as_ref().map(|c| &c.0) })),
            }],
        )
        .await?;
        tx.commit().await?;
        self.submission_unscoped(id).await
    }

    /// A pass: the certificate on the product (when it has not changed since it was
    /// submitted) and the member's P3 and P5 events.
    #[allow(clippy::too_many_arguments)] // reason: the submission, the grade and who/when
    async fn issue_certificate(
        &self,
        tx: &mut Tx,
        s: &Submission,
        g: &Grading,
        no: &str,
        until: NaiveDate,
        today: NaiveDate,
        who: &Who,
        now: DateTime<Utc>,
    ) -> Result<()> {
        query(
            "UPDATE products SET grade = $1, certificate_id = $2, certificate_valid_until = $3 \
             WHERE id = $4 AND judged_version = (SELECT judged_version FROM \
             curation_submissions WHERE id = $2)",
        )
        .bind(g.grade.as_str())
        .bind(s.id)
        .bind(until)
        .bind(s.product_id)
        .execute(&mut *tx)
        .await?;
        let f = member_facts_locked(&mut *tx, &s.member_no)
            .await?
            .ok_or(StoreError::NotFound)?;
        let agency: String = query("SELECT agency_code FROM curation_calls WHERE id = $1")
            .bind(s.call_id)
            .scalar(&mut *tx)
            .await?;
        let event = |stage: &str, kind: &str, on: NaiveDate| NewEvent {
            programme: JAKPRENEUR.into(),
            stage: stage.into(),
            kind: kind.into(),
            qualifying: true,
            occurred_on: on,
            place_code: Some(f.district_code.clone()),
            agency: Some(agency.clone()),
            reference: Some(no.to_owned()),
            note: Some(format!("{} (grade {})", s.product_name, g.grade)),
        };
        let verified = s.verified_on.unwrap_or(today);
        let assisted = write_event(
            &mut *tx,
            &f,
            &event("P3", "curation_assisted", verified),
            &agency,
            who,
            None,
            now,
        )
        .await?;
        let curated = write_event(
            &mut *tx,
            &f,
            &event("P5", "product_curated", today),
            &agency,
            who,
            None,
            now,
        )
        .await?;
        query(
            "UPDATE curation_submissions SET assisted_event_id = $1, curated_event_id = $2 WHERE \
             id = $3",
        )
        .bind(assisted)
        .bind(curated)
        .bind(s.id)
        .execute(&mut *tx)
        .await?;
        Ok(())
    }

    /// A submission with its steps, if the actor may see it: staff and the member within
    /// scope; curators those forwarded or graded (without conflict).
    pub async fn submission(&self, actor: &Actor, id: i64) -> Result<Submission> {
        require(actor, Permission::MemberRead)?;
        let s = self.submission_unscoped(id).await?;
        let visible = if actor.role == Role::Curator {
            matches!(
                s.state,
                SubmissionState::Forwarded | SubmissionState::Graded
            )
        } else {
            actor.can(Permission::MemberRead) && actor.scope.covers(&s.village_code, &s.member_no)
        };
        if visible {
            Ok(s)
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// Submissions of one member or one product, newest first, within scope.
    pub async fn submissions_of(
        &self,
        actor: &Actor,
        member_no: Option<&str>,
        product_id: Option<i64>,
    ) -> Result<Vec<Submission>> {
        require(actor, Permission::MemberRead)?;
        let mut q = query_text(SUBMISSION_SELECT);
        scope_filter_on(actor, &mut q, "m.");
        if let Some(no) = member_no {
            let a = q.arg(no.to_owned());
            q.push(&format!(" AND m.member_no = {a}"));
        }
        if let Some(p) = product_id {
            let a = q.arg(p);
            q.push(&format!(" AND s.product_id = {a}"));
        }
        q.push(" ORDER BY s.id DESC LIMIT 200");
        q.fetch_all(self.read()).await
    }

    /// What waits for the actor: a mentor the submissions of its members to verify; a
    /// district officer those to validate (and to verify, for members without a mentor);
    /// a city or province officer those to forward; a curator those to grade (never its
    /// own region's when the call forbids it); a member its returned submissions.
    pub async fn curation_queue(&self, actor: &Actor) -> Result<CurationQueue> {
        let mut q = query_text(SUBMISSION_SELECT);
        match actor.role {
            Role::Mentor => {
                let a = q.arg(actor.user_id.unwrap_or(-1));
                q.push(&format!(
                    " AND s.state = 'submitted' AND EXISTS (SELECT 1 FROM mentor_assignments a \
                     WHERE a.member_id = s.member_id AND a.ended_on IS NULL AND a.mentor_user_id \
                     = {a})"
                ));
            }
            Role::DistrictOfficer => {
                q.push(
                    " AND (s.state = 'verified' OR (s.state = 'submitted' AND NOT EXISTS (SELECT \
                     1 FROM mentor_assignments a WHERE a.member_id = s.member_id AND a.ended_on \
                     IS NULL)))",
                );
                scope_filter_on(actor, &mut q, "m.");
            }
            Role::CityOfficer | Role::ProvinceOfficer => {
                q.push(" AND s.state = 'validated'");
                scope_filter_on(actor, &mut q, "m.");
            }
            Role::Curator => {
                q.push(" AND s.state = 'forwarded'");
            }
            Role::Member => {
                q.push(" AND s.state = 'returned'");
                scope_filter_on(actor, &mut q, "m.");
            }
            Role::Admin => {
                q.push(" AND s.state <> 'graded'");
            }
            _ => {
                return Err(StoreError::Forbidden(
                    "the role takes no part in curation".into(),
                ));
            }
        }
        q.push(" ORDER BY s.updated_at, s.id LIMIT 500");
        let mut items: Vec<Submission> = q.fetch_all(self.read()).await?;
        if actor.role == Role::Curator {
            items.retain(|s| {
                !(s.exclude_own_region_curators && curator_conflict(actor, &s.village_code))
            });
        }
        Ok(CurationQueue { items })
    }

    pub(crate) async fn submission_unscoped(&self, id: i64) -> Result<Submission> {
        let mut s: Submission = query_text(format!("{SUBMISSION_SELECT} AND s.id = $1"))
            .bind(id)
            .fetch_optional(self.read())
            .await?
            .ok_or(StoreError::NotFound)?;
        s.steps = query(
            "SELECT action, from_state, to_state, actor, actor_role, note, taken_on, at FROM \
             curation_steps WHERE submission_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.read())
        .await?;
        Ok(s)
    }
}

fn push_grade(
    set: &mut Query,
    g: &Grading,
    today: NaiveDate,
    by: &str,
    no: Option<&str>,
    until: Option<NaiveDate>,
) {
    let vals = [
        ("grade", set.arg(g.grade.as_str())),
        ("score_taste", set.arg(g.scores.taste)),
        ("score_packaging", set.arg(g.scores.packaging)),
        ("score_hygiene", set.arg(g.scores.hygiene)),
        ("score_halal", set.arg(g.scores.halal)),
        ("score_photos", set.arg(g.scores.photos)),
        ("graded_on", set.arg(today)),
        ("graded_by", set.arg(by.to_owned())),
        ("certificate_no", set.arg(no.map(str::to_owned))),
        ("valid_until", set.arg(until)),
    ];
    for (col, a) in vals {
        set.push(&format!(", {col} = {a}"));
    }
}

#[allow(clippy::too_many_arguments)] // reason: one argument per column
async fn add_step(
    tx: &mut Tx,
    id: i64,
    action: &str,
    from: Option<SubmissionState>,
    to: SubmissionState,
    actor: &Actor,
    note: &str,
    on: NaiveDate,
    now: DateTime<Utc>,
) -> Result<()> {
    query(
        "INSERT INTO curation_steps (submission_id, action, from_state, to_state, actor, \
         actor_role, note, taken_on, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(action)
    .bind(from.map(|s| s.as_str()))
    .bind(to.as_str())
    .bind(&actor.name)
    .bind(actor.role.as_str())
    .bind(note)
    .bind(on)
    .bind(now)
    .execute(tx)
    .await?;
    Ok(())
}
