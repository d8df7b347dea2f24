//! The data-layer catalog (`/v2/datalayers/…`) and the synthetic signal behind each layer.

use std::f64::consts::TAU;

use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Datelike, Utc};
use serde_json::{Value, json};

use super::message;

/// How a layer's synthetic values vary: a seasonal curve plus latitude, spatial and noise
/// terms, clamped to the layer's range. Deterministic in (layer, lat, lon, day).
#[derive(Clone, Copy, Debug)]
pub(super) struct Model {
    base: f64,
    /// Change per degree of absolute latitude (negative: colder towards the poles).
    per_lat: f64,
    /// Seasonal amplitude; the sign follows the hemisphere.
    seasonal: f64,
    /// Day of year of the seasonal peak in the northern hemisphere.
    peak_day: f64,
    /// Amplitude of a smooth spatial pattern, so nearby places differ.
    spatial: f64,
    noise: f64,
    min: f64,
    max: f64,
    /// Zero on a share of days, like precipitation.
    intermittent: bool,
    /// Round to whole numbers (class codes, counts).
    integral: bool,
}

const fn model(base: f64, per_lat: f64, seasonal: f64, spatial: f64, noise: f64) -> Model {
    Model {
        base,
        per_lat,
        seasonal,
        peak_day: 200.0,
        spatial,
        noise,
        min: f64::MIN,
        max: f64::MAX,
        intermittent: false,
        integral: false,
    }
}

const fn bounded(m: Model, min: f64, max: f64) -> Model {
    Model { min, max, ..m }
}

const fn rain(m: Model) -> Model {
    Model {
        intermittent: true,
        ..m
    }
}

const fn classes(m: Model) -> Model {
    Model {
        integral: true,
        ..m
    }
}

const fn peak(m: Model, peak_day: f64) -> Model {
    Model { peak_day, ..m }
}

/// One catalog entry.
pub(super) struct Layer {
    pub id: &'static str,
    pub name: &'static str,
    pub dataset_id: &'static str,
    pub dataset: &'static str,
    pub vector: bool,
    pub level: u8,
    pub datatype: &'static str,
    pub units: &'static str,
    pub description: &'static str,
    pub temporal_min: &'static str,
    pub temporal_max: &'static str,
    /// Creation time, epoch milliseconds (sent as a string, as the real catalog does).
    pub created_at: i64,
    pub model: Model,
}

impl Layer {
    fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "dataset_id": self.dataset_id,
            "dataset": self.dataset,
            "type": if self.vector { "Vector" } else { "Raster" },
            "level": self.level,
            "datatype": self.datatype,
            "units": self.units,
            "description_short": self.description,
            "temporal_min": self.temporal_min,
            "temporal_max": self.temporal_max,
            "min_value": self.model.min,
            "max_value": self.model.max,
            "created_at": self.created_at.to_string(),
        })
    }
}

const ERA5: (&str, &str) = ("178", "Global weather (ERA5)");
const PRISM: (&str, &str) = ("92", "Daily U.S. weather (PRISM)");
const S2: (&str, &str) = ("209", "Sentinel 2 (ESA)");
const LANDSAT: (&str, &str) = ("211", "Landsat 8 Collection 2 (USGS)");
const MODIS: (&str, &str) = ("54", "MODIS Terra vegetation indices (NASA)");
const MODIS_LST: (&str, &str) = ("55", "MODIS land surface temperature (NASA)");
const ELEV: (&str, &str) = ("31", "USA elevation (USGS 3DEP)");
const ECMWF: (&str, &str) = ("174", "ECMWF forecast (US)");
const GFS: (&str, &str) = ("177", "Weather Forecast");
const SOIL: (&str, &str) = ("190", "Global soil properties (SoilGrids)");
const SMAP: (&str, &str) = ("196", "Soil moisture (NASA SMAP)");
const CDL: (&str, &str) = ("111", "Cropland data layer (USDA)");
const COVER: (&str, &str) = ("205", "Global land cover (ESA WorldCover)");
const POP: (&str, &str) = ("220", "Gridded population (WorldPop)");
const ADMIN: (&str, &str) = ("P515", "US administrative boundaries");

#[allow(clippy::too_many_arguments)]
const fn layer(
    id: &'static str,
    name: &'static str,
    (dataset_id, dataset): (&'static str, &'static str),
    level: u8,
    units: &'static str,
    description: &'static str,
    (temporal_min, temporal_max): (&'static str, &'static str),
    model: Model,
) -> Layer {
    Layer {
        id,
        name,
        dataset_id,
        dataset,
        vector: false,
        level,
        datatype: "fl",
        units,
        description,
        temporal_min,
        temporal_max,
        created_at: 1_546_300_800_000,
        model,
    }
}

const fn vector(l: Layer) -> Layer {
    Layer {
        vector: true,
        datatype: "vector",
        ..l
    }
}

const fn bytes(l: Layer) -> Layer {
    Layer {
        datatype: "bt",
        ..l
    }
}

const fn created(l: Layer, created_at: i64) -> Layer {
    Layer { created_at, ..l }
}

const HISTORIC: (&str, &str) = ("1979-01-01T00:00:00Z", "2025-12-31T00:00:00Z");
const DAILY_US: (&str, &str) = ("1981-01-01T00:00:00Z", "2025-12-31T00:00:00Z");
const SENTINEL: (&str, &str) = ("2015-06-23T00:00:00Z", "2025-12-31T00:00:00Z");
const LANDSAT_T: (&str, &str) = ("2013-04-11T00:00:00Z", "2025-12-31T00:00:00Z");
const MODIS_T: (&str, &str) = ("2000-02-18T00:00:00Z", "2025-12-31T00:00:00Z");
const STATIC: (&str, &str) = ("2014-01-01T00:00:00Z", "2014-01-01T00:00:00Z");
const FORECAST: (&str, &str) = ("2016-01-01T00:00:00Z", "2026-01-15T00:00:00Z");
const YEARLY: (&str, &str) = ("2008-01-01T00:00:00Z", "2024-01-01T00:00:00Z");

/// The catalog. Ids 49423, 91, 49464, 140 and 48869 are the ones IBM's tutorials use.
static LAYERS: [Layer; 37] = [
    layer(
        "49423",
        "2m temperature",
        ERA5,
        11,
        "K",
        "Air temperature 2 m above ground, hourly reanalysis",
        HISTORIC,
        bounded(model(300.0, -0.45, 12.0, 2.0, 0.8), 180.0, 340.0),
    ),
    layer(
        "49424",
        "Total precipitation",
        ERA5,
        11,
        "mm",
        "Accumulated liquid and frozen precipitation",
        HISTORIC,
        bounded(rain(model(2.5, -0.02, 1.5, 1.0, 3.0)), 0.0, 500.0),
    ),
    layer(
        "49425",
        "10m wind speed",
        ERA5,
        11,
        "m s-1",
        "Wind speed 10 m above ground",
        HISTORIC,
        bounded(peak(model(4.0, 0.05, 1.2, 1.5, 1.0), 20.0), 0.0, 60.0),
    ),
    layer(
        "49426",
        "Surface pressure",
        ERA5,
        11,
        "Pa",
        "Pressure of the atmosphere at the surface",
        HISTORIC,
        bounded(
            model(101_325.0, -10.0, 300.0, 900.0, 150.0),
            50_000.0,
            110_000.0,
        ),
    ),
    layer(
        "49427",
        "Relative humidity",
        ERA5,
        11,
        "%",
        "Relative humidity 2 m above ground",
        HISTORIC,
        bounded(model(70.0, 0.1, -8.0, 10.0, 6.0), 0.0, 100.0),
    ),
    layer(
        "49428",
        "Surface solar radiation downwards",
        ERA5,
        11,
        "J m-2",
        "Daily accumulated downward shortwave radiation",
        HISTORIC,
        bounded(
            peak(model(2.0e7, -1.5e5, 9.0e6, 1.0e6, 1.0e6), 172.0),
            0.0,
            3.5e7,
        ),
    ),
    layer(
        "91",
        "Daily precipitation",
        PRISM,
        14,
        "mm",
        "Total daily precipitation (rain and melted snow)",
        DAILY_US,
        bounded(rain(model(3.0, -0.02, 1.0, 1.5, 4.0)), 0.0, 400.0),
    ),
    layer(
        "92",
        "Daily maximum temperature",
        PRISM,
        14,
        "C",
        "Daily maximum air temperature",
        DAILY_US,
        bounded(model(36.0, -0.55, 13.0, 2.5, 1.5), -50.0, 60.0),
    ),
    layer(
        "93",
        "Daily minimum temperature",
        PRISM,
        14,
        "C",
        "Daily minimum air temperature",
        DAILY_US,
        bounded(model(22.0, -0.55, 12.0, 2.5, 1.5), -60.0, 45.0),
    ),
    layer(
        "94",
        "Daily mean dew point",
        PRISM,
        14,
        "C",
        "Daily mean dew point temperature",
        DAILY_US,
        bounded(model(20.0, -0.45, 9.0, 3.0, 1.5), -50.0, 35.0),
    ),
    layer(
        "49464",
        "Normalized difference vegetation index",
        S2,
        23,
        "",
        "NDVI from Sentinel-2 L2A bands B8 and B4",
        SENTINEL,
        bounded(peak(model(0.55, -0.004, 0.25, 0.1, 0.04), 190.0), -1.0, 1.0),
    ),
    layer(
        "49680",
        "Band 4 (red)",
        S2,
        23,
        "",
        "Surface reflectance, 665 nm",
        SENTINEL,
        bounded(model(0.08, 0.0005, -0.03, 0.02, 0.01), 0.0, 1.0),
    ),
    layer(
        "49681",
        "Band 8 (near infrared)",
        S2,
        23,
        "",
        "Surface reflectance, 842 nm",
        SENTINEL,
        bounded(model(0.3, -0.001, 0.08, 0.05, 0.02), 0.0, 1.0),
    ),
    created(
        bytes(layer(
            "49682",
            "Scene classification",
            S2,
            23,
            "",
            "L2A scene classification map (cloud, shadow, vegetation, water…)",
            SENTINEL,
            bounded(classes(model(5.0, 0.0, 1.0, 3.0, 2.0)), 0.0, 11.0),
        )),
        1_577_836_800_000,
    ),
    layer(
        "51350",
        "Normalized difference vegetation index",
        LANDSAT,
        22,
        "",
        "NDVI from Landsat 8 OLI bands 5 and 4",
        LANDSAT_T,
        bounded(peak(model(0.5, -0.004, 0.25, 0.1, 0.05), 190.0), -1.0, 1.0),
    ),
    layer(
        "51351",
        "Land surface temperature",
        LANDSAT,
        22,
        "K",
        "Surface temperature from TIRS band 10",
        LANDSAT_T,
        bounded(model(305.0, -0.5, 14.0, 3.0, 2.0), 200.0, 350.0),
    ),
    layer(
        "51352",
        "Cloud mask",
        LANDSAT,
        22,
        "",
        "Pixel quality cloud mask (1 = cloud)",
        LANDSAT_T,
        bounded(classes(model(0.3, 0.0, 0.2, 0.3, 0.6)), 0.0, 1.0),
    ),
    layer(
        "51",
        "NDVI (16-day)",
        MODIS,
        18,
        "",
        "MOD13Q1 16-day composite NDVI",
        MODIS_T,
        bounded(peak(model(0.5, -0.004, 0.25, 0.1, 0.03), 190.0), -0.2, 1.0),
    ),
    layer(
        "52",
        "EVI (16-day)",
        MODIS,
        18,
        "",
        "MOD13Q1 16-day composite enhanced vegetation index",
        MODIS_T,
        bounded(peak(model(0.35, -0.003, 0.2, 0.08, 0.03), 190.0), -0.2, 1.0),
    ),
    layer(
        "49685",
        "Daytime land surface temperature",
        MODIS_LST,
        16,
        "K",
        "MOD11A1 daily daytime LST",
        MODIS_T,
        bounded(model(310.0, -0.55, 15.0, 3.0, 2.0), 200.0, 350.0),
    ),
    layer(
        "140",
        "Elevation",
        ELEV,
        23,
        "m",
        "Digital elevation model, 1/3 arc-second",
        STATIC,
        bounded(model(420.0, 0.0, 0.0, 380.0, 15.0), -90.0, 4500.0),
    ),
    layer(
        "141",
        "Slope",
        ELEV,
        23,
        "degrees",
        "Terrain slope derived from the DEM",
        STATIC,
        bounded(model(6.0, 0.0, 0.0, 5.0, 2.0), 0.0, 90.0),
    ),
    layer(
        "142",
        "Aspect",
        ELEV,
        23,
        "degrees",
        "Terrain aspect derived from the DEM, clockwise from north",
        STATIC,
        bounded(model(180.0, 0.0, 0.0, 150.0, 40.0), 0.0, 360.0),
    ),
    created(
        layer(
            "48869",
            "Maximum temperature",
            ECMWF,
            12,
            "K",
            "Forecast daily maximum 2 m temperature",
            FORECAST,
            bounded(model(303.0, -0.5, 12.0, 2.0, 1.0), 190.0, 340.0),
        ),
        1_483_228_800_000,
    ),
    created(
        layer(
            "48870",
            "Minimum temperature",
            ECMWF,
            12,
            "K",
            "Forecast daily minimum 2 m temperature",
            FORECAST,
            bounded(model(290.0, -0.5, 11.0, 2.0, 1.0), 180.0, 320.0),
        ),
        1_483_228_800_000,
    ),
    created(
        layer(
            "48871",
            "Total precipitation",
            ECMWF,
            12,
            "mm",
            "Forecast daily accumulated precipitation",
            FORECAST,
            bounded(rain(model(2.5, -0.02, 1.0, 1.0, 3.0)), 0.0, 400.0),
        ),
        1_483_228_800_000,
    ),
    created(
        layer(
            "48663",
            "Temperature",
            GFS,
            11,
            "K",
            "NOAA GFS forecast 2 m temperature",
            FORECAST,
            bounded(model(299.0, -0.45, 12.0, 2.0, 1.0), 180.0, 340.0),
        ),
        1_483_228_800_000,
    ),
    created(
        layer(
            "48664",
            "Relative humidity",
            GFS,
            11,
            "%",
            "NOAA GFS forecast 2 m relative humidity",
            FORECAST,
            bounded(model(68.0, 0.1, -8.0, 10.0, 6.0), 0.0, 100.0),
        ),
        1_483_228_800_000,
    ),
    created(
        layer(
            "48665",
            "Wind speed",
            GFS,
            11,
            "m s-1",
            "NOAA GFS forecast 10 m wind speed",
            FORECAST,
            bounded(peak(model(4.5, 0.05, 1.2, 1.5, 1.2), 20.0), 0.0, 60.0),
        ),
        1_483_228_800_000,
    ),
    layer(
        "49250",
        "Soil organic carbon",
        SOIL,
        17,
        "g kg-1",
        "Organic carbon content, 0–5 cm",
        STATIC,
        bounded(model(15.0, 0.3, 0.0, 8.0, 2.0), 0.0, 500.0),
    ),
    layer(
        "49251",
        "Soil pH (water)",
        SOIL,
        17,
        "pH",
        "Soil pH in H2O, 0–5 cm",
        STATIC,
        bounded(model(7.2, -0.02, 0.0, 0.6, 0.15), 3.0, 10.0),
    ),
    layer(
        "49252",
        "Clay content",
        SOIL,
        17,
        "%",
        "Clay fraction of the fine earth, 0–5 cm",
        STATIC,
        bounded(model(24.0, 0.0, 0.0, 10.0, 3.0), 0.0, 100.0),
    ),
    layer(
        "49300",
        "Surface soil moisture",
        SMAP,
        13,
        "m3 m-3",
        "SMAP L3 volumetric soil moisture, top 5 cm",
        ("2015-03-31T00:00:00Z", "2025-12-31T00:00:00Z"),
        bounded(peak(model(0.28, 0.001, 0.06, 0.08, 0.03), 80.0), 0.0, 0.6),
    ),
    bytes(layer(
        "111",
        "Crop type",
        CDL,
        20,
        "class",
        "USDA NASS cropland data layer class code",
        YEARLY,
        bounded(classes(model(60.0, 0.0, 0.0, 55.0, 20.0)), 0.0, 255.0),
    )),
    created(
        bytes(layer(
            "50300",
            "Land cover class",
            COVER,
            22,
            "class",
            "ESA WorldCover 10 m land cover class code",
            ("2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z"),
            bounded(classes(model(40.0, 0.0, 0.0, 35.0, 15.0)), 10.0, 100.0),
        )),
        1_640_995_200_000,
    ),
    layer(
        "49900",
        "Population count",
        POP,
        18,
        "persons",
        "Estimated residents per 100 m pixel",
        ("2000-01-01T00:00:00Z", "2020-01-01T00:00:00Z"),
        bounded(model(40.0, -0.3, 0.0, 60.0, 20.0), 0.0, 5000.0),
    ),
    vector(layer(
        "P515C5656",
        "County boundaries",
        ADMIN,
        0,
        "",
        "US county polygons with FIPS codes",
        STATIC,
        bounded(model(100.0, 0.0, 0.0, 0.0, 0.0), 0.0, 0.0),
    )),
];

/// All catalog layers, in catalog order.
pub(super) fn layers() -> impl Iterator<Item = &'static Layer> {
    LAYERS.iter()
}

/// Looks a layer up by id.
pub(super) fn find(id: &str) -> Option<&'static Layer> {
    layers().find(|l| l.id == id)
}

/// What the rest of the mock needs to know about a requested layer, known or not.
#[derive(Clone, Debug)]
pub(super) struct Described {
    pub name: String,
    pub dataset: String,
    pub unit: String,
    pub level: u8,
    pub model: Model,
}

/// Describes any layer id: catalog data when known, a plausible generic layer otherwise
/// (the real service has thousands of layers the mock does not list).
pub(super) fn describe(id: &str) -> Described {
    match find(id) {
        Some(l) => Described {
            name: l.name.to_owned(),
            dataset: l.dataset.to_owned(),
            unit: l.units.to_owned(),
            level: l.level,
            model: l.model,
        },
        None => Described {
            name: format!("Layer {id}"),
            dataset: "PAIRS data layer".to_owned(),
            unit: String::new(),
            level: 20,
            model: bounded(model(100.0, -0.2, 10.0, 15.0, 3.0), 0.0, 1000.0),
        },
    }
}

/// A 64-bit mix (splitmix64 finaliser): cheap, deterministic pseudo-noise.
pub(super) fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A stable hash of a layer id, so each layer gets its own noise and spatial pattern.
pub(super) fn id_hash(id: &str) -> u64 {
    id.bytes().fold(0xCBF2_9CE4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3)
    })
}

impl Model {
    /// The layer's value at a place and time.
    pub(super) fn value(&self, layer_hash: u64, lat: f64, lon: f64, t: DateTime<Utc>) -> f64 {
        let day = f64::from(t.ordinal0());
        let hemisphere = if lat < 0.0 { -1.0 } else { 1.0 };
        let season = (TAU * (day - self.peak_day) / 365.25).cos() * hemisphere;
        let phase = (layer_hash % 628) as f64 / 100.0;
        let pattern =
            (lat.to_radians() * 7.0 + phase).sin() * (lon.to_radians() * 5.0 - phase).cos();
        // Noise depends on the place at ~10 m resolution and on the day.
        let key = (layer_hash
            ^ ((lat * 1e4).round() as i64 as u64).wrapping_mul(0x9E37_79B9)
            ^ ((lon * 1e4).round() as i64 as u64).wrapping_mul(0x85EB_CA6B))
        .wrapping_add(t.timestamp().div_euclid(86_400) as u64);
        let unit = (mix(key) >> 11) as f64 / (1u64 << 53) as f64;
        if self.intermittent && unit < 0.55 {
            return 0f64.max(self.min);
        }
        let raw = self.base
            + self.per_lat * lat.abs()
            + self.seasonal * season
            + self.spatial * pattern
            + self.noise * (unit * 2.0 - 1.0);
        let value = raw.clamp(self.min, self.max);
        if self.integral { value.round() } else { value }
    }
}

/// `GET /v2/datalayers/full`
pub(super) async fn full() -> Json<Vec<Value>> {
    Json(layers().map(Layer::to_json).collect())
}

/// `GET /v2/datalayers/{id}`
pub(super) async fn one(Path(id): Path<String>) -> Response {
    match find(&id) {
        Some(layer) => Json(layer.to_json()).into_response(),
        None => message(
            StatusCode::NOT_FOUND,
            format!("Error: data layer {id} not found."),
        ),
    }
}
