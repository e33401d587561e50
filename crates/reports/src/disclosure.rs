//! The open data's small-count protection: the suppression rule (counts below a threshold
//! hidden for small areas and fine groups) and complementary suppression (no hidden count
//! can be worked out by subtraction from a total that is shown).

use jakpreneur_core::format::format_count;
use jakpreneur_core::{RegionCode, RegionLevel};
use jakpreneur_store::Breakdown;

/// The suppression rule of the open data: counts below the threshold are hidden wherever
/// they describe a district, a village, or a group of a breakdown other than cities;
/// province and city totals are shown as they are. The API and the pages both apply it.
#[derive(Debug, Clone, Copy)]
pub struct Suppression {
    pub min: i64,
    /// A district or village: its own totals are hidden below the threshold.
    pub small_area: bool,
    /// Groups other than cities (or any group of a small area) are hidden below it.
    pub small_groups: bool,
}

impl Suppression {
    pub fn new(min: i64, region: Option<&RegionCode>, by: Option<Breakdown>) -> Self {
        let small_area = region
            .is_some_and(|r| matches!(r.level(), RegionLevel::District | RegionLevel::Village));
        Self {
            min,
            small_area,
            small_groups: small_area
                || !matches!(by, Some(Breakdown::Region(RegionLevel::City)) | None),
        }
    }

    /// A total of the report's region, or `None` when it is hidden.
    pub fn total(self, n: i64) -> Option<i64> {
        (!self.small_area || n >= self.min).then_some(n)
    }

    /// A count of one group, or `None` when it is hidden.
    pub fn group(self, n: i64) -> Option<i64> {
        (!self.small_groups || n >= self.min).then_some(n)
    }

    /// What a hidden count shows instead: `<5`.
    pub fn label(self) -> String {
        format!("<{}", self.min)
    }

    pub fn text(self, v: Option<i64>) -> String {
        v.map_or_else(|| self.label(), format_count)
    }
}

/// Complementary suppression: among counts that add up to a total that is shown (the
/// districts of a city, the sectors of a report), one hidden count could be worked out by
/// subtraction. Wherever a family of siblings has exactly one hidden count, the smallest
/// shown sibling is hidden too. `cells`: (family, count or `None` when hidden); returns
/// whether anything more was hidden.
pub fn protect(cells: &mut [(String, Option<i64>)]) -> bool {
    let mut changed = false;
    let mut families: Vec<&str> = Vec::new();
    for (f, _) in cells.iter() {
        if !families.contains(&f.as_str()) {
            families.push(f);
        }
    }
    let families: Vec<String> = families.into_iter().map(str::to_owned).collect();
    for family in families {
        let members: Vec<usize> = (0..cells.len()).filter(|&i| cells[i].0 == family).collect();
        let hidden = members.iter().filter(|&&i| cells[i].1.is_none()).count();
        if hidden != 1 || members.len() < 2 {
            continue;
        }
        if let Some(&smallest) = members
            .iter()
            .filter(|&&i| cells[i].1.is_some())
            .min_by_key(|&&i| cells[i].1)
        {
            cells[smallest].1 = None;
            changed = true;
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::protect;

    #[test]
    fn a_lone_hidden_count_takes_its_smallest_sibling_with_it() {
        let mut c = vec![
            ("31.71".to_owned(), Some(10)),
            ("31.71".to_owned(), None),
            ("31.71".to_owned(), Some(7)),
            ("31.72".to_owned(), None),
            ("31.72".to_owned(), None),
            ("31.73".to_owned(), Some(3)),
        ];
        assert!(protect(&mut c));
        assert_eq!(c[2].1, None, "7 hidden beside the hidden one");
        assert_eq!(c[0].1, Some(10));
        assert_eq!(
            c[5].1,
            Some(3),
            "nothing hidden in 31.73: nothing to protect"
        );
        assert!(!protect(&mut c), "stable");
    }
}
