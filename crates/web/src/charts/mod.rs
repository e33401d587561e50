//! Server-side SVG charts for the public statistics pages: bar, funnel and line charts
//! and the district choropleth ([`map`]). Each chart is a standalone inline `<svg>` string
//! (no script, no inline `style=`, so it passes the site's CSP), sized by its `viewBox`
//! and labelled for screen readers. This module owns the shared pieces: Indonesian
//! number formatting, XML escaping, text-width estimates and the document frame.

mod bar;
mod funnel;
mod line;
pub mod map;

pub use bar::{Bar, bar_chart};
pub use funnel::{FunnelRow, funnel_chart};
pub use line::{Series, line_chart};
pub use map::district_map;

use std::fmt::Write as _;

pub use jakpreneur_core::format::format_count;

/// A fraction as a percentage with one decimal and a decimal comma: `0.6257` → `62,6%`.
/// Not-a-number (a share of nothing) prints as an en dash rather than `NaN%`.
pub fn format_share(f: f64) -> String {
    if !f.is_finite() {
        return "–".to_owned();
    }
    // Round once, in tenths of a percent, so `0.99999` cannot print as `99,10%`.
    let tenths = (f * 1000.0).round() as i64;
    let sign = if tenths < 0 { "-" } else { "" };
    let abs = tenths.unsigned_abs();
    format!("{sign}{},{}%", format_count((abs / 10) as i64), abs % 10)
}

/// Text made safe for both XML character data and attribute values. Characters XML 1.0
/// cannot carry at all (most C0 controls) are dropped, since one of them would make the
/// whole page unparseable as XML.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// A coordinate with at most one decimal; whole numbers lose the `.0` to keep output small.
fn num(v: f64) -> String {
    let tenths = (v * 10.0).round() as i64;
    if tenths == 0 {
        return "0".to_owned();
    }
    let sign = if tenths < 0 { "-" } else { "" };
    let abs = tenths.unsigned_abs();
    if abs.is_multiple_of(10) {
        format!("{sign}{}", abs / 10)
    } else {
        format!("{sign}{}.{}", abs / 10, abs % 10)
    }
}

/// Font stack as a presentation attribute: the CSP forbids `style=`, and a page
/// stylesheet can still override it through the `chart` class.
const FONT: &str =
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
const INK: &str = "#1f2933";
const MUTED: &str = "#52606d";
const AXIS: &str = "#9aa5b1";
const GRID: &str = "#e4e7eb";
const BAR_FILL: &str = "#1f7a78";

/// Approximate advance width of `s` in a sans-serif face at `size`. No fonts are
/// available on the server, and labels only need to avoid overlapping, so per-class
/// averages (narrow, wide, normal) are close enough. They are those of DejaVu Sans, one
/// of the widest common fallbacks, so narrower faces (Roboto, Segoe UI) only add slack.
fn text_width(s: &str, size: f64) -> f64 {
    let em: f64 = s
        .chars()
        .map(|c| match c {
            'i' | 'l' | 'j' | 'I' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | ' ' => 0.32,
            'f' | 't' | 'r' | '(' | ')' | '-' | '/' => 0.42,
            'm' | 'w' | 'M' | 'W' | '%' | '@' => 0.92,
            c if c.is_ascii_uppercase() => 0.72,
            c if c.is_ascii_digit() => 0.64,
            _ => 0.6,
        })
        .sum();
    em * size
}

/// `s` shortened with an ellipsis so it fits `max_w`; the flag says whether it was cut,
/// so the caller can keep the full text in a `<title>` tooltip.
fn fit_text(s: &str, size: f64, max_w: f64) -> (String, bool) {
    if text_width(s, size) <= max_w {
        return (s.to_owned(), false);
    }
    let ellipsis = text_width("…", size);
    let mut out = String::new();
    let mut w = 0.0;
    for c in s.chars() {
        let cw = text_width(c.encode_utf8(&mut [0; 4]), size);
        if w + cw + ellipsis > max_w {
            break;
        }
        w += cw;
        out.push(c);
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push('…');
    (out, true)
}

/// Where a `<text>` is anchored horizontally.
#[derive(Clone, Copy)]
enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    fn attr(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// One `<text>` element. `y` is the vertical centre of the line rather than the baseline:
/// `dominant-baseline` is not honoured everywhere the SVG may be viewed, so the baseline
/// is offset by hand (about a third of the font size for Latin digits and lowercase).
#[allow(clippy::too_many_arguments)]
fn text(
    out: &mut String,
    class: &str,
    x: f64,
    y: f64,
    size: f64,
    anchor: Anchor,
    fill: &str,
    content: &str,
) {
    let _ = write!(
        out,
        r#"<text class="{class}" x="{}" y="{}" font-size="{}" text-anchor="{}" fill="{fill}">{}</text>"#,
        num(x),
        num(y + size * 0.35),
        num(size),
        anchor.attr(),
        escape(content)
    );
}

/// A text that may have been shortened to `max_w`; when it was, the full text stays
/// available as a tooltip and to assistive technology through a nested `<title>`.
#[allow(clippy::too_many_arguments)]
fn fitted_text(
    out: &mut String,
    class: &str,
    x: f64,
    y: f64,
    size: f64,
    anchor: Anchor,
    fill: &str,
    content: &str,
    max_w: f64,
) {
    let (shown, cut) = fit_text(content, size, max_w);
    if !cut {
        text(out, class, x, y, size, anchor, fill, &shown);
        return;
    }
    let _ = write!(
        out,
        r#"<text class="{class}" x="{}" y="{}" font-size="{}" text-anchor="{}" fill="{fill}"><title>{}</title>{}</text>"#,
        num(x),
        num(y + size * 0.35),
        num(size),
        anchor.attr(),
        escape(content),
        escape(&shown)
    );
}

/// FNV-1a, for element ids that are stable across runs (the output is deterministic and
/// cacheable) yet differ between charts that share a page.
fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0xff)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// Margin around every chart and where the visible title sits.
const MARGIN: f64 = 12.0;
const TITLE_SIZE: f64 = 17.0;
/// Vertical centre of the title line; chart bodies start below [`BODY_TOP`].
const TITLE_Y: f64 = 22.0;
const BODY_TOP: f64 = 44.0;

/// An SVG document under construction: the root element with its accessible name and
/// description already written, then the caller's body, then [`Doc::finish`].
struct Doc {
    out: String,
    /// Prefix for ids inside this chart (title, description, patterns).
    id: String,
}

impl Doc {
    /// `desc` is the text alternative for screen readers: it should carry the data.
    fn open(kind: &str, width: f64, height: f64, title: &str, desc: &str) -> Doc {
        let id = format!("chart-{kind}-{:08x}", fnv1a(&[kind, title, desc]) as u32);
        let mut out = String::with_capacity(4096);
        let _ = write!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="100%" role="img" aria-labelledby="{id}-title {id}-desc" class="chart chart-{kind}" font-family="{FONT}" fill="{INK}"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
            num(width),
            num(height),
            escape(title),
            escape(desc)
        );
        // The visible title makes a saved or embedded SVG self-explaining; pages that
        // already show a heading can hide it with `.chart-title { display: none }`.
        fitted_text(
            &mut out,
            "chart-title",
            MARGIN,
            TITLE_Y,
            TITLE_SIZE,
            Anchor::Start,
            INK,
            title,
            width - 2.0 * MARGIN,
        );
        Doc { out, id }
    }

    fn finish(mut self) -> String {
        self.out.push_str("</svg>");
        self.out
    }
}

/// A chart with nothing to plot: the title and the page's "no data" wording, so the
/// page keeps its layout and the reader learns why there is no picture.
fn empty_chart(kind: &str, title: &str, message: &str) -> String {
    let (w, h) = (640.0, 120.0);
    let mut doc = Doc::open(kind, w, h, title, message);
    text(
        &mut doc.out,
        "chart-empty",
        w / 2.0,
        74.0,
        15.0,
        Anchor::Middle,
        MUTED,
        message,
    );
    doc.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_use_a_decimal_comma() {
        assert_eq!(format_share(0.0), "0,0%");
        assert_eq!(format_share(1.0), "100,0%");
        assert_eq!(format_share(0.6257), "62,6%");
        assert_eq!(format_share(0.5), "50,0%");
        assert_eq!(format_share(0.99999), "100,0%");
        assert_eq!(format_share(0.00049), "0,0%");
        assert_eq!(format_share(-0.00001), "0,0%");
        assert_eq!(format_share(-0.125), "-12,5%");
        assert_eq!(format_share(12.5), "1.250,0%");
        assert_eq!(format_share(f64::NAN), "–");
    }

    #[test]
    fn escape_covers_markup_and_controls() {
        assert_eq!(
            escape(r#"<a href="x">Tom & 'Jerry'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
        );
        assert_eq!(escape("a\u{0}b\u{1b}c\nd"), "abc d");
        assert_eq!(
            escape("Kepulauan Seribu — Utara"),
            "Kepulauan Seribu — Utara"
        );
    }

    #[test]
    fn coordinates_have_one_decimal_at_most() {
        assert_eq!(num(0.0), "0");
        assert_eq!(num(-0.04), "0");
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.34), "12.3");
        assert_eq!(num(-0.45), "-0.5");
        assert_eq!(num(-3.0), "-3");
    }

    #[test]
    fn long_text_is_cut_with_an_ellipsis() {
        let (s, cut) = fit_text("Kepulauan Seribu Selatan", 14.0, 60.0);
        assert!(cut);
        assert!(s.ends_with('…'));
        assert!(text_width(&s, 14.0) <= 60.0);
        assert_eq!(
            fit_text("Gambir", 14.0, 200.0),
            ("Gambir".to_owned(), false)
        );
    }

    #[test]
    fn empty_chart_is_a_labelled_svg() {
        let svg = empty_chart("bar", "Members <by> sector", "No data yet");
        assert!(svg.starts_with(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="#));
        assert!(svg.contains(r#"width="100%""#));
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains("Members &lt;by&gt; sector</title>"));
        assert!(svg.contains("No data yet</desc>"));
        assert!(svg.ends_with("</svg>"));
    }

    /// Every chart kind, for the checks that apply to all of them.
    pub(super) fn all_charts() -> Vec<String> {
        use chrono::NaiveDate;
        let d = |m| NaiveDate::from_ymd_opt(2025, m, 1).unwrap();
        let mut values = std::collections::BTreeMap::new();
        values.insert("31.71.01".to_owned(), Some(120));
        values.insert("31.71.02".to_owned(), None);
        values.insert("31.74.09".to_owned(), Some(9));
        vec![
            bar_chart(
                "t <&>",
                &[
                    Bar {
                        label: "a <&>".into(),
                        value: Some(3),
                        note: Some("n \"q\"".into()),
                    },
                    Bar {
                        label: "b".into(),
                        value: None,
                        note: None,
                    },
                ],
                "<5",
                "none",
            ),
            bar_chart("t", &[], "<5", "no <data>"),
            funnel_chart(
                "f <&>",
                &[FunnelRow {
                    label: "Registered <&>".into(),
                    count: 10,
                    share_of_registrants: Some(1.0),
                    share_of_previous: None,
                }],
                ("of <all>", "of previous"),
            ),
            funnel_chart("f", &[], ("a", "b")),
            line_chart(
                "l <&>",
                &[Series {
                    name: "s <&>".into(),
                    points: vec![(d(1), 3), (d(2), 8)],
                }],
                Some((10, "target <&>")),
                "none",
            ),
            line_chart("l", &[], None, "no <data>"),
            district_map("m <&>", &values, "members <&>", "<5"),
        ]
    }

    #[test]
    fn no_chart_uses_inline_style_or_script() {
        for svg in all_charts() {
            assert!(!svg.contains("style="), "{svg}");
            assert!(!svg.contains("<script"), "{svg}");
            assert!(!svg.contains("<&>"), "unescaped text in {svg}");
            assert!(svg.contains(r#"role="img""#));
            assert!(svg.contains(r#"width="100%""#));
            assert!(!svg.contains(" height=\"100%\""));
        }
    }

    #[test]
    fn every_chart_is_well_formed_with_a_title_and_description() {
        for svg in all_charts() {
            assert_well_formed(&svg);
            let labelled = svg
                .split("aria-labelledby=\"")
                .nth(1)
                .and_then(|s| s.split('"').next())
                .expect("aria-labelledby");
            for id in labelled.split(' ') {
                assert!(svg.contains(&format!(r#"id="{id}""#)), "{id} in {svg}");
            }
            assert!(svg.contains("<title id="));
            assert!(svg.contains("<desc id="));
        }
    }

    /// A minimal XML check: tags balance and every `&` starts an entity. Enough to catch
    /// a forgotten escape or an unclosed element without an XML parser dependency.
    pub(super) fn assert_well_formed(svg: &str) {
        let mut stack: Vec<&str> = Vec::new();
        let mut rest = svg;
        while let Some(start) = rest.find('<') {
            let text = &rest[..start];
            for (i, _) in text.match_indices('&') {
                let entity = &text[i..];
                assert!(
                    ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"]
                        .iter()
                        .any(|e| entity.starts_with(e)),
                    "bare & in {text}"
                );
            }
            let end = rest[start..].find('>').expect("unclosed tag") + start;
            let tag = &rest[start + 1..end];
            assert!(!tag.contains('<'), "< inside tag {tag}");
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(stack.pop(), Some(name), "mismatched </{name}>");
            } else if !tag.ends_with('/') {
                let name = tag.split([' ', '\n']).next().unwrap_or_default();
                stack.push(name);
            }
            rest = &rest[end + 1..];
        }
        assert!(stack.is_empty(), "unclosed {stack:?}");
        assert!(rest.is_empty());
    }

    /// Renders one example of each chart for a visual check:
    /// `cargo test -p jakpreneur-web --lib charts::tests::render_examples -- --ignored`
    /// writes them to `$TMPDIR/charts/`.
    #[test]
    #[ignore = "writes files; run by hand to look at the charts"]
    fn render_examples() {
        use chrono::NaiveDate;
        let dir = std::env::temp_dir().join("charts");
        std::fs::create_dir_all(&dir).unwrap();
        let names = [
            ("Pal Merah", Some(1843), None),
            ("Kepulauan Seribu Selatan & Utara", None, Some("kecamatan")),
            ("Tanah Abang", Some(3687), Some("31.71.07")),
            ("Cengkareng", Some(2410), None),
            ("Gambir <pusat>", Some(264213), None),
            ("Johar Baru", Some(0), None),
        ];
        let bars: Vec<Bar> = names
            .iter()
            .map(|(l, v, n)| Bar {
                label: (*l).to_owned(),
                value: *v,
                note: n.map(str::to_owned),
            })
            .collect();
        let write = |name: &str, svg: String| {
            assert_well_formed(&svg);
            std::fs::write(dir.join(name), svg).unwrap();
        };
        write(
            "bar.svg",
            bar_chart("Members by district", &bars, "<5", "No data"),
        );
        write(
            "bar_empty.svg",
            bar_chart("Members by district", &[], "<5", "No data yet"),
        );
        let stages = [
            ("Registered", 264213, None),
            ("Trained", 165318, Some(0.6257)),
            ("Mentored", 80112, Some(0.4846)),
            ("Licensed (NIB)", 40277, Some(0.5028)),
            ("Market access", 9921, Some(0.2463)),
            ("Financed", 812, Some(0.0818)),
        ];
        let rows: Vec<FunnelRow> = stages
            .iter()
            .map(|&(label, count, prev)| FunnelRow {
                label: label.to_owned(),
                count,
                share_of_registrants: Some(count as f64 / 264213.0),
                share_of_previous: prev,
            })
            .collect();
        write(
            "funnel.svg",
            funnel_chart(
                "Programme funnel, 2025",
                &rows,
                ("of registrants", "of previous stage"),
            ),
        );
        let month = |y, m| NaiveDate::from_ymd_opt(y, m, 1).unwrap();
        let cumulative = |start: i64, growth: f64| {
            let mut v = start as f64;
            (0..18)
                .map(|i| {
                    v += growth * (1.0 + (i as f64 * 0.7).sin() * 0.3);
                    let (y, m) = (2024 + (i / 12), (i % 12) + 1);
                    (month(y, m as u32), v as i64)
                })
                .collect::<Vec<_>>()
        };
        write(
            "line.svg",
            line_chart(
                "Registrants per month (cumulative)",
                &[
                    Series {
                        name: "Women".into(),
                        points: cumulative(1200, 9000.0),
                    },
                    Series {
                        name: "Men".into(),
                        points: cumulative(900, 6000.0),
                    },
                    Series {
                        name: "Youth (under 30)".into(),
                        points: cumulative(100, 5800.0),
                    },
                ],
                Some((200_000, "Target 2025")),
                "No data",
            ),
        );
        // Edge cases that stress the layout: wrapped headers, one point, target below.
        write(
            "funnel_id.svg",
            funnel_chart(
                "Corong program",
                &rows[..3],
                ("dari seluruh pendaftar program", "dari tahap sebelumnya"),
            ),
        );
        write(
            "line_single.svg",
            line_chart(
                "Pendaftar",
                &[Series {
                    name: "Semua".into(),
                    points: vec![(month(2025, 3), 12)],
                }],
                Some((5, "Target")),
                "Belum ada data",
            ),
        );
        let geo = map::tests::codes();
        let mut values = std::collections::BTreeMap::new();
        for (i, code) in geo.iter().enumerate() {
            let v = match i % 11 {
                3 => None,
                7 => continue,
                _ => Some(((i * 7919) % 1500) as i64 + 5),
            };
            values.insert(code.clone(), v);
        }
        write(
            "map.svg",
            district_map("Members by district", &values, "Members", "<5"),
        );
    }
}
