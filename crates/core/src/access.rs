//! Who may do what, and over which members: roles as explicit permission lists, and the
//! [`Actor`] every store call carries (user, role, region scope). The store turns an
//! actor's [`Scope`] into SQL; this module only decides.

use serde::{Deserialize, Serialize};

use crate::{FieldError, RegionCode, RegionLevel};

/// One thing an account may do. Roles are lists of these; nothing checks a role by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Read member records within scope, with the NIK masked.
    MemberRead,
    /// See the NIK unmasked (each view is written to the audit log).
    MemberReadNik,
    MemberRegister,
    MemberUpdate,
    MemberWithdraw,
    /// Download all of a member's data as JSON (audited).
    MemberExport,
    /// Remove a member's personal data, keeping the anonymous facts statistics need.
    MemberErase,
    /// Create, list and disable accounts.
    UserManage,
    /// Read the audit log.
    AuditRead,
    /// Record services (ledger events) for members within scope, and void them.
    EventRecord,
    /// Create and revoke one's own API tokens.
    TokenOwn,
    /// File a member's monthly financial report (facility P6); a member files their own.
    ReportFile,
    /// Decide on financing referrals and record disbursements (facility P7); a partner
    /// account only on referrals sent to its partner.
    FinancingDecide,
    /// Record and withdraw the programme's targets.
    TargetManage,
    /// Add and change a member's products, its bank account, and list products in the
    /// e-order catalogue; a member its own.
    ProductManage,
    /// Open calls for curation (department staff at city or province level).
    CurationManage,
    /// Read e-order orders whose supplier lies in scope, and close complaints about them.
    OrderOversee,
    /// Add buying units (government units and provincial companies) to e-order.
    BuyerUnitManage,
    /// Read the enrolments of programmes other than Jakpreneur (job trainees) within
    /// scope, NIK masked.
    TraineeRead,
    /// Enrol people in such a programme, and withdraw them.
    TraineeRegister,
    /// Record their services (training, assessment, certification, placement) and void them.
    TraineeRecord,
    /// Refer an enrolled person to Jakpreneur: registers them as a member in one step.
    TraineeRefer,
}

impl Permission {
    pub const ALL: [Permission; 22] = [
        Permission::MemberRead,
        Permission::MemberReadNik,
        Permission::MemberRegister,
        Permission::MemberUpdate,
        Permission::MemberWithdraw,
        Permission::MemberExport,
        Permission::MemberErase,
        Permission::UserManage,
        Permission::AuditRead,
        Permission::EventRecord,
        Permission::TokenOwn,
        Permission::ReportFile,
        Permission::FinancingDecide,
        Permission::TargetManage,
        Permission::ProductManage,
        Permission::CurationManage,
        Permission::OrderOversee,
        Permission::BuyerUnitManage,
        Permission::TraineeRead,
        Permission::TraineeRegister,
        Permission::TraineeRecord,
        Permission::TraineeRefer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Permission::MemberRead => "member_read",
            Permission::MemberReadNik => "member_read_nik",
            Permission::MemberRegister => "member_register",
            Permission::MemberUpdate => "member_update",
            Permission::MemberWithdraw => "member_withdraw",
            Permission::MemberExport => "member_export",
            Permission::MemberErase => "member_erase",
            Permission::UserManage => "user_manage",
            Permission::AuditRead => "audit_read",
            Permission::EventRecord => "event_record",
            Permission::TokenOwn => "token_own",
            Permission::ReportFile => "report_file",
            Permission::FinancingDecide => "financing_decide",
            Permission::TargetManage => "target_manage",
            Permission::ProductManage => "product_manage",
            Permission::CurationManage => "curation_manage",
            Permission::OrderOversee => "order_oversee",
            Permission::BuyerUnitManage => "buyer_unit_manage",
            Permission::TraineeRead => "trainee_read",
            Permission::TraineeRegister => "trainee_register",
            Permission::TraineeRecord => "trainee_record",
            Permission::TraineeRefer => "trainee_refer",
        }
    }
}

/// An account's role. `Anonymous` is the public, never stored on an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    ProvinceOfficer,
    CityOfficer,
    DistrictOfficer,
    Trainer,
    Mentor,
    Curator,
    Buyer,
    Partner,
    Member,
    /// Staff of the manpower department (its province office or a city's Sudin) who run
    /// job training and placement.
    ManpowerOfficer,
    /// An instructor at a job-training centre.
    Instructor,
    Anonymous,
}

/// What a role needs beside its permissions when an account is created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    Nothing,
    /// A region code at exactly this level.
    RegionAt(RegionLevel),
    /// A region code at any level.
    AnyRegion,
    /// A link to one member record.
    MemberLink,
}

impl Role {
    /// Every role an account can hold (all but `Anonymous`).
    pub const ACCOUNT_ROLES: [Role; 12] = [
        Role::Admin,
        Role::ProvinceOfficer,
        Role::CityOfficer,
        Role::DistrictOfficer,
        Role::Trainer,
        Role::Mentor,
        Role::Curator,
        Role::Buyer,
        Role::Partner,
        Role::Member,
        Role::ManpowerOfficer,
        Role::Instructor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::ProvinceOfficer => "province_officer",
            Role::CityOfficer => "city_officer",
            Role::DistrictOfficer => "district_officer",
            Role::Trainer => "trainer",
            Role::Mentor => "mentor",
            Role::Curator => "curator",
            Role::Buyer => "buyer",
            Role::Partner => "partner",
            Role::Member => "member",
            Role::ManpowerOfficer => "manpower_officer",
            Role::Instructor => "instructor",
            Role::Anonymous => "anonymous",
        }
    }

    /// An account role by name.
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, FieldError> {
        let raw = raw.trim();
        Self::ACCOUNT_ROLES
            .into_iter()
            .find(|r| r.as_str() == raw)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ACCOUNT_ROLES.iter().map(|r| r.as_str()).collect();
                FieldError::new(
                    field,
                    "role_invalid",
                    format!("{field} must be one of {}, not {raw:?}", names.join(", ")),
                )
            })
    }

    /// The role's permissions: the whole of what it may do.
    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::Admin => &Permission::ALL,
            Role::ProvinceOfficer | Role::CityOfficer => &[
                MemberRead,
                MemberReadNik,
                MemberRegister,
                MemberUpdate,
                MemberWithdraw,
                MemberExport,
                EventRecord,
                TokenOwn,
                ReportFile,
                ProductManage,
                CurationManage,
                OrderOversee,
            ],
            Role::DistrictOfficer => &[
                MemberRead,
                MemberReadNik,
                MemberRegister,
                MemberUpdate,
                MemberWithdraw,
                MemberExport,
                EventRecord,
                TokenOwn,
                ReportFile,
                ProductManage,
                OrderOversee,
            ],
            Role::Trainer | Role::Mentor | Role::Curator => &[MemberRead, EventRecord, TokenOwn],
            Role::Buyer => &[TokenOwn],
            Role::Partner => &[FinancingDecide, TokenOwn],
            Role::Member => &[
                MemberRead,
                MemberReadNik,
                MemberExport,
                ReportFile,
                ProductManage,
            ],
            Role::ManpowerOfficer => &[
                TraineeRead,
                TraineeRegister,
                TraineeRecord,
                TraineeRefer,
                TokenOwn,
            ],
            Role::Instructor => &[TraineeRead, TraineeRecord, TokenOwn],
            Role::Anonymous => &[],
        }
    }

    pub fn needs(self) -> Needs {
        match self {
            Role::ProvinceOfficer => Needs::RegionAt(RegionLevel::Province),
            Role::CityOfficer => Needs::RegionAt(RegionLevel::City),
            Role::DistrictOfficer => Needs::RegionAt(RegionLevel::District),
            Role::Trainer
            | Role::Mentor
            | Role::Curator
            | Role::ManpowerOfficer
            | Role::Instructor => Needs::AnyRegion,
            Role::Member => Needs::MemberLink,
            Role::Admin | Role::Buyer | Role::Partner | Role::Anonymous => Needs::Nothing,
        }
    }

    /// Checks the region given for an account of this role; returns what to store.
    pub fn check_region(
        self,
        field: &'static str,
        region: Option<&str>,
    ) -> Result<Option<RegionCode>, FieldError> {
        let region = region.map(str::trim).filter(|r| !r.is_empty());
        match (self.needs(), region) {
            (Needs::RegionAt(level), Some(raw)) => {
                let code = RegionCode::parse(field, raw)?;
                if code.level() != level {
                    return Err(FieldError::new(
                        field,
                        "region_level",
                        format!(
                            "a {} needs a {} code, and {} is a {}",
                            self.as_str(),
                            level.as_str(),
                            code.as_str(),
                            code.level().as_str()
                        ),
                    ));
                }
                Ok(Some(code))
            }
            (Needs::AnyRegion, Some(raw)) => RegionCode::parse(field, raw).map(Some),
            (Needs::RegionAt(_) | Needs::AnyRegion, None) => Err(FieldError::new(
                field,
                "required",
                format!("a {} needs a region code", self.as_str()),
            )),
            (Needs::Nothing | Needs::MemberLink, Some(_)) => Err(FieldError::new(
                field,
                "region_not_allowed",
                format!("a {} has no region", self.as_str()),
            )),
            (Needs::Nothing | Needs::MemberLink, None) => Ok(None),
        }
    }
}

/// Which members an actor's reads and writes reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every member (administrators, the command line).
    All,
    /// Members whose business village lies in this region.
    Region(RegionCode),
    /// One member: a member's own record.
    Member(String),
    /// No member at all.
    Nothing,
}

impl Scope {
    /// Is a member in `village_code` with number `member_no` within this scope?
    pub fn covers(&self, village_code: &str, member_no: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Region(r) => region_contains(r.as_str(), village_code),
            Scope::Member(no) => no == member_no,
            Scope::Nothing => false,
        }
    }

    /// Does this scope share ground with the region `code` (any level): all of it, part
    /// of it, or all of it inside? What a picker of places or staff offers the reader.
    pub fn overlaps(&self, code: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Region(r) => {
                region_contains(r.as_str(), code) || region_contains(code, r.as_str())
            }
            Scope::Member(_) | Scope::Nothing => false,
        }
    }
}

/// Is `code` (dotted, any level) `region` itself or below it?
pub fn region_contains(region: &str, code: &str) -> bool {
    code == region
        || code
            .strip_prefix(region)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// Who is acting: every store call that reads or writes members carries one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The account, or `None` for the public and for the command line.
    pub user_id: Option<i64>,
    /// For the audit log: the username, `cli:<who>` or `anonymous`.
    pub name: String,
    pub role: Role,
    pub scope: Scope,
    /// Where the request came from, for the audit log.
    pub address: Option<String>,
    /// The agency the account belongs to; services it records are credited there.
    pub agency: Option<String>,
}

impl Actor {
    /// May this actor read exact statistics (no small-count protection) of `region` (the
    /// province when `None`)? Only staff whose work needs them — administrators and the
    /// department's officers — and only inside their own region; everyone else (members,
    /// trainers, mentors, curators, buyers, partners, an officer asking about another
    /// region) reads the published figures.
    pub fn sees_exact_statistics(&self, region: Option<&RegionCode>) -> bool {
        let needs = matches!(
            self.role,
            Role::Admin | Role::ProvinceOfficer | Role::CityOfficer | Role::DistrictOfficer
        );
        needs
            && match (&self.scope, region) {
                (Scope::All, _) => true,
                (Scope::Region(r), Some(x)) => region_contains(r.as_str(), x.as_str()),
                (Scope::Region(r), None) => r.level() == RegionLevel::Province,
                (Scope::Member(_) | Scope::Nothing, _) => false,
            }
    }

    /// The public: no permission, no member.
    pub fn anonymous(address: Option<String>) -> Self {
        Self {
            user_id: None,
            name: "anonymous".into(),
            role: Role::Anonymous,
            scope: Scope::Nothing,
            address,
            agency: None,
        }
    }

    /// Someone at the server's command line: they hold the database and its key anyway.
    pub fn system(who: &str) -> Self {
        Self {
            user_id: None,
            name: format!("cli:{who}"),
            role: Role::Admin,
            scope: Scope::All,
            address: None,
            agency: None,
        }
    }

    /// An account's actor. A regional role without its region, or a member account not yet
    /// linked, reaches no member.
    pub fn for_account(
        user_id: i64,
        name: &str,
        role: Role,
        region: Option<&str>,
        member_no: Option<&str>,
        address: Option<String>,
    ) -> Self {
        let scope = match (role.needs(), region, member_no) {
            (Needs::Nothing, _, _) if role == Role::Admin => Scope::All,
            (Needs::RegionAt(_) | Needs::AnyRegion, Some(r), _) => RegionCode::parse("region", r)
                .map(Scope::Region)
                .unwrap_or(Scope::Nothing),
            (Needs::MemberLink, _, Some(no)) => Scope::Member(no.to_owned()),
            _ => Scope::Nothing,
        };
        Self {
            user_id: Some(user_id),
            name: name.to_owned(),
            role,
            scope,
            address,
            agency: None,
        }
    }

    /// The same actor, crediting its services to `agency`.
    pub fn with_agency(mut self, agency: Option<String>) -> Self {
        self.agency = agency;
        self
    }

    /// The agency its services are credited to: its own, else the SME department.
    pub fn agency_or_default(&self) -> String {
        self.agency
            .clone()
            .unwrap_or_else(|| crate::programme::DEFAULT_AGENCY.to_owned())
    }

    pub fn can(&self, p: Permission) -> bool {
        self.role.permissions().contains(&p)
    }

    pub fn is_anonymous(&self) -> bool {
        self.role == Role::Anonymous
    }
}

/// A username: 3–40 characters of lowercase letters, digits, `.`, `_` and `-`, starting
/// with a letter or digit. Stored lowercased, so `Budi` and `budi` are one account.
pub fn parse_username(field: &'static str, raw: &str) -> Result<String, FieldError> {
    let name = raw.trim().to_lowercase();
    if name.is_empty() {
        return Err(FieldError::required(field));
    }
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    let ok_start = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric());
    if !(3..=40).contains(&name.len()) || !ok_chars || !ok_start {
        return Err(FieldError::new(
            field,
            "username_invalid",
            format!(
                "{field} must be 3 to 40 characters: letters, digits, '.', '_' or '-', starting with a letter or digit"
            ),
        ));
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert_eq!(parse_username("u", " Budi.S ").unwrap(), "budi.s");
        assert!(parse_username("u", "ab").is_err());
        assert!(parse_username("u", "-abc").is_err());
        assert!(parse_username("u", "budi santoso").is_err());
        assert!(parse_username("u", "budi@x").is_err());
    }

    #[test]
    fn region_containment_respects_dots() {
        assert!(region_contains("31.71", "31.71.01.1001"));
        assert!(region_contains("31.71.01.1001", "31.71.01.1001"));
        assert!(!region_contains("31.7", "31.71.01.1001"));
        assert!(!region_contains("31.71.01", "31.71.010.1001"));
        assert!(!region_contains("31.74", "31.71.01.1001"));
    }

    #[test]
    fn roles_round_trip_and_only_admin_manages() {
        for r in Role::ACCOUNT_ROLES {
            assert_eq!(Role::parse("role", r.as_str()).unwrap(), r);
            assert_eq!(
                r.permissions().contains(&Permission::UserManage),
                r == Role::Admin
            );
        }
        assert!(Role::parse("role", "anonymous").is_err());
        assert!(Role::parse("role", "root").is_err());
    }

    #[test]
    fn region_must_match_role_level() {
        let district = Role::DistrictOfficer;
        assert!(district.check_region("region", Some("31.71.01")).is_ok());
        assert_eq!(
            district
                .check_region("region", Some("31.71"))
                .unwrap_err()
                .code,
            "region_level"
        );
        assert_eq!(
            district.check_region("region", None).unwrap_err().code,
            "required"
        );
        assert!(Role::Trainer.check_region("region", Some("31.74")).is_ok());
        assert_eq!(
            Role::Admin
                .check_region("region", Some("31.71"))
                .unwrap_err()
                .code,
            "region_not_allowed"
        );
    }

    #[test]
    fn an_unlinked_member_or_regionless_officer_reaches_nobody() {
        let m = Actor::for_account(1, "m", Role::Member, None, None, None);
        assert_eq!(m.scope, Scope::Nothing);
        let o = Actor::for_account(1, "o", Role::CityOfficer, None, None, None);
        assert_eq!(o.scope, Scope::Nothing);
        let b = Actor::for_account(1, "b", Role::Buyer, None, None, None);
        assert_eq!(b.scope, Scope::Nothing);
        let a = Actor::for_account(1, "a", Role::Admin, None, None, None);
        assert_eq!(a.scope, Scope::All);
    }
}
