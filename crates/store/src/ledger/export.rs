//! The ledger as an export reads it: the live services of the members a filter selects,
//! a page of members at a time, so that a download of every service in the province
//! never holds more than one page in memory.

use jakpreneur_core::Actor;
use jakpreneur_core::programme::REGISTERED;

use super::EventRow;
use crate::access::scope_filter_on;
use crate::members::{MemberFilter, MemberSort, Page};
use crate::query::query_text;
use crate::{Event, Result, Store};

/// A page of services, and the cursor of the next page of members.
#[derive(Debug, Clone, Default)]
pub struct ServicePage {
    pub items: Vec<Event>,
    /// How many members this page covered.
    pub members: usize,
    pub next: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct ExportRow {
    member_no: String,
    #[sqlx(flatten)]
    event: EventRow,
}

impl Store {
    /// The services of one page of the members the filter and the actor's scope select
    /// (members in registration order, each member's services by date): every live
    /// service but registration itself (that is the member record's `registered_on`).
    /// Voided services and voids are left out, so a file exported here and imported
    /// elsewhere gives the same statistics.
    pub async fn export_services(
        &self,
        actor: &Actor,
        filter: &MemberFilter,
        page: Page,
    ) -> Result<ServicePage> {
        let filter = MemberFilter {
            sort: MemberSort::Oldest,
            ..filter.clone()
        };
        let members = self.list_members(actor, &filter, page).await?;
        if members.items.is_empty() {
            return Ok(ServicePage::default());
        }
        let mut sql = query_text(
            "SELECT m.member_no, e.id, e.programme, e.stage, e.kind, e.qualifying, \
             e.occurred_on, e.place_code, e.agency_code, e.recorded_by, e.reference, e.note, \
             e.created_at, CAST(NULL AS BIGINT) AS void_id, CAST(NULL AS DATE) AS void_on, \
             CAST(NULL AS TEXT) AS void_by, CAST(NULL AS TEXT) AS void_note \
             FROM member_events e JOIN members m ON m.id = e.member_id \
             WHERE e.kind <> 'void' AND NOT EXISTS \
             (SELECT 1 FROM member_events v WHERE v.voids_event_id = e.id)",
        );
        let registered = sql.arg(REGISTERED);
        sql.push(&format!(" AND e.kind <> {registered} AND e.member_id IN ("));
        for (i, m) in members.items.iter().enumerate() {
            let p = sql.arg(m.id);
            sql.push(if i == 0 { "" } else { ", " }).push(&p);
        }
        sql.push(")");
        // The page came through the scope already; the join checks it again where the
        // rows are read.
        scope_filter_on(actor, &mut sql, "m.");
        sql.push(" ORDER BY e.member_id, e.occurred_on, e.id");
        let rows: Vec<ExportRow> = sql.fetch_all(self.read()).await?;
        Ok(ServicePage {
            items: rows
                .into_iter()
                .map(|r| r.event.into_event(&r.member_no))
                .collect(),
            members: members.items.len(),
            next: members.next,
        })
    }
}
