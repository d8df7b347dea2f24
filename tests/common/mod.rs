//! Helpers shared by the integration tests.

use std::time::Duration;

use pairs_tui::worker::{WorkerEvent, WorkerHandle};

/// How long any one wait may take before the test fails.
const WAIT: Duration = Duration::from_secs(20);

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
