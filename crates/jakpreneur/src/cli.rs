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
    /// Measure performance.
    #[command(subcommand)]
    Bench(BenchCommand),
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
    /// Print the whole record as JSON instead of the member number.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
    Csv,
}

#[derive(Debug, Args)]
pub struct MemberListArgs {
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
    /// Part of the name or business name.
    #[arg(long)]
    pub q: Option<String>,
    /// 1-500.
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
    /// The cursor printed after the previous page.
    #[arg(long)]
    pub after: Option<String>,
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Registrations per second and latency through the HTTP API, on a fresh database.
    Register(BenchRegisterArgs),
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
