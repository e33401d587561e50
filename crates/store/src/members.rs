//! The member registry: register (with a per-city member number), read, list with keyset
//! pages, correct under optimistic concurrency, withdraw.

use chrono::{DateTime, NaiveDate, Utc};
use jakpreneur_core::{Channel, NewMember, RegionCode, RegionLevel, Sex, Status};

use crate::db::Db;
use crate::sql::{Arg, Sql, like_contains};
use crate::{Result, Store, StoreError};

/// Columns of a member row, in [`MemberRow`] order.
macro_rules! member_cols {
    () => {
        "id, member_no, nik, full_name, birth_date, sex, phone, email, address, province_code, \
         city_code, district_code, village_code, business_name, sector, channel, registered_on, \
         status, withdrawn_on, withdrawal_reason, version, created_at, updated_at"
    };
}

const NEXT_SEQ: &str = "INSERT INTO member_no_counters (city_code, last_seq) VALUES ($1, 1) \
     ON CONFLICT (city_code) DO UPDATE SET last_seq = member_no_counters.last_seq + 1 RETURNING last_seq";
const INSERT_MEMBER: &str = concat!(
    "INSERT INTO members (member_no, nik, full_name, birth_date, sex, phone, email, address, \
     province_code, city_code, district_code, village_code, business_name, sector, channel, \
     registered_on, status, version, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 'active', 1, $17, $17) \
     RETURNING ",
    member_cols!()
);
const SELECT_BY_NO: &str = concat!(
    "SELECT ",
    member_cols!(),
    " FROM members WHERE member_no = $1"
);
const SELECT_NO_BY_NIK: &str = "SELECT member_no FROM members WHERE nik = $1";
const SELECT_STATE: &str = "SELECT status, version FROM members WHERE member_no = $1";
const UPDATE_MEMBER: &str = concat!(
    "UPDATE members SET nik = $1, full_name = $2, birth_date = $3, sex = $4, phone = $5, email = $6, \
     address = $7, province_code = $8, city_code = $9, district_code = $10, village_code = $11, \
     business_name = $12, sector = $13, channel = $14, registered_on = $15, \
     version = version + 1, updated_at = $16 \
     WHERE member_no = $17 AND version = $18 RETURNING ",
    member_cols!()
);
const WITHDRAW_MEMBER: &str = concat!(
    "UPDATE members SET status = 'withdrawn', withdrawn_on = $2, withdrawal_reason = $3, \
     version = version + 1, updated_at = $4 \
     WHERE member_no = $1 AND status = 'active' AND ($5 < 0 OR version = $5) RETURNING ",
    member_cols!()
);

#[derive(Debug, sqlx::FromRow)]
struct MemberRow {
    id: i64,
    member_no: String,
    nik: String,
    full_name: String,
    birth_date: NaiveDate,
    sex: String,
    phone: String,
    email: Option<String>,
    address: String,
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
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// A stored member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: i64,
    pub member_no: String,
    /// Personal data: show masked unless the viewer may see it.
    pub nik: String,
    pub full_name: String,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    pub phone: String,
    pub email: Option<String>,
    pub address: String,
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
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<MemberRow> for Member {
    type Error = StoreError;

    fn try_from(r: MemberRow) -> Result<Self> {
        let bad = |e: jakpreneur_core::FieldError| {
            StoreError::Corrupt(format!("member {}: {e}", r.member_no))
        };
        Ok(Member {
            sex: Sex::parse(&r.sex).map_err(bad)?,
            channel: Channel::parse(&r.channel).map_err(bad)?,
            status: Status::parse(&r.status).map_err(bad)?,
            id: r.id,
            member_no: r.member_no,
            nik: r.nik,
            full_name: r.full_name,
            birth_date: r.birth_date,
            phone: r.phone,
            email: r.email,
            address: r.address,
            province_code: r.province_code,
            city_code: r.city_code,
            district_code: r.district_code,
            village_code: r.village_code,
            business_name: r.business_name,
            sector: r.sector,
            registered_on: r.registered_on,
            withdrawn_on: r.withdrawn_on,
            withdrawal_reason: r.withdrawal_reason,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

impl Member {
    /// The stored record as a draft, to lay a correction over and validate again.
    pub fn to_draft(&self) -> jakpreneur_core::MemberDraft {
        jakpreneur_core::MemberDraft {
            nik: Some(self.nik.clone()),
            full_name: Some(self.full_name.clone()),
            birth_date: Some(self.birth_date.to_string()),
            sex: Some(self.sex.as_str().to_owned()),
            phone: Some(self.phone.clone()),
            email: self.email.clone(),
            address: Some(self.address.clone()),
            village_code: Some(self.village_code.clone()),
            business_name: Some(self.business_name.clone()),
            sector: Some(self.sector.clone()),
            channel: Some(self.channel.as_str().to_owned()),
            registered_on: Some(self.registered_on.to_string()),
        }
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

/// Takes the city's next member number and inserts `m`, inside the caller's PostgreSQL
/// transaction. (SQLite writes registrations in batches: [`insert_batch_sqlite`].)
async fn insert_member_pg(
    conn: &mut sqlx::PgConnection,
    m: &NewMember,
    now: DateTime<Utc>,
) -> Result<Member> {
    let [province, city, district, village] = region_args(m)?;
    let seq: i64 = sqlx::query_scalar(NEXT_SEQ)
        .bind(&city)
        .fetch_one(&mut *conn)
        .await?;
    let member_no = format_member_no(&city.replace('.', ""), seq);
    let row: MemberRow = sqlx::query_as(INSERT_MEMBER)
        .bind(&member_no)
        .bind(m.nik.as_str())
        .bind(&m.full_name)
        .bind(m.birth_date)
        .bind(m.sex.as_str())
        .bind(m.phone.as_str())
        .bind(&m.email)
        .bind(&m.address)
        .bind(province)
        .bind(city)
        .bind(district)
        .bind(village)
        .bind(&m.business_name)
        .bind(&m.sector)
        .bind(m.channel.as_str())
        .bind(m.registered_on)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?;
    Member::try_from(row)
}

const RESERVE_SEQ: &str = "INSERT INTO member_no_counters (city_code, last_seq) VALUES ($1, $2) \
     ON CONFLICT (city_code) DO UPDATE SET last_seq = member_no_counters.last_seq + excluded.last_seq \
     RETURNING last_seq";

/// Writes a batch of registrations on SQLite inside the caller's transaction, in a fixed
/// number of statements: one counter update per city reserves that city's numbers, then
/// one multi-row INSERT skips NIKs already on file (or repeated in the batch).
/// Returns, per input, the stored member or `None` when its NIK was taken. A skipped
/// registration leaves a gap in its city's numbers.
pub(crate) async fn insert_batch_sqlite(
    conn: &mut sqlx::SqliteConnection,
    members: &[&NewMember],
    now: DateTime<Utc>,
) -> Result<Vec<Option<Member>>> {
    let regions = members
        .iter()
        .map(|m| region_args(m))
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
    let mut sql = String::from(
        "INSERT INTO members (member_no, nik, full_name, birth_date, sex, phone, email, address, \
         province_code, city_code, district_code, village_code, business_name, sector, channel, \
         registered_on, status, version, created_at, updated_at) VALUES ",
    );
    const PER_ROW: usize = 17;
    for i in 0..members.len() {
        let p = |k: usize| format!("${}", i * PER_ROW + k);
        if i > 0 {
            sql.push_str(", ");
        }
        let cols: Vec<String> = (1..=16).map(p).collect();
        sql.push_str(&format!(
            "({}, 'active', 1, {}, {})",
            cols.join(", "),
            p(17),
            p(17)
        ));
    }
    sql.push_str(concat!(
        " ON CONFLICT (nik) DO NOTHING RETURNING ",
        member_cols!()
    ));
    let mut q = sqlx::query_as::<_, MemberRow>(sqlx::AssertSqlSafe(sql));
    let mut numbers = Vec::with_capacity(members.len());
    for (m, [province, city, district, village]) in members.iter().zip(&regions) {
        let seq = next_seq
            .get_mut(city.as_str())
            .ok_or_else(|| StoreError::Corrupt(format!("city {city}")))?;
        let member_no = format_member_no(&city.replace('.', ""), *seq);
        *seq += 1;
        numbers.push(member_no.clone());
        q = q
            .bind(member_no)
            .bind(m.nik.as_str().to_owned())
            .bind(m.full_name.clone())
            .bind(m.birth_date)
            .bind(m.sex.as_str())
            .bind(m.phone.as_str().to_owned())
            .bind(m.email.clone())
            .bind(m.address.clone())
            .bind(province.clone())
            .bind(city.clone())
            .bind(district.clone())
            .bind(village.clone())
            .bind(m.business_name.clone())
            .bind(m.sector.clone())
            .bind(m.channel.as_str())
            .bind(m.registered_on)
            .bind(now);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    let mut by_no: std::collections::HashMap<String, Member> = rows
        .into_iter()
        .map(|r| Member::try_from(r).map(|m| (m.member_no.clone(), m)))
        .collect::<Result<_>>()?;
    Ok(numbers.iter().map(|no| by_no.remove(no)).collect())
}

impl Store {
    /// Registers a member (facility P1). A NIK already on file gives
    /// [`StoreError::DuplicateNik`] with the existing member number, however many
    /// registrations race: the NIK is unique in the database.
    #[tracing::instrument(skip_all)]
    pub async fn register_member(&self, m: &NewMember) -> Result<Member> {
        let inserted = match &self.db {
            // The batch INSERT skips a NIK on file by itself; no lookup first.
            Db::Sqlite(s) => s.commits.register(m.clone()).await?,
            // Looking first answers a duplicate without taking a member number.
            Db::Postgres(pool) => match self.member_no_by_nik(m.nik.as_str()).await? {
                Some(member_no) => return Err(StoreError::DuplicateNik { member_no }),
                None => match Self::insert_members_pg(pool, std::slice::from_ref(m), false).await {
                    Ok(mut v) => v.pop(),
                    Err(e) if e.is_unique_violation() => None,
                    Err(e) => return Err(e),
                },
            },
        };
        match inserted {
            Some(member) => Ok(member),
            // Another registration of this NIK won; it has committed, so it can be read.
            None => match self.member_no_by_nik(m.nik.as_str()).await? {
                Some(member_no) => Err(StoreError::DuplicateNik { member_no }),
                None => Err(StoreError::Unavailable(
                    "a registration of this NIK was in flight; retry".into(),
                )),
            },
        }
    }

    /// Registers many members in one transaction, skipping NIKs already on file; returns
    /// how many were added. For demo data and bulk loads.
    pub async fn register_members_bulk(&self, ms: &[NewMember]) -> Result<usize> {
        match &self.db {
            Db::Sqlite(s) => {
                let now = Utc::now();
                let mut tx = s.writer.begin_with("BEGIN IMMEDIATE").await?;
                let mut added = 0;
                for chunk in ms.chunks(crate::group_commit::MAX_BATCH) {
                    let refs: Vec<&NewMember> = chunk.iter().collect();
                    added += insert_batch_sqlite(&mut tx, &refs, now)
                        .await?
                        .iter()
                        .flatten()
                        .count();
                }
                tx.commit().await?;
                Ok(added)
            }
            Db::Postgres(pool) => Ok(Self::insert_members_pg(pool, ms, true).await?.len()),
        }
    }

    /// Registers members one by one in one PostgreSQL transaction, optionally skipping
    /// NIKs already on file.
    async fn insert_members_pg(
        pool: &sqlx::PgPool,
        ms: &[NewMember],
        skip_duplicates: bool,
    ) -> Result<Vec<Member>> {
        let now = Utc::now();
        let mut tx = pool.begin().await?;
        let mut out = Vec::with_capacity(ms.len());
        for m in ms {
            if skip_duplicates {
                let exists = sqlx::query_scalar::<_, String>(SELECT_NO_BY_NIK)
                    .bind(m.nik.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
                if exists.is_some() {
                    continue;
                }
            }
            out.push(insert_member_pg(&mut tx, m, now).await?);
        }
        tx.commit().await?;
        Ok(out)
    }

    async fn member_no_by_nik(&self, nik: &str) -> Result<Option<String>> {
        dispatch!(&self.db, read, pool => {
            Ok(sqlx::query_scalar::<_, String>(SELECT_NO_BY_NIK).bind(nik).fetch_optional(pool).await?)
        })
    }

    pub async fn get_member(&self, member_no: &str) -> Result<Option<Member>> {
        let row: Option<MemberRow> = dispatch!(&self.db, read, pool => {
            sqlx::query_as(SELECT_BY_NO).bind(member_no).fetch_optional(pool).await?
        });
        row.map(Member::try_from).transpose()
    }

    pub async fn list_members(&self, f: &MemberFilter, page: Page) -> Result<MemberPage> {
        let mut sql = Sql::new(concat!(
            "SELECT ",
            member_cols!(),
            " FROM members WHERE 1 = 1"
        ));
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
            .map(Member::try_from)
            .collect::<Result<Vec<_>>>()?;
        let next = if items.len() as i64 > limit {
            items.truncate(limit as usize);
            items.last().map(|m| m.id)
        } else {
            None
        };
        Ok(MemberPage { items, next })
    }

    pub async fn count_members(&self) -> Result<i64> {
        dispatch!(&self.db, read, pool => {
            Ok(sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM members").fetch_one(pool).await?)
        })
    }

    /// Replaces a member's fields if it is still at `expected_version`; the member number
    /// never changes, even when the business moves to another city.
    #[tracing::instrument(skip_all)]
    pub async fn update_member(
        &self,
        member_no: &str,
        expected_version: i64,
        m: &NewMember,
    ) -> Result<Member> {
        let [province, city, district, village] = region_args(m)?;
        let now = Utc::now();
        let updated: Result<Option<MemberRow>> = dispatch!(&self.db, write, pool, begin => {
            async {
                let mut tx = pool.begin_with(begin).await?;
                let row = sqlx::query_as(UPDATE_MEMBER)
                    .bind(m.nik.as_str())
                    .bind(&m.full_name)
                    .bind(m.birth_date)
                    .bind(m.sex.as_str())
                    .bind(m.phone.as_str())
                    .bind(&m.email)
                    .bind(&m.address)
                    .bind(province)
                    .bind(city)
                    .bind(district)
                    .bind(village)
                    .bind(&m.business_name)
                    .bind(&m.sector)
                    .bind(m.channel.as_str())
                    .bind(m.registered_on)
                    .bind(now)
                    .bind(member_no)
                    .bind(expected_version)
                    .fetch_optional(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(row)
            }.await
        });
        match updated {
            Ok(Some(row)) => Member::try_from(row),
            Ok(None) => Err(self.why_not_updated(member_no, false).await?),
            Err(e) if e.is_unique_violation() => match self.member_no_by_nik(m.nik.as_str()).await?
            {
                Some(other) if other != member_no => {
                    Err(StoreError::DuplicateNik { member_no: other })
                }
                _ => Err(e),
            },
            Err(e) => Err(e),
        }
    }

    /// Marks a member withdrawn; the record stays. `expected_version` is checked when given.
    #[tracing::instrument(skip_all)]
    pub async fn withdraw_member(
        &self,
        member_no: &str,
        reason: &str,
        on: NaiveDate,
        expected_version: Option<i64>,
    ) -> Result<Member> {
        let now = Utc::now();
        let row: Option<MemberRow> = dispatch!(&self.db, write, pool, begin => {
            let mut tx = pool.begin_with(begin).await?;
            let row = sqlx::query_as(WITHDRAW_MEMBER)
                .bind(member_no)
                .bind(on)
                .bind(reason)
                .bind(now)
                .bind(expected_version.unwrap_or(-1))
                .fetch_optional(&mut *tx)
                .await?;
            tx.commit().await?;
            row
        });
        match row {
            Some(row) => Member::try_from(row),
            None => Err(self.why_not_updated(member_no, true).await?),
        }
    }

    /// After a conditional update matched no row: missing, withdrawn (when the update
    /// needed an active member), or stale?
    async fn why_not_updated(&self, member_no: &str, needs_active: bool) -> Result<StoreError> {
        let state: Option<(String, i64)> = dispatch!(&self.db, write, pool => {
            sqlx::query_as(SELECT_STATE).bind(member_no).fetch_optional(pool).await?
        });
        Ok(match state {
            None => StoreError::NotFound,
            Some((status, _)) if needs_active && status == Status::Withdrawn.as_str() => {
                StoreError::AlreadyWithdrawn
            }
            Some((_, current)) => StoreError::StaleVersion { current },
        })
    }
}
