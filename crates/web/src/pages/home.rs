//! `/`: for the public, what Jakpreneur is and how many members it holds; for a signed-in
//! account, what needs that person today (each with a count and a link, from the same
//! scoped store calls as the pages it links to), then the same.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Duration;
use jakpreneur_core::{Permission, Role};
use jakpreneur_store::{MemberFilter, StoreError};

use super::Chrome;
use super::ctx::PageCtx;

/// One thing waiting for the reader: how many (`more`: at least that many), what (a
/// translation key) and where to deal with it.
struct Task {
    count: usize,
    more: bool,
    label: &'static str,
    href: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    c: Chrome<'a>,
    member_count: String,
    tasks: Vec<Task>,
    /// For staff: the name of the region they work in and its figures as of today
    /// (facility name, members who reached it).
    region: Option<(String, Vec<(String, String)>)>,
    /// A member's own account: its member number, for the links to its own pages.
    own: Option<String>,
}

/// The lists the store caps, and so the most a count here can say exactly.
const CAP: usize = 500;

/// `Ok(None)` when the reader's role takes no part in the list.
fn allowed<T>(r: Result<T, StoreError>) -> Result<Option<T>, StoreError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(StoreError::Forbidden(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

async fn tasks(page: &PageCtx) -> Result<Vec<Task>, StoreError> {
    let a = page.actor();
    let s = &page.app.store;
    let today = page.today();
    let mut out = Vec::new();
    let mut add = |n: usize, label: &'static str, href: String| {
        out.push(Task {
            count: n,
            // A capped list holds at most CAP; an exact count may be larger.
            more: n == CAP,
            label,
            href,
        });
    };
    let staff = a.can(Permission::MemberRead) && a.role != Role::Member;
    if staff && a.can(Permission::MemberRegister) {
        let week = today - Duration::days(6);
        let f = MemberFilter {
            registered_from: Some(week),
            ..MemberFilter::default()
        };
        if let Some(n) = allowed(s.count_members_matching(a, &f, 100_000).await)? {
            add(
                usize::try_from(n).unwrap_or(usize::MAX),
                "home.task_new_members",
                format!("/members?registered_from={week}"),
            );
        }
    }
    if staff {
        if let Some(v) = allowed(s.overdue_follow_ups(a, today).await)? {
            add(
                v.len(),
                "home.task_follow_ups",
                "/follow-ups/overdue".into(),
            );
        }
        if let Some(v) = allowed(
            s.expiring_permits(a, today, today + Duration::days(30))
                .await,
        )? {
            add(v.len(), "home.task_permits", "/permits/expiring".into());
        }
        if let Some(v) = allowed(s.list_classes(a, today).await)? {
            let region = match &a.scope {
                jakpreneur_core::Scope::Region(r) => Some(r.as_str().to_owned()),
                _ => None,
            };
            let week = v
                .iter()
                .filter(|k| k.starts_on <= today + Duration::days(7))
                .filter(|k| match (&region, &k.place_code) {
                    (Some(r), Some(p)) => jakpreneur_core::access::region_contains(r, p),
                    _ => true,
                })
                .count();
            add(week, "home.task_classes", "/training".into());
        }
    }
    if matches!(
        a.role,
        Role::Mentor | Role::DistrictOfficer | Role::CityOfficer | Role::Curator | Role::Admin
    ) && let Some(q) = allowed(s.curation_queue(a).await)?
    {
        add(q.items.len(), "home.task_curation", "/curation".into());
    }
    if (a.can(Permission::FinancingDecide) || staff)
        && let Some(v) = allowed(s.list_referrals(a, Some("referred")).await)?
    {
        add(v.len(), "home.task_referrals", "/financing".into());
    }
    let seat = s.buyer_seat(a).await?;
    if let Some(queue) = super::orders::queue_of(seat.map(|s| s.role), a.role == Role::Member)
        && let Some(v) = allowed(s.list_orders(a, &queue.filter(CAP as i64)).await)?
    {
        add(v.len(), queue.label, "/orders".into());
    }
    Ok(out)
}

/// The reader's region (the province for province-wide staff) and how many of its
/// members reached each facility, from the statistics counters.
async fn region_figures(
    page: &PageCtx,
) -> Result<Option<(String, Vec<(String, String)>)>, StoreError> {
    let a = page.actor();
    if !a.can(Permission::MemberRead) || a.role == Role::Member {
        return Ok(None);
    }
    let region = match &a.scope {
        jakpreneur_core::Scope::Region(r) => Some(r.clone()),
        jakpreneur_core::Scope::All => None,
        _ => return Ok(None),
    };
    let Some(stocks) = allowed(
        page.app
            .store
            .stocks(a, region.as_ref(), page.today(), None)
            .await,
    )?
    else {
        return Ok(None);
    };
    let reference = jakpreneur_core::reference::reference();
    let name = match &region {
        Some(r) => reference
            .region(r.as_str())
            .map_or_else(|| r.as_str().to_owned(), |x| x.name.clone()),
        None => page.tr().t("home.province").to_owned(),
    };
    let en = page.lang.lang == crate::i18n::Lang::En;
    let rows = jakpreneur_core::programme::programmes()
        .stages_of("jakpreneur")
        .map(|st| {
            let n = stocks.total.get(&st.stage).copied().unwrap_or(0);
            (
                format!(
                    "{} {}",
                    st.stage,
                    if en { &st.name_en } else { &st.name_id }
                ),
                crate::charts::format_count(n),
            )
        })
        .collect();
    Ok(Some((name, rows)))
}

pub async fn home(page: PageCtx) -> Response {
    let c = page.chrome();
    let shown = async {
        let tasks = if page.actor().user_id.is_some() {
            tasks(&page).await?
        } else {
            Vec::new()
        };
        let region = region_figures(&page).await?;
        let n = page.app.store.count_members().await?;
        Ok::<_, StoreError>((tasks, region, n))
    }
    .await;
    match shown {
        Ok((tasks, region, n)) => page.render(
            StatusCode::OK,
            &HomePage {
                c,
                member_count: crate::charts::format_count(n),
                tasks,
                region,
                own: match &page.actor().scope {
                    jakpreneur_core::Scope::Member(no) if page.actor().role == Role::Member => {
                        Some(no.clone())
                    }
                    _ => None,
                },
            },
        ),
        Err(e) => page.failure(c, e),
    }
}
