//! API errors and their JSON shape (fixed: docs/ARCHITECTURE.md, "Fixed conventions"):
//! `{"error": {"code": "snake_case", "message": "…", "field": "nik"}}`, plus `details` with
//! every invalid field when there are several, and `member_no` / `current_version` where
//! they help the client recover. Internal causes are logged once; clients get an opaque
//! message.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jakpreneur_core::{FieldError, ValidationErrors};
use jakpreneur_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code, e.g. `duplicate_nik`, `nik_format`, `stale_version`.
    pub code: String,
    pub message: String,
    /// The request field at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every invalid field, when a record was refused.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<FieldDetail>,
    /// With `duplicate_nik`: the member already registered with this NIK.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_no: Option<String>,
    /// With `stale_version`: the record's current version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldDetail {
    pub field: String,
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    /// Boxed: errors travel through `Result`s on every request path.
    pub body: Box<ErrorDetail>,
    pub retry_after: Option<u64>,
    /// Adds `WWW-Authenticate: Bearer` (a 401 from the API).
    pub www_authenticate: bool,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: Box::new(ErrorDetail {
                code: code.to_owned(),
                message: message.into(),
                field: None,
                details: Vec::new(),
                member_no: None,
                current_version: None,
            }),
            www_authenticate: false,
            retry_after: None,
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.body.field = Some(field.into());
        self
    }

    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "no such resource")
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error; it has been logged",
        )
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        ValidationErrors::from(e).into()
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(errs: ValidationErrors) -> Self {
        let first = errs
            .first()
            .cloned()
            .unwrap_or_else(|| FieldError::new("", "invalid", "invalid input"));
        let mut e = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, first.code, first.message)
            .with_field(first.field);
        if errs.0.len() > 1 {
            e.body.details = errs
                .0
                .iter()
                .map(|f| FieldDetail {
                    field: f.field.to_owned(),
                    code: f.code.to_owned(),
                    message: f.message.clone(),
                })
                .collect();
        }
        e
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::DuplicateNik { member_no } => {
                let message = match &member_no {
                    Some(no) => format!("a member with this NIK is already registered as {no}"),
                    None => "a member with this NIK is already registered, outside your region"
                        .to_owned(),
                };
                let mut a =
                    ApiError::new(StatusCode::CONFLICT, "duplicate_nik", message).with_field("nik");
                a.body.member_no = member_no;
                a
            }
            StoreError::AlreadyEnrolled { enrolment_no } => {
                let message = match &enrolment_no {
                    Some(no) => format!("a person with this NIK is already enrolled as {no}"),
                    None => {
                        "a person with this NIK is already enrolled, outside your region".to_owned()
                    }
                };
                ApiError::new(StatusCode::CONFLICT, "already_enrolled", message).with_field("nik")
            }
            StoreError::NotFound => ApiError::not_found(),
            StoreError::Forbidden(why) => ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!("not allowed: {why}"),
            ),
            StoreError::BadCredentials => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "bad_credentials",
                "the username or password is wrong, or the account is locked for a while",
            ),
            StoreError::Erased => ApiError::new(
                StatusCode::CONFLICT,
                "member_erased",
                "the member's personal data has been erased; the record can no longer change",
            ),
            StoreError::Invalid(errs) => ApiError::from(errs),
            StoreError::PermitDecided(status) => ApiError::new(
                StatusCode::CONFLICT,
                "permit_decided",
                format!("the application is already {status}"),
            ),
            StoreError::AlreadyVoided => ApiError::new(
                StatusCode::CONFLICT,
                "already_voided",
                "the event has already been voided",
            ),
            StoreError::StaleVersion { current } => {
                let mut a = ApiError::new(
                    StatusCode::CONFLICT,
                    "stale_version",
                    format!("the record was changed by someone else; it is now at version {current}: reload it and retry"),
                )
                .with_field("If-Match");
                a.body.current_version = Some(current);
                a
            }
            StoreError::AlreadyWithdrawn => ApiError::new(
                StatusCode::CONFLICT,
                "already_withdrawn",
                "the member has already withdrawn",
            ),
            StoreError::Unavailable(why) => {
                tracing::warn!(%why, "store unavailable");
                let mut a = ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "the database is busy; retry shortly",
                );
                a.retry_after = Some(1);
                a
            }
            StoreError::Database(sqlx::Error::PoolTimedOut) => {
                tracing::warn!("database pool timed out");
                let mut a = ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "the database is busy; retry shortly",
                );
                a.retry_after = Some(2);
                a
            }
            other => {
                tracing::error!(error = %other, "store error");
                ApiError::internal()
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = (self.status, axum::Json(ErrorBody { error: *self.body })).into_response();
        if let Some(s) = self.retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        if self.www_authenticate {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"jakpreneur\""),
            );
        }
        res
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
