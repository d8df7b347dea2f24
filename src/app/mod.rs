//! The model: all state, and the one `update` that changes it. Knows nothing about terminals
//! or sockets: network work is asked of the worker through [`Effect`]s.

pub mod editor;
pub mod jobs;
pub mod keymap;
pub mod picker;
pub mod viewer;

use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui_textarea::TextArea;

use crate::api::HttpReply;
use crate::api::message::server_message;
use crate::api::types::Layer;
use crate::clipboard::Clip;
use crate::secret::Secret;
use crate::worker::{Command, Issue, TokenInfo, WorkerEvent};
use jobs::{CatalogPopup, JobStage, JobView, JobsPopup, PickerKey};
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
    /// Where the body came from when it is not a direct answer (a job's saved results).
    pub origin: Option<String>,
    /// A dry run's usage estimate, as (what, value) rows.
    pub estimate: Vec<(String, String)>,
}

impl Reply {
    fn new(reply: &HttpReply, retried: bool) -> Self {
        let success = reply.is_success();
        // An error message is short; a huge error body is not parsed on the UI thread for it.
        let head = &reply.body[..reply.body.len().min(SMALL_ANSWER)];
        let message = if success { None } else { server_message(head) };
        Self {
            status: reply.status,
            elapsed: reply.elapsed,
            size: reply.body.len(),
            hint: hint_for(reply, message.is_none()),
            message,
            retried,
            origin: None,
            estimate: if success { estimate(&reply.body) } else { Vec::new() },
        }
    }
}

/// `5242880 bytes (5.0 MiB)`: the figure as sent, and a readable size when it is in bytes.
fn amount(value: &str, unit: &str) -> String {
    let sent = format!("{value} {unit}").trim().to_owned();
    match value.parse::<u64>() {
        Ok(bytes) if unit == "bytes" && bytes >= 1024 => {
            format!("{sent} ({})", crate::ui::human_size(usize::try_from(bytes).unwrap_or(usize::MAX)))
        }
        _ => sent,
    }
}

/// The rows of a dry run's `info`, in either key casing (the wire casing is not documented).
fn estimate(body: &[u8]) -> Vec<(String, String)> {
    let Some(serde_json::Value::Object(top)) = small_json(body) else {
        return Vec::new();
    };
    let Some(serde_json::Value::Object(info)) = top.get("info") else {
        return Vec::new();
    };
    let field = |names: &[&str]| {
        names.iter().find_map(|n| info.get(*n)).filter(|v| !v.is_null()).map(|v| match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    };
    let unit = field(&["usageUnit", "usage_unit"]).unwrap_or_default();
    let rows = [
        ("usage", field(&["usage"]).map(|u| amount(&u, &unit))),
        ("max usage", field(&["maxUsage", "max_usage"]).map(|u| amount(&u, &unit))),
        ("size", field(&["size"]).map(|s| format!("{s} MB"))),
        ("max size", field(&["maxSize", "max_size"]).map(|s| format!("{s} MB"))),
        ("count", field(&["count"])),
        ("interactive max", field(&["interactiveMaxCount", "interactive_max_count"])),
        ("max count", field(&["maxCount", "max_count"])),
    ];
    rows.into_iter().filter_map(|(k, v)| v.map(|v| (k.to_owned(), v))).collect()
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
    /// A job being followed.
    Job(Box<JobView>),
}

/// A one-line message in the footer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The text.
    pub text: String,
    /// Whether it reports a problem.
    pub error: bool,
    /// When it was shown; it fades after [`NOTICE_LIFE`].
    pub since: Instant,
}

/// How long a notice stays in the footer.
pub const NOTICE_LIFE: Duration = Duration::from_secs(10);

/// A popup that takes the keyboard.
#[derive(Debug, Clone)]
pub enum Overlay {
    /// The help overlay.
    Help,
    /// Asking for a file name to save something under.
    SaveAs(Box<TextArea<'static>>, SaveTarget),
    /// The recent jobs.
    Jobs(Box<JobsPopup>),
    /// The data layer catalog.
    Catalog(Box<CatalogPopup>),
    /// Choosing a query file to open.
    Picker(Box<picker::Picker>),
    /// Choosing a template; the highlighted one.
    Templates(usize),
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
        /// Whether an existing file may be replaced (else the loop reports it exists).
        overwrite: bool,
    },
    /// List a directory for the file picker.
    ListDir(PathBuf),
    /// Read a query file into the editor.
    OpenQuery(PathBuf),
    /// Lend the terminal to `$EDITOR` with this text.
    EditExternally(String),
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
        /// Whether an existing file may be replaced (else the loop reports it exists).
        overwrite: bool,
    },
}

/// Inputs to `update`.
// Messages are moved once from the channel into `update` and never stored, so a large variant
// costs a copy per event, not memory; boxing would cost an allocation instead.
#[allow(clippy::large_enum_variant)]
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
    /// A save was not done because the file exists; the user is asked first.
    SaveExists(PathBuf, SaveTarget),
    /// The result of an [`Effect::ListDir`].
    Listed(Result<picker::Listing, String>),
    /// The result of an [`Effect::OpenQuery`]: the file and its text.
    Opened(Result<(PathBuf, String), String>),
    /// The result of an [`Effect::EditExternally`]: the edited text.
    EditedExternally(Result<String, String>),
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
    /// The query's JSON error, as (line, column, message), 1-based, the column in characters.
    pub query_error: Option<(usize, usize, String)>,
    /// The editor's view, highlighting and warnings.
    pub query_view: editor::EditorView,
    /// The colours the terminal shows.
    pub color: crate::ui::theme::ColorDepth,
    /// The token.
    pub token: TokenState,
    /// When the token was last refreshed (not first obtained).
    pub last_refresh: Option<SystemTime>,
    /// The running query, if any.
    pub running: Option<Running>,
    /// The hash of the query as last loaded or saved, for the "modified" mark.
    clean: u64,
    /// A file the user was warned exists; entering it again replaces it.
    overwrite: Option<PathBuf>,
    /// An action that would drop unsaved changes and was warned about; pressing it again
    /// (as the very next key) goes ahead.
    armed: Option<Action>,
    /// Whether the key being handled is that second press.
    confirmed: bool,
    /// Whether the query has changes not saved (kept for drawing; see [`App::is_modified`]).
    pub modified: bool,
    /// The catalog of data layers, fetched once per session.
    pub catalog: Option<Result<Vec<Layer>, String>>,
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
            editor: TextArea::default(),
            query_path,
            query_error: None,
            query_view: editor::EditorView::default(),
            color: crate::ui::theme::ColorDepth::Ansi16,
            token: TokenState::None,
            last_refresh: None,
            running: None,
            clean: 0,
            overwrite: None,
            armed: None,
            confirmed: false,
            modified: false,
            catalog: None,
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
        app.load_text(query);
        app
    }

    /// Puts a key in the key pane (from `PAIRS_API_KEY` or `--demo`).
    pub fn set_key(&mut self, key: &Secret) {
        self.key_input = TextArea::new(vec![key.expose().to_owned()]);
        self.key_input.move_cursor(ratatui_textarea::CursorMove::End);
        self.style_cursors();
    }

    /// Replaces the editor with `text` and a fresh undo history, taken as saved.
    pub(crate) fn load_text(&mut self, text: &str) {
        self.editor = TextArea::new(text.lines().map(str::to_owned).collect());
        self.editor.set_tab_length(2);
        self.query_view.replacements.clear();
        self.style_cursors();
        self.validate_query();
        self.mark_clean();
    }

    /// Whether the query differs from what was last loaded or saved.
    pub fn is_modified(&self) -> bool {
        editor::hash(self.editor.lines()) != self.clean
    }

    /// Takes the current query as saved.
    pub(crate) fn mark_clean(&mut self) {
        self.clean = editor::hash(self.editor.lines());
    }

    /// Moves the focus to `pane`.
    pub fn set_focus(&mut self, pane: Pane) {
        self.focus = pane;
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
        editor::validate(self);
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
        self.notice = Some(Notice { text: text.into(), error, since: self.now });
    }

    /// The number of response lines visible at once (from the current layout).
    pub fn response_height(&self) -> usize {
        let area = crate::ui::layout(self.size).response;
        let banners = crate::ui::banner_height(self, area.width.saturating_sub(2));
        usize::from(area.height.saturating_sub(2).saturating_sub(banners)).max(1)
    }
}

/// serde_json appends " at line L column C"; the title shows the position on its own.
pub(crate) fn strip_position(message: &str) -> &str {
    message.rfind(" at line ").map_or(message, |i| &message[..i])
}

/// Applies one message to the state and returns the side effects to perform.
pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    let mut effects = Vec::new();
    // The clock changes nothing in the editor: skipping its upkeep keeps an idle program idle
    // even with a very long query.
    let editing = !matches!(msg, Msg::Tick(_) | Msg::Worker(_) | Msg::Viewer(_));
    match msg {
        Msg::Key(key) if key.kind != KeyEventKind::Release => on_key(app, key, &mut effects),
        Msg::Key(_) => {}
        Msg::Paste(text) => on_paste(app, &text),
        Msg::Resize(w, h) => {
            app.size = Rect::new(0, 0, w, h);
            viewer::fit(app);
        }
        Msg::Tick(now) => {
            app.now = now;
            if app.notice.as_ref().is_some_and(|n| now.saturating_duration_since(n.since) >= NOTICE_LIFE) {
                app.notice = None;
            }
            if let TokenState::Valid(info) = &app.token
                && info.expires_at.is_some_and(|e| now >= e)
            {
                app.token = TokenState::Expired(info.clone());
            }
        }
        Msg::Worker(event) => on_worker(app, event, &mut effects),
        Msg::Viewer(msg) => viewer::on_msg(app, msg),
        Msg::SaveExists(path, target) => {
            let mut input = TextArea::new(vec![path.display().to_string()]);
            input.move_cursor(ratatui_textarea::CursorMove::End);
            app.notify(format!("{} exists: Enter replaces it, Esc keeps it", path.display()), true);
            app.overwrite = Some(path);
            app.overlay = Some(Overlay::SaveAs(Box::new(input), target));
            app.style_cursors();
        }
        Msg::Saved(Ok(path)) => {
            app.mark_clean();
            app.notify(format!("saved {}", path.display()), false);
            app.query_path = Some(path);
        }
        Msg::Saved(Err(e)) => app.notify(format!("not saved: {e}"), true),
        Msg::Listed(listing) => editor::listed(app, listing),
        Msg::Opened(result) => editor::opened(app, result),
        Msg::EditedExternally(result) => editor::edited(app, result),
    }
    if editing {
        editor::sync(app);
        app.modified = app.is_modified();
    }
    effects
}

fn on_key(app: &mut App, key: KeyEvent, effects: &mut Vec<Effect>) {
    let armed = app.armed.take();
    app.confirmed = armed.is_some() && armed == keymap::resolve(app.focus, &key);
    if let Some(overlay) = app.overlay.as_mut() {
        let action = keymap::resolve(app.focus, &key);
        match (overlay, action) {
            (_, Some(Action::Quit)) => quit(app),
            (Overlay::Picker(_) | Overlay::Templates(_), _) => editor::on_overlay_key(app, key, effects),
            (Overlay::Help, Some(Action::Help | Action::Cancel)) => close_overlay(app),
            (Overlay::Help, _) => {}
            (Overlay::SaveAs(..), Some(Action::Cancel)) => {
                close_overlay(app);
                app.notify("not saved", false);
            }
            (Overlay::SaveAs(input, target), _) if key.code == KeyCode::Enter => {
                let path = PathBuf::from(input.lines().join("").trim());
                let target = *target;
                close_overlay(app);
                // The same name entered again after the warning replaces the file.
                let overwrite = app.overwrite.take().is_some_and(|asked| asked == path);
                if path.as_os_str().is_empty() {
                    app.notify("not saved: no file name", true);
                } else if target == SaveTarget::Body {
                    viewer::save_body(app, path, overwrite, effects);
                } else {
                    effects.push(Effect::SaveQuery { path, text: app.query_text(), overwrite });
                }
            }
            (Overlay::SaveAs(input, _), _) => {
                input.input(key);
            }
            (Overlay::Jobs(_), _) => jobs_popup_key(app, &key, effects),
            (Overlay::Catalog(_), _) => catalog_popup_key(app, &key, effects),
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

fn jobs_popup_key(app: &mut App, key: &KeyEvent, effects: &mut Vec<Effect>) {
    let Some(Overlay::Jobs(popup)) = app.overlay.as_mut() else { return };
    if key.code == KeyCode::F(7) {
        popup.jobs = None;
        effects.push(Effect::Worker(Command::ListJobs));
        return;
    }
    let visible = popup.visible().len();
    match popup.picker.key(key, visible) {
        PickerKey::Handled => {}
        PickerKey::Close => close_overlay(app),
        PickerKey::Choose => match popup.chosen() {
            Some(id) => {
                close_overlay(app);
                follow_job(app, id, effects);
            }
            None => app.notify("choose a job, or type a job id (10 digits, _, 8 digits)", true),
        },
    }
}

fn catalog_popup_key(app: &mut App, key: &KeyEvent, effects: &mut Vec<Effect>) {
    let Some(Overlay::Catalog(popup)) = app.overlay.as_mut() else { return };
    let layers = match &app.catalog {
        Some(Ok(layers)) => layers.as_slice(),
        _ => &[],
    };
    let visible = popup.visible(layers);
    let selected = visible.get(popup.picker.selected).map(|l| (l.id.clone(), l.name.clone()));
    let count = visible.len();
    if key.code == KeyCode::Char('d') && key.modifiers == KeyModifiers::CONTROL {
        if let Some((id, _)) = selected {
            popup.details = None;
            effects.push(Effect::Worker(Command::FetchLayer(id)));
        }
        return;
    }
    if key.code == KeyCode::F(8) && matches!(app.catalog, Some(Err(_))) {
        app.catalog = None;
        effects.push(Effect::Worker(Command::FetchCatalog));
        return;
    }
    let before = popup.picker.clone();
    match popup.picker.key(key, count) {
        PickerKey::Handled => {
            if popup.picker != before {
                popup.details = None;
            }
        }
        PickerKey::Close => close_overlay(app),
        PickerKey::Choose => match selected {
            Some((id, name)) => {
                close_overlay(app);
                // Layer ids are strings in a query: quoted, unless the cursor is already in quotes.
                let (row, col) = (app.editor.cursor().0, app.editor.cursor().1);
                let before = app.editor.lines().get(row).and_then(|l| l.chars().nth(col.wrapping_sub(1)));
                let inserted = if before == Some('"') { id.clone() } else { format!("\"{id}\"") };
                app.editor.insert_str(&inserted);
                app.validate_query();
                app.set_focus(Pane::Query);
                app.notify(format!("inserted layer {id} ({name})"), false);
            }
            None => app.notify("no layer matches the filter", true),
        },
    }
}

/// Shows job `id` in the response pane and asks the worker to follow it.
fn follow_job(app: &mut App, id: String, effects: &mut Vec<Effect>) {
    app.response = ResponseState::Job(Box::new(JobView::new(id.clone(), app.now)));
    effects.push(Effect::Worker(Command::FollowJob(id)));
}

/// A file name for a new query: its `name`, made safe for a file name, or `query.json`.
fn suggested_name(query: &str) -> String {
    let name = serde_json::from_str::<serde_json::Value>(query)
        .ok()
        .and_then(|q| q.get("name").and_then(|n| n.as_str().map(str::to_owned)))
        .unwrap_or_default();
    let safe: String = name
        .chars()
        .map(|c| if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '-' })
        .collect();
    let safe = safe.trim_matches(|c| c == '-' || c == '.');
    if safe.is_empty() { "query.json".to_owned() } else { format!("{safe}.json") }
}

/// Quits, unless the query has unsaved changes: then the first Ctrl-Q warns.
fn quit(app: &mut App) {
    if may_discard(app, Action::Quit, "Ctrl-Q again quits") {
        app.should_quit = true;
    }
}

/// Whether `action` may drop the query's unsaved changes: yes if there are none or if this is
/// the second press; otherwise the footer warns and the next press of the same key goes ahead.
pub(crate) fn may_discard(app: &mut App, action: Action, again: &str) -> bool {
    if !app.is_modified() || app.confirmed {
        return true;
    }
    app.armed = Some(action);
    app.notify(format!("the query has unsaved changes: Ctrl-S saves, {again}"), true);
    false
}

fn close_overlay(app: &mut App) {
    app.overlay = None;
    app.style_cursors();
}

fn on_action(app: &mut App, action: Action, effects: &mut Vec<Effect>) {
    match action {
        Action::Quit => quit(app),
        Action::Help => {
            app.overlay = Some(Overlay::Help);
            app.style_cursors();
        }
        Action::FocusNext | Action::FocusPrev => {
            app.set_focus(app.focus.step(action == Action::FocusNext));
        }
        Action::Send => send(app, effects),
        Action::Cancel => {
            if app.running.is_some() {
                effects.push(Effect::Worker(Command::Cancel));
            } else if let ResponseState::Job(job) = &app.response
                && matches!(job.stage, JobStage::Polling | JobStage::Downloading { .. })
            {
                effects.push(Effect::Worker(Command::StopJob));
            } else {
                viewer::escape(app);
            }
        }
        Action::DryRun => dry_run(app, effects),
        Action::Jobs => {
            app.overlay = Some(Overlay::Jobs(Box::default()));
            app.style_cursors();
            effects.push(Effect::Worker(Command::ListJobs));
        }
        Action::Catalog => {
            app.overlay = Some(Overlay::Catalog(Box::default()));
            app.style_cursors();
            if !matches!(app.catalog, Some(Ok(_))) {
                app.catalog = None;
                effects.push(Effect::Worker(Command::FetchCatalog));
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
            Some(path) => {
                effects.push(Effect::SaveQuery {
                    path: path.clone(),
                    text: app.query_text(),
                    overwrite: true,
                });
            }
            None => {
                let mut input = TextArea::new(vec![suggested_name(&app.query_text())]);
                // Selected, so that typing replaces the suggestion and Enter accepts it.
                input.select_all();
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
            let changed = editor::undo(app, action == Action::Redo);
            if changed {
                app.validate_query();
            }
        }
        Action::Format | Action::Minify | Action::OpenFile | Action::Templates | Action::ExternalEditor => {
            editor::on_action(app, action, effects);
        }
        viewing => viewer::on_action(app, viewing, effects),
    }
}

fn send(app: &mut App, effects: &mut Vec<Effect>) {
    if !ready_to_send(app) {
        return;
    }
    let following = match &app.response {
        ResponseState::Job(job) if matches!(job.stage, JobStage::Polling | JobStage::Downloading { .. }) => {
            Some(job.id.clone())
        }
        _ => None,
    };
    let body = app.query_text();
    dispatch(app, body, effects);
    if let Some(id) = following {
        app.notify(format!("job {id} goes on on the server: F7 re-opens it"), false);
    }
}

/// Whether the query may be sent now; if not, the footer says why.
fn ready_to_send(app: &mut App) -> bool {
    if app.running.is_some() {
        app.notify(
            "a query is already on its way: Esc cancels it (a second one could create a duplicate job)",
            true,
        );
        return false;
    }
    app.validate_query();
    if let Some((line, column, message)) = &app.query_error {
        app.notify(
            format!("not sent: the query is not valid JSON (line {line}, column {column}: {message})"),
            true,
        );
        return false;
    }
    if !app.query_text().trim_start().starts_with('{') {
        app.notify("not sent: a PAIRS query is a JSON object ({…})", true);
        return false;
    }
    true
}

fn dispatch(app: &mut App, body: String, effects: &mut Vec<Effect>) {
    app.next_id += 1;
    app.running = Some(Running { id: app.next_id, since: app.now });
    app.viewer.stop();
    app.notice = None;
    effects.push(Effect::Worker(Command::SendQuery { id: app.next_id, body }));
}

/// Sends the query with `"dryRun": true`: the server answers with a usage estimate.
fn dry_run(app: &mut App, effects: &mut Vec<Effect>) {
    if !ready_to_send(app) {
        return;
    }
    if let Ok(serde_json::Value::Object(mut query)) =
        serde_json::from_str::<serde_json::Value>(&app.query_text())
    {
        query.insert("dryRun".into(), serde_json::Value::Bool(true));
        dispatch(app, serde_json::Value::Object(query).to_string(), effects);
    }
}

fn on_paste(app: &mut App, text: &str) {
    match (&mut app.overlay, app.focus) {
        (Some(Overlay::SaveAs(input, _)), _) => {
            input.insert_str(text.lines().next().unwrap_or_default().trim());
        }
        (Some(Overlay::Help | Overlay::Picker(_) | Overlay::Templates(_)), _) => {}
        (Some(Overlay::Jobs(popup)), _) => popup.picker.paste(text),
        (Some(Overlay::Catalog(popup)), _) => popup.picker.paste(text),
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
            if !take_running(app, id) {
                return;
            }
            match job_id(&reply) {
                Some(job) => follow_job(app, job, effects),
                None => show_reply(app, Reply::new(&reply, retried), reply.body, effects),
            }
        }
        WorkerEvent::QueryFailed { id, error, maybe_sent } => {
            if take_running(app, id) {
                app.viewer.clear();
                app.response = ResponseState::Failed(if maybe_sent {
                    format!(
                        "{error}\n\nThe connection failed after the query was sent, so the server may have \
                         created a job. It was not sent again: F7 lists your jobs."
                    )
                } else {
                    error
                });
            }
        }
        WorkerEvent::QueryCancelled { id } => {
            if take_running(app, id) {
                app.notify("request cancelled", false);
            }
        }
        WorkerEvent::JobProgress(status) => {
            if let Some(job) = current_job(app, &status.id) {
                job.status = Some(status);
                job.note = None;
            }
        }
        WorkerEvent::JobPollFailed { id, reason, retry_in } => {
            if let Some(job) = current_job(app, &id) {
                job.note = Some(format!(
                    "a status poll failed ({reason}); retrying in {} s",
                    retry_in.as_secs().max(1)
                ));
            }
        }
        WorkerEvent::DownloadProgress { id, received, total } => {
            if let Some(job) = current_job(app, &id) {
                job.stage = JobStage::Downloading { received, total };
            }
        }
        WorkerEvent::JobSaved { id, saved, body } => {
            let Some(job) = current_job(app, &id) else { return };
            let label = job.status.as_ref().map_or_else(|| "Succeeded (20)".to_owned(), |s| s.label());
            let reply = Reply {
                status: 200,
                elapsed: saved.elapsed,
                size: usize::try_from(saved.bytes).unwrap_or(usize::MAX),
                message: None,
                hint: None,
                retried: false,
                origin: Some(format!("job {id} · {label}\nsaved {}", saved.path.display())),
                estimate: Vec::new(),
            };
            show_reply(app, reply, body, effects);
            app.notify(format!("job {id}: results saved to {}", saved.path.display()), false);
        }
        WorkerEvent::JobEnded { id, status, error } => {
            let now = app.now;
            if let Some(job) = current_job(app, &id) {
                if status.is_some() {
                    job.status = status;
                }
                job.stage = JobStage::Ended(error);
                job.ended = Some(now);
            }
        }
        WorkerEvent::JobStopped { id } => {
            let now = app.now;
            if let Some(job) = current_job(app, &id) {
                job.stage = JobStage::Stopped;
                job.ended = Some(now);
                app.notify(
                    "stopped following the job; it goes on running on the server (F7 lists it)",
                    false,
                );
            }
        }
        WorkerEvent::Jobs(jobs) => {
            if let Some(Overlay::Jobs(popup)) = app.overlay.as_mut() {
                popup.jobs = Some(jobs);
                let visible = popup.visible().len();
                popup.picker.clamp(visible);
            }
        }
        WorkerEvent::Catalog(layers) => app.catalog = Some(layers),
        WorkerEvent::LayerDetails(layer) => {
            if let Some(Overlay::Catalog(popup)) = app.overlay.as_mut() {
                popup.details = Some(layer);
            }
        }
        WorkerEvent::AccessToken(Some(token)) => {
            viewer::clipboard(app, "the access token", Clip::new(token.expose()), effects);
        }
        WorkerEvent::AccessToken(None) => app.notify("no access token to copy: authenticate first", true),
    }
}

fn show_reply(app: &mut App, reply: Reply, body: bytes::Bytes, effects: &mut Vec<Effect>) {
    app.response = ResponseState::Reply(Box::new(reply));
    viewer::load(app, body, effects);
}

/// The job being shown, if it is `id`: reports about other jobs are stale.
fn current_job<'a>(app: &'a mut App, id: &str) -> Option<&'a mut JobView> {
    match &mut app.response {
        ResponseState::Job(job) if job.id == id => Some(job),
        _ => None,
    }
}

/// The job id of an answer that is `{"id": …}` without `data`: the query became a job.
fn job_id(reply: &HttpReply) -> Option<String> {
    if !reply.is_success() {
        return None;
    }
    let serde_json::Value::Object(body) = small_json(&reply.body)? else {
        return None;
    };
    if body.contains_key("data") {
        return None;
    }
    match body.get("id")? {
        serde_json::Value::String(id) if !id.trim().is_empty() => Some(id.trim().to_owned()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The largest answer that is looked into for a job id or an estimate: those are tiny, and
/// parsing a big body into a tree on the UI thread would freeze it.
const SMALL_ANSWER: usize = 64 * 1024;

/// A small body as JSON; `None` for a big or invalid one.
fn small_json(body: &[u8]) -> Option<serde_json::Value> {
    (body.len() <= SMALL_ANSWER).then(|| serde_json::from_slice(body).ok()).flatten()
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
