//! Test knobs and request counters.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{AppState, lock};

/// Counters and last-seen request details, as observed by the mock.
///
/// Counters count every attempt that reached the server, including ones refused for
/// authentication or answered by [`MockControl::fail_next`], so tests can see retries.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MockStats {
    /// `POST …/GetBearerForClient` requests.
    pub auth_calls: u64,
    /// `POST /connect/token` requests.
    pub refresh_calls: u64,
    /// `POST /v2/query` requests.
    pub query_calls: u64,
    /// `GET /v2/queryjobs/{id}` requests (not the list, not downloads).
    pub status_calls: u64,
    /// `GET /v2/queryjobs/{id}/download` requests.
    pub download_calls: u64,
    /// The decoded form pairs of the last `/connect/token` request (None if not a valid form).
    pub last_refresh_form: Option<Vec<(String, String)>>,
    /// Whether the last `/connect/token` request carried an `Authorization` header.
    pub last_refresh_had_authorization: bool,
    /// The `Authorization` header of the last `POST /v2/query`.
    pub last_query_authorization: Option<String>,
}

/// Mutable knobs consulted on every request.
#[derive(Default)]
pub(super) struct Knobs {
    /// One-shot canned responses: (path prefix, status, body).
    fail_next: Vec<(String, StatusCode, String)>,
    /// Whether downloads stall after their first chunk.
    pub(super) stall_downloads: bool,
}

/// A cheap, clonable handle to a running [`super::MockServer`]'s state, for tests.
#[derive(Clone)]
pub struct MockControl {
    shared: AppState,
}

impl MockControl {
    pub(super) fn new(shared: AppState) -> Self {
        Self { shared }
    }

    /// Sets the lifetime of access tokens issued from now on.
    pub fn set_token_ttl(&self, ttl: Duration) {
        lock(&self.shared.config).token_ttl = ttl;
    }

    /// Treats every access token issued so far as expired (the next API call gets the 403).
    pub fn expire_access_tokens(&self) {
        lock(&self.shared.tokens).expire_access_tokens();
    }

    /// Invalidates all outstanding refresh tokens (the next refresh gets `invalid_grant`).
    pub fn revoke_refresh_tokens(&self) {
        lock(&self.shared.tokens).revoke_refresh_tokens();
    }

    /// Answers the next request whose path starts with `path_prefix` with `status` and
    /// `body` (sent as JSON), once. Several may be queued; they fire in order.
    /// An invalid status code is treated as 500.
    pub fn fail_next(&self, path_prefix: &str, status: u16, body: &str) {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        lock(&self.shared.control).fail_next.push((
            path_prefix.to_owned(),
            status,
            body.to_owned(),
        ));
    }

    /// Makes downloads send their first chunk and then stall until the server stops.
    pub fn stall_downloads(&self, stall: bool) {
        lock(&self.shared.control).stall_downloads = stall;
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> MockStats {
        lock(&self.shared.stats).clone()
    }
}

/// Outermost middleware: counts requests, records headers and fires `fail_next` responses.
pub(super) async fn observe(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    {
        let mut stats = lock(&state.stats);
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        match (request.method(), segments.as_slice()) {
            (_, [auth, "GetBearerForClient"]) if auth.eq_ignore_ascii_case("auth") => {
                stats.auth_calls += 1;
            }
            (_, ["connect", "token"]) => stats.refresh_calls += 1,
            (&Method::POST, ["v2", "query"]) => {
                stats.query_calls += 1;
                stats.last_query_authorization = request
                    .headers()
                    .get(header::AUTHORIZATION)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
            }
            (&Method::GET, ["v2", "queryjobs", id]) if *id != "list" => stats.status_calls += 1,
            (&Method::GET, ["v2", "queryjobs", _, "download"]) => stats.download_calls += 1,
            _ => {}
        }
    }
    let canned = {
        let mut knobs = lock(&state.control);
        let hit = knobs
            .fail_next
            .iter()
            .position(|(prefix, _, _)| path.starts_with(prefix.as_str()));
        hit.map(|i| knobs.fail_next.remove(i))
    };
    match canned {
        Some((_, status, body)) => {
            (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
        }
        None => next.run(request).await,
    }
}
