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
