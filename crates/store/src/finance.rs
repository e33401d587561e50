//! Facility P6, financial reporting: a member's monthly reports and the size class they
//! imply ([`jakpreneur_core::finance`] holds the rule). Filing writes
//! `financial_report_filed` and refreshes `member_size` in the same transaction, so the
//! current class and the naik-kelas date are always those of the reports on file.

use chrono::{NaiveDate, Utc};
use jakpreneur_core::finance::{Month, MonthFigures, SizeHistory, size_history, with_eorder_sales};
use jakpreneur_core::programme::{JAKPRENEUR, NewEvent};
use jakpreneur_core::text::{given, parse_date, parse_int};
use jakpreneur_core::{Actor, FieldError, Permission, ValidationErrors};
use serde::Serialize;
use serde_json::json;

use crate::access::require;
use crate::audit::{self, Change, Who};
use crate::counters;
use crate::facts::LedgerFacts;
use crate::ledger::{member_for_write, write_event};
use crate::query::{Conn, query, query_text};
use crate::{Result, Store, StoreError};

/// A report to file, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReport {
    pub month: Month,
    pub sales: i64,
    pub costs: i64,
    pub employees: i64,
    /// Business capital excluding land and buildings.
    pub assets: i64,
    pub filed_on: NaiveDate,
}

impl NewReport {
    /// Checks a report as typed: every field named when wrong. Amounts are whole rupiah
    /// (digits only, up to a thousand trillion); `filed_on` defaults to `today` and may not
    /// lie after it.
    pub fn parse(
        month: Option<&str>,
        sales: Option<&str>,
        costs: Option<&str>,
        employees: Option<&str>,
        assets: Option<&str>,
        filed_on: Option<&str>,
        today: NaiveDate,
    ) -> std::result::Result<Self, ValidationErrors> {
        const MAX_RUPIAH: i64 = 1_000_000_000_000_000;
        let mut errs = ValidationErrors::default();
        let month = match given(month) {
            Some(m) => errs.take(Month::parse("month", m)),
            None => {
                errs.push(FieldError::required("month"));
                None
            }
        };
        let mut amount = |field: &'static str, raw: Option<&str>, max: i64| match given(raw) {
            Some(v) => errs.take(parse_int(field, v, 0, max)),
            None => {
                errs.push(FieldError::required(field));
                None
            }
        };
        let sales = amount("sales", sales, MAX_RUPIAH);
        let costs = amount("costs", costs, MAX_RUPIAH);
        let employees = amount("employees", employees, 1_000_000);
        let assets = amount("assets", assets, MAX_RUPIAH);
        let filed_on = match given(filed_on) {
            None => Some(today),
            Some(d) => errs.take(parse_date("filed_on", d).and_then(|d| {
                if d > today {
                    Err(FieldError::new(
                        "filed_on",
                        "date_in_future",
                        "filed_on is in the future",
                    ))
                } else {
                    Ok(d)
                }
            })),
        };
        match (
            month,
            sales,
            costs,
            employees,
            assets,
            filed_on,
            errs.is_empty(),
        ) {
            (
                Some(month),
                Some(sales),
                Some(costs),
                Some(employees),
                Some(assets),
                Some(filed_on),
                true,
            ) => Ok(Self {
                month,
                sales,
                costs,
                employees,
                assets,
                filed_on,
            }),
            _ => Err(errs),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct FinancialReport {
    pub id: i64,
    pub month: String,
    pub sales: i64,
    pub costs: i64,
    pub employees: i64,
    pub assets: i64,
    pub filed_on: NaiveDate,
    pub filed_by: String,
    /// A later filing for the same month replaced this one.
    pub superseded: bool,
    /// Why the report was voided, if it was (it then counts for nothing).
    pub void_reason: Option<String>,
}

/// What a member's reports say about its size, as stored in `member_size`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct MemberSize {
    pub size_class: String,
    pub class_month: String,
    pub first_class: String,
    pub first_month: String,
    pub moved_up_month: Option<String>,
    pub moved_up_on: Option<NaiveDate>,
}

const REPORT_SELECT: &str = "SELECT r.id, r.month, r.sales, r.costs, r.employees, r.assets, \
    r.filed_on, r.filed_by, \
     EXISTS (SELECT 1 FROM financial_reports l WHERE l.member_id = r.member_id AND l.month = \
     r.month AND l.id > r.id \
       AND NOT EXISTS (SELECT 1 FROM member_events v WHERE v.voids_event_id = l.event_id)) AS \
       superseded, \
     (SELECT v.note FROM member_events v WHERE v.voids_event_id = r.event_id) AS void_reason \
     FROM financial_reports r";

/// The figures of the latest filing of each month (voided filings do not count).
const LATEST_FIGURES: &str = "SELECT r.month, r.sales, r.assets FROM financial_reports r WHERE \
    r.member_id = $1 \
     AND NOT EXISTS (SELECT 1 FROM member_events v WHERE v.voids_event_id = r.event_id) \
     AND NOT EXISTS (SELECT 1 FROM financial_reports l WHERE l.member_id = r.member_id AND \
     l.month = r.month AND l.id > r.id \
       AND NOT EXISTS (SELECT 1 FROM member_events v WHERE v.voids_event_id = l.event_id))";

fn figures(rows: Vec<(String, i64, i64)>) -> Vec<MonthFigures> {
    rows.into_iter()
        .filter_map(|(m, sales, capital)| {
            Month::parse("month", &m).ok().map(|month| MonthFigures {
                month,
                sales,
                capital,
            })
        })
        .collect()
}

/// Keeps `member_size` equal to what the member's reports on file imply, inside the
/// caller's transaction (after a filing, or after a report is voided).
pub(crate) async fn refresh_size(tx: &mut (impl Conn + ?Sized), f: &LedgerFacts) -> Result<()> {
    // The naik-kelas date is a statistic: its counters follow it.
    let before = counters::contribution(&mut *tx, f).await?;
    write_size(&mut *tx, f.id).await?;
    let after = counters::contribution(&mut *tx, f).await?;
    counters::apply_change(tx, &before, &after).await
}

/// The e-order sales paid to a member, by payment day.
const EORDER_SALES: &str =
    "SELECT paid_on, amount_due FROM orders WHERE member_id = $1 AND state = 'paid'";

/// A member's monthly figures: its reports with its paid e-order sales joined.
async fn month_figures(tx: &mut (impl Conn + ?Sized), member_id: i64) -> Result<Vec<MonthFigures>> {
    let rows: Vec<(String, i64, i64)> = query(LATEST_FIGURES)
        .bind(member_id)
        .fetch_all(&mut *tx)
        .await?;
    let sales: Vec<(NaiveDate, i64)> = query(EORDER_SALES)
        .bind(member_id)
        .fetch_all(&mut *tx)
        .await?;
    Ok(joined(rows, sales))
}

fn joined(reports: Vec<(String, i64, i64)>, sales: Vec<(NaiveDate, i64)>) -> Vec<MonthFigures> {
    let sales: Vec<(Month, i64)> = sales.into_iter().map(|(d, a)| (Month::of(d), a)).collect();
    with_eorder_sales(&figures(reports), &sales)
}

/// `member_size` from the reports on file and the paid e-order sales.
pub(crate) async fn write_size(tx: &mut (impl Conn + ?Sized), member_id: i64) -> Result<()> {
    let Some(h) = size_history(&month_figures(&mut *tx, member_id).await?) else {
        query("DELETE FROM member_size WHERE member_id = $1")
            .bind(member_id)
            .execute(&mut *tx)
            .await?;
        return Ok(());
    };
    let up = h.moved_up.as_ref();
    query(
        "INSERT INTO member_size (member_id, size_class, class_month, first_class, first_month, \
         moved_up_month, moved_up_on) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (member_id) \
         DO UPDATE \
         SET size_class = excluded.size_class, \
         class_month = excluded.class_month, first_class = excluded.first_class, \
         first_month = excluded.first_month, moved_up_month = excluded.moved_up_month, \
         moved_up_on = excluded.moved_up_on",
    )
    .bind(member_id)
    .bind(h.current.size_class)
    .bind(h.current.month.to_string())
    .bind(h.first.size_class)
    .bind(h.first.month.to_string())
    .bind(up.map(|m| m.month.to_string()))
    .bind(up.map(|m| m.month.last_day()))
    .execute(&mut *tx)
    .await?;
    Ok(())
}

impl Store {
    /// Files a month's report for a member (a member account its own). The event is dated
    /// the filing day; the month may not lie after it.
    #[tracing::instrument(skip_all)]
    pub async fn file_report(
        &self,
        actor: &Actor,
        member_no: &str,
        r: &NewReport,
    ) -> Result<(FinancialReport, Option<MemberSize>)> {
        require(actor, Permission::ReportFile)?;
        if r.month > Month::of(r.filed_on) {
            return Err(StoreError::invalid(
                "month",
                "month_in_future",
                format!("a report for {} cannot be filed on {}", r.month, r.filed_on),
            ));
        }
        let who = Who::from(actor);
        let agency = actor.agency_or_default();
        let now = Utc::now();
        let mut tx = self.begin().await?;
        let f = member_for_write(&mut tx, actor, member_no, false).await?;
        let e = NewEvent {
            programme: JAKPRENEUR.into(),
            stage: "P6".into(),
            kind: "financial_report_filed".into(),
            qualifying: false,
            occurred_on: r.filed_on,
            place_code: None,
            agency: None,
            reference: Some(format!("report {}", r.month)),
            note: None,
        };
        let event_id = write_event(&mut tx, &f, &e, &agency, &who, None, now).await?;
        let id: i64 = query(
            "INSERT INTO financial_reports (member_id, month, sales, costs, employees, assets, \
             filed_on, event_id, filed_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(f.id)
        .bind(r.month.to_string())
        .bind(r.sales)
        .bind(r.costs)
        .bind(r.employees)
        .bind(r.assets)
        .bind(r.filed_on)
        .bind(event_id)
        .bind(&who.name)
        .bind(now)
        .scalar(&mut tx)
        .await?;
        refresh_size(&mut tx, &f).await?;
        let change = Change {
            who: who.clone(),
            action: "finance.report",
            record_type: "member",
            record_id: member_no.to_owned(),
            before: None,
            after: Some(json!({ "report_id": id, "month": r.month, "sales": r.sales,
                "costs": r.costs, "employees": r.employees, "assets": r.assets })),
        };
        audit::append(&mut tx, self.vault()?, now, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        let q = format!("{REPORT_SELECT} WHERE r.id = $1");
        let report: FinancialReport = query_text(q).bind(id).fetch_one(self.read()).await?;
        let size = self.member_size(actor, member_no).await?;
        Ok((report, size))
    }

    /// A member's reports, newest month first (superseded filings included and marked).
    pub async fn list_reports(
        &self,
        actor: &Actor,
        member_no: &str,
    ) -> Result<Vec<FinancialReport>> {
        require(actor, Permission::MemberRead)?;
        let f = self
            .member_facts(actor, member_no)
            .await?
            .ok_or(StoreError::NotFound)?;
        let q = format!("{REPORT_SELECT} WHERE r.member_id = $1 ORDER BY r.month DESC, r.id DESC");
        query_text(q).bind(f.id).fetch_all(self.read()).await
    }

    /// The member's stored size class and naik-kelas date, if it has filed a report.
    pub async fn member_size(&self, actor: &Actor, member_no: &str) -> Result<Option<MemberSize>> {
        require(actor, Permission::MemberRead)?;
        let f = self
            .member_facts(actor, member_no)
            .await?
            .ok_or(StoreError::NotFound)?;
        query(
            "SELECT size_class, class_month, first_class, first_month, moved_up_month, \
             moved_up_on FROM member_size WHERE member_id = $1",
        )
        .bind(f.id)
        .fetch_optional(self.read())
        .await
    }

    /// The class of every reported month (and month with e-order sales), recomputed from
    /// the reports on file and the paid orders.
    pub async fn size_history(
        &self,
        actor: &Actor,
        member_no: &str,
    ) -> Result<Option<SizeHistory>> {
        require(actor, Permission::MemberRead)?;
        let f = self
            .member_facts(actor, member_no)
            .await?
            .ok_or(StoreError::NotFound)?;
        let rows: Vec<(String, i64, i64)> = query(LATEST_FIGURES)
            .bind(f.id)
            .fetch_all(self.read())
            .await?;
        let sales: Vec<(NaiveDate, i64)> = query(EORDER_SALES)
            .bind(f.id)
            .fetch_all(self.read())
            .await?;
        Ok(size_history(&joined(rows, sales)))
    }
}
