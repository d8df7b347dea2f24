//! The token service (`GetBearerForClient`, `connect/token`) and bearer checks on `/v2`.

use std::collections::{HashMap, HashSet};

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::jwt::{self, Claims, JwtError};
use super::{AppState, lock};

const ISSUER: &str = "https://auth-b2b-twc.ibm.com";
const SCOPE: &str = "custom.profile email ibm-pairs-api offline_access openid phoenix-api profile";

/// Outstanding refresh tokens and the ids of issued access tokens.
#[derive(Default)]
pub(super) struct TokenStore {
    /// Refresh token → subject it was issued to. Removed on use, which makes them rotate.
    refresh: HashMap<String, String>,
    /// Access tokens issued and not yet force-expired.
    live: Vec<String>,
    /// Access tokens that [`super::MockControl::expire_access_tokens`] declared expired.
    expired: HashSet<String>,
}

impl TokenStore {
    pub(super) fn expire_access_tokens(&mut self) {
        self.expired.extend(self.live.drain(..));
    }

    pub(super) fn revoke_refresh_tokens(&mut self) {
        self.refresh.clear();
    }
}

#[derive(Serialize)]
struct TokenResponse {
    access_token: String,
    expires_in: u64,
    token_type: &'static str,
    refresh_token: String,
    scope: &'static str,
}

#[derive(Deserialize)]
struct BearerRequest {
    #[serde(rename = "apiKey")]
    api_key: String,
    #[serde(rename = "clientId")]
    client_id: String,
}

/// An OAuth-style error: HTTP 400 with `{"error", "error_description"}`.
fn oauth_error(error: &str, description: impl Into<String>) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "error": error, "error_description": description.into() })),
    )
        .into_response()
}

/// Makes a refresh token that always contains `+`, `/` and `=`, so a client that forgets
/// to form-encode it breaks exactly as it would against the real service.
fn refresh_token(random: [u8; 32]) -> String {
    let mut bytes = random.to_vec();
    // The triple FB EF FF at a 3-byte boundary encodes to "++//"; 32 bytes end in one "=".
    bytes[12..15].copy_from_slice(&[0xFB, 0xEF, 0xFF]);
    STANDARD.encode(bytes)
}

fn issue(state: &AppState, subject: &str) -> Response {
    let (ttl, client_id) = {
        let config = lock(&state.config);
        (config.token_ttl.as_secs(), config.client_id.clone())
    };
    let iat = state.now_unix();
    let jti = URL_SAFE_NO_PAD.encode(&state.random_bytes()[..12]);
    let claims = Claims {
        iss: ISSUER.to_owned(),
        sub: subject.to_owned(),
        client_id,
        scope: SCOPE.to_owned(),
        iat,
        exp: iat.saturating_add(i64::try_from(ttl).unwrap_or(i64::MAX)),
        jti: jti.clone(),
    };
    let access_token = jwt::sign(&state.secret, &claims);
    let refresh = refresh_token(state.random_bytes());
    {
        let mut tokens = lock(&state.tokens);
        tokens.live.push(jti);
        tokens.refresh.insert(refresh.clone(), subject.to_owned());
    }
    Json(TokenResponse {
        access_token,
        expires_in: ttl,
        token_type: "Bearer",
        refresh_token: refresh,
        scope: SCOPE,
    })
    .into_response()
}

/// The subject for an API key: stable per key, without revealing the key.
fn subject_for(api_key: &str) -> String {
    let digest = Sha256::digest(api_key.as_bytes());
    let hex: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    format!("pairs-user-{hex}")
}

fn exchange_api_key(state: &AppState, api_key: &str, client_id: &str) -> Response {
    let (key_ok, client_ok) = {
        let config = lock(&state.config);
        (
            config.api_keys.iter().any(|k| k == api_key),
            config.client_id == client_id,
        )
    };
    if !client_ok {
        return oauth_error("invalid_client", format!("Unknown client '{client_id}'"));
    }
    if !key_ok {
        return oauth_error("invalid_client", "Invalid API key");
    }
    issue(state, &subject_for(api_key))
}

/// `POST /auth/GetBearerForClient` with JSON `{"apiKey", "clientId"}`.
pub(super) async fn get_bearer(State(state): State<AppState>, body: Bytes) -> Response {
    match serde_json::from_slice::<BearerRequest>(&body) {
        Ok(request) => exchange_api_key(&state, &request.api_key, &request.client_id),
        Err(e) => oauth_error("invalid_request", format!("Malformed request body: {e}")),
    }
}

/// `POST /connect/token`, form-encoded; `refresh_token` grants rotate the refresh token.
pub(super) async fn connect_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let form = form.map(|Form(pairs)| pairs);
    {
        let mut stats = lock(&state.stats);
        stats.last_refresh_had_authorization = headers.contains_key(header::AUTHORIZATION);
        stats.last_refresh_form = form.as_ref().ok().cloned();
    }
    let pairs = match form {
        Ok(pairs) => pairs,
        Err(e) => return oauth_error("invalid_request", e.body_text()),
    };
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let client_id = field("client_id").unwrap_or_default();
    match field("grant_type") {
        None => oauth_error("invalid_request", "grant_type is required"),
        // The older tutorial's direct key exchange; same checks as GetBearerForClient.
        Some("apikey") => exchange_api_key(&state, field("apikey").unwrap_or_default(), client_id),
        Some("refresh_token") => {
            if client_id != lock(&state.config).client_id {
                return oauth_error("invalid_client", format!("Unknown client '{client_id}'"));
            }
            let presented = field("refresh_token").unwrap_or_default();
            let subject = lock(&state.tokens).refresh.remove(presented);
            match subject {
                Some(subject) => issue(&state, &subject),
                None => oauth_error(
                    "invalid_grant",
                    "The refresh token is invalid, expired or already used",
                ),
            }
        }
        Some(other) => oauth_error(
            "unsupported_grant_type",
            format!("Grant type '{other}' is not supported"),
        ),
    }
}

fn unauthorized(text: &str) -> Response {
    (StatusCode::UNAUTHORIZED, Json(json!({ "error": text }))).into_response()
}

/// The real service's expiry body, e.g. `… expired at Mon, 4 Jan 2021 10:27:37 GMT`.
pub(super) fn expired_body(exp: i64) -> String {
    let when = chrono::DateTime::from_timestamp(exp, 0)
        .unwrap_or_default()
        .format("%a, %-d %b %Y %H:%M:%S GMT");
    json!({ "error": format!("jwt signature verification failed: 'exp' claim expired at {when}") })
        .to_string()
}

/// Middleware for `/v2`: requires a valid, unexpired `Authorization: Bearer <jwt>`.
pub(super) async fn require_bearer(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let Some(value) = request.headers().get(header::AUTHORIZATION) else {
        return unauthorized("Authorization header with a Bearer token is required");
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    let Some(token) = token else {
        return unauthorized("Authorization header must use the Bearer scheme");
    };
    let claims = match jwt::verify(&state.secret, token) {
        Ok(claims) => claims,
        Err(JwtError::Malformed) => return unauthorized("jwt malformed"),
        Err(JwtError::BadSignature) => {
            return unauthorized("jwt signature verification failed: invalid signature");
        }
    };
    let now = state.now_unix();
    let forced = lock(&state.tokens).expired.contains(&claims.jti);
    if claims.exp <= now || forced {
        // A force-expired token still carries a future exp; report "now" so the date is
        // in the past like a genuinely expired token's.
        let at = claims.exp.min(now);
        return (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "application/json")],
            expired_body(at),
        )
            .into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_date_format_matches_the_real_service() {
        // 2021-01-04T10:27:37Z, the example from IBM's documentation.
        assert_eq!(
            expired_body(1_609_756_057),
            r#"{"error":"jwt signature verification failed: 'exp' claim expired at Mon, 4 Jan 2021 10:27:37 GMT"}"#
        );
    }

    #[test]
    fn refresh_tokens_need_form_encoding() {
        let token = refresh_token([7; 32]);
        assert!(token.contains('+') && token.contains('/') && token.ends_with('='));
    }
}
