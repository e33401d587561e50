//! Writing registrations inside the caller's transaction: one on PostgreSQL (its member
//! number taken from the city's counter), a batch on SQLite (the numbers of each city
//! reserved at once, one multi-row INSERT that skips NIKs on file).

use chrono::{DateTime, Utc};
use jakpreneur_core::member::CONSENT_VERSION;
use jakpreneur_core::{NewMember, RegionLevel, Status};
use serde_json::json;

use super::row::{MemberRow, member_cols};
use super::{Member, Personal};
use crate::audit::{self, Change, Who};
use crate::crypto::Vault;
use crate::query::{Backend, Query, query, query_text, query_text_on};
use crate::{Result, StoreError};

/// PostgreSQL: the city's member-number sequence ([`ensure_member_no_sequences`]), which
/// concurrent registrations take from without waiting for each other's commits.
const NEXT_SEQ: &str = "SELECT nextval($1::regclass)";
const INSERT_COLS: &str = "INSERT INTO members (member_no, nik_hash, nik_cipher, full_name, \
     birth_date, sex, phone, email, address, province_code, city_code, district_code, \
     village_code, business_name, sector, channel, registered_on, consent_version, consent_at, \
     status, version, created_at, updated_at) VALUES ";
/// Bound values per inserted row (the timestamp is bound once per row and reused).
const PER_ROW: usize = 19;

pub(super) fn region_args(m: &NewMember) -> Result<[String; 4]> {
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
fn format_member_no(city_digits: &str, seq: i64) -> String {
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
    /// Seals the registration's audit entry.
    pub vault: std::sync::Arc<Vault>,
}

impl Prepared {
    pub(super) fn new(
        m: &NewMember,
        vault: &std::sync::Arc<Vault>,
        who: Who,
        agency: Option<&str>,
    ) -> Self {
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
            vault: std::sync::Arc::clone(vault),
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

/// [`insert_sql`] for SQLite's bulk path: anonymous `?` in order (each bound once, the
/// timestamp three times), which sqlx binds without looking names up.
fn insert_sql_anonymous(rows: usize) -> String {
    let row = format!("({}, 'active', 1, ?, ?)", vec!["?"; PER_ROW].join(", "));
    let mut sql = String::from(INSERT_COLS);
    sql.push_str(&vec![row; rows].join(", "));
    sql.push_str(concat!(
        " ON CONFLICT (nik_hash) DO NOTHING RETURNING ",
        member_cols!()
    ));
    sql
}

/// Binds one registration's values in [`INSERT_COLS`] order.
fn bind_member(
    q: Query,
    member_no: String,
    p: &Prepared,
    [province, city, district, village]: [String; 4],
    now: DateTime<Utc>,
) -> Query {
    let m = &p.member;
    q.bind(member_no)
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
        .bind(now)
}

/// The name of a city's member-number sequence on PostgreSQL: `member_no_3171`.
fn sequence_name(city_digits: &str) -> String {
    format!("member_no_{city_digits}")
}

/// PostgreSQL: a member-number sequence for every city of the reference data, each
/// continuing after the city's `member_no_counters` row (where numbers were taken before
/// the sequences, and where SQLite still takes them). Run at migration, by one process.
pub(crate) async fn ensure_member_no_sequences(conn: &mut sqlx::PgConnection) -> Result<()> {
    for city in jakpreneur_core::reference::reference().regions_at(RegionLevel::City) {
        let name = sequence_name(&city.code.replace('.', ""));
        if !name[10..].bytes().all(|b| b.is_ascii_digit()) {
            return Err(StoreError::Corrupt(format!("city code {}", city.code)));
        }
        query_text(format!("CREATE SEQUENCE IF NOT EXISTS {name} MINVALUE 1"))
            .execute(&mut *conn)
            .await?;
        // Never behind the counter row: a number once given is never given again.
        let used: i64 = query(
            "SELECT GREATEST( \
               COALESCE((SELECT last_seq FROM member_no_counters WHERE city_code = $1), 0), \
               COALESCE((SELECT last_value FROM pg_sequences WHERE sequencename = $2 \
                 AND schemaname = current_schema()), 0))",
        )
        .bind(&city.code)
        .bind(&name)
        .scalar(&mut *conn)
        .await?;
        if used > 0 {
            query("SELECT setval($1::regclass, $2)")
                .bind(&name)
                .bind(used)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

/// Takes the city's next member number and inserts `p` with its audit entry, inside the
/// caller's PostgreSQL transaction. `None`: the NIK is on file.
pub(super) async fn insert_member_pg(
    conn: &mut sqlx::PgConnection,
    p: &Prepared,
    now: DateTime<Utc>,
) -> Result<Option<MemberRow>> {
    let regions = region_args(&p.member)?;
    let digits = regions[1].replace('.', "");
    let seq: i64 = query(NEXT_SEQ)
        .bind(sequence_name(&digits))
        .scalar(&mut *conn)
        .await?;
    let member_no = format_member_no(&digits, seq);
    let sql = insert_sql(1);
    let q = query_text(sql);
    let row: Option<MemberRow> = bind_member(q, member_no.clone(), p, regions, now)
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(r) = &row {
        crate::ledger::record_registration(conn, &r.facts(), &p.who, &p.agency, now).await?;
        audit::append(conn, &p.vault, now, &[p.change(&member_no)]).await?;
    }
    Ok(row)
}

const RESERVE_SEQ: &str = "INSERT INTO member_no_counters (city_code, last_seq) VALUES ($1, $2) \
     ON CONFLICT (city_code) DO UPDATE SET last_seq = member_no_counters.last_seq + \
     excluded.last_seq \
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
        let last: i64 = query(RESERVE_SEQ)
            .bind(city)
            .bind(n)
            .scalar(&mut *conn)
            .await?;
        next_seq.insert(city, last - n + 1);
    }
    let sql = insert_sql_anonymous(members.len());
    let mut q = query_text_on(Backend::Sqlite, sql);
    let mut numbers = Vec::with_capacity(members.len());
    for (p, r) in members.iter().zip(&regions) {
        let seq = next_seq
            .get_mut(r[1].as_str())
            .ok_or_else(|| StoreError::Corrupt(format!("city {}", r[1])))?;
        let member_no = format_member_no(&r[1].replace('.', ""), *seq);
        *seq += 1;
        numbers.push(member_no.clone());
        q = bind_member(q, member_no, p, r.clone(), now)
            .bind(now)
            .bind(now);
    }
    let rows: Vec<MemberRow> = q.fetch_all(&mut *conn).await?;
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
    if let Some(first) = members.first() {
        audit::append(conn, &first.vault, now, &changes).await?;
    }
    Ok(out)
}
