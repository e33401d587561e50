//! Fair allocation of booths at a bazaar or exhibition with more applicants than booths.
//! The order is explained and can be re-run by anyone: grade-A products first (then B, C,
//! then members without a curated product), then members who had fewer places in the last
//! 12 months, then a published random draw. The draw is the SHA-256 of
//! `"<seed>:<member_no>"` in hexadecimal, smallest first: the seed is published with the
//! result, so anyone can recompute every member's draw value with a standard tool
//! (`printf '%s' 'SEED:JP-3171-0000001' | sha256sum`) and check the order.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::curation::Grade;

/// One applicant as the allocation sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applicant {
    pub member_no: String,
    /// The best valid grade among the member's products, if any.
    pub best_grade: Option<Grade>,
    /// Places the member had at market events in the 12 months before the event.
    pub places_last_12_months: i64,
}

/// An applicant's place in the order, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ranked {
    pub member_no: String,
    pub rank: i64,
    pub won: bool,
    pub best_grade: Option<Grade>,
    pub places_last_12_months: i64,
    pub draw: String,
}

/// The draw value of one member under `seed`.
pub fn draw(seed: &str, member_no: &str) -> String {
    let digest = Sha256::digest(format!("{seed}:{member_no}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Orders the applicants and gives the first `booths` a place.
pub fn allocate(booths: i64, applicants: &[Applicant], seed: &str) -> Vec<Ranked> {
    let mut keyed: Vec<(u8, i64, String, &Applicant)> = applicants
        .iter()
        .map(|a| {
            let grade = a.best_grade.filter(|g| g.passed()).map_or(3, Grade::rank);
            (grade, a.places_last_12_months, draw(seed, &a.member_no), a)
        })
        .collect();
    keyed.sort_by(|x, y| (x.0, x.1, &x.2).cmp(&(y.0, y.1, &y.2)));
    keyed
        .into_iter()
        .enumerate()
        .map(|(i, (_, places, draw, a))| {
            let rank = i64::try_from(i).unwrap_or(i64::MAX) + 1;
            Ranked {
                member_no: a.member_no.clone(),
                rank,
                won: rank <= booths,
                best_grade: a.best_grade,
                places_last_12_months: places,
                draw,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(no: &str, g: Option<Grade>, places: i64) -> Applicant {
        Applicant {
            member_no: no.into(),
            best_grade: g,
            places_last_12_months: places,
        }
    }

    #[test]
    fn grade_then_fewer_places_then_draw() {
        let apps = [
            a("JP-3171-0000001", None, 0),
            a("JP-3171-0000002", Some(Grade::B), 0),
            a("JP-3171-0000003", Some(Grade::A), 5),
            a("JP-3171-0000004", Some(Grade::A), 1),
            a("JP-3171-0000005", Some(Grade::Fail), 0),
            a("JP-3171-0000006", Some(Grade::B), 0),
        ];
        let r = allocate(3, &apps, "bazar-2026-12");
        let order: Vec<&str> = r.iter().map(|x| x.member_no.as_str()).collect();
        assert_eq!(&order[..2], ["JP-3171-0000004", "JP-3171-0000003"]);
        // The two B members without places are ordered by their draw.
        let (b2, b6) = (
            draw("bazar-2026-12", "JP-3171-0000002"),
            draw("bazar-2026-12", "JP-3171-0000006"),
        );
        let first_b = if b2 < b6 {
            "JP-3171-0000002"
        } else {
            "JP-3171-0000006"
        };
        assert_eq!(order[2], first_b);
        assert_eq!(r.iter().filter(|x| x.won).count(), 3);
        // Failed and uncurated come last, by draw.
        assert!(order[4..].contains(&"JP-3171-0000001"));
        assert!(order[4..].contains(&"JP-3171-0000005"));
        // The same seed gives the same order; the draw is the published SHA-256.
        assert_eq!(allocate(3, &apps, "bazar-2026-12"), r);
        assert_eq!(
            draw("s", "m"),
            "308ef9d0e8da4ea373af56108c23acf30ffd39dd55560eedb119d042baacdc7f"
        );
    }
}
