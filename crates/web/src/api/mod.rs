//! The JSON API under `/api/v1`. Each module owns one resource; handlers are thin:
//! extract → core/store → view.

pub mod audit;
pub mod catalogue;
pub mod curation;
pub mod enrolments;
pub mod eorder;
pub mod events;
pub mod finance;
pub mod financing;
pub mod job_classes;
pub mod job_fairs;
pub mod market;
pub mod members;
pub mod mentoring;
pub mod ocds;
pub mod permits;
pub mod public;
pub mod regions;
pub mod stats;
pub mod targets;
pub mod training;

use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Jakpreneur API",
        description = "Member registry and services of Jakarta's entrepreneurship programme. \
            Errors: `{\"error\": {\"code\", \"message\", \"field\"}}` with 400 (malformed), 401 (no or bad token), 403 (not allowed), 404, \
            409 (duplicate or stale version), 413, 415, 422 (invalid value), 428 (If-Match missing).",
        license(name = "AGPL-3.0-or-later")
    ),
    tags(
        (name = "members", description = "Facility P1: the member registry"),
        (name = "reference", description = "Regions and business sectors"),
        (name = "ledger", description = "Services members receive (facilities P1–P7), append-only"),
        (name = "permits", description = "Facility P4: permit applications and their outcome"),
        (name = "catalogue", description = "Facility P5: members' products, photos, bank accounts, listing, and the public e-catalogue"),
        (name = "curation", description = "Facilities P3/P5: calls for curation and the chain mentor → district → department → curator"),
        (name = "e-order", description = "Government units buy from members: buying units, packages (PA/KPA → PPK → procurement officer), orders, receipt (BAST), payment with computed taxes, ratings and complaints"),
        (name = "market", description = "Facility P5: bazaars, exhibitions, outlets and their participants"),
        (name = "mentoring", description = "Facility P3: mentors, sessions and follow-ups"),
        (name = "training", description = "Facility P2 and P6's finance classes: courses, classes, enrolment, attendance, completion"),
        (name = "finance", description = "Facility P6: monthly financial reports and the size class they imply"),
        (name = "financing", description = "Facility P7: financing partners, referrals, decisions and disbursements"),
        (name = "programmes", description = "Programmes beside Jakpreneur (job training and placement): enrolments of one person per NIK, their services, placements, withdrawal and referral to Jakpreneur"),
        (name = "statistics", description = "Figures from the daily aggregates; definitions in docs/indicators.md and GET /api/v1/indicators"),
        (name = "public", description = "Open to anyone, rate limited, no personal data"),
        (name = "audit", description = "The audit log and the calling account")
    ),
    components(schemas(crate::error::ErrorBody)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

/// Declares the `bearer` security scheme the routes refer to.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API token from `jakpreneur token create` or the account page",
                    ))
                    .build(),
            ),
        );
    }
}
