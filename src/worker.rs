//! The async side: owns the HTTP client and the token, runs every network call, and reports to
//! the UI through a channel. The UI never awaits the network.
//!
//! One [`Session`] holds the token behind an async mutex, so concurrent triggers (a proactive
//! refresh and a query that met an expired token) share one refresh: whoever comes second sees
//! the token already replaced and uses it.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::{mpsc, watch};
use tokio::task::{AbortHandle, JoinHandle};

use crate::api::{ApiClient, ApiError, HttpReply};
use crate::auth::{ExpirySource, Token};
use crate::secret::Secret;

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
    /// Hand the access token to the UI, which asked to copy it to the clipboard.
    CopyToken,
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
    },
    /// A query was cancelled before it finished.
    QueryCancelled {
        /// The query's id.
        id: u64,
    },
    /// The access token, sent only on [`Command::CopyToken`]; None if there is none.
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
pub fn spawn(client: ApiClient) -> WorkerHandle {
    let (commands, command_rx) = mpsc::unbounded_channel();
    let (event_tx, events) = mpsc::unbounded_channel();
    let (deadline, deadline_rx) = watch::channel(None);
    let session = Arc::new(Session {
        client,
        key: std::sync::Mutex::new(None),
        token: tokio::sync::Mutex::new(None),
        events: event_tx,
        deadline,
    });
    let task = tokio::spawn(run(session, command_rx, deadline_rx));
    WorkerHandle { commands, events, task }
}

async fn run(
    session: Arc<Session>,
    mut commands: mpsc::UnboundedReceiver<Command>,
    deadline: watch::Receiver<Option<Instant>>,
) {
    let refresher = tokio::spawn(refresh_on_time(session.clone(), deadline));
    let mut running: Option<(u64, AbortHandle)> = None;
    while let Some(command) = commands.recv().await {
        match command {
            Command::Authenticate(key) => {
                let s = session.clone();
                tokio::spawn(async move { s.authenticate(key).await });
            }
            Command::Refresh => {
                let s = session.clone();
                tokio::spawn(async move {
                    let stale = s.current_access().await;
                    // A failure is already reported to the UI as AuthFailed.
                    let _ = s.renew(stale).await;
                });
            }
            Command::SendQuery { id, body } => {
                cancel(&session, running.take());
                let handle = tokio::spawn(run_query(session.clone(), id, body));
                running = Some((id, handle.abort_handle()));
            }
            Command::Cancel => cancel(&session, running.take()),
            Command::CopyToken => {
                let s = session.clone();
                tokio::spawn(async move {
                    let token = s.current_access().await;
                    s.emit(WorkerEvent::AccessToken(token));
                });
            }
        }
    }
    refresher.abort();
    cancel(&session, running.take());
}

fn cancel(session: &Session, running: Option<(u64, AbortHandle)>) {
    if let Some((id, handle)) = running
        && !handle.is_finished()
    {
        handle.abort();
        session.emit(WorkerEvent::QueryCancelled { id });
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

async fn run_query(session: Arc<Session>, id: u64, body: String) {
    session.emit(WorkerEvent::QueryStarted { id });
    let sent = async {
        let token = session.clone().access().await?;
        let reply = session.client.post_query(&token, &body).await?;
        if !reply.is_token_expired() {
            return Ok((reply, false));
        }
        let fresh = session.clone().renew_detached(Some(token)).await?;
        Ok::<_, ApiError>((session.client.post_query(&fresh, &body).await?, true))
    };
    match sent.await {
        // The UI formats the body itself, off its thread, so that it can show progress.
        Ok((reply, retried)) => session.emit(WorkerEvent::QueryFinished { id, reply, retried }),
        Err(e) => session.emit(WorkerEvent::QueryFailed { id, error: e.to_string() }),
    }
}

/// How long to wait before retrying a proactive refresh that failed for a transient reason.
const RETRY_AFTER: Duration = Duration::from_secs(15);

struct Session {
    client: ApiClient,
    key: std::sync::Mutex<Option<Secret>>,
    token: tokio::sync::Mutex<Option<Token>>,
    events: mpsc::UnboundedSender<WorkerEvent>,
    deadline: watch::Sender<Option<Instant>>,
}

impl Session {
    fn emit(&self, event: WorkerEvent) {
        // An error means the UI is gone; the worker ends when its command channel closes.
        let _ = self.events.send(event);
    }

    fn stored_key(&self) -> Option<Secret> {
        self.key.lock().map_or(None, |k| k.clone())
    }

    async fn authenticate(&self, key: Secret) {
        if let Ok(mut slot) = self.key.lock() {
            *slot = Some(key.clone());
        }
        let mut slot = self.token.lock().await;
        self.emit(WorkerEvent::Authenticating);
        match self.client.authenticate(&key).await {
            Ok(response) => {
                self.store(&mut slot, response, Issue::Authenticated);
            }
            Err(e) => {
                *slot = None;
                self.deadline.send_replace(None);
                self.emit(WorkerEvent::AuthFailed { reason: e.to_string() });
            }
        }
    }

    fn store(
        &self,
        slot: &mut Option<Token>,
        response: crate::api::types::TokenResponse,
        how: Issue,
    ) -> Secret {
        let token = Token::from_response(response, Instant::now(), SystemTime::now());
        self.deadline.send_replace(token.refresh_at());
        self.emit(WorkerEvent::TokenIssued { info: TokenInfo::from(&token), how });
        let access = token.access.clone();
        *slot = Some(token);
        access
    }

    async fn current_access(&self) -> Option<Secret> {
        self.token.lock().await.as_ref().map(|t| t.access.clone())
    }

    /// A token to send: the current one while it lives, else a renewed one.
    async fn access(self: Arc<Self>) -> Result<Secret, ApiError> {
        let live = {
            let slot = self.token.lock().await;
            slot.as_ref().filter(|t| !t.is_expired_at(Instant::now())).map(|t| t.access.clone())
        };
        match live {
            Some(token) => Ok(token),
            None => self.renew_detached(None).await,
        }
    }

    /// [`Session::renew`] in its own task, so that cancelling a query never cuts a refresh in
    /// half (the server would rotate the refresh token and we would lose the new one).
    async fn renew_detached(self: Arc<Self>, stale: Option<Secret>) -> Result<Secret, ApiError> {
        tokio::spawn(async move { self.renew(stale).await })
            .await
            .unwrap_or_else(|e| Err(ApiError::Transport { host: "worker".into(), reason: e.to_string() }))
    }

    /// Replaces the token `stale` (or a missing or dead one): refresh first, then the API key.
    /// If another task already replaced it, returns the new one without a request.
    async fn renew(&self, stale: Option<Secret>) -> Result<Secret, ApiError> {
        let mut slot = self.token.lock().await;
        if let Some(current) = slot.as_ref()
            && Some(&current.access) != stale.as_ref()
            && !current.is_expired_at(Instant::now())
        {
            return Ok(current.access.clone());
        }
        let mut refresh_error = None;
        if let Some(refresh) = slot.as_ref().and_then(|t| t.refresh.clone()) {
            self.emit(WorkerEvent::Refreshing);
            match self.client.refresh(&refresh).await {
                Ok(response) => return Ok(self.store(&mut slot, response, Issue::Refreshed)),
                Err(e) => refresh_error = Some(e),
            }
        }
        let Some(key) = self.stored_key() else {
            let error = refresh_error.unwrap_or(ApiError::NoKey);
            self.give_up(&slot, &error, None);
            return Err(error);
        };
        self.emit(WorkerEvent::Authenticating);
        match self.client.authenticate(&key).await {
            Ok(response) => Ok(self.store(&mut slot, response, Issue::Reauthenticated)),
            Err(e) => {
                self.give_up(&slot, &e, refresh_error.as_ref());
                Err(e)
            }
        }
    }

    /// Reports a failed renewal. A transient failure is retried later while the old token lives;
    /// a refusal is not retried, so a bad key cannot cause a request storm.
    fn give_up(&self, slot: &Option<Token>, error: &ApiError, refresh_error: Option<&ApiError>) {
        let now = Instant::now();
        let retry = slot
            .as_ref()
            .and_then(Token::expires_at)
            .filter(|expiry| error.is_transient() && *expiry > now)
            .map(|expiry| (now + RETRY_AFTER).min(expiry));
        self.deadline.send_replace(retry);
        let reason = match refresh_error {
            Some(r) if r != error => {
                format!("refresh failed ({r}); re-authentication failed: {error}")
            }
            _ => error.to_string(),
        };
        self.emit(WorkerEvent::AuthFailed { reason });
    }
}
