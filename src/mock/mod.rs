//! The embedded mock of the PAIRS auth and API servers (axum, loopback only).

use std::net::SocketAddr;
use std::time::Duration;

/// Placeholder until the mock lands.
#[derive(Debug, Clone, Default)]
pub struct MockConfig {
    /// ttl
    pub token_ttl: Duration,
}

/// Placeholder.
pub struct MockServer {
    addr: SocketAddr,
}

impl MockServer {
    /// Placeholder.
    pub async fn start(addr: SocketAddr, _config: MockConfig) -> std::io::Result<Self> {
        Ok(Self { addr })
    }
    /// Placeholder.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    /// Placeholder.
    pub fn auth_url(&self) -> String {
        format!("http://{}", self.addr)
    }
    /// Placeholder.
    pub fn api_url(&self) -> String {
        format!("http://{}/v2", self.addr)
    }
}
