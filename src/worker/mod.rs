//! The async side: owns the HTTP client and the token, runs every network call, and reports to
//! the UI through a channel. The UI never awaits the network.
//!
//! One [`session::Session`] holds the token behind an async mutex, so concurrent triggers (a
//! proactive refresh and a request that met an expired token) share one refresh: whoever comes
//! second sees the token already replaced and uses it.

mod jobs;
mod session;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::{mpsc, watch};
use tokio::task::{AbortHandle, JoinHandle};

use crate::api::download::Saved;
use crate::api::types::{JobStatus, Layer};
use crate::api::{ApiClient, ApiError, HttpReply};
use crate::auth::{ExpirySource, Token};
use crate::secret::Secret;
use bytes::Bytes;
use session::Session;

/// Requests from the UI to the worker.
#[derive(Debug)]
pub enum Command {
    /// Exchange this API key for tokens (and remember it for re-authentication).
    Authenticate(Secret),
    /// Refresh the token now.
    Refresh,
    /// Send a query body to `POST {api}/query`. A new query replaces a running one.
    SendQuery {
        /// Chosen by the UI; results carry it back so stale ones can be dropped.
        id: u64,
        /// The query JSON, as the user wrote it.
        body: String,
    },
    /// Cancel the running query, if any.
    Cancel,
    /// Follow a job until it ends, and download its results. Replaces a job being followed.
    FollowJob(String),
    /// Stop following the job (it goes on running on the server).
    StopJob,
    /// Fetch the list of recent jobs.
    ListJobs,
    /// Fetch the catalog of data layers.
    FetchCatalog,
    /// Fetch one layer's details.
    FetchLayer(String),
    /// Hand the access token to the UI, which asked to copy it to the clipboard.
    CopyToken,
}

/// How the worker follows jobs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Time between two status polls.
    pub poll_interval: Duration,
    /// Where downloads are saved.
    pub results_dir: PathBuf,
    /// A download that receives nothing for this long is ended.
    pub idle_timeout: Duration,
}

impl Options {
    /// The defaults, saving into `results_dir`.
    pub fn new(results_dir: PathBuf) -> Self {
        Self { poll_interval: Duration::from_secs(15), results_dir, idle_timeout: Duration::from_secs(60) }
    }
}

/// What the UI needs to show about the current token. It holds no secret.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenInfo {
    /// When it expires, on our monotonic clock.
    pub expires_at: Option<Instant>,
    /// When it expires, on our wall clock.
    pub expires_wall: Option<SystemTime>,
    /// When it arrived, on our wall clock.
    pub received_wall: SystemTime,
    /// When the worker will refresh it on its own.
    pub refresh_at: Option<Instant>,
    /// Its full lifetime, if known.
    pub lifetime: Option<Duration>,
    /// Where the lifetime came from.
    pub source: ExpirySource,
    /// Whether a refresh token came with it.
    pub refreshable: bool,
}

impl From<&Token> for TokenInfo {
    fn from(t: &Token) -> Self {
        Self {
            expires_at: t.expires_at(),
            expires_wall: t.expires_wall(),
            received_wall: t.received_wall,
            refresh_at: t.refresh_at(),
            lifetime: t.lifetime,
            source: t.source.clone(),
            refreshable: t.refresh.is_some(),
        }
    }
}

/// How a token was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Issue {
    /// From the API key.
    Authenticated,
    /// From the refresh token.
    Refreshed,
    /// From the API key again, after the refresh token was refused.
    Reauthenticated,
}

/// Reports from the worker to the UI.
#[derive(Debug)]
pub enum WorkerEvent {
    /// An API-key exchange started.
    Authenticating,
    /// A refresh started.
    Refreshing,
    /// A new token is in use.
    TokenIssued {
        /// What the UI shows.
        info: TokenInfo,
        /// How it was obtained.
        how: Issue,
    },
    /// No token could be obtained; the reason is for the user.
    AuthFailed {
        /// What went wrong, in words.
        reason: String,
    },
    /// A query is on its way.
    QueryStarted {
        /// The query's id.
        id: u64,
    },
    /// A query got an HTTP answer (any status).
    QueryFinished {
        /// The query's id.
        id: u64,
        /// Status, headers, timing and raw body.
        reply: HttpReply,
        /// Whether it was sent twice because the token had expired.
        retried: bool,
    },
    /// A query got no HTTP answer.
    QueryFailed {
        /// The query's id.
        id: u64,
        /// What went wrong, in words.
        error: String,
        /// Whether the query may have reached the server (and created a job) before the
        /// connection failed. It is never sent again on our own.
        maybe_sent: bool,
    },
    /// A query was cancelled before it finished.
    QueryCancelled {
        /// The query's id.
        id: u64,
    },
    /// A job's status, after each poll.
    JobProgress(JobStatus),
    /// A poll failed for a reason that may pass; it is retried.
    JobPollFailed {
        /// The job.
        id: String,
        /// What went wrong.
        reason: String,
        /// When the next attempt is.
        retry_in: Duration,
    },
    /// The job succeeded; its results are downloading.
    DownloadProgress {
        /// The job.
        id: String,
        /// Bytes written so far.
        received: u64,
        /// Bytes announced, if any.
        total: Option<u64>,
    },
    /// The results are saved, and summarised for display.
    JobSaved {
        /// The job.
        id: String,
        /// Where and what.
        saved: Saved,
        /// What the response pane shows: a zip's summary as JSON, or the JSON or CSV result.
        body: Bytes,
    },
    /// The job ended without results (failed, killed, no data…), or following it failed.
    JobEnded {
        /// The job.
        id: String,
        /// Its last status, if the server said it ended.
        status: Option<JobStatus>,
        /// What went wrong, in words.
        error: String,
    },
    /// Following the job stopped at the user's request.
    JobStopped {
        /// The job.
        id: String,
    },
    /// The recent jobs, or why they could not be listed.
    Jobs(Result<Vec<JobStatus>, String>),
    /// The catalog's layers, or why it could not be fetched.
    Catalog(Result<Vec<Layer>, String>),
    /// One layer's details.
    LayerDetails(Result<Layer, String>),
    /// The access token, sent only on [`Command::CopyToken`]; `None` if there is none.
    AccessToken(Option<Secret>),
}

/// The UI's end of the worker.
pub struct WorkerHandle {
    /// Send commands here.
    pub commands: mpsc::UnboundedSender<Command>,
    /// Receive events here.
    pub events: mpsc::UnboundedReceiver<WorkerEvent>,
    /// Ends when the worker ends (when `commands` is dropped, or if it panics).
    pub task: JoinHandle<()>,
}

/// Starts the worker on the current tokio runtime.
pub fn spawn(client: ApiClient, options: Options) -> WorkerHandle {
    let (commands, command_rx) = mpsc::unbounded_channel();
    let (event_tx, events) = mpsc::unbounded_channel();
    let (deadline, deadline_rx) = watch::channel(None);
    let session = Arc::new(Session::new(client, event_tx, deadline));
    let task = tokio::spawn(run(session, Arc::new(options), command_rx, deadline_rx));
    WorkerHandle { commands, events, task }
}

async fn run(
    session: Arc<Session>,
    options: Arc<Options>,
    mut commands: mpsc::UnboundedReceiver<Command>,
    deadline: watch::Receiver<Option<Instant>>,
) {
    let refresher = tokio::spawn(refresh_on_time(session.clone(), deadline));
    let mut running: Option<(u64, AbortHandle)> = None;
    let mut job: Option<(String, AbortHandle)> = None;
    while let Some(command) = commands.recv().await {
        let s = session.clone();
        match command {
            Command::Authenticate(key) => {
                tokio::spawn(async move { s.authenticate(key).await });
            }
            Command::Refresh => {
                tokio::spawn(async move {
                    let stale = s.current_access().await;
                    // A failure is already reported to the UI as AuthFailed.
                    let _ = s.renew(stale).await;
                });
            }
            Command::SendQuery { id, body } => {
                cancel(&session, running.take());
                let handle = tokio::spawn(run_query(s, id, body));
                running = Some((id, handle.abort_handle()));
            }
            Command::Cancel => cancel(&session, running.take()),
            Command::FollowJob(id) => {
                stop_job(&session, job.take());
                let handle = tokio::spawn(jobs::follow(s, options.clone(), id.clone()));
                job = Some((id, handle.abort_handle()));
            }
            Command::StopJob => stop_job(&session, job.take()),
            Command::ListJobs => {
                tokio::spawn(jobs::list(s));
            }
            Command::FetchCatalog => {
                tokio::spawn(jobs::catalog(s));
            }
            Command::FetchLayer(id) => {
                tokio::spawn(jobs::layer(s, id));
            }
            Command::CopyToken => {
                tokio::spawn(async move {
                    let token = s.current_access().await;
                    s.emit(WorkerEvent::AccessToken(token));
                });
            }
        }
    }
    refresher.abort();
    cancel(&session, running.take());
    stop_job(&session, job.take());
}

/// Aborts the task if it is still running, and returns what it was working on.
fn abort<I>(task: Option<(I, AbortHandle)>) -> Option<I> {
    let (id, handle) = task.filter(|(_, handle)| !handle.is_finished())?;
    handle.abort();
    Some(id)
}

fn cancel(session: &Session, running: Option<(u64, AbortHandle)>) {
    if let Some(id) = abort(running) {
        session.emit(WorkerEvent::QueryCancelled { id });
    }
}

fn stop_job(session: &Session, job: Option<(String, AbortHandle)>) {
    if let Some(id) = abort(job) {
        session.emit(WorkerEvent::JobStopped { id });
    }
}

/// Refreshes each token shortly before it expires, even while the user does nothing.
async fn refresh_on_time(session: Arc<Session>, mut deadline: watch::Receiver<Option<Instant>>) {
    loop {
        let next = *deadline.borrow_and_update();
        let changed = match next {
            None => deadline.changed().await,
            Some(at) => tokio::select! {
                () = tokio::time::sleep_until(at.into()) => {
                    let stale = session.current_access().await;
                    // renew always publishes a new deadline (or none), so this cannot spin.
                    let _ = session.renew(stale).await;
                    Ok(())
                }
                changed = deadline.changed() => changed,
            },
        };
        if changed.is_err() {
            return;
        }
    }
}

/// Sends a query. A refusal of the token as expired is renewed and sent once more (the server
/// did not take the query); anything else is never re-sent, since a re-sent query is a
/// duplicate job.
async fn run_query(session: Arc<Session>, id: u64, body: String) {
    session.emit(WorkerEvent::QueryStarted { id });
    let fail = |error: ApiError, maybe_sent: bool| {
        let maybe_sent = maybe_sent && !matches!(error, ApiError::Connect { .. });
        WorkerEvent::QueryFailed { id, error: error.to_string(), maybe_sent }
    };
    let token = match session.clone().access().await {
        Ok(token) => token,
        Err(e) => return session.emit(fail(e, false)),
    };
    let (reply, retried) = match session.client.post_query(&token, &body).await {
        Ok(reply) if reply.is_token_expired() => match session.clone().renew_detached(Some(token)).await {
            Ok(fresh) => match session.client.post_query(&fresh, &body).await {
                Ok(reply) => (reply, true),
                Err(e) => return session.emit(fail(e, true)),
            },
            Err(e) => return session.emit(fail(e, false)),
        },
        Ok(reply) => (reply, false),
        Err(e) => return session.emit(fail(e, true)),
    };
    session.emit(WorkerEvent::QueryFinished { id, reply, retried });
}
