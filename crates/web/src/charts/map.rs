//! Choropleth of Jakarta's 44 kecamatan. Owns the embedded district boundaries
//! (`assets/geo/jakarta_districts.geojson`, see `assets/geo/SOURCES.md` for source and
//! licence), their projection into SVG paths (done once per process), the quantile
//! classes and the legend. Kepulauan Seribu is drawn in an inset: at its true position,
//! ~100 km out to sea, it would shrink the mainland to a third of the picture.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::OnceLock;

use super::{
    AXIS, Anchor, BODY_TOP, Doc, INK, MARGIN, MUTED, escape, fitted_text, format_count, num, text,
};

const GEOJSON: &str = include_str!("../../assets/geo/jakarta_districts.geojson");

/// Kepulauan Seribu's district codes start with this (city code 31.01).
const ISLANDS_PREFIX: &str = "31.01.";
/// Its name, for the inset caption: a proper name, the same in every language.
const ISLANDS_NAME: &str = "Kepulauan Seribu";

const WIDTH: f64 = 800.0;
/// The mainland gets the left part of the picture at this width; its height follows
/// from its shape.
const MAINLAND_W: f64 = 540.0;
/// The right-hand column holds the inset on top and the legend below it.
const COLUMN_X: f64 = MARGIN + MAINLAND_W + 24.0;
const COLUMN_W: f64 = WIDTH - MARGIN - COLUMN_X;
const INSET_H: f64 = 290.0;
const INSET_PAD: f64 = 10.0;

/// Light yellow to dark teal: sequential, readable in greyscale, and the lightest shade
/// still distinct from the white page.
const RAMP: [&str; 5] = ["#fef6c7", "#c7e9b4", "#7fcdbb", "#2c9c9a", "#0b5d63"];
const BORDER: &str = "#8795a1";
const SEA: &str = "#eef4f7";

struct District {
    code: String,
    name: String,
    inset: bool,
    /// The projected outline as an SVG path, on a 0.1-unit grid.
    d: String,
}

struct Geometry {
    districts: Vec<District>,
    height: f64,
}

/// Polygons → rings → (lon, lat).
type Shape = Vec<Vec<Vec<(f64, f64)>>>;

fn parse() -> Vec<(String, String, Shape)> {
    let doc: serde_json::Value =
        serde_json::from_str(GEOJSON).expect("embedded district GeoJSON parses");
    let features = doc["features"]
        .as_array()
        .expect("embedded GeoJSON is a FeatureCollection");
    let ring = |r: &serde_json::Value| -> Vec<(f64, f64)> {
        r.as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?)))
            .collect()
    };
    let polygon = |p: &serde_json::Value| -> Vec<Vec<(f64, f64)>> {
        p.as_array().into_iter().flatten().map(ring).collect()
    };
    features
        .iter()
        .map(|f| {
            let props = &f["properties"];
            let text = |k: &str| props[k].as_str().unwrap_or_default().to_owned();
            let geometry = &f["geometry"];
            let coords = &geometry["coordinates"];
            let shape = match geometry["type"].as_str() {
                Some("MultiPolygon") => coords
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(polygon)
                    .collect(),
                Some("Polygon") => vec![polygon(coords)],
                _ => Vec::new(),
            };
            (text("code"), text("name"), shape)
        })
        .collect()
}

/// Bounding box `(min_x, min_y, max_x, max_y)` of the points, in projected units.
fn bounds<'a>(points: impl Iterator<Item = &'a (f64, f64)>, k: f64) -> (f64, f64, f64, f64) {
    points.fold(
        (f64::MAX, f64::MAX, f64::MIN, f64::MIN),
        |(x0, y0, x1, y1), &(lon, lat)| {
            let (x, y) = (lon * k, -lat);
            (x0.min(x), y0.min(y), x1.max(x), y1.max(y))
        },
    )
}

/// One ring as a path: absolute start, then relative steps between points rounded to
/// tenths. Rounding the absolute positions first keeps the steps from drifting, and
/// runs of steps in one direction are merged, which roughly halves the markup.
fn ring_path(out: &mut String, ring: &[(f64, f64)]) {
    let mut pts: Vec<(i64, i64)> = ring
        .iter()
        .map(|&(x, y)| ((x * 10.0).round() as i64, (y * 10.0).round() as i64))
        .collect();
    pts.dedup();
    if pts.len() > 1 && pts.first() == pts.last() {
        pts.pop();
    }
    let Some(&(x0, y0)) = pts.first() else {
        return;
    };
    let tenths = |t: i64| num(t as f64 / 10.0);
    let _ = write!(out, "M{},{}", tenths(x0), tenths(y0));
    let mut steps: Vec<(i64, i64)> = Vec::new();
    for w in pts.windows(2) {
        let (dx, dy) = (w[1].0 - w[0].0, w[1].1 - w[0].1);
        match steps.last_mut() {
            Some((px, py)) if *px * dy == *py * dx && *px * dx + *py * dy > 0 => {
                *px += dx;
                *py += dy;
            }
            _ => steps.push((dx, dy)),
        }
    }
    if !steps.is_empty() {
        out.push('l');
        for (i, (dx, dy)) in steps.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            let _ = write!(out, "{},{}", tenths(*dx), tenths(*dy));
        }
    }
    out.push('z');
}

/// Fits `bbox` (projected units) into the box at `(x, y, w, h)`, centred, and returns
/// the map from (lon, lat) to SVG coordinates.
fn fit(
    bbox: (f64, f64, f64, f64),
    k: f64,
    x: f64,
    y: f64,
    w: f64,
    h: f64,
) -> impl Fn((f64, f64)) -> (f64, f64) {
    let (bx0, by0, bx1, by1) = bbox;
    let scale = (w / (bx1 - bx0)).min(h / (by1 - by0));
    let ox = x + (w - (bx1 - bx0) * scale) / 2.0;
    let oy = y + (h - (by1 - by0) * scale) / 2.0;
    move |(lon, lat)| (ox + (lon * k - bx0) * scale, oy + (-lat - by0) * scale)
}

fn build() -> Geometry {
    let features = parse();
    let mainland_pts = || {
        features
            .iter()
            .filter(|f| !f.0.starts_with(ISLANDS_PREFIX))
            .flat_map(|f| f.2.iter().flatten().flatten())
    };
    let island_pts = || {
        features
            .iter()
            .filter(|f| f.0.starts_with(ISLANDS_PREFIX))
            .flat_map(|f| f.2.iter().flatten().flatten())
    };
    // Equirectangular, with longitudes shrunk by cos(latitude) at the mainland's centre
    // so districts keep their shape (at 6° S the correction is under 1 %, but it is free).
    let (_, lat0, _, lat1) = bounds(mainland_pts(), 1.0);
    let k = ((-(lat0 + lat1) / 2.0).to_radians()).cos();
    let main_box = bounds(mainland_pts(), k);
    let main_h = MAINLAND_W * (main_box.3 - main_box.1) / (main_box.2 - main_box.0);
    let main = fit(main_box, k, MARGIN, BODY_TOP, MAINLAND_W, main_h);
    let inset = fit(
        bounds(island_pts(), k),
        k,
        COLUMN_X + INSET_PAD,
        BODY_TOP + INSET_PAD,
        COLUMN_W - 2.0 * INSET_PAD,
        INSET_H - 2.0 * INSET_PAD,
    );
    let districts = features
        .iter()
        .map(|(code, name, shape)| {
            let is_inset = code.starts_with(ISLANDS_PREFIX);
            let mut d = String::new();
            for ring in shape.iter().flatten() {
                let projected: Vec<(f64, f64)> = ring
                    .iter()
                    .map(|&p| if is_inset { inset(p) } else { main(p) })
                    .collect();
                ring_path(&mut d, &projected);
            }
            District {
                code: code.clone(),
                name: name.clone(),
                inset: is_inset,
                d,
            }
        })
        .collect();
    Geometry {
        districts,
        height: (BODY_TOP + main_h + MARGIN).max(BODY_TOP + INSET_H + 200.0),
    }
}

fn geometry() -> &'static Geometry {
    static GEOMETRY: OnceLock<Geometry> = OnceLock::new();
    GEOMETRY.get_or_init(build)
}

/// Up to `k` contiguous inclusive ranges splitting `values` into classes of about equal
/// size. Breaks that coincide (many equal values) are merged, so there may be fewer.
fn quantile_classes(values: &[i64], k: usize) -> Vec<(i64, i64)> {
    let mut v = values.to_vec();
    v.sort_unstable();
    let m = v.len();
    if m == 0 || k == 0 {
        return Vec::new();
    }
    let mut uppers: Vec<i64> = (1..=k).map(|j| v[(j * m).div_ceil(k) - 1]).collect();
    uppers.dedup();
    let mut lo = v[0];
    uppers
        .into_iter()
        .map(|hi| {
            let range = (lo, hi);
            lo = hi.saturating_add(1);
            range
        })
        .collect()
}

/// One colour class of the legend.
struct Class {
    label: String,
    fill: &'static str,
    /// Highest value in the class; `None` for the zero / no-data class.
    upper: Option<i64>,
}

/// Colour classes: zero and no data first when any district has it, then quantiles of
/// the positive counts, five at most in all so the shades stay distinguishable.
fn classes(positive: &[i64], need_zero: bool) -> Vec<Class> {
    let ranges = quantile_classes(positive, if need_zero { 4 } else { 5 });
    let n = ranges.len() + usize::from(need_zero);
    // Spread the shades over the whole ramp when there are fewer than five classes.
    let shade = |i: usize| match n {
        0 | 1 if need_zero => RAMP[0],
        0 | 1 => RAMP[2],
        _ => RAMP[(i * (RAMP.len() - 1) + (n - 1) / 2) / (n - 1)],
    };
    let mut out = Vec::with_capacity(n);
    if need_zero {
        out.push(Class {
            label: format_count(0),
            fill: shade(0),
            upper: None,
        });
    }
    for (lo, hi) in ranges {
        out.push(Class {
            label: if lo == hi {
                format_count(lo)
            } else {
                format!("{}–{}", format_count(lo), format_count(hi))
            },
            fill: shade(out.len()),
            upper: Some(hi),
        });
    }
    out
}

/// Choropleth of Jakarta's 44 districts (kecamatan). `values` maps a district code like
/// "31.71.01" to Some(count), or None when suppressed (drawn with a hatch pattern and
/// shown in the legend as `suppressed_label`). Districts absent from `values` count as
/// 0 and get the lightest class. Up to 5 classes (quantile breaks over the present
/// values), legend ranges formatted with [`format_count`](super::format_count). Each
/// district path carries `<title>{name}: {value}</title>` and a `data-code`. Codes in
/// `values` that are not Jakarta districts are ignored.
pub fn district_map(
    title: &str,
    values: &BTreeMap<String, Option<i64>>,
    legend_title: &str,
    suppressed_label: &str,
) -> String {
    let geo = geometry();
    let value_of = |code: &str| values.get(code).copied().unwrap_or(Some(0));
    let positive: Vec<i64> = geo
        .districts
        .iter()
        .filter_map(|d| value_of(&d.code))
        .filter(|v| *v > 0)
        .collect();
    let need_zero = geo
        .districts
        .iter()
        .any(|d| value_of(&d.code).is_some_and(|v| v <= 0));
    let any_suppressed = geo.districts.iter().any(|d| value_of(&d.code).is_none());
    let classes = classes(&positive, need_zero);
    let fill_of = |v: i64| -> &'static str {
        if v <= 0 {
            return classes.first().map_or(RAMP[0], |c| c.fill);
        }
        classes
            .iter()
            .find(|c| c.upper.is_some_and(|hi| v <= hi))
            .or(classes.last())
            .map_or(RAMP[0], |c| c.fill)
    };
    let shown = |v: Option<i64>| v.map_or_else(|| suppressed_label.to_owned(), format_count);

    let desc = format!(
        "{legend_title}: {}",
        geo.districts
            .iter()
            .map(|d| format!("{} {}", d.name, shown(value_of(&d.code))))
            .collect::<Vec<_>>()
            .join("; ")
    );
    let mut doc = Doc::open("map", WIDTH, geo.height, title, &desc);
    let hatch = format!("{}-hatch", doc.id);
    let out = &mut doc.out;
    let _ = write!(
        out,
        r##"<defs><pattern id="{hatch}" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)"><rect width="6" height="6" fill="#f5f7fa"/><line x1="0" y1="0" x2="0" y2="6" stroke="#7b8794" stroke-width="2.2"/></pattern></defs>"##
    );
    let _ = write!(
        out,
        r#"<rect class="map-inset" x="{}" y="{}" width="{}" height="{}" fill="{SEA}" stroke="{AXIS}" stroke-width="1"/>"#,
        num(COLUMN_X),
        num(BODY_TOP),
        num(COLUMN_W),
        num(INSET_H)
    );
    text(
        out,
        "map-inset-label",
        COLUMN_X + COLUMN_W / 2.0,
        BODY_TOP + INSET_H + 14.0,
        12.0,
        Anchor::Middle,
        MUTED,
        ISLANDS_NAME,
    );
    out.push_str(r#"<g class="map-districts" stroke-linejoin="round">"#);
    for d in &geo.districts {
        let value = value_of(&d.code);
        let fill = value.map_or_else(|| format!("url(#{hatch})"), |v| fill_of(v).to_owned());
        // The islands are specks at inset scale: outlining them in their own colour
        // makes them big enough to read the shade; on the mainland a thin grey line
        // separates neighbours without hiding the lightest class.
        let (stroke, width) = match (d.inset, value) {
            (true, None) => ("#7b8794", "1"),
            (true, Some(v)) => (fill_of(v), "1.6"),
            (false, _) => (BORDER, "0.6"),
        };
        let _ = write!(
            out,
            r#"<path class="map-district" data-code="{}" d="{}" fill="{fill}" stroke="{stroke}" stroke-width="{width}" stroke-linecap="round"><title>{}: {}</title></path>"#,
            escape(&d.code),
            d.d,
            escape(&d.name),
            escape(&shown(value))
        );
    }
    out.push_str("</g>");

    let mut y = BODY_TOP + INSET_H + 44.0;
    fitted_text(
        out,
        "map-legend-title",
        COLUMN_X,
        y,
        13.0,
        Anchor::Start,
        INK,
        legend_title,
        COLUMN_W,
    );
    out.push_str(r#"<g class="map-legend">"#);
    let swatch = |out: &mut String, y: f64, fill: &str| {
        let _ = write!(
            out,
            r#"<rect x="{}" y="{}" width="18" height="14" fill="{fill}" stroke="{BORDER}" stroke-width="0.6"/>"#,
            num(COLUMN_X),
            num(y - 7.0)
        );
    };
    for (i, class) in classes.iter().enumerate() {
        y += 22.0;
        let _ = write!(out, r#"<g class="map-legend-class" data-class="{i}">"#);
        swatch(out, y, class.fill);
        text(
            out,
            "map-legend-label",
            COLUMN_X + 26.0,
            y,
            13.0,
            Anchor::Start,
            INK,
            &class.label,
        );
        out.push_str("</g>");
    }
    if any_suppressed {
        y += 22.0;
        out.push_str(r#"<g class="map-legend-suppressed">"#);
        swatch(out, y, &format!("url(#{hatch})"));
        fitted_text(
            out,
            "map-legend-label",
            COLUMN_X + 26.0,
            y,
            13.0,
            Anchor::Start,
            INK,
            suppressed_label,
            COLUMN_W - 26.0,
        );
        out.push_str("</g>");
    }
    out.push_str("</g>");
    doc.finish()
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// The district codes, read from the GeoJSON independently of the map code.
    pub(in crate::charts) fn codes() -> Vec<String> {
        let doc: serde_json::Value = serde_json::from_str(GEOJSON).unwrap();
        doc["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["properties"]["code"].as_str().unwrap().to_owned())
            .collect()
    }

    fn attr<'a>(element: &'a str, name: &str) -> Option<&'a str> {
        element
            .split(&format!(" {name}=\""))
            .nth(1)?
            .split('"')
            .next()
    }

    /// `(data-code, fill, title text)` of every district path.
    fn districts(svg: &str) -> Vec<(String, String, String)> {
        svg.split(r#"<path class="map-district""#)
            .skip(1)
            .map(|p| {
                let title = p
                    .split("<title>")
                    .nth(1)
                    .unwrap()
                    .split("</title>")
                    .next()
                    .unwrap();
                (
                    attr(p, "data-code").unwrap().to_owned(),
                    attr(p, "fill").unwrap().to_owned(),
                    title.to_owned(),
                )
            })
            .collect()
    }

    fn sample() -> BTreeMap<String, Option<i64>> {
        codes()
            .into_iter()
            .enumerate()
            .map(|(i, c)| (c, Some(i as i64 + 1)))
            .collect()
    }

    #[test]
    fn the_embedded_asset_is_the_shared_file() {
        assert_eq!(GEOJSON.len(), 195_267);
        assert_eq!(codes().len(), 44);
    }

    #[test]
    fn draws_the_44_districts_with_their_codes() {
        let svg = district_map("Members", &sample(), "Members", "<5");
        let drawn: Vec<String> = districts(&svg).into_iter().map(|d| d.0).collect();
        assert_eq!(drawn, codes());
        assert_eq!(svg.matches("data-code=").count(), 44);
        assert!(geometry().districts.iter().all(|d| d.d.starts_with('M')));
        super::super::tests::assert_well_formed(&svg);
    }

    #[test]
    fn suppressed_districts_are_hatched_and_in_the_legend() {
        let mut values = sample();
        values.insert("31.71.06".into(), None);
        values.insert("31.01.01".into(), None);
        let svg = district_map("Members", &values, "Members", "<5");
        let hatch = svg
            .split("<pattern id=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let fill = format!("url(#{hatch})");
        for (code, f, title) in districts(&svg) {
            if code == "31.71.06" {
                assert_eq!(f, fill);
                assert_eq!(title, "Menteng: &lt;5");
            } else if code == "31.01.01" {
                assert_eq!(f, fill);
            } else {
                assert!(f.starts_with('#'), "{code} {f}");
            }
        }
        let legend = svg
            .split(r#"<g class="map-legend-suppressed">"#)
            .nth(1)
            .unwrap();
        assert!(legend.contains(&format!(r#"fill="{fill}""#)));
        assert!(legend.contains(">&lt;5</text>"));
        let plain = district_map("Members", &sample(), "Members", "<5");
        assert!(!plain.contains("map-legend-suppressed"));
    }

    #[test]
    fn legend_has_at_most_five_classes() {
        let svg = district_map("Members", &sample(), "Members", "<5");
        assert_eq!(svg.matches(r#"class="map-legend-class""#).count(), 5);
        assert!(
            svg.contains(">1–9</text>"),
            "{}",
            svg.split("map-legend").nth(1).unwrap()
        );
        assert!(svg.contains(">37–44</text>"));
        let mut sparse = BTreeMap::new();
        sparse.insert("31.71.01".to_owned(), Some(264213));
        sparse.insert("31.71.02".to_owned(), Some(1200));
        let svg = district_map("Members", &sparse, "Members", "<5");
        let n = svg.matches(r#"class="map-legend-class""#).count();
        assert!((2..=5).contains(&n), "{n}");
        assert!(svg.contains(">264.213</text>") || svg.contains("–264.213</text>"));
    }

    #[test]
    fn absent_districts_get_the_lightest_class() {
        let mut values = BTreeMap::new();
        values.insert("31.71.01".to_owned(), Some(50));
        values.insert("31.71.02".to_owned(), Some(0));
        values.insert("99.99.99".to_owned(), Some(1_000_000));
        let svg = district_map("Members", &values, "Members", "<5");
        let drawn = districts(&svg);
        for (code, fill, title) in &drawn {
            match code.as_str() {
                "31.71.01" => assert_eq!(fill, RAMP[4]),
                "31.71.02" => {
                    assert_eq!((fill.as_str(), title.as_str()), (RAMP[0], "Sawah Besar: 0"))
                }
                _ => assert_eq!(fill, RAMP[0], "{code}"),
            }
        }
        assert!(!svg.contains("1.000.000"), "codes off the map are ignored");
        assert_eq!(svg.matches(r#"class="map-legend-class""#).count(), 2);
    }

    #[test]
    fn quantile_breaks_are_deduplicated() {
        assert_eq!(
            quantile_classes(&(1..=44).collect::<Vec<_>>(), 5),
            vec![(1, 9), (10, 18), (19, 27), (28, 36), (37, 44)]
        );
        assert_eq!(quantile_classes(&[7, 7, 7, 7, 7, 7], 5), vec![(7, 7)]);
        assert_eq!(
            quantile_classes(&[5, 5, 5, 5, 90], 5),
            vec![(5, 5), (6, 90)]
        );
        assert!(quantile_classes(&[], 5).is_empty());
    }

    #[test]
    fn text_is_escaped() {
        let svg = district_map("A <&> B", &sample(), "Legend <&>", "<5");
        assert!(svg.contains("A &lt;&amp;&gt; B"));
        assert!(svg.contains("Legend &lt;&amp;&gt;"));
        assert!(!svg.contains("<&>"));
    }

    #[test]
    fn mainland_is_not_squashed_and_stays_in_its_box() {
        let geo = geometry();
        let mut xs = Vec::new();
        let mut ys = Vec::new();
        for d in geo.districts.iter().filter(|d| !d.inset) {
            // Walk the relative path back to absolute points.
            for sub in d.d.split('M').filter(|s| !s.is_empty()) {
                let sub = sub.trim_end_matches('z');
                let (start, steps) = sub.split_once('l').unwrap_or((sub, ""));
                let (x, y) = start.split_once(',').unwrap();
                let (mut x, mut y): (f64, f64) = (x.parse().unwrap(), y.parse().unwrap());
                xs.push(x);
                ys.push(y);
                for step in steps.split(' ').filter(|s| !s.is_empty()) {
                    let (dx, dy) = step.split_once(',').unwrap();
                    x += dx.parse::<f64>().unwrap();
                    y += dy.parse::<f64>().unwrap();
                    xs.push(x);
                    ys.push(y);
                }
            }
        }
        let (x0, x1) = (
            xs.iter().copied().fold(f64::MAX, f64::min),
            xs.iter().copied().fold(f64::MIN, f64::max),
        );
        let (y0, y1) = (
            ys.iter().copied().fold(f64::MAX, f64::min),
            ys.iter().copied().fold(f64::MIN, f64::max),
        );
        assert!(
            (x0 - MARGIN).abs() < 0.5 && (x1 - (MARGIN + MAINLAND_W)).abs() < 0.5,
            "{x0} {x1}"
        );
        assert!(
            (y0 - BODY_TOP).abs() < 0.5 && y1 <= geo.height - MARGIN + 0.5,
            "{y0} {y1}"
        );
        // The mainland spans 0.287° of longitude and 0.282° of latitude at 6.2° S: about
        // square once longitudes are scaled by cos(latitude).
        let aspect = (x1 - x0) / (y1 - y0);
        assert!((aspect - 1.011).abs() < 0.01, "{aspect}");
    }
}
