//! Wire types of the PAIRS auth server and API, parsed leniently: real servers drift in types.

use serde::{Deserialize, Deserializer};

use crate::secret::Secret;

/// The auth server's answer to `GetBearerForClient` and to a refresh.
#[derive(Debug, Clone, Deserialize)]
pub struct TokenResponse {
    /// The JWT to send as `Authorization: Bearer …`.
    pub access_token: Secret,
    /// The refresh token (rotated on every refresh).
    #[serde(default)]
    pub refresh_token: Option<Secret>,
    /// Lifetime in seconds; some servers send it as a string.
    #[serde(default, deserialize_with = "lenient_f64")]
    pub expires_in: Option<f64>,
    /// Usually `Bearer`.
    #[serde(default)]
    pub token_type: Option<String>,
    /// The granted scopes, space-separated.
    #[serde(default)]
    pub scope: Option<String>,
}

/// Reads a number that may arrive as a JSON number or as a numeric string.
pub fn lenient_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_response_accepts_string_expires_in() {
        let r: TokenResponse =
            serde_json::from_str(r#"{"access_token":"a.b.c","expires_in":"3600","refresh_token":"x+y/z="}"#)
                .unwrap();
        assert_eq!(r.expires_in, Some(3600.0));
        assert_eq!(r.refresh_token.unwrap().expose(), "x+y/z=");
    }

    #[test]
    fn token_response_without_optional_fields() {
        let r: TokenResponse = serde_json::from_str(r#"{"access_token":"a.b.c"}"#).unwrap();
        assert_eq!(r.expires_in, None);
        assert!(r.refresh_token.is_none());
    }
}

/// What a job's `statusCode` means. Decisions branch on the code, never on the status text,
/// which differs between servers (`Succeeded`, `Succeeded(20)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobPhase {
    /// 0, 1, 10, 11, 12 (and any other code below 20): still working.
    Running,
    /// 20: results are ready to download.
    Succeeded,
    /// 21, 30, 31, 40–43 and any other code of 20 or more: over, without results.
    Failed,
}

impl JobPhase {
    /// Classifies a status code.
    pub fn of(code: i64) -> Self {
        match code {
            20 => Self::Succeeded,
            0..20 => Self::Running,
            _ => Self::Failed,
        }
    }
}

/// Whether `id` can be a job id: it goes into URLs and file names, so only letters, digits,
/// `_` and `-` are accepted (real ids look like `1544202000_23976938`).
pub fn is_safe_job_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The documented name of a job status code.
pub fn job_status_name(code: i64) -> &'static str {
    match code {
        0 => "Queued",
        1 => "Initializing",
        10 => "Running",
        11 => "Writing",
        12 => "Packaging",
        20 => "Succeeded",
        21 => "NoDataFound",
        30 => "Killed",
        31 => "Deleted",
        40 => "Failed",
        41 => "FailedConversion",
        42 => "FailedProcessor",
        43 => "MaxAllowedQuerySizeExceeded",
        _ => "Unknown",
    }
}

/// A query job's status: `GET {api}/queryjobs/{id}`, and the rows of the job list.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct JobStatus {
    /// `<10 digits>_<8 digits>`.
    #[serde(deserialize_with = "string_or_number")]
    pub id: String,
    /// The server's status text (display only).
    #[serde(default)]
    pub status: Option<String>,
    /// The status code that decisions are made on.
    #[serde(rename = "statusCode", default, deserialize_with = "lenient_i64")]
    pub status_code: Option<i64>,
    /// Progress in percent.
    #[serde(rename = "exPercent", default, deserialize_with = "lenient_f64")]
    pub percent: Option<f64>,
    /// Start time, epoch milliseconds.
    #[serde(default, deserialize_with = "lenient_i64")]
    pub start: Option<i64>,
    /// The query's name.
    #[serde(default)]
    pub nickname: Option<String>,
    /// Failure detail.
    #[serde(default)]
    pub message: Option<String>,
}

impl JobStatus {
    /// The phase, from the status code (a missing code counts as still running).
    pub fn phase(&self) -> JobPhase {
        self.status_code.map_or(JobPhase::Running, JobPhase::of)
    }

    /// `Running (10)`: the server's text if it sent one, else the documented name, and the code.
    pub fn label(&self) -> String {
        let code = self.status_code.unwrap_or(-1);
        let name = self.status.as_deref().filter(|s| !s.trim().is_empty()).unwrap_or(job_status_name(code));
        // Some servers already append the code, e.g. "Succeeded(20)".
        if name.contains(&format!("({code})")) { name.to_owned() } else { format!("{name} ({code})") }
    }
}

/// `GET {api}/queryjobs/list`.
#[derive(Debug, Clone, Deserialize)]
pub struct JobList {
    /// The jobs, newest first.
    #[serde(rename = "queryJobList", default)]
    pub jobs: Vec<JobStatus>,
}

/// A data layer of the catalog: `GET {api}/datalayers/full` and `/datalayers/{id}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Layer {
    /// The id to put in a query.
    #[serde(deserialize_with = "string_or_number")]
    pub id: String,
    /// The layer's name.
    #[serde(default)]
    pub name: String,
    /// The data set's name, when the server includes it.
    #[serde(default, alias = "datasetName")]
    pub dataset: Option<String>,
    /// The data set's id.
    #[serde(default, alias = "datasetId", deserialize_with = "lenient_string")]
    pub dataset_id: Option<String>,
    /// Units of the values.
    #[serde(default, alias = "unit")]
    pub units: Option<String>,
    /// Resolution level.
    #[serde(default, deserialize_with = "lenient_string")]
    pub level: Option<String>,
    /// Raster or vector.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// Earliest data.
    #[serde(default, alias = "temporalMin", deserialize_with = "lenient_string")]
    pub temporal_min: Option<String>,
    /// Latest data.
    #[serde(default, alias = "temporalMax", deserialize_with = "lenient_string")]
    pub temporal_max: Option<String>,
    /// A one-line description.
    #[serde(default, alias = "descriptionShort")]
    pub description_short: Option<String>,
}

fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    lenient_string(d)?.ok_or_else(|| serde::de::Error::custom("expected a string or a number"))
}

fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(lenient_f64(d)?.filter(|f| f.is_finite()).map(|f| f as i64))
}

#[cfg(test)]
mod job_tests {
    use super::*;

    #[test]
    fn phases_follow_the_code_not_the_text() {
        for code in [0, 1, 10, 11, 12, 5] {
            assert_eq!(JobPhase::of(code), JobPhase::Running, "{code}");
        }
        assert_eq!(JobPhase::of(20), JobPhase::Succeeded);
        for code in [21, 30, 31, 40, 41, 42, 43, 99, -5] {
            assert_eq!(JobPhase::of(code), JobPhase::Failed, "{code}");
        }
        let s: JobStatus =
            serde_json::from_str(r#"{"id":"1","status":"Succeeded","statusCode":40}"#).unwrap();
        assert_eq!(s.phase(), JobPhase::Failed);
    }

    #[test]
    fn status_parses_drifting_types_and_labels_once() {
        let s: JobStatus = serde_json::from_str(
            r#"{"id":1544202000,"status":"Succeeded(20)","statusCode":"20","exPercent":"100.0","start":1544227561184}"#,
        )
        .unwrap();
        assert_eq!(s.id, "1544202000");
        assert_eq!(s.status_code, Some(20));
        assert_eq!(s.percent, Some(100.0));
        assert_eq!(s.label(), "Succeeded(20)");
        let bare: JobStatus = serde_json::from_str(r#"{"id":"x","statusCode":43}"#).unwrap();
        assert_eq!(bare.label(), "MaxAllowedQuerySizeExceeded (43)");
    }

    #[test]
    fn only_plain_job_ids_are_safe() {
        assert!(is_safe_job_id("1544202000_23976938"));
        for bad in ["", "../../x", "./../a", "/tmp/abs", "a/b", "a\\b", "..", "a b", "é"] {
            assert!(!is_safe_job_id(bad), "{bad}");
        }
        assert!(!is_safe_job_id(&"1".repeat(65)));
    }

    #[test]
    fn layer_accepts_numeric_ids_and_unit_aliases() {
        let l: Layer = serde_json::from_str(r#"{"id":49423,"name":"T","unit":"K","level":23}"#).unwrap();
        assert_eq!((l.id.as_str(), l.units.as_deref(), l.level.as_deref()), ("49423", Some("K"), Some("23")));
    }
}
