//! Reading members: one (scoped; the NIK in the clear only when asked for, allowed and
//! audited), a keyset page of a list with filters, counts, the member's own export, and
//! the public membership check, which selects no personal data at all.

use chrono::{DateTime, Utc};
use jakpreneur_core::{Actor, Permission, Scope, Status};

use super::row::{MemberRow, member_cols};
use super::{Member, MemberExport, MemberFilter, MemberPage, MemberSort, Page, PublicMember};
use crate::access::{region_column, require, scope_filter};
use crate::audit::{Change, Who};
use crate::query::{query, query_text};
use crate::{Backend, Result, Store, StoreError};

/// A member as the public check reads it: id, number, business, district, status.
type PublicRow = (i64, String, String, String, String);

/// The most answers the public membership check gives.
pub const PUBLIC_LOOKUP_LIMIT: i64 = 20;

impl Store {
    /// NIK itself never reaches the database).
    pub async fn find_member_by_nik(
        &self,
        actor: &Actor,
        nik: &jakpreneur_core::Nik,
    ) -> Result<Option<Member>> {
        require(actor, Permission::MemberReadNik)?;
        let vault = self.vault()?;
        let mut sql = query_text(concat!(
            "SELECT ",
            member_cols!(),
            " FROM members WHERE nik_hash = $1"
        ));
        sql.arg(vault.nik_hash(nik.as_str()));
        scope_filter(actor, &mut sql);
        let row: Option<MemberRow> = sql.fetch_optional(self.read()).await?;
        let found = row.map(|r| r.into_member(vault, false)).transpose()?;
        // Every lookup by NIK is on record, found or not (the NIK itself is not).
        self.audit_now(Change {
            who: Who::from(actor),
            action: "member.find_by_nik",
            record_type: "member",
            record_id: found
                .as_ref()
                .map_or_else(|| "-".to_owned(), |m| m.member_no.clone()),
            before: None,
            after: Some(serde_json::json!({ "found": found.is_some() })),
        })
        .await?;
        Ok(found)
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
        let mut sql = query_text(concat!(
            "SELECT ",
            member_cols!(),
            " FROM members WHERE member_no = $1"
        ));
        sql.arg(member_no.to_owned());
        scope_filter(actor, &mut sql);
        sql.fetch_optional(self.read()).await
    }

    /// Members the actor's scope reaches, NIK masked, in the filter's order.
    pub async fn list_members(
        &self,
        actor: &Actor,
        f: &MemberFilter,
        page: Page,
    ) -> Result<MemberPage> {
        require(actor, Permission::MemberRead)?;
        let vault = self.vault()?;
        let (mut sql, id) = self.members_where(Shape::Rows, actor, f);
        if let Some(after) = page.after {
            let p = sql.arg(after);
            sql.push(&match f.sort {
                MemberSort::Newest => format!(" AND {id} < {p}"),
                MemberSort::Oldest => format!(" AND {id} > {p}"),
                // The cursor is still an id: the page goes on after that member's name.
                MemberSort::Business => format!(
                    " AND (business_name, id) > (SELECT business_name, id FROM members \
                     WHERE id = {p})"
                ),
            });
        }
        let limit = i64::from(page.limit.max(1));
        let p = sql.arg(limit + 1);
        sql.push(&format!(
            " ORDER BY {} LIMIT {p}",
            match f.sort {
                MemberSort::Newest => format!("{id} DESC"),
                MemberSort::Oldest => id.to_owned(),
                MemberSort::Business => "business_name, members.id".to_owned(),
            }
        ));

        let rows: Vec<MemberRow> = sql.fetch_all(self.read()).await?;
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

    /// How many members a list with this filter holds, within the actor's scope, counting
    /// no further than `cap` (a count stops early instead of reading a whole province for a
    /// list header): `cap + 1` means "more than `cap`".
    pub async fn count_members_matching(
        &self,
        actor: &Actor,
        f: &MemberFilter,
        cap: i64,
    ) -> Result<i64> {
        require(actor, Permission::MemberRead)?;
        let (mut sql, _) = self.members_where(Shape::Count, actor, f);
        let p = sql.arg(cap.saturating_add(1));
        sql.push(&format!(" LIMIT {p}) capped"));
        sql.scalar(self.read()).await
    }

    /// Puts a download of a members list (`member.export_list`) or of their services
    /// (`ledger.export`) on record: who, in which format, with which filter, how many
    /// members matched (never the rows themselves).
    pub async fn record_member_list_export(
        &self,
        actor: &Actor,
        action: &'static str,
        format: &str,
        filter: serde_json::Value,
        rows: i64,
    ) -> Result<()> {
        require(actor, Permission::MemberRead)?;
        if !matches!(action, "member.export_list" | "ledger.export") {
            return Err(StoreError::Corrupt(format!("no such export: {action}")));
        }
        self.audit_now(Change {
            who: Who::from(actor),
            action,
            record_type: "member",
            record_id: "-".to_owned(),
            before: None,
            after: Some(serde_json::json!({ "format": format, "filter": filter, "rows": rows })),
        })
        .await
    }

    /// The highest member id (0 with none): where a bulk loader starts.
    pub async fn max_member_id(&self) -> Result<i64> {
        let max: Option<i64> = query("SELECT MAX(id) FROM members")
            .scalar(self.read())
            .await?;
        Ok(max.unwrap_or(0))
    }

    /// How many members are on file in all (a count, no personal data).
    pub async fn count_members(&self) -> Result<i64> {
        query("SELECT COUNT(*) FROM members")
            .scalar(self.read())
            .await
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
        let accounts: Vec<(String, String, DateTime<Utc>)> =
            query("SELECT username, role, created_at FROM users WHERE member_no = $1 ORDER BY id")
                .bind(member_no)
                .fetch_all(self.read())
                .await?;
        let history: Vec<crate::AuditEntry> = query(
            "SELECT seq, at, user_id, actor, address, \
            action, record_type, record_id, \
                before, after, prev_hash, hash, chain, seal FROM audit_log WHERE record_type = 'member' \
                AND \
                record_id = $1 ORDER BY seq",
        )
        .bind(member_no)
        .fetch_all(self.read())
        .await?;
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

    /// The public membership check: a member number (exact) or words of a business name
    /// (at least 3 characters): at most [`PUBLIC_LOOKUP_LIMIT`] answers and how many
    /// matched in all, each with the facilities (P1–P7) the member has reached. No personal
    /// data is selected at all (an erased member keeps its number and business).
    pub async fn public_lookup(&self, q: &str) -> Result<(Vec<PublicMember>, i64)> {
        let q = q.trim();
        let (rows, total): (Vec<PublicRow>, i64) = if q.len() >= 4
            && q.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("JP-"))
        {
            let rows: Vec<PublicRow> = query(
                "SELECT id, member_no, business_name, district_code, status FROM members \
                     WHERE member_no = $1",
            )
            .bind(q.to_ascii_uppercase())
            .fetch_all(self.read())
            .await?;
            let n = rows.len() as i64;
            (rows, n)
        } else {
            // Business names only: the check never searches people's names.
            let words = crate::words::words_of(q);
            if words.is_empty() {
                return Ok((Vec::new(), 0));
            }
            let (matching, words) = match self.backend() {
                Backend::Sqlite => (
                    "id IN (SELECT rowid FROM members_words WHERE members_words MATCH $1)",
                    crate::words::fts5_all(&["business"], &words),
                ),
                Backend::Postgres => (
                    "to_tsvector('simple', business_name) @@ to_tsquery('simple', $1)",
                    crate::words::tsquery_all(&words),
                ),
            };
            let rows: Vec<PublicRow> = query_text(format!(
                "SELECT id, member_no, business_name, district_code, status FROM members \
                 WHERE {matching} ORDER BY business_name, member_no LIMIT $2"
            ))
            .bind(words.clone())
            .bind(PUBLIC_LOOKUP_LIMIT)
            .fetch_all(self.read())
            .await?;
            let total: i64 = query_text(format!("SELECT COUNT(*) FROM members WHERE {matching}"))
                .bind(words)
                .scalar(self.read())
                .await?;
            (rows, total)
        };
        // The facilities each has reached, from the first-reach records.
        let mut reached: std::collections::HashMap<i64, Vec<String>> =
            std::collections::HashMap::new();
        if !rows.is_empty() {
            let mut f = query_text(
                "SELECT member_id, stage FROM member_facility WHERE programme = 'jakpreneur' AND \
                 member_id IN (",
            );
            for (i, (id, ..)) in rows.iter().enumerate() {
                let a = f.arg(*id);
                f.push(&format!("{}{a}", if i == 0 { "" } else { ", " }));
            }
            f.push(")");
            let stages: Vec<(i64, String)> = f.fetch_all(self.read()).await?;
            for (id, stage) in stages {
                reached.entry(id).or_default().push(stage);
            }
        }
        let items = rows
            .into_iter()
            .map(|(id, member_no, business_name, district_code, status)| {
                let mut facilities = reached.remove(&id).unwrap_or_default();
                // Every member on file has registered (P1).
                if !facilities.iter().any(|s| s == "P1") {
                    facilities.push("P1".to_owned());
                }
                facilities.sort();
                Ok(PublicMember {
                    status: Status::parse(&status)
                        .map_err(|e| StoreError::Corrupt(format!("member {member_no}: {e}")))?,
                    facilities,
                    member_no,
                    business_name,
                    district_code,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((items, total))
    }
}

/// What a members list's `q` asks for: one member number, one phone, or words of names
/// and business names (none at all when `q` holds no letter or digit).
enum Wanted {
    MemberNo(String),
    Phone(String),
    Words(Vec<String>),
}

impl Wanted {
    fn of(f: &MemberFilter) -> Option<Self> {
        let q = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty())?;
        let digits = q.chars().filter(char::is_ascii_digit).count();
        let phone = (digits >= 7
            && q.chars()
                .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')' | '+')))
        .then(|| jakpreneur_core::phone::Phone::parse("q", q).ok())
        .flatten();
        Some(
            if q.len() > 3 && q.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("JP-")) {
                Self::MemberNo(q.to_ascii_uppercase())
            } else if let Some(phone) = phone {
                Self::Phone(phone.into_string())
            } else {
                Self::Words(crate::words::words_of(q))
            },
        )
    }
}

/// What a members query selects: the members' columns, or (for a capped count) one
/// constant per row inside `SELECT COUNT(*) FROM (…`, which the caller closes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Rows,
    Count,
}

impl Store {
    /// The query for the members the actor's scope reaches and the filter asks for, up to
    /// its `WHERE` conditions, and the column that holds the member's id there. Words are
    /// looked up in the word index: on SQLite the index is read first, newest member
    /// first, with the actor's region and the filter's as index tokens too, so a page
    /// stops after its rows (`CROSS JOIN` keeps that order) and a count whose conditions
    /// are all index tokens reads the index alone; on PostgreSQL through the GIN index,
    /// which the planner combines with the region indexes.
    fn members_where(
        &self,
        shape: Shape,
        actor: &Actor,
        f: &MemberFilter,
    ) -> (crate::query::Query, &'static str) {
        let (outer, select) = match shape {
            Shape::Rows => ("", member_cols!()),
            Shape::Count => ("SELECT COUNT(*) FROM (", "1"),
        };
        let wanted = Wanted::of(f);
        let (mut sql, id) = match (self.backend(), &wanted) {
            (Backend::Sqlite, Some(Wanted::Words(words))) if !words.is_empty() => {
                let mut m = vec![crate::words::fts5_all(&["person", "business"], words)];
                if let Scope::Region(r) = &actor.scope {
                    m.push(format!("place : \"{}\"", crate::words::place_token(r)));
                }
                if let Some(r) = &f.region {
                    m.push(format!("place : \"{}\"", crate::words::place_token(r)));
                }
                // The index alone answers when the scope and the filter are all in it: a
                // count then reads no member row at all.
                let index_only = shape == Shape::Count
                    && matches!(actor.scope, Scope::All | Scope::Region(_))
                    && f.registered_from.is_none()
                    && f.registered_to.is_none()
                    && f.sector.is_none()
                    && f.status.is_none();
                let from = if index_only {
                    "members_words w"
                } else {
                    "members_words w CROSS JOIN members ON members.id = w.rowid"
                };
                let mut sql = query_text(format!(
                    "{outer}SELECT {select} FROM {from} WHERE members_words MATCH "
                ));
                let p = sql.arg(m.join(" AND "));
                sql.push(&p);
                if index_only {
                    // Nothing else to ask of a member row (`filtered` reads its columns).
                    return (sql, "w.rowid");
                }
                (sql, "w.rowid")
            }
            _ => (
                query_text(format!("{outer}SELECT {select} FROM members WHERE 1 = 1")),
                "members.id",
            ),
        };
        filtered(actor, f, &mut sql);
        match wanted {
            None => {}
            Some(Wanted::MemberNo(no)) => {
                let p = sql.arg(no);
                sql.push(&format!(" AND member_no = {p}"));
            }
            Some(Wanted::Phone(phone)) => {
                let p = sql.arg(phone);
                sql.push(&format!(" AND phone = {p}"));
            }
            Some(Wanted::Words(words)) if words.is_empty() => {
                sql.push(" AND 1 = 0");
            }
            // On SQLite the words are already in the index's MATCH.
            Some(Wanted::Words(words)) if self.backend() == Backend::Postgres => {
                let p = sql.arg(crate::words::tsquery_all(&words));
                sql.push(&format!(
                    " AND to_tsvector('simple', COALESCE(full_name, '') || ' ' || \
                     business_name) @@ to_tsquery('simple', {p})"
                ));
            }
            Some(Wanted::Words(_)) => {}
        }
        (sql, id)
    }
}

/// The actor's scope and the filter's conditions but its `q`, appended to a `WHERE`.
fn filtered(actor: &Actor, f: &MemberFilter, sql: &mut crate::query::Query) {
    scope_filter(actor, sql);
    if let Some(r) = &f.region {
        let column = region_column(r.level());
        let p = sql.arg(r.as_str().to_owned());
        sql.push(&format!(" AND {column} = {p}"));
    }
    if let Some(d) = f.registered_from {
        let p = sql.arg(d);
        sql.push(&format!(" AND registered_on >= {p}"));
    }
    if let Some(d) = f.registered_to {
        let p = sql.arg(d);
        sql.push(&format!(" AND registered_on <= {p}"));
    }
    if let Some(s) = &f.sector {
        let p = sql.arg(s.clone());
        sql.push(&format!(" AND sector = {p}"));
    }
    if let Some(s) = f.status {
        let p = sql.arg(s.as_str().to_owned());
        sql.push(&format!(" AND status = {p}"));
    }
}
