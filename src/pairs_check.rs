//! Checks that know what a PAIRS query looks like. They give warnings, never errors: the server
//! has the last word, and a query it would accept must never be held back here.

use std::fmt;

use serde_json::Value;

/// Something in a query that PAIRS is likely to refuse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Where, as a path into the query (`layers[1].alias`); empty for the query itself.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// The spatial types PAIRS knows (the SDK refuses any other).
const SPATIAL_TYPES: [&str; 3] = ["point", "square", "poly"];

/// All warnings for a parsed query, in the order they appear in it.
pub fn check(query: &Value) -> Vec<Warning> {
    let mut out = Vec::new();
    let mut warn = |path: &str, message: String| out.push(Warning { path: path.to_owned(), message });
    let Some(top) = query.as_object() else {
        warn("", "a query is a JSON object with layers, spatial and temporal".into());
        return out;
    };
    for key in ["layers", "spatial", "temporal"] {
        if !top.contains_key(key) {
            warn("", format!("missing \"{key}\""));
        }
    }
    if let Some(layers) = top.get("layers").and_then(Value::as_array) {
        for (i, layer) in layers.iter().enumerate() {
            let path = format!("layers[{i}]");
            if let Some(alias) = layer.get("alias") {
                check_alias(alias, &format!("{path}.alias"), &mut warn);
            }
            if let Some(temporal) = layer.get("temporal") {
                check_temporal(temporal, &format!("{path}.temporal"), &mut warn);
            }
        }
    }
    if let Some(spatial) = top.get("spatial") {
        check_spatial(spatial, &mut warn);
    }
    if let Some(temporal) = top.get("temporal") {
        check_temporal(temporal, "temporal", &mut warn);
    }
    out
}

fn check_alias(alias: &Value, path: &str, warn: &mut impl FnMut(&str, String)) {
    let ok = alias
        .as_str()
        .is_some_and(|a| !a.is_empty() && a.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    if !ok {
        warn(path, format!("{alias} is not an alias: use letters, digits and _ only"));
    }
}

fn check_spatial(spatial: &Value, warn: &mut impl FnMut(&str, String)) {
    let kind = spatial.get("type");
    match kind.and_then(Value::as_str) {
        Some(t) if SPATIAL_TYPES.contains(&t) => {}
        Some(t) => warn("spatial.type", format!("\"{t}\" is not point, square or poly")),
        None => warn("spatial.type", "missing: point, square or poly".into()),
    }
    if kind.and_then(Value::as_str) != Some("point") {
        return;
    }
    let Some(coordinates) = spatial.get("coordinates").and_then(Value::as_array) else {
        warn("spatial.coordinates", "a point query needs [lat, lon, …]".into());
        return;
    };
    if coordinates.len() % 2 == 1 {
        warn("spatial.coordinates", format!("{} numbers: points come in lat, lon pairs", coordinates.len()));
    }
    for (i, value) in coordinates.iter().enumerate() {
        let path = format!("spatial.coordinates[{i}]");
        match number(value) {
            None => warn(&path, format!("{value} is not a number")),
            Some(lat) if i % 2 == 0 && !(-90.0..=90.0).contains(&lat) => {
                warn(&path, format!("latitude {value} is outside ±90 (coordinates are lat, lon)"));
            }
            Some(_) => {}
        }
    }
}

/// A coordinate: PAIRS takes numbers or numeric strings.
fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn check_temporal(temporal: &Value, path: &str, warn: &mut impl FnMut(&str, String)) {
    let Some(intervals) = temporal.get("intervals").and_then(Value::as_array) else {
        return;
    };
    for (i, interval) in intervals.iter().enumerate() {
        for key in ["start", "end", "snapshot"] {
            if let Some(date) = interval.get(key)
                && !is_date(date)
            {
                warn(&format!("{path}.intervals[{i}].{key}"), format!("{date} is not a date PAIRS reads"));
            }
        }
    }
}

/// The forms PAIRS documents: ISO 8601 in UTC with or without milliseconds, a bare date,
/// `date time`, or epoch seconds.
fn is_date(value: &Value) -> bool {
    use chrono::{DateTime, NaiveDate, NaiveDateTime};
    match value {
        Value::Number(n) => n.is_i64() || n.is_u64(),
        Value::String(s) => {
            let s = s.trim();
            DateTime::parse_from_rfc3339(s).is_ok()
                || NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
                || NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").is_ok()
                || NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").is_ok()
                || (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn base() -> Value {
        json!({
            "layers": [{"type": "raster", "id": "49423", "alias": "t2m"}],
            "spatial": {"type": "point", "coordinates": [42.3601, -71.0589]},
            "temporal": {"intervals": [{"start": "2024-06-01T00:00:00Z", "end": "2024-06-02"}]}
        })
    }

    fn paths(query: &Value) -> Vec<String> {
        check(query).into_iter().map(|w| w.to_string()).collect()
    }

    fn with(pointer: &str, value: Value) -> Value {
        let mut query = base();
        if let Some(slot) = query.pointer_mut(pointer) {
            *slot = value;
        }
        query
    }

    #[test]
    fn a_good_query_has_no_warnings() {
        assert_eq!(paths(&base()), Vec::<String>::new());
    }

    #[test]
    fn every_template_passes_every_check() {
        for (name, text) in crate::app::editor::TEMPLATES.iter().map(|t| (t.name, t.text)) {
            let query: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(paths(&query), Vec::<String>::new(), "{name}");
        }
    }

    #[test]
    fn missing_sections_are_named() {
        for key in ["layers", "spatial", "temporal"] {
            let mut query = base();
            query.as_object_mut().map(|o| o.remove(key));
            assert_eq!(paths(&query), vec![format!("missing \"{key}\"")]);
        }
        assert_eq!(paths(&json!([1])).len(), 1, "not an object");
    }

    #[test]
    fn spatial_type_must_be_point_square_or_poly() {
        let square = json!({"type": "square", "coordinates": [41.2, -73.85, 41.25, -73.75]});
        let poly = json!({"type": "poly", "aoi": 24});
        for ok in [square, poly] {
            assert_eq!(paths(&with("/spatial", ok)), Vec::<String>::new());
        }
        assert_eq!(
            paths(&with("/spatial/type", json!("area"))),
            vec!["spatial.type: \"area\" is not point, square or poly"]
        );
        assert_eq!(paths(&with("/spatial", json!({"coordinates": [1, 2]}))).len(), 1, "no type");
    }

    #[test]
    fn point_coordinates_come_in_pairs_with_valid_latitudes() {
        assert_eq!(
            paths(&with("/spatial/coordinates", json!([42.3, -71.0, 40.7]))),
            vec!["spatial.coordinates: 3 numbers: points come in lat, lon pairs"]
        );
        assert_eq!(
            paths(&with("/spatial/coordinates", json!([-71.0589, 42.3601, 90.5, 0]))),
            vec![
                "spatial.coordinates[2]: latitude 90.5 is outside ±90 (coordinates are lat, lon)".to_owned()
            ]
        );
        // Longitudes may be anything in ±180 and strings are numbers too; -90 and 90 are poles.
        assert_eq!(
            paths(&with("/spatial/coordinates", json!(["-90", 179.9, 90, -180]))),
            Vec::<String>::new()
        );
        assert_eq!(paths(&with("/spatial/coordinates", json!(["north", 1]))).len(), 1);
    }

    #[test]
    fn aliases_are_letters_digits_and_underscores() {
        for ok in ["t2m", "A_1", "_"] {
            assert_eq!(paths(&with("/layers/0/alias", json!(ok))), Vec::<String>::new(), "{ok}");
        }
        for bad in [json!("t-2m"), json!("with space"), json!(""), json!("ünï"), json!(7)] {
            let found = paths(&with("/layers/0/alias", bad.clone()));
            assert_eq!(found.len(), 1, "{bad}");
            assert!(found[0].starts_with("layers[0].alias: "), "{found:?}");
        }
    }

    #[test]
    fn dates_must_parse() {
        let good = ["2024-06-01T00:00:00Z", "2024-06-01T00:00:00.000Z", "2024-06-01", "2024-06-01 12:30:00"];
        for ok in good {
            let query = with("/temporal/intervals/0/start", json!(ok));
            assert_eq!(paths(&query), Vec::<String>::new(), "{ok}");
        }
        assert_eq!(paths(&with("/temporal/intervals/0/start", json!(1_717_200_000))), Vec::<String>::new());
        for bad in ["2024-13-01", "June 1st", "2024-06-01T25:00:00Z", ""] {
            let found = paths(&with("/temporal/intervals/0/end", json!(bad)));
            assert_eq!(found.len(), 1, "{bad}");
            assert!(found[0].starts_with("temporal.intervals[0].end: "), "{found:?}");
        }
        let mut snapshot = base();
        if let Some(layer) = snapshot.pointer_mut("/layers/0").and_then(Value::as_object_mut) {
            layer.insert("temporal".into(), json!({"intervals": [{"snapshot": "yesterday"}]}));
        }
        assert_eq!(
            paths(&snapshot),
            vec!["layers[0].temporal.intervals[0].snapshot: \"yesterday\" is not a date PAIRS reads"]
        );
    }
}
