//! Minimal HS256 JSON Web Tokens: just enough to sign and verify the mock's access tokens.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The claims the mock puts in (and expects from) an access token.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct Claims {
    pub iss: String,
    pub sub: String,
    pub client_id: String,
    pub scope: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
}

/// Why a presented token was refused (expiry is judged by the caller, which owns the clock).
#[derive(Debug, PartialEq)]
pub(super) enum JwtError {
    /// Not three base64url parts of JSON, or not HS256.
    Malformed,
    /// The signature does not match the server's secret.
    BadSignature,
}

#[derive(Serialize, Deserialize)]
struct Header {
    alg: String,
    typ: String,
}

fn mac(secret: &[u8]) -> HmacSha256 {
    HmacSha256::new_from_slice(secret).expect("HMAC accepts keys of any length")
}

/// Signs `claims` as a compact HS256 JWT.
pub(super) fn sign(secret: &[u8], claims: &Claims) -> String {
    let header = Header {
        alg: "HS256".to_owned(),
        typ: "JWT".to_owned(),
    };
    // Serializing plain structs of strings and integers cannot fail.
    let header = serde_json::to_vec(&header).unwrap_or_default();
    let payload = serde_json::to_vec(claims).unwrap_or_default();
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let mut mac = mac(secret);
    mac.update(signing_input.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{signing_input}.{signature}")
}

/// Checks the structure, algorithm and signature of `token` and returns its claims.
pub(super) fn verify(secret: &[u8], token: &str) -> Result<Claims, JwtError> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Malformed);
    };
    let decode = |part: &str| {
        URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| JwtError::Malformed)
    };
    let parsed: Header =
        serde_json::from_slice(&decode(header)?).map_err(|_| JwtError::Malformed)?;
    if parsed.alg != "HS256" {
        return Err(JwtError::Malformed);
    }
    let mut mac = mac(secret);
    mac.update(header.as_bytes());
    mac.update(b".");
    mac.update(payload.as_bytes());
    mac.verify_slice(&decode(signature)?)
        .map_err(|_| JwtError::BadSignature)?;
    serde_json::from_slice(&decode(payload)?).map_err(|_| JwtError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> Claims {
        Claims {
            iss: "iss".into(),
            sub: "sub".into(),
            client_id: "ibm-pairs".into(),
            scope: "openid".into(),
            iat: 10,
            exp: 20,
            jti: "j1".into(),
        }
    }

    #[test]
    fn round_trip() {
        let token = sign(b"secret", &claims());
        assert_eq!(token.split('.').count(), 3);
        assert_eq!(verify(b"secret", &token), Ok(claims()));
    }

    #[test]
    fn wrong_secret_or_tampering_is_refused() {
        let token = sign(b"secret", &claims());
        assert_eq!(verify(b"other", &token), Err(JwtError::BadSignature));
        let mut forged = claims();
        forged.exp = 99;
        let forged_payload = sign(b"other", &forged);
        let parts: Vec<&str> = token.split('.').collect();
        let forged_parts: Vec<&str> = forged_payload.split('.').collect();
        let spliced = format!("{}.{}.{}", parts[0], forged_parts[1], parts[2]);
        assert_eq!(verify(b"secret", &spliced), Err(JwtError::BadSignature));
        assert_eq!(verify(b"secret", "a.b"), Err(JwtError::Malformed));
        assert_eq!(verify(b"secret", "not-a-jwt"), Err(JwtError::Malformed));
    }
}
