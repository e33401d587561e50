//! E-mail addresses: optional on a member, but a plausible `local@domain.tld` when given.

use crate::FieldError;

pub fn parse_email(field: &'static str, raw: &str) -> Result<String, FieldError> {
    let s = raw.trim();
    let bad = |why: &str| {
        FieldError::new(
            field,
            "email_format",
            format!("{field} is not a valid e-mail address: {why}"),
        )
    };
    if s.len() > 254 {
        return Err(bad("longer than 254 characters"));
    }
    let (local, domain) = s.rsplit_once('@').ok_or_else(|| bad("no @"))?;
    if local.is_empty() || local.len() > 64 {
        return Err(bad("the part before @ must be 1-64 characters"));
    }
    let local_ok = local
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~.-".contains(&b));
    if !local_ok || local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(bad("the part before @ has characters that are not allowed"));
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()));
    if !domain_ok {
        return Err(bad("the domain must look like example.co.id"));
    }
    Ok(format!("{local}@{}", domain.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_lowercases_domain() {
        assert_eq!(
            parse_email("email", " siti@Warung.CO.ID ").unwrap(),
            "siti@warung.co.id"
        );
        assert!(parse_email("email", "a.b+c@mail.example.com").is_ok());
    }

    #[test]
    fn refuses_malformed() {
        for bad in [
            "",
            "siti",
            "siti@",
            "@x.id",
            "siti@localhost",
            "si ti@x.id",
            "a..b@x.id",
            "a@-x.id",
            "a@x.i",
            "a@x.123",
        ] {
            assert_eq!(
                parse_email("email", bad).unwrap_err().code,
                "email_format",
                "{bad}"
            );
        }
    }
}
