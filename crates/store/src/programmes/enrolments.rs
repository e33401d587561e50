//! Enrolling a person in a programme, reading enrolments within the reader's scope, and
//! withdrawing one. Every read and write is filtered by the actor's region in SQL, like a
//! member's; job-training staff never reach Jakpreneur's member records through here.

use chrono::{DateTime, NaiveDate, Utc};
use jakpreneur_core::enrolment::{ENROLMENT_CONSENT_VERSION, NewEnrolment, format_enrolment_no};
use jakpreneur_core::{Actor, Permission, RegionLevel, Scope};
use serde::Serialize;
use serde_json::json;

use super::ProgrammeEnrolment;
use super::people::person_for;
use crate::access::{region_column, require};
use crate::audit::{self, Change, Who};
use crate::crypto::Vault;
use crate::query::{Conn, Query, query, query_text};
use crate::{Result, Store, StoreError};

pub(crate) const ENROLMENT_SELECT: &str = "SELECT e.id, e.programme, e.enrolment_no, \
     p.nik_cipher, p.full_name, p.birth_date, p.sex, e.phone, e.address, e.province_code, \
     e.city_code, e.district_code, e.village_code, e.registered_on, e.status, e.withdrawn_on, \
     e.withdrawal_reason, e.consent_version, e.consent_at, m.member_no AS jakpreneur_member_no, \
     e.referred_member_no, e.centre_code, e.version, e.created_at, p.erased_at \
     FROM programme_enrolments e JOIN people p ON p.id = e.person_id \
     LEFT JOIN members m ON m.nik_hash = p.nik_hash";

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct EnrolmentRow {
    pub id: i64,
    pub programme: String,
    pub enrolment_no: String,
    pub nik_cipher: Option<Vec<u8>>,
    pub full_name: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub sex: String,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub province_code: String,
    pub city_code: String,
    pub district_code: String,
    pub village_code: String,
    pub registered_on: NaiveDate,
    pub status: String,
    pub withdrawn_on: Option<NaiveDate>,
    pub withdrawal_reason: Option<String>,
    pub consent_version: String,
    pub consent_at: DateTime<Utc>,
    pub jakpreneur_member_no: Option<String>,
    pub referred_member_no: Option<String>,
    pub centre_code: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub erased_at: Option<DateTime<Utc>>,
}

impl EnrolmentRow {
    pub(crate) fn into_enrolment(self, vault: &Vault, actor: &Actor) -> Result<ProgrammeEnrolment> {
        let nik = match &self.nik_cipher {
            Some(c) => jakpreneur_core::nik::mask(&vault.decrypt_nik(c)?),
            None => String::new(),
        };
        // Whether a trainee is also a Jakpreneur member is personal too: only a reader of
        // members across the province (an administrator) sees the member number.
        let member_no = self
            .jakpreneur_member_no
            .filter(|_| actor.can(Permission::MemberRead) && actor.scope == Scope::All);
        Ok(ProgrammeEnrolment {
            id: self.id,
            programme: self.programme,
            enrolment_no: self.enrolment_no,
            nik_masked: nik,
            full_name: self.full_name.unwrap_or_default(),
            birth_date: self.birth_date.unwrap_or_default(),
            sex: self.sex,
            phone: self.phone,
            address: self.address,
            province_code: self.province_code,
            city_code: self.city_code,
            district_code: self.district_code,
            village_code: self.village_code,
            registered_on: self.registered_on,
            status: self.status,
            withdrawn_on: self.withdrawn_on,
            withdrawal_reason: self.withdrawal_reason,
            consent_version: self.consent_version,
            consent_at: self.consent_at,
            jakpreneur_member_no: member_no,
            referred_member_no: self.referred_member_no,
            centre_code: self.centre_code,
            version: self.version,
            created_at: self.created_at,
            erased_at: self.erased_at,
        })
    }
}

/// Adds the actor's scope on the enrolments table `e` to a WHERE clause: a region covers
/// the enrolments whose residence lies in it; a member account covers none.
pub(crate) fn enrolment_scope(actor: &Actor, sql: &mut Query) {
    match &actor.scope {
        Scope::All => {}
        Scope::Region(r) => {
            let p = sql.arg(r.as_str().to_owned());
            sql.push(&format!(" AND e.{} = {p}", region_column(r.level())));
        }
        Scope::Member(_) | Scope::Nothing => {
            sql.push(" AND 1 = 0");
        }
    }
}

/// The facts a write to an enrolment needs, the row locked where the backend needs it.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct EnrolmentFacts {
    pub id: i64,
    pub programme: String,
    pub village_code: String,
    pub district_code: String,
    pub registered_on: NaiveDate,
    pub status: String,
    pub withdrawn_on: Option<NaiveDate>,
    pub referred_member_no: Option<String>,
}

/// The enrolment a write aims at, locked where the backend needs it: 404 when missing or
/// outside the actor's region (a NIK or number elsewhere is not confirmed).
pub(crate) async fn enrolment_for_write(
    tx: &mut (impl Conn + ?Sized),
    actor: &Actor,
    enrolment_no: &str,
) -> Result<EnrolmentFacts> {
    let lock = match tx.backend() {
        crate::query::Backend::Sqlite => "",
        crate::query::Backend::Postgres => " FOR UPDATE",
    };
    let f: EnrolmentFacts = query_text(format!(
        "SELECT id, programme, village_code, district_code, \
         registered_on, status, withdrawn_on, referred_member_no FROM programme_enrolments \
         WHERE enrolment_no = $1{lock}"
    ))
    .bind(enrolment_no.to_owned())
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    if !actor.scope.covers(&f.village_code, "") || matches!(actor.scope, Scope::Member(_)) {
        return Err(StoreError::NotFound);
    }
    Ok(f)
}

/// A page of enrolments.
#[derive(Debug, Clone, Serialize)]
pub struct EnrolmentPage {
    pub items: Vec<ProgrammeEnrolment>,
    /// Enrolments matching the filter, in scope.
    pub total: i64,
}

/// What a list of enrolments is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct EnrolmentFilter {
    pub region: Option<jakpreneur_core::RegionCode>,
    /// `K2`: only those who reached this stage.
    pub reached: Option<String>,
    /// Part of the name (any case) or the whole enrolment number.
    pub q: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

impl Store {
    /// Enrols a person in `programme`: finds their identity by NIK (made if new: the
    /// same person may already be a Jakpreneur member or in another programme), takes the
    /// next number of the programme in their city, records consent and the `registered`
    /// event of the first stage, in one transaction with its audit entry. A person
    /// enrolled already gives [`StoreError::AlreadyEnrolled`].
    #[tracing::instrument(skip_all, fields(programme))]
    pub async fn enrol_person(
        &self,
        actor: &Actor,
        programme: &str,
        n: &NewEnrolment,
    ) -> Result<ProgrammeEnrolment> {
        require(actor, Permission::TraineeRegister)?;
        if !actor.scope.covers(n.village.as_str(), "") || matches!(actor.scope, Scope::Member(_)) {
            return Err(StoreError::Forbidden(
                "the person's village lies outside your region".into(),
            ));
        }
        let defs = self.programme_definitions().await?;
        let def = defs
            .programmes
            .iter()
            .find(|p| p.code == programme && p.code != jakpreneur_core::programme::JAKPRENEUR)
            .ok_or(StoreError::NotFound)?;
        let vault = self.vault()?;
        let who = Who::from(actor);
        let now = Utc::now();
        let city = n
            .village
            .at_level(RegionLevel::City)
            .ok_or_else(|| StoreError::Corrupt(format!("village {}", n.village.as_str())))?
            .to_owned();
        let at = |l| n.village.at_level(l).unwrap_or_default().to_owned();
        let mut tx = self.begin().await?;
        let person = person_for(&mut tx, vault, n, now).await?;
        let existing: Option<(String, String)> = query(
            "SELECT enrolment_no, village_code FROM programme_enrolments WHERE programme = $1 AND person_id = $2",
        )
        .bind(programme.to_owned())
        .bind(person)
        .fetch_optional(&mut tx)
        .await?;
        if let Some((no, village)) = existing {
            let visible = actor.scope.covers(&village, "");
            return Err(StoreError::AlreadyEnrolled {
                enrolment_no: visible.then_some(no),
            });
        }
        if let Some(centre) = &n.centre {
            super::centres::take_seat(&mut tx, centre).await?;
        }
        let seq: i64 = query(
            "INSERT INTO programme_number_counters (programme, city_code, last_seq) VALUES ($1, $2, 1) \
             ON CONFLICT (programme, city_code) DO UPDATE \
             SET last_seq = programme_number_counters.last_seq + 1 RETURNING last_seq",
        )
        .bind(programme.to_owned())
        .bind(city.clone())
        .scalar(&mut tx)
        .await?;
        let number = format_enrolment_no(&def.number_prefix, &city.replace('.', ""), seq);
        let id: i64 = query(
            "INSERT INTO programme_enrolments (programme, person_id, enrolment_no, phone, address, \
             province_code, city_code, district_code, village_code, registered_on, \
             consent_version, consent_at, created_at, updated_at, centre_code) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $12, $13) RETURNING id",
        )
        .bind(programme.to_owned())
        .bind(person)
        .bind(number.clone())
        .bind(n.phone.as_ref().map(|p| p.as_str().to_owned()))
        .bind(n.address.clone())
        .bind(at(RegionLevel::Province))
        .bind(city)
        .bind(at(RegionLevel::District))
        .bind(n.village.as_str().to_owned())
        .bind(n.registered_on)
        .bind(ENROLMENT_CONSENT_VERSION)
        .bind(now)
        .bind(n.centre.clone())
        .scalar(&mut tx)
        .await
        // The same person enrolled at once by two officers: the second is told so.
        .map_err(|e| match e {
            e if e.is_unique_violation() => StoreError::AlreadyEnrolled { enrolment_no: None },
            e => e,
        })?;
        let registered = jakpreneur_core::programme::NewEvent {
            programme: programme.to_owned(),
            stage: defs
                .first_stage(programme)
                .map(|s| s.stage.clone())
                .unwrap_or_default(),
            kind: jakpreneur_core::programme::REGISTERED.to_owned(),
            qualifying: true,
            occurred_on: n.registered_on,
            place_code: None,
            agency: None,
            reference: None,
            note: None,
        };
        let agency = actor
            .agency
            .clone()
            .unwrap_or_else(|| def.lead_agency.clone());
        let event_id =
            super::events::insert_event(&mut tx, id, &registered, &agency, &who, None, None, now)
                .await?;
        super::events::set_reach(
            &mut tx,
            id,
            programme,
            &registered.stage,
            Some((event_id, n.registered_on, agency.as_str())),
        )
        .await?;
        let change = Change {
            who,
            action: "enrolment.register",
            record_type: "enrolment",
            record_id: number.clone(),
            before: None,
            after: Some(json!({
                "programme": programme,
                "nik": jakpreneur_core::nik::mask(n.nik.as_str()),
                "full_name": n.full_name,
                "village_code": n.village.as_str(),
                "registered_on": n.registered_on,
                "consent_version": ENROLMENT_CONSENT_VERSION,
            })),
        };
        audit::append(&mut tx, vault, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        self.enrolment(actor, &number).await
    }

    /// The id of an enrolment within the reader's scope (404 outside it), without
    /// reading or decrypting the person: for reads of its services and placements.
    pub(crate) async fn enrolment_id(&self, actor: &Actor, enrolment_no: &str) -> Result<i64> {
        require(actor, Permission::TraineeRead)?;
        let mut q = query_text("SELECT e.id FROM programme_enrolments e WHERE e.enrolment_no = ");
        let p = q.arg(enrolment_no.to_owned());
        q.push(&p);
        enrolment_scope(actor, &mut q);
        q.scalar_optional(self.read())
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// One enrolment within the reader's scope (404 outside it).
    pub async fn enrolment(&self, actor: &Actor, enrolment_no: &str) -> Result<ProgrammeEnrolment> {
        require(actor, Permission::TraineeRead)?;
        let mut q = query_text(format!("{ENROLMENT_SELECT} WHERE e.enrolment_no = "));
        let p = q.arg(enrolment_no.to_owned());
        q.push(&p);
        enrolment_scope(actor, &mut q);
        let row: EnrolmentRow = q
            .fetch_optional(self.read())
            .await?
            .ok_or(StoreError::NotFound)?;
        row.into_enrolment(self.vault()?, actor)
    }

    /// A programme's enrolments within the reader's scope, newest first.
    pub async fn list_enrolments(
        &self,
        actor: &Actor,
        programme: &str,
        f: &EnrolmentFilter,
    ) -> Result<EnrolmentPage> {
        require(actor, Permission::TraineeRead)?;
        let build = |select: &str| {
            let mut q = query_text(format!("{select} WHERE e.programme = "));
            let p = q.arg(programme.to_owned());
            q.push(&p);
            enrolment_scope(actor, &mut q);
            if let Some(r) = &f.region {
                let p = q.arg(r.as_str().to_owned());
                q.push(&format!(" AND e.{} = {p}", region_column(r.level())));
            }
            if let Some(stage) = &f.reached {
                let p = q.arg(stage.clone());
                q.push(&format!(
                    " AND EXISTS (SELECT 1 FROM programme_reaches s WHERE s.enrolment_id = e.id \
                     AND s.stage = {p})"
                ));
            }
            if let Some(text) = &f.q {
                let exact = q.arg(text.clone());
                let like = q.arg(format!("%{}%", text.to_lowercase()));
                q.push(&format!(
                    " AND (e.enrolment_no = {exact} OR LOWER(p.full_name) LIKE {like})"
                ));
            }
            q
        };
        let total: i64 = build(
            "SELECT COUNT(*) FROM programme_enrolments e JOIN people p ON p.id = e.person_id",
        )
        .scalar(self.read())
        .await?;
        let mut q = build(ENROLMENT_SELECT);
        let limit = q.arg(f.limit.clamp(1, 500));
        let offset = q.arg(f.offset.max(0));
        q.push(&format!(
            " ORDER BY e.id DESC LIMIT {limit} OFFSET {offset}"
        ));
        let rows: Vec<EnrolmentRow> = q.fetch_all(self.read()).await?;
        let vault = self.vault()?;
        let items = rows
            .into_iter()
            .map(|r| r.into_enrolment(vault, actor))
            .collect::<Result<Vec<_>>>()?;
        Ok(EnrolmentPage { items, total })
    }

    /// Withdraws an enrolment from its programme on `on` (not before its registration,
    /// not in the future), with a reason. The person and their other programmes stay.
    pub async fn withdraw_enrolment(
        &self,
        actor: &Actor,
        enrolment_no: &str,
        on: NaiveDate,
        reason: &str,
    ) -> Result<ProgrammeEnrolment> {
        require(actor, Permission::TraineeRegister)?;
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let f = enrolment_for_write(&mut tx, actor, enrolment_no).await?;
        if f.status == "withdrawn" {
            return Err(StoreError::AlreadyWithdrawn);
        }
        if on < f.registered_on {
            return Err(StoreError::invalid(
                "withdrawn_on",
                "before_registration",
                format!(
                    "withdrawn_on {on} is before the enrolment ({})",
                    f.registered_on
                ),
            ));
        }
        let last: Option<NaiveDate> = query(
            "SELECT MAX(occurred_on) FROM programme_events WHERE enrolment_id = $1 AND kind <> 'void'",
        )
        .bind(f.id)
        .scalar(&mut tx)
        .await?;
        if let Some(last) = last.filter(|l| *l > on) {
            return Err(StoreError::invalid(
                "withdrawn_on",
                "events_after_withdrawal",
                format!("a service is recorded on {last}, after withdrawn_on {on}"),
            ));
        }
        query(
            "UPDATE programme_enrolments SET status = 'withdrawn', withdrawn_on = $1, withdrawal_reason = $2, \
             version = version + 1, updated_at = $3 WHERE id = $4",
        )
        .bind(on)
        .bind(reason.to_owned())
        .bind(now)
        .bind(f.id)
        .execute(&mut tx)
        .await?;
        let change = Change {
            who: Who::from(actor),
            action: "enrolment.withdraw",
            record_type: "enrolment",
            record_id: enrolment_no.to_owned(),
            before: Some(json!({"status": f.status})),
            after: Some(json!({"status": "withdrawn", "withdrawn_on": on, "reason": reason})),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        self.enrolment(actor, enrolment_no).await
    }
}
