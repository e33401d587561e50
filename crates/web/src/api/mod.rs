//! The JSON API under `/api/v1`. Each module owns one resource; handlers are thin:
//! extract → core/store → view.

pub mod members;
pub mod regions;

use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Jakpreneur API",
        description = "Member registry and services of Jakarta's entrepreneurship programme. \
            Errors: `{\"error\": {\"code\", \"message\", \"field\"}}` with 400 (malformed), 404, \
            409 (duplicate or stale version), 413, 415, 422 (invalid value), 428 (If-Match missing).",
        license(name = "AGPL-3.0-or-later")
    ),
    tags(
        (name = "members", description = "Facility P1: the member registry"),
        (name = "reference", description = "Regions and business sectors")
    ),
    components(schemas(crate::error::ErrorBody))
)]
pub struct ApiDoc;
