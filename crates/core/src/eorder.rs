//! e-order: government units buy from members. This module decides, free of I/O, what
//! buying units, packages, orders, receipts, ratings and complaints may hold, and the
//! order's life as one table ([`step`]): for each state and action, the state it leads to
//! and the parties who may take it. The store adds what needs records (the buyer's unit,
//! the package assigned to the officer, stock, ceilings, the per-transaction limit).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::settings::{TRANSACTION_LIMIT, setting_on};
use crate::text::{given, parse_date, parse_int, parse_reference, parse_text};
use crate::{FieldError, RegionCode, ValidationErrors};

crate::member::string_enum!(
    /// A buyer account's role within its unit.
    BuyerRole, "buyer_role", "buyer_role_invalid" {
        PaKpa => "pa_kpa",
        Ppk => "ppk",
        ProcurementOfficer => "procurement_officer",
        Treasurer => "treasurer",
    }
);

crate::member::string_enum!(
    /// A buying unit: a government unit or a provincial company.
    UnitKind, "kind", "unit_kind_invalid" {
        Opd => "opd",
        Bumd => "bumd",
    }
);

crate::member::string_enum!(
    /// Where an order stands.
    OrderState, "state", "state_invalid" {
        Submitted => "submitted",
        Accepted => "accepted",
        Shipped => "shipped",
        Received => "received",
        Paid => "paid",
        Declined => "declined",
        Cancelled => "cancelled",
    }
);

crate::member::string_enum!(
    /// What a party does to an order.
    OrderAction, "action", "action_invalid" {
        Accept => "accept",
        Decline => "decline",
        Cancel => "cancel",
        Ship => "ship",
        Receive => "receive",
        PayTransfer => "pay_transfer",
        RequestAutodebit => "request_autodebit",
        ApprovePayment => "approve_payment",
    }
);

crate::member::string_enum!(
    /// How the treasurer pays.
    PaymentMethod, "method", "method_invalid" {
        Transfer => "transfer",
        Autodebit => "autodebit",
    }
);

crate::member::string_enum!(
    /// How staff close a complaint.
    ComplaintOutcome, "outcome", "outcome_invalid" {
        Upheld => "upheld",
        Rejected => "rejected",
    }
);

crate::member::string_enum!(
    /// How the e-order figures are broken down.
    EorderGroup, "group_by", "group_by_invalid" {
        Unit => "unit",
        Supplier => "supplier",
        District => "district",
        Month => "month",
        Category => "category",
    }
);

impl OrderState {
    /// No action moves the order on from here.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            OrderState::Paid | OrderState::Declined | OrderState::Cancelled
        )
    }

    /// The order still holds its stock and its package's money.
    pub fn commits(self) -> bool {
        !matches!(self, OrderState::Declined | OrderState::Cancelled)
    }
}

/// Who acts on an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Party {
    /// The member that sells (its own account).
    Supplier,
    /// An account of the buying unit, by its role.
    Buyer(BuyerRole),
    /// Anyone else signed in: programme staff, other members, partners.
    Other,
}

impl Party {
    pub const ALL: [Party; 6] = [
        Party::Supplier,
        Party::Buyer(BuyerRole::PaKpa),
        Party::Buyer(BuyerRole::Ppk),
        Party::Buyer(BuyerRole::ProcurementOfficer),
        Party::Buyer(BuyerRole::Treasurer),
        Party::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Party::Supplier => "supplier",
            Party::Buyer(r) => r.as_str(),
            Party::Other => "other",
        }
    }
}

/// The order's life: from `state`, `action` leads to the returned state and may be taken
/// by the returned parties. `None`: not possible from that state. Payment never comes
/// before receipt; an autodebit request leaves the order `received` until the PA/KPA
/// approves it (the store checks that a request waits).
pub fn step(state: OrderState, action: OrderAction) -> Option<(OrderState, &'static [Party])> {
    use OrderAction as A;
    use OrderState as S;
    const SUPPLIER: &[Party] = &[Party::Supplier];
    const BUYER_CANCELS: &[Party] = &[
        Party::Buyer(BuyerRole::ProcurementOfficer),
        Party::Buyer(BuyerRole::Ppk),
    ];
    const PPK: &[Party] = &[Party::Buyer(BuyerRole::Ppk)];
    const TREASURER: &[Party] = &[Party::Buyer(BuyerRole::Treasurer)];
    const PA_KPA: &[Party] = &[Party::Buyer(BuyerRole::PaKpa)];
    match (state, action) {
        (S::Submitted, A::Accept) => Some((S::Accepted, SUPPLIER)),
        (S::Submitted, A::Decline) => Some((S::Declined, SUPPLIER)),
        (S::Submitted, A::Cancel) => Some((S::Cancelled, BUYER_CANCELS)),
        (S::Accepted, A::Ship) => Some((S::Shipped, SUPPLIER)),
        (S::Shipped, A::Receive) => Some((S::Received, PPK)),
        (S::Received, A::PayTransfer) => Some((S::Paid, TREASURER)),
        (S::Received, A::RequestAutodebit) => Some((S::Received, TREASURER)),
        (S::Received, A::ApprovePayment) => Some((S::Paid, PA_KPA)),
        _ => None,
    }
}

/// Who the order waits for in `state` (for queues and notifications).
pub fn waits_for(state: OrderState) -> Option<Party> {
    match state {
        OrderState::Submitted | OrderState::Accepted => Some(Party::Supplier),
        OrderState::Shipped => Some(Party::Buyer(BuyerRole::Ppk)),
        OrderState::Received => Some(Party::Buyer(BuyerRole::Treasurer)),
        _ => None,
    }
}

/// The per-transaction limit in force on `on`, in rupiah.
pub fn transaction_limit(on: NaiveDate) -> Option<i64> {
    setting_on(TRANSACTION_LIMIT, on)
}

pub use crate::format::rupiah;

/// The largest amount a package ceiling may hold (Rp 10 trillion).
pub const MAX_CEILING: i64 = 10_000_000_000_000;

/// A buying unit's code: 2–30 characters of capital letters, digits, `.` and `-`.
pub fn parse_unit_code(field: &'static str, raw: &str) -> Result<String, FieldError> {
    let code = raw.trim().to_uppercase();
    if code.is_empty() {
        return Err(FieldError::required(field));
    }
    let ok = (2..=30).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, '.' | '-'))
        && code.starts_with(|c: char| c.is_ascii_alphanumeric());
    if !ok {
        return Err(FieldError::new(
            field,
            "unit_code_invalid",
            format!(
                "{field} must be 2 to 30 letters, digits, '.' or '-', starting with a letter or digit"
            ),
        ));
    }
    Ok(code)
}

/// A bank account number: 5–20 digits; spaces and dashes as people write them are dropped.
pub fn parse_account_no(field: &'static str, raw: &str) -> Result<String, FieldError> {
    let digits: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if digits.is_empty() {
        return Err(FieldError::required(field));
    }
    if !(5..=20).contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(FieldError::new(
            field,
            "account_no_invalid",
            format!("{field} must be 5 to 20 digits"),
        ));
    }
    Ok(digits)
}

/// A buying unit as sent.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UnitDraft {
    pub code: Option<String>,
    pub name: Option<String>,
    pub kind: Option<String>,
    pub parent: Option<String>,
    pub region: Option<String>,
    pub address: Option<String>,
    pub bank: Option<String>,
    pub account_no: Option<String>,
}

/// A checked buying unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUnit {
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub parent: Option<String>,
    pub region: RegionCode,
    pub address: String,
    pub bank: String,
    pub account_no: String,
}

impl NewUnit {
    pub fn parse(d: &UnitDraft) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let s = |v: &Option<String>| v.as_deref().unwrap_or("").to_owned();
        let code = errs.take(parse_unit_code("code", &s(&d.code)));
        let name = errs.take(parse_text("name", &s(&d.name), 3, 160));
        let kind = errs.take(UnitKind::parse(&s(&d.kind)));
        let parent = match given(d.parent.as_deref()) {
            None => Some(None),
            Some(p) => errs.take(parse_unit_code("parent", p).map(Some)),
        };
        let region = errs.take(RegionCode::parse("region", &s(&d.region)));
        let address = errs.take(parse_text("address", &s(&d.address), 5, 300));
        let bank = errs.take(parse_text("bank", &s(&d.bank), 2, 60));
        let account_no = errs.take(parse_account_no("account_no", &s(&d.account_no)));
        if let (Some(c), Some(Some(p))) = (&code, &parent)
            && c == p
        {
            errs.push(FieldError::new(
                "parent",
                "unit_parent_self",
                "a unit cannot be its own parent",
            ));
        }
        match (code, name, kind, parent, region, address, bank, account_no) {
            (
                Some(code),
                Some(name),
                Some(kind),
                Some(parent),
                Some(region),
                Some(address),
                Some(bank),
                Some(account_no),
            ) if errs.is_empty() => Ok(Self {
                code,
                name,
                kind,
                parent,
                region,
                address,
                bank,
                account_no,
            }),
            _ => Err(errs),
        }
    }
}

/// A package (SiRUP-style planned procurement) as sent.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PackageDraft {
    pub unit: Option<String>,
    pub name: Option<String>,
    pub budget_code: Option<String>,
    pub ceiling: Option<String>,
    pub fiscal_year: Option<String>,
}

/// A checked package. `unit` is `None` when the caller's own unit is meant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewPackage {
    pub unit: Option<String>,
    pub name: String,
    pub budget_code: String,
    pub ceiling: i64,
    pub fiscal_year: i32,
}

impl NewPackage {
    pub fn parse(d: &PackageDraft) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let s = |v: &Option<String>| v.as_deref().unwrap_or("").to_owned();
        let unit = match given(d.unit.as_deref()) {
            None => Some(None),
            Some(u) => errs.take(parse_unit_code("unit", u).map(Some)),
        };
        let name = errs.take(parse_text("name", &s(&d.name), 3, 200));
        let budget_code = errs.take(parse_reference("budget_code", &s(&d.budget_code), 60));
        let ceiling = errs.take(crate::catalogue::parse_rupiah(
            "ceiling",
            &s(&d.ceiling),
            1,
            MAX_CEILING,
        ));
        let fiscal_year = errs.take(parse_int("fiscal_year", &s(&d.fiscal_year), 2000, 2100));
        match (unit, name, budget_code, ceiling, fiscal_year) {
            (Some(unit), Some(name), Some(budget_code), Some(ceiling), Some(year))
                if errs.is_empty() =>
            {
                Ok(Self {
                    unit,
                    name,
                    budget_code,
                    ceiling,
                    fiscal_year: year as i32,
                })
            }
            _ => Err(errs),
        }
    }
}

/// One line of an order as sent.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LineDraft {
    pub product_id: Option<String>,
    pub quantity: Option<String>,
}

/// An order as sent.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct OrderDraft {
    pub package_id: Option<String>,
    pub lines: Vec<LineDraft>,
    pub delivery_address: Option<String>,
    pub needed_on: Option<String>,
    pub note: Option<String>,
}

/// A checked order line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct NewLine {
    pub product_id: i64,
    pub quantity: i64,
}

/// A checked order; what needs records (the products' supplier, minimum, lead time,
/// stock, the package and the limit) is checked by the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewOrder {
    pub package_id: i64,
    pub lines: Vec<NewLine>,
    pub delivery_address: String,
    pub needed_on: NaiveDate,
    pub note: String,
}

/// At most this many lines in one order.
pub const MAX_LINES: usize = 100;

impl NewOrder {
    pub fn parse(d: &OrderDraft) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let s = |v: &Option<String>| v.as_deref().unwrap_or("").to_owned();
        let package_id = errs.take(parse_int("package_id", &s(&d.package_id), 1, i64::MAX));
        let mut lines = Vec::new();
        if d.lines.is_empty() {
            errs.push(FieldError::new(
                "lines",
                "required",
                "an order needs at least one line",
            ));
        } else if d.lines.len() > MAX_LINES {
            errs.push(FieldError::new(
                "lines",
                "too_many_lines",
                format!("an order has at most {MAX_LINES} lines"),
            ));
        }
        for l in d.lines.iter().take(MAX_LINES) {
            let product = errs.take(
                parse_int("product_id", &s(&l.product_id), 1, i64::MAX)
                    .map_err(|e| e.for_field("lines")),
            );
            let quantity = errs.take(
                parse_int("quantity", &s(&l.quantity), 1, 1_000_000)
                    .map_err(|e| e.for_field("lines")),
            );
            if let (Some(product_id), Some(quantity)) = (product, quantity) {
                if lines.iter().any(|x: &NewLine| x.product_id == product_id) {
                    errs.push(FieldError::new(
                        "lines",
                        "duplicate_product",
                        format!("product {product_id} appears on two lines: order it on one"),
                    ));
                }
                lines.push(NewLine {
                    product_id,
                    quantity,
                });
            }
        }
        let address = errs.take(parse_text(
            "delivery_address",
            &s(&d.delivery_address),
            5,
            300,
        ));
        let needed_on = errs.take(parse_date("needed_on", &s(&d.needed_on)));
        let note = match given(d.note.as_deref()) {
            None => Some(String::new()),
            Some(n) => errs.take(parse_text("note", n, 2, 1000)),
        };
        match (package_id, address, needed_on, note) {
            (Some(package_id), Some(delivery_address), Some(needed_on), Some(note))
                if errs.is_empty() =>
            {
                Ok(Self {
                    package_id,
                    lines,
                    delivery_address,
                    needed_on,
                    note,
                })
            }
            _ => Err(errs),
        }
    }
}

/// Units received of one line (by its product), as sent.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReceivedLineDraft {
    pub product_id: Option<String>,
    pub quantity: Option<String>,
}

/// A receipt (BAST) as sent.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReceiptDraft {
    pub bast_no: Option<String>,
    pub received_on: Option<String>,
    /// Omitted: everything ordered arrived.
    pub lines: Option<Vec<ReceivedLineDraft>>,
    /// Required when fewer units arrived than were ordered.
    pub note: Option<String>,
}

/// A checked receipt; the store checks the quantities against the order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub bast_no: String,
    pub received_on: NaiveDate,
    pub lines: Option<Vec<NewLine>>,
    pub note: String,
}

impl Receipt {
    pub fn parse(d: &ReceiptDraft, today: NaiveDate) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let s = |v: &Option<String>| v.as_deref().unwrap_or("").to_owned();
        let bast_no = errs.take(parse_reference("bast_no", &s(&d.bast_no), 60));
        let received_on = errs.take(crate::text::not_future(
            "received_on",
            d.received_on.as_deref(),
            today,
        ));
        let lines = d.lines.as_ref().map(|ls| {
            ls.iter()
                .filter_map(|l| {
                    let p = errs.take(
                        parse_int("product_id", &s(&l.product_id), 1, i64::MAX)
                            .map_err(|e| e.for_field("lines")),
                    );
                    let q = errs.take(
                        parse_int("quantity", &s(&l.quantity), 0, 1_000_000)
                            .map_err(|e| e.for_field("lines")),
                    );
                    Some(NewLine {
                        product_id: p?,
                        quantity: q?,
                    })
                })
                .collect::<Vec<_>>()
        });
        let note = match given(d.note.as_deref()) {
            None => Some(String::new()),
            Some(n) => errs.take(parse_text("note", n, 3, 1000)),
        };
        match (bast_no, received_on, note) {
            (Some(bast_no), Some(received_on), Some(note)) if errs.is_empty() => Ok(Self {
                bast_no,
                received_on,
                lines,
                note,
            }),
            _ => Err(errs),
        }
    }
}

/// A reason (decline, cancel, complaint, outcome): 3–1000 characters with letters.
pub fn parse_reason(field: &'static str, raw: Option<&str>) -> Result<String, FieldError> {
    parse_text(
        field,
        given(raw).ok_or_else(|| FieldError::required(field))?,
        3,
        1000,
    )
}

/// A rating: 1–5 stars and an optional note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rating {
    pub stars: i64,
    pub note: String,
}

impl Rating {
    pub fn parse(stars: Option<&str>, note: Option<&str>) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let stars = errs.take(parse_int("stars", stars.unwrap_or(""), 1, 5));
        let note = match given(note) {
            None => Some(String::new()),
            Some(n) => errs.take(parse_text("note", n, 2, 1000)),
        };
        match (stars, note) {
            (Some(stars), Some(note)) if errs.is_empty() => Ok(Self { stars, note }),
            _ => Err(errs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// Every state × every action × every party, against the rules written out by hand.
    #[test]
    fn the_state_table_exhaustively() {
        use BuyerRole as B;
        use OrderAction as A;
        use OrderState as S;
        let expected = |s: S, a: A, p: Party| -> Option<S> {
            match (s, a, p) {
                (S::Submitted, A::Accept, Party::Supplier) => Some(S::Accepted),
                (S::Submitted, A::Decline, Party::Supplier) => Some(S::Declined),
                (S::Submitted, A::Cancel, Party::Buyer(B::ProcurementOfficer | B::Ppk)) => {
                    Some(S::Cancelled)
                }
                (S::Accepted, A::Ship, Party::Supplier) => Some(S::Shipped),
                (S::Shipped, A::Receive, Party::Buyer(B::Ppk)) => Some(S::Received),
                (S::Received, A::PayTransfer, Party::Buyer(B::Treasurer)) => Some(S::Paid),
                (S::Received, A::RequestAutodebit, Party::Buyer(B::Treasurer)) => Some(S::Received),
                (S::Received, A::ApprovePayment, Party::Buyer(B::PaKpa)) => Some(S::Paid),
                _ => None,
            }
        };
        let mut allowed = 0;
        for &s in OrderState::ALL {
            for &a in OrderAction::ALL {
                for p in Party::ALL {
                    let got = step(s, a).and_then(|(next, who)| who.contains(&p).then_some(next));
                    assert_eq!(got, expected(s, a, p), "{s} × {a} × {}", p.as_str());
                    allowed += usize::from(got.is_some());
                }
            }
        }
        assert_eq!(allowed, 9);
        // Nothing moves a final order, and payment never precedes receipt.
        for &s in OrderState::ALL {
            for &a in OrderAction::ALL {
                if s.is_final() {
                    assert!(step(s, a).is_none(), "{s} × {a}");
                }
                if matches!(a, A::PayTransfer | A::RequestAutodebit | A::ApprovePayment) {
                    assert!(step(s, a).is_none() || s == S::Received, "{s} × {a}");
                }
            }
        }
    }

    #[test]
    fn rupiah_is_written_with_dots() {
        assert_eq!(rupiah(0), "Rp 0");
        assert_eq!(rupiah(999), "Rp 999");
        assert_eq!(rupiah(1_250_000), "Rp 1.250.000");
        assert_eq!(rupiah(50_000_000), "Rp 50.000.000");
        assert_eq!(rupiah(-1000), "Rp -1.000");
    }

    #[test]
    fn the_limit_is_fifty_million() {
        assert_eq!(transaction_limit(day("2026-12-02")), Some(50_000_000));
    }

    #[test]
    fn orders_are_checked_field_by_field() {
        let ok = OrderDraft {
            package_id: Some("3".into()),
            lines: vec![LineDraft {
                product_id: Some("7".into()),
                quantity: Some("20".into()),
            }],
            delivery_address: Some("Jl. Medan Merdeka Selatan 8-9".into()),
            needed_on: Some("2026-12-10".into()),
            note: None,
        };
        let o = NewOrder::parse(&ok).unwrap();
        assert_eq!(o.lines[0].quantity, 20);
        let mut bad = ok.clone();
        bad.lines.push(LineDraft {
            product_id: Some("7".into()),
            quantity: Some("1".into()),
        });
        bad.needed_on = Some("10/12/2026".into());
        let errs = NewOrder::parse(&bad).unwrap_err();
        let codes: Vec<_> = errs.0.iter().map(|e| (e.field, e.code)).collect();
        assert!(codes.contains(&("lines", "duplicate_product")), "{codes:?}");
        assert!(codes.contains(&("needed_on", "date_format")), "{codes:?}");
        let empty = OrderDraft {
            lines: vec![],
            ..ok.clone()
        };
        assert_eq!(NewOrder::parse(&empty).unwrap_err().0[0].field, "lines");
        let zero = OrderDraft {
            lines: vec![LineDraft {
                product_id: Some("7".into()),
                quantity: Some("0".into()),
            }],
            ..ok
        };
        assert_eq!(
            NewOrder::parse(&zero).unwrap_err().0[0].code,
            "out_of_range"
        );
    }

    #[test]
    fn units_and_packages() {
        let u = NewUnit::parse(&UnitDraft {
            code: Some("dppkukm".into()),
            name: Some("Dinas PPKUKM".into()),
            kind: Some("opd".into()),
            parent: None,
            region: Some("31".into()),
            address: Some("Jl. Perintis Kemerdekaan".into()),
            bank: Some("Bank DKI".into()),
            account_no: Some("101-234 5678".into()),
        })
        .unwrap();
        assert_eq!(u.code, "DPPKUKM");
        assert_eq!(u.account_no, "1012345678");
        let errs = NewUnit::parse(&UnitDraft {
            code: Some("x".into()),
            kind: Some("ministry".into()),
            ..Default::default()
        })
        .unwrap_err();
        let fields: Vec<_> = errs.0.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "code",
                "name",
                "kind",
                "region",
                "address",
                "bank",
                "account_no"
            ]
        );
        let p = NewPackage::parse(&PackageDraft {
            unit: None,
            name: Some("Makan minum rapat".into()),
            budget_code: Some("5.1.02.01.01.0052".into()),
            ceiling: Some("120.000.000".into()),
            fiscal_year: Some("2026".into()),
        })
        .unwrap();
        assert_eq!(p.ceiling, 120_000_000);
    }

    #[test]
    fn receipts_and_ratings() {
        let today = day("2026-12-02");
        let r = Receipt::parse(
            &ReceiptDraft {
                bast_no: Some("BAST/001/XII/2026".into()),
                received_on: Some("2026-12-01".into()),
                lines: None,
                note: None,
            },
            today,
        )
        .unwrap();
        assert!(r.lines.is_none());
        let errs = Receipt::parse(
            &ReceiptDraft {
                bast_no: None,
                received_on: Some("2026-12-03".into()),
                lines: None,
                note: None,
            },
            today,
        )
        .unwrap_err();
        assert_eq!(errs.0[0].field, "bast_no");
        assert_eq!(errs.0[1].code, "date_in_future");
        assert_eq!(
            Rating::parse(Some("6"), None).unwrap_err().0[0].code,
            "out_of_range"
        );
        assert_eq!(Rating::parse(Some("5"), Some("Enak")).unwrap().stars, 5);
    }
}
