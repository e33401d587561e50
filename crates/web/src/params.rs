//! The parsers of request values that the API and the pages share and whose result is a
//! store type (a filter, a session, a decision): one parser for each, fed the API's DTO,
//! which a page fills from its form. Parsers whose result is a core type live in
//! `jakpreneur_core` (e.g. `permit::parse_application`, `text::not_future`).

use jakpreneur_core::member::parse_withdrawal_reason;
use jakpreneur_core::permit::{PermitIssue, PermitType};
use jakpreneur_core::text::{not_future, parse_date, parse_reference};
use jakpreneur_core::{FieldError, RegionCode, Status, ValidationErrors};
use jakpreneur_store::{
    AuditFilter, MemberFilter, MemberSort, NewMentoringSession, Page, PermitDecision, TOPICS,
};

use crate::views::{AuditQuery, DecidePermit, MemberQuery, RecordSession};

/// Members listed on a page unless `limit` says otherwise.
pub const DEFAULT_LIMIT: u32 = 50;
/// The most members one page may list.
pub const MAX_LIMIT: u32 = 500;

/// Parses list filters and paging; every bad value is named.
pub fn parse_member_query(q: &MemberQuery) -> Result<(MemberFilter, Page), ValidationErrors> {
    let mut errs = ValidationErrors::default();
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let region = given(&q.region).and_then(|r| errs.take(RegionCode::parse("region", &r)));
    let from = given(&q.registered_from).and_then(|d| errs.take(parse_date("registered_from", &d)));
    let to = given(&q.registered_to).and_then(|d| errs.take(parse_date("registered_to", &d)));
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        errs.push(FieldError::new(
            "registered_to",
            "date_range",
            "registered_to must not be before registered_from",
        ));
    }
    let sector =
        given(&q.sector).and_then(|s| errs.take(jakpreneur_core::member::parse_sector(&s)));
    let status = given(&q.status).and_then(|s| errs.take(Status::parse(&s)));
    let limit = match given(&q.limit) {
        None => Some(DEFAULT_LIMIT),
        Some(l) => errs.take(
            l.parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| {
                    FieldError::new(
                        "limit",
                        "limit_out_of_range",
                        format!("limit must be a whole number from 1 to {MAX_LIMIT}"),
                    )
                }),
        ),
    };
    let after = given(&q.after).and_then(|a| {
        errs.take(a.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
            FieldError::new(
                "after",
                "invalid_cursor",
                "after must be the `next` value of a previous page",
            )
        }))
    });
    let sort = match given(&q.sort) {
        None => Some(MemberSort::Newest),
        Some(s) => errs.take(MemberSort::parse(&s).ok_or_else(|| {
            FieldError::new(
                "sort",
                "invalid_sort",
                "sort must be newest, oldest or business",
            )
        })),
    };
    let q_text = given(&q.q);
    if q_text
        .as_ref()
        .is_some_and(|s| s.chars().any(char::is_control))
    {
        errs.push(FieldError::new(
            "q",
            "invalid_characters",
            "q contains control characters",
        ));
    }
    if q_text.as_ref().is_some_and(|s| s.chars().count() > 100) {
        errs.push(FieldError::new(
            "q",
            "too_long",
            "q must be at most 100 characters",
        ));
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    Ok((
        MemberFilter {
            region,
            registered_from: from,
            registered_to: to,
            sector,
            status,
            q: q_text,
            sort: sort.unwrap_or_default(),
        },
        Page {
            limit: limit.unwrap_or(DEFAULT_LIMIT),
            after,
        },
    ))
}

/// Parses the audit filters; every bad value is named.
pub fn parse_audit_query(
    q: &AuditQuery,
) -> Result<(AuditFilter, u32, Option<i64>), ValidationErrors> {
    let mut errs = ValidationErrors::default();
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let from = given(&q.from).and_then(|d| errs.take(parse_date("from", &d)));
    let to = given(&q.to).and_then(|d| errs.take(parse_date("to", &d)));
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        errs.push(FieldError::new(
            "to",
            "date_range",
            "to must not be before from",
        ));
    }
    let limit = match given(&q.limit) {
        None => 100,
        Some(l) => errs
            .take(
                l.parse::<u32>()
                    .ok()
                    .filter(|n| (1..=500).contains(n))
                    .ok_or_else(|| {
                        FieldError::new(
                            "limit",
                            "limit_out_of_range",
                            "limit must be a whole number from 1 to 500",
                        )
                    }),
            )
            .unwrap_or(100),
    };
    let before = given(&q.before).and_then(|b| {
        errs.take(b.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
            FieldError::new(
                "before",
                "invalid_cursor",
                "before must be the `next` value of a previous page",
            )
        }))
    });
    for (name, v) in [
        ("actor", &q.actor),
        ("record_type", &q.record_type),
        ("record_id", &q.record_id),
        ("action", &q.action),
    ] {
        if v.as_ref()
            .is_some_and(|s| s.chars().count() > 100 || s.chars().any(char::is_control))
        {
            errs.push(FieldError::new(
                name,
                "invalid",
                format!("{name} must be at most 100 printable characters"),
            ));
        }
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    Ok((
        AuditFilter {
            actor: given(&q.actor),
            record_type: given(&q.record_type),
            record_id: given(&q.record_id),
            action: given(&q.action),
            from,
            to,
        },
        limit,
        before,
    ))
}

/// Parses a session: date, known topics (at least one), notes, follow-ups with due dates.
pub fn parse_session(
    b: &RecordSession,
    today: chrono::NaiveDate,
) -> Result<NewMentoringSession, ValidationErrors> {
    let mut errs = ValidationErrors::default();
    let held_on = errs.take(not_future("held_on", b.held_on.as_deref(), today));
    let mut topics: Vec<String> = Vec::new();
    for t in b.topics.iter().flatten() {
        let t = t.trim().to_lowercase();
        if !TOPICS.contains(&t.as_str()) {
            errs.push(FieldError::new(
                "topics",
                "topic_unknown",
                format!("topics must be among {}", TOPICS.join(", ")),
            ));
        } else if !topics.contains(&t) {
            topics.push(t);
        }
    }
    if topics.is_empty() && errs.is_empty() {
        errs.push(FieldError::new(
            "topics",
            "required",
            "name at least one topic",
        ));
    }
    let notes = b
        .notes
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .and_then(|n| errs.take(parse_reference("notes", n, 2000)));
    let mut follow_ups = Vec::new();
    for f in b.follow_ups.iter().flatten() {
        let action = f.action.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let due = f.due_on.as_deref().map(str::trim).filter(|s| !s.is_empty());
        match (action, due) {
            (Some(a), Some(d)) => {
                let a = errs.take(parse_reference("follow_ups.action", a, 300));
                let d = errs.take(parse_date("follow_ups.due_on", d));
                if let (Some(a), Some(d)) = (a, d) {
                    if held_on.is_some_and(|h| d < h) {
                        errs.push(FieldError::new(
                            "follow_ups.due_on",
                            "date_range",
                            "a follow-up is due on or after the session",
                        ));
                    } else {
                        follow_ups.push((a, d));
                    }
                }
            }
            _ => errs.push(FieldError::new(
                "follow_ups",
                "required",
                "each follow-up needs an action and a due_on date",
            )),
        }
    }
    match (held_on, errs.is_empty()) {
        (Some(held_on), true) => Ok(NewMentoringSession {
            held_on,
            topics,
            notes,
            follow_ups,
        }),
        _ => Err(errs),
    }
}

/// Parses a decision. The number is checked against the permit's type by the store, which
/// knows the type (and the caller's right to the member) before it reveals anything.
pub fn parse_decision(
    b: &DecidePermit,
    today: chrono::NaiveDate,
) -> Result<PermitDecision, ValidationErrors> {
    match b.decision.as_deref().map(str::trim) {
        Some("process") => Ok(PermitDecision::Process),
        Some("issue") => PermitIssue::parse(
            PermitType::Other,
            b.number.as_deref(),
            b.issued_on.as_deref(),
            b.expires_on.as_deref(),
            today,
        )
        .map(PermitDecision::Issue),
        Some("reject") => {
            let mut errs = ValidationErrors::default();
            let reason = errs.take(parse_withdrawal_reason(b.reason.as_deref()).map_err(
                |mut e| {
                    e.field = "reason";
                    e
                },
            ));
            let on = match b
                .rejected_on
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                None => Some(today),
                Some(d) => errs.take(parse_date("rejected_on", d).and_then(|d| {
                    if d > today {
                        Err(FieldError::new(
                            "rejected_on",
                            "date_in_future",
                            "rejected_on is in the future",
                        ))
                    } else {
                        Ok(d)
                    }
                })),
            };
            match (reason, on, errs.is_empty()) {
                (Some(reason), Some(on), true) => Ok(PermitDecision::Reject { reason, on }),
                _ => Err(errs),
            }
        }
        None => Err(FieldError::required("decision").into()),
        Some(_) => Err(FieldError::new(
            "decision",
            "decision_invalid",
            "decision must be process, issue or reject",
        )
        .into()),
    }
}

/// The public catalogue's filters, paging and order; every bad value is named.
pub fn parse_catalogue_query(
    q: &crate::views::CatalogueParams,
) -> Result<jakpreneur_store::CatalogueQuery, ValidationErrors> {
    use jakpreneur_core::catalogue::{Category, MAX_PRICE};
    use jakpreneur_core::text::{given, parse_int};
    use jakpreneur_store::{CatalogueQuery, CatalogueSort};
    let mut errs = ValidationErrors::default();
    let g = |v: &Option<String>| given(v.as_deref()).map(str::to_owned);
    let category =
        g(&q.category).and_then(|c| errs.take(Category::parse(&c).map(|c| c.as_str().to_owned())));
    let district = g(&q.district).and_then(|d| {
        errs.take(RegionCode::parse_district("district", &d).map(|r| r.as_str().to_owned()))
    });
    let halal = match g(&q.halal).as_deref() {
        None | Some("false" | "0") => false,
        Some("true" | "1" | "on") => true,
        Some(_) => {
            errs.push(FieldError::new(
                "halal",
                "not_a_boolean",
                "halal must be true or false",
            ));
            false
        }
    };
    let tkdn_min = g(&q.tkdn_min).and_then(|v| errs.take(parse_int("tkdn_min", &v, 0, 100)));
    let grade = match g(&q.grade).as_deref() {
        None => None,
        Some(x @ ("A" | "B" | "C")) => Some(x.to_owned()),
        Some(x @ ("a" | "b" | "c")) => Some(x.to_uppercase()),
        Some(_) => {
            errs.push(FieldError::new(
                "grade",
                "grade_invalid",
                "grade must be A, B or C",
            ));
            None
        }
    };
    let supplier = g(&q.supplier).map(|s| s.trim().to_uppercase());
    let price = |field: &'static str, v: &Option<String>, errs: &mut ValidationErrors| {
        g(v).and_then(|v| {
            errs.take(jakpreneur_core::catalogue::parse_rupiah(
                field, &v, 0, MAX_PRICE,
            ))
        })
    };
    let price_min = price("price_min", &q.price_min, &mut errs);
    let price_max = price("price_max", &q.price_max, &mut errs);
    if let (Some(a), Some(b)) = (price_min, price_max)
        && a > b
    {
        errs.push(FieldError::new(
            "price_max",
            "price_range",
            "price_max must not be below price_min",
        ));
    }
    let sort = match CatalogueSort::parse(g(&q.sort).as_deref().unwrap_or("")) {
        Some(s) => s,
        None => {
            errs.push(FieldError::new(
                "sort",
                "sort_invalid",
                "sort must be relevance, price_asc, price_desc or newest",
            ));
            CatalogueSort::Relevance
        }
    };
    let limit = g(&q.limit).map_or(Some(24), |v| errs.take(parse_int("limit", &v, 1, 100)));
    let page = g(&q.page).map_or(Some(1), |v| errs.take(parse_int("page", &v, 1, 1000)));
    let words =
        q.q.as_deref()
            .map(CatalogueQuery::words_of)
            .unwrap_or_default();
    if q.q.as_deref().is_some_and(|t| t.chars().count() > 200) {
        errs.push(FieldError::new(
            "q",
            "too_long",
            "q must be at most 200 characters",
        ));
    }
    match (limit, page) {
        (Some(limit), Some(page)) if errs.is_empty() => Ok(CatalogueQuery {
            words,
            category,
            district,
            halal,
            tkdn_min,
            grade,
            supplier,
            price_min,
            price_max,
            sort,
            limit,
            offset: (page - 1) * limit,
        }),
        _ => Err(errs),
    }
}
