//! Job training and placement on pages, for the manpower department's staff:
//! `/pelatihan-kerja` (trainees in one's region, and the enrolment form) and
//! `/pelatihan-kerja/{no}` (the trainee's stages and services, with the forms to record a
//! service, a placement, a referral to Jakpreneur and a withdrawal). Every write goes
//! through the store calls the API uses.

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use jakpreneur_core::enrolment::{
    EnrolmentDraft, NewEnrolment, NewPlacement, Outcome, PELATIHAN_KERJA, PlacementDraft, WageBand,
};
use jakpreneur_core::programme::{EventDraft, NewEvent};
use jakpreneur_core::text::given;
use jakpreneur_core::{Permission, ValidationErrors};
use jakpreneur_store::{
    EnrolmentEvent, EnrolmentFilter, JakpreneurReferral, Placement, ProgrammeEnrolment,
    StageReached, StoreError, TraineeApplication, TraineeClass,
};

use super::ctx::{PageCtx, PageQuery, SignedInPage};
use super::{Choice, ChoiceGroup, Chrome};
use crate::views::EnrolmentQuery;

const BASE: &str = "/pelatihan-kerja";

#[derive(Template)]
#[template(path = "trainees/list.html")]
struct ListPage<'a> {
    c: Chrome<'a>,
    items: Vec<ProgrammeEnrolment>,
    total: i64,
    q: String,
    reached: String,
    stages: Vec<Choice>,
    /// Centres to enrol at, with the seats each has left.
    centres: Vec<Choice>,
    can_enrol: bool,
    errors: HashMap<String, String>,
    values: HashMap<String, String>,
    /// Links to the page before and after this one, keeping the filters.
    prev: Option<String>,
    next: Option<String>,
    shown_from: i64,
    shown_to: i64,
}

/// Trainees a list page shows.
const PAGE: i64 = 50;

impl ListPage<'_> {
    fn value(&self, k: &str) -> &str {
        self.values.get(k).map_or("", String::as_str)
    }
    fn error(&self, k: &str) -> &str {
        self.errors.get(k).map_or("", String::as_str)
    }
}

async fn list_page<'a>(
    page: &'a PageCtx,
    q: &EnrolmentQuery,
    raw: &HashMap<String, String>,
) -> Result<ListPage<'a>, StoreError> {
    let defs = page.app.store.programme_definitions().await?;
    let reached = given(q.reached.as_deref()).map(str::to_uppercase);
    let offset = given(q.offset.as_deref())
        .and_then(|o| o.parse::<i64>().ok())
        .unwrap_or(0)
        .clamp(0, i64::from(i32::MAX));
    let list = page
        .app
        .store
        .list_enrolments(
            page.actor(),
            PELATIHAN_KERJA,
            &EnrolmentFilter {
                region: None,
                reached: reached.clone(),
                q: given(q.q.as_deref()).map(str::to_owned),
                limit: PAGE,
                offset,
            },
        )
        .await?;
    let tr = page.tr();
    let name = |id: &str, en: &str| if tr.lang.code() == "en" { en } else { id }.to_owned();
    let link = |at: i64| {
        let mut u = form_urlencoded::Serializer::new(String::new());
        for (k, v) in raw.iter().filter(|(k, _)| *k != "offset") {
            u.append_pair(k, v);
        }
        u.append_pair("offset", &at.to_string());
        format!("{BASE}?{}", u.finish())
    };
    let shown = list.items.len() as i64;
    Ok(ListPage {
        prev: (offset > 0).then(|| link((offset - PAGE).max(0))),
        next: (offset + shown < list.total).then(|| link(offset + PAGE)),
        shown_from: if shown == 0 { 0 } else { offset + 1 },
        shown_to: offset + shown,
        c: page.chrome(),
        items: list.items,
        total: list.total,
        q: raw.get("q").cloned().unwrap_or_default(),
        reached: reached.unwrap_or_default(),
        stages: defs
            .stages_of(PELATIHAN_KERJA)
            .map(|s| Choice {
                value: s.stage.clone(),
                label: format!("{} {}", s.stage, name(&s.name_id, &s.name_en)),
            })
            .collect(),
        centres: page
            .app
            .store
            .centres(page.actor())
            .await?
            .into_iter()
            .filter(|c| page.actor().scope.overlaps(&c.district_code))
            .map(|c| Choice {
                label: format!(
                    "{} ({}) — {} / {}",
                    c.name, c.code, c.in_training, c.capacity
                ),
                value: c.code,
            })
            .collect(),
        can_enrol: page.actor().can(Permission::TraineeRegister),
        errors: HashMap::new(),
        values: HashMap::new(),
    })
}

/// `GET /pelatihan-kerja?q=&reached=`: the trainees in one's region, newest first.
pub async fn list(
    page: SignedInPage,
    PageQuery { value: q, raw }: PageQuery<EnrolmentQuery>,
) -> Response {
    if let Some(refused) = page.require(Permission::TraineeRead) {
        return refused;
    }
    match list_page(&page, &q, &raw).await {
        Ok(p) => page.render(StatusCode::OK, &p),
        Err(e) => page.error(page.chrome(), e),
    }
}

/// `POST /pelatihan-kerja`: enrol a person; to their page when it worked.
pub async fn enrol(page: SignedInPage, body: Bytes) -> Response {
    if let Some(refused) = page.require(Permission::TraineeRegister) {
        return refused;
    }
    let f = super::form(&body);
    let g = |k: &str| f.get(k).cloned();
    let draft = EnrolmentDraft {
        nik: g("nik"),
        full_name: g("full_name"),
        birth_date: g("birth_date"),
        sex: g("sex"),
        phone: g("phone"),
        address: g("address"),
        village_code: g("village_code"),
        registered_on: g("registered_on"),
        consent: Some(f.get("consent").is_some_and(|v| v == "1" || v == "on")),
        centre_code: g("centre_code"),
    };
    let outcome = match NewEnrolment::parse(&draft, page.today()) {
        Ok(n) => page
            .app
            .store
            .enrol_person(page.actor(), PELATIHAN_KERJA, &n)
            .await
            .map(|e| format!("{BASE}/{}", e.enrolment_no)),
        Err(errs) => Err(StoreError::Invalid(errs)),
    };
    // A person enrolled already is named, on the form, like a field error.
    let outcome = match outcome {
        Err(StoreError::AlreadyEnrolled { enrolment_no }) => {
            let msg = match enrolment_no {
                Some(no) => format!("{} {no}", page.tr().t("trainees.already_enrolled")),
                None => page
                    .tr()
                    .t("trainees.already_enrolled_elsewhere")
                    .to_owned(),
            };
            Err(StoreError::Invalid(
                jakpreneur_core::FieldError::new("nik", "already_enrolled", msg).into(),
            ))
        }
        other => other,
    };
    let query = EnrolmentQuery::default();
    let reload = async {
        list_page(&page, &query, &HashMap::new())
            .await
            .map_err(|e| page.error(page.chrome(), e))
    };
    match page
        .after_form(outcome, reload, |p, errs| {
            p.errors = errs;
            p.values = f.clone();
        })
        .await
    {
        Ok(res) => res,
        Err(e) => page.error(page.chrome(), e),
    }
}

#[derive(Template)]
#[template(path = "trainees/show.html")]
struct ShowPage<'a> {
    c: Chrome<'a>,
    e: ProgrammeEnrolment,
    stages: Vec<(String, String, Option<StageReached>)>,
    events: Vec<EnrolmentEvent>,
    placements: Vec<Placement>,
    /// The classes the trainee sits in and the job fairs applied at.
    classes: Vec<TraineeClass>,
    applications: Vec<TraineeApplication>,
    kinds: Vec<ChoiceGroup>,
    outcomes: Vec<Choice>,
    wage_bands: Vec<Choice>,
    sectors: Vec<Choice>,
    can_record: bool,
    can_register: bool,
    can_refer: bool,
    /// An administrator may erase the trainee's personal data (once).
    can_erase: bool,
    /// Which form the errors belong to: `event`, `placement`, `referral`, `withdraw`.
    form: String,
    /// The service form's `Idempotency-Key`: a double-clicked submit records once.
    form_key: String,
    errors: HashMap<String, String>,
    values: HashMap<String, String>,
}

impl ShowPage<'_> {
    fn value(&self, k: &str) -> &str {
        self.values.get(k).map_or("", String::as_str)
    }
    fn error(&self, form: &str, k: &str) -> &str {
        if self.form != form {
            return "";
        }
        self.errors.get(k).map_or("", String::as_str)
    }
    fn kind_label(&self, kind: &str) -> String {
        label_of(self.c.tr, "kind.", kind)
    }
}

/// A value's label in the reader's language, or the value itself when the catalogues have
/// none (a kind of a programme loaded from files).
fn label_of(tr: crate::i18n::Tr<'_>, prefix: &str, value: &str) -> String {
    match tr.tv(prefix, value) {
        "" => value.to_owned(),
        label => label.to_owned(),
    }
}

async fn show_page<'a>(page: &'a PageCtx, no: &str) -> Result<ShowPage<'a>, StoreError> {
    let actor = page.actor();
    let e = page.app.store.enrolment(actor, no).await?;
    let (events, reached) = page.app.store.enrolment_events(actor, no).await?;
    let placements = page.app.store.placements(actor, no).await?;
    let (classes, applications) = page.app.store.trainee_activity(actor, no).await?;
    let defs = page.app.store.programme_definitions().await?;
    let tr = page.tr();
    let en = tr.lang.code() == "en";
    let name = |id: &str, e: &str| if en { e } else { id }.to_owned();
    let label = |k: &str| label_of(tr, "kind.", k);
    let stages = defs
        .stages_of(&e.programme)
        .map(|s| {
            (
                s.stage.clone(),
                name(&s.name_id, &s.name_en),
                reached.iter().find(|r| r.stage == s.stage).cloned(),
            )
        })
        .collect();
    // Placements and the referral have their own forms; registration is enrolment itself.
    let own_form = [
        "registered",
        "placed_hired",
        "placed_self_employed",
        "not_placed",
        "referred_to_jakpreneur",
    ];
    let kinds = defs
        .stages_of(&e.programme)
        .filter(|s| s.position > 1)
        .map(|s| ChoiceGroup {
            label: format!("{} — {}", s.stage, name(&s.name_id, &s.name_en)),
            choices: defs
                .kinds
                .iter()
                .filter(|k| {
                    k.programme == e.programme
                        && k.stage == s.stage
                        && !own_form.contains(&k.kind.as_str())
                })
                .map(|k| Choice {
                    value: k.kind.clone(),
                    label: format!("{}{}", label(&k.kind), if k.qualifying { " ★" } else { "" }),
                })
                .collect(),
        })
        .filter(|g| !g.choices.is_empty())
        .collect();
    let choices = |prefix: &str, values: Vec<&str>| {
        values
            .into_iter()
            .map(|v| Choice {
                value: v.to_owned(),
                label: label_of(tr, prefix, v),
            })
            .collect()
    };
    let sectors = jakpreneur_core::reference::reference()
        .sectors
        .iter()
        .map(|s| Choice {
            value: s.code.clone(),
            label: format!("{} — {}", s.code, name(&s.name_id, &s.name_en)),
        })
        .collect();
    Ok(ShowPage {
        c: page.chrome_at(&format!("{BASE}/{no}")),
        stages,
        events,
        placements,
        classes,
        applications,
        kinds,
        outcomes: choices(
            "outcome.",
            Outcome::ALL.iter().map(|o| o.as_str()).collect(),
        ),
        wage_bands: choices(
            "wage_band.",
            WageBand::ALL.iter().map(|w| w.as_str()).collect(),
        ),
        sectors,
        can_record: actor.can(Permission::TraineeRecord) && e.status == "active",
        can_register: actor.can(Permission::TraineeRegister) && e.status == "active",
        can_erase: actor.can(Permission::MemberErase) && e.erased_at.is_none(),
        can_refer: actor.can(Permission::TraineeRefer)
            && e.referred_member_no.is_none()
            && e.status == "active",
        e,
        form: String::new(),
        form_key: jakpreneur_store::crypto::random_token("f"),
        errors: HashMap::new(),
        values: HashMap::new(),
    })
}

/// `GET /pelatihan-kerja/{no}`.
pub async fn show(Path(no): Path<String>, page: SignedInPage) -> Response {
    if let Some(refused) = page.require(Permission::TraineeRead) {
        return refused;
    }
    match show_page(&page, &no).await {
        Ok(p) => page.render(StatusCode::OK, &p),
        Err(e) => page.error(page.chrome(), e),
    }
}

/// Back to the trainee's page: to the section on success, the page again with the form's
/// errors and values on a refusal of its fields.
async fn back(
    page: &PageCtx,
    no: &str,
    form: &'static str,
    outcome: Result<(), StoreError>,
    values: HashMap<String, String>,
) -> Response {
    // A withdrawal sent twice (a retried form) finds it done: back to the page.
    let outcome = match outcome {
        Err(StoreError::AlreadyWithdrawn) => Ok(()),
        other => other,
    };
    let done = outcome.map(|()| format!("{BASE}/{no}#{form}"));
    let reload = async {
        show_page(page, no)
            .await
            .map_err(|e| page.error(page.chrome(), e))
    };
    match page
        .after_form(done, reload, |p, errs| {
            p.form = form.to_owned();
            p.errors = errs;
            p.values = values;
        })
        .await
    {
        Ok(res) => res,
        Err(e) => page.error(page.chrome_at(&format!("{BASE}/{no}")), e),
    }
}

fn invalid(errs: ValidationErrors) -> StoreError {
    StoreError::Invalid(errs)
}

/// `POST /pelatihan-kerja/{no}/events`: a service of the programme.
pub async fn record(Path(no): Path<String>, page: SignedInPage, body: Bytes) -> Response {
    if let Some(refused) = page.require(Permission::TraineeRecord) {
        return refused;
    }
    let f = super::form(&body);
    let g = |k: &str| f.get(k).cloned();
    let draft = EventDraft {
        facility: None,
        kind: g("kind"),
        occurred_on: g("occurred_on"),
        place_code: g("place_code"),
        agency: None,
        reference: g("reference"),
        note: g("note"),
    };
    let outcome = async {
        let e = page.app.store.enrolment(page.actor(), &no).await?;
        let defs = page.app.store.programme_definitions().await?;
        let ev = NewEvent::parse_in(&defs, &e.programme, &draft, page.today()).map_err(invalid)?;
        let key = g("idempotency_key").filter(|k| !k.trim().is_empty());
        page.app
            .store
            .record_enrolment_event(page.actor(), &no, &ev, key.as_deref())
            .await
            .map(|_| ())
    }
    .await;
    back(&page, &no, "event", outcome, f).await
}

/// `POST /pelatihan-kerja/{no}/placements`.
pub async fn place(Path(no): Path<String>, page: SignedInPage, body: Bytes) -> Response {
    if let Some(refused) = page.require(Permission::TraineeRecord) {
        return refused;
    }
    let f = super::form(&body);
    let g = |k: &str| f.get(k).cloned();
    let draft = PlacementDraft {
        outcome: g("outcome"),
        employer: g("employer"),
        placed_on: g("placed_on"),
        wage_band: g("wage_band"),
        note: g("note"),
    };
    let outcome = match NewPlacement::parse(&draft, page.today()) {
        Ok(p) => page
            .app
            .store
            .record_placement(page.actor(), &no, &p)
            .await
            .map(|_| ()),
        Err(errs) => Err(invalid(errs)),
    };
    back(&page, &no, "placement", outcome, f).await
}

/// `POST /pelatihan-kerja/{no}/referral`: to Jakpreneur in one step.
pub async fn refer(Path(no): Path<String>, page: SignedInPage, body: Bytes) -> Response {
    if let Some(refused) = page.require(Permission::TraineeRefer) {
        return refused;
    }
    let f = super::form(&body);
    let g = |k: &str| f.get(k).cloned();
    let outcome = page
        .app
        .store
        .refer_to_jakpreneur(
            page.actor(),
            &no,
            &JakpreneurReferral {
                business_name: g("business_name"),
                sector: g("sector"),
                phone: g("phone"),
            },
            page.today(),
        )
        .await
        .map(|_| ());
    back(&page, &no, "referral", outcome, f).await
}

/// `POST /pelatihan-kerja/{no}/withdraw`.
pub async fn withdraw(Path(no): Path<String>, page: SignedInPage, body: Bytes) -> Response {
    if let Some(refused) = page.require(Permission::TraineeRegister) {
        return refused;
    }
    let f = super::form(&body);
    let mut errs = ValidationErrors::default();
    let reason = errs.take(jakpreneur_core::member::parse_withdrawal_reason(
        f.get("reason").map(String::as_str),
    ));
    let today = page.today();
    let on = errs.take(
        jakpreneur_core::text::date_or_today(
            "withdrawn_on",
            f.get("withdrawn_on").map(String::as_str),
            today,
        )
        .and_then(|d| {
            if d > today {
                Err(jakpreneur_core::FieldError::new(
                    "withdrawn_on",
                    "date_in_future",
                    format!("withdrawn_on {d} is in the future"),
                ))
            } else {
                Ok(d)
            }
        }),
    );
    let outcome = match (reason, on, errs.is_empty()) {
        (Some(r), Some(d), true) => page
            .app
            .store
            .withdraw_enrolment(page.actor(), &no, d, &r)
            .await
            .map(|_| ()),
        _ => Err(invalid(errs)),
    };
    back(&page, &no, "withdraw", outcome, f).await
}

/// `POST /pelatihan-kerja/{no}/erase`: erase the trainee's personal data (administrators).
pub async fn erase(Path(no): Path<String>, page: SignedInPage, body: Bytes) -> Response {
    if let Some(refused) = page.require(Permission::MemberErase) {
        return refused;
    }
    let f = super::form(&body);
    let outcome =
        match jakpreneur_core::member::parse_withdrawal_reason(f.get("reason").map(String::as_str))
        {
            Ok(reason) => page
                .app
                .store
                .erase_trainee(page.actor(), &no, &reason, page.today())
                .await
                .map(|_| ()),
            Err(e) => Err(invalid(e.into())),
        };
    back(&page, &no, "erase", outcome, f).await
}
