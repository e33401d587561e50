//! The command line, declared with clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "jakpreneur",
    version,
    about = "Jakarta's entrepreneurship programme: member registry and services"
)]
pub struct Cli {
    /// Database: a SQLite file path (default jakpreneur.db) or postgres://user@host/db.
    #[arg(long, global = true, env = "JAKPRENEUR_DB")]
    pub db: Option<String>,
    /// A TOML configuration file (default: jakpreneur.toml if present).
    #[arg(long, global = true, env = "JAKPRENEUR_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant, reason = "parsed once at start-up")]
pub enum Command {
    /// Serve the web pages and the JSON API.
    Serve(ServeArgs),
    /// Apply database migrations and load the reference data.
    Migrate,
    /// Add realistic demo members.
    Demo(DemoArgs),
    /// Register, show and list members (for scripts).
    #[command(subcommand)]
    Member(MemberCommand),
    /// Record, list and void services in the ledger (facilities P2–P7).
    #[command(subcommand)]
    Event(EventCommand),
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Manage financing partners (facility P7).
    #[command(subcommand)]
    Partner(PartnerCommand),
    /// Members' products (the curated catalogue).
    #[command(subcommand)]
    Product(ProductCommand),
    /// Product curation: calls for curation.
    #[command(subcommand)]
    Curation(CurationCommand),
    /// e-order's buying units (government units and provincial companies).
    #[command(subcommand)]
    Unit(UnitCommand),
    /// e-order's notifications outbox.
    #[command(subcommand)]
    Notifications(NotificationsCommand),
    /// e-order's orders, for scripts and support.
    #[command(subcommand)]
    Order(OrderCommand),
    /// Check the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Programmes beside Jakpreneur: list them, or add one from definition files.
    #[command(subcommand)]
    Programme(ProgrammeCommand),
    /// Re-encrypt every NIK under a new data key and make it the key file (the old key
    /// is kept beside it as `<file>.old`).
    RotateKey,
    /// Statistics from the counters (definitions: docs/indicators.md).
    #[command(subcommand)]
    Report(ReportCommand),
    /// Recount the statistics counters from the raw records.
    #[command(subcommand)]
    Stats(StatsCommand),
    /// Record, list and withdraw the programme's targets.
    #[command(subcommand)]
    Target(TargetCommand),
    /// Measure performance.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Bring records in from a spreadsheet (CSV or XLSX), checked by the API's rules.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Move a whole installation from SQLite to PostgreSQL: every table into an empty,
    /// migrated PostgreSQL database (same ids, same data key), then checks the copy: the
    /// audit chain, every statistic against a recount, and every report compared with the
    /// source's. Stop the server first.
    MigrateData {
        /// The SQLite database (a file path or sqlite:// URL).
        #[arg(long)]
        from: String,
        /// The PostgreSQL database (postgres://…), created and empty.
        #[arg(long)]
        to: String,
    },
    /// A consistent copy of the SQLite database, taken while the server runs, into a new
    /// file (PostgreSQL: pg_dump, see docs/operations.md). The data key is not in it.
    Backup {
        /// The new file (it must not exist).
        to: std::path::PathBuf,
    },
    /// Puts a backup in place as the database given by --db (which must not exist yet),
    /// then checks it: the audit chain and every statistic against a recount. Needs the
    /// data key the backup was made under.
    Restore {
        /// The backup file.
        from: std::path::PathBuf,
    },
    /// Write members or their services to a CSV or Excel file, page by page (a million
    /// members in constant memory). Every export is recorded in the audit log.
    #[command(subcommand)]
    Export(ExportCommand),
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Members with the members list's columns (no NIK, birth date or address).
    Members(ExportArgs),
    /// The members' standing services (not registration, not voided ones), with the
    /// columns `import events` reads back.
    Events(ExportArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The file to write; its extension (.csv or .xlsx) gives the format unless --format
    /// does. `-` writes CSV to standard output.
    pub out: std::path::PathBuf,
    #[arg(long, value_enum)]
    pub format: Option<ExportFormat>,
    #[command(flatten)]
    pub filter: MemberFilterArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Members: the API's field names as the header row (`nik,full_name,birth_date,sex,
    /// phone,email,address,village_code,business_name,sector,channel,registered_on,consent`)
    /// or the usual Indonesian ones (`Nama Lengkap`, `Tanggal Lahir`, `Kode Kelurahan`…);
    /// dates `yyyy-mm-dd` or `dd/mm/yyyy`. Exits 3 when some rows were refused.
    Members(ImportArgs),
    /// Services (the ledger's history): `member_no` (or `nik`), `kind`, `occurred_on`,
    /// `agency`, `place_code`, `reference` (and `facility`, `note`), or the usual Indonesian
    /// names (`Nomor Anggota`, `Jenis Layanan`, `Tanggal Kegiatan`, `Instansi`…); each row
    /// checked as `POST /api/v1/members/{member_no}/events` checks it. A service already on
    /// file (same member, kind, day, agency and reference) is left alone. Exits 3 when some
    /// rows were refused.
    Events(ImportArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file: CSV (comma or semicolon separated, UTF-8) or an Excel workbook (.xlsx,
    /// first sheet).
    pub file: std::path::PathBuf,
    /// Check every row and report, writing nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Where to write the refused rows and why (default: FILE.report.csv beside the file).
    #[arg(long)]
    pub report: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ProductCommand {
    /// Products, newest first: one line each (id, member, name, price, grade, catalogue).
    List {
        /// Only this member's products.
        #[arg(long)]
        member: Option<String>,
        /// Only products listed in the e-order catalogue.
        #[arg(long)]
        listed: bool,
        #[arg(long, default_value_t = 100)]
        limit: i64,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// One product with its photos, prices and curation submissions.
    Show {
        id: i64,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum UnitCommand {
    /// Add a buying unit; buyer accounts then belong to it (`user add --role buyer
    /// --unit CODE --buyer-role …`).
    Add(UnitAddArgs),
    /// Every buying unit, a parent before the units under it.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct UnitAddArgs {
    /// 2–30 capital letters, digits, '.' or '-', e.g. DPPKUKM.
    #[arg(long)]
    pub code: String,
    #[arg(long)]
    pub name: String,
    /// opd (a government unit) or bumd (a provincial company).
    #[arg(long)]
    pub kind: String,
    /// The code of the unit above it.
    #[arg(long)]
    pub parent: Option<String>,
    /// Its region code (province 31, a city, district or village).
    #[arg(long)]
    pub region: String,
    #[arg(long)]
    pub address: String,
    /// The bank of the account autodebit draws on.
    #[arg(long)]
    pub bank: String,
    #[arg(long)]
    pub account_no: String,
}

#[derive(Debug, Subcommand)]
pub enum OrderCommand {
    /// Orders, newest first.
    List {
        /// submitted, accepted, shipped, received, paid, declined or cancelled.
        #[arg(long)]
        state: Option<String>,
        /// A buying unit's code.
        #[arg(long)]
        unit: Option<String>,
        /// A supplier's member number.
        #[arg(long)]
        member: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
        #[arg(long)]
        json: bool,
    },
    /// One order with its lines, timeline and payment (JSON).
    Show { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum CurationCommand {
    /// Calls for curation.
    #[command(subcommand)]
    Call(CallCommand),
}

#[derive(Debug, Subcommand)]
pub enum CallCommand {
    /// Open a call for curation; prints its ID.
    Add(CallAddArgs),
    /// Every call, newest window first.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct CallAddArgs {
    #[arg(long)]
    pub title: String,
    /// First day members may submit (YYYY-MM-DD).
    #[arg(long)]
    pub opens_on: String,
    /// Last day members may submit (YYYY-MM-DD).
    #[arg(long)]
    pub closes_on: String,
    /// Province (default 31), city or district code.
    #[arg(long)]
    pub region: Option<String>,
    /// How many submissions the call takes.
    #[arg(long)]
    pub places: String,
    /// A category the call takes (repeat; none: every category).
    #[arg(long = "category")]
    pub categories: Vec<String>,
    /// Let curators grade submissions from their own region.
    #[arg(long)]
    pub allow_own_region_curators: bool,
}

#[derive(Debug, Subcommand)]
pub enum EventCommand {
    /// Record a service; prints the event's ID.
    Add(EventAddArgs),
    /// A member's services in date order, voided ones marked.
    List {
        member_no: String,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Void a service, with the reason.
    Void {
        member_no: String,
        id: i64,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Args)]
pub struct EventAddArgs {
    #[arg(long)]
    pub member_no: String,
    /// E.g. training_completed, mentoring_session, permit_issued, bazaar (docs/ledger.md).
    #[arg(long)]
    pub kind: String,
    /// YYYY-MM-DD.
    #[arg(long)]
    pub occurred_on: String,
    /// P2…P7, checked against the kind.
    #[arg(long)]
    pub facility: Option<String>,
    /// The district where it happened, e.g. 31.71.01.
    #[arg(long)]
    pub place_code: Option<String>,
    /// PPKUKM (default), PPAPP, KPKP, PAREKRAF, SOSIAL or NAKERTRANSGI.
    #[arg(long)]
    pub agency: Option<String>,
    /// Certificate, permit or loan number.
    #[arg(long)]
    pub reference: Option<String>,
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account. The password is read from the first line of standard input;
    /// for a `member` account the member's NIK from the second.
    Add(UserAddArgs),
    /// List accounts.
    List,
    /// Disable an account: its sessions end and its tokens stop working.
    Disable { username: String },
    /// Remove an account's two-step verification (for someone who lost both the phone and
    /// the recovery codes; check who they are first): its sessions end, and its next
    /// sign-in adds a new authenticator app where the role requires one.
    ResetTwoFactor { username: String },
}

#[derive(Debug, Subcommand)]
pub enum NotificationsCommand {
    /// Deliver one round of pending notifications through the configured channel
    /// (`eorder.notifications`: log, smtp or none); exit code 1 if any failed.
    Deliver,
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    #[arg(long)]
    pub username: String,
    /// admin, province_officer, city_officer, district_officer, trainer, mentor, curator,
    /// buyer, partner or member.
    #[arg(long)]
    pub role: String,
    /// Region code: a province, city or district officer's own level; any level for a
    /// trainer, mentor or curator.
    #[arg(long)]
    pub region: Option<String>,
    /// For a member account: the member number (the NIK comes on standard input).
    #[arg(long)]
    pub member_no: Option<String>,
    /// The agency (pengampu) a staff account belongs to: PPKUKM, PPAPP, KPKP, PAREKRAF,
    /// SOSIAL or NAKERTRANSGI. Services it records are credited there.
    #[arg(long)]
    pub agency: Option<String>,
    /// For a partner account: the code of its financing partner (see `partner add`).
    #[arg(long)]
    pub partner: Option<String>,
    /// For a buyer account: the code of its buying unit (see `unit add`).
    #[arg(long)]
    pub unit: Option<String>,
    /// For a buyer account: pa_kpa (budget holder), ppk (commitment officer),
    /// procurement_officer or treasurer.
    #[arg(long)]
    pub buyer_role: Option<String>,
    /// The address e-mail notifications to the account go to.
    #[arg(long)]
    pub email: Option<String>,
    /// Read the password from standard input (required: passwords never go on the
    /// command line, where other users can see them).
    #[arg(long, required = true)]
    pub password_stdin: bool,
}

#[derive(Debug, Subcommand)]
pub enum PartnerCommand {
    /// Add a financing partner.
    Add(PartnerAddArgs),
    /// List the financing partners.
    List,
}

#[derive(Debug, Args)]
pub struct PartnerAddArgs {
    /// 2–20 capital letters, digits or hyphens, e.g. BANKDKI.
    #[arg(long)]
    pub code: String,
    #[arg(long)]
    pub name: String,
    /// bank, fintech, cooperative or government_fund.
    #[arg(long)]
    pub kind: String,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token; the token alone is printed on the last line.
    Create {
        #[arg(long)]
        username: String,
        /// What the token is for.
        #[arg(long, default_value = "cli")]
        name: String,
    },
    /// Revoke a token by its ID.
    Revoke { id: i64 },
    /// List tokens (never the tokens themselves).
    List,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Re-walk every chain (hashes, seals, heads); names the first broken entry and exits
    /// 1 if there is one.
    Verify {
        /// A checkpoint file (or an application log holding checkpoint lines): the log
        /// must still pass through every head recorded there.
        #[arg(long)]
        checkpoints: Option<std::path::PathBuf>,
    },
    /// Write a signed checkpoint of every chain's head: appended to the checkpoint file
    /// (default: `security.audit_checkpoint_file`) and printed. The server writes one at
    /// start and every `security.audit_checkpoint_minutes`.
    Checkpoint {
        /// Append to this file instead; `-` prints only.
        #[arg(long)]
        file: Option<std::path::PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long)]
    pub listen: Option<String>,
    /// Fill an empty database with 10,000 demo members first.
    #[arg(long)]
    pub demo: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// How many members to add.
    #[arg(long, default_value_t = 10_000)]
    pub members: u64,
    /// Random seed (default: derived from the members already present).
    #[arg(long)]
    pub seed: Option<u64>,
}

#[derive(Debug, Subcommand)]
pub enum MemberCommand {
    /// Register a member; prints its member number.
    Add(MemberAddArgs),
    /// Show one member.
    Show {
        member_no: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// List members, most recently recorded first.
    List(MemberListArgs),
}

#[derive(Debug, Args)]
pub struct MemberAddArgs {
    #[arg(long)]
    pub nik: Option<String>,
    #[arg(long)]
    pub full_name: Option<String>,
    /// YYYY-MM-DD.
    #[arg(long)]
    pub birth_date: Option<String>,
    /// F or M.
    #[arg(long)]
    pub sex: Option<String>,
    #[arg(long)]
    pub phone: Option<String>,
    #[arg(long)]
    pub email: Option<String>,
    #[arg(long)]
    pub address: Option<String>,
    /// Village code, e.g. 31.71.01.1001.
    #[arg(long)]
    pub village_code: Option<String>,
    #[arg(long)]
    pub business_name: Option<String>,
    /// KBLI 2020 section letter.
    #[arg(long)]
    pub sector: Option<String>,
    /// centre or online (default centre).
    #[arg(long)]
    pub channel: Option<String>,
    /// YYYY-MM-DD (default today).
    #[arg(long)]
    pub registered_on: Option<String>,
    /// The applicant agreed to the processing of their personal data (required).
    #[arg(long)]
    pub consent: bool,
    /// Print the whole record as JSON instead of the member number.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum TargetCommand {
    /// Record a target; prints its progress.
    Add(TargetAddArgs),
    /// Every target in force with its progress (as `report targets`).
    List,
    /// Withdraw a target by its ID.
    Withdraw { id: i64 },
}

#[derive(Debug, Args)]
pub struct TargetAddArgs {
    /// An indicator code of docs/indicators.md, e.g. registered_members, reached_p7,
    /// first_reached_p2, mentored_members.
    #[arg(long)]
    pub indicator: String,
    #[arg(long)]
    pub value: i64,
    /// YYYY-MM-DD.
    #[arg(long)]
    pub deadline: String,
    /// Where the promise comes from, e.g. "RPJMD 2017–2022".
    #[arg(long)]
    pub source: String,
    /// First day counted, for a target over a period.
    #[arg(long)]
    pub from: Option<String>,
    #[arg(long)]
    pub region: Option<String>,
    #[arg(long)]
    pub agency: Option<String>,
    /// A mentor's username, for mentored_members.
    #[arg(long)]
    pub mentor: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum StatsCommand {
    /// Recount every counter from the members and their services and compare with what
    /// is stored; exits 1 naming the first differences.
    Verify,
    /// Replace every counter by the recount (stop the server first).
    Rebuild,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// The facility release: members who reached each facility as of a date.
    Facilities(ReportAsOfArgs),
    /// The funnel: each facility with its share of registrants and of the previous one.
    Funnel(ReportAsOfArgs),
    /// Every stock indicator as of a date: registered, active, each facility, at least k
    /// facilities, naik kelas.
    Summary(ReportAsOfArgs),
    /// A period: new registrants, members first reaching each facility, and services.
    Period(ReportPeriodArgs),
    /// Cohorts by registration month: shares reaching each facility within 3, 6, 12 and
    /// 24 months, and the median days.
    Cohort(ReportCohortArgs),
    /// Targets with their progress and the date each is reached at the last year's pace.
    Targets(ReportOutput),
}

/// What every report takes besides its dates.
#[derive(Debug, Args)]
pub struct ReportOutput {
    /// A province, city, district or village code (default the whole province).
    #[arg(long)]
    pub region: Option<String>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Write to this file instead of standard output (required for xlsx).
    #[arg(long)]
    pub out: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReportAsOfArgs {
    /// The date counted up to, included (default today).
    #[arg(long)]
    pub as_of: Option<String>,
    /// Also count each group: city, district, village, agency, sector or year.
    #[arg(long)]
    pub group_by: Option<String>,
    #[command(flatten)]
    pub output: ReportOutput,
}

#[derive(Debug, Args)]
pub struct ReportPeriodArgs {
    /// First day, included.
    #[arg(long)]
    pub from: String,
    /// Last day, included.
    #[arg(long)]
    pub to: String,
    /// Also count each group: city, district, village, agency, sector or year.
    #[arg(long)]
    pub group_by: Option<String>,
    #[command(flatten)]
    pub output: ReportOutput,
}

#[derive(Debug, Args)]
pub struct ReportCohortArgs {
    /// First registration month, YYYY-MM (default 23 months ago).
    #[arg(long)]
    pub from: Option<String>,
    /// Last registration month, YYYY-MM (default this month).
    #[arg(long)]
    pub to: Option<String>,
    #[command(flatten)]
    pub output: ReportOutput,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Table,
    Json,
    Csv,
    Xlsx,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
    Csv,
}

/// Which members: the filters of the members list.
#[derive(Debug, Args)]
pub struct MemberFilterArgs {
    /// Region code at any level (31, 31.71, 31.71.01, 31.71.01.1001).
    #[arg(long)]
    pub region: Option<String>,
    #[arg(long)]
    pub registered_from: Option<String>,
    #[arg(long)]
    pub registered_to: Option<String>,
    #[arg(long)]
    pub sector: Option<String>,
    /// active or withdrawn.
    #[arg(long)]
    pub status: Option<String>,
    /// A member number, a phone, or the start of words of the name or business name.
    #[arg(long)]
    pub q: Option<String>,
}

impl MemberFilterArgs {
    /// The filters as the members list's query, with its paging and order.
    pub fn query(
        self,
        limit: Option<String>,
        after: Option<String>,
        sort: Option<String>,
    ) -> jakpreneur_web::views::MemberQuery {
        jakpreneur_web::views::MemberQuery {
            region: self.region,
            registered_from: self.registered_from,
            registered_to: self.registered_to,
            sector: self.sector,
            status: self.status,
            q: self.q,
            limit,
            after,
            sort,
        }
    }
}

#[derive(Debug, Args)]
pub struct MemberListArgs {
    #[command(flatten)]
    pub filter: MemberFilterArgs,
    /// 1-500.
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
    /// The cursor printed after the previous page.
    #[arg(long)]
    pub after: Option<String>,
    /// newest (default), oldest, or business (business name A–Z).
    #[arg(long)]
    pub sort: Option<String>,
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Registrations per second and latency through the HTTP API, on a fresh database.
    Register(BenchRegisterArgs),
    /// Browser logins per second and latency (POST /login, with the configured argon2id
    /// cost) through the web router, on a fresh database. Rate limits are lifted for the
    /// measurement.
    Login(BenchLoginArgs),
    /// The cost of the region-scope filter on the member list: list queries as an
    /// administrator, a city officer, a district officer and a member, on a fresh
    /// database filled with demo members.
    Scope(BenchScopeArgs),
    /// Services recorded per second through `POST /api/v1/members/{member_no}/events`,
    /// on a fresh database filled with demo members.
    Events(BenchEventsArgs),
    /// Each statistics report's latency (p50, p95) for the province and one district, on
    /// a fresh database of demo members with services, or on `--db` with `--existing`.
    Reports(BenchReportsArgs),
    /// Catalogue search latency (p50, p95) for word queries with two filters, on a fresh
    /// database of demo members with listed products.
    Catalogue(BenchCatalogueArgs),
    /// e-order: orders placed per second and latency through `POST /api/v1/orders`, then
    /// the e-order statistics' latency (p50, p95) after paid orders of the past year are
    /// loaded, on a fresh database of demo members with listed products.
    Eorder(BenchEorderArgs),
    /// Member search latency (p50, p95) as the members page and the header's search box
    /// run it (number, phone, NIK, names), on a fresh database of demo members or on
    /// `--db` with `--existing`.
    Search(BenchSearchArgs),
}

#[derive(Debug, Args)]
pub struct BenchSearchArgs {
    /// Demo members to fill the fresh database with.
    #[arg(long, default_value_t = 1_000_000)]
    pub members: u64,
    /// Measure the database given with --db as it is, without filling a fresh one.
    #[arg(long)]
    pub existing: bool,
    /// Timed runs of each search for each actor (after the warm-up).
    #[arg(long, default_value_t = 100)]
    pub iterations: u32,
    /// Warm-up runs of each search for each actor, not timed.
    #[arg(long, default_value_t = 5)]
    pub warmup: u32,
}

#[derive(Debug, Args)]
pub struct BenchEorderArgs {
    /// Demo members (the suppliers).
    #[arg(long, default_value_t = 2_000)]
    pub members: u64,
    /// Listed products to order from.
    #[arg(long, default_value_t = 10_000)]
    pub products: u64,
    /// Orders to time through the API (after the warm-up).
    #[arg(long, default_value_t = 20_000)]
    pub requests: u64,
    /// Concurrent clients, each a procurement officer of its own buying unit.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Warm-up orders, not timed.
    #[arg(long, default_value_t = 1_000)]
    pub warmup: u64,
    /// Paid orders of the past year to load before timing the statistics (0: skip).
    #[arg(long, default_value_t = 1_000_000)]
    pub orders: u64,
    /// Timed runs of each statistics query.
    #[arg(long, default_value_t = 50)]
    pub iterations: u32,
}

#[derive(Debug, Args)]
pub struct BenchReportsArgs {
    /// Demo members to fill the fresh database with.
    #[arg(long, default_value_t = 100_000)]
    pub members: u64,
    /// Measure the database given with --db as it is, without filling a fresh one.
    #[arg(long)]
    pub existing: bool,
    /// Timed runs of each report.
    #[arg(long, default_value_t = 50)]
    pub iterations: u32,
    /// Warm-up runs of each report, not timed.
    #[arg(long, default_value_t = 3)]
    pub warmup: u32,
}

#[derive(Debug, Args)]
pub struct BenchCatalogueArgs {
    /// Listed products to load.
    #[arg(long, default_value_t = 100_000)]
    pub products: u64,
    /// Demo members the products belong to.
    #[arg(long, default_value_t = 20_000)]
    pub members: u64,
    /// Timed searches of each query shape.
    #[arg(long, default_value_t = 200)]
    pub iterations: u32,
}

#[derive(Debug, Args)]
pub struct BenchEventsArgs {
    /// Demo members to fill the database with.
    #[arg(long, default_value_t = 100_000)]
    pub members: u64,
    /// Events to time (after the warm-up).
    #[arg(long, default_value_t = 20_000)]
    pub requests: u64,
    /// Concurrent clients.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Warm-up events, not timed.
    #[arg(long, default_value_t = 1_000)]
    pub warmup: u64,
}

#[derive(Debug, Args)]
pub struct BenchRegisterArgs {
    /// Registrations to time (after the warm-up).
    #[arg(long, default_value_t = 20_000)]
    pub requests: u64,
    /// Concurrent clients.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Warm-up registrations, not timed.
    #[arg(long, default_value_t = 1_000)]
    pub warmup: u64,
}

#[derive(Debug, Args)]
pub struct BenchLoginArgs {
    /// Logins to time (after the warm-up).
    #[arg(long, default_value_t = 400)]
    pub requests: u64,
    /// Concurrent clients.
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    /// Warm-up logins, not timed.
    #[arg(long, default_value_t = 20)]
    pub warmup: u64,
}

#[derive(Debug, Args)]
pub struct BenchScopeArgs {
    /// Demo members to fill the database with.
    #[arg(long, default_value_t = 100_000)]
    pub members: u64,
    /// Timed runs of each query for each actor (after the warm-up).
    #[arg(long, default_value_t = 200)]
    pub iterations: u32,
    /// Warm-up runs of each query for each actor, not timed.
    #[arg(long, default_value_t = 20)]
    pub warmup: u32,
}

#[derive(Debug, Subcommand)]
pub enum ProgrammeCommand {
    /// Every programme the database holds, with its stages.
    List,
    /// Add (or extend) programmes from a directory holding programmes.csv, stages.csv,
    /// kinds.csv and rules.csv, in the form of crates/core/data/programmes/. No table is
    /// added: enrolments and services of every programme share theirs.
    Load {
        #[arg(long)]
        dir: std::path::PathBuf,
    },
    /// Enrol a person in a programme (default job training); prints the enrolment number.
    Enrol(EnrolArgs),
    /// Show an enrolment: the person (NIK masked), stages reached, services, placements.
    Show { enrolment_no: String },
    /// Record a service of the enrolment's programme.
    Record {
        enrolment_no: String,
        /// A kind of the programme (`jakpreneur programme list`), e.g. assessed_competent.
        #[arg(long)]
        kind: String,
        /// YYYY-MM-DD.
        #[arg(long)]
        on: String,
        /// The district where it happened, e.g. 31.71.01.
        #[arg(long)]
        place: Option<String>,
        /// Certificate or class number.
        #[arg(long)]
        reference: Option<String>,
    },
    /// Record where a trainee went: hired (with --employer), self_employed, not_placed.
    Place {
        enrolment_no: String,
        #[arg(long)]
        outcome: String,
        #[arg(long)]
        employer: Option<String>,
        /// YYYY-MM-DD.
        #[arg(long)]
        on: String,
        /// below_min, min_to_1_5 or above_1_5.
        #[arg(long)]
        wage_band: Option<String>,
    },
    /// Training centres: list them, or add one.
    #[command(subcommand)]
    Centre(CentreCommand),
    /// Job-training classes: open, schedule sessions, enrol, attendance, assessment.
    #[command(subcommand)]
    Class(ClassCommand),
    /// Job fairs: announce, vacancies, applications, decisions.
    #[command(subcommand)]
    Fair(FairCommand),
    /// Job training's placement_rate (docs/indicators.md), exact, with its counts.
    Placement {
        /// Default today.
        #[arg(long)]
        as_of: Option<String>,
        /// Only trainees who completed training on or after this date.
        #[arg(long)]
        from: Option<String>,
        /// A city or district code; default the province.
        #[arg(long)]
        region: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct EnrolArgs {
    /// The programme's code.
    #[arg(long, default_value = "pelatihan_kerja")]
    pub programme: String,
    #[arg(long)]
    pub nik: Option<String>,
    #[arg(long)]
    pub full_name: Option<String>,
    /// YYYY-MM-DD.
    #[arg(long)]
    pub birth_date: Option<String>,
    /// F or M.
    #[arg(long)]
    pub sex: Option<String>,
    #[arg(long)]
    pub phone: Option<String>,
    #[arg(long)]
    pub address: Option<String>,
    /// Where the person lives, e.g. 31.71.01.1001.
    #[arg(long)]
    pub village_code: Option<String>,
    /// Default today.
    #[arg(long)]
    pub registered_on: Option<String>,
    /// The person agreed to the processing of their data.
    #[arg(long)]
    pub consent: bool,
    /// The training centre's code.
    #[arg(long)]
    pub centre: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum CentreCommand {
    /// Every centre with its capacity and the trainees it holds in training.
    List,
    /// Add a centre.
    Add {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// centre or office.
        #[arg(long)]
        kind: Option<String>,
        /// The district, e.g. 31.75.01.
        #[arg(long)]
        district: String,
        #[arg(long)]
        address: String,
        #[arg(long)]
        capacity: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ClassCommand {
    /// Every class, latest first.
    List,
    /// Open a class at a centre; prints its id.
    Add {
        #[arg(long)]
        centre: String,
        #[arg(long)]
        title: String,
        /// regular or mobile.
        #[arg(long)]
        mode: Option<String>,
        #[arg(long)]
        starts_on: String,
        #[arg(long)]
        ends_on: String,
        #[arg(long)]
        sessions: String,
        #[arg(long)]
        capacity: String,
    },
    /// Schedule a session (a mobile class names its district).
    Session {
        class_id: i64,
        #[arg(long)]
        session: i64,
        #[arg(long)]
        on: String,
        #[arg(long)]
        place: Option<String>,
    },
    /// Enrol a trainee in the class.
    Enrol { class_id: i64, enrolment_no: String },
    /// Record who attended a session.
    Attend {
        class_id: i64,
        #[arg(long)]
        session: i64,
        /// The trainees' numbers.
        #[arg(required = true)]
        enrolment_nos: Vec<String>,
    },
    /// The competency assessment: --competent or not.
    Assess {
        class_id: i64,
        enrolment_no: String,
        #[arg(long)]
        competent: bool,
        /// Default today.
        #[arg(long)]
        on: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum FairCommand {
    /// Every fair with its vacancies, applications and hires.
    List,
    /// Announce a fair; prints its id.
    Add {
        #[arg(long)]
        title: String,
        #[arg(long)]
        city: String,
        #[arg(long)]
        held_on: String,
        #[arg(long)]
        place: String,
    },
    /// Add an employer's vacancy; prints its id.
    Vacancy {
        fair_id: i64,
        #[arg(long)]
        employer: String,
        #[arg(long)]
        position: String,
        #[arg(long)]
        openings: String,
    },
    /// A trainee applies for a vacancy; prints the application's id.
    Apply {
        fair_id: i64,
        #[arg(long)]
        vacancy: i64,
        enrolment_no: String,
        /// Default the fair's day.
        #[arg(long)]
        on: Option<String>,
    },
    /// Decide an application: hired (records the placement) or rejected.
    Decide {
        application_id: i64,
        /// hired or rejected.
        #[arg(long)]
        decision: String,
        /// Default today.
        #[arg(long)]
        on: Option<String>,
        #[arg(long)]
        wage_band: Option<String>,
    },
}
