//! Line chart of one or more series over dates (typically cumulative registrants per
//! month), with a legend, date and count axes, each line's last value printed at its
//! end, and an optional dashed target line.

use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};

use super::{
    AXIS, Anchor, BODY_TOP, Doc, GRID, INK, MARGIN, MUTED, escape, fitted_text, format_count, num,
    text, text_width,
};

/// A line chart of one or more cumulative series over dates (e.g. registrants per month)
/// with an optional horizontal target line labelled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    pub name: String,
    pub points: Vec<(NaiveDate, i64)>,
}

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 400.0;
const TICK_SIZE: f64 = 12.0;
const LEGEND_SIZE: f64 = 13.0;
const END_SIZE: f64 = 12.0;
/// Colour-blind-safe, distinguishable on white; the first matches the bar charts.
const PALETTE: [&str; 6] = [
    "#1f7a78", "#d9822b", "#6a51a3", "#c2185b", "#5b8c00", "#2f6fb0",
];
const TARGET: &str = "#b3261e";

/// A series ready to draw: its points in date order and its colour.
struct Line<'a> {
    colour: &'static str,
    name: &'a str,
    points: Vec<(NaiveDate, i64)>,
}

/// A round step (1, 2 or 5 times a power of ten) at least `raw`, and at least 1 because
/// the values are counts.
fn nice_step(raw: f64) -> i64 {
    if raw <= 1.0 {
        return 1;
    }
    let mag = 10f64.powi(raw.log10().floor() as i32);
    let f = raw / mag;
    let nice = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    (nice * mag).round() as i64
}

/// Ticks on the count axis: `(low, high, step)` covering `min..=max` and zero.
fn count_ticks(min: i64, max: i64) -> (i64, i64, i64) {
    let (lo, hi) = (min.min(0), max.max(1));
    let step = nice_step((hi - lo) as f64 / 5.0);
    (
        lo.div_euclid(step) * step,
        (hi + step - 1).div_euclid(step) * step,
        step,
    )
}

/// Dates to label on the time axis, with their labels: month starts (every 1, 2, 3, 6,
/// 12 … months, aligned so quarters start in January) when the range covers at least
/// two, otherwise individual days. At most `max_ticks`.
fn date_ticks(first: NaiveDate, last: NaiveDate, max_ticks: usize) -> Vec<(NaiveDate, String)> {
    let month_index = |d: NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
    let from_index =
        |i: i64| NaiveDate::from_ymd_opt(i.div_euclid(12) as i32, i.rem_euclid(12) as u32 + 1, 1);
    let start = month_index(first) + i64::from(first.day() != 1);
    let end = month_index(last);
    let months = end - start + 1;
    if months >= 2 {
        let step = [1, 2, 3, 6, 12, 24, 60, 120]
            .into_iter()
            .find(|s| (months + s - 1) / s <= max_ticks as i64)
            .unwrap_or(240);
        return (start..=end)
            .filter(|i| i.rem_euclid(step) == 0)
            .filter_map(|i| {
                let d = from_index(i)?;
                let label = if step >= 12 {
                    d.format("%Y").to_string()
                } else {
                    d.format("%Y-%m").to_string()
                };
                Some((d, label))
            })
            .collect();
    }
    let days = (last - first).num_days() + 1;
    let step = [1, 2, 7, 14]
        .into_iter()
        .find(|s| (days + s - 1) / s <= max_ticks as i64)
        .unwrap_or(28);
    first
        .iter_days()
        .take(days as usize)
        .step_by(step as usize)
        .map(|d| (d, d.format("%Y-%m-%d").to_string()))
        .collect()
}

/// Moves label centres apart so none are closer than `gap`, keeping them within
/// `top..=bottom` and as near to their lines as that allows.
fn spread(ys: &mut [(f64, usize)], gap: f64, top: f64, bottom: f64) {
    ys.sort_by(|a, b| a.0.total_cmp(&b.0));
    for i in 1..ys.len() {
        ys[i].0 = ys[i].0.max(ys[i - 1].0 + gap);
    }
    if let Some(last) = ys.last_mut() {
        last.0 = last.0.min(bottom);
    }
    for i in (0..ys.len().saturating_sub(1)).rev() {
        ys[i].0 = ys[i].0.min(ys[i + 1].0 - gap);
    }
    if let Some(first) = ys.first_mut() {
        first.0 = first.0.max(top);
    }
}

/// The series as lines over a shared date axis from the earliest to the latest point,
/// counts from zero (or the lowest value, if negative) to a round number above the
/// largest value or target. `target` is `(value, label)`. No points in any series → an
/// SVG saying the `empty` text.
pub fn line_chart(
    title: &str,
    series: &[Series],
    target: Option<(i64, &str)>,
    empty: &str,
) -> String {
    let sorted: Vec<Line> = series
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.points.is_empty())
        .map(|(i, s)| {
            let mut points = s.points.clone();
            points.sort_by_key(|p| p.0);
            Line {
                // By position in the caller's list, so a series keeps its colour even
                // when an earlier one has no points.
                colour: PALETTE[i % PALETTE.len()],
                name: &s.name,
                points,
            }
        })
        .collect();
    let all = || sorted.iter().flat_map(|l| l.points.iter());
    let (Some(first), Some(last)) = (all().map(|p| p.0).min(), all().map(|p| p.0).max()) else {
        return super::empty_chart("line", title, empty);
    };
    let values = all().map(|p| p.1).chain(target.map(|t| t.0));
    let (min_v, max_v) = values.fold((i64::MAX, i64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let (lo, hi, step) = count_ticks(min_v, max_v);

    let mut desc: Vec<String> = sorted
        .iter()
        .map(
            |Line {
                 name, points: p, ..
             }| {
                let (a, b) = (p[0], p[p.len() - 1]);
                if p.len() == 1 {
                    format!("{}: {} {}", name, a.0, format_count(a.1))
                } else {
                    format!(
                        "{}: {} {} → {} {}",
                        name,
                        a.0,
                        format_count(a.1),
                        b.0,
                        format_count(b.1)
                    )
                }
            },
        )
        .collect();
    if let Some((v, label)) = target {
        desc.push(format!("{label}: {}", format_count(v)));
    }
    let mut doc = Doc::open("line", WIDTH, HEIGHT, title, &desc.join("; "));
    let out = &mut doc.out;

    // Legend: entries flow left to right and wrap; the plot starts below them.
    let mut lx = MARGIN;
    let mut ly = BODY_TOP + 6.0;
    for line in &sorted {
        let name_w = text_width(line.name, LEGEND_SIZE).min(WIDTH - 2.0 * MARGIN - 26.0);
        if lx > MARGIN && lx + 26.0 + name_w > WIDTH - MARGIN {
            lx = MARGIN;
            ly += 20.0;
        }
        let colour = line.colour;
        let _ = write!(
            out,
            r#"<line class="chart-legend-swatch" x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{colour}" stroke-width="3" stroke-linecap="round"/>"#,
            num(lx),
            num(lx + 18.0),
            y = num(ly)
        );
        fitted_text(
            out,
            "chart-legend",
            lx + 24.0,
            ly,
            LEGEND_SIZE,
            Anchor::Start,
            INK,
            line.name,
            name_w,
        );
        lx += 24.0 + name_w + 20.0;
    }

    let tick_labels: Vec<String> = (0..)
        .map(|k| lo + k * step)
        .take_while(|v| *v <= hi)
        .map(format_count)
        .collect();
    let axis_w = tick_labels
        .iter()
        .map(|t| text_width(t, TICK_SIZE))
        .fold(0.0, f64::max);
    let mut end_labels: Vec<(String, &str)> = sorted
        .iter()
        .map(|l| (format_count(l.points[l.points.len() - 1].1), l.colour))
        .collect();
    if let Some((v, _)) = target {
        end_labels.push((format_count(v), TARGET));
    }
    let end_w = end_labels
        .iter()
        .map(|(t, _)| text_width(t, END_SIZE))
        .fold(0.0, f64::max);
    // Wide enough for half of the first date label, which is centred on the axis.
    let plot_x = (MARGIN + axis_w + 8.0).max(MARGIN + 40.0);
    let plot_r = WIDTH - MARGIN - end_w - 8.0;
    let plot_top = ly + 22.0;
    let plot_bottom = HEIGHT - MARGIN - 22.0;
    let span_days = (last - first).num_days();
    let x_of = |d: NaiveDate| -> f64 {
        if span_days == 0 {
            (plot_x + plot_r) / 2.0
        } else {
            plot_x + (plot_r - plot_x) * (d - first).num_days() as f64 / span_days as f64
        }
    };
    let y_of = |v: i64| -> f64 {
        plot_bottom - (plot_bottom - plot_top) * (v - lo) as f64 / (hi - lo) as f64
    };

    for (k, label) in tick_labels.iter().enumerate() {
        let y = y_of(lo + k as i64 * step);
        let colour = if lo + k as i64 * step == 0 {
            AXIS
        } else {
            GRID
        };
        let _ = write!(
            out,
            r#"<line class="chart-grid" x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{colour}" stroke-width="1"/>"#,
            num(plot_x),
            num(plot_r),
            y = num(y)
        );
        text(
            out,
            "chart-tick",
            plot_x - 6.0,
            y,
            TICK_SIZE,
            Anchor::End,
            MUTED,
            label,
        );
    }
    let max_ticks = ((plot_r - plot_x) / 72.0).floor().max(2.0) as usize;
    for (d, label) in date_ticks(first, last, max_ticks) {
        let x = x_of(d);
        let _ = write!(
            out,
            r#"<line class="chart-tick-mark" x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{AXIS}" stroke-width="1"/>"#,
            num(plot_bottom),
            num(plot_bottom + 4.0),
            x = num(x)
        );
        text(
            out,
            "chart-tick",
            x,
            plot_bottom + 14.0,
            TICK_SIZE,
            Anchor::Middle,
            MUTED,
            &label,
        );
    }

    let mut ends: Vec<(f64, usize)> = Vec::new();
    if let Some((v, label)) = target {
        let y = y_of(v);
        let _ = write!(
            out,
            r#"<line class="chart-target" x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{TARGET}" stroke-width="1.5" stroke-dasharray="6 4"/>"#,
            num(plot_x),
            num(plot_r),
            y = num(y)
        );
        // At the left end: cumulative series start low, so that end is clear. Above the
        // line, unless that would crowd the legend.
        let label_y = if y - plot_top < 20.0 {
            y + 11.0
        } else {
            y - 11.0
        };
        fitted_text(
            out,
            "chart-target-label",
            plot_x + 6.0,
            label_y,
            END_SIZE,
            Anchor::Start,
            TARGET,
            label,
            (plot_r - plot_x) * 0.6,
        );
        ends.push((y, end_labels.len() - 1));
    }

    for (
        n,
        Line {
            colour,
            points: pts,
            ..
        },
    ) in sorted.iter().enumerate()
    {
        let _ = write!(
            out,
            r#"<g class="chart-series"><title>{}</title>"#,
            escape(&desc[n])
        );
        if pts.len() > 1 {
            let mut d = String::new();
            for (k, (date, v)) in pts.iter().enumerate() {
                let _ = write!(
                    d,
                    "{}{},{}",
                    if k == 0 { "M" } else { " L" },
                    num(x_of(*date)),
                    num(y_of(*v))
                );
            }
            let _ = write!(
                out,
                r#"<path class="chart-line" d="{d}" fill="none" stroke="{colour}" stroke-width="2.5" stroke-linejoin="round" stroke-linecap="round"/>"#
            );
        }
        // Markers only where they help: a lone point, or few enough not to clutter.
        if pts.len() <= 24 {
            for (date, v) in pts {
                let _ = write!(
                    out,
                    r#"<circle class="chart-point" cx="{}" cy="{}" r="3" fill="{colour}"/>"#,
                    num(x_of(*date)),
                    num(y_of(*v))
                );
            }
        }
        out.push_str("</g>");
        ends.push((y_of(pts[pts.len() - 1].1), n));
    }

    spread(&mut ends, END_SIZE + 2.0, plot_top, plot_bottom);
    for (y, k) in ends {
        let (label, colour) = &end_labels[k];
        text(
            out,
            "chart-end",
            plot_r + 6.0,
            y,
            END_SIZE,
            Anchor::Start,
            colour,
            label,
        );
    }
    doc.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn count_axis_uses_round_steps() {
        assert_eq!(nice_step(0.4), 1);
        assert_eq!(nice_step(3.0), 5);
        assert_eq!(nice_step(40_000.0), 50_000);
        assert_eq!(nice_step(12_000.0), 20_000);
        assert_eq!(count_ticks(0, 264_213), (0, 300_000, 100_000));
        assert_eq!(count_ticks(0, 0), (0, 1, 1));
        assert_eq!(count_ticks(-7, 20), (-10, 20, 10));
    }

    #[test]
    fn date_axis_labels_months_or_years() {
        let t = date_ticks(d(2024, 1, 1), d(2025, 6, 1), 8);
        assert!(t.len() <= 8 && t.len() >= 4, "{t:?}");
        assert_eq!(t[0].1, "2024-01");
        let years = date_ticks(d(2015, 3, 9), d(2025, 6, 1), 8);
        assert!(years.iter().all(|(_, l)| l.len() == 4), "{years:?}");
        let days = date_ticks(d(2025, 3, 3), d(2025, 3, 20), 8);
        assert!(days.len() <= 8 && days[0].1 == "2025-03-03", "{days:?}");
        assert_eq!(date_ticks(d(2025, 3, 3), d(2025, 3, 3), 8).len(), 1);
    }

    #[test]
    fn end_labels_are_pushed_apart() {
        let mut ys = vec![(100.0, 0), (101.0, 1), (300.0, 2), (99.0, 3)];
        spread(&mut ys, 14.0, 50.0, 310.0);
        ys.sort_by(|a, b| a.0.total_cmp(&b.0));
        for w in ys.windows(2) {
            assert!(w[1].0 - w[0].0 >= 14.0 - 1e-9, "{ys:?}");
        }
        let mut low = vec![(309.0, 0), (310.0, 1)];
        spread(&mut low, 14.0, 50.0, 310.0);
        assert!(low.iter().all(|(y, _)| *y <= 310.0));
    }

    #[test]
    fn draws_each_series_and_the_target() {
        let series = [
            Series {
                name: "Perempuan".into(),
                points: vec![
                    (d(2025, 2, 1), 40),
                    (d(2025, 1, 1), 10),
                    (d(2025, 3, 1), 1200),
                ],
            },
            Series {
                name: "Laki-laki <&>".into(),
                points: vec![(d(2025, 1, 1), 5)],
            },
        ];
        let svg = line_chart("Registrants", &series, Some((2000, "Target 2025")), "none");
        assert_eq!(svg.matches(r#"<path class="chart-line""#).count(), 1);
        assert_eq!(svg.matches(r#"<circle class="chart-point""#).count(), 4);
        assert!(svg.contains(r#"class="chart-target""#));
        assert!(svg.contains(">Target 2025</text>"));
        assert!(svg.contains(">2.000</text>"));
        assert!(svg.contains(">1.200</text>"));
        assert!(svg.contains("Laki-laki &lt;&amp;&gt;"));
        assert!(svg.contains("Perempuan: 2025-01-01 10 → 2025-03-01 1.200"));
        super::super::tests::assert_well_formed(&svg);
    }

    #[test]
    fn no_points_is_empty() {
        let svg = line_chart(
            "Registrants",
            &[Series {
                name: "x".into(),
                points: vec![],
            }],
            Some((10, "t")),
            "Belum ada data",
        );
        assert!(svg.contains(">Belum ada data</text>"));
        assert!(!svg.contains(r#"<path class="chart-line""#));
    }
}
