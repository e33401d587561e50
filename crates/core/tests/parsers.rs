//! Property tests of every parser of user input in core: whatever the text, a parser
//! answers (never panics), a refusal names the field it was given, and what a parser
//! accepts is in its canonical form, which it accepts again unchanged.

use chrono::NaiveDate;
use jakpreneur_core::catalogue::parse_rupiah;
use jakpreneur_core::email::parse_email;
use jakpreneur_core::eorder::{parse_account_no, parse_unit_code};
use jakpreneur_core::import::{normalise_date, parse_grouped_number};
use jakpreneur_core::member::{parse_public_query, parse_sector};
use jakpreneur_core::text::{parse_date, parse_int, parse_reference, parse_text};
use jakpreneur_core::{FieldError, MemberDraft, NewMember, Nik, Phone, RegionCode, Role};
use proptest::prelude::*;

/// Any text: arbitrary Unicode, control characters included, up to 300 characters.
fn any_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<char>(), 0..300).prop_map(|c| c.into_iter().collect())
}

/// Text that looks like the input a field expects: digits, dots, dashes, spaces, `+`.
fn numberish() -> impl Strategy<Value = String> {
    "[0-9 .,+\\-/]{0,24}"
}

fn names_field(r: &Result<impl std::fmt::Debug, FieldError>, field: &str) {
    if let Err(e) = r {
        assert_eq!(e.field, field, "{e:?}");
        assert!(!e.message.is_empty());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn nik(raw in prop_oneof![any_text(), "[0-9]{16}", "3[1-6][0-9]{14}"]) {
        let r = Nik::parse(&raw);
        names_field(&r, "nik");
        if let Ok(n) = r {
            prop_assert_eq!(n.as_str().len(), 16);
            prop_assert_eq!(Nik::parse(n.as_str()).unwrap(), n);
        }
    }

    #[test]
    fn phone(raw in prop_oneof![any_text(), numberish(), "(\\+62|0)8[0-9]{8,11}"]) {
        let r = Phone::parse("phone", &raw);
        names_field(&r, "phone");
        if let Ok(p) = r {
            prop_assert!(p.as_str().starts_with("+62"));
            prop_assert_eq!(Phone::parse("phone", p.as_str()).unwrap(), p);
        }
    }

    #[test]
    fn region(raw in prop_oneof![any_text(), "31(\\.[0-9]{2}){0,2}(\\.[0-9]{4})?"]) {
        let r = RegionCode::parse("region", &raw);
        names_field(&r, "region");
        if let Ok(c) = r {
            prop_assert_eq!(RegionCode::parse("region", c.as_str()).unwrap(), c);
        }
        names_field(&RegionCode::parse_village("village_code", &raw), "village_code");
        names_field(&RegionCode::parse_district("district", &raw), "district");
    }

    #[test]
    fn email(raw in prop_oneof![any_text(), "[a-z.]{1,12}@[a-z]{1,10}\\.[a-z]{2,3}"]) {
        let r = parse_email("email", &raw);
        names_field(&r, "email");
        if let Ok(e) = r {
            prop_assert_eq!(parse_email("email", &e).unwrap(), e);
        }
    }

    #[test]
    fn free_text_and_references(raw in any_text()) {
        let r = parse_text("full_name", &raw, 2, 120);
        names_field(&r, "full_name");
        if let Ok(t) = &r {
            prop_assert!(!t.chars().any(char::is_control));
            prop_assert_eq!(t.trim(), t.as_str());
            prop_assert!(t.chars().count() <= 120);
            prop_assert_eq!(parse_text("full_name", t, 2, 120).unwrap(), t.clone());
        }
        let r = parse_reference("reference", &raw, 60);
        names_field(&r, "reference");
        if let Ok(t) = r {
            prop_assert_eq!(parse_reference("reference", &t, 60).unwrap(), t);
        }
    }

    #[test]
    fn dates_and_numbers(raw in prop_oneof![any_text(), numberish(), "[0-9]{4}-[0-9]{2}-[0-9]{2}"]) {
        let r = parse_date("occurred_on", &raw);
        names_field(&r, "occurred_on");
        if let Ok(d) = r {
            let again: NaiveDate =
                parse_date("occurred_on", &d.format("%Y-%m-%d").to_string()).unwrap();
            prop_assert_eq!(again, d);
        }
        let r = parse_int("limit", &raw, 1, 500);
        names_field(&r, "limit");
        if let Ok(n) = r {
            prop_assert!((1..=500).contains(&n));
        }
        let r = parse_rupiah("price", &raw, 1, 1_000_000_000);
        names_field(&r, "price");
        if let Ok(n) = r {
            prop_assert!((1..=1_000_000_000).contains(&n));
            prop_assert_eq!(parse_rupiah("price", &n.to_string(), 1, 1_000_000_000).unwrap(), n);
        }
        // The import's spreadsheet forms: never a panic, and a date comes out as ISO or
        // as it came.
        let _ = parse_grouped_number(&raw);
        let d = normalise_date(&raw);
        prop_assert!(
            d == raw.trim() || NaiveDate::parse_from_str(&d, "%Y-%m-%d").is_ok(),
            "{}",
            d
        );
    }

    #[test]
    fn codes_and_names(raw in prop_oneof![any_text(), "[A-Z0-9.\\-]{0,32}", "[a-z_]{0,20}"]) {
        names_field(&parse_unit_code("code", &raw), "code");
        let r = parse_account_no("account_no", &raw);
        names_field(&r, "account_no");
        if let Ok(a) = r {
            prop_assert!(a.bytes().all(|b| b.is_ascii_digit()));
        }
        names_field(&Role::parse("role", &raw), "role");
        let r = parse_sector(&raw);
        names_field(&r, "sector");
        if let Ok(s) = r {
            prop_assert_eq!(parse_sector(&s).unwrap(), s);
        }
        let _ = parse_public_query(Some(&raw));
    }

    /// A whole registration of arbitrary strings: refused with at least one named field,
    /// or accepted.
    #[test]
    fn member_registration(
        fields in proptest::collection::vec(prop_oneof![any_text(), numberish()], 12)
    ) {
        let f = |i: usize| Some(fields[i].clone());
        let d = MemberDraft {
            nik: f(0),
            full_name: f(1),
            birth_date: f(2),
            sex: f(3),
            phone: f(4),
            email: f(5),
            address: f(6),
            village_code: f(7),
            business_name: f(8),
            sector: f(9),
            channel: f(10),
            registered_on: f(11),
            consent: Some(true),
        };
        let today = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        match NewMember::parse_registration(&d, today) {
            Ok(m) => prop_assert_eq!(m.nik.as_str().len(), 16),
            Err(errors) => prop_assert!(errors.0.iter().all(|e| !e.field.is_empty())),
        }
    }

    #[test]
    fn passwords_normalise_idempotently(raw in any_text()) {
        let once = jakpreneur_core::password::normalize(&raw);
        prop_assert_eq!(jakpreneur_core::password::normalize(&once), once.clone());
    }

    #[test]
    fn second_factor_codes(
        raw in prop_oneof![any_text(), "[0-9 ]{4,9}", "[2-9a-zA-Z]{5}-?[2-9a-zA-Z]{5}"]
    ) {
        use jakpreneur_core::two_factor::{
            SecondFactor, format_recovery, parse_app_code, parse_second_factor,
        };
        let r = parse_second_factor("code", &raw);
        names_field(&r, "code");
        match r {
            Ok(SecondFactor::Code(c)) => {
                prop_assert!(c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit()));
                prop_assert_eq!(parse_app_code("code", &c), Ok(c.clone()));
            }
            Ok(SecondFactor::Recovery(c)) => {
                prop_assert_eq!(
                    parse_second_factor("code", &format_recovery(&c)),
                    Ok(SecondFactor::Recovery(c.clone()))
                );
            }
            Err(_) => {}
        }
        names_field(&parse_app_code("code", &raw), "code");
    }

    #[test]
    fn programme_codes(raw in prop_oneof![any_text(), "[a-zA-Z_ ]{0,20}"]) {
        use jakpreneur_core::programme::parse_programme;
        let r = parse_programme("programme", Some(&raw));
        names_field(&r, "programme");
        if let Ok(code) = r {
            prop_assert_eq!(parse_programme("programme", Some(&code)), Ok(code.clone()));
        }
    }
}
