//! Horizontal bar chart: one row per category (label, optional note line, bar, value),
//! scaled from zero to the largest value. Suppressed values draw no bar and print the
//! page's suppression marker instead, so small counts cannot be read off the bar length.

use std::fmt::Write as _;

use super::{
    AXIS, Anchor, BAR_FILL, BODY_TOP, Doc, MARGIN, MUTED, escape, fitted_text, format_count, num,
    text, text_width,
};

/// One bar: label, value (None = suppressed: draw no bar, print the `suppressed_label`
/// text such as "<5"), optional second line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub value: Option<i64>,
    pub note: Option<String>,
}

const WIDTH: f64 = 640.0;
const LABEL_SIZE: f64 = 14.0;
const NOTE_SIZE: f64 = 12.0;
const VALUE_SIZE: f64 = 13.0;
const BAR_HEIGHT: f64 = 18.0;
/// Gap between the label column and the bars, and between a bar's end and its value.
const GAP: f64 = 8.0;

/// Where things go horizontally and how tall a row is; shared by drawing and tests.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Layout {
    label_w: f64,
    plot_x: f64,
    plot_w: f64,
    row_h: f64,
    height: f64,
}

fn value_text(bar: &Bar, suppressed_label: &str) -> String {
    match bar.value {
        Some(v) => format_count(v),
        None => suppressed_label.to_owned(),
    }
}

fn layout(bars: &[Bar], suppressed_label: &str) -> Layout {
    let widest_label = bars
        .iter()
        .map(|b| {
            let note = b.note.as_deref().map_or(0.0, |n| text_width(n, NOTE_SIZE));
            text_width(&b.label, LABEL_SIZE).max(note)
        })
        .fold(0.0, f64::max);
    // Long labels are cut rather than allowed to squeeze the bars to nothing.
    let label_w = widest_label.clamp(40.0, WIDTH * 0.38);
    let value_w = bars
        .iter()
        .map(|b| text_width(&value_text(b, suppressed_label), VALUE_SIZE))
        .fold(0.0, f64::max);
    let plot_x = MARGIN + label_w + GAP;
    let plot_w = WIDTH - MARGIN - value_w - GAP - plot_x;
    let row_h = if bars.iter().any(|b| b.note.is_some()) {
        44.0
    } else {
        28.0
    };
    Layout {
        label_w,
        plot_x,
        plot_w,
        row_h,
        height: BODY_TOP + row_h * bars.len() as f64 + MARGIN,
    }
}

/// Length of a bar for `value` when `max` spans `plot_w`. Negative values have no
/// length on a scale that starts at zero; they still print their number.
fn bar_length(value: i64, max: i64, plot_w: f64) -> f64 {
    if max <= 0 || value <= 0 {
        0.0
    } else {
        plot_w * value as f64 / max as f64
    }
}

/// Horizontal bar chart: one row per bar, label on the left, bar, value printed at its
/// end. Scale from 0 to the max value. Empty input → an SVG saying the `empty` text.
pub fn bar_chart(title: &str, bars: &[Bar], suppressed_label: &str, empty: &str) -> String {
    if bars.is_empty() {
        return super::empty_chart("bar", title, empty);
    }
    let desc = bars
        .iter()
        .map(|b| row_summary(b, suppressed_label))
        .collect::<Vec<_>>()
        .join("; ");
    let l = layout(bars, suppressed_label);
    let max = bars.iter().filter_map(|b| b.value).max().unwrap_or(0);
    let mut doc = Doc::open("bar", WIDTH, l.height, title, &desc);
    let out = &mut doc.out;
    for (i, bar) in bars.iter().enumerate() {
        let top = BODY_TOP + l.row_h * i as f64;
        let mid = top + l.row_h / 2.0;
        let _ = write!(
            out,
            r#"<g class="chart-row"><title>{}</title>"#,
            escape(&row_summary(bar, suppressed_label))
        );
        let label_y = if bar.note.is_some() { mid - 8.0 } else { mid };
        fitted_text(
            out,
            "chart-label",
            MARGIN,
            label_y,
            LABEL_SIZE,
            Anchor::Start,
            super::INK,
            &bar.label,
            l.label_w,
        );
        if let Some(note) = &bar.note {
            fitted_text(
                out,
                "chart-note",
                MARGIN,
                mid + 9.0,
                NOTE_SIZE,
                Anchor::Start,
                MUTED,
                note,
                l.label_w,
            );
        }
        match bar.value {
            Some(v) => {
                let len = bar_length(v, max, l.plot_w);
                if len > 0.0 {
                    let _ = write!(
                        out,
                        r#"<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}" fill="{BAR_FILL}"/>"#,
                        num(l.plot_x),
                        num(mid - BAR_HEIGHT / 2.0),
                        num(len),
                        num(BAR_HEIGHT)
                    );
                }
                text(
                    out,
                    "chart-value",
                    l.plot_x + len + GAP * 0.75,
                    mid,
                    VALUE_SIZE,
                    Anchor::Start,
                    super::INK,
                    &format_count(v),
                );
            }
            None => text(
                out,
                "chart-value chart-suppressed",
                l.plot_x + GAP * 0.75,
                mid,
                VALUE_SIZE,
                Anchor::Start,
                MUTED,
                suppressed_label,
            ),
        }
        out.push_str("</g>");
    }
    // The zero line, drawn last so it sits on top of the bars' left edges.
    let _ = write!(
        out,
        r#"<line class="chart-axis" x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{AXIS}" stroke-width="1"/>"#,
        num(BODY_TOP),
        num(l.height - MARGIN),
        x = num(l.plot_x)
    );
    doc.finish()
}

fn row_summary(bar: &Bar, suppressed_label: &str) -> String {
    let mut s = format!("{}: {}", bar.label, value_text(bar, suppressed_label));
    if let Some(note) = &bar.note {
        let _ = write!(s, " ({note})");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, value: Option<i64>) -> Bar {
        Bar {
            label: label.to_owned(),
            value,
            note: None,
        }
    }

    /// `(x, width)` of every drawn bar, in order.
    fn rects(svg: &str) -> Vec<(f64, f64)> {
        svg.split(r#"<rect class="chart-bar""#)
            .skip(1)
            .map(|r| {
                let attr = |name: &str| -> f64 {
                    r.split(&format!(" {name}=\""))
                        .nth(1)
                        .and_then(|s| s.split('"').next())
                        .and_then(|s| s.parse().ok())
                        .unwrap()
                };
                (attr("x"), attr("width"))
            })
            .collect()
    }

    #[test]
    fn bars_are_proportional_to_their_values() {
        let bars = [
            bar("Gambir", Some(1000)),
            bar("Menteng", Some(500)),
            bar("Senen", Some(250)),
        ];
        let svg = bar_chart("Members", &bars, "<5", "none");
        let l = layout(&bars, "<5");
        let r = rects(&svg);
        assert_eq!(r.len(), 3);
        assert!((r[0].1 - l.plot_w).abs() < 0.06, "{r:?} {l:?}");
        assert!((r[1].1 - l.plot_w / 2.0).abs() < 0.06, "{r:?}");
        assert!((r[2].1 - l.plot_w / 4.0).abs() < 0.06, "{r:?}");
        assert!(r.iter().all(|&(x, _)| (x - l.plot_x).abs() < 0.06));
        assert!(l.plot_x + l.plot_w <= WIDTH - MARGIN);
        assert!(svg.contains(">1.000</text>"));
        assert!(svg.contains(">500</text>"));
    }

    #[test]
    fn suppressed_bars_draw_nothing_and_print_the_marker() {
        let bars = [bar("Gambir", Some(40)), bar("Menteng", None)];
        let svg = bar_chart("Members", &bars, "<5", "none");
        assert_eq!(rects(&svg).len(), 1);
        assert!(svg.contains(">&lt;5</text>"));
        assert!(svg.contains("Menteng: &lt;5"));
    }

    #[test]
    fn zero_and_negative_values_have_no_bar() {
        let bars = [bar("a", Some(0)), bar("b", Some(-3))];
        let svg = bar_chart("Members", &bars, "<5", "none");
        assert!(rects(&svg).is_empty());
        assert!(svg.contains(">0</text>") && svg.contains(">-3</text>"));
    }

    #[test]
    fn labels_and_notes_are_escaped() {
        let bars = [Bar {
            label: "Fish <&> chips".into(),
            value: Some(12),
            note: Some("KBLI \"10\"".into()),
        }];
        let svg = bar_chart("A <&> B", &bars, "<5", "none");
        assert!(svg.contains("Fish &lt;&amp;&gt; chips"));
        assert!(svg.contains("KBLI &quot;10&quot;"));
        assert!(!svg.contains("<&>"));
        super::super::tests::assert_well_formed(&svg);
    }

    #[test]
    fn empty_input_says_so() {
        let svg = bar_chart("Members", &[], "<5", "Belum ada data");
        assert!(svg.contains(">Belum ada data</text>"));
        assert!(rects(&svg).is_empty());
    }

    #[test]
    fn long_labels_are_cut_but_kept_in_a_tooltip() {
        let long = "Perdagangan besar dan eceran; reparasi dan perawatan mobil dan sepeda motor";
        let svg = bar_chart("Sectors", &[bar(long, Some(3))], "<5", "none");
        let l = layout(&[bar(long, Some(3))], "<5");
        assert!(l.label_w <= WIDTH * 0.38);
        assert!(svg.contains(&format!("<title>{}</title>", escape(long))));
        assert!(svg.contains('…'));
    }
}
