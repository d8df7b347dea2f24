//! Streaming a job's results to disk: never the whole body in memory, an idle timeout instead of
//! a total one, and no partial file left under the final name.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;

use super::{ApiClient, ApiError, HttpReply};
use crate::secret::Secret;

/// What kind of file the results are, sniffed from the first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A zip archive (raster jobs).
    Zip,
    /// JSON (point queries turned into jobs).
    Json,
    /// Anything else; PAIRS sends CSV.
    Csv,
}

impl FileKind {
    /// Sniffs the kind from the start of the file.
    pub fn sniff(head: &[u8]) -> Self {
        if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
            return Self::Zip;
        }
        match head.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{' | b'[') => Self::Json,
            _ => Self::Csv,
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Self::Zip => "zip",
            Self::Json => "json",
            Self::Csv => "csv",
        }
    }
}

/// A download that reached its final name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    /// Where it is.
    pub path: PathBuf,
    /// Its size.
    pub bytes: u64,
    /// What it is.
    pub kind: FileKind,
    /// How long it took.
    pub elapsed: Duration,
}

/// Why a download did not complete.
#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    /// The server answered with an error status instead of the file.
    #[error("the server answered HTTP {}", .0.status)]
    Refused(HttpReply),
    /// No data arrived for the idle timeout.
    #[error("the download stalled: no data for {}s (after {received} bytes)", .idle.as_secs())]
    Stalled {
        /// The idle timeout.
        idle: Duration,
        /// Bytes received before the stall.
        received: u64,
    },
    /// The connection closed before the announced length arrived.
    #[error("the download was cut short: {received} of {expected} bytes arrived")]
    CutShort {
        /// Bytes received.
        received: u64,
        /// Bytes announced by `Content-Length`.
        expected: u64,
    },
    /// The file could not be written.
    #[error("cannot write {path}: {reason}")]
    Disk {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The request failed before any data.
    #[error(transparent)]
    Network(#[from] ApiError),
}

/// How often progress is reported, at most.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

impl ApiClient {
    /// Downloads job `id` into `dir` as `<id>.zip|json|csv`, reporting `(received, total)`.
    /// Tries `/queryjobs/{id}/download`, then the older `/queryjobs/download/{id}` on a 404.
    pub async fn download(
        &self,
        token: &Secret,
        id: &str,
        dir: &Path,
        idle: Duration,
        mut progress: impl FnMut(u64, Option<u64>),
    ) -> Result<Saved, DownloadError> {
        let started = Instant::now();
        let mut response = self.start_download(token, &format!("/queryjobs/{id}/download")).await?;
        if response.status().as_u16() == 404 {
            response = self.start_download(token, &format!("/queryjobs/download/{id}")).await?;
        }
        if !response.status().is_success() {
            let status = response.status().as_u16();
            let body = tokio::time::timeout(idle, response.bytes())
                .await
                .ok()
                .and_then(Result::ok)
                .unwrap_or_default();
            return Err(DownloadError::Refused(HttpReply { status, body, elapsed: started.elapsed() }));
        }
        let total = response.content_length();
        let disk = |path: &Path, e: std::io::Error| DownloadError::Disk {
            path: path.to_owned(),
            reason: e.to_string(),
        };
        tokio::fs::create_dir_all(dir).await.map_err(|e| disk(dir, e))?;
        let partial = dir.join(format!(".{id}.part"));
        let result = async {
            let mut file = tokio::fs::File::create(&partial).await.map_err(|e| disk(&partial, e))?;
            let mut head = Vec::with_capacity(8);
            let mut received = 0u64;
            let mut last_report = Instant::now();
            loop {
                let chunk = match tokio::time::timeout(idle, response.chunk()).await {
                    Err(_) => return Err(DownloadError::Stalled { idle, received }),
                    Ok(Err(e)) => {
                        return Err(match total {
                            Some(expected) if received < expected => {
                                DownloadError::CutShort { received, expected }
                            }
                            _ => ApiError::from_reqwest(&super::host_of(&self.endpoints.api_url), idle, &e)
                                .into(),
                        });
                    }
                    Ok(Ok(None)) => break,
                    Ok(Ok(Some(chunk))) => chunk,
                };
                if head.len() < 8 {
                    head.extend(chunk.iter().take(8 - head.len()));
                }
                file.write_all(&chunk).await.map_err(|e| disk(&partial, e))?;
                received += chunk.len() as u64;
                // The first piece is reported at once, so a download that stalls right away
                // still shows that it started.
                if received == chunk.len() as u64 || last_report.elapsed() >= PROGRESS_EVERY {
                    progress(received, total);
                    last_report = Instant::now();
                }
            }
            if let Some(expected) = total.filter(|&t| received < t) {
                return Err(DownloadError::CutShort { received, expected });
            }
            file.flush().await.map_err(|e| disk(&partial, e))?;
            progress(received, total);
            let kind = FileKind::sniff(&head);
            let path = dir.join(format!("{id}.{}", kind.extension()));
            tokio::fs::rename(&partial, &path).await.map_err(|e| disk(&path, e))?;
            Ok(Saved { path, bytes: received, kind, elapsed: started.elapsed() })
        }
        .await;
        if result.is_err() {
            // Nothing half-written may survive, under either name.
            let _ = tokio::fs::remove_file(&partial).await;
        }
        result
    }

    async fn start_download(&self, token: &Secret, path: &str) -> Result<reqwest::Response, ApiError> {
        let (url, request) = self.bearer_get(token, path);
        let host = super::host_of(&url);
        let request = request.send();
        match tokio::time::timeout(self.timeouts.request, request).await {
            Err(_) => Err(ApiError::Timeout { host, after: self.timeouts.request }),
            Ok(Err(e)) => Err(ApiError::from_reqwest(&host, self.timeouts.request, &e)),
            Ok(Ok(response)) => Ok(response),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_zip_json_and_csv() {
        assert_eq!(FileKind::sniff(b"PK\x03\x04rest"), FileKind::Zip);
        assert_eq!(FileKind::sniff(b"  \n{\"data\":[]}"), FileKind::Json);
        assert_eq!(FileKind::sniff(b"[1]"), FileKind::Json);
        assert_eq!(FileKind::sniff(b"layerId,timestamp\n1,2"), FileKind::Csv);
        assert_eq!(FileKind::sniff(b""), FileKind::Csv);
    }
}
