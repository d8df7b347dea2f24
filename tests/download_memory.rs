//! A download of several MB is streamed to disk: it arrives in pieces, and the memory the
//! process holds does not grow with its size. Its own test binary, so that the counting
//! allocator sees no other test.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use pairs_tui::api::ApiClient;
use pairs_tui::config::{Endpoints, Timeouts};
use pairs_tui::mock::{MockConfig, MockServer};
use pairs_tui::secret::Secret;
use pairs_tui::worker::{self, Command, WorkerEvent};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const SIZE: usize = 8 * 1024 * 1024;

#[tokio::test]
async fn an_8_mb_download_is_streamed_to_disk_without_growing_memory() {
    let config =
        MockConfig { job_phase: Duration::from_millis(50), download_size: SIZE, ..MockConfig::default() };
    let server = MockServer::start(([127, 0, 0, 1], 0).into(), config).await.unwrap();
    let endpoints = Endpoints::new(&server.auth_url(), &server.api_url(), "ibm-pairs").unwrap();
    let client = ApiClient::new(endpoints, Timeouts::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut options = worker::Options::new(dir.path().join("results"));
    options.poll_interval = Duration::from_millis(50);
    let mut w = worker::spawn(client.clone(), options);
    w.commands.send(Command::Authenticate(Secret::new("demo"))).unwrap();
    let body = r#"{"name":"big","layers":[{"type":"raster","id":"49464"}],
        "spatial":{"type":"square","coordinates":[41.2,-73.85,41.25,-73.75]},
        "temporal":{"intervals":[{"snapshot":"2024-07-01T00:00:00Z"}]}}"#;
    w.commands.send(Command::SendQuery { id: 1, body: body.into() }).unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let mut next =
        async || tokio::time::timeout_at(deadline, w.events.recv()).await.expect("in time").expect("alive");

    let id = loop {
        if let WorkerEvent::QueryFinished { reply, .. } = next().await {
            let v: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
            break v["id"].as_str().unwrap().to_owned();
        }
    };
    // Let the job finish and have the mock build (and cache) its zip in this process, so that
    // what is measured below is only the client's side of the transfer.
    let token = client.authenticate(&Secret::new("demo")).await.unwrap().access_token;
    let warm = dir.path().join("warm-up");
    let mut attempts = 0;
    while let Err(e) = client.download(&token, &id, &warm, Duration::from_secs(5), |_, _| {}).await {
        attempts += 1;
        assert!(attempts < 100, "the warm-up download keeps failing: {e}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let baseline = CURRENT.load(Ordering::Relaxed);
    PEAK.store(baseline, Ordering::Relaxed);
    w.commands.send(Command::FollowJob(id)).unwrap();
    let saved = loop {
        match next().await {
            WorkerEvent::JobSaved { saved, .. } => break saved,
            WorkerEvent::JobEnded { error, .. } => panic!("{error}"),
            _ => {}
        }
    };
    let grown = PEAK.load(Ordering::Relaxed).saturating_sub(baseline);
    assert!(saved.bytes as usize >= SIZE, "{} bytes", saved.bytes);
    assert_eq!(std::fs::metadata(&saved.path).unwrap().len(), saved.bytes);
    assert!(grown < SIZE / 4, "peak memory grew by {grown} bytes during a {}-byte download", saved.bytes);
}
