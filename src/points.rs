//! The rows of a point-query answer (`{"data":[…]}`), read for the table and the chart.
//!
//! Real PAIRS rows drift in type: `layerId` and `value` are strings in some rows and numbers
//! in others, vector rows carry `region` instead of a position, aggregated rows have no
//! `timestamp`. Every field is therefore read as raw JSON and kept as it was sent; numbers
//! are parsed from it only for the chart.

use serde::Deserialize;
use serde_json::value::RawValue;

/// One row, as the table shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct PointRow {
    /// The layer's name, or its id when it has no name.
    pub layer: String,
    /// The time, in epoch milliseconds.
    pub time: Option<i64>,
    /// The latitude, as sent.
    pub lat: String,
    /// The longitude, as sent.
    pub lon: String,
    /// The region of a vector row, as sent.
    pub region: String,
    /// The value, as sent (a string's content, or a number's text).
    pub value: String,
    /// The unit, if any.
    pub unit: String,
}

impl PointRow {
    /// The value as a number, if it is one (either sent as a number or as a numeric string).
    pub fn number(&self) -> Option<f64> {
        self.value.trim().parse::<f64>().ok().filter(|v| v.is_finite())
    }

    /// Where the row is: `lat, lon`, or the region of a vector row.
    pub fn location(&self) -> String {
        if self.lat.is_empty() && self.lon.is_empty() {
            self.region.clone()
        } else {
            format!("{}, {}", self.lat, self.lon)
        }
    }

    /// The time as an ISO 8601 UTC date, or "" when the row has none.
    pub fn iso_time(&self) -> String {
        self.time.map(iso).unwrap_or_default()
    }
}

/// An epoch-milliseconds time as ISO 8601 UTC; whole minutes leave out the seconds
/// (`2024-06-01T00:00Z`), which keeps the table narrow for the usual hourly data.
pub fn iso(ms: i64) -> String {
    use chrono::Timelike;
    let Some(time) = chrono::DateTime::from_timestamp_millis(ms) else { return ms.to_string() };
    let format = if time.second() == 0 && time.nanosecond() == 0 {
        "%Y-%m-%dT%H:%MZ"
    } else {
        "%Y-%m-%dT%H:%M:%S%.3fZ"
    };
    time.format(format).to_string()
}

#[derive(Deserialize)]
struct Wire<'a> {
    #[serde(borrow)]
    data: Vec<WireRow<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireRow<'a> {
    #[serde(borrow)]
    layer_id: Option<&'a RawValue>,
    #[serde(borrow)]
    layer_name: Option<&'a RawValue>,
    #[serde(borrow)]
    timestamp: Option<&'a RawValue>,
    #[serde(borrow)]
    latitude: Option<&'a RawValue>,
    #[serde(borrow)]
    longitude: Option<&'a RawValue>,
    #[serde(borrow)]
    region: Option<&'a RawValue>,
    #[serde(borrow)]
    value: Option<&'a RawValue>,
    #[serde(borrow)]
    unit: Option<&'a RawValue>,
}

/// A raw JSON value as text: a string's content, anything else verbatim.
fn text(raw: Option<&RawValue>) -> String {
    let Some(raw) = raw else { return String::new() };
    let json = raw.get();
    if json.starts_with('"') {
        serde_json::from_str::<String>(json).unwrap_or_else(|_| json.to_owned())
    } else if json == "null" {
        String::new()
    } else {
        json.to_owned()
    }
}

/// Reads the rows of a point-query answer; None if the body is not one.
pub fn read(body: &str) -> Option<Vec<PointRow>> {
    let wire: Wire = serde_json::from_str(body).ok()?;
    let rows = wire
        .data
        .into_iter()
        .map(|row| {
            let name = text(row.layer_name);
            let time = text(row.timestamp);
            PointRow {
                layer: if name.is_empty() { text(row.layer_id) } else { name },
                time: time.parse::<i64>().ok().or_else(|| {
                    // Some writers send 1.7172e12 or "1717200000000.0".
                    time.parse::<f64>().ok().filter(|t| t.is_finite()).map(|t| t as i64)
                }),
                lat: text(row.latitude),
                lon: text(row.longitude),
                region: text(row.region),
                value: text(row.value),
                unit: text(row.unit),
            }
        })
        .collect();
    Some(rows)
}

/// A quick look at whether a body is a point-query answer, without reading it.
pub fn looks_like_points(body: &[u8]) -> bool {
    let mut rest = body.iter().skip_while(|b| b.is_ascii_whitespace());
    if rest.next() != Some(&b'{') {
        return false;
    }
    let head: Vec<u8> = rest.filter(|b| !b.is_ascii_whitespace()).take(8).copied().collect();
    head.starts_with(b"\"data\":[")
}

/// One line on the chart: a layer at a location.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// `layer @ location`.
    pub name: String,
    /// (epoch ms, value), in time order.
    pub points: Vec<(f64, f64)>,
}

/// What the chart plots, and what it could not.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChartData {
    /// One series per (layer, location).
    pub series: Vec<Series>,
    /// Rows left out because they have no time.
    pub without_time: usize,
    /// Rows left out because their value is not a number.
    pub not_numeric: usize,
}

impl ChartData {
    /// Groups numeric, timed rows into series, keeping the order in which series first appear.
    pub fn new(rows: &[PointRow]) -> Self {
        let mut chart = Self::default();
        let mut index = std::collections::HashMap::new();
        for row in rows {
            let Some(time) = row.time else {
                chart.without_time += 1;
                continue;
            };
            let Some(value) = row.number() else {
                chart.not_numeric += 1;
                continue;
            };
            let name = format!("{} @ {}", row.layer, row.location());
            let at = *index.entry(name.clone()).or_insert_with(|| {
                chart.series.push(Series { name, points: Vec::new() });
                chart.series.len() - 1
            });
            chart.series[at].points.push((time as f64, value));
        }
        for series in &mut chart.series {
            series.points.sort_by(|a, b| a.0.total_cmp(&b.0));
        }
        chart
    }

    /// The smallest and largest (time, value) over all series.
    pub fn bounds(&self) -> Option<([f64; 2], [f64; 2])> {
        let all = self.series.iter().flat_map(|s| &s.points);
        all.fold(None, |acc, &(x, y)| {
            Some(match acc {
                None => ([x, x], [y, y]),
                Some(([x0, x1], [y0, y1])) => ([x.min(x0), x.max(x1)], [y.min(y0), y.max(y1)]),
            })
        })
    }
}

/// A generated point-query answer of at least `size` bytes, one row per line, with the type
/// drift of real answers; for load tests and benchmarks.
pub fn sample(size: usize) -> bytes::Bytes {
    use std::fmt::Write;
    let mut body = String::with_capacity(size + 256);
    body.push_str("{\"data\":[\n");
    let mut i = 0u64;
    while body.len() < size {
        if i > 0 {
            body.push_str(",\n");
        }
        let layer = if i.is_multiple_of(3) { "\"49423\"" } else { "49423" };
        let time = 1_717_200_000_000 + (i / 4) * 3_600_000;
        let _ = write!(
            body,
            "{{\"layerId\":{layer},\"layerName\":\"2m temperature\",\"dataset\":\"ERA5\",\"timestamp\":{time},\
             \"longitude\":-71.0589,\"latitude\":{}.3601,\"value\":",
            40 + i % 4
        );
        if i.is_multiple_of(2) {
            let _ = write!(body, "\"{}.{:04}\",\"unit\":\"K\"}}", 280 + i % 30, i % 9973);
        } else {
            let _ = write!(body, "{}.5,\"unit\":\"K\"}}", 270 + i % 40);
        }
        i += 1;
    }
    body.push_str("\n]}");
    bytes::Bytes::from(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DRIFT: &str = r#"{"data":[
        {"layerId":"49423","layerName":"2m temperature","timestamp":1717200000000,"longitude":-71.0589,"latitude":42.3601,"value":"291.4302","unit":"K"},
        {"layerId":49423,"timestamp":"1717286400000","longitude":-71.0589,"latitude":42.3601,"value":290.0077,"unit":"K"},
        {"layerId":51,"layerName":"County","timestamp":1717200000000,"region":"US-MA-025","property":"pop","value":"n/a"},
        {"layerId":49423,"layerName":"2m temperature","aggregation":"Max","alias":"91.1>1688083200000","longitude":-71.0589,"latitude":42.3601,"value":1.50e2}
    ]}"#;

    #[test]
    fn rows_keep_every_value_as_sent_whatever_its_type() {
        let rows = read(DRIFT).unwrap();
        assert_eq!(rows.len(), 4, "the table shows every row");
        assert_eq!(rows[0].value, "291.4302");
        assert_eq!(rows[1].value, "290.0077");
        assert_eq!(rows[1].layer, "49423", "a numeric id stands in for a missing name");
        assert_eq!(rows[1].time, Some(1_717_286_400_000), "a string timestamp is read too");
        assert_eq!(rows[3].value, "1.50e2", "number text is not re-printed");
    }

    #[test]
    fn vector_rows_have_a_region_and_no_position() {
        let rows = read(DRIFT).unwrap();
        assert_eq!(rows[2].lat, "");
        assert_eq!(rows[2].location(), "US-MA-025");
        assert_eq!(rows[0].location(), "42.3601, -71.0589");
    }

    #[test]
    fn aggregated_rows_have_a_blank_time_and_epoch_ms_become_iso_dates() {
        let rows = read(DRIFT).unwrap();
        assert_eq!(rows[3].iso_time(), "");
        assert_eq!(rows[0].iso_time(), "2024-06-01T00:00Z");
        assert_eq!(iso(1_717_200_001_500), "2024-06-01T00:00:01.500Z");
    }

    #[test]
    fn the_chart_plots_every_numeric_timed_value_and_counts_the_rest() {
        let chart = ChartData::new(&read(DRIFT).unwrap());
        assert_eq!(chart.series.len(), 2, "row 1 has no name: its id makes its own series");
        assert_eq!(chart.series[0].name, "2m temperature @ 42.3601, -71.0589");
        assert_eq!(chart.series[0].points, [(1_717_200_000_000.0, 291.4302)]);
        assert_eq!((chart.without_time, chart.not_numeric), (1, 1));
        let mut rows = read(DRIFT).unwrap();
        rows[1].layer = rows[0].layer.clone();
        let chart = ChartData::new(&rows);
        assert_eq!(chart.series[0].points.len(), 2);
        assert_eq!(chart.bounds(), Some(([1.7172e12, 1.7172864e12], [290.0077, 291.4302])));
    }

    #[test]
    fn the_sample_is_a_point_answer_of_the_asked_size() {
        let body = sample(10_000);
        assert!(body.len() >= 10_000 && body.len() < 10_300);
        let rows = read(std::str::from_utf8(&body).unwrap()).unwrap();
        assert!(rows.len() > 40);
        assert!(rows.iter().all(|r| r.number().is_some() && r.time.is_some()));
    }

    #[test]
    fn other_bodies_are_not_points() {
        assert!(looks_like_points(b" {\n  \"data\" : [ ]}"));
        assert!(!looks_like_points(br#"{"id":"1544202000_23976938"}"#));
        assert!(read(r#"{"id":"x"}"#).is_none());
        assert!(read(r#"{"data":[1]}"#).is_none());
    }
}
