//! Helpers shared by the integration tests.

use std::time::Duration;

use pairs_tui::api::ApiClient;
use pairs_tui::config::{DEFAULT_CLIENT_ID, Endpoints, Timeouts};
use pairs_tui::mock::{MockConfig, MockServer};
use pairs_tui::worker::{WorkerEvent, WorkerHandle};

/// How long any one wait may take before the test fails.
const WAIT: Duration = Duration::from_secs(20);

/// The embedded mock on a free loopback port.
pub async fn mock(config: MockConfig) -> MockServer {
    MockServer::start(([127, 0, 0, 1], 0).into(), config).await.expect("mock starts")
}

/// A client for these endpoints, quick to give up connecting.
pub fn client_for(auth: &str, api: &str, request_timeout: Duration) -> ApiClient {
    let endpoints = Endpoints::new(auth, api, DEFAULT_CLIENT_ID).expect("valid endpoints");
    let timeouts = Timeouts { connect: Duration::from_secs(2), request: request_timeout };
    ApiClient::new(endpoints, timeouts).expect("client builds")
}

/// Waits for the first event that `pick` accepts; fails on timeout. Returns the skipped events too.
pub async fn wait_for<T>(
    handle: &mut WorkerHandle,
    mut pick: impl FnMut(&WorkerEvent) -> Option<T>,
) -> (T, Vec<WorkerEvent>) {
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let event = tokio::time::timeout_at(deadline, handle.events.recv())
            .await
            .unwrap_or_else(|_| panic!("timed out; events so far: {seen:#?}"))
            .expect("worker alive");
        if let Some(found) = pick(&event) {
            return (found, seen);
        }
        seen.push(event);
    }
}
