//! The rows of the members and services exports, shared by the download on the members
//! list and `jakpreneur export`: the same columns, the same masking. The members file
//! holds what the list shows and no more (no NIK, birth date or address; the phone in
//! full only for roles that may see NIKs); the services file has the columns
//! `jakpreneur import events` reads, so an export can be imported elsewhere.

use jakpreneur_store::{Event, Member};

/// The members file's columns, named as the API names the fields.
pub const MEMBER_COLUMNS: [&str; 14] = [
    "member_no",
    "business_name",
    "full_name",
    "sex",
    "phone",
    "email",
    "village_code",
    "village",
    "district",
    "sector",
    "sector_name",
    "channel",
    "registered_on",
    "status",
];

/// The services file's columns: those `import events` reads, then what the ledger adds.
pub const SERVICE_COLUMNS: [&str; 11] = [
    "member_no",
    "facility",
    "kind",
    "occurred_on",
    "agency",
    "place_code",
    "reference",
    "note",
    "event_id",
    "recorded_by",
    "qualifying",
];

/// How a row names places and sectors (in the reader's language on a page).
pub struct Names<'a> {
    pub place: &'a (dyn Fn(&str) -> String + Sync),
    pub sector: &'a (dyn Fn(&str) -> String + Sync),
}

/// A member as a row of [`MEMBER_COLUMNS`]; the phone masked unless `full_phone`.
pub fn member_row(m: &Member, full_phone: bool, names: &Names<'_>) -> Vec<String> {
    let (name, phone, email) = match &m.personal {
        Some(p) => (
            p.full_name.clone(),
            if full_phone {
                p.phone.clone()
            } else {
                mask_phone(&p.phone)
            },
            p.email.clone().unwrap_or_default(),
        ),
        None => Default::default(),
    };
    vec![
        m.member_no.clone(),
        m.business_name.clone(),
        name,
        m.sex.as_str().to_owned(),
        phone,
        email,
        m.village_code.clone(),
        (names.place)(&m.village_code),
        (names.place)(&m.district_code),
        m.sector.clone(),
        (names.sector)(&m.sector),
        m.channel.as_str().to_owned(),
        m.registered_on.to_string(),
        m.status.as_str().to_owned(),
    ]
}

/// A service as a row of [`SERVICE_COLUMNS`].
pub fn service_row(e: &Event) -> Vec<String> {
    vec![
        e.member_no.clone(),
        e.stage.clone(),
        e.kind.clone(),
        e.occurred_on.to_string(),
        e.agency_code.clone(),
        e.place_code.clone().unwrap_or_default(),
        e.reference.clone().unwrap_or_default(),
        e.note.clone().unwrap_or_default(),
        e.id.to_string(),
        e.recorded_by.clone(),
        if e.qualifying { "yes" } else { "no" }.to_owned(),
    ]
}

/// `081234567890` → `0812*****890`: enough to tell two numbers apart on a call, not to
/// dial.
pub fn mask_phone(phone: &str) -> String {
    let n = phone.chars().count();
    if n <= 7 {
        return "*".repeat(n);
    }
    phone
        .chars()
        .enumerate()
        .map(|(i, c)| if i < 4 || i >= n - 3 { c } else { '*' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_masked() {
        assert_eq!(mask_phone("081234567890"), "0812*****890");
        assert_eq!(mask_phone("0211234"), "*******");
    }
}
