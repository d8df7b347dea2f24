//! Errors of the HTTP client, worded for the person at the keyboard.

use std::time::Duration;

/// What went wrong talking to the auth server or the API.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// No TCP/TLS connection could be made.
    #[error("could not connect to {host}: {reason}")]
    Connect {
        /// The host we tried.
        host: String,
        /// The underlying cause, in words.
        reason: String,
    },
    /// The server took longer than the configured timeout.
    #[error("{host} did not answer within {}s", .after.as_secs())]
    Timeout {
        /// The host we waited for.
        host: String,
        /// The timeout that expired.
        after: Duration,
    },
    /// The connection broke while the request or its answer was on the way.
    #[error("the connection to {host} failed: {reason}")]
    Transport {
        /// The host.
        host: String,
        /// The underlying cause.
        reason: String,
    },
    /// The auth server refused the API key or the refresh token.
    #[error("the auth server rejected the {what} (HTTP {status} {message})")]
    Rejected {
        /// "API key" or "refresh token".
        what: &'static str,
        /// The HTTP status (200 when the server reports the error in a 200 body).
        status: u16,
        /// The server's own error code or message.
        message: String,
    },
    /// The auth server answered with something that is not a token.
    #[error("the auth server sent an unexpected answer (HTTP {status}): {message}")]
    BadAnswer {
        /// The HTTP status.
        status: u16,
        /// What the body looked like.
        message: String,
    },
    /// The auth server has no such endpoint: the URL is probably wrong.
    #[error("{url} answered HTTP {status}: is the auth URL right (--auth-url)?")]
    Endpoint {
        /// The URL that was called.
        url: String,
        /// 404 or 405.
        status: u16,
    },
    /// The configured URL cannot be used.
    #[error("invalid URL {url}: {reason}")]
    Url {
        /// The URL as configured.
        url: String,
        /// Why it is unusable.
        reason: String,
    },
    /// A failure inside this program (not the network): never worth retrying.
    #[error("internal error: {0}")]
    Internal(String),
    /// There is no API key to authenticate with.
    #[error("no API key: enter one in the API key pane (or set PAIRS_API_KEY)")]
    NoKey,
}

impl ApiError {
    /// Classifies a reqwest error for `host`.
    pub fn from_reqwest(host: &str, timeout: Duration, err: &reqwest::Error) -> Self {
        let host = host.to_owned();
        if err.is_timeout() {
            return Self::Timeout { host, after: timeout };
        }
        let reason = root_cause(err);
        if err.is_connect() {
            Self::Connect { host, reason }
        } else if err.is_builder() {
            Self::Url { url: host, reason }
        } else {
            Self::Transport { host, reason }
        }
    }

    /// Whether retrying later could help (the server was unreachable or slow).
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Connect { .. } | Self::Timeout { .. } | Self::Transport { .. })
    }
}

/// The innermost cause of an error: the part a user can act on ("Connection refused").
fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    let text = cause.to_string();
    // std's io errors end in "(os error 111)"; the words before it are what matter.
    match text.find(" (os error") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}
