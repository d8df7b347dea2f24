//! `POST /v2/query`: parsing and validating PAIRS query JSON, dry-run estimates and
//! interactive point data. Everything else becomes a job (see `jobs`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::catalog::{self, Described};
use super::{AppState, jobs, message};

/// Days generated per temporal interval; longer intervals are truncated.
const MAX_DAYS_PER_INTERVAL: usize = 366;
/// Above this many rows an interactive point query is converted to a batch job,
/// as the real service does with large point queries.
pub(super) const INTERACTIVE_MAX_COUNT: usize = 10_000;
const MAX_COUNT: usize = 1_000_000;
const MAX_USAGE_BYTES: u64 = 50_000_000_000;
const MAX_SIZE_MB: u64 = 20_480;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawQuery {
    name: Option<String>,
    layers: Option<Vec<RawLayer>>,
    spatial: Option<RawSpatial>,
    temporal: Option<RawTemporal>,
    #[serde(default)]
    batch: Value,
    #[serde(default)]
    dry_run: Value,
}

#[derive(Deserialize)]
struct RawLayer {
    id: Option<Value>,
    alias: Option<String>,
    aggregation: Option<String>,
    temporal: Option<RawTemporal>,
    expression: Option<String>,
    #[serde(default)]
    output: Value,
}

#[derive(Deserialize)]
struct RawSpatial {
    #[serde(rename = "type")]
    kind: Option<String>,
    coordinates: Option<Vec<Value>>,
    aoi: Option<Value>,
    polygon: Option<RawPolygon>,
}

#[derive(Deserialize)]
struct RawPolygon {
    wkt: Option<String>,
}

#[derive(Deserialize)]
struct RawTemporal {
    intervals: Option<Vec<RawInterval>>,
}

#[derive(Deserialize)]
struct RawInterval {
    start: Option<Value>,
    end: Option<Value>,
    snapshot: Option<Value>,
}

/// A validated query.
#[derive(Debug)]
pub(super) struct Query {
    pub name: Option<String>,
    pub layers: Vec<QueryLayer>,
    pub area: Area,
    pub batch: bool,
    pub dry_run: bool,
}

/// One requested layer, resolved against the catalog.
#[derive(Debug)]
pub(super) struct QueryLayer {
    /// The layer id, or the alias for a user-defined-function layer.
    pub id: String,
    pub alias: Option<String>,
    pub aggregation: Option<&'static str>,
    pub windows: Vec<Window>,
    /// Whether the layer is written to the results (`"output": false` hides it).
    pub output: bool,
    pub meta: Described,
    pub hash: u64,
}

/// An inclusive time interval; a snapshot has `start == end`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Window {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// Where the query asks for data.
#[derive(Debug)]
pub(super) enum Area {
    /// `(lat, lon)` pairs of a point query.
    Points(Vec<(f64, f64)>),
    /// The bounding box of a square or polygon query.
    Region(BBox),
}

/// A latitude/longitude bounding box in degrees.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct BBox {
    pub south: f64,
    pub west: f64,
    pub north: f64,
    pub east: f64,
}

impl Area {
    /// The bounding box of the area (points get a box around them).
    pub(super) fn bbox(&self) -> BBox {
        match self {
            Area::Region(b) => *b,
            Area::Points(points) => points.iter().fold(
                BBox {
                    south: 90.0,
                    west: 180.0,
                    north: -90.0,
                    east: -180.0,
                },
                |b, &(lat, lon)| BBox {
                    south: b.south.min(lat),
                    west: b.west.min(lon),
                    north: b.north.max(lat),
                    east: b.east.max(lon),
                },
            ),
        }
    }
}

impl QueryLayer {
    /// The days this layer covers, capped per interval.
    pub(super) fn days(&self) -> Vec<DateTime<Utc>> {
        self.windows
            .iter()
            .flat_map(|w| {
                std::iter::successors(Some(w.start), |d| d.checked_add_signed(TimeDelta::days(1)))
                    .take_while(move |d| *d <= w.end)
                    .take(MAX_DAYS_PER_INTERVAL)
            })
            .collect()
    }

    /// The last instant the layer covers, used to stamp raster outputs.
    pub(super) fn last_day(&self) -> DateTime<Utc> {
        self.days().last().copied().unwrap_or_default()
    }

    /// Number of rows this layer yields per point.
    fn rows_per_point(&self) -> usize {
        if self.aggregation.is_some() {
            1
        } else {
            self.days().len()
        }
    }

    /// The value at a place and time.
    pub(super) fn value(&self, lat: f64, lon: f64, t: DateTime<Utc>) -> f64 {
        self.meta.model.value(self.hash, lat, lon, t)
    }

    /// Formats a value the way the service does: a decimal string.
    pub(super) fn format(&self, value: f64) -> String {
        if value.fract() == 0.0 {
            format!("{value:.1}")
        } else {
            format!("{value:.4}")
        }
    }
}

/// `bool` or the SDK's string spelling (`"True"`).
fn truthy(value: &Value) -> bool {
    match value {
        Value::Bool(b) => *b,
        Value::String(s) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Parses a PAIRS time: ISO-8601 with or without zone or seconds' fraction, a date,
/// `YYYY-MM-DD HH:MM:SS`, or epoch seconds (milliseconds if implausibly large for seconds).
fn parse_time(value: &Value) -> Option<DateTime<Utc>> {
    let from_epoch = |n: f64| {
        let secs = if n.abs() > 1e11 { n / 1000.0 } else { n };
        DateTime::from_timestamp(secs as i64, 0)
    };
    match value {
        Value::Number(n) => n.as_f64().and_then(from_epoch),
        Value::String(s) => {
            let s = s.trim();
            if let Ok(n) = s.parse::<f64>() {
                return from_epoch(n);
            }
            if let Ok(t) = DateTime::parse_from_rfc3339(s) {
                return Some(t.with_timezone(&Utc));
            }
            for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
                if let Ok(t) = NaiveDateTime::parse_from_str(s, format) {
                    return Some(t.and_utc());
                }
            }
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc())
        }
        _ => None,
    }
}

fn windows(temporal: &RawTemporal, what: &str) -> Result<Vec<Window>, String> {
    let intervals = temporal
        .intervals
        .as_deref()
        .filter(|i| !i.is_empty())
        .ok_or_else(|| format!("{what}.intervals must be a non-empty array"))?;
    intervals
        .iter()
        .enumerate()
        .map(|(i, interval)| {
            let time = |field: &str, v: &Option<Value>| {
                v.as_ref().map(|v| {
                    parse_time(v).ok_or_else(|| {
                        format!("{what}.intervals[{i}].{field} is not a valid time: {v}")
                    })
                })
            };
            match (
                time("snapshot", &interval.snapshot),
                time("start", &interval.start),
                time("end", &interval.end),
            ) {
                (Some(snapshot), _, _) => snapshot.map(|t| Window { start: t, end: t }),
                (None, Some(start), Some(end)) => {
                    let (start, end) = (start?, end?);
                    if start > end {
                        Err(format!("{what}.intervals[{i}]: start is after end"))
                    } else {
                        Ok(Window { start, end })
                    }
                }
                _ => Err(format!(
                    "{what}.intervals[{i}] needs either snapshot or both start and end"
                )),
            }
        })
        .collect()
}

fn check_lat_lon(lat: f64, lon: f64) -> Result<(), String> {
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return Err(format!(
            "coordinate ({lat}, {lon}) is out of range: latitude must be within ±90 and longitude within ±180"
        ));
    }
    Ok(())
}

fn area(spatial: &RawSpatial) -> Result<Area, String> {
    let kind = spatial.kind.as_deref().ok_or("spatial.type is required")?;
    let coordinates = || -> Result<Vec<f64>, String> {
        spatial
            .coordinates
            .as_deref()
            .ok_or_else(|| format!("spatial.coordinates is required for type '{kind}'"))?
            .iter()
            .map(|v| number(v).ok_or_else(|| format!("spatial.coordinates: {v} is not a number")))
            .collect()
    };
    match kind {
        "point" => {
            let c = coordinates()?;
            if c.is_empty() || !c.len().is_multiple_of(2) {
                return Err(
                    "spatial.coordinates for a point query must be [lat, lon, lat, lon, …]".into(),
                );
            }
            let points: Vec<(f64, f64)> = c.chunks_exact(2).map(|p| (p[0], p[1])).collect();
            for &(lat, lon) in &points {
                check_lat_lon(lat, lon)?;
            }
            Ok(Area::Points(points))
        }
        "square" => {
            let &[south, west, north, east] = coordinates()?.as_slice() else {
                return Err("spatial.coordinates for a square must be [south_lat, west_lon, north_lat, east_lon]".into());
            };
            check_lat_lon(south, west)?;
            check_lat_lon(north, east)?;
            if south >= north || west >= east {
                return Err(
                    "spatial.coordinates: the first corner must be south-west of the second".into(),
                );
            }
            Ok(Area::Region(BBox {
                south,
                west,
                north,
                east,
            }))
        }
        "poly" => {
            if let Some(wkt) = spatial.polygon.as_ref().and_then(|p| p.wkt.as_deref()) {
                return wkt_bbox(wkt).map(Area::Region);
            }
            let aoi = spatial
                .aoi
                .as_ref()
                .ok_or("spatial for type 'poly' needs aoi or polygon.wkt")?;
            // AOIs are server-side shapes; give each id a stable box in the contiguous US.
            let h = catalog::mix(catalog::id_hash(&aoi.to_string()));
            let south = 30.0 + (h % 1500) as f64 / 100.0;
            let west = -120.0 + ((h >> 16) % 4000) as f64 / 100.0;
            Ok(Area::Region(BBox {
                south,
                west,
                north: south + 0.5,
                east: west + 0.6,
            }))
        }
        other => Err(format!(
            "spatial.type '{other}' is not supported; use point, square or poly"
        )),
    }
}

/// The bounding box of a WKT polygon (lon-lat order), from its coordinate pairs.
fn wkt_bbox(wkt: &str) -> Result<BBox, String> {
    let upper = wkt.trim_start().to_ascii_uppercase();
    if !upper.starts_with("POLYGON") && !upper.starts_with("MULTIPOLYGON") {
        return Err("spatial.polygon.wkt must be a POLYGON or MULTIPOLYGON".into());
    }
    let numbers: Vec<f64> = wkt
        .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == 'e' || c == 'E'))
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<f64>()
                .map_err(|_| format!("spatial.polygon.wkt: bad number '{s}'"))
        })
        .collect::<Result<_, _>>()?;
    if numbers.len() < 6 || !numbers.len().is_multiple_of(2) {
        return Err("spatial.polygon.wkt needs at least three lon lat pairs".into());
    }
    let mut b = BBox {
        south: 90.0,
        west: 180.0,
        north: -90.0,
        east: -180.0,
    };
    for pair in numbers.chunks_exact(2) {
        let (lon, lat) = (pair[0], pair[1]);
        check_lat_lon(lat, lon)?;
        b = BBox {
            south: b.south.min(lat),
            west: b.west.min(lon),
            north: b.north.max(lat),
            east: b.east.max(lon),
        };
    }
    if b.south >= b.north || b.west >= b.east {
        return Err("spatial.polygon.wkt encloses no area".into());
    }
    Ok(b)
}

fn aggregation(name: &str) -> Result<&'static str, String> {
    ["Max", "Min", "Mean", "Sum"]
        .into_iter()
        .find(|a| a.eq_ignore_ascii_case(name))
        .ok_or_else(|| format!("aggregation '{name}' is not supported; use Max, Min, Mean or Sum"))
}

fn layer(raw: &RawLayer, index: usize, default: &[Window]) -> Result<QueryLayer, String> {
    let alias = raw.alias.clone();
    if let Some(alias) = &alias
        && (alias.is_empty() || !alias.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
    {
        return Err(format!(
            "layers[{index}].alias '{alias}' must match ^[0-9a-zA-Z_]+$"
        ));
    }
    let windows = match &raw.temporal {
        Some(t) => windows(t, &format!("layers[{index}].temporal"))?,
        None => default.to_vec(),
    };
    let aggregation = raw.aggregation.as_deref().map(aggregation).transpose()?;
    let output = !matches!(raw.output, Value::Bool(false)) && raw.output != json!("false");
    let (id, meta) = match (&raw.id, &raw.expression, &alias) {
        (Some(id), _, _) => {
            let id = match id {
                Value::String(s) if !s.trim().is_empty() => s.trim().to_owned(),
                Value::Number(n) => n.to_string(),
                other => {
                    return Err(format!(
                        "layers[{index}].id must be a string or number, got {other}"
                    ));
                }
            };
            let meta = catalog::describe(&id);
            (id, meta)
        }
        (None, Some(_), Some(alias)) => {
            let mut meta = catalog::describe(alias);
            meta.name = alias.clone();
            meta.dataset = "User defined function".to_owned();
            (alias.clone(), meta)
        }
        (None, Some(_), None) => {
            return Err(format!(
                "layers[{index}]: an expression layer needs an alias"
            ));
        }
        (None, None, _) => {
            return Err(format!(
                "layers[{index}] needs an id (or an alias and expression)"
            ));
        }
    };
    Ok(QueryLayer {
        hash: catalog::id_hash(&id),
        id,
        alias,
        aggregation,
        windows,
        output,
        meta,
    })
}

/// Parses and validates a query body. Errors are messages for a 400 response.
pub(super) fn parse(body: &[u8]) -> Result<Query, String> {
    let raw: RawQuery = serde_json::from_slice(body).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => format!("Invalid query: {e}"),
        _ => format!("Malformed JSON in query body: {e}"),
    })?;
    let layers = raw
        .layers
        .as_deref()
        .filter(|l| !l.is_empty())
        .ok_or("Invalid query: 'layers' must be a non-empty array")?;
    let spatial = raw
        .spatial
        .as_ref()
        .ok_or("Invalid query: 'spatial' is required")?;
    let temporal = raw
        .temporal
        .as_ref()
        .ok_or("Invalid query: 'temporal' is required")?;
    let default = windows(temporal, "temporal").map_err(|e| format!("Invalid query: {e}"))?;
    let area = area(spatial).map_err(|e| format!("Invalid query: {e}"))?;
    let layers = layers
        .iter()
        .enumerate()
        .map(|(i, l)| layer(l, i, &default))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("Invalid query: {e}"))?;
    if matches!(area, Area::Points(_))
        && layers
            .iter()
            .any(|l| l.meta.dataset == "User defined function")
    {
        return Err(
            "Invalid query: user defined functions are not supported for point queries".into(),
        );
    }
    Ok(Query {
        name: raw.name,
        layers,
        area,
        batch: truthy(&raw.batch),
        dry_run: truthy(&raw.dry_run),
    })
}

/// Rows of a point query, one per (layer, point, day), or one per (layer, point) when the
/// layer aggregates over time. Also used for the results of batch point jobs.
pub(super) fn point_rows(query: &Query, points: &[(f64, f64)], limit: usize) -> Vec<Value> {
    let mut rows = Vec::new();
    for layer in &query.layers {
        let days = layer.days();
        for &(lat, lon) in points {
            let mut row = json!({
                "layerId": layer.id,
                "layerName": layer.meta.name,
                "dataset": layer.meta.dataset,
                "longitude": lon,
                "latitude": lat,
            });
            if !layer.meta.unit.is_empty() {
                row["unit"] = json!(layer.meta.unit);
            }
            if let Some(aggregation) = layer.aggregation {
                let values: Vec<f64> = days.iter().map(|&d| layer.value(lat, lon, d)).collect();
                let value = aggregate(aggregation, &values);
                let (first, last) = (days.first().copied().unwrap_or_default(), layer.last_day());
                row["value"] = json!(layer.format(value));
                row["aggregation"] = json!(aggregation);
                row["alias"] = json!(layer.alias.clone().unwrap_or_else(|| format!(
                    "{}.{}>{}",
                    layer.id,
                    first.timestamp_millis(),
                    last.timestamp_millis()
                )));
                rows.push(row);
            } else {
                for &day in &days {
                    let mut row = row.clone();
                    row["timestamp"] = json!(day.timestamp_millis());
                    row["value"] = json!(layer.format(layer.value(lat, lon, day)));
                    if let Some(alias) = &layer.alias {
                        row["alias"] = json!(alias);
                    }
                    rows.push(row);
                }
            }
            if rows.len() >= limit {
                rows.truncate(limit);
                return rows;
            }
        }
    }
    rows
}

fn aggregate(aggregation: &str, values: &[f64]) -> f64 {
    let sum: f64 = values.iter().sum();
    match aggregation {
        "Max" => values.iter().copied().fold(f64::MIN, f64::max),
        "Min" => values.iter().copied().fold(f64::MAX, f64::min),
        "Sum" => sum,
        _ => sum / values.len().max(1) as f64,
    }
}

/// Number of rows an interactive point query would return.
fn point_count(query: &Query, points: usize) -> usize {
    query
        .layers
        .iter()
        .map(|l| l.rows_per_point() * points)
        .sum()
}

/// Pixel size in degrees at a PAIRS resolution level (level 29 ≈ 1e-6°, doubling per level).
pub(super) fn level_resolution(level: u8) -> f64 {
    1e-6 * 2f64.powi(29 - i32::from(level.clamp(1, 29)))
}

/// The dry-run `info` object: usage grows with area × days × layers.
fn estimate(query: &Query) -> Value {
    let (usage, count) = match &query.area {
        Area::Points(points) => {
            let count = point_count(query, points.len());
            (count as u64 * 64, count)
        }
        Area::Region(b) => {
            let area = (b.north - b.south) * (b.east - b.west);
            query
                .layers
                .iter()
                .fold((0u64, 0usize), |(usage, count), layer| {
                    let pixels = (area / level_resolution(layer.meta.level).powi(2))
                        .ceil()
                        .max(1.0);
                    let rasters = if layer.aggregation.is_some() {
                        1
                    } else {
                        layer.days().len()
                    };
                    (
                        usage + (pixels * 4.0) as u64 * rasters as u64,
                        count + rasters,
                    )
                })
        }
    };
    json!({
        "usage": usage,
        "usageUnit": "bytes",
        "maxUsage": MAX_USAGE_BYTES,
        "size": usage.div_ceil(1_000_000),
        "maxSize": MAX_SIZE_MB,
        "count": count,
        "interactiveMaxCount": INTERACTIVE_MAX_COUNT,
        "maxCount": MAX_COUNT,
    })
}

/// `POST /v2/query`
pub(super) async fn submit(State(state): State<AppState>, body: Bytes) -> Response {
    let query = match parse(&body) {
        Ok(query) => query,
        Err(e) => return message(StatusCode::BAD_REQUEST, e),
    };
    if query.dry_run {
        return Json(json!({ "info": estimate(&query) })).into_response();
    }
    if let Area::Points(points) = &query.area
        && !query.batch
        && point_count(&query, points.len()) <= INTERACTIVE_MAX_COUNT
    {
        let rows = point_rows(&query, points, INTERACTIVE_MAX_COUNT);
        return Json(json!({ "data": rows })).into_response();
    }
    let id = jobs::create(&state, query);
    Json(json!({ "id": id })).into_response()
}
