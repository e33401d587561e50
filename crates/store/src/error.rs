//! Store errors: the outcomes a caller must handle (duplicate, missing, stale) and the
//! internal ones (database down, corrupt row) that become an opaque 500 upstream.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The NIK is on file: `member_no` names the member when it lies inside the actor's
    /// scope, and is `None` when it does not (the number would tell an officer who, in
    /// another region, holds a NIK).
    #[error("a member with this NIK is already registered")]
    DuplicateNik { member_no: Option<String> },
    /// The person is enrolled in the programme already: `enrolment_no` when the
    /// enrolment lies inside the actor's scope.
    #[error("this person is already enrolled in the programme")]
    AlreadyEnrolled { enrolment_no: Option<String> },
    #[error("not found")]
    NotFound,
    /// The actor lacks the permission, or the record lies outside its scope.
    #[error("not allowed: {0}")]
    Forbidden(String),
    #[error("data key: {0}")]
    Key(String),
    #[error("the record has changed: it is now at version {current}")]
    StaleVersion { current: i64 },
    #[error("the member has already withdrawn")]
    AlreadyWithdrawn,
    #[error("the member's personal data has been erased; the record can no longer change")]
    Erased,
    #[error("the event has already been voided")]
    AlreadyVoided,
    /// The permit application was already decided (its status is given).
    #[error("the permit application is already {0}")]
    PermitDecided(String),
    /// The record that a change would produce breaks a rule; every field is named.
    #[error("invalid: {0:?}")]
    Invalid(jakpreneur_core::ValidationErrors),
    /// Login refused. Deliberately says nothing about why (unknown user, wrong password,
    /// locked or disabled account).
    #[error("the username or password is wrong, or the account is locked")]
    BadCredentials,
    #[error(
        "the database schema is not up to date: run `jakpreneur migrate` (applied: {applied}, \
            expected: {expected})"
    )]
    NotMigrated { applied: i64, expected: i64 },
    #[error(
        "database URL {0:?} is neither a SQLite path (sqlite:…) nor a PostgreSQL URL (postgres://…)"
    )]
    InvalidUrl(String),
    #[error("temporarily unavailable: {0}")]
    Unavailable(String),
    #[error("a stored row is not valid: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// A 422 naming one field.
    pub fn invalid(field: &'static str, code: &'static str, message: impl Into<String>) -> Self {
        StoreError::Invalid(jakpreneur_core::FieldError::new(field, code, message).into())
    }

    pub(crate) fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}
