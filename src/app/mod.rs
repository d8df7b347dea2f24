//! The model: all state, and the one `update` that changes it. Knows nothing about terminals
//! or sockets: network work is asked of the worker through [`Effect`]s.

pub mod keymap;
pub mod viewer;

use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use crossterm::event::{KeyEvent, KeyEventKind};
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui_textarea::TextArea;

use crate::api::HttpReply;
use crate::api::message::server_message;
use crate::clipboard::Clip;
use crate::secret::Secret;
use crate::worker::{Command, Issue, TokenInfo, WorkerEvent};
use keymap::Action;

/// The panes, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    /// The masked API key input.
    ApiKey,
    /// The query JSON editor.
    Query,
    /// The response viewer.
    Response,
    /// The token status and countdown.
    Token,
}

impl Pane {
    /// Every pane, in Tab order.
    pub const ALL: [Pane; 4] = [Pane::ApiKey, Pane::Query, Pane::Response, Pane::Token];

    fn step(self, forward: bool) -> Pane {
        let i = Self::ALL.iter().position(|p| *p == self).unwrap_or(0);
        let n = Self::ALL.len();
        Self::ALL[if forward { (i + 1) % n } else { (i + n - 1) % n }]
    }
}

/// The token as the user sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum TokenState {
    /// No token yet.
    None,
    /// The API key is being exchanged.
    Authenticating,
    /// A token is in use.
    Valid(TokenInfo),
    /// The token is being refreshed.
    Refreshing(TokenInfo),
    /// The token outlived its expiry without a refresh.
    Expired(TokenInfo),
    /// No token could be obtained.
    Failed {
        /// Why, in words.
        reason: String,
        /// The last token, if one was still around.
        last: Option<TokenInfo>,
    },
}

impl TokenState {
    /// The current or last token's details.
    pub fn info(&self) -> Option<&TokenInfo> {
        match self {
            Self::Valid(i) | Self::Refreshing(i) | Self::Expired(i) => Some(i),
            Self::Failed { last, .. } => last.as_ref(),
            Self::None | Self::Authenticating => None,
        }
    }
}

/// The last answer to a query.
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Time from sending to the end of the body.
    pub elapsed: Duration,
    /// Body size in bytes.
    pub size: usize,
    /// The server's own message, for an error status.
    pub message: Option<String>,
    /// Advice for answers that are known to puzzle people.
    pub hint: Option<String>,
    /// Whether the query was re-sent after a token refresh.
    pub retried: bool,
}

impl Reply {
    fn new(reply: &HttpReply, retried: bool) -> Self {
        let success = reply.is_success();
        let message = if success { None } else { server_message(&reply.body) };
        Self {
            status: reply.status,
            elapsed: reply.elapsed,
            size: reply.body.len(),
            hint: hint_for(reply, message.is_none()),
            message,
            retried,
        }
    }
}

fn hint_for(reply: &HttpReply, no_message: bool) -> Option<String> {
    match reply.status {
        500 if no_message => Some(
            "PAIRS answers 500 with an empty body when the account may not use a layer in the query: \
             check the layer ids and your entitlements."
                .into(),
        ),
        401 | 403 if reply.is_token_expired() => Some(
            "The token was refused as expired even after a refresh: the server's clock may be off.".into(),
        ),
        _ => None,
    }
}

/// What the response pane shows.
#[derive(Debug, Clone)]
pub enum ResponseState {
    /// Nothing sent yet.
    Empty,
    /// An HTTP answer.
    Reply(Box<Reply>),
    /// The query got no answer.
    Failed(String),
}

/// A one-line message in the footer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The text.
    pub text: String,
    /// Whether it reports a problem.
    pub error: bool,
}

/// A popup that takes the keyboard.
#[derive(Debug, Clone)]
pub enum Overlay {
    /// The help overlay.
    Help,
    /// Asking for a file name to save something under.
    SaveAs(Box<TextArea<'static>>, SaveTarget),
}

/// What a "save as" prompt saves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveTarget {
    /// The query being edited.
    Query,
    /// The response body, as received.
    Body,
}

/// Side effects that `update` asks the event loop to perform.
#[derive(Debug)]
pub enum Effect {
    /// Hand a command to the worker.
    Worker(Command),
    /// Write the query to a file (small and local, so the loop does it at once).
    SaveQuery {
        /// Where.
        path: PathBuf,
        /// What.
        text: String,
    },
    /// Run slow viewer work (formatting, a jq filter) off the UI thread.
    Job(viewer::Job),
    /// Put text on the clipboard through the terminal (OSC 52).
    Clipboard(Clip),
    /// Write the response body to a file, byte for byte.
    SaveBody {
        /// Where.
        path: PathBuf,
        /// The body as received.
        body: bytes::Bytes,
    },
}

/// Inputs to `update`.
#[derive(Debug)]
pub enum Msg {
    /// A key press.
    Key(KeyEvent),
    /// Bracketed paste: text, never key bindings.
    Paste(String),
    /// The terminal's new size.
    Resize(u16, u16),
    /// The one-second clock.
    Tick(Instant),
    /// A report from the worker.
    Worker(WorkerEvent),
    /// The result of an [`Effect::SaveQuery`].
    Saved(Result<PathBuf, String>),
    /// A report from the response viewer's background work.
    Viewer(viewer::ViewerMsg),
}

/// A query that is on its way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Running {
    /// Its id.
    pub id: u64,
    /// When it was sent.
    pub since: Instant,
}

/// The whole state of the program.
pub struct App {
    /// The focused pane.
    pub focus: Pane,
    /// The API key input (drawn masked).
    pub key_input: TextArea<'static>,
    /// The query editor.
    pub editor: TextArea<'static>,
    /// The file the query came from and is saved to.
    pub query_path: Option<PathBuf>,
    /// The query's JSON error, as (line, column, message), 1-based.
    pub query_error: Option<(usize, usize, String)>,
    /// The token.
    pub token: TokenState,
    /// When the token was last refreshed (not first obtained).
    pub last_refresh: Option<SystemTime>,
    /// The running query, if any.
    pub running: Option<Running>,
    /// The last answer.
    pub response: ResponseState,
    /// The response viewer: body, position, folds, search, filter, views.
    pub viewer: viewer::Viewer,
    /// A popup, if open.
    pub overlay: Option<Overlay>,
    /// The footer message.
    pub notice: Option<Notice>,
    /// The auth server, shown under the key.
    pub auth_label: String,
    /// The API base, shown under the key.
    pub api_label: String,
    /// The clock, as of the last tick or event.
    pub now: Instant,
    /// The time zone wall-clock times are shown in.
    pub timezone: chrono::FixedOffset,
    /// The terminal size.
    pub size: Rect,
    /// Set when the user quits.
    pub should_quit: bool,
    next_id: u64,
}

impl App {
    /// A new app with the query text (and its file, if any) loaded in the editor.
    pub fn new(query: &str, query_path: Option<PathBuf>, now: Instant) -> Self {
        let mut app = Self {
            focus: Pane::Query,
            key_input: TextArea::default(),
            editor: TextArea::new(query.lines().map(str::to_owned).collect()),
            query_path,
            query_error: None,
            token: TokenState::None,
            last_refresh: None,
            running: None,
            response: ResponseState::Empty,
            viewer: viewer::Viewer::default(),
            overlay: None,
            notice: None,
            auth_label: String::new(),
            api_label: String::new(),
            now,
            timezone: *chrono::Local::now().offset(),
            size: Rect::new(0, 0, 80, 24),
            should_quit: false,
            next_id: 0,
        };
        app.key_input.set_placeholder_text("paste or type your API key, then Enter");
        app.editor.set_tab_length(2);
        app.validate_query();
        app.style_cursors();
        app
    }

    /// Puts a key in the key pane (from `PAIRS_API_KEY` or `--demo`).
    pub fn set_key(&mut self, key: &Secret) {
        self.key_input = TextArea::new(vec![key.expose().to_owned()]);
        self.key_input.move_cursor(ratatui_textarea::CursorMove::End);
        self.style_cursors();
    }

    /// The key as typed, trimmed.
    pub fn key(&self) -> Secret {
        Secret::new(self.key_input.lines().join(""))
    }

    /// The query text.
    pub fn query_text(&self) -> String {
        self.editor.lines().join("\n")
    }

    fn validate_query(&mut self) {
        self.query_error = match serde_json::from_str::<serde::de::IgnoredAny>(&self.query_text()) {
            Ok(_) => None,
            Err(e) => Some((e.line(), e.column(), strip_position(&e.to_string()))),
        };
    }

    /// Shows the editor's cursor only where typing goes.
    fn style_cursors(&mut self) {
        let shown = Style::default().add_modifier(Modifier::REVERSED);
        let pick = |on: bool| if on { shown } else { Style::default() };
        self.editor.set_cursor_style(pick(self.focus == Pane::Query && self.overlay.is_none()));
        self.key_input.set_cursor_style(pick(self.focus == Pane::ApiKey && self.overlay.is_none()));
        self.editor.set_cursor_line_style(Style::default());
        self.key_input.set_cursor_line_style(Style::default());
    }

    fn notify(&mut self, text: impl Into<String>, error: bool) {
        self.notice = Some(Notice { text: text.into(), error });
    }

    /// The number of response lines visible at once (from the current layout).
    pub fn response_height(&self) -> usize {
        let area = crate::ui::layout(self.size).response;
        let banners = crate::ui::banner_height(self, area.width.saturating_sub(2));
        usize::from(area.height.saturating_sub(2).saturating_sub(banners)).max(1)
    }
}

/// serde_json appends " at line L column C"; the title shows the position on its own.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// Applies one message to the state and returns the side effects to perform.
pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    let mut effects = Vec::new();
    match msg {
        Msg::Key(key) if key.kind != KeyEventKind::Release => on_key(app, key, &mut effects),
        Msg::Key(_) => {}
        Msg::Paste(text) => on_paste(app, &text),
        Msg::Resize(w, h) => {
            app.size = Rect::new(0, 0, w, h);
            clamp_scroll(app);
        }
        Msg::Tick(now) => {
            app.now = now;
            if let TokenState::Valid(info) = &app.token
                && info.expires_at.is_some_and(|e| now >= e)
            {
                app.token = TokenState::Expired(info.clone());
            }
        }
        Msg::Worker(event) => on_worker(app, event, &mut effects),
        Msg::Viewer(msg) => viewer::on_msg(app, msg),
        Msg::Saved(Ok(path)) => {
            app.notify(format!("saved {}", path.display()), false);
            app.query_path = Some(path);
        }
        Msg::Saved(Err(e)) => app.notify(format!("not saved: {e}"), true),
    }
    effects
}

fn on_key(app: &mut App, key: KeyEvent, effects: &mut Vec<Effect>) {
    if let Some(overlay) = app.overlay.as_mut() {
        let action = keymap::resolve(app.focus, &key);
        match (overlay, action) {
            (_, Some(Action::Quit)) => app.should_quit = true,
            (Overlay::Help, Some(Action::Help | Action::Cancel)) => close_overlay(app),
            (Overlay::Help, _) => {}
            (Overlay::SaveAs(..), Some(Action::Cancel)) => {
                close_overlay(app);
                app.notify("not saved", false);
            }
            (Overlay::SaveAs(input, target), _) if key.code == crossterm::event::KeyCode::Enter => {
                let name = input.lines().join("").trim().to_owned();
                let target = *target;
                close_overlay(app);
                if name.is_empty() {
                    app.notify("not saved: no file name", true);
                } else if target == SaveTarget::Body {
                    viewer::save_body(app, PathBuf::from(name), effects);
                } else {
                    effects.push(Effect::SaveQuery { path: PathBuf::from(name), text: app.query_text() });
                }
            }
            (Overlay::SaveAs(input, _), _) => {
                input.input(key);
            }
        }
        return;
    }
    if viewer::on_prompt_key(app, key, effects) {
        return;
    }
    match keymap::resolve(app.focus, &key) {
        Some(action) => on_action(app, action, effects),
        None => match app.focus {
            Pane::ApiKey => {
                app.key_input.input(key);
            }
            Pane::Query => {
                if app.editor.input(key) {
                    app.validate_query();
                }
            }
            Pane::Response | Pane::Token => {}
        },
    }
}

fn close_overlay(app: &mut App) {
    app.overlay = None;
    app.style_cursors();
}

fn on_action(app: &mut App, action: Action, effects: &mut Vec<Effect>) {
    match action {
        Action::Quit => app.should_quit = true,
        Action::Help => {
            app.overlay = Some(Overlay::Help);
            app.style_cursors();
        }
        Action::FocusNext | Action::FocusPrev => {
            app.focus = app.focus.step(action == Action::FocusNext);
            app.style_cursors();
        }
        Action::Send => send(app, effects),
        Action::Cancel => {
            if app.running.is_some() {
                effects.push(Effect::Worker(Command::Cancel));
            } else {
                viewer::escape(app);
            }
        }
        Action::Authenticate => {
            let key = app.key();
            if key.is_empty() {
                app.notify("enter an API key first", true);
            } else {
                effects.push(Effect::Worker(Command::Authenticate(key)));
            }
        }
        Action::Save => match &app.query_path {
            Some(path) => effects.push(Effect::SaveQuery { path: path.clone(), text: app.query_text() }),
            None => {
                let mut input = TextArea::default();
                input.set_placeholder_text("query.json");
                app.overlay = Some(Overlay::SaveAs(Box::new(input), SaveTarget::Query));
                app.style_cursors();
            }
        },
        Action::RefreshToken => {
            if app.token.info().is_some_and(|i| i.refreshable) {
                effects.push(Effect::Worker(Command::Refresh));
            } else {
                app.notify("no refresh token: authenticate from the API key pane", true);
            }
        }
        Action::Undo | Action::Redo => {
            let changed = if action == Action::Undo { app.editor.undo() } else { app.editor.redo() };
            if changed {
                app.validate_query();
            }
        }
        viewing => viewer::on_action(app, viewing, effects),
    }
}

fn clamp_scroll(app: &mut App) {
    viewer::fit(app);
}

fn send(app: &mut App, effects: &mut Vec<Effect>) {
    app.validate_query();
    if let Some((line, column, message)) = &app.query_error {
        app.notify(
            format!("not sent: the query is not valid JSON (line {line}, column {column}: {message})"),
            true,
        );
        return;
    }
    app.next_id += 1;
    app.running = Some(Running { id: app.next_id, since: app.now });
    app.viewer.stop();
    app.notice = None;
    effects.push(Effect::Worker(Command::SendQuery { id: app.next_id, body: app.query_text() }));
}

fn on_paste(app: &mut App, text: &str) {
    match (&mut app.overlay, app.focus) {
        (Some(Overlay::SaveAs(input, _)), _) => {
            input.insert_str(text.lines().next().unwrap_or_default().trim());
        }
        (Some(Overlay::Help), _) => {}
        (None, Pane::ApiKey) => {
            // A key has no whitespace: a pasted trailing newline must not split or submit it.
            let clean: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            app.key_input.insert_str(clean);
        }
        (None, Pane::Query) => {
            app.editor.insert_str(text.replace("\r\n", "\n").replace('\r', "\n"));
            app.validate_query();
        }
        (None, Pane::Response) if app.viewer.prompt.is_some() => viewer::on_paste(&mut app.viewer, text),
        (None, Pane::Response | Pane::Token) => app.notify("paste goes into the key or query pane", false),
    }
}

fn on_worker(app: &mut App, event: WorkerEvent, effects: &mut Vec<Effect>) {
    match event {
        WorkerEvent::Authenticating => app.token = TokenState::Authenticating,
        WorkerEvent::Refreshing => {
            app.token = match app.token.info() {
                Some(info) => TokenState::Refreshing(info.clone()),
                None => TokenState::Authenticating,
            };
        }
        WorkerEvent::TokenIssued { info, how } => {
            if how != Issue::Authenticated {
                app.last_refresh = Some(info.received_wall);
            }
            if how == Issue::Reauthenticated {
                app.notify("the refresh token was refused: signed in again with the API key", false);
            }
            app.token = TokenState::Valid(info);
        }
        WorkerEvent::AuthFailed { reason } => {
            let last = app.token.info().cloned();
            app.token = TokenState::Failed { reason, last };
        }
        WorkerEvent::QueryStarted { .. } => {}
        WorkerEvent::QueryFinished { id, reply, retried } => {
            if take_running(app, id) {
                app.response = ResponseState::Reply(Box::new(Reply::new(&reply, retried)));
                viewer::load(app, reply.body, effects);
            }
        }
        WorkerEvent::QueryFailed { id, error } => {
            if take_running(app, id) {
                app.viewer.clear();
                app.response = ResponseState::Failed(error);
            }
        }
        WorkerEvent::QueryCancelled { id } => {
            if take_running(app, id) {
                app.notify("request cancelled", false);
            }
        }
        WorkerEvent::AccessToken(Some(token)) => {
            viewer::clipboard(app, "the access token", Clip::new(token.expose()), effects);
        }
        WorkerEvent::AccessToken(None) => app.notify("no access token to copy: authenticate first", true),
    }
}

/// Ends the running query if `id` is it; results of older queries are dropped.
fn take_running(app: &mut App, id: u64) -> bool {
    let current = app.running.is_some_and(|r| r.id == id);
    if current {
        app.running = None;
    }
    current
}

#[cfg(test)]
pub(crate) mod tests;
