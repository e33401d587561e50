//! e-order as open contracting data (OCDS 1.1): every order is a contracting process with
//! an `ocid` under the configured prefix (`<prefix>-eorder-<order id>`). A release states
//! the process as it stands after its latest step: the package's budget (planning), the
//! direct purchase from the catalogue (tender), the supplier's acceptance (award and
//! contract), the items at their frozen prices with the quantities received, and the
//! payment (a transaction of the contract's implementation). No person is named: parties
//! are the buying unit and the member's business.

use jakpreneur_core::eorder::OrderState;
use jakpreneur_store::{BuyerUnit, Order};
use serde_json::{Value, json};

/// The OCDS version these documents follow.
pub const VERSION: &str = "1.1";
const CURRENCY: &str = "IDR";

/// An `ocid` prefix: `ocds-` and six letters or digits (as the Open Contracting
/// Partnership assigns them).
pub fn valid_prefix(p: &str) -> bool {
    p.strip_prefix("ocds-")
        .is_some_and(|rest| rest.len() == 6 && rest.chars().all(|c| c.is_ascii_alphanumeric()))
}

pub fn ocid(prefix: &str, order_id: i64) -> String {
    format!("{prefix}-eorder-{order_id}")
}

/// The order id an `ocid` under `prefix` names.
pub fn order_id(prefix: &str, ocid: &str) -> Option<i64> {
    ocid.strip_prefix(prefix)?
        .strip_prefix("-eorder-")?
        .parse()
        .ok()
        .filter(|id| *id > 0)
}

fn money(amount: i64) -> Value {
    json!({ "amount": amount, "currency": CURRENCY })
}

fn tags(state: OrderState) -> Vec<&'static str> {
    match state {
        OrderState::Submitted => vec!["tender"],
        OrderState::Accepted | OrderState::Shipped | OrderState::Received => {
            vec!["award", "contract"]
        }
        OrderState::Paid => vec!["implementation"],
        OrderState::Declined => vec!["awardCancellation"],
        OrderState::Cancelled => vec!["tenderCancellation"],
    }
}

/// The release of an order as it stands (`id` changes with every step).
pub fn release(prefix: &str, o: &Order, unit: Option<&BuyerUnit>) -> Value {
    let ocid = ocid(prefix, o.id);
    let date = o
        .steps
        .last()
        .map_or(o.created_at, |s| s.at)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let buyer_id = format!("unit-{}", o.unit_code);
    let supplier_id = format!("member-{}", o.member_no);
    let mut buyer = json!({
        "id": buyer_id,
        "name": o.unit_name,
        "roles": ["buyer", "procuringEntity", "payer"],
        "identifier": { "scheme": "X-JAKPRENEUR-UNIT", "id": o.unit_code, "legalName": o.unit_name },
    });
    if let Some(u) = unit {
        buyer["address"] = json!({
            "streetAddress": u.address, "region": u.region_code, "countryName": "Indonesia",
        });
    }
    let supplier = json!({
        "id": supplier_id,
        "name": o.business_name,
        "roles": ["supplier", "payee"],
        "identifier": { "scheme": "X-JAKPRENEUR-MEMBER", "id": o.member_no, "legalName": o.business_name },
        "address": { "region": o.district_code, "countryName": "Indonesia" },
    });
    let items: Vec<Value> = o
        .lines
        .iter()
        .map(|l| {
            let mut item = json!({
                "id": l.line_no.to_string(),
                "description": l.name,
                "classification": {
                    "scheme": "X-JAKPRENEUR-CATEGORY",
                    "id": l.category,
                    "description": l.category,
                },
                "quantity": l.received_quantity.unwrap_or(l.quantity),
                "unit": { "name": l.unit, "value": money(l.price) },
            });
            if let Some(t) = l.tkdn_percent {
                item["additionalClassifications"] = json!([{
                    "scheme": "X-TKDN-PERCENT", "id": t.to_string(),
                    "description": format!("TKDN {t}%"),
                }]);
            }
            item
        })
        .collect();
    let ordered_items: Vec<Value> = o
        .lines
        .iter()
        .zip(items.iter())
        .map(|(l, i)| {
            let mut i = i.clone();
            i["quantity"] = json!(l.quantity);
            i
        })
        .collect();
    let tender_status = match o.state {
        OrderState::Submitted => "active",
        OrderState::Cancelled => "cancelled",
        _ => "complete",
    };
    let mut r = json!({
        "ocid": ocid,
        "id": format!("{ocid}-{}", o.version),
        "date": date,
        "tag": tags(o.state),
        "initiationType": "tender",
        "language": "id",
        "parties": [buyer, supplier],
        "buyer": { "id": buyer_id, "name": o.unit_name },
        "planning": {
            "budget": {
                "id": o.budget_code,
                "description": o.package_name,
                "project": o.package_name,
                "projectID": o.package_id.to_string(),
            },
        },
        "tender": {
            "id": format!("{ocid}-tender"),
            "title": format!("e-order #{}", o.id),
            "status": tender_status,
            "procuringEntity": { "id": buyer_id, "name": o.unit_name },
            "procurementMethod": "limited",
            "procurementMethodDetails": "e-order: direct purchase from the curated e-catalogue",
            "mainProcurementCategory": "goods",
            "items": ordered_items,
            "value": money(o.total),
            "tenderPeriod": { "startDate": format!("{}T00:00:00+07:00", o.ordered_on) },
            "numberOfTenderers": 1,
            "tenderers": [{ "id": supplier_id, "name": o.business_name }],
        },
    });
    if matches!(
        o.state,
        OrderState::Accepted
            | OrderState::Shipped
            | OrderState::Received
            | OrderState::Paid
            | OrderState::Declined
    ) {
        let (award_status, award_date) = match o.state {
            OrderState::Declined => ("cancelled", o.ordered_on),
            _ => ("active", o.accepted_on.unwrap_or(o.ordered_on)),
        };
        r["awards"] = json!([{
            "id": format!("{ocid}-award"),
            "status": award_status,
            "date": format!("{award_date}T00:00:00+07:00"),
            "value": money(o.total),
            "suppliers": [{ "id": supplier_id, "name": o.business_name }],
            "items": ordered_items,
        }]);
    }
    if matches!(
        o.state,
        OrderState::Accepted | OrderState::Shipped | OrderState::Received | OrderState::Paid
    ) {
        let status = if o.state == OrderState::Paid {
            "terminated"
        } else {
            "active"
        };
        let mut contract = json!({
            "id": format!("{ocid}-contract"),
            "awardID": format!("{ocid}-award"),
            "title": format!("e-order #{}", o.id),
            "status": status,
            "value": money(o.amount_due),
            "items": items,
        });
        if let Some(d) = o.accepted_on {
            contract["dateSigned"] = json!(format!("{d}T00:00:00+07:00"));
        }
        if let Some(p) = o.payment.as_ref().filter(|p| p.state == "paid") {
            let paid_on = p.paid_on.unwrap_or(o.ordered_on);
            contract["implementation"] = json!({
                "transactions": [{
                    "id": format!("{ocid}-payment-{}", p.id),
                    "date": format!("{paid_on}T00:00:00+07:00"),
                    "value": money(p.amount),
                    "payer": { "id": buyer_id, "name": o.unit_name },
                    "payee": { "id": supplier_id, "name": o.business_name },
                }],
            });
        }
        r["contracts"] = json!([contract]);
    }
    r
}

/// A package of releases (or of records), as OCDS wraps them.
pub fn package(
    uri: &str,
    published: &str,
    key: &str,
    items: Vec<Value>,
    next: Option<String>,
) -> Value {
    let mut p = json!({
        "uri": uri,
        "version": VERSION,
        "publishedDate": published,
        "publisher": { "name": "Jakpreneur e-order" },
    });
    p[key] = Value::Array(items);
    if let Some(n) = next {
        p["links"] = json!({ "next": n });
    }
    p
}

/// A record: the process's release, and the same compiled.
pub fn record(prefix: &str, o: &Order, unit: Option<&BuyerUnit>) -> Value {
    let release = release(prefix, o, unit);
    let mut compiled = release.clone();
    compiled["tag"] = json!(["compiled"]);
    compiled["id"] = json!(format!(
        "{}-compiled",
        release["id"].as_str().unwrap_or_default()
    ));
    json!({
        "ocid": ocid(prefix, o.id),
        "releases": [release],
        "compiledRelease": compiled,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ocids_round_trip_and_prefixes_are_checked() {
        assert!(valid_prefix("ocds-jkp000"));
        assert!(!valid_prefix("ocds-jkp"));
        assert!(!valid_prefix("ocds-jkp-00"));
        let o = ocid("ocds-jkp000", 42);
        assert_eq!(o, "ocds-jkp000-eorder-42");
        assert_eq!(order_id("ocds-jkp000", &o), Some(42));
        assert_eq!(order_id("ocds-jkp000", "ocds-other0-eorder-42"), None);
        assert_eq!(order_id("ocds-jkp000", "ocds-jkp000-eorder-0"), None);
        assert_eq!(order_id("ocds-jkp000", "ocds-jkp000-eorder-x"), None);
    }
}
