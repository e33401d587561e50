//! Cell-key perturbation of published counts below city level.
//!
//! Each published cell below city level gets a small fixed noise: a function of the cell
//! (what it counts and where) and of its true count, through a keyed hash whose key the
//! public does not have. The same cell with the same count always shows the same value,
//! however it is asked for (directly, as a group of its parent, on another date), so
//! asking again gives nothing new; and a difference of two published cells is the
//! difference of their true counts plus two noises, never the exact difference. A cell is
//! shown only when its perturbed value is at least the threshold plus [`NOISE_BOUND`], so
//! whatever a reader works out about a shown cell from its value lies at or above the
//! threshold. docs/indicators.md gives the method, its parameters and its cost.

/// The noise never moves a count by more than this, either way.
pub const NOISE_BOUND: i64 = 2;

/// The perturbation table: the chance of each noise from −2 to +2, in 64-bit steps
/// (0.1, 0.2, 0.4, 0.2, 0.1): symmetric, so figures are unbiased on average.
const CUMULATIVE: [(u64, i64); 4] = [
    (u64::MAX / 10, -2),
    (u64::MAX / 10 * 3, -1),
    (u64::MAX / 10 * 7, 0),
    (u64::MAX / 10 * 9, 1),
];

/// The noise for a cell whose keyed hash gave `u` (uniform over `u64`).
pub fn noise(u: u64) -> i64 {
    CUMULATIVE
        .iter()
        .find(|(below, _)| u < *below)
        .map_or(NOISE_BOUND, |(_, n)| *n)
}

/// The published value of a true `count` whose cell hash is `u`: zero stays zero, and no
/// value goes below zero.
pub fn perturb(count: i64, u: u64) -> i64 {
    if count <= 0 {
        return count.max(0);
    }
    (count + noise(u)).max(0)
}

/// What a reader who knows this method can conclude about a cell's true count from what
/// was published (`Some(v)` shown, `None` hidden) at threshold `min`: the inclusive range
/// of counts that could have given it.
pub fn possible_counts(shown: Option<i64>, min: i64) -> (i64, i64) {
    match shown {
        Some(v) => ((v - NOISE_BOUND).max(0), v + NOISE_BOUND),
        // Hidden: the perturbed value was below min + bound.
        None => (0, min + 2 * NOISE_BOUND - 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_noise_follows_the_table() {
        let mut seen = [0u32; 5];
        let n = 100_000u64;
        for i in 0..n {
            // Evenly spread points over u64.
            let u = i.wrapping_mul(u64::MAX / n);
            seen[(noise(u) + NOISE_BOUND) as usize] += 1;
        }
        let share: Vec<f64> = seen.iter().map(|&s| f64::from(s) / n as f64).collect();
        for (got, want) in share.iter().zip([0.1, 0.2, 0.4, 0.2, 0.1]) {
            assert!((got - want).abs() < 0.001, "{share:?}");
        }
    }

    #[test]
    fn zero_stays_zero_and_nothing_goes_negative() {
        for u in [0, u64::MAX / 2, u64::MAX] {
            assert_eq!(perturb(0, u), 0);
            assert!(perturb(1, u) >= 0);
        }
        assert_eq!(perturb(1, 0), 0, "1 − 2 is shown as 0");
        assert_eq!(perturb(10, u64::MAX), 12);
    }

    #[test]
    fn a_shown_value_never_lets_a_reader_place_a_count_below_the_threshold() {
        // Shown only from min + bound: the lowest count a shown value allows is min.
        let min = 5;
        let lowest_shown = min + NOISE_BOUND;
        assert_eq!(possible_counts(Some(lowest_shown), min).0, min);
        // A hidden count could be anything from 0 to the highest that can still hide.
        let (lo, hi) = possible_counts(None, min);
        assert_eq!(lo, 0);
        assert_eq!(hi, lowest_shown - 1 + NOISE_BOUND);
        assert!((0..=hi).any(|c| c + NOISE_BOUND >= lowest_shown));
    }
}
