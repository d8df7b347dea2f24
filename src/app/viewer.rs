//! The response viewer's state and its part of `update`: the formatted body (built off the UI
//! thread), the cursor and scroll position, folds, search, the jq filter, the table and chart
//! views, copying and saving.
//!
//! Positions are line indexes into the displayed [`Document`]; folded lines are skipped when
//! moving, so folding never copies or re-indexes the text.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use bytes::Bytes;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui_textarea::TextArea;

use super::keymap::Action;
use super::{App, Effect, Overlay, SaveTarget};
use crate::clipboard::Clip;
use crate::document::{BodyKind, Document};
use crate::points::{self, ChartData, PointRow};
use crate::search::Needle;
use crate::worker::Command;

/// Bodies up to this size are formatted at once; bigger ones off the UI thread.
pub const FORMAT_INLINE: usize = 256 << 10;

/// The reply body and how far its formatting has got.
#[derive(Debug, Default)]
pub enum Body {
    /// No body.
    #[default]
    None,
    /// Being formatted off the UI thread.
    Formatting {
        /// The task's id.
        id: u64,
        /// The body as received.
        raw: Bytes,
        /// Bytes done so far.
        done: usize,
    },
    /// Ready to show.
    Ready(Document),
    /// Formatting was cancelled; the raw body is still there to save.
    Cancelled(Bytes),
}

/// What a jq filter has produced.
#[derive(Debug)]
pub enum FilterState {
    /// Running off the UI thread (task id).
    Running(u64),
    /// Its output, formatted.
    Ready(Document),
    /// Why it produced nothing.
    Failed(String),
}

/// A jq filter over the body.
#[derive(Debug)]
pub struct Filter {
    /// The filter as typed.
    pub expr: String,
    /// Its result.
    pub state: FilterState,
}

/// How the body is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ViewMode {
    /// Highlighted text with line numbers.
    #[default]
    Text,
    /// The rows of a point-query answer.
    Table,
    /// Value over time, per layer and location.
    Chart,
}

/// The rows of a point-query answer, read on demand.
#[derive(Debug, Default)]
pub enum Points {
    /// Not read yet.
    #[default]
    Unread,
    /// Being read off the UI thread (task id).
    Reading(u64),
    /// Read.
    Ready {
        /// Every row.
        rows: Vec<PointRow>,
        /// The series for the chart.
        chart: ChartData,
    },
    /// The body is not a point-query answer.
    NotPoints,
}

/// What a prompt at the bottom of the pane asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    /// A search term (`/`).
    Search,
    /// A jq filter (`|`).
    Filter,
    /// What to copy (`y`): one key chooses.
    Copy,
}

/// A one-line prompt in the response pane.
#[derive(Debug)]
pub struct Prompt {
    /// What it asks for.
    pub kind: PromptKind,
    /// The text typed so far.
    pub input: TextArea<'static>,
}

/// Reports from the viewer's background tasks.
#[derive(Debug)]
pub enum ViewerMsg {
    /// Formatting has done `done` bytes.
    Progress {
        /// The task.
        id: u64,
        /// Bytes done.
        done: usize,
    },
    /// Formatting finished.
    Formatted {
        /// The task.
        id: u64,
        /// The result.
        document: Document,
    },
    /// A filter finished.
    Filtered {
        /// The task.
        id: u64,
        /// Its output, or why there is none.
        result: Result<Document, String>,
    },
    /// The point rows were read.
    PointsRead {
        /// The task.
        id: u64,
        /// None if the body is not a point-query answer.
        rows: Option<Vec<PointRow>>,
    },
    /// The body was saved (or not).
    Saved(Result<(PathBuf, usize), String>),
}

/// Work too slow for the UI thread; the event loop runs it with `spawn_blocking`.
#[derive(Debug)]
pub enum Job {
    /// Format a body.
    Format {
        /// The task.
        id: u64,
        /// The body.
        raw: Bytes,
        /// Set to give up.
        cancel: Arc<AtomicBool>,
    },
    /// Run a jq filter over a body.
    Filter {
        /// The task.
        id: u64,
        /// The filter.
        expr: String,
        /// The body.
        raw: Bytes,
        /// Set to give up.
        cancel: Arc<AtomicBool>,
    },
    /// Read the rows of a point-query answer.
    Points {
        /// The task.
        id: u64,
        /// The body.
        raw: Bytes,
    },
}

impl Job {
    /// Does the work, reporting through `send`. A cancelled job reports nothing more.
    pub fn run(self, send: &dyn Fn(ViewerMsg)) {
        match self {
            Job::Format { id, raw, cancel } => {
                let built =
                    Document::build(&raw, &cancel, &mut |done| send(ViewerMsg::Progress { id, done }));
                if let Ok(document) = built {
                    send(ViewerMsg::Formatted { id, document });
                }
            }
            Job::Filter { id, expr, raw, cancel } => {
                let result =
                    crate::jq::run(&expr, &raw, &cancel).map(|out| Document::from_body(&Bytes::from(out)));
                if !cancel.load(Ordering::Relaxed) {
                    send(ViewerMsg::Filtered { id, result });
                }
            }
            Job::Points { id, raw } => {
                let rows = std::str::from_utf8(&raw).ok().and_then(points::read);
                send(ViewerMsg::PointsRead { id, rows });
            }
        }
    }
}

/// The response viewer.
#[derive(Debug, Default)]
pub struct Viewer {
    /// The reply body.
    pub body: Body,
    /// The jq filter, if one is applied.
    pub filter: Option<Filter>,
    /// How the body is shown.
    pub mode: ViewMode,
    /// The selected line.
    pub cursor: usize,
    /// The first line on screen.
    pub scroll: usize,
    /// The first column on screen (when not wrapping).
    pub hscroll: usize,
    /// Whether long lines wrap.
    pub wrap: bool,
    /// Folded objects and arrays: opening line → closing line. Never nested.
    pub folds: BTreeMap<usize, usize>,
    /// The last search term.
    pub search: Option<Needle>,
    /// The open prompt, if any.
    pub prompt: Option<Prompt>,
    /// The point rows, for the table and chart.
    pub points: Points,
    /// The first table row on screen.
    pub table_scroll: usize,
    /// How many table columns are scrolled off to the left (a narrow pane cannot show all).
    pub table_column: usize,
    /// Rows of the body area, as last laid out.
    pub height: usize,
    /// Columns of the body area, as last laid out.
    pub width: usize,
    next_id: u64,
    cancel: Option<Arc<AtomicBool>>,
}

/// The width of the line-number gutter for a document of `lines` lines (digits and a space).
pub fn gutter_width(lines: usize) -> usize {
    lines.max(1).ilog10() as usize + 2
}

impl Viewer {
    /// The document on screen: the filter's output when there is one, else the body.
    pub fn document(&self) -> Option<&Document> {
        match &self.filter {
            Some(Filter { state: FilterState::Ready(doc), .. }) => Some(doc),
            _ => self.body_document(),
        }
    }

    /// The formatted body, without any filter.
    pub fn body_document(&self) -> Option<&Document> {
        match &self.body {
            Body::Ready(doc) => Some(doc),
            _ => None,
        }
    }

    /// The body as received, whatever the state of its formatting.
    pub fn raw(&self) -> Option<&Bytes> {
        match &self.body {
            Body::None => None,
            Body::Formatting { raw, .. } | Body::Cancelled(raw) => Some(raw),
            Body::Ready(doc) => Some(doc.raw()),
        }
    }

    /// The width available for text, after the gutter and the scrollbar.
    pub fn text_width(&self) -> usize {
        let lines = self.document().map_or(0, Document::line_count);
        self.width.saturating_sub(gutter_width(lines) + 1).max(1)
    }

    fn next_task(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Shows a new body. Small bodies are formatted at once; the job for a big one is returned.
    pub fn load(&mut self, raw: Bytes) -> Option<Job> {
        self.stop();
        let (height, width, next_id, wrap) = (self.height, self.width, self.next_id, self.wrap);
        *self = Self { height, width, next_id, wrap, ..Self::default() };
        if raw.len() <= FORMAT_INLINE {
            self.body = Body::Ready(Document::from_body(&raw));
            return None;
        }
        let id = self.next_task();
        let cancel = Arc::new(AtomicBool::new(false));
        self.cancel = Some(cancel.clone());
        self.body = Body::Formatting { id, raw: raw.clone(), done: 0 };
        Some(Job::Format { id, raw, cancel })
    }

    /// Forgets the body (the query got no answer).
    pub fn clear(&mut self) {
        self.stop();
        self.body = Body::None;
        self.filter = None;
        self.points = Points::Unread;
        self.mode = ViewMode::Text;
    }

    /// Stops background work; a body still being formatted is kept raw. True if formatting
    /// was stopped.
    pub fn stop(&mut self) -> bool {
        if let Some(cancel) = self.cancel.take() {
            cancel.store(true, Ordering::Relaxed);
        }
        if let Some(Filter { state: FilterState::Running(_), .. }) = &self.filter {
            self.filter = None;
        }
        match std::mem::take(&mut self.body) {
            Body::Formatting { raw, .. } => {
                self.body = Body::Cancelled(raw);
                true
            }
            other => {
                self.body = other;
                false
            }
        }
    }

    /// Back to the top, unfolded: the document on screen changed.
    fn reset_position(&mut self) {
        self.cursor = 0;
        self.scroll = 0;
        self.hscroll = 0;
        self.folds.clear();
    }

    /// Sets the size of the body area and keeps the positions inside the document.
    pub fn set_viewport(&mut self, height: usize, width: usize) {
        self.height = height.max(1);
        self.width = width;
        self.clamp();
    }

    // --- moving over visible lines -------------------------------------------------------

    /// The line after `line` on screen, skipping a fold's hidden lines.
    pub fn next_visible(&self, line: usize) -> usize {
        self.folds.get(&line).copied().unwrap_or(line) + 1
    }

    /// The line before `line` on screen.
    fn prev_visible(&self, line: usize) -> usize {
        let Some(prev) = line.checked_sub(1) else { return 0 };
        self.fold_around(prev).map_or(prev, |(open, _)| open)
    }

    /// The fold that hides `line`, if any.
    fn fold_around(&self, line: usize) -> Option<(usize, usize)> {
        let (&open, &close) = self.folds.range(..line).next_back()?;
        (close >= line).then_some((open, close))
    }

    fn step(&self, from: usize, down: bool, count: usize, lines: usize) -> usize {
        let mut at = from;
        for _ in 0..count {
            let next = if down { self.next_visible(at) } else { self.prev_visible(at) };
            if next >= lines || next == at {
                break;
            }
            at = next;
        }
        at
    }

    fn last_visible(&self, lines: usize) -> usize {
        let last = lines.saturating_sub(1);
        self.fold_around(last).map_or(last, |(open, _)| open)
    }

    /// How many screen rows a line takes (more than one only when wrapping).
    pub(crate) fn rows(&self, doc: &Document, line: usize) -> usize {
        if !self.wrap {
            return 1;
        }
        let width = self.text_width();
        let chars = doc.line(line).map_or(0, |l| l.chars().count());
        chars.div_ceil(width).clamp(1, self.height)
    }

    /// The first line of the screen that ends with `line` at the bottom.
    fn top_for_bottom(&self, doc: &Document, line: usize) -> usize {
        let mut top = line;
        let mut used = self.rows(doc, line);
        while top > 0 {
            let prev = self.prev_visible(top);
            used += self.rows(doc, prev);
            if used > self.height {
                break;
            }
            top = prev;
        }
        top
    }

    /// Keeps the cursor on a visible line and on screen, and the scroll inside the document.
    fn clamp(&mut self) {
        let Some(doc) = self.document() else { return };
        let lines = doc.line_count();
        if lines == 0 {
            self.reset_position();
            return;
        }
        let mut cursor = self.cursor.min(lines - 1);
        if let Some((open, _)) = self.fold_around(cursor) {
            cursor = open;
        }
        let max_scroll = self.top_for_bottom(doc, self.last_visible(lines));
        let mut scroll = self.scroll.min(max_scroll).min(cursor);
        if let Some((open, _)) = self.fold_around(scroll) {
            scroll = open;
        }
        let lowest = self.top_for_bottom(doc, cursor);
        scroll = scroll.max(lowest);
        let widest = doc.widest();
        let hscroll = if self.wrap { 0 } else { self.hscroll.min(widest.saturating_sub(8)) };
        self.cursor = cursor;
        self.scroll = scroll;
        self.hscroll = hscroll;
        if let Points::Ready { rows, .. } = &self.points {
            self.table_scroll =
                self.table_scroll.min(rows.len().saturating_sub(self.height.saturating_sub(1)));
        }
    }

    fn move_cursor(&mut self, down: bool, count: usize, with_page: bool) {
        let Some(lines) = self.document().map(Document::line_count) else { return };
        self.cursor = self.step(self.cursor, down, count, lines);
        if with_page {
            self.scroll = self.step(self.scroll, down, count, lines);
        }
    }

    // --- folding -------------------------------------------------------------------------

    /// Folds the object or array at (or around) the cursor, or unfolds it if folded.
    fn toggle_fold(&mut self) -> Option<String> {
        if self.folds.remove(&self.cursor).is_some() {
            return None;
        }
        let doc = self.document()?;
        if doc.kind() != BodyKind::Json {
            return Some("only JSON can be folded".into());
        }
        let at = self.cursor;
        let open = if doc.closing_line(at).is_some() {
            at
        } else if let Some(open) = doc.opening_line(at) {
            open
        } else {
            doc.parent_line(at)?
        };
        let close = doc.closing_line(open)?;
        self.fold(open, close);
        self.cursor = open;
        None
    }

    fn fold(&mut self, open: usize, close: usize) {
        let inner: Vec<usize> = self.folds.range(open..=close).map(|(k, _)| *k).collect();
        for k in inner {
            self.folds.remove(&k);
        }
        self.folds.insert(open, close);
    }

    /// Folds every object and array at the cursor's level (every row, when on a row).
    fn fold_all(&mut self) {
        let Some(doc) = self.document() else { return };
        let at = self.cursor;
        let level =
            if doc.closing_line(at).is_some() { doc.depth(at) } else { doc.depth(at).saturating_sub(1) };
        let level = level.max(1);
        let mut found = Vec::new();
        let mut line = 0;
        while line < doc.line_count() {
            // The depth first: finding a closing line scans the whole container.
            match (doc.depth(line) == level).then(|| doc.closing_line(line)).flatten() {
                Some(close) => {
                    found.push((line, close));
                    line = close + 1;
                }
                None => line += 1,
            }
        }
        for (open, close) in found {
            self.fold(open, close);
        }
    }

    // --- search --------------------------------------------------------------------------

    /// Moves the cursor to the next (or previous) line with a match; the cursor's own line is
    /// searched last, or first when `include_cursor`. Unfolds what hides the match.
    fn find(&mut self, forward: bool, include_cursor: bool) -> Result<String, String> {
        let (Some(needle), Some(doc)) = (&self.search, self.document()) else {
            return Err("no search yet: / searches".into());
        };
        let lines = doc.line_count();
        if lines == 0 {
            return Err(format!("no match for “{}”", needle.text()));
        }
        let start = self.cursor.min(lines - 1);
        let mut buffer = String::new();
        // The cursor's own line comes first when the search is new, last when stepping on.
        let skip = usize::from(!include_cursor);
        let raw_ok = needle.fits_raw_ascii();
        let found = (skip..lines + skip)
            .map(|k| if forward { (start + k) % lines } else { (start + lines - k % lines) % lines })
            .find(|&line| match doc.line_bytes(line) {
                // Plain terms in plain lines are looked for without making the display line.
                Some(raw) if raw_ok && raw.is_ascii() && doc.kind() != BodyKind::Binary => {
                    needle.in_ascii(raw)
                }
                _ => doc.write_line(line, &mut buffer) && needle.is_in(&buffer),
            });
        let Some(line) = found else {
            return Err(format!("no match for “{}”", needle.text()));
        };
        doc.write_line(line, &mut buffer);
        let column = needle.find_all(&buffer).first().map_or(0, |m| buffer[..m.start].chars().count());
        let wrapped = if forward { line <= self.cursor } else { line >= self.cursor };
        let text = needle.text().to_owned();
        if let Some((open, _)) = self.fold_around(line) {
            self.folds.remove(&open);
        }
        self.cursor = line;
        let width = self.text_width();
        if column < self.hscroll || column >= self.hscroll + width {
            self.hscroll = column.saturating_sub(width / 4);
        }
        let note = if wrapped && !include_cursor { ", search wrapped" } else { "" };
        Ok(format!("“{text}” at line {}{note}", line + 1))
    }
}

// --- update ------------------------------------------------------------------------------

/// Keeps the viewer inside the current layout.
pub(super) fn fit(app: &mut App) {
    let height = app.response_height();
    let width = usize::from(crate::ui::layout(app.size).response.width.saturating_sub(2));
    app.viewer.set_viewport(height, width);
}

/// Shows a new reply body; the job formats a big one off the UI thread.
pub(super) fn load(app: &mut App, raw: Bytes, effects: &mut Vec<Effect>) {
    if let Some(job) = app.viewer.load(raw) {
        effects.push(Effect::Job(job));
    }
    fit(app);
}

/// Esc when no request runs: stops formatting, closes the table or chart, drops the filter.
pub(super) fn escape(app: &mut App) {
    if app.viewer.stop() {
        app.notify("formatting cancelled: Ctrl-S still saves the body", false);
    } else if app.focus == super::Pane::Response {
        if app.viewer.mode != ViewMode::Text {
            app.viewer.mode = ViewMode::Text;
        } else if app.viewer.filter.take().is_some() {
            app.viewer.reset_position();
        }
    }
    fit(app);
}

/// A response-pane action.
pub(super) fn on_action(app: &mut App, action: Action, effects: &mut Vec<Effect>) {
    let page = app.viewer.height;
    let v = &mut app.viewer;
    let table = v.mode == ViewMode::Table;
    match action {
        Action::Up if table => v.table_scroll = v.table_scroll.saturating_sub(1),
        Action::Down if table => v.table_scroll += 1,
        Action::PageUp if table => v.table_scroll = v.table_scroll.saturating_sub(page),
        Action::PageDown if table => v.table_scroll += page,
        Action::Top if table => v.table_scroll = 0,
        Action::Bottom if table => v.table_scroll = usize::MAX,
        Action::Left if table => v.table_column = v.table_column.saturating_sub(1),
        Action::Right if table => v.table_column = (v.table_column + 1).min(5),
        Action::Up => v.move_cursor(false, 1, false),
        Action::Down => v.move_cursor(true, 1, false),
        Action::PageUp => v.move_cursor(false, page, true),
        Action::PageDown => v.move_cursor(true, page, true),
        Action::Top => {
            v.cursor = 0;
            v.scroll = 0;
        }
        Action::Bottom => {
            v.cursor = usize::MAX;
            v.scroll = usize::MAX;
        }
        Action::Left => v.hscroll = v.hscroll.saturating_sub(8),
        Action::Right => v.hscroll += 8,
        Action::Wrap => {
            v.wrap = !v.wrap;
            let text = if v.wrap { "long lines wrap" } else { "long lines scroll sideways (←→)" };
            app.notify(text, false);
        }
        Action::Fold => {
            if let Some(problem) = v.toggle_fold() {
                app.notify(problem, true);
            }
        }
        Action::FoldAll => v.fold_all(),
        Action::UnfoldAll => v.folds.clear(),
        Action::Search => open_prompt(app, PromptKind::Search),
        Action::Filter => open_prompt(app, PromptKind::Filter),
        Action::Copy => open_prompt(app, PromptKind::Copy),
        Action::NextMatch | Action::PrevMatch => {
            let result = v.find(action == Action::NextMatch, false);
            report(app, result);
        }
        Action::TableView | Action::ChartView => {
            let mode = if action == Action::TableView { ViewMode::Table } else { ViewMode::Chart };
            show_points(app, mode, effects);
        }
        Action::TextView => v.mode = ViewMode::Text,
        Action::SaveBody => match app.viewer.raw() {
            None => app.notify("no response body to save", true),
            Some(_) => {
                let name = if app.viewer.body_document().is_some_and(|d| d.kind() != BodyKind::Json) {
                    "response.txt"
                } else {
                    "response.json"
                };
                let mut input = TextArea::new(vec![name.to_owned()]);
                input.move_cursor(ratatui_textarea::CursorMove::End);
                app.overlay = Some(Overlay::SaveAs(Box::new(input), SaveTarget::Body));
                app.style_cursors();
            }
        },
        _ => {}
    }
    fit(app);
}

fn report(app: &mut App, result: Result<String, String>) {
    match result {
        Ok(text) => app.notify(text, false),
        Err(text) => app.notify(text, true),
    }
}

fn show_points(app: &mut App, mode: ViewMode, effects: &mut Vec<Effect>) {
    let v = &mut app.viewer;
    let Some(raw) = v.body_document().filter(|d| d.kind() == BodyKind::Json).map(|d| d.raw().clone()) else {
        app.notify("the table and chart need a JSON answer", true);
        return;
    };
    match v.points {
        Points::NotPoints => {
            app.notify("not a point-query answer: the table and chart need {\"data\":[…]}", true);
            return;
        }
        Points::Unread if !points::looks_like_points(&raw) => {
            v.points = Points::NotPoints;
            app.notify("not a point-query answer: the table and chart need {\"data\":[…]}", true);
            return;
        }
        Points::Unread => {
            let id = v.next_task();
            v.points = Points::Reading(id);
            effects.push(Effect::Job(Job::Points { id, raw }));
        }
        Points::Reading(_) | Points::Ready { .. } => {}
    }
    v.mode = mode;
}

fn open_prompt(app: &mut App, kind: PromptKind) {
    let mut input = match (kind, &app.viewer.filter) {
        (PromptKind::Filter, Some(filter)) => TextArea::new(vec![filter.expr.clone()]),
        _ => TextArea::default(),
    };
    input.move_cursor(ratatui_textarea::CursorMove::End);
    input.set_cursor_line_style(ratatui::style::Style::default());
    if kind == PromptKind::Filter && app.viewer.body_document().is_none_or(|d| d.kind() != BodyKind::Json) {
        app.notify("jq filters need a JSON answer", true);
        return;
    }
    app.viewer.prompt = Some(Prompt { kind, input });
}

/// Keys while a prompt is open in the response pane; false if no prompt took the key.
pub(super) fn on_prompt_key(app: &mut App, key: KeyEvent, effects: &mut Vec<Effect>) -> bool {
    if app.focus != super::Pane::Response {
        return false;
    }
    let Some(prompt) = app.viewer.prompt.as_mut() else { return false };
    match (prompt.kind, key.code) {
        (_, KeyCode::Esc) => app.viewer.prompt = None,
        (PromptKind::Copy, KeyCode::Char(c)) => {
            app.viewer.prompt = None;
            copy(app, c, effects);
        }
        (PromptKind::Copy, _) => {}
        (kind, KeyCode::Enter) => {
            let text = prompt.input.lines().join("");
            app.viewer.prompt = None;
            match kind {
                PromptKind::Search => search(app, &text),
                _ => filter(app, text.trim(), effects),
            }
        }
        _ => {
            prompt.input.input(key);
        }
    }
    fit(app);
    true
}

/// Pasted text goes into the open prompt (its first line: a prompt has one).
pub(super) fn on_paste(viewer: &mut Viewer, text: &str) {
    if let Some(prompt) = viewer.prompt.as_mut().filter(|p| p.kind != PromptKind::Copy) {
        prompt.input.insert_str(text.lines().next().unwrap_or_default());
    }
}

fn search(app: &mut App, text: &str) {
    app.viewer.search = Needle::new(text);
    if app.viewer.search.is_none() {
        return;
    }
    let result = app.viewer.find(true, true);
    report(app, result);
}

fn filter(app: &mut App, expr: &str, effects: &mut Vec<Effect>) {
    let v = &mut app.viewer;
    if let Some(cancel) = v.cancel.take() {
        cancel.store(true, Ordering::Relaxed);
    }
    v.mode = ViewMode::Text;
    v.reset_position();
    if expr.is_empty() {
        v.filter = None;
        app.notify("filter removed: the whole body is shown", false);
        return;
    }
    let Some(raw) = v.body_document().map(|d| d.raw().clone()) else { return };
    let id = v.next_task();
    let cancel = Arc::new(AtomicBool::new(false));
    v.cancel = Some(cancel.clone());
    v.filter = Some(Filter { expr: expr.to_owned(), state: FilterState::Running(id) });
    effects.push(Effect::Job(Job::Filter { id, expr: expr.to_owned(), raw, cancel }));
}

fn copy(app: &mut App, choice: char, effects: &mut Vec<Effect>) {
    let (what, clip) = match choice {
        'r' => match app.viewer.raw() {
            None => return app.notify("no response to copy", true),
            Some(raw) if std::str::from_utf8(raw).is_err() => {
                return app.notify("not copied: the response is not text (Ctrl-S saves it)", true);
            }
            // Too big for OSC 52: said before the body is copied into a clip for nothing.
            Some(raw) if !Clip::fits_len(raw.len()) => {
                let size = crate::ui::human_size(raw.len());
                return app.notify(
                    format!("not copied: the response is {size}, more than terminals accept through OSC 52 (Ctrl-S saves)"),
                    true,
                );
            }
            Some(raw) => ("the response", Clip::new(raw.to_vec())),
        },
        'q' => ("the query", Clip::new(app.query_text())),
        't' => {
            // The worker owns the token and hands it over only for this request.
            effects.push(Effect::Worker(Command::CopyToken));
            return;
        }
        _ => return app.notify("not copied: r response, q query, t access token", true),
    };
    clipboard(app, what, clip, effects);
}

/// Copies through the terminal, or says why not.
pub(super) fn clipboard(app: &mut App, what: &str, clip: Clip, effects: &mut Vec<Effect>) {
    let size = crate::ui::human_size(clip.len());
    if clip.is_empty() {
        app.notify(format!("not copied: {what} is empty"), true);
    } else if !clip.fits() {
        app.notify(
            format!("not copied: {what} is {size}, more than terminals accept through OSC 52 (Ctrl-S saves)"),
            true,
        );
    } else {
        effects.push(Effect::Clipboard(clip));
        app.notify(
            format!("copied {what} ({size}) to the clipboard via OSC 52, if the terminal allows it"),
            false,
        );
    }
}

/// The body is saved under `path`.
pub(super) fn save_body(app: &mut App, path: PathBuf, overwrite: bool, effects: &mut Vec<Effect>) {
    match app.viewer.raw() {
        Some(raw) => effects.push(Effect::SaveBody { path, body: raw.clone(), overwrite }),
        None => app.notify("no response body to save", true),
    }
}

/// A report from a background task.
pub(super) fn on_msg(app: &mut App, msg: ViewerMsg) {
    let v = &mut app.viewer;
    match msg {
        ViewerMsg::Progress { id, done } => {
            if let Body::Formatting { id: current, done: at, .. } = &mut v.body
                && *current == id
            {
                *at = done;
            }
        }
        ViewerMsg::Formatted { id, document } => {
            if matches!(v.body, Body::Formatting { id: current, .. } if current == id) {
                v.body = Body::Ready(document);
                v.cancel = None;
                v.reset_position();
            }
        }
        ViewerMsg::Filtered { id, result } => {
            if let Some(filter) = v.filter.as_mut()
                && matches!(filter.state, FilterState::Running(current) if current == id)
            {
                v.cancel = None;
                match result {
                    Ok(doc) => {
                        let lines = doc.line_count();
                        filter.state = FilterState::Ready(doc);
                        v.reset_position();
                        app.notify(
                            format!(
                                "filtered: {lines} line{} (| edits, Esc shows the whole body)",
                                if lines == 1 { "" } else { "s" }
                            ),
                            false,
                        );
                    }
                    Err(e) => {
                        filter.state = FilterState::Failed(e.clone());
                        app.notify(e, true);
                    }
                }
            }
        }
        ViewerMsg::PointsRead { id, rows } => {
            if matches!(v.points, Points::Reading(current) if current == id) {
                match rows {
                    Some(rows) => {
                        let chart = ChartData::new(&rows);
                        v.points = Points::Ready { rows, chart };
                    }
                    None => {
                        v.points = Points::NotPoints;
                        v.mode = ViewMode::Text;
                        app.notify("not a point-query answer: the table and chart need {\"data\":[…]}", true);
                    }
                }
            }
        }
        ViewerMsg::Saved(Ok((path, size))) => {
            let size = crate::ui::human_size(size);
            app.notify(format!("saved the response body ({size}) to {}", path.display()), false);
        }
        ViewerMsg::Saved(Err(e)) => app.notify(format!("body not saved: {e}"), true),
    }
    fit(app);
}

#[cfg(test)]
pub(crate) mod tests;
