//! The member registry: register (with a per-city member number), read, list with keyset
//! pages, correct under optimistic concurrency, withdraw, export and erase. Every function
//! takes the [`Actor`]: permissions are checked and the actor's scope is part of the SQL.
//! The NIK is stored encrypted with its keyed hash beside it; every change is appended to
//! the audit log in the same transaction.

use chrono::{DateTime, NaiveDate, Utc};
use jakpreneur_core::member::CONSENT_VERSION;
use jakpreneur_core::nik::mask;
use jakpreneur_core::{
    Actor, Channel, MemberPatch, NewMember, Permission, RegionCode, RegionLevel, Sex, Status,
};
use serde_json::json;

use crate::access::{require, require_covers, scope_filter};
use crate::audit::{AppendAudit, Change, Who};
use crate::crypto::Vault;
use crate::db::Db;
use crate::sql::{Arg, Sql, like_contains};
use crate::{Result, Store, StoreError};

/// Columns of a member row, in [`MemberRow`] order.
macro_rules! member_cols {
    () => {
        "id, member_no, nik_cipher, nik_legacy, full_name, birth_date, sex, phone, email, address, \
         province_code, city_code, district_code, village_code, business_name, sector, channel, \
         registered_on, status, withdrawn_on, withdrawal_reason, consent_version, consent_at, \
         erased_at, version, created_at, updated_at"
    };
}

const NEXT_SEQ: &str = "INSERT INTO member_no_counters (city_code, last_seq) VALUES ($1, 1) \
     ON CONFLICT (city_code) DO UPDATE SET last_seq = member_no_counters.last_seq + 1 RETURNING last_seq";
const INSERT_COLS: &str = "INSERT INTO members (member_no, nik_hash, nik_cipher, full_name, \
     birth_date, sex, phone, email, address, province_code, city_code, district_code, \
     village_code, business_name, sector, channel, registered_on, consent_version, consent_at, \
     status, version, created_at, updated_at) VALUES ";
/// Bound values per inserted row (the timestamp is bound once per row and reused).
const PER_ROW: usize = 19;
const SELECT_NO_BY_HASH: &str = "SELECT member_no FROM members WHERE nik_hash = $1";
const UPDATE_MEMBER: &str = concat!(
    "UPDATE members SET nik_hash = $1, nik_cipher = $2, nik_legacy = NULL, full_name = $3, \
     birth_date = $4, sex = $5, phone = $6, email = $7, address = $8, province_code = $9, \
     city_code = $10, district_code = $11, village_code = $12, business_name = $13, sector = $14, \
     channel = $15, registered_on = $16, version = version + 1, updated_at = $17 \
     WHERE id = $18 AND version = $19 RETURNING ",
    member_cols!()
);
const WITHDRAW_MEMBER: &str = concat!(
    "UPDATE members SET status = 'withdrawn', withdrawn_on = $2, withdrawal_reason = $3, \
     version = version + 1, updated_at = $4 WHERE id = $1 RETURNING ",
    member_cols!()
);
const ERASE_MEMBER: &str = concat!(
    "UPDATE members SET nik_hash = NULL, nik_cipher = NULL, nik_legacy = NULL, full_name = NULL, \
     birth_date = NULL, phone = NULL, email = NULL, address = NULL, erased_at = $2, \
     status = 'withdrawn', withdrawn_on = COALESCE(withdrawn_on, $3), \
     withdrawal_reason = COALESCE(withdrawal_reason, $4), version = version + 1, updated_at = $2 \
     WHERE id = $1 RETURNING ",
    member_cols!()
);

#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct MemberRow {
    id: i64,
    member_no: String,
    nik_cipher: Option<Vec<u8>>,
    nik_legacy: Option<String>,
    full_name: Option<String>,
    birth_date: Option<NaiveDate>,
    sex: String,
    phone: Option<String>,
    email: Option<String>,
    address: Option<String>,
    province_code: String,
    city_code: String,
    district_code: String,
    village_code: String,
    business_name: String,
    sector: String,
    channel: String,
    registered_on: NaiveDate,
    status: String,
    withdrawn_on: Option<NaiveDate>,
    withdrawal_reason: Option<String>,
    consent_version: Option<String>,
    consent_at: Option<DateTime<Utc>>,
    erased_at: Option<DateTime<Utc>>,
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// A member's personal data (UU 27/2022). Absent once the member is erased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Personal {
    /// Masked (`3171**********01`) unless `nik_revealed`.
    pub nik: String,
    pub nik_revealed: bool,
    pub full_name: String,
    pub birth_date: NaiveDate,
    pub phone: String,
    pub email: Option<String>,
    pub address: String,
}

/// A stored member, as the actor who asked may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: i64,
    pub member_no: String,
    pub personal: Option<Personal>,
    pub sex: Sex,
    pub province_code: String,
    pub city_code: String,
    pub district_code: String,
    pub village_code: String,
    pub business_name: String,
    pub sector: String,
    pub channel: Channel,
    pub registered_on: NaiveDate,
    pub status: Status,
    pub withdrawn_on: Option<NaiveDate>,
    pub withdrawal_reason: Option<String>,
    pub consent_version: Option<String>,
    pub consent_at: Option<DateTime<Utc>>,
    pub erased_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl MemberRow {
    /// What the ledger needs to know of the member.
    pub(crate) fn facts(&self) -> crate::ledger::MemberFacts {
        crate::ledger::MemberFacts {
            id: self.id,
            member_no: self.member_no.clone(),
            village_code: self.village_code.clone(),
            district_code: self.district_code.clone(),
            sector: self.sector.clone(),
            channel: self.channel.clone(),
            registered_on: self.registered_on,
            status: self.status.clone(),
            withdrawn_on: self.withdrawn_on,
            erased_at: self.erased_at,
        }
    }

    /// The NIK in the clear (decrypted), if the member still has one.
    fn nik(&self, vault: &Vault) -> Result<Option<String>> {
        match (&self.nik_cipher, &self.nik_legacy) {
            (Some(c), _) => vault.decrypt_nik(c).map(Some),
            (None, Some(legacy)) => Ok(Some(legacy.clone())),
            (None, None) => Ok(None),
        }
    }

    fn into_member(self, vault: &Vault, reveal_nik: bool) -> Result<Member> {
        let bad = |e: jakpreneur_core::FieldError| {
            StoreError::Corrupt(format!("member {}: {e}", self.member_no))
        };
        let nik = self.nik(vault)?;
        let personal = match (
            nik,
            &self.full_name,
            self.birth_date,
            &self.phone,
            &self.address,
        ) {
            (Some(nik), Some(full_name), Some(birth_date), Some(phone), Some(address))
                if self.erased_at.is_none() =>
            {
                Some(Personal {
                    nik: if reveal_nik { nik } else { mask(&nik) },
                    nik_revealed: reveal_nik,
                    full_name: full_name.clone(),
                    birth_date,
                    phone: phone.clone(),
                    email: self.email.clone(),
                    address: address.clone(),
                })
            }
            _ if self.erased_at.is_some() => None,
            _ => {
                return Err(StoreError::Corrupt(format!(
                    "member {}: personal data missing but not erased",
                    self.member_no
                )));
            }
        };
        Ok(Member {
            sex: Sex::parse(&self.sex).map_err(bad)?,
            channel: Channel::parse(&self.channel).map_err(bad)?,
            status: Status::parse(&self.status).map_err(bad)?,
            id: self.id,
            personal,
            province_code: self.province_code,
            city_code: self.city_code,
            district_code: self.district_code,
            village_code: self.village_code,
            business_name: self.business_name,
            sector: self.sector,
            registered_on: self.registered_on,
            withdrawn_on: self.withdrawn_on,
            withdrawal_reason: self.withdrawal_reason,
            consent_version: self.consent_version,
            consent_at: self.consent_at,
            erased_at: self.erased_at,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
            member_no: self.member_no,
        })
    }
}

impl Member {
    /// The stored record as a draft, to lay a correction over and validate again. Needs
    /// the member read with the NIK revealed.
    fn to_draft(&self) -> Option<jakpreneur_core::MemberDraft> {
        let p = self.personal.as_ref().filter(|p| p.nik_revealed)?;
        Some(jakpreneur_core::MemberDraft {
            nik: Some(p.nik.clone()),
            full_name: Some(p.full_name.clone()),
            birth_date: Some(p.birth_date.to_string()),
            sex: Some(self.sex.as_str().to_owned()),
            phone: Some(p.phone.clone()),
            email: p.email.clone(),
            address: Some(p.address.clone()),
            village_code: Some(self.village_code.clone()),
            business_name: Some(self.business_name.clone()),
            sector: Some(self.sector.clone()),
            channel: Some(self.channel.as_str().to_owned()),
            registered_on: Some(self.registered_on.to_string()),
            consent: Some(true),
        })
    }

    /// What the audit log records of this member: no personal value in the clear. The
    /// NIK is masked; other personal fields are keyed fingerprints, which show that a
    /// value changed without recording it.
    fn audit_snapshot(&self, vault: &Vault) -> serde_json::Value {
        let fp = |field: &str, v: &str| vault.field_fingerprint(field, v);
        let personal = self.personal.as_ref().map(|p| {
            json!({
                "nik": mask(&p.nik),
                "full_name": fp("full_name", &p.full_name),
                "birth_date": fp("birth_date", &p.birth_date.to_string()),
                "phone": fp("phone", &p.phone),
                "email": p.email.as_deref().map(|e| fp("email", e)),
                "address": fp("address", &p.address),
            })
        });
        json!({
            "member_no": self.member_no,
            "personal": personal,
            "sex": self.sex.as_str(),
            "village_code": self.village_code,
            "business_name": self.business_name,
            "sector": self.sector,
            "channel": self.channel.as_str(),
            "registered_on": self.registered_on,
            "status": self.status.as_str(),
            "withdrawn_on": self.withdrawn_on,
            "withdrawal_reason": self.withdrawal_reason,
            "consent_version": self.consent_version,
            "erased_at": self.erased_at,
            "version": self.version,
        })
    }
}

/// Which members a list shows. Every filter is optional.
#[derive(Debug, Clone, Default)]
pub struct MemberFilter {
    /// A region at any level; members whose business village lies in it.
    pub region: Option<RegionCode>,
    pub registered_from: Option<NaiveDate>,
    pub registered_to: Option<NaiveDate>,
    pub sector: Option<String>,
    pub status: Option<Status>,
    /// Case-insensitive substring of the full name or business name.
    pub q: Option<String>,
}

/// A keyset page: most recently recorded first (by id); `after` is the last id of the previous page.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub limit: u32,
    pub after: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct MemberPage {
    pub items: Vec<Member>,
    /// The cursor for the next page, if there is one.
    pub next: Option<i64>,
}

/// Everything held about one member, for the member's own download (UU 27/2022).
#[derive(Debug, Clone)]
pub struct MemberExport {
    pub member: Member,
    /// Accounts linked to the member: (username, role, created).
    pub accounts: Vec<(String, String, DateTime<Utc>)>,
    /// The audit trail of the record.
    pub history: Vec<crate::AuditEntry>,
}

/// What the public check shows: never personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicMember {
    pub member_no: String,
    pub business_name: String,
    pub district_code: String,
    pub status: Status,
    /// Facilities reached, `P1` (registration) first.
    pub facilities: Vec<String>,
}

fn region_args(m: &NewMember) -> Result<[String; 4]> {
    let v = &m.village;
    let at = |l| {
        v.at_level(l)
            .map(str::to_owned)
            .ok_or_else(|| StoreError::Corrupt(format!("village {}", v.as_str())))
    };
    Ok([
        at(RegionLevel::Province)?,
        at(RegionLevel::City)?,
        at(RegionLevel::District)?,
        v.as_str().to_owned(),
    ])
}

/// `JP-3171-0000123`: city digits and the city's sequence, zero-padded to 7 digits.
pub fn format_member_no(city_digits: &str, seq: i64) -> String {
    format!("JP-{city_digits}-{seq:07}")
}

/// A registration ready to write: the NIK already encrypted and hashed, the audit
/// snapshot already taken (so the SQLite writer task needs no key).
#[derive(Debug)]
pub(crate) struct Prepared {
    pub member: NewMember,
    pub nik_hash: Vec<u8>,
    pub nik_cipher: Vec<u8>,
    pub who: Who,
    /// The agency credited with the registration (the recorder's, or the SME department).
    pub agency: String,
    pub snapshot: serde_json::Value,
}

impl Prepared {
    fn new(m: &NewMember, vault: &Vault, who: Who, agency: Option<&str>) -> Self {
        let preview = Member {
            id: 0,
            member_no: String::new(),
            personal: Some(Personal {
                nik: m.nik.as_str().to_owned(),
                nik_revealed: true,
                full_name: m.full_name.clone(),
                birth_date: m.birth_date,
                phone: m.phone.as_str().to_owned(),
                email: m.email.clone(),
                address: m.address.clone(),
            }),
            sex: m.sex,
            province_code: String::new(),
            city_code: String::new(),
            district_code: String::new(),
            village_code: m.village.as_str().to_owned(),
            business_name: m.business_name.clone(),
            sector: m.sector.clone(),
            channel: m.channel,
            registered_on: m.registered_on,
            status: Status::Active,
            withdrawn_on: None,
            withdrawal_reason: None,
            consent_version: Some(CONSENT_VERSION.to_owned()),
            consent_at: None,
            erased_at: None,
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        Self {
            nik_hash: vault.nik_hash(m.nik.as_str()),
            nik_cipher: vault.encrypt_nik(m.nik.as_str()),
            snapshot: preview.audit_snapshot(vault),
            member: m.clone(),
            who,
            agency: agency
                .unwrap_or(jakpreneur_core::programme::DEFAULT_AGENCY)
                .to_owned(),
        }
    }

    fn change(&self, member_no: &str) -> Change {
        let mut after = self.snapshot.clone();
        after["member_no"] = json!(member_no);
        Change {
            who: self.who.clone(),
            action: "member.register",
            record_type: "member",
            record_id: member_no.to_owned(),
            before: None,
            after: Some(after),
        }
    }
}

/// The INSERT for `rows` registrations (placeholders only), skipping NIKs on file.
fn insert_sql(rows: usize) -> String {
    let mut sql = String::from(INSERT_COLS);
    for i in 0..rows {
        let p = |k: usize| format!("${}", i * PER_ROW + k);
        if i > 0 {
            sql.push_str(", ");
        }
        let cols: Vec<String> = (1..=19).map(p).collect();
        sql.push_str(&format!(
            "({}, 'active', 1, {}, {})",
            cols.join(", "),
            p(19),
            p(19)
        ));
    }
    sql.push_str(concat!(
        " ON CONFLICT (nik_hash) DO NOTHING RETURNING ",
        member_cols!()
    ));
    sql
}

/// Binds one registration's values in [`INSERT_COLS`] order.
macro_rules! bind_member {
    ($q:expr, $no:expr, $p:expr, $regions:expr, $now:expr) => {{
        let p: &Prepared = $p;
        let m = &p.member;
        let [province, city, district, village] = $regions;
        $q.bind($no)
            .bind(p.nik_hash.clone())
            .bind(p.nik_cipher.clone())
            .bind(m.full_name.clone())
            .bind(m.birth_date)
            .bind(m.sex.as_str())
            .bind(m.phone.as_str().to_owned())
            .bind(m.email.clone())
            .bind(m.address.clone())
            .bind(province)
            .bind(city)
            .bind(district)
            .bind(village)
            .bind(m.business_name.clone())
            .bind(m.sector.clone())
            .bind(m.channel.as_str())
            .bind(m.registered_on)
            .bind(CONSENT_VERSION)
            .bind($now)
    }};
}

/// Takes the city's next member number and inserts `p` with its audit entry, inside the
/// caller's PostgreSQL transaction. `None`: the NIK is on file.
async fn insert_member_pg(
    conn: &mut sqlx::PgConnection,
    p: &Prepared,
    now: DateTime<Utc>,
) -> Result<Option<MemberRow>> {
    let regions = region_args(&p.member)?;
    let seq: i64 = sqlx::query_scalar(NEXT_SEQ)
        .bind(&regions[1])
        .fetch_one(&mut *conn)
        .await?;
    let member_no = format_member_no(&regions[1].replace('.', ""), seq);
    let sql = insert_sql(1);
    let q = sqlx::query_as::<_, MemberRow>(sqlx::AssertSqlSafe(sql));
    let row = bind_member!(q, member_no.clone(), p, regions, now)
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(r) = &row {
        crate::ledger::record_registration(conn, &r.facts(), &p.who, &p.agency, now).await?;
        conn.append_audit(now, &[p.change(&member_no)]).await?;
    }
    Ok(row)
}

const RESERVE_SEQ: &str = "INSERT INTO member_no_counters (city_code, last_seq) VALUES ($1, $2) \
     ON CONFLICT (city_code) DO UPDATE SET last_seq = member_no_counters.last_seq + excluded.last_seq \
     RETURNING last_seq";

/// Writes a batch of registrations on SQLite inside the caller's transaction, in a fixed
/// number of statements: one counter update per city reserves that city's numbers, one
/// multi-row INSERT skips NIKs already on file (or repeated in the batch), and the audit
/// entries of those inserted follow. Returns, per input, the stored row or `None` when its
/// NIK was taken. A skipped registration leaves a gap in its city's numbers.
pub(crate) async fn insert_batch_sqlite(
    conn: &mut sqlx::SqliteConnection,
    members: &[&Prepared],
    now: DateTime<Utc>,
) -> Result<Vec<Option<MemberRow>>> {
    let regions = members
        .iter()
        .map(|p| region_args(&p.member))
        .collect::<Result<Vec<_>>>()?;
    let mut cities: Vec<&str> = regions.iter().map(|r| r[1].as_str()).collect();
    cities.sort_unstable();
    cities.dedup();
    let mut next_seq = std::collections::HashMap::new();
    for city in cities {
        let n = regions.iter().filter(|r| r[1] == city).count() as i64;
        let last: i64 = sqlx::query_scalar(RESERVE_SEQ)
            .bind(city)
            .bind(n)
            .fetch_one(&mut *conn)
            .await?;
        next_seq.insert(city, last - n + 1);
    }
    let sql = insert_sql(members.len());
    let mut q = sqlx::query_as::<_, MemberRow>(sqlx::AssertSqlSafe(sql));
    let mut numbers = Vec::with_capacity(members.len());
    for (p, r) in members.iter().zip(&regions) {
        let seq = next_seq
            .get_mut(r[1].as_str())
            .ok_or_else(|| StoreError::Corrupt(format!("city {}", r[1])))?;
        let member_no = format_member_no(&r[1].replace('.', ""), *seq);
        *seq += 1;
        numbers.push(member_no.clone());
        q = bind_member!(q, member_no, p, r.clone(), now);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    let mut by_no: std::collections::HashMap<String, MemberRow> =
        rows.into_iter().map(|r| (r.member_no.clone(), r)).collect();
    let out: Vec<Option<MemberRow>> = numbers.iter().map(|no| by_no.remove(no)).collect();
    let registered: Vec<_> = members
        .iter()
        .zip(&out)
        .filter_map(|(p, row)| row.as_ref().map(|r| (r.facts(), &p.who, p.agency.as_str())))
        .collect();
    crate::ledger::record_registrations_sqlite(conn, &registered, now).await?;
    let changes: Vec<Change> = members
        .iter()
        .zip(&out)
        .filter_map(|(p, row)| row.as_ref().map(|r| p.change(&r.member_no)))
        .collect();
    conn.append_audit(now, &changes).await?;
    Ok(out)
}

/// Row lock for a read-modify-write: PostgreSQL needs it; SQLite's write transaction
/// (`BEGIN IMMEDIATE`) already holds the only write lock.
fn for_update(db: &Db) -> &'static str {
    match db {
        Db::Sqlite(_) => "",
        Db::Postgres(_) => " FOR UPDATE",
    }
}

impl Store {
    /// Registers a member (facility P1), recording consent. A NIK already on file gives
    /// [`StoreError::DuplicateNik`] with the existing member number, however many
    /// registrations race: the NIK's keyed hash is unique in the database.
    #[tracing::instrument(skip_all)]
    pub async fn register_member(&self, actor: &Actor, m: &NewMember) -> Result<Member> {
        require(actor, Permission::MemberRegister)?;
        require_covers(actor, m.village.as_str(), "")?;
        let vault = self.vault()?;
        let prepared = Prepared::new(m, vault, Who::from(actor), actor.agency.as_deref());
        let inserted = match &self.db {
            // The batch INSERT skips a NIK on file by itself; no lookup first.
            Db::Sqlite(s) => s.commits.register(prepared).await?,
            // Looking first answers a duplicate without taking a member number.
            Db::Postgres(pool) => match self.member_no_by_hash(&prepared.nik_hash).await? {
                Some(member_no) => return Err(StoreError::DuplicateNik { member_no }),
                None => {
                    let now = Utc::now();
                    let mut tx = pool.begin().await?;
                    match insert_member_pg(&mut tx, &prepared, now).await {
                        Ok(row) => {
                            tx.commit().await?;
                            row
                        }
                        Err(e) if e.is_unique_violation() => None,
                        Err(e) => return Err(e),
                    }
                }
            },
        };
        match inserted {
            Some(row) => row.into_member(vault, false),
            // Another registration of this NIK won; it has committed, so it can be read.
            None => match self
                .member_no_by_hash(&vault.nik_hash(m.nik.as_str()))
                .await?
            {
                Some(member_no) => Err(StoreError::DuplicateNik { member_no }),
                None => Err(StoreError::Unavailable(
                    "a registration of this NIK was in flight; retry".into(),
                )),
            },
        }
    }

    /// Registers many members in one transaction, skipping NIKs already on file; returns
    /// how many were added. For demo data and bulk loads; needs `Scope::All`.
    pub async fn register_members_bulk(&self, actor: &Actor, ms: &[NewMember]) -> Result<usize> {
        require(actor, Permission::MemberRegister)?;
        if actor.scope != jakpreneur_core::Scope::All {
            return Err(StoreError::Forbidden(
                "bulk registration needs the whole province in scope".into(),
            ));
        }
        let vault = self.vault()?;
        let who = Who::from(actor);
        let prepared: Vec<Prepared> = ms
            .iter()
            .map(|m| Prepared::new(m, vault, who.clone(), actor.agency.as_deref()))
            .collect();
        let now = Utc::now();
        match &self.db {
            Db::Sqlite(s) => {
                let mut tx = s.writer.begin_with("BEGIN IMMEDIATE").await?;
                let mut added = 0;
                for chunk in prepared.chunks(crate::group_commit::MAX_BATCH) {
                    let refs: Vec<&Prepared> = chunk.iter().collect();
                    added += insert_batch_sqlite(&mut tx, &refs, now)
                        .await?
                        .iter()
                        .flatten()
                        .count();
                }
                tx.commit().await?;
                Ok(added)
            }
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                let mut added = 0;
                for p in &prepared {
                    let exists = sqlx::query_scalar::<_, String>(SELECT_NO_BY_HASH)
                        .bind(&p.nik_hash)
                        .fetch_optional(&mut *tx)
                        .await?;
                    if exists.is_none() && insert_member_pg(&mut tx, p, now).await?.is_some() {
                        added += 1;
                    }
                }
                tx.commit().await?;
                Ok(added)
            }
        }
    }

    async fn member_no_by_hash(&self, hash: &[u8]) -> Result<Option<String>> {
        dispatch!(&self.db, read, pool => {
            Ok(sqlx::query_scalar::<_, String>(SELECT_NO_BY_HASH).bind(hash).fetch_optional(pool).await?)
        })
    }

    /// The member with this NIK, if the actor's scope reaches it (found by keyed hash; the
    /// NIK itself never reaches the database).
    pub async fn find_member_by_nik(
        &self,
        actor: &Actor,
        nik: &jakpreneur_core::Nik,
    ) -> Result<Option<Member>> {
        require(actor, Permission::MemberRead)?;
        let vault = self.vault()?;
        let mut sql = Sql::new(concat!(
            "SELECT ",
            member_cols!(),
            " FROM members WHERE nik_hash = $1"
        ));
        sql.args.push(Arg::Bytes(vault.nik_hash(nik.as_str())));
        scope_filter(actor, &mut sql);
        let row: Option<MemberRow> = dispatch!(&self.db, read, pool => {
            bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql.text.clone())), &sql.args).fetch_optional(pool).await?
        });
        row.map(|r| r.into_member(vault, false)).transpose()
    }

    /// One member, if the actor's scope reaches it (otherwise `NotFound`: a read never
    /// tells whether a member exists outside one's region). With `reveal_nik`, an actor
    /// allowed to see NIKs gets it in the clear, and the view is written to the audit log.
    pub async fn get_member(
        &self,
        actor: &Actor,
        member_no: &str,
        reveal_nik: bool,
    ) -> Result<Member> {
        require(actor, Permission::MemberRead)?;
        let reveal = reveal_nik && actor.can(Permission::MemberReadNik);
        if reveal_nik && !reveal {
            return Err(StoreError::Forbidden(format!(
                "the role {} may not see NIKs",
                actor.role.as_str()
            )));
        }
        let vault = self.vault()?;
        let row = self
            .scoped_row(actor, member_no)
            .await?
            .ok_or(StoreError::NotFound)?;
        let member = row.into_member(vault, reveal)?;
        if member.personal.as_ref().is_some_and(|p| p.nik_revealed) {
            self.audit_now(Change {
                who: Who::from(actor),
                action: "member.view_nik",
                record_type: "member",
                record_id: member.member_no.clone(),
                before: None,
                after: None,
            })
            .await?;
        }
        Ok(member)
    }

    async fn scoped_row(&self, actor: &Actor, member_no: &str) -> Result<Option<MemberRow>> {
        let mut sql = Sql::new(concat!(
            "SELECT ",
            member_cols!(),
            " FROM members WHERE member_no = $1"
        ));
        sql.args.push(Arg::Text(member_no.to_owned()));
        scope_filter(actor, &mut sql);
        Ok(dispatch!(&self.db, read, pool => {
            bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql.text.clone())), &sql.args).fetch_optional(pool).await?
        }))
    }

    /// Members the actor's scope reaches, NIK masked.
    pub async fn list_members(
        &self,
        actor: &Actor,
        f: &MemberFilter,
        page: Page,
    ) -> Result<MemberPage> {
        require(actor, Permission::MemberRead)?;
        let vault = self.vault()?;
        let mut sql = Sql::new(concat!(
            "SELECT ",
            member_cols!(),
            " FROM members WHERE 1 = 1"
        ));
        scope_filter(actor, &mut sql);
        if let Some(r) = &f.region {
            let column = match r.level() {
                RegionLevel::Province => "province_code",
                RegionLevel::City => "city_code",
                RegionLevel::District => "district_code",
                RegionLevel::Village => "village_code",
            };
            let p = sql.arg(Arg::Text(r.as_str().to_owned()));
            sql.push(&format!(" AND {column} = {p}"));
        }
        if let Some(d) = f.registered_from {
            let p = sql.arg(Arg::Date(d));
            sql.push(&format!(" AND registered_on >= {p}"));
        }
        if let Some(d) = f.registered_to {
            let p = sql.arg(Arg::Date(d));
            sql.push(&format!(" AND registered_on <= {p}"));
        }
        if let Some(s) = &f.sector {
            let p = sql.arg(Arg::Text(s.clone()));
            sql.push(&format!(" AND sector = {p}"));
        }
        if let Some(s) = f.status {
            let p = sql.arg(Arg::Text(s.as_str().to_owned()));
            sql.push(&format!(" AND status = {p}"));
        }
        if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let p = sql.arg(Arg::Text(like_contains(&q.to_lowercase())));
            sql.push(&format!(
                " AND (lower(full_name) LIKE {p} ESCAPE '\\' OR lower(business_name) LIKE {p} ESCAPE '\\')"
            ));
        }
        if let Some(after) = page.after {
            let p = sql.arg(Arg::Int(after));
            sql.push(&format!(" AND id < {p}"));
        }
        let limit = i64::from(page.limit.max(1));
        let p = sql.arg(Arg::Int(limit + 1));
        sql.push(&format!(" ORDER BY id DESC LIMIT {p}"));

        let rows: Vec<MemberRow> = dispatch!(&self.db, read, pool => {
            bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql.text.clone())), &sql.args).fetch_all(pool).await?
        });
        let mut items = rows
            .into_iter()
            .map(|r| r.into_member(vault, false))
            .collect::<Result<Vec<_>>>()?;
        let next = if items.len() as i64 > limit {
            items.truncate(limit as usize);
            items.last().map(|m| m.id)
        } else {
            None
        };
        Ok(MemberPage { items, next })
    }

    /// How many members are on file in all (a count, no personal data).
    /// The highest member id (0 with none): where a bulk loader starts.
    pub async fn max_member_id(&self) -> Result<i64> {
        dispatch!(&self.db, read, pool => {
            Ok(sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(id) FROM members").fetch_one(pool).await?.unwrap_or(0))
        })
    }

    pub async fn count_members(&self) -> Result<i64> {
        dispatch!(&self.db, read, pool => {
            Ok(sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM members").fetch_one(pool).await?)
        })
    }

    /// Corrects a member: `patch` is laid over the stored record, the result validated
    /// as a whole (`Invalid` names every bad field), and written if the record is still at
    /// `expected_version` (`None`: whatever it is now). The member number never changes,
    /// even when the business moves to another city; it may not move out of the actor's
    /// region.
    #[tracing::instrument(skip_all)]
    pub async fn update_member(
        &self,
        actor: &Actor,
        member_no: &str,
        expected_version: Option<i64>,
        patch: &MemberPatch,
        today: NaiveDate,
    ) -> Result<Member> {
        require(actor, Permission::MemberUpdate)?;
        let vault = self.vault()?;
        let lock = for_update(&self.db);
        let select = format!(
            concat!(
                "SELECT ",
                member_cols!(),
                " FROM members WHERE member_no = $1{}"
            ),
            lock
        );
        let now = Utc::now();
        let outcome: Result<(MemberRow, Vec<u8>)> = dispatch!(&self.db, write, pool, begin => {
            async {
                let mut tx = pool.begin_with(begin).await?;
                let row: Option<MemberRow> = sqlx::query_as(sqlx::AssertSqlSafe(select.clone()))
                    .bind(member_no).fetch_optional(&mut *tx).await?;
                let row = check_writable(row, actor, member_no, expected_version)?;
                let before = row_snapshot(&row, vault)?;
                let before_facts = row.facts();
                let current = MemberRow::into_member(row, vault, true)?;
                let draft = current.to_draft().ok_or_else(|| StoreError::Corrupt(format!("member {member_no}: no personal data")))?;
                let new = NewMember::parse(&patch.apply_to(draft), today).map_err(StoreError::Invalid)?;
                require_covers(actor, new.village.as_str(), "")?;
                let [province, city, district, village] = region_args(&new)?;
                let hash = vault.nik_hash(new.nik.as_str());
                let row: MemberRow = sqlx::query_as(UPDATE_MEMBER)
                    .bind(hash.clone())
                    .bind(vault.encrypt_nik(new.nik.as_str()))
                    .bind(&new.full_name)
                    .bind(new.birth_date)
                    .bind(new.sex.as_str())
                    .bind(new.phone.as_str())
                    .bind(&new.email)
                    .bind(&new.address)
                    .bind(province)
                    .bind(city)
                    .bind(district)
                    .bind(village)
                    .bind(&new.business_name)
                    .bind(&new.sector)
                    .bind(new.channel.as_str())
                    .bind(new.registered_on)
                    .bind(now)
                    .bind(current.id)
                    .bind(current.version)
                    .fetch_one(&mut *tx)
                    .await?;
                let after = row_snapshot(&row, vault)?;
                let who = Who::from(actor);
                let agency = actor.agency_or_default();
                crate::ledger::follow_member_change(&mut *tx, &before_facts, &row.facts(), &who, &agency, now).await?;
                let change = Change {
                    who,
                    action: "member.update",
                    record_type: "member",
                    record_id: member_no.to_owned(),
                    before: Some(before),
                    after: Some(after),
                };
                tx.append_audit(now, std::slice::from_ref(&change)).await?;
                tx.commit().await?;
                Ok((row, hash))
            }.await
        });
        match outcome {
            Ok((row, _)) => row.into_member(vault, false),
            Err(e) if e.is_unique_violation() => {
                // The corrected NIK belongs to another member.
                let nik = patch.nik.as_deref().map(str::trim).unwrap_or_default();
                match self.member_no_by_hash(&vault.nik_hash(nik)).await? {
                    Some(other) if other != member_no => {
                        Err(StoreError::DuplicateNik { member_no: other })
                    }
                    _ => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// Marks a member withdrawn; the record stays. `expected_version` is checked when given.
    #[tracing::instrument(skip_all)]
    pub async fn withdraw_member(
        &self,
        actor: &Actor,
        member_no: &str,
        reason: &str,
        on: NaiveDate,
        expected_version: Option<i64>,
    ) -> Result<Member> {
        require(actor, Permission::MemberWithdraw)?;
        let vault = self.vault()?;
        let select = format!(
            concat!(
                "SELECT ",
                member_cols!(),
                " FROM members WHERE member_no = $1{}"
            ),
            for_update(&self.db)
        );
        let now = Utc::now();
        let row: MemberRow = dispatch!(&self.db, write, pool, begin => {
            let mut tx = pool.begin_with(begin).await?;
            let row: Option<MemberRow> = sqlx::query_as(sqlx::AssertSqlSafe(select))
                .bind(member_no).fetch_optional(&mut *tx).await?;
            let row = check_writable(row, actor, member_no, expected_version)?;
            if row.status == Status::Withdrawn.as_str() {
                return Err(StoreError::AlreadyWithdrawn);
            }
            let before = row_snapshot(&row, vault)?;
            let row: MemberRow = sqlx::query_as(WITHDRAW_MEMBER)
                .bind(row.id)
                .bind(on)
                .bind(reason)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
            let change = Change {
                who: Who::from(actor),
                action: "member.withdraw",
                record_type: "member",
                record_id: member_no.to_owned(),
                before: Some(before),
                after: Some(row_snapshot(&row, vault)?),
            };
            tx.append_audit(now, std::slice::from_ref(&change)).await?;
            tx.commit().await?;
            row
        });
        row.into_member(vault, false)
    }

    /// Erases a member's personal data (NIK, name, birth date, phone, e-mail, address):
    /// the member number, region, sector, sex, dates and status stay, so counts do not
    /// change. An erased member is withdrawn; accounts linked to it are disabled.
    #[tracing::instrument(skip_all)]
    pub async fn erase_member(
        &self,
        actor: &Actor,
        member_no: &str,
        reason: &str,
        today: NaiveDate,
    ) -> Result<Member> {
        require(actor, Permission::MemberErase)?;
        let vault = self.vault()?;
        let select = format!(
            concat!(
                "SELECT ",
                member_cols!(),
                " FROM members WHERE member_no = $1{}"
            ),
            for_update(&self.db)
        );
        let now = Utc::now();
        let row: MemberRow = dispatch!(&self.db, write, pool, begin => {
            let mut tx = pool.begin_with(begin).await?;
            let row: Option<MemberRow> = sqlx::query_as(sqlx::AssertSqlSafe(select))
                .bind(member_no).fetch_optional(&mut *tx).await?;
            let row = check_writable(row, actor, member_no, None)?;
            let before = row_snapshot(&row, vault)?;
            let row: MemberRow = sqlx::query_as(ERASE_MEMBER)
                .bind(row.id)
                .bind(now)
                .bind(today)
                .bind(reason)
                .fetch_one(&mut *tx)
                .await?;
            sqlx::query("UPDATE users SET disabled_at = COALESCE(disabled_at, $1) WHERE member_no = $2")
                .bind(now)
                .bind(member_no)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE member_no = $1)")
                .bind(member_no)
                .execute(&mut *tx)
                .await?;
            let change = Change {
                who: Who::from(actor),
                action: "member.erase",
                record_type: "member",
                record_id: member_no.to_owned(),
                before: Some(before),
                after: Some({
                    let mut after = row_snapshot(&row, vault)?;
                    after["erase_reason"] = json!(reason);
                    after
                }),
            };
            tx.append_audit(now, std::slice::from_ref(&change)).await?;
            tx.commit().await?;
            row
        });
        row.into_member(vault, false)
    }

    /// Everything held about a member, for download. Scoped like a read (404 outside
    /// scope); the NIK is in the clear only for roles that may see it, and the export is
    /// itself written to the audit log.
    pub async fn export_member(&self, actor: &Actor, member_no: &str) -> Result<MemberExport> {
        require(actor, Permission::MemberExport)?;
        let vault = self.vault()?;
        let row = self
            .scoped_row(actor, member_no)
            .await?
            .ok_or(StoreError::NotFound)?;
        let member = row.into_member(vault, actor.can(Permission::MemberReadNik))?;
        let accounts: Vec<(String, String, DateTime<Utc>)> = dispatch!(&self.db, read, pool => {
            sqlx::query_as("SELECT username, role, created_at FROM users WHERE member_no = $1 ORDER BY id")
                .bind(member_no).fetch_all(pool).await?
        });
        let history: Vec<crate::AuditEntry> = dispatch!(&self.db, read, pool => {
            sqlx::query_as("SELECT seq, at, user_id, actor, address, action, record_type, record_id, \
                before, after, prev_hash, hash FROM audit_log WHERE record_type = 'member' AND record_id = $1 ORDER BY seq")
                .bind(member_no).fetch_all(pool).await?
        });
        self.audit_now(Change {
            who: Who::from(actor),
            action: "member.export",
            record_type: "member",
            record_id: member_no.to_owned(),
            before: None,
            after: None,
        })
        .await?;
        Ok(MemberExport {
            member,
            accounts,
            history,
        })
    }

    /// The public membership check: a member number (exact) or part of a business name
    /// (at least 3 characters), at most 20 answers. No personal data is selected at all.
    pub async fn public_lookup(&self, q: &str) -> Result<Vec<PublicMember>> {
        let q = q.trim();
        let rows: Vec<(String, String, String, String)> = if q.len() >= 4
            && q.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("JP-"))
        {
            dispatch!(&self.db, read, pool => {
                sqlx::query_as("SELECT member_no, business_name, district_code, status FROM members WHERE member_no = $1")
                    .bind(q.to_ascii_uppercase()).fetch_all(pool).await?
            })
        } else {
            let pattern = like_contains(&q.to_lowercase());
            dispatch!(&self.db, read, pool => {
                sqlx::query_as("SELECT member_no, business_name, district_code, status FROM members \
                    WHERE lower(business_name) LIKE $1 ESCAPE '\\' ORDER BY business_name, member_no LIMIT 20")
                    .bind(pattern).fetch_all(pool).await?
            })
        };
        rows.into_iter()
            .map(|(member_no, business_name, district_code, status)| {
                Ok(PublicMember {
                    status: Status::parse(&status)
                        .map_err(|e| StoreError::Corrupt(format!("member {member_no}: {e}")))?,
                    // Registration (P1) is the only facility recorded until the ledger of
                    // services arrives; every member on file has reached it.
                    facilities: vec!["P1".to_owned()],
                    member_no,
                    business_name,
                    district_code,
                })
            })
            .collect()
    }
}

/// The checks every member write makes on the row it loaded, in order: it exists (404),
/// it is in the actor's scope (403), it is not erased (409), it is at the expected
/// version (409).
fn check_writable(
    row: Option<MemberRow>,
    actor: &Actor,
    member_no: &str,
    expected_version: Option<i64>,
) -> Result<MemberRow> {
    let row = row.ok_or(StoreError::NotFound)?;
    require_covers(actor, &row.village_code, member_no)?;
    if row.erased_at.is_some() {
        return Err(StoreError::Erased);
    }
    if let Some(v) = expected_version
        && v != row.version
    {
        return Err(StoreError::StaleVersion {
            current: row.version,
        });
    }
    Ok(row)
}

fn row_snapshot(row: &MemberRow, vault: &Vault) -> Result<serde_json::Value> {
    Ok(row.clone().into_member(vault, true)?.audit_snapshot(vault))
}
