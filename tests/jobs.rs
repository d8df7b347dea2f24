//! Jobs against the embedded mock: follow, poll, survive expiry and passing errors, download,
//! and the job list and catalog lookups.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{client_for, mock, wait_for};
use pairs_tui::api::download::FileKind;
use pairs_tui::api::types::JobStatus;
use pairs_tui::cli::DEMO_KEY;
use pairs_tui::mock::{MockConfig, MockServer};
use pairs_tui::secret::Secret;
use pairs_tui::worker::{self, Command, WorkerEvent, WorkerHandle};

const SQUARE: &str = r#"{
  "name": "ndvi-box",
  "layers": [{"type": "raster", "id": "49464", "alias": "ndvi"}, {"type": "raster", "id": "140"}],
  "spatial": {"type": "square", "coordinates": [41.20, -73.85, 41.25, -73.75]},
  "temporal": {"intervals": [{"snapshot": "2024-07-01T00:00:00Z"}]}
}"#;

struct Rig {
    server: MockServer,
    worker: WorkerHandle,
    dir: tempfile::TempDir,
}

fn quick() -> MockConfig {
    MockConfig { job_phase: Duration::from_millis(80), ..MockConfig::default() }
}

async fn rig_with(config: MockConfig, api_url: Option<String>, idle: Duration) -> Rig {
    let server = mock(config).await;
    let api = api_url.unwrap_or_else(|| server.api_url());
    let client = client_for(&server.auth_url(), &api, Duration::from_secs(10));
    let dir = tempfile::tempdir().unwrap();
    let mut options = worker::Options::new(dir.path().join("results"));
    options.poll_interval = Duration::from_millis(50);
    options.idle_timeout = idle;
    let mut worker = worker::spawn(client, options);
    worker.commands.send(Command::Authenticate(Secret::new(DEMO_KEY))).unwrap();
    wait_for(&mut worker, |e| matches!(e, WorkerEvent::TokenIssued { .. }).then_some(())).await;
    Rig { server, worker, dir }
}

async fn rig() -> Rig {
    rig_with(quick(), None, Duration::from_secs(5)).await
}

/// Sends a query and returns the job id it became.
async fn submit(w: &mut WorkerHandle, body: &str) -> String {
    w.commands.send(Command::SendQuery { id: 1, body: body.into() }).unwrap();
    let (body, _) = wait_for(w, |e| match e {
        WorkerEvent::QueryFinished { reply, .. } => Some(String::from_utf8_lossy(&reply.body).into_owned()),
        WorkerEvent::QueryFailed { error, .. } => panic!("{error}"),
        _ => None,
    })
    .await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v["id"].as_str().unwrap_or_else(|| panic!("no job id in {body}")).to_owned()
}

fn statuses(events: &[WorkerEvent]) -> Vec<i64> {
    events
        .iter()
        .filter_map(|e| match e {
            WorkerEvent::JobProgress(JobStatus { status_code, .. }) => *status_code,
            _ => None,
        })
        .collect()
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_square_query_becomes_a_job_whose_zip_is_saved_and_listed() {
    // Phases long enough that the first poll sees "Queued" even on a loaded machine.
    let config = MockConfig { job_phase: Duration::from_millis(300), ..MockConfig::default() };
    let mut r = rig_with(config, None, Duration::from_secs(5)).await;
    let id = submit(&mut r.worker, SQUARE).await;
    r.worker.commands.send(Command::FollowJob(id.clone())).unwrap();
    let ((saved, body), events) = wait_for(&mut r.worker, |e| match e {
        WorkerEvent::JobSaved { saved, body, .. } => Some((saved.clone(), body.clone())),
        WorkerEvent::JobEnded { error, .. } => panic!("{error}"),
        _ => None,
    })
    .await;
    let codes = statuses(&events);
    assert_eq!(codes.first(), Some(&0), "{codes:?}");
    assert!(codes.contains(&10) && codes.last() == Some(&20), "{codes:?}");
    assert_eq!(saved.kind, FileKind::Zip);
    assert_eq!(saved.path, r.dir.path().join("results").join(format!("{id}.zip")));
    assert_eq!(std::fs::metadata(&saved.path).unwrap().len(), saved.bytes);
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&saved.path).unwrap()).unwrap();
    let names: Vec<String> =
        (0..zip.len()).map(|i| zip.by_index(i).unwrap().name().unwrap().into_owned()).collect();
    for wanted in ["output.info", "data_acknowledgement.txt"] {
        assert!(names.iter().any(|n| n == wanted), "{names:?}");
    }
    assert!(names.iter().any(|n| n.ends_with(".tiff")), "{names:?}");
    assert!(names.iter().any(|n| n.ends_with(".tiff.json")), "{names:?}");
    let summary: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(summary["files"].as_object().unwrap().len(), names.len());
    assert!(summary["output.info"]["files"].is_array(), "{summary}");
    assert!(summary["sidecars"].as_object().is_some_and(|s| !s.is_empty()), "{summary}");
    assert_eq!(leftovers(&r.dir.path().join("results")), [format!("{id}.zip")]);
}

#[tokio::test]
async fn a_failing_job_ends_with_its_code_and_message() {
    let mut r = rig().await;
    let id = submit(&mut r.worker, &SQUARE.replace("ndvi-box", "will-fail")).await;
    r.worker.commands.send(Command::FollowJob(id)).unwrap();
    let ((status, error), _) = wait_for(&mut r.worker, |e| match e {
        WorkerEvent::JobEnded { status, error, .. } => Some((status.clone(), error.clone())),
        WorkerEvent::JobSaved { .. } => panic!("a failing job saved results"),
        _ => None,
    })
    .await;
    let status = status.expect("the final status");
    assert_eq!(status.status_code, Some(40));
    assert!(!error.is_empty() && error != "no message", "{error}");
    assert_eq!(r.server.control().stats().download_calls, 0);
}

#[tokio::test]
async fn a_token_expiring_mid_poll_is_refreshed_and_the_job_goes_on() {
    let mut r = rig_with(
        MockConfig { job_phase: Duration::from_millis(200), ..MockConfig::default() },
        None,
        Duration::from_secs(5),
    )
    .await;
    let id = submit(&mut r.worker, SQUARE).await;
    r.worker.commands.send(Command::FollowJob(id)).unwrap();
    wait_for(&mut r.worker, |e| matches!(e, WorkerEvent::JobProgress(_)).then_some(())).await;
    r.server.control().expire_access_tokens();
    let (_, events) = wait_for(&mut r.worker, |e| match e {
        WorkerEvent::JobSaved { .. } => Some(()),
        WorkerEvent::JobEnded { error, .. } => panic!("{error}"),
        _ => None,
    })
    .await;
    assert_eq!(r.server.control().stats().refresh_calls, 1);
    assert!(!events.iter().any(|e| matches!(e, WorkerEvent::JobPollFailed { .. })), "{events:#?}");
}

#[tokio::test]
async fn a_poll_that_meets_a_500_retries_and_recovers() {
    let mut r = rig().await;
    let id = submit(&mut r.worker, SQUARE).await;
    r.server.control().fail_next("/v2/queryjobs/", 500, r#"{"message":"try later"}"#);
    r.worker.commands.send(Command::FollowJob(id)).unwrap();
    let (_, events) = wait_for(&mut r.worker, |e| match e {
        WorkerEvent::JobSaved { .. } => Some(()),
        WorkerEvent::JobEnded { error, .. } => panic!("{error}"),
        _ => None,
    })
    .await;
    let failed: Vec<&String> = events
        .iter()
        .filter_map(|e| if let WorkerEvent::JobPollFailed { reason, .. } = e { Some(reason) } else { None })
        .collect();
    assert_eq!(failed.len(), 1, "{events:#?}");
    assert!(failed[0].contains("HTTP 500") && failed[0].contains("try later"), "{failed:?}");
    assert_eq!(r.server.control().stats().query_calls, 1, "the query itself is never re-sent");
}

#[tokio::test]
async fn a_stalled_download_ends_clearly_and_leaves_no_file() {
    let mut r = rig_with(quick(), None, Duration::from_millis(400)).await;
    r.server.control().stall_downloads(true);
    let id = submit(&mut r.worker, SQUARE).await;
    r.worker.commands.send(Command::FollowJob(id)).unwrap();
    let (error, _) = wait_for(&mut r.worker, |e| match e {
        WorkerEvent::JobEnded { error, .. } => Some(error.clone()),
        WorkerEvent::JobSaved { .. } => panic!("a stalled download was saved"),
        _ => None,
    })
    .await;
    assert!(error.contains("stalled"), "{error}");
    assert!(leftovers(&r.dir.path().join("results")).is_empty());
}

/// An API that says every job succeeded and then cuts its download short.
async fn cutting_server() -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v2", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = vec![0u8; 4096];
                let n = socket.read(&mut request).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&request[..n]);
                let answer = if head.contains("/download") {
                    let mut a = b"HTTP/1.1 200 OK\r\nContent-Type: application/zip\r\nContent-Length: 100000\r\n\r\nPK\x03\x04".to_vec();
                    a.extend(vec![7u8; 996]);
                    a
                } else {
                    let body = r#"{"id":"1234567890_12345678","status":"Succeeded","statusCode":20,"exPercent":100}"#;
                    format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len())
                        .into_bytes()
                };
                let _ = socket.write_all(&answer).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    url
}

#[tokio::test]
async fn a_download_cut_short_is_reported_as_cut_short() {
    let api = cutting_server().await;
    let mut r = rig_with(quick(), Some(api), Duration::from_secs(5)).await;
    r.worker.commands.send(Command::FollowJob("1234567890_12345678".into())).unwrap();
    let (error, _) = wait_for(&mut r.worker, |e| match e {
        WorkerEvent::JobEnded { error, .. } => Some(error.clone()),
        WorkerEvent::JobSaved { .. } => panic!("a truncated download was saved"),
        _ => None,
    })
    .await;
    assert!(error.contains("cut short") && error.contains("of 100000 bytes"), "{error}");
    assert!(leftovers(&r.dir.path().join("results")).is_empty());
}

#[tokio::test]
async fn an_unknown_job_says_so() {
    let mut r = rig().await;
    r.worker.commands.send(Command::FollowJob("1000000000_99999999".into())).unwrap();
    let (error, _) = wait_for(&mut r.worker, |e| match e {
        WorkerEvent::JobEnded { error, .. } => Some(error.clone()),
        _ => None,
    })
    .await;
    assert!(error.contains("404"), "{error}");
}

#[tokio::test]
async fn a_batch_point_job_downloads_json() {
    let mut r = rig().await;
    let batch = r#"{"layers":[{"type":"raster","id":"49423"}],"spatial":{"type":"point","coordinates":[42.36,-71.05]},
        "temporal":{"intervals":[{"start":"2024-06-01T00:00:00Z","end":"2024-06-03T00:00:00Z"}]},"batch":true}"#;
    let id = submit(&mut r.worker, batch).await;
    r.worker.commands.send(Command::FollowJob(id)).unwrap();
    let ((kind, body), _) = wait_for(&mut r.worker, |e| match e {
        WorkerEvent::JobSaved { saved, body, .. } => Some((saved.kind, body.clone())),
        WorkerEvent::JobEnded { error, .. } => panic!("{error}"),
        _ => None,
    })
    .await;
    assert_eq!(kind, FileKind::Json);
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert!(v["data"].as_array().is_some_and(|rows| !rows.is_empty()), "{v}");
}

#[tokio::test]
async fn the_job_list_shows_past_jobs_that_reopen() {
    let mut r = rig().await;
    r.worker.commands.send(Command::ListJobs).unwrap();
    let (jobs, _) = wait_for(&mut r.worker, |e| match e {
        WorkerEvent::Jobs(jobs) => Some(jobs.clone()),
        _ => None,
    })
    .await;
    let jobs = jobs.expect("a list");
    let done = jobs.iter().find(|j| j.status_code == Some(20)).expect("a succeeded job");
    assert!(jobs.iter().any(|j| j.status_code.is_some_and(|c| c > 20)), "{jobs:?}");
    r.worker.commands.send(Command::FollowJob(done.id.clone())).unwrap();
    wait_for(&mut r.worker, |e| match e {
        WorkerEvent::JobSaved { .. } => Some(()),
        WorkerEvent::JobEnded { error, .. } => panic!("{error}"),
        _ => None,
    })
    .await;
}

#[tokio::test]
async fn the_catalog_and_a_layer_are_fetched() {
    let mut r = rig().await;
    r.worker.commands.send(Command::FetchCatalog).unwrap();
    let (layers, _) = wait_for(&mut r.worker, |e| match e {
        WorkerEvent::Catalog(layers) => Some(layers.clone()),
        _ => None,
    })
    .await;
    let layers = layers.expect("the catalog");
    assert!(layers.len() >= 30, "{}", layers.len());
    assert!(layers.iter().any(|l| l.id == "49423"));
    r.worker.commands.send(Command::FetchLayer("49423".into())).unwrap();
    let (layer, _) = wait_for(&mut r.worker, |e| match e {
        WorkerEvent::LayerDetails(layer) => Some(layer.clone()),
        _ => None,
    })
    .await;
    let layer = layer.expect("the layer");
    assert!(layer.units.is_some() && layer.temporal_min.is_some(), "{layer:?}");
    r.worker.commands.send(Command::FetchLayer("nope".into())).unwrap();
    let (missing, _) = wait_for(&mut r.worker, |e| match e {
        WorkerEvent::LayerDetails(layer) => Some(layer.clone()),
        _ => None,
    })
    .await;
    assert!(missing.unwrap_err().contains("404"));
}

#[tokio::test]
async fn stopping_a_job_reports_it() {
    let mut r = rig_with(
        MockConfig { job_phase: Duration::from_secs(5), ..MockConfig::default() },
        None,
        Duration::from_secs(5),
    )
    .await;
    let id = submit(&mut r.worker, SQUARE).await;
    r.worker.commands.send(Command::FollowJob(id.clone())).unwrap();
    wait_for(&mut r.worker, |e| matches!(e, WorkerEvent::JobProgress(_)).then_some(())).await;
    r.worker.commands.send(Command::StopJob).unwrap();
    let (stopped, _) = wait_for(&mut r.worker, |e| match e {
        WorkerEvent::JobStopped { id } => Some(id.clone()),
        _ => None,
    })
    .await;
    assert_eq!(stopped, id);
}
