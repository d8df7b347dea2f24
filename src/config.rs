//! Resolved settings: endpoints (normalised), timeouts, and where results go.

use std::time::Duration;

/// Default auth server (IBM Environmental Intelligence Suite, "Phoenix").
pub const DEFAULT_AUTH_URL: &str = "https://auth-b2b-twc.ibm.com";
/// Default API base (legacy PAIRS v2).
pub const DEFAULT_API_URL: &str = "https://pairs.res.ibm.com/v2";
/// Default OAuth client id for PAIRS.
pub const DEFAULT_CLIENT_ID: &str = "ibm-pairs";

/// A configuration value that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The URL does not parse or is not http(s).
    #[error("{name} {url:?} is not a usable http(s) URL: {reason}")]
    BadUrl {
        /// Which option.
        name: &'static str,
        /// The value given.
        url: String,
        /// Why it is rejected.
        reason: String,
    },
    /// The client id is empty.
    #[error("the client id must not be empty")]
    EmptyClientId,
}

/// Where the auth server and the API live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// Auth server base, without a trailing slash.
    pub auth_url: String,
    /// API base (…/v2), without a trailing slash.
    pub api_url: String,
    /// OAuth client id sent with the key and with refreshes.
    pub client_id: String,
}

impl Endpoints {
    /// Validates and normalises the endpoints; trailing slashes are dropped.
    pub fn new(auth_url: &str, api_url: &str, client_id: &str) -> Result<Self, ConfigError> {
        let client_id = client_id.trim();
        if client_id.is_empty() {
            return Err(ConfigError::EmptyClientId);
        }
        Ok(Self {
            auth_url: normalise("auth URL", auth_url)?,
            api_url: normalise("API URL", api_url)?,
            client_id: client_id.to_owned(),
        })
    }
}

fn normalise(name: &'static str, url: &str) -> Result<String, ConfigError> {
    let trimmed = url.trim().trim_end_matches('/');
    let bad = |reason: String| ConfigError::BadUrl { name, url: url.to_owned(), reason };
    let parsed = reqwest::Url::parse(trimmed).map_err(|e| bad(e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(bad(format!("the scheme is {}", parsed.scheme())));
    }
    Ok(trimmed.to_owned())
}

/// Network timeouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Connecting (TCP + TLS).
    pub connect: Duration,
    /// A whole request, body included (not downloads, which use an idle timeout).
    pub request: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self { connect: Duration::from_secs(10), request: Duration::from_secs(120) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_slashes_are_dropped() {
        let e = Endpoints::new("https://auth.example/", "http://127.0.0.1:8080/v2//", " ibm-pairs ").unwrap();
        assert_eq!(e.auth_url, "https://auth.example");
        assert_eq!(e.api_url, "http://127.0.0.1:8080/v2");
        assert_eq!(e.client_id, "ibm-pairs");
    }

    #[test]
    fn bad_urls_are_refused_with_the_option_name() {
        let err = Endpoints::new("ftp://x", DEFAULT_API_URL, "c").unwrap_err();
        assert!(err.to_string().contains("auth URL"), "{err}");
        assert!(Endpoints::new(DEFAULT_AUTH_URL, "not a url", "c").is_err());
        assert_eq!(Endpoints::new(DEFAULT_AUTH_URL, DEFAULT_API_URL, " "), Err(ConfigError::EmptyClientId));
    }
}
