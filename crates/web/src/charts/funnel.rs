//! The programme funnel: one centred bar per stage, proportional to its count, joined to
//! the next stage by a tapering band, with the stage's share of all registrants and of
//! the previous stage printed in two right-hand columns.

use std::fmt::Write as _;

use super::{
    Anchor, BAR_FILL, BODY_TOP, Doc, INK, MARGIN, MUTED, escape, fitted_text, format_count,
    format_share, num, text, text_width,
};

/// The funnel: one row per stage with its count and two shares (of registrants, of
/// previous stage) printed, bars centred and proportional to count.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelRow {
    pub label: String,
    pub count: i64,
    pub share_of_registrants: Option<f64>,
    pub share_of_previous: Option<f64>,
}

const WIDTH: f64 = 760.0;
const LABEL_SIZE: f64 = 14.0;
const COUNT_SIZE: f64 = 14.0;
const SHARE_SIZE: f64 = 14.0;
const HEADER_SIZE: f64 = 12.0;
const HEADER_LINE: f64 = 15.0;
const BAR_HEIGHT: f64 = 32.0;
/// Vertical room between two bars, filled by the connecting band.
const BAND: f64 = 16.0;
const GAP: f64 = 20.0;
const BAND_FILL: &str = "#cfe6e3";
/// A share column never grows past this; a longer header wraps onto a second line.
const MAX_COLUMN: f64 = 150.0;

fn share_text(share: Option<f64>) -> String {
    share.map_or_else(|| "–".to_owned(), format_share)
}

/// A header split onto at most two lines at the space that best balances them.
fn wrap_header(s: &str, max_w: f64) -> Vec<String> {
    if text_width(s, HEADER_SIZE) <= max_w || !s.contains(' ') {
        return vec![s.to_owned()];
    }
    let best = s
        .match_indices(' ')
        .map(|(i, _)| {
            let (a, b) = (&s[..i], &s[i + 1..]);
            let worst = text_width(a, HEADER_SIZE).max(text_width(b, HEADER_SIZE));
            (worst, i)
        })
        .min_by(|x, y| x.0.total_cmp(&y.0))
        .map_or(0, |(_, i)| i);
    vec![s[..best].to_owned(), s[best + 1..].to_owned()]
}

/// The funnel as SVG. `share_labels` head the two share columns (of registrants, of the
/// previous stage); a missing share prints as an en dash. No rows → an SVG with the title
/// and a dash.
pub fn funnel_chart(title: &str, rows: &[FunnelRow], share_labels: (&str, &str)) -> String {
    if rows.is_empty() {
        return super::empty_chart("funnel", title, "–");
    }
    let headers = [
        wrap_header(share_labels.0, MAX_COLUMN),
        wrap_header(share_labels.1, MAX_COLUMN),
    ];
    let column_w = |k: usize| -> f64 {
        let header = headers[k]
            .iter()
            .map(|h| text_width(h, HEADER_SIZE))
            .fold(0.0, f64::max);
        let values = rows
            .iter()
            .map(|r| {
                let share = if k == 0 {
                    r.share_of_registrants
                } else {
                    r.share_of_previous
                };
                text_width(&share_text(share), SHARE_SIZE)
            })
            .fold(0.0, f64::max);
        header.max(values).min(MAX_COLUMN)
    };
    let (col0_w, col1_w) = (column_w(0), column_w(1));
    let col1_right = WIDTH - MARGIN;
    let col0_right = col1_right - col1_w - GAP;
    let label_w = rows
        .iter()
        .map(|r| text_width(&r.label, LABEL_SIZE))
        .fold(0.0, f64::max)
        .clamp(60.0, 200.0);
    let area_x = MARGIN + label_w + GAP;
    let area_w = col0_right - col0_w - GAP - area_x;
    let cx = area_x + area_w / 2.0;
    let header_lines = headers.iter().map(Vec::len).max().unwrap_or(1) as f64;
    let rows_top = BODY_TOP + header_lines * HEADER_LINE + 6.0;
    let pitch = BAR_HEIGHT + BAND;
    let height = rows_top + pitch * rows.len() as f64 - BAND + MARGIN;

    let max = rows.iter().map(|r| r.count).max().unwrap_or(0);
    let bar_w = |count: i64| -> f64 {
        if max <= 0 || count <= 0 {
            0.0
        } else {
            // A stage with a handful of people still shows as a sliver, not as nothing.
            (area_w * count as f64 / max as f64).max(2.0)
        }
    };

    let desc = rows
        .iter()
        .map(|r| {
            let mut s = format!("{}: {}", r.label, format_count(r.count));
            let shares: Vec<String> = [
                (r.share_of_registrants, share_labels.0),
                (r.share_of_previous, share_labels.1),
            ]
            .into_iter()
            .filter_map(|(share, label)| share.map(|f| format!("{} {label}", format_share(f))))
            .collect();
            if !shares.is_empty() {
                let _ = write!(s, " ({})", shares.join(", "));
            }
            s
        })
        .collect::<Vec<_>>()
        .join("; ");

    let mut doc = Doc::open("funnel", WIDTH, height, title, &desc);
    let out = &mut doc.out;

    for (k, (lines, right)) in headers.iter().zip([col0_right, col1_right]).enumerate() {
        for (j, line) in lines.iter().enumerate() {
            fitted_text(
                out,
                "chart-header",
                right,
                BODY_TOP + HEADER_LINE * (j as f64 + 0.5),
                HEADER_SIZE,
                Anchor::End,
                MUTED,
                line,
                if k == 0 { col0_w } else { col1_w },
            );
        }
    }

    // Bands first, so each bar's edges are drawn over them.
    for (i, pair) in rows.windows(2).enumerate() {
        let (w0, w1) = (bar_w(pair[0].count), bar_w(pair[1].count));
        let y0 = rows_top + pitch * i as f64 + BAR_HEIGHT;
        let y1 = y0 + BAND;
        let _ = write!(
            out,
            r#"<polygon class="chart-band" points="{},{} {},{} {},{} {},{}" fill="{BAND_FILL}"/>"#,
            num(cx - w0 / 2.0),
            num(y0),
            num(cx + w0 / 2.0),
            num(y0),
            num(cx + w1 / 2.0),
            num(y1),
            num(cx - w1 / 2.0),
            num(y1)
        );
    }

    for (i, row) in rows.iter().enumerate() {
        let top = rows_top + pitch * i as f64;
        let mid = top + BAR_HEIGHT / 2.0;
        let w = bar_w(row.count);
        let _ = write!(
            out,
            r#"<g class="chart-row"><title>{}</title>"#,
            escape(&format!("{}: {}", row.label, format_count(row.count)))
        );
        fitted_text(
            out,
            "chart-label",
            MARGIN,
            mid,
            LABEL_SIZE,
            Anchor::Start,
            INK,
            &row.label,
            label_w,
        );
        if w > 0.0 {
            let _ = write!(
                out,
                r#"<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}" fill="{BAR_FILL}"/>"#,
                num(cx - w / 2.0),
                num(top),
                num(w),
                num(BAR_HEIGHT)
            );
        }
        let count = format_count(row.count);
        let count_w = text_width(&count, COUNT_SIZE);
        // Inside the bar when it fits; beside it otherwise, where dark text stays legible.
        if w >= count_w + 16.0 {
            text(
                out,
                "chart-value chart-value-inside",
                cx,
                mid,
                COUNT_SIZE,
                Anchor::Middle,
                "#ffffff",
                &count,
            );
        } else {
            text(
                out,
                "chart-value",
                cx + w / 2.0 + 6.0,
                mid,
                COUNT_SIZE,
                Anchor::Start,
                INK,
                &count,
            );
        }
        for (share, right) in [
            (row.share_of_registrants, col0_right),
            (row.share_of_previous, col1_right),
        ] {
            text(
                out,
                "chart-share",
                right,
                mid,
                SHARE_SIZE,
                Anchor::End,
                if share.is_some() { INK } else { MUTED },
                &share_text(share),
            );
        }
        out.push_str("</g>");
    }
    doc.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<FunnelRow> {
        vec![
            FunnelRow {
                label: "Registered".into(),
                count: 264213,
                share_of_registrants: Some(1.0),
                share_of_previous: None,
            },
            FunnelRow {
                label: "Trained".into(),
                count: 165318,
                share_of_registrants: Some(0.6257),
                share_of_previous: Some(0.6257),
            },
            FunnelRow {
                label: "Financed <&>".into(),
                count: 3,
                share_of_registrants: Some(0.0000114),
                share_of_previous: Some(0.45),
            },
        ]
    }

    fn widths(svg: &str) -> Vec<f64> {
        svg.split(r#"<rect class="chart-bar""#)
            .skip(1)
            .map(|r| {
                r.split(" width=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap()
            })
            .collect()
    }

    #[test]
    fn prints_counts_and_both_shares_the_indonesian_way() {
        let svg = funnel_chart("Funnel", &rows(), ("of registrants", "of previous stage"));
        assert!(svg.contains(">264.213</text>"));
        assert!(svg.contains(">165.318</text>"));
        assert!(svg.contains(">100,0%</text>"));
        assert!(svg.contains(">62,6%</text>"));
        assert!(svg.contains(">45,0%</text>"));
        assert!(svg.contains(">0,0%</text>"));
        // The first stage has no previous stage.
        assert!(svg.contains(">–</text>"));
        assert!(svg.contains(">of registrants</text>"));
        assert!(svg.contains(">of previous stage</text>"));
        assert!(svg.contains("Financed &lt;&amp;&gt;"));
        assert!(svg.contains("62,6% of registrants, 62,6% of previous stage"));
        super::super::tests::assert_well_formed(&svg);
    }

    #[test]
    fn bars_are_proportional_to_counts() {
        let w = widths(&funnel_chart("Funnel", &rows(), ("a", "b")));
        assert_eq!(w.len(), 3);
        assert!((w[1] / w[0] - 165318.0 / 264213.0).abs() < 0.001, "{w:?}");
        // Three people are not worth a full pixel, but still visible.
        assert_eq!(w[2], 2.0);
    }

    #[test]
    fn bars_are_centred_on_one_axis() {
        let svg = funnel_chart("Funnel", &rows(), ("a", "b"));
        let centres: Vec<f64> = svg
            .split(r#"<rect class="chart-bar""#)
            .skip(1)
            .map(|r| {
                let get = |n: &str| -> f64 {
                    r.split(&format!(" {n}=\""))
                        .nth(1)
                        .unwrap()
                        .split('"')
                        .next()
                        .unwrap()
                        .parse()
                        .unwrap()
                };
                get("x") + get("width") / 2.0
            })
            .collect();
        assert!(
            centres.iter().all(|c| (c - centres[0]).abs() < 0.2),
            "{centres:?}"
        );
    }

    #[test]
    fn long_share_headers_wrap_onto_two_lines() {
        let lines = wrap_header("dari tahap sebelumnya dalam program", 150.0);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines.join(" "), "dari tahap sebelumnya dalam program");
        assert_eq!(wrap_header("dari pendaftar", 150.0), vec!["dari pendaftar"]);
    }

    #[test]
    fn no_rows_still_gives_an_svg() {
        let svg = funnel_chart("Funnel", &[], ("a", "b"));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }
}
