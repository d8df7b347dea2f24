//! The embedded mock of the PAIRS auth and API servers (axum, loopback only).
//!
//! One listener serves both the token service (`/auth/GetBearerForClient`,
//! `/connect/token`) and the data API under `/v2`. It is what `pairs-tui --demo` talks to and
//! what every integration test runs against, so it mimics the real service's quirks
//! (rotating refresh tokens, the 403 "claim expired" body, job status codes, zip results)
//! rather than being merely convenient. [`MockControl`] exposes knobs for tests.

mod auth;
mod catalog;
mod control;
mod entropy;
mod jobs;
mod jwt;
mod query;
#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use control::{MockControl, MockStats};

/// Behaviour of a [`MockServer`]; everything a test may want to vary at start-up.
#[derive(Clone)]
pub struct MockConfig {
    /// Lifetime of issued access tokens (`expires_in`, `exp - iat`).
    pub token_ttl: Duration,
    /// API keys accepted by `GetBearerForClient`.
    pub api_keys: Vec<String>,
    /// The only client id the token service accepts.
    pub client_id: String,
    /// Duration of each job phase (queued, each running step, writing, packaging).
    pub job_phase: Duration,
    /// Seconds added to the system clock for token `iat`/`exp` and job timestamps.
    pub clock_skew: i64,
    /// Approximate number of raster bytes in each job's zip download.
    pub download_size: usize,
}

impl Default for MockConfig {
    fn default() -> Self {
        Self {
            token_ttl: Duration::from_secs(3600),
            api_keys: vec!["demo".to_owned()],
            client_id: "ibm-pairs".to_owned(),
            job_phase: Duration::from_secs(2),
            clock_skew: 0,
            download_size: 64 * 1024,
        }
    }
}

/// Shows how many API keys there are, never the keys themselves, so a config can be logged.
impl std::fmt::Debug for MockConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockConfig")
            .field("token_ttl", &self.token_ttl)
            .field(
                "api_keys",
                &format_args!("[{} redacted]", self.api_keys.len()),
            )
            .field("client_id", &self.client_id)
            .field("job_phase", &self.job_phase)
            .field("clock_skew", &self.clock_skew)
            .field("download_size", &self.download_size)
            .finish()
    }
}

/// State shared by all handlers and by [`MockControl`].
struct Shared {
    config: Mutex<MockConfig>,
    secret: [u8; 32],
    entropy: Mutex<entropy::Entropy>,
    tokens: Mutex<auth::TokenStore>,
    jobs: Mutex<jobs::JobStore>,
    control: Mutex<control::Knobs>,
    stats: Mutex<MockStats>,
    /// Cancelled when the server stops, so stalled downloads end instead of pinning
    /// their connection (and the graceful shutdown) forever.
    shutdown: CancellationToken,
}

impl Shared {
    /// The server's idea of "now" in unix seconds, including the configured skew.
    fn now_unix(&self) -> i64 {
        chrono::Utc::now().timestamp() + lock(&self.config).clock_skew
    }

    /// The server's idea of "now" in unix milliseconds, including the configured skew.
    fn now_millis(&self) -> i64 {
        chrono::Utc::now().timestamp_millis() + lock(&self.config).clock_skew * 1000
    }

    fn random_bytes(&self) -> [u8; 32] {
        lock(&self.entropy).next_block()
    }
}

type AppState = Arc<Shared>;

/// Locks a mutex, ignoring poisoning: a panicking handler must not take the mock down.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A JSON error body `{"message": …}`, the shape the PAIRS API uses for request errors.
fn message(status: StatusCode, text: impl Into<String>) -> Response {
    (status, axum::Json(json!({ "message": text.into() }))).into_response()
}

/// A running mock server. Dropping it (or calling [`MockServer::shutdown`]) stops it.
pub struct MockServer {
    addr: SocketAddr,
    shared: AppState,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl MockServer {
    /// Binds `addr` (usually `127.0.0.1:0`) and starts serving in the background.
    pub async fn start(addr: SocketAddr, config: MockConfig) -> std::io::Result<MockServer> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let mut entropy = entropy::Entropy::new();
        let secret = entropy.next_block();
        let jobs = jobs::JobStore::seeded(&mut entropy, &config);
        let shared = Arc::new(Shared {
            config: Mutex::new(config),
            secret,
            entropy: Mutex::new(entropy),
            tokens: Mutex::new(auth::TokenStore::default()),
            jobs: Mutex::new(jobs),
            control: Mutex::new(control::Knobs::default()),
            stats: Mutex::new(MockStats::default()),
            shutdown: CancellationToken::new(),
        });
        let app = router(shared.clone());
        let stop = shared.shutdown.clone();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(stop.cancelled_owned())
                .await
        });
        Ok(MockServer {
            addr,
            shared,
            task: Some(task),
        })
    }

    /// The bound address (with the real port when started on port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Base URL of the token service, e.g. `http://127.0.0.1:PORT`.
    pub fn auth_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Base URL of the data API, e.g. `http://127.0.0.1:PORT/v2`.
    pub fn api_url(&self) -> String {
        format!("http://{}/v2", self.addr)
    }

    /// A cheap handle to the test knobs and counters.
    pub fn control(&self) -> MockControl {
        MockControl::new(self.shared.clone())
    }

    /// Stops accepting connections, ends stalled downloads and waits for the server to finish.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        self.shared.shutdown.cancel();
        match self.task.take() {
            Some(task) => task.await.map_err(std::io::Error::other)?,
            None => Ok(()),
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.shared.shutdown.cancel();
    }
}

fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/query", post(query::submit))
        .route("/queryjobs/list", get(jobs::list))
        .route("/queryjobs/{id}", get(jobs::status))
        .route("/queryjobs/{id}/download", get(jobs::download))
        .route("/datalayers/full", get(catalog::full))
        .route("/datalayers/{id}", get(catalog::one))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::require_bearer,
        ));
    Router::new()
        .route("/auth/GetBearerForClient", post(auth::get_bearer))
        .route("/Auth/GetBearerForClient", post(auth::get_bearer))
        .route("/connect/token", post(auth::connect_token))
        .nest("/v2", api)
        .fallback(|| async { message(StatusCode::NOT_FOUND, "Error: 404 Not Found.") })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            control::observe,
        ))
        .with_state(state)
}
