//! A member's timeline on the member page: every service in date order (voided ones
//! struck through, with the reason), the facilities reached with their dates, and the
//! forms to record a service and to void one (sent to [`super::ledger`]).

use std::collections::HashMap;

use jakpreneur_core::Permission;
use jakpreneur_core::programme::{JAKPRENEUR, programmes};
use jakpreneur_store::{Event, StoreError};

use super::{Choice, ChoiceGroup};
use crate::AppState;
use crate::i18n::{Lang, Tr};
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
    /// The mentors working where the reader does, to assign one from.
    pub mentors: Vec<Choice>,
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
    /// Training the ledger holds that no class here recorded (history brought in by an
    /// import, or recorded by hand): shown beside the classes so the two never disagree.
    pub fn training_history(&self) -> Vec<&Event> {
        self.events
            .iter()
            .filter(|e| e.kind.contains("training_") && e.voided.is_none())
            .filter(|e| !self.owned.contains(&e.id))
            .collect()
    }

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
        let mentors = if caller.actor.can(Permission::EventRecord) {
            app.store
                .staff_for_choice(&caller.actor, jakpreneur_core::Role::Mentor)
                .await?
                .into_iter()
                .map(|(name, region)| Choice {
                    label: match region {
                        Some(r) => format!("{name} — {}", super::names::place(&tr, &r)),
                        None => name.clone(),
                    },
                    value: name,
                })
                .collect()
        } else {
            Vec::new()
        };
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
        // A service may take place anywhere in the province (a fair in another city).
        let districts = super::names::districts_for(&tr, &jakpreneur_core::Scope::All);
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
            mentors,
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
