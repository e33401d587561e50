//! The access matrix: every role × every route × a member inside and outside the role's
//! region, through the router as a browser or an integration would call it. The table
//! below is written by hand from the rules (not derived from the code's role
//! definitions), and it must name every route the router serves: adding a route without
//! an entry here fails `every_route_has_an_entry`.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::http::{Method, StatusCode};
use jakpreneur_testkit::{Creds, TestApp, member_in};
use serde_json::json;

on_both_backends!(role_route_scope_matrix, lists_show_only_the_region);

const IN_VILLAGE: &str = "31.71.01.1001"; // Gambir, Central Jakarta
const OUT_VILLAGE: &str = "31.74.02.1001"; // Setiabudi, South Jakarta

/// What a request should come to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    /// Passed authorisation: 2xx, 3xx (not to the login page), or a 409/422 on content.
    Ok,
    /// 404: the record is outside the caller's reach (reads).
    NotFound,
    /// 403: not allowed (writes outside scope, missing permission, or a page form sent
    /// without a session's CSRF token).
    Forbidden,
    /// 401 from the API, or a redirect to the login page.
    SignIn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum R {
    Admin,
    Province,
    City,
    District,
    Trainer,
    Mentor,
    Curator,
    Buyer,
    Partner,
    Member,
    Anonymous,
}

const ROLES: [R; 11] = [
    R::Admin,
    R::Province,
    R::City,
    R::District,
    R::Trainer,
    R::Mentor,
    R::Curator,
    R::Buyer,
    R::Partner,
    R::Member,
    R::Anonymous,
];

use R::*;
use Want::*;

/// Roles whose region covers the "out" member too (the whole province).
fn covers_out(r: R) -> bool {
    matches!(r, Admin | Province)
}

fn officer(r: R) -> bool {
    matches!(r, Province | City | District)
}

fn reader(r: R) -> bool {
    matches!(
        r,
        Admin | Province | City | District | Trainer | Mentor | Curator | Member
    )
}

/// A read of one member: anonymous must sign in, roles without member access are
/// refused, others see what their scope covers and get 404 beyond it.
fn read_one(r: R, inside: bool, allowed: fn(R) -> bool, sign_in: Want) -> Want {
    match r {
        Anonymous => sign_in,
        r if !allowed(r) => Forbidden,
        r if inside || covers_out(r) => Ok,
        _ => NotFound,
    }
}

/// A write to one member: outside scope is 403.
fn write_one(r: R, inside: bool, allowed: fn(R) -> bool, anonymous: Want) -> Want {
    match r {
        Anonymous => anonymous,
        r if !allowed(r) => Forbidden,
        r if inside || covers_out(r) => Ok,
        _ => Forbidden,
    }
}

fn can_register(r: R) -> bool {
    r == Admin || officer(r)
}
fn can_export(r: R) -> bool {
    r == Admin || officer(r) || r == Member
}
fn can_see_nik(r: R) -> bool {
    r == Admin || officer(r) || r == Member
}
fn can_record_events(r: R) -> bool {
    r == Admin || officer(r) || matches!(r, Trainer | Mentor | Curator)
}
fn can_file_reports(r: R) -> bool {
    r == Admin || officer(r) || r == Member
}
fn can_decide_financing(r: R) -> bool {
    matches!(r, Admin | Partner)
}
fn can_products(r: R) -> bool {
    r == Admin || officer(r) || r == Member
}
fn in_curation(r: R) -> bool {
    !matches!(r, Trainer | Buyer | Partner | Anonymous)
}
/// A fresh submission (not yet verified): staff and the member within scope read it; a
/// curator sees only forwarded or graded ones.
fn read_submission(r: R, inside: bool) -> Want {
    match r {
        Curator => NotFound,
        r => read_one(r, inside, reader, SignIn),
    }
}
fn admin_only(r: R) -> bool {
    r == Admin
}
fn has_tokens(r: R) -> bool {
    !matches!(r, Member | Anonymous)
}

/// The expected outcome of `method path` for role `r` on the inside or outside member.
fn want(method: &str, path: &str, r: R, inside: bool) -> Want {
    let signed_in = |w: Want| if r == Anonymous { SignIn } else { w };
    // Page forms: the public has no session, so no CSRF token: refused before anything.
    let form = |w: Want| if r == Anonymous { Forbidden } else { w };
    match (method, path) {
        // Open to all.
        ("GET", "/healthz")
        | ("GET", "/readyz")
        | ("GET", "/api/docs/")
        | ("GET", "/api/v1/openapi.json")
        | ("GET", "/api/v1/regions")
        | ("GET", "/api/v1/sectors")
        | ("GET", "/api/v1/indicators")
        | ("GET", "/api/v1/programmes")
        | ("GET", "/api/v1/public/stats/facilities")
        | ("GET", "/api/v1/public/stats/funnel")
        | ("GET", "/api/v1/public/stats/period")
        | ("GET", "/api/v1/public/stats/summary")
        | ("GET", "/api/v1/public/membership")
        | ("GET", "/")
        | ("GET", "/static/app.css")
        | ("GET", "/login")
        | ("GET", "/cek")
        | ("GET", "/privasi")
        | ("GET", "/privasi/pelatihan-kerja")
        | ("GET", "/statistik")
        | ("GET", "/statistik/periode")
        | ("GET", "/statistik/definisi")
        | ("GET", "/statistik/facilities.csv")
        | ("GET", "/statistik/facilities.xlsx")
        | ("GET", "/statistik/periode.csv")
        | ("GET", "/statistik/periode.xlsx")
        | ("GET", "/statistik/kohort")
        | ("GET", "/statistik/kohort.csv")
        | ("GET", "/statistik/kohort.xlsx")
        | ("GET", "/statistik/target")
        // A login attempt with a wrong password (the login form carries its own token).
        | ("POST", "/login") => Ok,
        ("GET", "/api/v1/me") => signed_in(Ok),
        ("GET", "/api/v1/stats/facilities")
        | ("GET", "/api/v1/stats/period")
        | ("GET", "/api/v1/stats/funnel")
        | ("GET", "/api/v1/stats/summary") => {
            // Exact for staff inside their region, the published figures for the other
            // readers (finding 2 of the security review), refused to roles that read no
            // member.
            signed_in(if reader(r) { Ok } else { Forbidden })
        }
        // The province's cohorts, exact: for the province's staff alone; others read the
        // public cohort page.
        ("GET", "/api/v1/stats/cohorts") => signed_in(if covers_out(r) { Ok } else { Forbidden }),
        ("GET", "/api/v1/audit") | ("GET", "/metrics") => {
            signed_in(if r == Admin { Ok } else { Forbidden })
        }
        ("GET", "/api/v1/members") => signed_in(if reader(r) { Ok } else { Forbidden }),
        ("POST", "/api/v1/members") => write_one(r, inside, can_register, SignIn),
        ("GET", "/api/v1/members/{member_no}") => read_one(r, inside, reader, SignIn),
        ("PATCH", "/api/v1/members/{member_no}") | ("POST", "/api/v1/members/{member_no}/withdraw") => {
            write_one(r, inside, |r| r == Admin || officer(r), SignIn)
        }
        ("GET", "/api/v1/members/{member_no}/export") => read_one(r, inside, can_export, SignIn),
        ("POST", "/api/v1/members/{member_no}/erase") => write_one(r, inside, admin_only, SignIn),
        ("GET", "/api/v1/members/{member_no}/events") | ("GET", "/api/v1/members/{member_no}/facilities") => {
            read_one(r, inside, reader, SignIn)
        }
        ("POST", "/api/v1/members/{member_no}/events")
        | ("POST", "/api/v1/members/{member_no}/events/{id}/void") => {
            write_one(r, inside, can_record_events, SignIn)
        }
        ("GET", "/api/v1/members/{member_no}/permits") => read_one(r, inside, reader, SignIn),
        ("POST", "/api/v1/members/{member_no}/permits")
        | ("POST", "/api/v1/members/{member_no}/permits/{id}/decision") => {
            write_one(r, inside, can_record_events, SignIn)
        }
        // A list over the caller's own region: no member is aimed at.
        ("POST", "/api/v1/market-events") => signed_in(if can_record_events(r) { Ok } else { Forbidden }),
        ("POST", "/api/v1/members/{member_no}/mentor") => write_one(r, inside, can_record_events, SignIn),
        // A mentor records sessions and closes follow-ups only for members assigned to
        // them; the targets here have no mentor.
        ("POST", "/api/v1/members/{member_no}/mentoring-sessions") | ("POST", "/api/v1/follow-ups/{id}/done") => {
            write_one(r, inside, |r| can_record_events(r) && r != Mentor, SignIn)
        }
        ("GET", "/api/v1/members/{member_no}/mentoring-sessions") => read_one(r, inside, reader, SignIn),
        ("GET", "/api/v1/follow-ups/overdue") | ("GET", "/follow-ups/overdue") => {
            signed_in(if reader(r) { Ok } else { Forbidden })
        }
        ("POST", "/members/{member_no}/mentor") => write_one(r, inside, can_record_events, Forbidden),
        ("POST", "/members/{member_no}/mentoring-sessions") | ("POST", "/follow-ups/{id}/done") => {
            write_one(r, inside, |r| can_record_events(r) && r != Mentor, Forbidden)
        }
        ("GET", "/market-events") | ("GET", "/market-events/{id}") => signed_in(if reader(r) { Ok } else { Forbidden }),
        ("POST", "/market-events") => form(if can_record_events(r) { Ok } else { Forbidden }),
        ("POST", "/market-events/{id}/participants") => write_one(r, inside, can_record_events, Forbidden),
        ("GET", "/api/v1/market-events") | ("GET", "/api/v1/market-events/{id}/participants") => {
            signed_in(if reader(r) { Ok } else { Forbidden })
        }
        ("POST", "/api/v1/market-events/{id}/participants") => write_one(r, inside, can_record_events, SignIn),
        ("GET", "/api/v1/permits/expiring") | ("GET", "/permits/expiring") => {
            signed_in(if reader(r) { Ok } else { Forbidden })
        }
        ("POST", "/members/{member_no}/permits") | ("POST", "/members/{member_no}/permits/{id}/decision") => {
            write_one(r, inside, can_record_events, Forbidden)
        }
        ("POST", "/api/v1/members/{member_no}/records/{record}/void") => write_one(r, inside, can_record_events, SignIn),
        ("POST", "/members/{member_no}/records/{record}/void") => write_one(r, inside, can_record_events, Forbidden),
        ("POST", "/members/{member_no}/events") | ("POST", "/members/{member_no}/events/{id}/void") => {
            write_one(r, inside, can_record_events, Forbidden)
        }
        // Pages.
        ("POST", "/logout") => form(Ok),
        ("GET", "/account") => signed_in(Ok),
        // A wrong current password: 422, i.e. the form was accepted for checking.
        ("POST", "/account/password") => form(Ok),
        ("POST", "/account/tokens") => form(if has_tokens(r) { Ok } else { Forbidden }),
        // Inside: one's own token; outside: another user's (only an admin may revoke it).
        ("POST", "/account/tokens/{id}/revoke") => form(if inside || r == Admin { Ok } else { NotFound }),
        // Two-step verification. The second step of a sign-in without a sign-in under way
        // goes back to the login form; signed in, on to the home page.
        ("GET", "/login/code") => signed_in(Ok),
        // Signed in, no sign-in under way: 422 (expired), i.e. the form was read.
        ("POST", "/login/code") => form(Ok),
        // Every account may add an authenticator (officers and admins must). An empty code:
        // 422; starting an enrolment: the page with its QR code.
        ("GET", "/account/two-factor") => signed_in(Ok),
        ("POST", "/account/two-factor/start")
        | ("POST", "/account/two-factor/confirm")
        | ("POST", "/account/two-factor/recovery-codes")
        | ("POST", "/account/two-factor/disable") => form(Ok),
        ("GET", "/admin/audit") => signed_in(if r == Admin { Ok } else { Forbidden }),
        // Public: a member's own sign-up (an empty form is refused for its fields).
        ("GET", "/akun/daftar") | ("GET", "/akun/daftar/kode") => Ok,
        ("POST", "/akun/daftar") | ("POST", "/akun/daftar/kode") => form(Ok),
        ("GET", "/admin/users") => signed_in(if r == Admin { Ok } else { Forbidden }),
        // An empty form: 422 for the administrator (fields missing); the account acted on
        // here does not exist, so the administrator's action finds nothing.
        ("POST", "/admin/users") => form(if r == Admin { Ok } else { Forbidden }),
        ("POST", "/admin/users/{username}/{action}") => form(if r == Admin { NotFound } else { Forbidden }),
        // The upload page: whoever records services. An upload that is not a file: 422.
        ("GET", "/import") => signed_in(if can_record_events(r) { Ok } else { Forbidden }),
        ("POST", "/import") => form(if can_record_events(r) { Ok } else { Forbidden }),
        // No such import (a job is seen only by the account that started it).
        ("GET", "/import/{id}") | ("GET", "/import/{id}/report.csv") => {
            signed_in(if can_record_events(r) { NotFound } else { Forbidden })
        }
        ("POST", "/import/{id}/apply") => form(if can_record_events(r) { NotFound } else { Forbidden }),
        ("GET", "/members") => signed_in(if reader(r) { Ok } else { Forbidden }),
        ("GET", "/members/new") => signed_in(if can_register(r) { Ok } else { Forbidden }),
        ("POST", "/members") => write_one(r, inside, can_register, Forbidden),
        // An empty form: 422 for whoever may look members up by NIK.
        ("POST", "/members/find") => form(if can_see_nik(r) { Ok } else { Forbidden }),
        // An empty form: 422 (no format chosen) for whoever may read members.
        ("POST", "/members/export") => form(if reader(r) { Ok } else { Forbidden }),
        ("GET", "/members/{member_no}") => read_one(r, inside, reader, SignIn),
        ("POST", "/members/{member_no}/nik") => match r {
            Anonymous => Forbidden,
            Trainer | Mentor | Curator | Buyer | Partner => Forbidden,
            r => read_one(r, inside, can_see_nik, Forbidden),
        },
        ("POST", "/members/{member_no}/export") => read_one(r, inside, can_export, Forbidden),
        ("POST", "/members/{member_no}/erase") => write_one(r, inside, admin_only, Forbidden),
        // Correction and withdrawal read the member first: outside the region it is not
        // there (404); inside, an empty form is refused for its fields (422).
        ("GET", "/members/{member_no}/edit") => read_one(r, inside, can_register, SignIn),
        ("POST", "/members/{member_no}/edit") | ("POST", "/members/{member_no}/withdraw") => {
            read_one(r, inside, can_register, Forbidden)
        }
        // Training: courses and classes are programme-wide; the class used here is the
        // matrix trainer's own, so a trainer may act on it within its region.
        ("GET", "/api/v1/courses")
        | ("GET", "/api/v1/classes")
        | ("GET", "/api/v1/classes/{id}")
        | ("GET", "/training")
        | ("GET", "/training/classes/{id}") => signed_in(if reader(r) { Ok } else { Forbidden }),
        ("POST", "/api/v1/courses")
        | ("POST", "/api/v1/courses/{id}/classes")
        | ("POST", "/api/v1/classes/{id}/complete") => {
            signed_in(if can_record_events(r) { Ok } else { Forbidden })
        }
        ("POST", "/training/courses") | ("POST", "/training/classes") | ("POST", "/training/classes/{id}/complete") => {
            form(if can_record_events(r) { Ok } else { Forbidden })
        }
        ("POST", "/api/v1/classes/{id}/enrolments") | ("POST", "/api/v1/classes/{id}/attendance") => {
            write_one(r, inside, can_record_events, SignIn)
        }
        ("POST", "/training/classes/{id}/enrolments") | ("POST", "/training/classes/{id}/attendance") => {
            write_one(r, inside, can_record_events, Forbidden)
        }
        ("GET", "/api/v1/members/{member_no}/classes")
        | ("GET", "/api/v1/members/{member_no}/financial-reports")
        | ("GET", "/api/v1/members/{member_no}/referrals") => read_one(r, inside, reader, SignIn),
        // Financial reports: officers, and a member its own.
        ("POST", "/api/v1/members/{member_no}/financial-reports") => write_one(r, inside, can_file_reports, SignIn),
        ("POST", "/members/{member_no}/financial-reports") => write_one(r, inside, can_file_reports, Forbidden),
        // Financing: anyone signed in reads the partner list; administrators add partners.
        ("GET", "/api/v1/financing-partners") | ("GET", "/financing/partners") => signed_in(Ok),
        ("POST", "/api/v1/financing-partners") => signed_in(if r == Admin { Ok } else { Forbidden }),
        ("GET", "/api/v1/targets") => signed_in(if reader(r) { Ok } else { Forbidden }),
        ("POST", "/api/v1/targets") | ("POST", "/api/v1/targets/{id}/withdraw") => {
            signed_in(if r == Admin { Ok } else { Forbidden })
        }
        ("POST", "/financing/partners") => form(if r == Admin { Ok } else { Forbidden }),
        ("POST", "/api/v1/members/{member_no}/referrals") => write_one(r, inside, can_record_events, SignIn),
        ("POST", "/members/{member_no}/referrals") => write_one(r, inside, can_record_events, Forbidden),
        ("GET", "/api/v1/referrals") | ("GET", "/financing") => {
            signed_in(if reader(r) || r == Partner { Ok } else { Forbidden })
        }
        // The referral aimed at is sent to the matrix partner's own partner.
        ("GET", "/api/v1/referrals/{id}") | ("GET", "/financing/referrals/{id}") => match r {
            Partner => Ok,
            r => read_one(r, inside, reader, SignIn),
        },
        ("POST", "/api/v1/referrals/{id}/decision") | ("POST", "/api/v1/referrals/{id}/disbursement") => {
            signed_in(if can_decide_financing(r) { Ok } else { Forbidden })
        }
        ("POST", "/financing/referrals/{id}/decision") | ("POST", "/financing/referrals/{id}/disbursement") => {
            form(if can_decide_financing(r) { Ok } else { Forbidden })
        }
        // The curated catalogue: public pages and API (the product aimed at is not listed).
        ("GET", "/api/v1/catalogue") | ("GET", "/katalog") => Ok,
        ("GET", "/api/v1/catalogue/{id}") | ("GET", "/katalog/{id}") | ("GET", "/media/{name}") => NotFound,
        ("GET", "/api/v1/members/{member_no}/products")
        | ("GET", "/api/v1/members/{member_no}/bank-account")
        | ("GET", "/api/v1/products/{id}")
        | ("GET", "/api/v1/products/{id}/prices") => read_one(r, inside, reader, SignIn),
        ("GET", "/members/{member_no}/products") | ("GET", "/products/{id}") => read_one(r, inside, reader, SignIn),
        ("POST", "/api/v1/members/{member_no}/products")
        | ("PUT", "/api/v1/members/{member_no}/bank-account")
        | ("PATCH", "/api/v1/products/{id}")
        | ("POST", "/api/v1/products/{id}/photos")
        | ("DELETE", "/api/v1/products/{id}/photos/{position}")
        | ("POST", "/api/v1/products/{id}/listing")
        | ("DELETE", "/api/v1/products/{id}/listing")
        | ("POST", "/api/v1/curation-calls/{id}/submissions") => write_one(r, inside, can_products, SignIn),
        ("POST", "/members/{member_no}/products")
        | ("POST", "/members/{member_no}/bank-account")
        | ("POST", "/products/{id}")
        | ("POST", "/products/{id}/photos")
        | ("POST", "/products/{id}/photos/{position}/remove")
        | ("POST", "/products/{id}/listing")
        | ("POST", "/products/{id}/delisting")
        | ("POST", "/products/{id}/submissions") => write_one(r, inside, can_products, Forbidden),
        ("POST", "/api/v1/curation-calls") => signed_in(if matches!(r, Admin | Province | City) { Ok } else { Forbidden }),
        ("POST", "/curation/calls") => form(if matches!(r, Admin | Province | City) { Ok } else { Forbidden }),
        ("GET", "/api/v1/curation-calls") => signed_in(if reader(r) { Ok } else { Forbidden }),
        ("GET", "/api/v1/curation-queue") | ("GET", "/curation") => signed_in(if in_curation(r) { Ok } else { Forbidden }),
        ("GET", "/api/v1/curation-submissions/{id}") | ("GET", "/curation/submissions/{id}") => read_submission(r, inside),
        // No certificate yet: whoever may read the submission finds no certificate.
        ("GET", "/curation/certificates/{id}") => match read_submission(r, inside) {
            Ok => NotFound,
            w => w,
        },
        // `verify` on a fresh submission: the inside member's mentor is the matrix mentor
        // (assigned by the mentor route above), so only that mentor verifies; the district
        // officer verifies only for members without a mentor.
        ("POST", "/api/v1/curation-submissions/{id}/{action}") => {
            write_one(r, inside, |r| r == Mentor, SignIn)
        }
        ("POST", "/curation/submissions/{id}/{action}") => write_one(r, inside, |r| r == Mentor, Forbidden),
        ("POST", "/api/v1/market-events/{id}/applications") => {
            write_one(r, inside, |r| can_record_events(r) || can_products(r), SignIn)
        }
        ("POST", "/api/v1/market-events/{id}/allocation") => signed_in(if can_record_events(r) { Ok } else { Forbidden }),
        ("GET", "/api/v1/market-events/{id}/allocation") => signed_in(if reader(r) { Ok } else { Forbidden }),
        ("POST", "/market-events/{id}/applications") => {
            write_one(r, inside, |r| can_record_events(r) || can_products(r), Forbidden)
        }
        ("POST", "/market-events/{id}/allocation") => form(if can_record_events(r) { Ok } else { Forbidden }),
        _ => panic!("no access rule for {method} {path}: add it to the matrix in tests/it/access.rs"),
    }
}

/// Every route the matrix covers; compared with what the router serves.
const ROUTES: &[(&str, &str)] = &[
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("GET", "/api/docs/"),
    ("GET", "/api/v1/openapi.json"),
    ("GET", "/api/v1/regions"),
    ("GET", "/api/v1/sectors"),
    ("GET", "/api/v1/indicators"),
    ("GET", "/api/v1/programmes"),
    ("GET", "/api/v1/stats/facilities"),
    ("GET", "/api/v1/stats/period"),
    ("GET", "/api/v1/stats/funnel"),
    ("GET", "/api/v1/stats/summary"),
    ("GET", "/api/v1/stats/cohorts"),
    ("GET", "/api/v1/public/stats/facilities"),
    ("GET", "/api/v1/public/stats/funnel"),
    ("GET", "/api/v1/public/stats/period"),
    ("GET", "/api/v1/public/stats/summary"),
    ("GET", "/api/v1/public/membership"),
    ("GET", "/api/v1/me"),
    ("GET", "/api/v1/audit"),
    ("GET", "/api/v1/members"),
    ("POST", "/api/v1/members"),
    ("GET", "/api/v1/members/{member_no}"),
    ("PATCH", "/api/v1/members/{member_no}"),
    ("POST", "/api/v1/members/{member_no}/withdraw"),
    ("GET", "/api/v1/members/{member_no}/export"),
    ("POST", "/api/v1/members/{member_no}/erase"),
    ("GET", "/"),
    ("GET", "/static/app.css"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/logout"),
    ("GET", "/account"),
    ("POST", "/account/password"),
    ("POST", "/account/tokens"),
    ("POST", "/account/tokens/{id}/revoke"),
    ("GET", "/login/code"),
    ("POST", "/login/code"),
    ("GET", "/account/two-factor"),
    ("POST", "/account/two-factor/start"),
    ("POST", "/account/two-factor/confirm"),
    ("POST", "/account/two-factor/recovery-codes"),
    ("POST", "/account/two-factor/disable"),
    ("GET", "/cek"),
    ("GET", "/privasi"),
    ("GET", "/privasi/pelatihan-kerja"),
    ("GET", "/statistik"),
    ("GET", "/statistik/periode"),
    ("GET", "/statistik/definisi"),
    ("GET", "/statistik/facilities.csv"),
    ("GET", "/statistik/facilities.xlsx"),
    ("GET", "/statistik/periode.csv"),
    ("GET", "/statistik/periode.xlsx"),
    ("GET", "/statistik/kohort"),
    ("GET", "/statistik/kohort.csv"),
    ("GET", "/statistik/kohort.xlsx"),
    ("GET", "/statistik/target"),
    ("GET", "/admin/audit"),
    ("GET", "/admin/users"),
    ("GET", "/akun/daftar"),
    ("POST", "/akun/daftar"),
    ("GET", "/akun/daftar/kode"),
    ("POST", "/akun/daftar/kode"),
    ("POST", "/admin/users"),
    ("POST", "/admin/users/{username}/{action}"),
    ("GET", "/import"),
    ("POST", "/import"),
    ("GET", "/import/{id}"),
    ("GET", "/import/{id}/report.csv"),
    ("POST", "/import/{id}/apply"),
    ("GET", "/members"),
    ("POST", "/members"),
    ("POST", "/members/find"),
    ("POST", "/members/export"),
    ("GET", "/members/new"),
    ("GET", "/members/{member_no}"),
    ("POST", "/members/{member_no}/nik"),
    ("POST", "/members/{member_no}/export"),
    ("POST", "/members/{member_no}/erase"),
    ("GET", "/members/{member_no}/edit"),
    ("POST", "/members/{member_no}/edit"),
    ("POST", "/members/{member_no}/withdraw"),
    ("GET", "/api/v1/members/{member_no}/events"),
    ("POST", "/api/v1/members/{member_no}/events"),
    ("POST", "/api/v1/members/{member_no}/events/{id}/void"),
    ("GET", "/api/v1/members/{member_no}/facilities"),
    ("POST", "/members/{member_no}/events"),
    ("POST", "/members/{member_no}/events/{id}/void"),
    ("GET", "/api/v1/members/{member_no}/permits"),
    ("POST", "/api/v1/members/{member_no}/permits"),
    ("POST", "/api/v1/members/{member_no}/permits/{id}/decision"),
    ("GET", "/api/v1/permits/expiring"),
    ("POST", "/members/{member_no}/permits"),
    ("POST", "/members/{member_no}/permits/{id}/decision"),
    ("GET", "/permits/expiring"),
    ("POST", "/api/v1/market-events"),
    ("GET", "/api/v1/market-events"),
    ("POST", "/api/v1/market-events/{id}/participants"),
    ("GET", "/api/v1/market-events/{id}/participants"),
    ("GET", "/market-events"),
    ("POST", "/market-events"),
    ("GET", "/market-events/{id}"),
    ("POST", "/market-events/{id}/participants"),
    ("POST", "/api/v1/members/{member_no}/mentor"),
    ("POST", "/api/v1/members/{member_no}/mentoring-sessions"),
    ("GET", "/api/v1/members/{member_no}/mentoring-sessions"),
    ("POST", "/api/v1/follow-ups/{id}/done"),
    ("GET", "/api/v1/follow-ups/overdue"),
    ("POST", "/members/{member_no}/mentor"),
    ("POST", "/members/{member_no}/mentoring-sessions"),
    ("POST", "/follow-ups/{id}/done"),
    ("GET", "/follow-ups/overdue"),
    ("GET", "/api/v1/courses"),
    ("POST", "/api/v1/courses"),
    ("POST", "/api/v1/courses/{id}/classes"),
    ("GET", "/api/v1/classes"),
    ("GET", "/api/v1/classes/{id}"),
    ("POST", "/api/v1/classes/{id}/enrolments"),
    ("POST", "/api/v1/classes/{id}/attendance"),
    ("POST", "/api/v1/classes/{id}/complete"),
    ("GET", "/api/v1/members/{member_no}/classes"),
    ("GET", "/training"),
    ("POST", "/training/courses"),
    ("POST", "/training/classes"),
    ("GET", "/training/classes/{id}"),
    ("POST", "/training/classes/{id}/enrolments"),
    ("POST", "/training/classes/{id}/attendance"),
    ("POST", "/training/classes/{id}/complete"),
    ("GET", "/api/v1/members/{member_no}/financial-reports"),
    ("POST", "/api/v1/members/{member_no}/financial-reports"),
    ("POST", "/members/{member_no}/financial-reports"),
    ("GET", "/api/v1/financing-partners"),
    ("POST", "/api/v1/financing-partners"),
    ("GET", "/financing/partners"),
    ("POST", "/financing/partners"),
    ("POST", "/api/v1/members/{member_no}/referrals"),
    ("GET", "/api/v1/members/{member_no}/referrals"),
    ("POST", "/members/{member_no}/referrals"),
    ("GET", "/api/v1/referrals"),
    ("GET", "/api/v1/targets"),
    ("POST", "/api/v1/targets"),
    ("POST", "/api/v1/targets/{id}/withdraw"),
    ("GET", "/api/v1/referrals/{id}"),
    ("POST", "/api/v1/referrals/{id}/decision"),
    ("POST", "/api/v1/referrals/{id}/disbursement"),
    ("GET", "/financing"),
    ("GET", "/financing/referrals/{id}"),
    ("POST", "/financing/referrals/{id}/decision"),
    ("POST", "/financing/referrals/{id}/disbursement"),
    ("POST", "/api/v1/members/{member_no}/records/{record}/void"),
    ("POST", "/members/{member_no}/records/{record}/void"),
    ("GET", "/api/v1/catalogue"),
    ("GET", "/api/v1/catalogue/{id}"),
    ("GET", "/katalog"),
    ("GET", "/katalog/{id}"),
    ("GET", "/media/{name}"),
    ("GET", "/api/v1/members/{member_no}/products"),
    ("POST", "/api/v1/members/{member_no}/products"),
    ("GET", "/api/v1/members/{member_no}/bank-account"),
    ("PUT", "/api/v1/members/{member_no}/bank-account"),
    ("GET", "/api/v1/products/{id}"),
    ("PATCH", "/api/v1/products/{id}"),
    ("GET", "/api/v1/products/{id}/prices"),
    ("POST", "/api/v1/products/{id}/photos"),
    ("DELETE", "/api/v1/products/{id}/photos/{position}"),
    ("POST", "/api/v1/products/{id}/listing"),
    ("DELETE", "/api/v1/products/{id}/listing"),
    ("GET", "/members/{member_no}/products"),
    ("POST", "/members/{member_no}/products"),
    ("POST", "/members/{member_no}/bank-account"),
    ("GET", "/products/{id}"),
    ("POST", "/products/{id}"),
    ("POST", "/products/{id}/photos"),
    ("POST", "/products/{id}/photos/{position}/remove"),
    ("POST", "/products/{id}/listing"),
    ("POST", "/products/{id}/delisting"),
    ("POST", "/products/{id}/submissions"),
    ("POST", "/api/v1/curation-calls"),
    ("GET", "/api/v1/curation-calls"),
    ("POST", "/api/v1/curation-calls/{id}/submissions"),
    ("GET", "/api/v1/curation-queue"),
    ("GET", "/api/v1/curation-submissions/{id}"),
    ("POST", "/api/v1/curation-submissions/{id}/{action}"),
    ("GET", "/curation"),
    ("POST", "/curation/calls"),
    ("GET", "/curation/submissions/{id}"),
    ("POST", "/curation/submissions/{id}/{action}"),
    ("GET", "/curation/certificates/{id}"),
    ("POST", "/api/v1/market-events/{id}/applications"),
    ("POST", "/api/v1/market-events/{id}/allocation"),
    ("GET", "/api/v1/market-events/{id}/allocation"),
    ("POST", "/market-events/{id}/applications"),
    ("POST", "/market-events/{id}/allocation"),
];

#[test]
fn every_route_has_an_entry() {
    let served: BTreeSet<(String, String)> = jakpreneur_web::router::route_inventory()
        .into_iter()
        .collect();
    // e-order's routes have a matrix of their own (every buyer role): access_eorder.rs.
    let table: BTreeSet<(String, String)> = ROUTES
        .iter()
        .chain(super::access_eorder::EORDER_ROUTES)
        .chain(super::access_programmes::PROGRAMME_ROUTES)
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    let missing: Vec<_> = served.difference(&table).collect();
    assert!(
        missing.is_empty(),
        "routes served without an entry in the access matrix: {missing:?}"
    );
    let stale: Vec<_> = table.difference(&served).collect();
    assert!(
        stale.is_empty(),
        "matrix entries for routes no longer served: {stale:?}"
    );
    let eorder = |m: &str, p: &str| {
        super::access_eorder::EORDER_ROUTES.contains(&(m, p))
            || super::access_programmes::PROGRAMME_ROUTES.contains(&(m, p))
    };
    for (m, p) in served.iter().filter(|(m, p)| !eorder(m, p)) {
        for r in ROLES {
            for inside in [true, false] {
                let _ = want(m, p, r, inside);
            }
        }
    }
}

struct World {
    creds: Vec<(R, Creds)>,
    /// The member the member account is linked to (inside Gambir).
    own_no: String,
    next: AtomicU32,
}

impl World {
    fn creds(&self, r: R) -> Creds {
        self.creds
            .iter()
            .find(|(x, _)| *x == r)
            .map(|(_, c)| c.clone())
            .unwrap_or_default()
    }

    fn serial(&self) -> u32 {
        self.next.fetch_add(1, Ordering::Relaxed)
    }
}

async fn register(app: &TestApp, w: &World, village: &str) -> (String, String) {
    let m = member_in(w.serial(), village);
    let nik = m["nik"].as_str().unwrap().to_owned();
    let res = app.post_json("/api/v1/members", &m).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    (res.json()["member_no"].as_str().unwrap().to_owned(), nik)
}

async fn world(app: &TestApp) -> World {
    let w = World {
        creds: Vec::new(),
        own_no: String::new(),
        next: AtomicU32::new(100),
    };
    let (own_no, own_nik) = register(app, &w, IN_VILLAGE).await;
    let mut creds = vec![(Admin, app.admin.clone()), (Anonymous, Creds::default())];
    for (r, name, role, region) in [
        (Province, "provinsi", "province_officer", Some("31")),
        (City, "jakpus", "city_officer", Some("31.71")),
        (District, "gambir", "district_officer", Some("31.71.01")),
        (Trainer, "pelatih", "trainer", Some("31.71.01")),
        (Mentor, "mentor", "mentor", Some("31.71.01")),
        (Curator, "kurator", "curator", Some("31.71.01")),
        (Buyer, "pembeli", "buyer", None),
        (Partner, "bank", "partner", None),
    ] {
        creds.push((r, app.user(name, role, region).await));
    }
    creds.push((
        Member,
        app.user_linked("anggota", "member", None, Some((&own_no, &own_nik)))
            .await,
    ));
    World {
        creds,
        own_no,
        next: w.next,
    }
}

/// A member to aim at: the linked member's own record for the member role inside, and
/// otherwise a member in Gambir (inside) or Setiabudi (outside). Routes that change or
/// destroy the record get a fresh one.
async fn target(app: &TestApp, w: &World, r: R, inside: bool, fresh: bool) -> String {
    if r == Member && inside {
        return w.own_no.clone();
    }
    if !fresh {
        // Stable targets, registered once.
        let key = if inside { "in" } else { "out" };
        let q = format!("/api/v1/members?q=stable-{key}&limit=1");
        let found = app.get(&q).await.json();
        if let Some(no) = found["items"][0]["member_no"].as_str() {
            return no.to_owned();
        }
        let mut m = member_in(w.serial(), if inside { IN_VILLAGE } else { OUT_VILLAGE });
        m["business_name"] = json!(format!("Toko stable-{key}"));
        let res = app.post_json("/api/v1/members", &m).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        return res.json()["member_no"].as_str().unwrap().to_owned();
    }
    register(app, w, if inside { IN_VILLAGE } else { OUT_VILLAGE })
        .await
        .0
}

fn classify(path: &str, status: StatusCode, location: Option<&str>) -> Want {
    match status.as_u16() {
        401 if path.starts_with("/api/") || path == "/login" || path == "/metrics" => {
            if path == "/login" { Ok } else { SignIn }
        }
        303 | 302 | 307 if location.is_some_and(|l| l.starts_with("/login")) => SignIn,
        403 => Forbidden,
        404 => NotFound,
        s if (200..400).contains(&s) || s == 409 || s == 422 => Ok,
        _ => panic!("unexpected status {status} for {path}"),
    }
}

async fn role_route_scope_matrix(app: TestApp) {
    let w = world(&app).await;
    let mut failures = Vec::new();
    let mut cases = 0;
    for &(method, path) in ROUTES {
        for r in ROLES {
            for inside in [true, false] {
                let expected = want(method, path, r, inside);
                let mut creds = w.creds(r);
                let fresh = matches!(
                    (method, path),
                    ("POST", "/api/v1/members/{member_no}/withdraw")
                        | ("POST", "/api/v1/members/{member_no}/events")
                        | ("POST", "/api/v1/members/{member_no}/mentoring-sessions")
                        | ("POST", "/api/v1/follow-ups/{id}/done")
                        | ("POST", "/members/{member_no}/mentoring-sessions")
                        | ("POST", "/follow-ups/{id}/done")
                        | ("POST", "/members/{member_no}/events")
                        | ("POST", "/api/v1/members/{member_no}/erase")
                        | ("POST", "/members/{member_no}/erase")
                );
                let aims_at_member = path.contains("{member_no}")
                    || path.contains("/products/{id}")
                    || path.contains("curation-calls/{id}/submissions")
                    || path.contains("/curation-submissions/{id}")
                    || path.contains("/curation/submissions/{id}")
                    || path.contains("/curation/certificates/{id}")
                    || path.ends_with("{id}/applications")
                    || (method == "POST" && path.ends_with("{id}/participants"))
                    || path.ends_with("/follow-ups/{id}/done")
                    || path.ends_with("/classes/{id}/enrolments")
                    || path.ends_with("/classes/{id}/attendance")
                    || path.contains("/referrals/{id}");
                let member_no = if aims_at_member {
                    target(&app, &w, r, inside, fresh && !(r == Member && inside)).await
                } else {
                    String::new()
                };
                let (status, location) = match (method, path) {
                    ("POST", "/logout") if r != Anonymous => {
                        // A second session of the same account, so the others survive.
                        let s = app.sign_in(&creds.username).await;
                        creds.session = Some((s.token, s.csrf_token));
                        let res = app.as_(&creds).post_form(path, &[]).await;
                        (res.status, res.header("location"))
                    }
                    ("POST", "/login") => {
                        let res = app
                            .as_(&creds)
                            .request(
                                Method::POST,
                                "/login",
                                &[
                                    ("content-type", "application/x-www-form-urlencoded"),
                                    ("cookie", &format!("jp_csrf={}", "ab".repeat(32))),
                                ],
                                format!(
                                    "username=nobody&password=wrong-password-here&csrf={}",
                                    creds
                                        .session
                                        .as_ref()
                                        .map_or("ab".repeat(32), |s| s.1.clone())
                                )
                                .into_bytes(),
                            )
                            .await;
                        (res.status, res.header("location"))
                    }
                    ("POST", "/account/tokens/{id}/revoke") => {
                        let owner = match (inside, r) {
                            (true, _) | (_, Anonymous) => creds.username.clone(),
                            (false, Buyer) => "bank".into(),
                            (false, _) => "pembeli".into(),
                        };
                        let owner = if owner.is_empty() {
                            "admin".to_owned()
                        } else {
                            owner
                        };
                        let (t, _) = app
                            .store
                            .create_token(&jakpreneur_core::Actor::system("test"), &owner, "matrix")
                            .await
                            .unwrap();
                        let url = format!("/account/tokens/{}/revoke", t.id);
                        let res = app.as_(&creds).post_form(&url, &[]).await;
                        (res.status, res.header("location"))
                    }
                    _ => {
                        let mut url = path.replace("{member_no}", &member_no);
                        if url.contains("market-events/{id}") {
                            let m = jakpreneur_store::NewMarketEvent::parse(
                                Some("bazaar"),
                                Some("Bazar Balai Kota"),
                                None,
                                Some("31.71.01"),
                                Some("2026-11-20"),
                                Some("2026-11-22"),
                                None,
                            )
                            .unwrap();
                            let made = app
                                .store
                                .create_market_events(&jakpreneur_core::Actor::system("test"), &m)
                                .await
                                .unwrap();
                            url = url.replace("{id}", &made[0].id.to_string());
                        }
                        let sys = jakpreneur_core::Actor::system("test");
                        if url.contains("/courses/{id}") || url.contains("/classes/{id}") {
                            let course = app
                                .store
                                .create_course(
                                    &sys,
                                    &jakpreneur_core::training::NewCourse::parse(
                                        Some("Kemasan produk"),
                                        Some("packaging"),
                                        Some("8"),
                                        None,
                                    )
                                    .unwrap(),
                                )
                                .await
                                .unwrap();
                            url = url.replace("/courses/{id}", &format!("/courses/{}", course.id));
                            if url.contains("/classes/{id}") {
                                let k = jakpreneur_core::training::NewClass::parse(
                                    Some("2026-11-20"),
                                    Some("2026-11-23"),
                                    Some("2"),
                                    Some("31.71.01"),
                                    Some("30"),
                                    Some("pelatih"),
                                )
                                .unwrap();
                                let class =
                                    app.store.create_class(&sys, course.id, &k).await.unwrap();
                                url =
                                    url.replace("/classes/{id}", &format!("/classes/{}", class.id));
                            }
                        }
                        if url.contains("/referrals/{id}") {
                            let r = jakpreneur_store::NewReferral::parse(
                                Some(jakpreneur_testkit::TEST_PARTNER),
                                Some("Modal kerja"),
                                Some("5000000"),
                                true,
                                None,
                                jakpreneur_testkit::today(),
                            )
                            .unwrap();
                            let made = app.store.refer(&sys, &member_no, &r).await.unwrap();
                            url =
                                url.replace("/referrals/{id}", &format!("/referrals/{}", made.id));
                        }
                        if url.contains("/follow-ups/{id}/done") {
                            let s = jakpreneur_store::NewMentoringSession {
                                held_on: jakpreneur_testkit::today(),
                                topics: vec!["halal".into()],
                                notes: None,
                                follow_ups: vec![(
                                    "daftar SIHALAL".into(),
                                    jakpreneur_testkit::today(),
                                )],
                            };
                            app.store
                                .record_session(
                                    &jakpreneur_core::Actor::system("test"),
                                    &member_no,
                                    &s,
                                )
                                .await
                                .unwrap();
                            let (_, f) = app
                                .store
                                .list_sessions(&jakpreneur_core::Actor::system("test"), &member_no)
                                .await
                                .unwrap();
                            url = url.replace("{id}", &f.last().unwrap().id.to_string());
                        }
                        if url.contains("/records/{record}/void") {
                            let p = app
                                .store
                                .apply_permit(
                                    &sys,
                                    &member_no,
                                    jakpreneur_core::permit::PermitType::Nib,
                                    jakpreneur_testkit::today(),
                                    None,
                                )
                                .await
                                .unwrap();
                            url = url.replace("{record}", &format!("permit-{}", p.id));
                        }
                        if url.contains("/targets/{id}/withdraw") {
                            let t = jakpreneur_core::targets::NewTarget::parse(
                                &jakpreneur_core::targets::TargetDraft {
                                    indicator: Some("reached_p7".into()),
                                    value: Some(6000),
                                    deadline: Some("2026-12-31".into()),
                                    source: Some("matrix".into()),
                                    ..Default::default()
                                },
                            )
                            .unwrap();
                            let t = app.store.create_target(&sys, &t).await.unwrap();
                            url = url.replace("{id}", &t.id.to_string());
                        }
                        if url.contains("/permits/{id}/decision") {
                            let p = app
                                .store
                                .apply_permit(
                                    &jakpreneur_core::Actor::system("test"),
                                    &member_no,
                                    jakpreneur_core::permit::PermitType::Pirt,
                                    jakpreneur_testkit::today(),
                                    None,
                                )
                                .await
                                .unwrap();
                            url = url.replace("{id}", &p.id.to_string());
                        }
                        if url.contains("/events/{id}/void") {
                            let e = jakpreneur_core::programme::NewEvent::parse(
                                &jakpreneur_core::programme::EventDraft {
                                    kind: Some("bazaar".into()),
                                    occurred_on: Some("2026-11-23".into()),
                                    ..Default::default()
                                },
                                jakpreneur_testkit::today(),
                            )
                            .unwrap();
                            let ev = app
                                .store
                                .record_event(
                                    &jakpreneur_core::Actor::system("test"),
                                    &member_no,
                                    &e,
                                    None,
                                )
                                .await
                                .unwrap();
                            url = url.replace("{id}", &ev.id.to_string());
                        }
                        // The curated catalogue: a product of the member aimed at (with a
                        // photo), an open call, and a fresh submission.
                        let mut call_id = 0;
                        let mut product_id = 0;
                        if !member_no.is_empty()
                            && (url.contains("/products/{id}") || url.contains("/curation"))
                        {
                            let (p, c) = catalogue_fixture(&app, &member_no).await;
                            product_id = p;
                            call_id = c;
                            url = url.replace("/products/{id}", &format!("/products/{p}"));
                            url = url.replace("/photos/{position}", "/photos/1");
                            url =
                                url.replace("curation-calls/{id}", &format!("curation-calls/{c}"));
                            if url.contains("submissions/{id}") || url.contains("certificates/{id}")
                            {
                                let s = app
                                    .store
                                    .submit_to_call(&sys, c, p, jakpreneur_testkit::today())
                                    .await
                                    .unwrap();
                                url = url
                                    .replace("submissions/{id}", &format!("submissions/{}", s.id));
                                url = url.replace(
                                    "certificates/{id}",
                                    &format!("certificates/{}", s.id),
                                );
                            }
                            url = url.replace("{action}", "verify");
                        }
                        url = url.replace("catalogue/{id}", "catalogue/999999");
                        url = url.replace("import/{id}", "import/0000000000000000");
                        url = url.replace("katalog/{id}", "katalog/999999");
                        url = url
                            .replace("/media/{name}", &format!("/media/{}.png", "ab".repeat(32)));
                        let village = if inside { IN_VILLAGE } else { OUT_VILLAGE };
                        let res = match method {
                            "GET" => {
                                let url = match path {
                                    "/api/v1/public/membership" | "/cek" => format!("{url}?q=Toko"),
                                    "/api/v1/stats/period" | "/api/v1/public/stats/period" => {
                                        format!("{url}?from=2026-01-01&to=2026-11-23")
                                    }
                                    _ => url,
                                };
                                app.as_(&creds).get(&url).await
                            }
                            "PATCH" => {
                                let body = if path.starts_with("/api/v1/products/") {
                                    json!({"price": 12000})
                                } else {
                                    json!({"business_name": "Toko Baru"})
                                };
                                app.as_(&creds).patch_json(&url, &body, Some("*")).await
                            }
                            "PUT" => {
                                app.as_(&creds)
                                    .put_json(
                                        &url,
                                        &json!({"bank": "Bank DKI", "account_name": "Toko Matriks", "account_no": "1234567890"}),
                                    )
                                    .await
                            }
                            "DELETE" => app.as_(&creds).delete(&url).await,
                            "POST" if url.starts_with("/api/") => {
                                let body = if path == "/api/v1/members" {
                                    member_in(w.serial(), village)
                                } else if path.ends_with("{member_no}/products") {
                                    json!({"name": "Keripik Matriks", "category": "snacks", "unit": "pak", "price": 10000})
                                } else if path == "/api/v1/curation-calls" {
                                    json!({"title": "Kurasi matriks 2026", "opens_on": "2026-11-01", "closes_on": "2026-12-31", "region": "31.71", "places": 10})
                                } else if path.ends_with("curation-calls/{id}/submissions") {
                                    json!({"product_id": product_id})
                                } else if path.ends_with("/{action}") {
                                    json!({"note": "sudah diperiksa"})
                                } else if path.ends_with("/applications") {
                                    json!({"member_no": member_no})
                                } else if path.ends_with("/allocation") {
                                    json!({"booths": 1, "seed": "matriks"})
                                } else if path == "/api/v1/members/{member_no}/events" {
                                    json!({"kind": "mentoring_session", "occurred_on": "2026-11-23"})
                                } else if path == "/api/v1/members/{member_no}/permits" {
                                    json!({"type": "halal", "applied_on": "2026-11-23"})
                                } else if path == "/api/v1/members/{member_no}/mentor" {
                                    json!({"mentor": "mentor"})
                                } else if path == "/api/v1/members/{member_no}/mentoring-sessions" {
                                    json!({"held_on": "2026-11-23", "topics": ["finance"]})
                                } else if path == "/api/v1/follow-ups/{id}/done" {
                                    json!({})
                                } else if path == "/api/v1/market-events" {
                                    json!({"kind": "exhibition", "name": "Pameran Inacraft", "level": "national", "starts_on": "2026-12-01"})
                                } else if path == "/api/v1/courses" {
                                    json!({"title": "Pemasaran digital", "topic": "digital", "hours": 8})
                                } else if path.ends_with("/classes") {
                                    json!({"starts_on": "2026-12-01", "capacity": 20})
                                } else if path.ends_with("/enrolments") {
                                    json!({"member_no": member_no})
                                } else if path.ends_with("/attendance") {
                                    json!({"session": 1, "held_on": "2026-11-23", "members": [member_no]})
                                } else if path.ends_with("/complete") {
                                    json!({})
                                } else if path.ends_with("/financial-reports") {
                                    json!({"month": "2026-10", "sales": 5000000, "costs": 3000000, "employees": 1, "assets": 10000000})
                                } else if path == "/api/v1/targets" {
                                    json!({"indicator": "registered_members", "value": 200000, "deadline": "2022-12-31", "source": "RPJMD 2017–2022"})
                                } else if path == "/api/v1/financing-partners" {
                                    json!({"code": "KOPMATRIX", "name": "Koperasi Matriks", "kind": "cooperative"})
                                } else if path.ends_with("/referrals") {
                                    json!({"partner": jakpreneur_testkit::TEST_PARTNER, "purpose": "Modal kerja", "amount_requested": 1000000, "consent": true})
                                } else if path.ends_with("/referrals/{id}/decision") {
                                    json!({"decision": "rejected", "reason": "dokumen belum lengkap"})
                                } else if path.ends_with("/disbursement") {
                                    json!({"amount": 1000, "loan_reference": "KUR-1"})
                                } else if path.ends_with("/participants") {
                                    json!({"member_no": member_no})
                                } else if path.ends_with("/decision") {
                                    json!({"decision": "reject", "reason": "incomplete documents"})
                                } else {
                                    json!({"reason": "matrix test"})
                                };
                                app.as_(&creds).post_json(&url, &body).await
                            }
                            _ => {
                                let body: Vec<(String, String)> = if path == "/members" {
                                    let m = member_in(w.serial(), village);
                                    m.as_object()
                                        .unwrap()
                                        .iter()
                                        .map(|(k, v)| {
                                            let v = match v {
                                                serde_json::Value::Bool(true) => "yes".to_owned(),
                                                v => v.as_str().unwrap_or_default().to_owned(),
                                            };
                                            (k.clone(), v)
                                        })
                                        .collect()
                                } else {
                                    vec![
                                        ("reason".into(), "matrix test".into()),
                                        ("name".into(), "matrix".into()),
                                        ("current_password".into(), "not-the-password".into()),
                                        ("new_password".into(), "x".into()),
                                        ("confirm_password".into(), "x".into()),
                                        ("kind".into(), "outlet".into()),
                                        ("occurred_on".into(), "2026-11-23".into()),
                                        ("type".into(), "sni".into()),
                                        ("applied_on".into(), "2026-11-23".into()),
                                        ("decision".into(), "process".into()),
                                        ("member_no".into(), member_no.clone()),
                                        ("mentor".into(), "mentor".into()),
                                        ("held_on".into(), "2026-11-23".into()),
                                        ("topics".into(), "finance".into()),
                                        ("starts_on".into(), "2026-12-01".into()),
                                        ("title".into(), "Kursus matriks".into()),
                                        ("topic".into(), "digital".into()),
                                        ("hours".into(), "8".into()),
                                        ("capacity".into(), "10".into()),
                                        ("session".into(), "1".into()),
                                        ("present".into(), member_no.clone()),
                                        ("month".into(), "2026-10".into()),
                                        ("sales".into(), "1000".into()),
                                        ("costs".into(), "500".into()),
                                        ("employees".into(), "1".into()),
                                        ("assets".into(), "1000".into()),
                                        ("partner".into(), jakpreneur_testkit::TEST_PARTNER.into()),
                                        ("purpose".into(), "Modal kerja".into()),
                                        ("amount_requested".into(), "1000000".into()),
                                        ("consent".into(), "yes".into()),
                                        ("code".into(), "KOPFORM".into()),
                                        ("amount".into(), "1000".into()),
                                        ("loan_reference".into(), "KUR-1".into()),
                                        ("unit".into(), "pak".into()),
                                        ("price".into(), "10000".into()),
                                        ("category".into(), "snacks".into()),
                                        ("bank".into(), "Bank DKI".into()),
                                        ("account_name".into(), "Toko Matriks".into()),
                                        ("account_no".into(), "1234567890".into()),
                                        ("call_id".into(), call_id.to_string()),
                                        ("opens_on".into(), "2026-11-01".into()),
                                        ("closes_on".into(), "2026-12-31".into()),
                                        ("region".into(), "31.71".into()),
                                        ("places".into(), "10".into()),
                                        ("note".into(), "sudah diperiksa".into()),
                                        ("booths".into(), "1".into()),
                                        ("seed".into(), "matriks".into()),
                                    ]
                                };
                                let refs: Vec<(&str, &str)> =
                                    body.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                                app.as_(&creds).post_form(&url, &refs).await
                            }
                        };
                        (res.status, res.header("location"))
                    }
                };
                let got = classify(path, status, location.as_deref());
                cases += 1;
                if got != expected {
                    failures.push(format!(
                        "{method} {path} as {r:?} ({}): expected {expected:?}, got {got:?} ({status})",
                        if inside { "inside" } else { "outside" }
                    ));
                }
            }
        }
    }
    assert_eq!(cases, ROUTES.len() * ROLES.len() * 2);
    let unique: BTreeSet<_> = ROUTES.iter().collect();
    assert_eq!(unique.len(), ROUTES.len(), "each route once in the matrix");
    assert!(
        failures.is_empty(),
        "{} of {cases} cases wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The member's own record was never erased or withdrawn by the matrix.
    let own = app
        .get(&format!("/api/v1/members/{}", w.own_no))
        .await
        .json();
    assert_eq!(own["status"], "active");
}

/// Lists carry only what the scope covers, whatever the filter asks for.
async fn lists_show_only_the_region(app: TestApp) {
    let w = world(&app).await;
    let (out_no, _) = register(&app, &w, OUT_VILLAGE).await;
    let (in_no, _) = register(&app, &w, IN_VILLAGE).await;
    for (r, sees_out) in [
        (Province, true),
        (City, false),
        (District, false),
        (Trainer, false),
        (Member, false),
    ] {
        let c = w.creds(r);
        for url in [
            "/api/v1/members?limit=500",
            "/api/v1/members?region=31.74&limit=500",
        ] {
            let v = app.as_(&c).get(url).await.json();
            let nos: Vec<&str> = v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["member_no"].as_str().unwrap())
                .collect();
            assert_eq!(
                nos.contains(&out_no.as_str()),
                sees_out,
                "{r:?} {url}: {nos:?}"
            );
            if r == Member {
                assert!(
                    nos.iter().all(|n| *n == w.own_no),
                    "a member sees only itself: {nos:?}"
                );
            } else if !url.contains("31.74") {
                assert!(
                    nos.contains(&in_no.as_str()),
                    "{r:?} sees its region: {nos:?}"
                );
            }
            for m in v["items"].as_array().unwrap() {
                assert!(
                    m["nik"].as_str().unwrap().contains("**********"),
                    "NIK masked in lists"
                );
            }
        }
        let page = app.as_(&c).get("/members?limit=500").await.text();
        assert_eq!(page.contains(&out_no), sees_out, "{r:?} page list");
    }
}

/// A product of `member_no` with one photo, and a call for curation open today that
/// takes it.
async fn catalogue_fixture(app: &TestApp, member_no: &str) -> (i64, i64) {
    use jakpreneur_core::catalogue::{NewProduct, ProductDraft};
    use jakpreneur_core::curation::{CallDraft, NewCall};
    let sys = jakpreneur_core::Actor::system("test");
    let p = NewProduct::parse(&ProductDraft {
        name: Some("Kue Matriks".into()),
        category: Some("snacks".into()),
        unit: Some("kotak".into()),
        price: Some("25000".into()),
        ..Default::default()
    })
    .unwrap();
    let p = app.store.create_product(&sys, member_no, &p).await.unwrap();
    let photo =
        jakpreneur_store::media::check_photo("photo", jakpreneur_testkit::TINY_PNG).unwrap();
    app.store.add_photo(&sys, p.id, &photo).await.unwrap();
    let c = NewCall::parse(&CallDraft {
        title: Some("Kurasi matriks".into()),
        opens_on: Some("2026-11-01".into()),
        closes_on: Some("2026-12-31".into()),
        places: Some("1000".into()),
        ..Default::default()
    })
    .unwrap();
    let c = app
        .store
        .create_call(&sys, &c, jakpreneur_testkit::today())
        .await
        .unwrap();
    (p.id, c.id)
}
