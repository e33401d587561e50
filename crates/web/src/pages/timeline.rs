//! A member's timeline on the member page: every service in date order (voided ones
//! struck through, with the reason), the facilities reached with their dates, and the
//! forms to record a service and to void one. The forms write the same ledger as the API.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jakpreneur_core::member::parse_withdrawal_reason;
use jakpreneur_core::programme::{EventDraft, JAKPRENEUR, NewEvent, programmes};
use jakpreneur_core::reference::reference;
use jakpreneur_core::{Permission, RegionLevel};
use jakpreneur_store::{Event, StoreError};

use super::members::{Choice, ChoiceGroup, no_store, show_page};
use super::{Chrome, field_errors, login_redirect, page_error, render, store_failure};
use crate::AppState;
use crate::i18n::{Lang, PageLang, Tr};
use crate::security::Caller;

/// One facility of the programme, reached or not.
#[derive(Debug, Default)]
pub struct StageLine {
    pub stage: String,
    pub name: String,
    pub reached_on: Option<String>,
}

#[derive(Debug, Default)]
pub struct Timeline {
    pub events: Vec<Event>,
    /// Events written by a facility record: voided through their record, not one by one.
    pub owned: std::collections::HashSet<i64>,
    pub stages: Vec<StageLine>,
    pub can_record: bool,
    pub kinds: Vec<ChoiceGroup>,
    pub districts: Vec<Choice>,
    pub agencies: Vec<Choice>,
    pub errors: HashMap<String, String>,
    pub values: HashMap<String, String>,
    /// A fresh key per form: a double submit records the service once.
    pub form_key: String,
    /// Facility P4: the member's permit applications, and the permit forms' errors.
    pub permits: Vec<jakpreneur_store::Permit>,
    /// Facility P3: sessions and follow-ups, and the mentoring forms' errors.
    pub sessions: Vec<jakpreneur_store::MentoringSession>,
    pub follow_ups: Vec<jakpreneur_store::FollowUp>,
    /// The current mentor assignment: id, mentor, since.
    pub mentor: Option<(i64, String, chrono::NaiveDate)>,
    pub mentoring_errors: Vec<String>,
    pub topics: Vec<Choice>,
    pub permit_errors: HashMap<String, String>,
    /// What was typed into the application form, kept when it is refused.
    pub permit_values: HashMap<String, String>,
    pub permit_types: Vec<Choice>,
    /// Facility P2 and P6's classes the member took.
    pub classes: Vec<jakpreneur_store::MemberClass>,
    /// Facility P6: reports, the size they imply, and the report form's state.
    pub reports: Vec<jakpreneur_store::FinancialReport>,
    pub size: Option<jakpreneur_store::MemberSize>,
    pub can_file_report: bool,
    pub finance_errors: HashMap<String, String>,
    pub finance_values: HashMap<String, String>,
    /// Facility P7: referrals, the partners to choose from, and the referral form's state.
    pub referrals: Vec<jakpreneur_store::Referral>,
    pub partners: Vec<Choice>,
    pub referral_errors: HashMap<String, String>,
    pub referral_values: HashMap<String, String>,
}

impl Timeline {
    pub fn v(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }

    pub fn err(&self, name: &str) -> &str {
        self.errors.get(name).map_or("", String::as_str)
    }

    pub fn pv(&self, name: &str) -> &str {
        self.permit_values.get(name).map_or("", String::as_str)
    }

    pub fn perr(&self, name: &str) -> &str {
        self.permit_errors.get(name).map_or("", String::as_str)
    }

    pub fn fv(&self, name: &str) -> &str {
        self.finance_values.get(name).map_or("", String::as_str)
    }

    pub fn ferr(&self, name: &str) -> &str {
        self.finance_errors.get(name).map_or("", String::as_str)
    }

    pub fn rv(&self, name: &str) -> &str {
        self.referral_values.get(name).map_or("", String::as_str)
    }

    pub fn rerr(&self, name: &str) -> &str {
        self.referral_errors.get(name).map_or("", String::as_str)
    }

    /// Whole rupiah with thousands separators, as Indonesians write them: Rp 45.000.000.
    /// The report form's errors not shown beside one of its fields.
    pub fn finance_general(&self) -> Vec<&str> {
        general(
            &self.finance_errors,
            &["month", "sales", "costs", "employees", "assets"],
        )
    }

    /// The referral form's errors not shown beside one of its fields.
    pub fn referral_general(&self) -> Vec<&str> {
        general(
            &self.referral_errors,
            &["partner", "purpose", "amount_requested", "consent"],
        )
    }

    pub fn is_owned(&self, id: &i64) -> bool {
        self.owned.contains(id)
    }

    pub fn rp(&self, n: &i64) -> String {
        super::rupiah(*n)
    }

    pub async fn load(
        app: &AppState,
        caller: &Caller,
        member_no: &str,
        tr: Tr<'_>,
    ) -> Result<Self, StoreError> {
        let events = app.store.list_events(&caller.actor, member_no).await?;
        let owned = app
            .store
            .record_owned_events(&caller.actor, member_no)
            .await?;
        let permits = app.store.list_permits(&caller.actor, member_no).await?;
        let (sessions, follow_ups) = app.store.list_sessions(&caller.actor, member_no).await?;
        let mentor = app.store.current_mentor(&caller.actor, member_no).await?;
        let reached = app.store.member_reached(&caller.actor, member_no).await?;
        let classes = app.store.member_classes(&caller.actor, member_no).await?;
        let reports = app.store.list_reports(&caller.actor, member_no).await?;
        let size = app.store.member_size(&caller.actor, member_no).await?;
        let referrals = app.store.member_referrals(&caller.actor, member_no).await?;
        let partners = app
            .store
            .list_partners(&caller.actor)
            .await?
            .into_iter()
            .map(|p| Choice {
                label: format!("{} ({})", p.name, tr.tv("partner_kind.", &p.kind)),
                value: p.code,
            })
            .collect();
        let p = programmes();
        let en = tr.lang == Lang::En;
        let name = |id: &str, en_name: &str| {
            if en {
                en_name.to_owned()
            } else {
                id.to_owned()
            }
        };
        let stages = p
            .stages_of(JAKPRENEUR)
            .map(|s| StageLine {
                stage: s.stage.clone(),
                name: name(&s.name_id, &s.name_en),
                reached_on: reached
                    .iter()
                    .find(|r| r.stage == s.stage)
                    .map(|r| r.first_reached_on.to_string()),
            })
            .collect();
        let kinds = p
            .stages_of(JAKPRENEUR)
            .filter(|s| s.position > 1)
            .map(|s| ChoiceGroup {
                label: format!("{} — {}", s.stage, name(&s.name_id, &s.name_en)),
                choices: p
                    .kinds
                    .iter()
                    .filter(|k| k.programme == JAKPRENEUR && k.stage == s.stage)
                    .map(|k| Choice {
                        value: k.kind.clone(),
                        label: format!(
                            "{}{}",
                            tr.tv("kind.", &k.kind),
                            if k.qualifying { " ★" } else { "" }
                        ),
                    })
                    .collect(),
            })
            .collect();
        let districts = reference()
            .regions_at(RegionLevel::District)
            .map(|d| Choice {
                value: d.code.clone(),
                label: format!("{} ({})", d.name, d.code),
            })
            .collect();
        let agencies = p
            .agencies
            .iter()
            .map(|a| Choice {
                value: a.code.clone(),
                label: format!("{} — {}", a.code, name(&a.name_id, &a.name_en)),
            })
            .collect();
        Ok(Self {
            events,
            owned,
            stages,
            can_record: caller.actor.can(Permission::EventRecord),
            kinds,
            districts,
            agencies,
            errors: HashMap::new(),
            values: HashMap::new(),
            form_key: jakpreneur_store::crypto::random_token("page-"),
            permits,
            sessions,
            follow_ups,
            mentor,
            mentoring_errors: Vec::new(),
            topics: jakpreneur_store::TOPICS
                .iter()
                .map(|t| Choice {
                    value: (*t).to_owned(),
                    label: tr.tv("topic.", t).to_owned(),
                })
                .collect(),
            permit_errors: HashMap::new(),
            permit_values: HashMap::new(),
            permit_types: jakpreneur_core::permit::PermitType::ALL
                .iter()
                .map(|t| Choice {
                    value: t.as_str().to_owned(),
                    label: tr.tv("permit_type.", t.as_str()).to_owned(),
                })
                .collect(),
            classes,
            reports,
            size,
            can_file_report: caller.actor.can(Permission::ReportFile),
            finance_errors: HashMap::new(),
            finance_values: HashMap::new(),
            referrals,
            partners,
            referral_errors: HashMap::new(),
            referral_values: HashMap::new(),
        })
    }
}

/// The errors of a form whose field is not one of `shown` (they go in the box above it).
pub(super) fn general<'a>(errors: &'a HashMap<String, String>, shown: &[&str]) -> Vec<&'a str> {
    errors
        .iter()
        .filter(|(f, _)| !shown.contains(&f.as_str()))
        .map(|(_, e)| e.as_str())
        .collect()
}

/// After a form on the member page: back to its section when it worked; otherwise the
/// member page again, 422, with `keep` putting the errors (by field) and what was typed
/// into the timeline.
pub(super) async fn back_to_member(
    app: &AppState,
    caller: &Caller,
    lang: PageLang,
    member_no: &str,
    section: &str,
    outcome: Result<(), StoreError>,
    keep: impl FnOnce(&mut Timeline, HashMap<String, String>),
) -> Response {
    let tr = app.i18n.tr(lang.lang);
    let chrome = || Chrome::new(tr, &format!("/members/{member_no}"), None).for_caller(caller);
    let errs = match outcome {
        Ok(()) => return Redirect::to(&format!("/members/{member_no}#{section}")).into_response(),
        Err(StoreError::Invalid(errs)) => errs,
        Err(e) => return page_error(lang, chrome(), e),
    };
    let m = match app.store.get_member(&caller.actor, member_no, false).await {
        Ok(m) => m,
        Err(e) => return page_error(lang, chrome(), e),
    };
    let mut page = show_page(chrome(), caller, m, false);
    match Timeline::load(app, caller, member_no, tr).await {
        Ok(t) => page.timeline = t,
        Err(e) => return store_failure(lang, chrome(), e),
    }
    keep(&mut page.timeline, field_errors(tr, &errs));
    no_store(render(StatusCode::UNPROCESSABLE_ENTITY, lang, &page))
}

/// `POST /members/{member_no}/events`: the record-a-service form.
pub async fn record(
    State(app): State<AppState>,
    caller: Caller,
    lang: PageLang,
    OriginalUri(uri): OriginalUri,
    Path(member_no): Path<String>,
    body: Bytes,
) -> Response {
    if caller.actor.is_anonymous() {
        return login_redirect(&uri);
    }
    let tr = app.i18n.tr(lang.lang);
    let chrome = || Chrome::new(tr, &format!("/members/{member_no}"), None).for_caller(&caller);
    let values: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
    let get = |k: &str| values.get(k).cloned().filter(|v| !v.trim().is_empty());
    let draft = EventDraft {
        facility: None,
        kind: get("kind"),
        occurred_on: get("occurred_on"),
        place_code: get("place_code"),
        agency: get("agency"),
        reference: get("reference"),
        note: get("note"),
    };
    let key = get("form_key").filter(|k| k.len() <= 100 && k.bytes().all(|b| b.is_ascii_graphic()));
    let outcome = match NewEvent::parse(&draft, app.clock.today()) {
        Ok(e) => app
            .store
            .record_event(&caller.actor, &member_no, &e, key.as_deref())
            .await
            .map(|_| ()),
        Err(errs) => Err(StoreError::Invalid(errs)),
    };
    match outcome {
        Ok(()) => Redirect::to(&format!("/members/{member_no}#services")).into_response(),
        Err(StoreError::Invalid(errs)) => {
            let m = match app.store.get_member(&caller.actor, &member_no, false).await {
                Ok(m) => m,
                Err(e) => {
                    return page_error(lang, chrome(), e);
                }
            };
            let mut page = show_page(chrome(), &caller, m, false);
            match Timeline::load(&app, &caller, &member_no, tr).await {
                Ok(t) => page.timeline = t,
                Err(e) => return store_failure(lang, chrome(), e),
            }
            page.timeline.errors = field_errors(tr, &errs);
            page.timeline.values = values;
            no_store(render(StatusCode::UNPROCESSABLE_ENTITY, lang, &page))
        }
        Err(e) => page_error(lang, chrome(), e),
    }
}

/// `POST /members/{member_no}/events/{id}/void`, with a reason.
pub async fn void(
    State(app): State<AppState>,
    caller: Caller,
    lang: PageLang,
    OriginalUri(uri): OriginalUri,
    Path((member_no, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let target = id.parse::<i64>().map_err(|_| StoreError::NotFound);
    let (a, c, no) = (&app, &caller, member_no.as_str());
    void_form(
        a,
        c,
        lang,
        &uri,
        no,
        &body,
        "services",
        move |reason| async move {
            let id = target?;
            a.store
                .void_event(&c.actor, no, id, &reason, a.clock.today())
                .await
                .map(|_| ())
        },
    )
    .await
}

/// `POST /members/{member_no}/records/{record}/void`: a facility record as a whole.
pub async fn void_record(
    State(app): State<AppState>,
    caller: Caller,
    lang: PageLang,
    OriginalUri(uri): OriginalUri,
    Path((member_no, record)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let target = jakpreneur_store::RecordRef::parse("record", &record)
        .map_err(|e| StoreError::Invalid(e.into()));
    let section = match target {
        Ok(jakpreneur_store::RecordRef::Permit(_)) => "permits",
        Ok(jakpreneur_store::RecordRef::Session(_) | jakpreneur_store::RecordRef::Mentor(_)) => {
            "mentoring"
        }
        Ok(jakpreneur_store::RecordRef::Enrolment(_)) => "training",
        Ok(jakpreneur_store::RecordRef::Report(_)) => "finance",
        Ok(jakpreneur_store::RecordRef::Referral(_)) => "financing",
        _ => "services",
    };
    let (a, c, no) = (&app, &caller, member_no.as_str());
    void_form(
        a,
        c,
        lang,
        &uri,
        no,
        &body,
        section,
        move |reason| async move {
            a.store
                .void_record(&c.actor, no, target?, &reason, a.clock.today())
                .await
        },
    )
    .await
}

/// A void form on the member page: the reason is required; done (or already done) goes
/// back to `section`; a refusal is shown with its reason.
#[allow(clippy::too_many_arguments)] // reason: the request's parts and what to do
async fn void_form<F, Fut>(
    app: &AppState,
    caller: &Caller,
    lang: PageLang,
    uri: &axum::http::Uri,
    member_no: &str,
    body: &Bytes,
    section: &str,
    act: F,
) -> Response
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = Result<(), StoreError>>,
{
    if caller.actor.is_anonymous() {
        return login_redirect(uri);
    }
    let tr = app.i18n.tr(lang.lang);
    let chrome = || Chrome::new(tr, &format!("/members/{member_no}"), None).for_caller(caller);
    let values: HashMap<String, String> = form_urlencoded::parse(body).into_owned().collect();
    let Ok(reason) = parse_withdrawal_reason(values.get("reason").map(String::as_str)) else {
        return super::message(
            StatusCode::UNPROCESSABLE_ENTITY,
            lang,
            chrome(),
            tr.t("timeline.void"),
            tr.t("error.reason_required"),
        );
    };
    match act(reason).await {
        Ok(()) | Err(StoreError::AlreadyVoided) => {
            Redirect::to(&format!("/members/{member_no}#{section}")).into_response()
        }
        Err(StoreError::Invalid(errs)) => super::message(
            StatusCode::UNPROCESSABLE_ENTITY,
            lang,
            chrome(),
            tr.t("timeline.void"),
            &field_errors(tr, &errs)
                .into_values()
                .collect::<Vec<_>>()
                .join(" "),
        ),
        Err(e) => page_error(lang, chrome(), e),
    }
}
