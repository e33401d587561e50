//! `/admin/users`: the administrator's page for staff accounts and API tokens — create,
//! reset a password, change role and region, disable and enable; every token with its
//! owner, revocable.

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jakpreneur_core::reference::reference;
use jakpreneur_core::{Permission, RegionLevel};
use jakpreneur_store::{ApiToken, NewUser, StoreError, User};

use super::ctx::{PageCtx, SignedInPage};
use super::{Choice, Chrome, field_errors, names};

/// The roles an account made on this page may have.
const STAFF_ROLES: [&str; 7] = [
    "district_officer",
    "city_officer",
    "province_officer",
    "trainer",
    "mentor",
    "curator",
    "admin",
];

pub struct UserRow {
    pub username: String,
    pub role: String,
    pub role_label: String,
    pub region: String,
    pub region_code: String,
    /// Staff accounts may change role here; others are tied to a member, partner or unit.
    pub staff: bool,
    pub linked: String,
    pub disabled: bool,
    pub locked_until: Option<String>,
    pub created: String,
    /// The account signs in with an authenticator app.
    pub two_factor: bool,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage<'a> {
    c: Chrome<'a>,
    users: Vec<UserRow>,
    tokens: Vec<ApiToken>,
    roles: Vec<Choice>,
    regions: Vec<Choice>,
    done: Option<String>,
    /// The create form's errors by field and what was typed.
    errors: HashMap<String, String>,
    values: HashMap<String, String>,
    /// A refused action on one account: whose, and why.
    row_error: Option<(String, String)>,
}

impl UsersPage<'_> {
    fn v(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }
    fn err(&self, name: &str) -> &str {
        self.errors.get(name).map_or("", String::as_str)
    }
}

/// Province, cities and districts, named, for the region pickers.
fn region_choices(tr: &crate::i18n::Tr<'_>) -> Vec<Choice> {
    reference()
        .regions
        .iter()
        .filter(|r| r.level != RegionLevel::Village)
        .map(|r| Choice {
            value: r.code.clone(),
            label: match r.level {
                RegionLevel::District => {
                    format!("\u{a0}\u{a0}\u{a0}\u{a0}{}", names::place(tr, &r.code))
                }
                RegionLevel::City => format!("\u{a0}\u{a0}{}", r.name),
                _ => r.name.clone(),
            },
        })
        .collect()
}

async fn page_of<'a>(page: &'a PageCtx) -> Result<UsersPage<'a>, StoreError> {
    let tr = page.tr();
    let store = &page.app.store;
    let users = store.list_users(page.actor()).await?;
    let tokens = store.list_tokens(page.actor()).await?;
    let now = chrono::Utc::now();
    let users = users
        .into_iter()
        .map(|u: User| {
            let linked = match (&u.member_no, &u.partner_code, &u.buyer_unit_code) {
                (Some(no), _, _) => no.clone(),
                (_, Some(p), _) => p.clone(),
                (_, _, Some(unit)) => unit.clone(),
                _ => String::new(),
            };
            UserRow {
                role_label: tr.tv("role.", &u.role).to_owned(),
                region: u
                    .region_code
                    .as_deref()
                    .map_or_else(String::new, |c| names::place(&tr, c)),
                region_code: u.region_code.clone().unwrap_or_default(),
                staff: STAFF_ROLES.contains(&u.role.as_str()),
                linked,
                disabled: u.disabled_at.is_some(),
                locked_until: u.locked_until.filter(|t| *t > now).map(|t| tr.datetime(&t)),
                created: tr.date(&u.created_at.date_naive()),
                two_factor: u.totp_enabled_at.is_some(),
                role: u.role,
                username: u.username,
            }
        })
        .collect();
    Ok(UsersPage {
        c: page.chrome_at("/admin/users"),
        users,
        tokens,
        roles: STAFF_ROLES
            .iter()
            .map(|r| Choice {
                value: (*r).to_owned(),
                label: tr.tv("role.", r).to_owned(),
            })
            .collect(),
        regions: region_choices(&tr),
        done: None,
        errors: HashMap::new(),
        values: HashMap::new(),
        row_error: None,
    })
}

fn admin_only(page: &PageCtx) -> Option<Response> {
    (!page.actor().can(Permission::UserManage)).then(|| {
        page.error(
            page.chrome(),
            StoreError::Forbidden("only administrators manage accounts".into()),
        )
    })
}

pub async fn list(page: SignedInPage) -> Response {
    if let Some(r) = admin_only(&page) {
        return r;
    }
    let tr = page.tr();
    let done = page.uri.query().and_then(|q| {
        let pairs: HashMap<String, String> =
            form_urlencoded::parse(q.as_bytes()).into_owned().collect();
        let what = pairs.get("done")?;
        let user = pairs.get("user")?;
        matches!(
            what.as_str(),
            "created" | "reset" | "disable" | "enable" | "role" | "two_factor"
        )
        .then(|| tr.t(&format!("users.done_{what}")).replace("{user}", user))
    });
    match page_of(&page).await {
        Ok(mut shown) => {
            shown.done = done;
            page.render(StatusCode::OK, &shown)
        }
        Err(e) => page.error(page.chrome(), e),
    }
}

fn done(what: &str, user: &str) -> Response {
    let q = form_urlencoded::Serializer::new(String::new())
        .append_pair("done", what)
        .append_pair("user", user)
        .finish();
    Redirect::to(&format!("/admin/users?{q}")).into_response()
}

pub async fn create(page: SignedInPage, body: Bytes) -> Response {
    if let Some(r) = admin_only(&page) {
        return r;
    }
    let values = super::form(&body);
    let get = |k: &str| values.get(k).cloned().unwrap_or_default();
    let new = NewUser {
        username: get("username"),
        role: get("role"),
        region: Some(get("region")).filter(|r| !r.trim().is_empty()),
        member_no: None,
        nik: None,
        agency: None,
        partner: None,
        unit: None,
        buyer_role: None,
        password: get("password"),
    };
    let policy = page.app.security.accounts.clone();
    match page
        .app
        .store
        .create_user(page.actor(), &new, &policy)
        .await
    {
        Ok(u) => done("created", &u.username),
        Err(StoreError::Invalid(errs)) => match page_of(&page).await {
            Ok(mut shown) => {
                shown.errors = field_errors(page.tr(), &errs);
                shown.values = values;
                shown.values.remove("password");
                page.render(StatusCode::UNPROCESSABLE_ENTITY, &shown)
            }
            Err(e) => page.error(page.chrome(), e),
        },
        Err(e) => page.error(page.chrome(), e),
    }
}

/// `POST /admin/users/{username}/{action}`: `password`, `disable`, `enable` or `role`.
pub async fn act(
    Path((username, action)): Path<(String, String)>,
    page: SignedInPage,
    body: Bytes,
) -> Response {
    if let Some(r) = admin_only(&page) {
        return r;
    }
    let values = super::form(&body);
    let get = |k: &str| values.get(k).map_or("", String::as_str);
    let store = &page.app.store;
    let a = page.actor();
    let policy = page.app.security.accounts.clone();
    let (what, outcome) = match action.as_str() {
        "password" => (
            "reset",
            store
                .reset_password(a, &username, get("password"), &policy)
                .await,
        ),
        "disable" => ("disable", store.disable_user(a, &username).await),
        "two-factor-reset" => ("two_factor", store.reset_two_factor(a, &username).await),
        "enable" => ("enable", store.enable_user(a, &username).await),
        "role" => (
            "role",
            store
                .set_user_role(a, &username, get("role"), Some(get("region")))
                .await,
        ),
        _ => return page.error(page.chrome(), StoreError::NotFound),
    };
    match outcome {
        Ok(u) => done(what, &u.username),
        Err(StoreError::Invalid(errs)) => match page_of(&page).await {
            Ok(mut shown) => {
                let tr = page.tr();
                let text = field_errors(tr, &errs)
                    .into_iter()
                    .map(|(f, m)| format!("{}: {m}", tr.tv("users.", &f)))
                    .collect::<Vec<_>>()
                    .join(" ");
                shown.row_error = Some((username, text));
                page.render(StatusCode::UNPROCESSABLE_ENTITY, &shown)
            }
            Err(e) => page.error(page.chrome(), e),
        },
        Err(e) => page.error(page.chrome(), e),
    }
}
