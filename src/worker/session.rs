//! The token's owner: authentication, refresh, re-authentication, and the one-refresh-at-a-time
//! rule, behind an async mutex.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::{mpsc, watch};

use super::{Issue, TokenInfo, WorkerEvent};
use crate::api::{ApiClient, ApiError, HttpReply};
use crate::auth::Token;
use crate::secret::Secret;

/// How long to wait before retrying a proactive refresh that failed for a transient reason.
const RETRY_AFTER: Duration = Duration::from_secs(15);

/// Shared by every task of the worker.
pub(super) struct Session {
    pub(super) client: ApiClient,
    key: std::sync::Mutex<Option<Secret>>,
    token: tokio::sync::Mutex<Option<Token>>,
    events: mpsc::UnboundedSender<WorkerEvent>,
    deadline: watch::Sender<Option<Instant>>,
}

impl Session {
    pub(super) fn new(
        client: ApiClient,
        events: mpsc::UnboundedSender<WorkerEvent>,
        deadline: watch::Sender<Option<Instant>>,
    ) -> Self {
        Self {
            client,
            key: std::sync::Mutex::new(None),
            token: tokio::sync::Mutex::new(None),
            events,
            deadline,
        }
    }

    pub(super) fn emit(&self, event: WorkerEvent) {
        // An error means the UI is gone; the worker ends when its command channel closes.
        let _ = self.events.send(event);
    }

    fn stored_key(&self) -> Option<Secret> {
        self.key.lock().map_or(None, |k| k.clone())
    }

    pub(super) async fn authenticate(&self, key: Secret) {
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

    pub(super) async fn current_access(&self) -> Option<Secret> {
        self.token.lock().await.as_ref().map(|t| t.access.clone())
    }

    /// A token to send: the current one while it lives, else a renewed one.
    pub(super) async fn access(self: Arc<Self>) -> Result<Secret, ApiError> {
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
    pub(super) async fn renew_detached(self: Arc<Self>, stale: Option<Secret>) -> Result<Secret, ApiError> {
        tokio::spawn(async move { self.renew(stale).await })
            .await
            .unwrap_or_else(|e| Err(ApiError::Internal(format!("the refresh task failed: {e}"))))
    }

    /// Replaces the token `stale` (or a missing or dead one): refresh first, then the API key.
    /// If another task already replaced it, returns the new one without a request.
    pub(super) async fn renew(&self, stale: Option<Secret>) -> Result<Secret, ApiError> {
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

    /// Reports a failed renewal. A transient failure (the server unreachable or slow) is retried
    /// every [`RETRY_AFTER`]; a refusal is not, so a bad key cannot cause a request storm.
    fn give_up(&self, slot: &Option<Token>, error: &ApiError, refresh_error: Option<&ApiError>) {
        // The server may come back: keep trying while there is something to renew.
        let retry = (error.is_transient() && slot.is_some()).then(|| Instant::now() + RETRY_AFTER);
        self.deadline.send_replace(retry);
        let mut reason = match refresh_error {
            Some(r) if r != error => {
                format!("refresh failed ({r}); re-authentication failed: {error}")
            }
            _ => error.to_string(),
        };
        if retry.is_some() {
            reason.push_str(&format!(
                "; trying again in {} s (Enter in this pane: now)",
                RETRY_AFTER.as_secs()
            ));
        }
        self.emit(WorkerEvent::AuthFailed { reason });
    }
}

/// Runs `call` with a live token. If the API refuses the token as expired, renews it (sharing a
/// refresh with anyone else who needs one) and runs `call` once more. Returns whether it re-ran.
pub(super) async fn authorized<F, Fut>(session: &Arc<Session>, call: F) -> Result<(HttpReply, bool), ApiError>
where
    F: Fn(Secret) -> Fut,
    Fut: std::future::Future<Output = Result<HttpReply, ApiError>>,
{
    let token = session.clone().access().await?;
    let reply = call(token.clone()).await?;
    if !reply.is_token_expired() {
        return Ok((reply, false));
    }
    let fresh = session.clone().renew_detached(Some(token)).await?;
    Ok((call(fresh).await?, true))
}
