//! Query jobs: lifecycle, status, list and download (a zip of GeoTIFFs built once per job).

use std::collections::HashSet;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query as UrlQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::{StreamExt, stream};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::OnceCell;
use tokio::time::Instant;
use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

use super::entropy::Entropy;
use super::query::{self, Area, BBox, Query, QueryLayer};
use super::{AppState, MockConfig, lock, message};

/// Size of the chunks a download is streamed in.
const CHUNK: usize = 64 * 1024;
/// Rows in the JSON result of a batch point job, at most.
const MAX_BATCH_ROWS: usize = 200_000;
const NO_DATA: f32 = -9999.0;

const QUEUED: u16 = 0;
const RUNNING: u16 = 10;
const WRITING: u16 = 11;
const PACKAGING: u16 = 12;
const SUCCEEDED: u16 = 20;
const FAILED: u16 = 40;

fn status_name(code: u16) -> &'static str {
    match code {
        QUEUED => "Queued",
        RUNNING => "Running",
        WRITING => "Writing",
        PACKAGING => "Packaging",
        SUCCEEDED => "Succeeded",
        _ => "Failed",
    }
}

/// How a job's progress is decided.
enum Timeline {
    /// Progresses one phase per `phase` since `created`.
    Live { created: Instant, phase: Duration },
    /// Already over (pre-seeded history).
    Finished,
}

/// The finished results of a job, built on first download.
struct Payload {
    bytes: Bytes,
    content_type: &'static str,
    extension: &'static str,
}

struct Job {
    id: String,
    query: Query,
    start_ms: i64,
    timeline: Timeline,
    fails: bool,
    flag: bool,
    hadoop_id: String,
    download_size: usize,
    payload: OnceCell<Payload>,
}

/// All jobs, oldest first, plus the counter behind the id's second half.
pub(super) struct JobStore {
    jobs: Vec<Arc<Job>>,
    counter: u64,
}

/// Pre-seeded history: (query, hours ago, fails, favourite).
const SEEDS: [(&str, i64, bool, bool); 3] = [
    (
        r#"{"name":"era5-temperature-texas","layers":[{"type":"raster","id":"49423"}],
            "spatial":{"type":"square","coordinates":[30.0,-100.0,30.5,-99.4]},
            "temporal":{"intervals":[{"snapshot":"2024-07-15T12:00:00Z"}]}}"#,
        74,
        false,
        false,
    ),
    (
        r#"{"name":"ndvi-hudson-valley","layers":[{"type":"raster","id":"49464","alias":"ndvi"}],
            "spatial":{"type":"square","coordinates":[41.20,-73.85,41.25,-73.75]},
            "temporal":{"intervals":[{"snapshot":"2024-07-01T00:00:00Z"}]}}"#,
        26,
        false,
        true,
    ),
    (
        r#"{"name":"prism-precip-colorado","layers":[{"type":"raster","id":"91"}],
            "spatial":{"type":"square","coordinates":[39.0,-106.0,40.0,-105.0]},
            "temporal":{"intervals":[{"start":"2024-05-01","end":"2024-05-31"}]}}"#,
        5,
        true,
        false,
    ),
];

impl JobStore {
    /// A store holding a few finished historical jobs, so a fresh demo has a history.
    pub(super) fn seeded(entropy: &mut Entropy, config: &MockConfig) -> Self {
        let mut store = JobStore {
            jobs: Vec::new(),
            counter: 10_000_000 + entropy.below(80_000_000),
        };
        let now_ms = chrono::Utc::now().timestamp_millis() + config.clock_skew * 1000;
        for (json, hours_ago, fails, flag) in SEEDS {
            let query = query::parse(json.as_bytes()).expect("seed queries are valid");
            let start_ms = now_ms - hours_ago * 3_600_000;
            let id = store.next_id(start_ms);
            store.jobs.push(Arc::new(Job {
                hadoop_id: hadoop_id(entropy, start_ms),
                id,
                query,
                start_ms,
                timeline: Timeline::Finished,
                fails,
                flag,
                download_size: config.download_size,
                payload: OnceCell::new(),
            }));
        }
        store
    }

    /// `<unix seconds>_<8-digit counter>`, the shape of real job ids.
    fn next_id(&mut self, start_ms: i64) -> String {
        self.counter = (self.counter + 1) % 100_000_000;
        format!("{:010}_{:08}", start_ms.div_euclid(1000), self.counter)
    }

    fn find(&self, id: &str) -> Option<Arc<Job>> {
        self.jobs.iter().find(|j| j.id == id).cloned()
    }
}

fn hadoop_id(entropy: &mut Entropy, start_ms: i64) -> String {
    format!(
        "{}_{:06}",
        start_ms - 9_000_000_000,
        entropy.below(1_000_000)
    )
}

/// Registers a job for `query` and returns its id. Jobs whose name contains "fail" fail.
pub(super) fn create(state: &AppState, query: Query) -> String {
    let (phase, download_size) = {
        let config = lock(&state.config);
        (config.job_phase, config.download_size)
    };
    let start_ms = state.now_millis();
    let fails = query
        .name
        .as_deref()
        .is_some_and(|n| n.to_ascii_lowercase().contains("fail"));
    let hadoop_id = hadoop_id(&mut lock(&state.entropy), start_ms);
    let mut store = lock(&state.jobs);
    let id = store.next_id(start_ms);
    store.jobs.push(Arc::new(Job {
        id: id.clone(),
        query,
        start_ms,
        timeline: Timeline::Live {
            created: Instant::now(),
            phase,
        },
        fails,
        flag: false,
        hadoop_id,
        download_size,
        payload: OnceCell::new(),
    }));
    id
}

impl Job {
    /// Current status code and `exPercent`.
    ///
    /// Phases: 1 queued, 3 running (percent rising), 1 writing, 1 packaging, then done.
    /// A failing job dies half-way through running.
    fn progress(&self) -> (u16, f64) {
        let phases = match self.timeline {
            Timeline::Finished => f64::INFINITY,
            Timeline::Live { created, phase } => {
                created.elapsed().as_secs_f64() / phase.as_secs_f64().max(1e-3)
            }
        };
        let running = |p: f64| (((p - 1.0) / 3.0 * 100.0).min(99.0) * 10.0).round() / 10.0;
        match phases {
            p if p < 1.0 => (QUEUED, 0.0),
            p if self.fails && p >= 2.5 => (FAILED, running(2.5)),
            p if p < 4.0 => (RUNNING, running(p)),
            p if p < 5.0 => (WRITING, 100.0),
            p if p < 6.0 => (PACKAGING, 100.0),
            _ => (SUCCEEDED, 100.0),
        }
    }

    fn failure_message(&self) -> String {
        let layer = self.query.layers.first().map_or("?", |l| l.id.as_str());
        format!("Processing failed: layer {layer} has no data for the requested interval")
    }

    fn status_json(&self) -> Value {
        let (code, percent) = self.progress();
        let bbox = self.query.area.bbox();
        let mut status = json!({
            "id": self.id,
            "status": status_name(code),
            "statusCode": code,
            "start": self.start_ms,
            "pql": null,
            "folder": self.start_ms.to_string(),
            "swLat": bbox.south,
            "swLon": bbox.west,
            "neLat": bbox.north,
            "neLon": bbox.east,
            "nickname": self.query.name,
            "exPercent": percent,
            "flag": self.flag,
            "hadoopId": self.hadoop_id,
            "ready": code == SUCCEEDED,
            "rtStatus": status_name(code),
            "pdStatus": null,
        });
        if code == FAILED {
            status["message"] = json!(self.failure_message());
        }
        status
    }
}

fn find(state: &AppState, id: &str) -> Option<Arc<Job>> {
    lock(&state.jobs).find(id)
}

fn not_found() -> Response {
    message(StatusCode::NOT_FOUND, "Error: 404 Not Found.")
}

/// `GET /v2/queryjobs/{id}`
pub(super) async fn status(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match find(&state, &id) {
        Some(job) => Json(job.status_json()).into_response(),
        None => not_found(),
    }
}

/// Query string of `GET /v2/queryjobs/list`.
#[derive(Deserialize)]
pub(super) struct ListParams {
    flag: Option<String>,
    page: Option<usize>,
    size: Option<usize>,
}

/// `GET /v2/queryjobs/list?flag=&page=&size=`, newest first.
pub(super) async fn list(
    State(state): State<AppState>,
    params: Result<UrlQuery<ListParams>, QueryRejection>,
) -> Response {
    let UrlQuery(params) = match params {
        Ok(params) => params,
        Err(e) => return message(StatusCode::BAD_REQUEST, e.body_text()),
    };
    let favourites_only = params
        .flag
        .as_deref()
        .is_some_and(|f| f.eq_ignore_ascii_case("true"));
    let size = params.size.unwrap_or(100).max(1);
    let page = params.page.unwrap_or(1).max(1);
    let jobs: Vec<Arc<Job>> = {
        let store = lock(&state.jobs);
        store
            .jobs
            .iter()
            .rev()
            .filter(|j| j.flag || !favourites_only)
            .cloned()
            .collect()
    };
    let total_pages = jobs.len().div_ceil(size).max(1);
    let list: Vec<Value> = jobs
        .iter()
        .skip((page - 1).saturating_mul(size))
        .take(size)
        .map(|j| j.status_json())
        .collect();
    Json(json!({ "totPages": total_pages, "queryJobList": list })).into_response()
}

/// `GET /v2/queryjobs/{id}/download`: the results, streamed in chunks.
pub(super) async fn download(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let Some(job) = find(&state, &id) else {
        return not_found();
    };
    match job.progress().0 {
        SUCCEEDED => {}
        FAILED => {
            return message(
                StatusCode::NOT_FOUND,
                format!("Error: query job {id} failed, there is nothing to download."),
            );
        }
        code => {
            return message(
                StatusCode::CONFLICT,
                format!(
                    "Error: query job {id} is not ready for download (status {}).",
                    status_name(code)
                ),
            );
        }
    }
    let built = job
        .payload
        .get_or_try_init(|| {
            let job = job.clone();
            async move {
                match tokio::task::spawn_blocking(move || job.build_payload()).await {
                    Ok(built) => built.map_err(|e| e.to_string()),
                    Err(e) => Err(e.to_string()),
                }
            }
        })
        .await;
    let payload = match built {
        Ok(payload) => payload,
        Err(e) => {
            return message(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("Error: packaging failed: {e}"),
            );
        }
    };
    let bytes = payload.bytes.clone();
    let chunks: Vec<Bytes> = (0..bytes.len())
        .step_by(CHUNK)
        .map(|i| bytes.slice(i..(i + CHUNK).min(bytes.len())))
        .collect();
    let stall = lock(&state.control).stall_downloads;
    let body = if stall {
        // Send one chunk, then nothing until the server stops, to exercise idle timeouts.
        let stopped = state.shutdown.clone();
        let first = stream::iter(chunks.into_iter().take(1).map(Ok));
        let end = stream::once(async move {
            stopped.cancelled_owned().await;
            Err(std::io::Error::other("mock server stopped"))
        });
        Body::from_stream(first.chain(end))
    } else {
        Body::from_stream(stream::iter(
            chunks.into_iter().map(Ok::<Bytes, std::io::Error>),
        ))
    };
    (
        [
            (header::CONTENT_TYPE, payload.content_type.to_owned()),
            (header::CONTENT_LENGTH, bytes.len().to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{id}.{}\"", payload.extension),
            ),
        ],
        body,
    )
        .into_response()
}

impl Job {
    /// Builds the download: JSON rows for batch point jobs (as the real service returns
    /// for converted point queries), otherwise a zip of rasters and metadata.
    fn build_payload(&self) -> zip::result::ZipResult<Payload> {
        match &self.query.area {
            Area::Points(points) => {
                let rows = query::point_rows(&self.query, points, MAX_BATCH_ROWS);
                Ok(Payload {
                    bytes: Bytes::from(json!({ "data": rows }).to_string()),
                    content_type: "application/json",
                    extension: "json",
                })
            }
            Area::Region(bbox) => Ok(Payload {
                bytes: Bytes::from(self.build_zip(*bbox)?),
                content_type: "application/zip",
                extension: "zip",
            }),
        }
    }

    fn build_zip(&self, bbox: BBox) -> zip::result::ZipResult<Vec<u8>> {
        let layers: Vec<&QueryLayer> = self.query.layers.iter().filter(|l| l.output).collect();
        let budget = (self.download_size / layers.len().max(1)).clamp(64, 1 << 30);
        let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::with_capacity(
            self.download_size + 64 * 1024,
        )));
        // Rasters are stored so the archive is about `download_size`; metadata is deflated.
        let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
        let deflated = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
        let mut names = HashSet::new();
        let mut files = Vec::new();
        for layer in &layers {
            let raster = Raster::render(layer, bbox, budget / 4);
            let name = unique(&mut names, tiff_name(layer));
            zip.start_file(name.as_str(), stored)?;
            zip.write_all(&raster.geotiff(bbox))?;
            zip.start_file(format!("{name}.json"), deflated)?;
            zip.write_all(raster.sidecar(bbox).to_string().as_bytes())?;
            files.push(json!({
                "name": name,
                "datalayerId": layer.id,
                "datalayerName": layer.meta.name,
                "timestamp": layer.last_day().timestamp_millis(),
                "layerType": "raster",
            }));
        }
        zip.start_file("output.info", deflated)?;
        zip.write_all(json!({ "files": files }).to_string().as_bytes())?;
        zip.start_file("data_acknowledgement.txt", deflated)?;
        zip.write_all(acknowledgement(&layers).as_bytes())?;
        Ok(zip.finish()?.into_inner())
    }
}

/// `<dataset>-<layerName>[<alias>]-<MM_DD_YYYYTHH_MM_SS>.tiff`, without path separators.
fn tiff_name(layer: &QueryLayer) -> String {
    let alias = layer
        .alias
        .as_ref()
        .map(|a| format!("[{a}]"))
        .unwrap_or_default();
    let when = layer.last_day().format("%m_%d_%YT%H_%M_%S");
    format!(
        "{}-{}{alias}-{when}.tiff",
        layer.meta.dataset, layer.meta.name
    )
    .replace(['/', '\\'], "_")
}

/// Makes `name` unique within one archive (the same layer may be requested twice).
fn unique(names: &mut HashSet<String>, name: String) -> String {
    let mut candidate = name.clone();
    let mut n = 1;
    while !names.insert(candidate.clone()) {
        n += 1;
        candidate = name.replacen(".tiff", &format!("_{n}.tiff"), 1);
    }
    candidate
}

fn acknowledgement(layers: &[&QueryLayer]) -> String {
    let mut datasets: Vec<&str> = layers.iter().map(|l| l.meta.dataset.as_str()).collect();
    datasets.dedup();
    let mut text = String::from(
        "This result was produced by IBM Environmental Intelligence Suite Geospatial Analytics \
         (PAIRS).\nPlease acknowledge the providers of the data sets used:\n\n",
    );
    for dataset in datasets {
        text.push_str(&format!("- {dataset}\n"));
    }
    text
}

/// A rendered single-band float raster over a bounding box.
struct Raster {
    width: usize,
    height: usize,
    pixels: Vec<f32>,
}

impl Raster {
    /// Samples `layer` at its last day on a grid of about `pixels` cells shaped like `bbox`.
    fn render(layer: &QueryLayer, bbox: BBox, pixels: usize) -> Raster {
        let (w_deg, h_deg) = (bbox.east - bbox.west, bbox.north - bbox.south);
        let width =
            ((pixels as f64 * w_deg / h_deg).sqrt().round() as usize).clamp(1, pixels.max(1));
        let height = (pixels / width).max(1);
        let day = layer.last_day();
        let (dx, dy) = (w_deg / width as f64, h_deg / height as f64);
        let mut values = Vec::with_capacity(width * height);
        for row in 0..height {
            let lat = bbox.north - (row as f64 + 0.5) * dy;
            for col in 0..width {
                let lon = bbox.west + (col as f64 + 0.5) * dx;
                values.push(layer.value(lat, lon, day) as f32);
            }
        }
        Raster {
            width,
            height,
            pixels: values,
        }
    }

    /// A little-endian, single-strip, 32-bit float GeoTIFF in EPSG:4326.
    fn geotiff(&self, bbox: BBox) -> Vec<u8> {
        const SHORT: u16 = 3;
        const LONG: u16 = 4;
        const ASCII: u16 = 2;
        const DOUBLE: u16 = 12;
        const ENTRIES: u32 = 15;
        let ifd_end = 8 + 2 + ENTRIES * 12 + 4;
        let (scale_at, tie_at) = (ifd_end, ifd_end + 24);
        let (keys_at, nodata_at) = (tie_at + 48, tie_at + 48 + 32);
        let data_at = nodata_at + 8;
        let data_len = u32::try_from(self.pixels.len() * 4).unwrap_or(u32::MAX);
        let (width, height) = (self.width as u32, self.height as u32);
        let entries: [(u16, u16, u32, u32); ENTRIES as usize] = [
            (256, LONG, 1, width),
            (257, LONG, 1, height),
            (258, SHORT, 1, 32),
            (259, SHORT, 1, 1),
            (262, SHORT, 1, 1),
            (273, LONG, 1, data_at),
            (277, SHORT, 1, 1),
            (278, LONG, 1, height),
            (279, LONG, 1, data_len),
            (284, SHORT, 1, 1),
            (339, SHORT, 1, 3),
            (33550, DOUBLE, 3, scale_at),
            (33922, DOUBLE, 6, tie_at),
            (34735, SHORT, 16, keys_at),
            (42113, ASCII, 6, nodata_at),
        ];
        let mut out = Vec::with_capacity(data_at as usize + self.pixels.len() * 4);
        out.extend_from_slice(b"II*\0");
        out.extend_from_slice(&8u32.to_le_bytes());
        out.extend_from_slice(&(ENTRIES as u16).to_le_bytes());
        for (tag, kind, count, value) in entries {
            out.extend_from_slice(&tag.to_le_bytes());
            out.extend_from_slice(&kind.to_le_bytes());
            out.extend_from_slice(&count.to_le_bytes());
            if kind == SHORT && count == 1 {
                out.extend_from_slice(&(value as u16).to_le_bytes());
                out.extend_from_slice(&[0, 0]);
            } else {
                out.extend_from_slice(&value.to_le_bytes());
            }
        }
        out.extend_from_slice(&0u32.to_le_bytes());
        let dx = (bbox.east - bbox.west) / self.width as f64;
        let dy = (bbox.north - bbox.south) / self.height as f64;
        for v in [dx, dy, 0.0, 0.0, 0.0, 0.0, bbox.west, bbox.north, 0.0] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        // GeoKeyDirectory: geographic model, pixel-is-area, EPSG:4326.
        for k in [
            1u16, 1, 0, 3, 1024, 0, 1, 2, 1025, 0, 1, 1, 2048, 0, 1, 4326,
        ] {
            out.extend_from_slice(&k.to_le_bytes());
        }
        out.extend_from_slice(b"-9999\0\0\0");
        for p in &self.pixels {
            out.extend_from_slice(&p.to_le_bytes());
        }
        out
    }

    /// The `.tiff.json` sidecar describing the raster.
    fn sidecar(&self, bbox: BBox) -> Value {
        let valid: Vec<f64> = self
            .pixels
            .iter()
            .filter(|&&p| p != NO_DATA)
            .map(|&p| f64::from(p))
            .collect();
        let count = valid.len().max(1) as f64;
        let mean = valid.iter().sum::<f64>() / count;
        let variance = valid.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / count;
        json!({
            "pixelType": "fl",
            "pixelNoDataVal": NO_DATA,
            "spatialRef": "GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS 84\",6378137,298.257223563]],PRIMEM[\"Greenwich\",0],UNIT[\"degree\",0.0174532925199433],AUTHORITY[\"EPSG\",\"4326\"]]",
            "boundingBox": {
                "minLatitude": bbox.south,
                "maxLatitude": bbox.north,
                "minLongitude": bbox.west,
                "maxLongitude": bbox.east,
            },
            "pixelDimensions": {
                "pixelSizeDegreeLongitude": (bbox.east - bbox.west) / self.width as f64,
                "pixelSizeDegreeLatitude": (bbox.north - bbox.south) / self.height as f64,
                "numberPixelsLatitude": self.height,
                "numberPixelsLongitude": self.width,
            },
            "rasterStatistics": {
                "pixelMin": valid.iter().copied().fold(f64::INFINITY, f64::min),
                "pixelMax": valid.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                "pixelCount": valid.len(),
                "pixelMean": mean,
                "pixelStandardDeviation": variance.sqrt(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u16_at(b: &[u8], at: usize) -> u16 {
        u16::from_le_bytes([b[at], b[at + 1]])
    }

    fn u32_at(b: &[u8], at: usize) -> u32 {
        u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
    }

    #[test]
    fn geotiff_directory_describes_the_pixel_strip() {
        let raster = Raster {
            width: 3,
            height: 2,
            pixels: vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        };
        let bbox = BBox {
            south: 10.0,
            west: 20.0,
            north: 12.0,
            east: 23.0,
        };
        let tiff = raster.geotiff(bbox);
        assert_eq!(&tiff[..4], b"II*\0");
        let ifd = u32_at(&tiff, 4) as usize;
        let count = usize::from(u16_at(&tiff, ifd));
        let entry = |tag: u16| {
            (0..count)
                .map(|i| ifd + 2 + i * 12)
                .find(|&at| u16_at(&tiff, at) == tag)
                .map(|at| u32_at(&tiff, at + 8))
                .expect("tag present")
        };
        let tags: Vec<u16> = (0..count)
            .map(|i| u16_at(&tiff, ifd + 2 + i * 12))
            .collect();
        assert!(tags.windows(2).all(|w| w[0] < w[1]), "tags must be sorted");
        assert_eq!((entry(256), entry(257)), (3, 2));
        assert_eq!(entry(258) & 0xFFFF, 32);
        let (offset, length) = (entry(273) as usize, entry(279) as usize);
        assert_eq!(offset + length, tiff.len());
        assert_eq!(&tiff[offset..offset + 4], &1.0f32.to_le_bytes());
        let scale = entry(33550) as usize;
        let dx = f64::from_le_bytes(tiff[scale..scale + 8].try_into().expect("8 bytes"));
        assert_eq!(dx, 1.0);
        let nodata = entry(42113) as usize;
        assert_eq!(&tiff[nodata..nodata + 6], b"-9999\0");
    }
}
