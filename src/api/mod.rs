//! The HTTP client for the PAIRS auth server and API. It knows nothing about the terminal.

pub mod download;
pub mod error;
pub mod message;
pub mod types;

use std::time::{Duration, Instant};

use bytes::Bytes;

pub use error::ApiError;
use types::TokenResponse;

use crate::config::{Endpoints, Timeouts};
use crate::secret::Secret;

/// One HTTP answer from the API, whatever its status.
#[derive(Clone)]
pub struct HttpReply {
    /// The HTTP status code.
    pub status: u16,
    /// The raw body.
    pub body: Bytes,
    /// From sending the request to the end of the body.
    pub elapsed: Duration,
}

/// The body is left out: a token answer carries secrets.
impl std::fmt::Debug for HttpReply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpReply")
            .field("status", &self.status)
            .field("body", &format_args!("{} bytes", self.body.len()))
            .field("elapsed", &self.elapsed)
            .finish()
    }
}

impl HttpReply {
    /// Whether the API refused the token because it expired (401 or 403 with `claim expired`
    /// somewhere in the body, which may be wrapped in other JSON).
    pub fn is_token_expired(&self) -> bool {
        matches!(self.status, 401 | 403) && contains(&self.body, b"claim expired")
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The PAIRS client: one connection pool, the endpoints and the timeouts.
#[derive(Debug, Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    endpoints: Endpoints,
    timeouts: Timeouts,
}

impl ApiClient {
    /// Builds a client. Fails only if the TLS backend cannot start.
    pub fn new(endpoints: Endpoints, timeouts: Timeouts) -> Result<Self, ApiError> {
        let http = reqwest::Client::builder()
            .connect_timeout(timeouts.connect)
            .user_agent(concat!("pairs-tui/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ApiError::Internal(format!("cannot start the HTTP client: {e}")))?;
        Ok(Self { http, endpoints, timeouts })
    }

    /// Exchanges the API key for tokens: `POST {auth}/auth/GetBearerForClient`.
    pub async fn authenticate(&self, key: &Secret) -> Result<TokenResponse, ApiError> {
        if key.is_empty() {
            return Err(ApiError::NoKey);
        }
        let url = format!("{}/auth/GetBearerForClient", self.endpoints.auth_url);
        let body = serde_json::json!({ "apiKey": key.expose(), "clientId": self.endpoints.client_id });
        let request = self.http.post(&url).json(&body);
        self.token_call(&url, request, "API key", key).await
    }

    /// Trades a refresh token for new tokens: `POST {auth}/connect/token`, form-encoded, with no
    /// `Authorization` header. The form encoding matters: refresh tokens contain `+`, `/`, `=`.
    pub async fn refresh(&self, refresh_token: &Secret) -> Result<TokenResponse, ApiError> {
        let url = format!("{}/connect/token", self.endpoints.auth_url);
        let form = [
            ("grant_type", "refresh_token"),
            ("client_id", self.endpoints.client_id.as_str()),
            ("refresh_token", refresh_token.expose()),
        ];
        let request = self.http.post(&url).form(&form);
        self.token_call(&url, request, "refresh token", refresh_token).await
    }

    /// Sends a token request and reads the answer. `secret` (the key or refresh token that was
    /// sent) is masked in every message, since some servers echo what they were given.
    async fn token_call(
        &self,
        url: &str,
        request: reqwest::RequestBuilder,
        what: &'static str,
        secret: &Secret,
    ) -> Result<TokenResponse, ApiError> {
        let reply = self.send(url, request.header("Cache-Control", "no-cache")).await?;
        let said = |fallback: &str| {
            let message = message::server_message(&reply.body).unwrap_or_else(|| fallback.to_owned());
            mask_echo(message, secret)
        };
        if matches!(reply.status, 404 | 405) {
            return Err(ApiError::Endpoint { url: url.to_owned(), status: reply.status });
        }
        let json: Option<serde_json::Value> = serde_json::from_slice(&reply.body).ok();
        let error = json.as_ref().and_then(|j| j.get("error")).filter(|e| !e.is_null());
        if error.is_some() || (400..500).contains(&reply.status) {
            return Err(ApiError::Rejected { what, status: reply.status, message: said("with no message") });
        }
        if !reply.is_success() {
            return Err(ApiError::BadAnswer { status: reply.status, message: said("an empty body") });
        }
        match serde_json::from_slice::<TokenResponse>(&reply.body) {
            Ok(token) if !token.access_token.is_empty() => Ok(token),
            Ok(_) => {
                Err(ApiError::BadAnswer { status: reply.status, message: "an empty access_token".into() })
            }
            // Only an error object's own words are shown: any other text may hold the tokens
            // the server just issued.
            Err(e) => Err(ApiError::BadAnswer {
                status: reply.status,
                message: match (json.as_ref().is_some_and(serde_json::Value::is_object), said("")) {
                    (true, m) if !m.is_empty() && !m.starts_with('{') => m,
                    _ => format!("no access_token ({e})"),
                },
            }),
        }
    }

    /// Sends a query: `POST {api}/query` with the bearer token. Any HTTP status is a reply;
    /// only transport failures are errors.
    pub async fn post_query(&self, token: &Secret, body: &str) -> Result<HttpReply, ApiError> {
        let url = format!("{}/query", self.endpoints.api_url);
        let request = self
            .http
            .post(&url)
            .bearer_auth(token.expose())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_owned());
        self.send(&url, request).await
    }

    /// `GET {api}{path}` with the bearer token (job status, job list, catalog). Any HTTP status
    /// is a reply; only transport failures are errors.
    pub async fn get(&self, token: &Secret, path: &str) -> Result<HttpReply, ApiError> {
        let (url, request) = self.bearer_get(token, path);
        self.send(&url, request).await
    }

    /// `GET {api}{path}` with the bearer token, not yet sent; and its URL.
    fn bearer_get(&self, token: &Secret, path: &str) -> (String, reqwest::RequestBuilder) {
        let url = format!("{}{path}", self.endpoints.api_url);
        let request = self.http.get(&url).bearer_auth(token.expose());
        (url, request)
    }

    async fn send(&self, url: &str, request: reqwest::RequestBuilder) -> Result<HttpReply, ApiError> {
        let host = host_of(url);
        let fail = |e: reqwest::Error| ApiError::from_reqwest(&host, self.timeouts.request, &e);
        let started = Instant::now();
        let response = request.timeout(self.timeouts.request).send().await.map_err(fail)?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(fail)?;
        Ok(HttpReply { status, body, elapsed: started.elapsed() })
    }
}

/// `message` with `secret` masked wherever it appears, as sent or JSON-escaped (a server may
/// echo the request body). Secrets too short to be told from ordinary text are left alone.
fn mask_echo(message: String, secret: &Secret) -> String {
    let raw = secret.expose();
    if raw.chars().count() < 4 {
        return message;
    }
    let escaped = serde_json::to_string(raw).unwrap_or_default();
    let escaped = escaped.trim_matches('"');
    message.replace(raw, &secret.masked()).replace(escaped, &secret.masked())
}

/// `host:port` of a URL, for error messages.
fn host_of(url: &str) -> String {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_owned(),
            })
        })
        .unwrap_or_else(|| url.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(status: u16, body: &'static str) -> HttpReply {
        HttpReply { status, body: Bytes::from_static(body.as_bytes()), elapsed: Duration::ZERO }
    }

    #[test]
    fn expiry_is_detected_in_plain_and_wrapped_bodies() {
        let plain = r#"{"error":"jwt signature verification failed: 'exp' claim expired at Mon, 4 Jan 2021 10:27:37 GMT"}"#;
        assert!(reply(403, plain).is_token_expired());
        assert!(reply(401, plain).is_token_expired());
        let wrapped = r#"{"description":"b'{\"error\":\"jwt signature verification failed: 'exp' claim expired at x\"}\\n'"}"#;
        assert!(reply(403, wrapped).is_token_expired());
    }

    #[test]
    fn other_refusals_are_not_expiry() {
        assert!(!reply(403, r#"{"error":"forbidden"}"#).is_token_expired());
        assert!(!reply(500, "{}").is_token_expired());
        assert!(!reply(200, "claim expired").is_token_expired());
    }

    #[test]
    fn echoed_secrets_are_masked_as_sent_and_json_escaped() {
        let key = Secret::new(r#"Sec"ret\Key/1234"#);
        let echo = format!(
            r#"bad {{"apiKey":{}}} and {}"#,
            serde_json::to_string(key.expose()).unwrap(),
            key.expose()
        );
        let masked = mask_echo(echo, &key);
        assert!(!masked.contains("ret") && !masked.contains("Key/"), "{masked}");
        assert_eq!(mask_echo("unknown key k".into(), &Secret::new("k")), "unknown key k");
    }

    #[test]
    fn host_of_keeps_the_port() {
        assert_eq!(host_of("http://127.0.0.1:9/v2/query"), "127.0.0.1:9");
        assert_eq!(host_of("https://pairs.res.ibm.com/v2"), "pairs.res.ibm.com");
    }
}
