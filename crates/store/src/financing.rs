//! Facility P7, capital: financing partners, and referrals of members (with their consent)
//! to a partner, the partner's decision and the disbursement. Each step writes its ledger
//! event in the same transaction, credited to the agency that referred the member.
//!
//! Who sees what: staff see the referrals of members in their region; a member account
//! its own; a partner account only the referrals sent to its partner, and nothing else
//! of the member register. A partner's decision is the only write a partner can make.

use chrono::{NaiveDate, Utc};
use jakpreneur_core::programme::{JAKPRENEUR, NewEvent};
use jakpreneur_core::text::{given, parse_date, parse_int, parse_reference, parse_text};
use jakpreneur_core::{Actor, FieldError, Permission, Role, ValidationErrors};
use serde::Serialize;
use serde_json::json;

use crate::access::require;
use crate::access::scope_filter_on;
use crate::audit::{self, Change, Who};
use crate::ledger::{member_facts_locked, member_for_write, write_event};
use crate::query::{Query, query};
use crate::{Result, Store, StoreError};

/// Kinds of financing partner.
pub const PARTNER_KINDS: [&str; 4] = ["bank", "fintech", "cooperative", "government_fund"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Partner {
    pub code: String,
    pub name: String,
    pub kind: String,
}

/// A referral to make, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReferral {
    pub partner_code: String,
    pub purpose: String,
    pub amount_requested: i64,
    pub referred_on: NaiveDate,
}

/// A partner's decision, checked: approval with an amount, or rejection with a reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Approved { amount: i64 },
    Rejected { reason: String },
}

fn date_not_after(
    errs: &mut ValidationErrors,
    field: &'static str,
    raw: Option<&str>,
    today: NaiveDate,
) -> Option<NaiveDate> {
    match given(raw) {
        None => Some(today),
        Some(d) => errs.take(parse_date(field, d).and_then(|d| {
            if d > today {
                Err(FieldError::new(
                    field,
                    "date_in_future",
                    format!("{field} is in the future"),
                ))
            } else {
                Ok(d)
            }
        })),
    }
}

/// Largest amount a referral, approval or disbursement may carry (one hundred billion
/// rupiah): beyond any programme loan, and a typo guard.
pub const MAX_FINANCING: i64 = 100_000_000_000;

/// A partner to create, checked: code, name, kind.
pub fn parse_partner(
    code: Option<&str>,
    name: Option<&str>,
    kind: Option<&str>,
) -> std::result::Result<Partner, ValidationErrors> {
    let mut errs = ValidationErrors::default();
    let code = match given(code).map(str::to_uppercase) {
        Some(c)
            if (2..=20).contains(&c.len())
                && c.chars()
                    .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit() || ch == '-') =>
        {
            Some(c)
        }
        Some(_) => {
            errs.push(FieldError::new(
                "code",
                "code_invalid",
                "code must be 2–20 letters, digits or hyphens",
            ));
            None
        }
        None => {
            errs.push(FieldError::required("code"));
            None
        }
    };
    let name = match given(name) {
        Some(n) => errs.take(parse_text("name", n, 2, 150)),
        None => {
            errs.push(FieldError::required("name"));
            None
        }
    };
    let kind = match given(kind) {
        Some(k) if PARTNER_KINDS.contains(&k) => Some(k.to_owned()),
        Some(_) => {
            errs.push(FieldError::new(
                "kind",
                "partner_kind_invalid",
                format!("kind must be one of {}", PARTNER_KINDS.join(", ")),
            ));
            None
        }
        None => {
            errs.push(FieldError::required("kind"));
            None
        }
    };
    match (code, name, kind, errs.is_empty()) {
        (Some(code), Some(name), Some(kind), true) => Ok(Partner { code, name, kind }),
        _ => Err(errs),
    }
}

impl NewReferral {
    /// Checks a referral as typed. Without the member's consent (`consent` not true)
    /// nothing is sent: 422 `consent_required`.
    pub fn parse(
        partner: Option<&str>,
        purpose: Option<&str>,
        amount_requested: Option<&str>,
        consent: bool,
        referred_on: Option<&str>,
        today: NaiveDate,
    ) -> std::result::Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let partner_code = given(partner).map(str::to_uppercase);
        if partner_code.is_none() {
            errs.push(FieldError::required("partner"));
        }
        let purpose = match given(purpose) {
            Some(p) => errs.take(parse_text("purpose", p, 3, 300)),
            None => {
                errs.push(FieldError::required("purpose"));
                None
            }
        };
        let amount_requested = match given(amount_requested) {
            Some(a) => errs.take(parse_int("amount_requested", a, 1, MAX_FINANCING)),
            None => {
                errs.push(FieldError::required("amount_requested"));
                None
            }
        };
        if !consent {
            errs.push(FieldError::new(
                "consent",
                "partner_consent_required",
                "the member must agree that their data is sent to the partner",
            ));
        }
        let referred_on = date_not_after(&mut errs, "referred_on", referred_on, today);
        match (
            partner_code,
            purpose,
            amount_requested,
            referred_on,
            errs.is_empty(),
        ) {
            (
                Some(partner_code),
                Some(purpose),
                Some(amount_requested),
                Some(referred_on),
                true,
            ) => Ok(Self {
                partner_code,
                purpose,
                amount_requested,
                referred_on,
            }),
            _ => Err(errs),
        }
    }
}

impl Decision {
    /// Checks a decision as typed, with its date (default `today`).
    pub fn parse(
        decision: Option<&str>,
        amount_approved: Option<&str>,
        reason: Option<&str>,
        decided_on: Option<&str>,
        today: NaiveDate,
    ) -> std::result::Result<(Self, NaiveDate), ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let d = match given(decision) {
            Some("approved") => match given(amount_approved) {
                Some(a) => errs
                    .take(parse_int("amount_approved", a, 1, MAX_FINANCING))
                    .map(|amount| Decision::Approved { amount }),
                None => {
                    errs.push(FieldError::new(
                        "amount_approved",
                        "required",
                        "an approval needs the approved amount",
                    ));
                    None
                }
            },
            Some("rejected") => match given(reason) {
                Some(r) => errs
                    .take(parse_text("reason", r, 3, 500))
                    .map(|reason| Decision::Rejected { reason }),
                None => {
                    errs.push(FieldError::new(
                        "reason",
                        "required",
                        "a rejection needs its reason",
                    ));
                    None
                }
            },
            Some(_) => {
                errs.push(FieldError::new(
                    "decision",
                    "decision_invalid",
                    "decision must be approved or rejected",
                ));
                None
            }
            None => {
                errs.push(FieldError::required("decision"));
                None
            }
        };
        let on = date_not_after(&mut errs, "decided_on", decided_on, today);
        match (d, on, errs.is_empty()) {
            (Some(d), Some(on), true) => Ok((d, on)),
            _ => Err(errs),
        }
    }
}

/// Checks a disbursement as typed: amount, loan reference, date (default `today`).
pub fn parse_disbursement(
    amount: Option<&str>,
    loan_reference: Option<&str>,
    disbursed_on: Option<&str>,
    today: NaiveDate,
) -> std::result::Result<(i64, String, NaiveDate), ValidationErrors> {
    let mut errs = ValidationErrors::default();
    let amount = match given(amount) {
        Some(a) => errs.take(parse_int("amount", a, 1, MAX_FINANCING)),
        None => {
            errs.push(FieldError::required("amount"));
            None
        }
    };
    let reference = match given(loan_reference) {
        Some(r) => errs.take(parse_reference("loan_reference", r, 60)),
        None => {
            errs.push(FieldError::required("loan_reference"));
            None
        }
    };
    let on = date_not_after(&mut errs, "disbursed_on", disbursed_on, today);
    match (amount, reference, on, errs.is_empty()) {
        (Some(a), Some(r), Some(on), true) => Ok((a, r, on)),
        _ => Err(errs),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Referral {
    pub id: i64,
    pub member_no: String,
    pub business_name: String,
    /// The owner's name and phone; `None` once the member's personal data is erased.
    pub owner_name: Option<String>,
    pub phone: Option<String>,
    pub village_code: String,
    pub sector: String,
    pub partner_code: String,
    pub partner_name: String,
    pub purpose: String,
    pub amount_requested: i64,
    pub referred_on: NaiveDate,
    pub status: String,
    pub decided_on: Option<NaiveDate>,
    pub decided_by: Option<String>,
    pub decision_reason: Option<String>,
    pub amount_approved: Option<i64>,
    pub disbursed_on: Option<NaiveDate>,
    pub amount_disbursed: Option<i64>,
    pub loan_reference: Option<String>,
    pub agency_code: String,
    /// Why the referral was voided, if it was (it then counts for nothing).
    pub void_reason: Option<String>,
}

const REFERRAL_SELECT: &str = "SELECT r.id, m.member_no, m.business_name, m.full_name AS \
    owner_name, m.phone, \
     m.village_code, m.sector, r.partner_code, p.name AS partner_name, r.purpose, \
     r.amount_requested, r.referred_on, \
     r.status, r.decided_on, r.decided_by, r.decision_reason, r.amount_approved, r.disbursed_on, \
     r.amount_disbursed, \
     r.loan_reference, r.agency_code, \
     (SELECT v.note FROM member_events v WHERE v.voids_event_id = r.referred_event_id) AS \
     void_reason \
     FROM referrals r JOIN members m ON m.id = r.member_id JOIN financing_partners p ON p.code = \
     r.partner_code WHERE 1 = 1";

fn p7_event(
    kind: &str,
    on: NaiveDate,
    reference: Option<String>,
    note: Option<String>,
) -> NewEvent {
    NewEvent {
        programme: JAKPRENEUR.into(),
        stage: "P7".into(),
        kind: kind.into(),
        qualifying: kind == "financing_disbursed",
        occurred_on: on,
        place_code: None,
        agency: None,
        reference,
        note,
    }
}

impl Store {
    /// Adds a financing partner (administrators).
    pub async fn create_partner(&self, actor: &Actor, p: &Partner) -> Result<Partner> {
        let (code, name, kind) = (p.code.as_str(), p.name.as_str(), p.kind.as_str());
        require(actor, Permission::UserManage)?;
        let now = Utc::now();
        let who = Who::from(actor);
        let mut tx = self.begin().await?;
        let taken: Option<String> = query("SELECT code FROM financing_partners WHERE code = $1")
            .bind(code)
            .scalar_optional(&mut tx)
            .await?;
        if taken.is_some() {
            return Err(StoreError::invalid(
                "code",
                "partner_code_taken",
                format!("a partner with code {code} already exists"),
            ));
        }
        query(
            "INSERT INTO financing_partners (code, name, kind, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(code)
        .bind(name)
        .bind(kind)
        .bind(now)
        .execute(&mut tx)
        .await?;
        let change = Change {
            who: who.clone(),
            action: "financing.partner_create",
            record_type: "financing_partner",
            record_id: code.to_owned(),
            before: None,
            after: Some(json!({ "name": name, "kind": kind })),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        Ok(Partner {
            code: code.to_owned(),
            name: name.to_owned(),
            kind: kind.to_owned(),
        })
    }

    /// Every partner, by name: a programme-wide list any signed-in account may read.
    pub async fn list_partners(&self, actor: &Actor) -> Result<Vec<Partner>> {
        if actor.is_anonymous() {
            return Err(StoreError::Forbidden("sign in first".into()));
        }
        query("SELECT code, name, kind FROM financing_partners ORDER BY name, code")
            .fetch_all(self.read())
            .await
    }

    /// The partner a partner account belongs to.
    async fn partner_of(&self, actor: &Actor) -> Result<Option<String>> {
        let Some(id) = actor.user_id.filter(|_| actor.role == Role::Partner) else {
            return Ok(None);
        };
        let code: Option<Option<String>> = query("SELECT partner_code FROM users WHERE id = $1")
            .bind(id)
            .scalar_optional(self.read())
            .await?;
        Ok(code.flatten())
    }

    /// Refers a member to a partner; the member's consent to send their data is required
    /// by the caller (the API and pages refuse without it) and its time is recorded.
    #[tracing::instrument(skip_all)]
    pub async fn refer(&self, actor: &Actor, member_no: &str, r: &NewReferral) -> Result<Referral> {
        require(actor, Permission::EventRecord)?;
        let who = Who::from(actor);
        let agency = actor.agency_or_default();
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let f = member_for_write(&mut tx, actor, member_no, false).await?;
        let known: Option<String> = query("SELECT code FROM financing_partners WHERE code = $1")
            .bind(&r.partner_code)
            .scalar_optional(&mut tx)
            .await?;
        if known.is_none() {
            return Err(StoreError::invalid(
                "partner",
                "partner_unknown",
                format!("no financing partner has the code {}", r.partner_code),
            ));
        }
        let e = p7_event(
            "financing_referred",
            r.referred_on,
            None,
            Some(r.partner_code.clone()),
        );
        let event_id = write_event(&mut tx, &f, &e, &agency, &who, None, now).await?;
        let id: i64 = query(
            "INSERT INTO referrals (member_id, partner_code, purpose, amount_requested, \
             consent_at, referred_on, referred_event_id, status, agency_code, created_by, \
             created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'referred', $8, $9, $5) RETURNING id",
        )
        .bind(f.id)
        .bind(&r.partner_code)
        .bind(&r.purpose)
        .bind(r.amount_requested)
        .bind(now)
        .bind(r.referred_on)
        .bind(event_id)
        .bind(&agency)
        .bind(&who.name)
        .scalar(&mut tx)
        .await?;
        let change = Change {
            who: who.clone(),
            action: "financing.refer",
            record_type: "member",
            record_id: member_no.to_owned(),
            before: None,
            after: Some(json!({
                "referral_id": id, "partner": r.partner_code,
                "amount_requested": r.amount_requested, "consent": true,
            })),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        self.referral(actor, id).await
    }

    /// Referrals the actor may see, newest first (at most 500), optionally by status.
    pub async fn list_referrals(
        &self,
        actor: &Actor,
        status: Option<&str>,
    ) -> Result<Vec<Referral>> {
        let mut q = query(REFERRAL_SELECT);
        self.referral_scope(actor, &mut q).await?;
        // A voided referral is in no queue; a partner no longer sees it at all.
        let voided =
            "EXISTS (SELECT 1 FROM member_events v WHERE v.voids_event_id = r.referred_event_id)";
        if let Some(s) = status {
            let p = q.arg(s);
            q.push(&format!(" AND r.status = {p} AND NOT {voided}"));
        } else if actor.role == Role::Partner {
            q.push(&format!(" AND NOT {voided}"));
        }
        q.push(" ORDER BY r.id DESC LIMIT 500");
        q.fetch_all(self.read()).await
    }

    /// A member's referrals, newest first.
    pub async fn member_referrals(&self, actor: &Actor, member_no: &str) -> Result<Vec<Referral>> {
        require(actor, Permission::MemberRead)?;
        self.member_facts(actor, member_no)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut q = query(REFERRAL_SELECT);
        self.referral_scope(actor, &mut q).await?;
        let p = q.arg(member_no);
        q.push(&format!(" AND m.member_no = {p} ORDER BY r.id DESC"));
        q.fetch_all(self.read()).await
    }

    /// One referral; 404 when the actor may not see it.
    pub async fn referral(&self, actor: &Actor, id: i64) -> Result<Referral> {
        let mut q = query(REFERRAL_SELECT);
        self.referral_scope(actor, &mut q).await?;
        let p = q.arg(id);
        q.push(&format!(" AND r.id = {p}"));
        let row: Option<Referral> = q.fetch_optional(self.read()).await?;
        row.ok_or(StoreError::NotFound)
    }

    /// Narrows a referral query to what the actor may see: a partner its partner's
    /// referrals, everyone else the members in their scope.
    async fn referral_scope(&self, actor: &Actor, q: &mut Query) -> Result<()> {
        if actor.role == Role::Partner {
            let code = self.partner_of(actor).await?.unwrap_or_default();
            let p = q.arg(code);
            q.push(&format!(" AND r.partner_code = {p}"));
            return Ok(());
        }
        require(actor, Permission::MemberRead)?;
        scope_filter_on(actor, q, "m.");
        Ok(())
    }

    /// Records a partner's decision on a referral still awaiting one. A partner account
    /// decides only on its own partner's referrals (others are 404 to it).
    #[tracing::instrument(skip_all)]
    pub async fn decide_referral(
        &self,
        actor: &Actor,
        id: i64,
        decision: &Decision,
        on: NaiveDate,
    ) -> Result<Referral> {
        require(actor, Permission::FinancingDecide)?;
        let current = self.referral(actor, id).await?;
        if current.void_reason.is_some() {
            return Err(StoreError::invalid(
                "status",
                "record_voided",
                "the referral was voided",
            ));
        }
        if current.status != "referred" {
            return Err(StoreError::invalid(
                "status",
                "already_decided",
                format!("the referral is already {}", current.status),
            ));
        }
        if on < current.referred_on {
            return Err(StoreError::invalid(
                "decided_on",
                "date_range",
                format!(
                    "decided_on must not be before the referral, {}",
                    current.referred_on
                ),
            ));
        }
        let (kind, status, amount, reason) = match decision {
            Decision::Approved { amount } => {
                ("financing_approved", "approved", Some(*amount), None)
            }
            Decision::Rejected { reason } => {
                ("financing_rejected", "rejected", None, Some(reason.clone()))
            }
        };
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let f = member_facts_locked(&mut tx, &current.member_no)
            .await?
            .ok_or(StoreError::NotFound)?;
        if f.erased_at.is_some() {
            return Err(StoreError::Erased);
        }
        let e = p7_event(kind, on, None, reason.clone());
        let event_id = write_event(&mut tx, &f, &e, &current.agency_code, &who, None, now).await?;
        let changed = query(
            "UPDATE referrals SET status = $1, decided_on = $2, decided_by = $3, \
             decision_reason = $4, amount_approved = $5, decision_event_id = $6 \
             WHERE id = $7 AND status = 'referred' AND NOT EXISTS (SELECT 1 FROM member_events v \
             WHERE v.voids_event_id = referrals.referred_event_id)",
        )
        .bind(status)
        .bind(on)
        .bind(&who.name)
        .bind(&reason)
        .bind(amount)
        .bind(event_id)
        .bind(id)
        .execute(&mut tx)
        .await?;
        if changed != 1 {
            return Err(StoreError::invalid(
                "status",
                "already_decided",
                "the referral was decided or voided meanwhile",
            ));
        }
        let change = Change {
            who: who.clone(),
            action: "financing.decide",
            record_type: "referral",
            record_id: id.to_string(),
            before: Some(json!({ "status": "referred" })),
            after: Some(json!({ "status": status, "amount_approved": amount, "reason": reason })),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        self.referral(actor, id).await
    }

    /// Records the disbursement of an approved referral (at most the approved amount).
    /// The `financing_disbursed` event reaches P7.
    #[tracing::instrument(skip_all)]
    pub async fn disburse(
        &self,
        actor: &Actor,
        id: i64,
        amount: i64,
        loan_reference: &str,
        on: NaiveDate,
    ) -> Result<Referral> {
        require(actor, Permission::FinancingDecide)?;
        let current = self.referral(actor, id).await?;
        if current.void_reason.is_some() {
            return Err(StoreError::invalid(
                "status",
                "record_voided",
                "the referral was voided",
            ));
        }
        if current.status != "approved" {
            return Err(StoreError::invalid(
                "status",
                "not_approved",
                format!(
                    "only an approved referral can be disbursed; this one is {}",
                    current.status
                ),
            ));
        }
        if current.amount_approved.is_some_and(|a| amount > a) {
            return Err(StoreError::invalid(
                "amount",
                "above_approved",
                format!(
                    "the amount must not exceed the approved {}",
                    current.amount_approved.unwrap_or(0)
                ),
            ));
        }
        if current.decided_on.is_some_and(|d| on < d) {
            return Err(StoreError::invalid(
                "disbursed_on",
                "date_range",
                "disbursed_on must not be before the approval",
            ));
        }
        let who = Who::from(actor);
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let f = member_facts_locked(&mut tx, &current.member_no)
            .await?
            .ok_or(StoreError::NotFound)?;
        if f.erased_at.is_some() {
            return Err(StoreError::Erased);
        }
        let e = p7_event(
            "financing_disbursed",
            on,
            Some(loan_reference.to_owned()),
            None,
        );
        let event_id = write_event(&mut tx, &f, &e, &current.agency_code, &who, None, now).await?;
        let changed = query(
            "UPDATE referrals SET status = 'disbursed', disbursed_on = $1, amount_disbursed = $2, \
             loan_reference = $3, disbursed_event_id = $4 WHERE id = $5 AND status = 'approved' \
             AND NOT EXISTS (SELECT 1 FROM member_events v \
             WHERE v.voids_event_id = referrals.referred_event_id)",
        )
        .bind(on)
        .bind(amount)
        .bind(loan_reference)
        .bind(event_id)
        .bind(id)
        .execute(&mut tx)
        .await?;
        if changed != 1 {
            return Err(StoreError::invalid(
                "status",
                "not_approved",
                "the referral changed or was voided meanwhile",
            ));
        }
        let change = Change {
            who: who.clone(),
            action: "financing.disburse",
            record_type: "referral",
            record_id: id.to_string(),
            before: Some(json!({ "status": "approved" })),
            after: Some(json!({
                "status": "disbursed", "amount": amount, "loan_reference": loan_reference,
            })),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        self.referral(actor, id).await
    }
}
