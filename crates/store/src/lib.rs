//! Every SQL statement of Jakpreneur. One [`Store`] over SQLite (a single file, one writer
//! connection and a pool of readers) or PostgreSQL, chosen at run time from the URL. The
//! same SQL text runs on both wherever the dialects agree (`$1` placeholders work on both);
//! each store function is written once, as a plain `async fn` that builds a statement with
//! [`query`](crate::query) and runs it on a transaction or a pool, whichever the backend.

mod access;
mod accounts;
mod audit;
mod catalogue;
mod corrections;
mod counters;
pub mod crypto;
mod db;
mod disclosure;
pub(crate) mod eorder;
mod error;
mod facts;
mod fairs;
mod file_import;
mod finance;
mod financing;
mod gauges;
mod import;
mod keys;
mod ledger;
mod market;
pub mod media;
mod members;
mod mentoring;
mod permits;
mod programmes;
mod query;
mod reference;
pub mod scratch;
mod stats;
mod targets;
mod training;
mod transfer;
mod words;

pub use accounts::{
    AccountPolicy, ApiToken, CHALLENGE_MINUTES, Enrolment, LoginStep, NewUser, SIGNUP_CODE_MINUTES,
    Session, SignupStart, TwoFactorStatus, User, totp_code,
};
pub use audit::{AuditEntry, AuditFilter, AuditPage, ChainCheck, ChainHead, Checkpoint};
pub use catalogue::{
    BankAccount, Call, CatalogueItem, CataloguePage, CatalogueQuery, CatalogueSort, CurationQueue,
    ListedProduct, NewBankAccount, Photo, PricePoint, Product, ProductFilter, Step, Submission,
};
pub use corrections::RecordRef;
pub use counters::StatsCheck;
pub use crypto::{DataKey, Vault};
pub use db::{Backend, ConnectOptions, Store, redact_url};
pub use eorder::{
    BuyerUnit, Complaint, EorderFigures, EorderStats, Notification, Order, OrderFilter, OrderLine,
    OrderRating, OrderStep, Package, PaidLine, PaidOrder, Payment, PaymentDocument, PaymentUpload,
    PlacedOrder, Seat,
};
pub use error::StoreError;
pub use fairs::{Allocation, Application, parse_seed};
pub use file_import::{BATCH as IMPORT_BATCH, ImportKind, ImportRequest, ImportSummary};
pub use finance::{FinancialReport, MemberSize, NewReport};
pub use financing::{
    Decision, MAX_FINANCING, NewReferral, PARTNER_KINDS, Partner, Referral, parse_disbursement,
    parse_partner,
};
pub use gauges::{Gauges, PoolUse};
pub use import::ImportedEvent;
pub use ledger::{Event, ImportedService, Reached, ServiceOutcome, ServicePage, Void};
pub use market::{MarketEvent, NewMarketEvent};
pub use members::{
    Member, MemberExport, MemberFilter, MemberPage, MemberSort, Page, Personal, PublicMember,
};
pub use mentoring::{FollowUp, MentoringSession, NewMentoringSession, TOPICS};
pub use permits::{Permit, PermitDecision};
pub use programmes::{
    ClassSession, ClassTrainee, EnrolmentEvent, EnrolmentFilter, EnrolmentPage, FairApplication,
    FairVacancy, JakpreneurReferral, JobClass, JobFair, Placement, PlacementGroup, PlacementReport,
    ProgrammeEnrolment, StageCount, StageReached, StageRelease, TraineeApplication, TraineeClass,
    TrainingCentre,
};
pub use stats::{
    Breakdown, ByFacility, COHORT_WINDOWS, Cohort, CohortStage, Flows, Grouped, PeriodCounts,
    Stocks, facilities_of, kinds_of, period_of, zeroes,
};
pub use targets::Target;
pub use training::{Class, Completion, Course, MemberClass, RosterRow};
pub use transfer::Copied;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
