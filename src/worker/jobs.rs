//! Jobs: following one to its end with polls that survive token expiry and passing errors,
//! downloading its results, and the job list and catalog lookups.

use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;

use super::session::{Session, authorized};
use super::{Options, WorkerEvent};
use crate::api::download::DownloadError;
use crate::api::message::server_message;
use crate::api::types::{JobList, JobPhase, JobStatus, Layer, is_safe_job_id};
use crate::api::{ApiError, HttpReply};

/// The longest wait between two attempts after failed polls.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// Polls job `id` until it ends; on success downloads and summarises its results.
pub(super) async fn follow(session: Arc<Session>, options: Arc<Options>, id: String) {
    if !is_safe_job_id(&id) {
        let error = "not a job id: only letters, digits, _ and - are accepted".to_owned();
        return session.emit(WorkerEvent::JobEnded { id, status: None, error });
    }
    let path = format!("/queryjobs/{id}");
    let mut failures = 0u32;
    loop {
        let polled = get(&session, &path).await;
        let reason = match polled {
            Ok((reply, _)) if reply.is_success() => match serde_json::from_slice::<JobStatus>(&reply.body) {
                Ok(status) => {
                    failures = 0;
                    let phase = status.phase();
                    session.emit(WorkerEvent::JobProgress(status.clone()));
                    match phase {
                        JobPhase::Running => {
                            tokio::time::sleep(options.poll_interval).await;
                            continue;
                        }
                        JobPhase::Succeeded => break,
                        JobPhase::Failed => {
                            let error = status.message.clone().unwrap_or_else(|| "no message".into());
                            return session.emit(WorkerEvent::JobEnded { id, status: Some(status), error });
                        }
                    }
                }
                Err(e) => format!("an unreadable status ({e})"),
            },
            Ok((reply, _)) if reply.status >= 500 || reply.status == 429 => http_error(&reply),
            Ok((reply, _)) => {
                let error = http_error(&reply);
                return session.emit(WorkerEvent::JobEnded { id, status: None, error });
            }
            Err(e) if e.is_transient() => e.to_string(),
            Err(e) => return session.emit(WorkerEvent::JobEnded { id, status: None, error: e.to_string() }),
        };
        failures += 1;
        let retry_in = backoff(options.poll_interval, failures);
        session.emit(WorkerEvent::JobPollFailed { id: id.clone(), reason, retry_in });
        tokio::time::sleep(retry_in).await;
    }
    download(&session, &options, id).await;
}

/// The wait before attempt `failures + 1`: doubling from a second (or the poll interval, if
/// shorter), capped at a minute.
fn backoff(poll: Duration, failures: u32) -> Duration {
    let first = poll.min(Duration::from_secs(1));
    first.saturating_mul(1 << failures.saturating_sub(1).min(16)).min(MAX_BACKOFF)
}

async fn download(session: &Arc<Session>, options: &Options, id: String) {
    let mut renewed = false;
    let saved = loop {
        let token = match session.clone().access().await {
            Ok(token) => token,
            Err(e) => return session.emit(WorkerEvent::JobEnded { id, status: None, error: e.to_string() }),
        };
        let progress = |received, total| {
            session.emit(WorkerEvent::DownloadProgress { id: id.clone(), received, total });
        };
        let result =
            session.client.download(&token, &id, &options.results_dir, options.idle_timeout, progress).await;
        match result {
            Ok(saved) => break saved,
            Err(DownloadError::Refused(reply)) if reply.is_token_expired() && !renewed => {
                renewed = true;
                if let Err(e) = session.clone().renew_detached(Some(token)).await {
                    return session.emit(WorkerEvent::JobEnded { id, status: None, error: e.to_string() });
                }
            }
            Err(DownloadError::Refused(reply)) => {
                let error = format!("the download was refused: {}", http_error(&reply));
                return session.emit(WorkerEvent::JobEnded { id, status: None, error });
            }
            Err(e) => return session.emit(WorkerEvent::JobEnded { id, status: None, error: e.to_string() }),
        }
    };
    let job = id.clone();
    let summary = {
        let saved = saved.clone();
        tokio::task::spawn_blocking(move || crate::results::summarize(&job, &saved)).await
    };
    match summary {
        Ok(Ok(body)) => session.emit(WorkerEvent::JobSaved { id, saved, body }),
        Ok(Err(e)) => session.emit(WorkerEvent::JobEnded { id, status: None, error: e }),
        Err(e) => session.emit(WorkerEvent::JobEnded { id, status: None, error: e.to_string() }),
    }
}

pub(super) async fn list(session: Arc<Session>) {
    let jobs = fetch::<JobList>(&session, "/queryjobs/list?flag=false&page=1&size=50").await.map(|l| l.jobs);
    session.emit(WorkerEvent::Jobs(jobs));
}

pub(super) async fn catalog(session: Arc<Session>) {
    let layers = fetch::<Vec<Layer>>(&session, "/datalayers/full").await;
    session.emit(WorkerEvent::Catalog(layers));
}

pub(super) async fn layer(session: Arc<Session>, id: String) {
    let layer = if is_safe_job_id(&id) {
        fetch::<Layer>(&session, &format!("/datalayers/{id}")).await
    } else {
        Err(format!("{id:?} is not a layer id"))
    };
    session.emit(WorkerEvent::LayerDetails(layer));
}

/// `GET {api}{path}` with a live token, renewed and sent once more if it was refused as expired.
async fn get(session: &Arc<Session>, path: &str) -> Result<(HttpReply, bool), ApiError> {
    authorized(session, |token| {
        let s = session.clone();
        let path = path.to_owned();
        async move { s.client.get(&token, &path).await }
    })
    .await
}

/// GETs `path` and parses the JSON answer, or says in words why not.
async fn fetch<T: DeserializeOwned>(session: &Arc<Session>, path: &str) -> Result<T, String> {
    let (reply, _) = get(session, path).await.map_err(|e| e.to_string())?;
    if !reply.is_success() {
        return Err(http_error(&reply));
    }
    serde_json::from_slice(&reply.body).map_err(|e| format!("the server's answer could not be read: {e}"))
}

/// `HTTP 404: Error: 404 Not Found.`
fn http_error(reply: &HttpReply) -> String {
    match server_message(&reply.body) {
        Some(message) => format!("HTTP {}: {message}", reply.status),
        None => format!("HTTP {} with no message", reply.status),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_a_second_and_is_capped() {
        let poll = Duration::from_secs(15);
        let waits: Vec<u64> = (1..=8).map(|f| backoff(poll, f).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(backoff(Duration::from_millis(100), 1), Duration::from_millis(100));
        assert_eq!(backoff(poll, u32::MAX), MAX_BACKOFF);
    }
}
