//! The query editor beyond the text: validation, PAIRS warnings, the visible window and its
//! highlighting, format and minify, templates, opening files and handing the text to `$EDITOR`.
//!
//! The `TextArea` stays the model of the text, cursor, selection and undo; this module keeps what
//! it lacks, and the view draws both.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::{CursorMove, DataCursor};
use serde_json::Value;

use super::keymap::Action;
use super::picker::{self, Picker};
use super::{App, Effect, Overlay};
use crate::highlight::HighlightCache;
use crate::pairs_check::{self, Warning};
use crate::reformat::{Layout, reformat};

/// A starting point for a query, from `assets/queries/`.
#[derive(Debug, Clone, Copy)]
pub struct Template {
    /// Its short name.
    pub name: &'static str,
    /// What it shows, in a few words.
    pub description: &'static str,
    /// The query.
    pub text: &'static str,
}

/// The templates, in the order the popup lists them.
pub const TEMPLATES: &[Template] = &[
    Template {
        name: "point",
        description: "values at two points, one layer averaged over May",
        text: include_str!("../../assets/queries/point.json"),
    },
    Template {
        name: "square",
        description: "NDVI in a bounding box, masked by elevation",
        text: include_str!("../../assets/queries/square.json"),
    },
    Template {
        name: "poly (WKT)",
        description: "NDVI inside a polygon given as WKT",
        text: include_str!("../../assets/queries/poly_wkt.json"),
    },
    Template {
        name: "UDF",
        description: "an expression over two hidden layers",
        text: include_str!("../../assets/queries/udf.json"),
    },
    Template {
        name: "dry run",
        description: "estimate the cost of a query without running it",
        text: include_str!("../../assets/queries/dry_run.json"),
    },
];

/// What the editor keeps besides the `TextArea`.
#[derive(Debug, Clone, Default)]
pub struct EditorView {
    /// The first line on screen.
    pub top: usize,
    /// The first display column on screen.
    pub left: usize,
    /// Highlighting of the lines from the top down to the last one on screen.
    pub highlight: HighlightCache,
    /// PAIRS warnings about the query, when it parses.
    pub warnings: Vec<Warning>,
    /// Whole-text replacements, as hashes of the text before, between and after their two undo
    /// steps, so that one undo (or redo) takes both.
    pub(super) replacements: Vec<[u64; 3]>,
}

/// Validates the query: the JSON error with its position in characters, or the PAIRS warnings.
pub(super) fn validate(app: &mut App) {
    match serde_json::from_str::<Value>(&app.query_text()) {
        Ok(query) => {
            app.query_error = None;
            app.query_view.warnings = pairs_check::check(&query);
        }
        Err(e) => {
            let line = app.editor.lines().get(e.line().saturating_sub(1)).map_or("", String::as_str);
            app.query_error = Some((
                e.line(),
                char_column(line, e.column()),
                super::strip_position(&e.to_string()).to_owned(),
            ));
            app.query_view.warnings.clear();
        }
    }
}

/// serde_json counts columns in bytes (1-based, the byte it stopped at); the title and the
/// cursor count characters. A byte inside a multibyte character counts as that character.
pub fn char_column(line: &str, byte_column: usize) -> usize {
    line.char_indices().take_while(|(i, _)| *i < byte_column).count().max(1)
}

/// Keeps the cursor on screen and the visible lines highlighted. Runs after every update that
/// can change the editor (not after clock ticks or worker reports), so
/// the view always reads a current cache.
pub(super) fn sync(app: &mut App) {
    let lines = app.editor.lines();
    let text = crate::ui::editor::text_area(crate::ui::layout(app.size).query, lines.len());
    let (height, width) = (usize::from(text.height).max(1), usize::from(text.width).max(1));
    let DataCursor(row, col) = app.editor.cursor();
    let view = &mut app.query_view;
    view.top = view.top.min(row).max((row + 1).saturating_sub(height));
    let line = lines.get(row).map_or("", String::as_str);
    let tab = usize::from(app.editor.tab_length());
    let x = crate::ui::editor::column(line, col, tab);
    let cell = crate::ui::editor::cursor_width(line, col, tab);
    view.left = view.left.min(x).max((x + cell).saturating_sub(width));
    view.highlight.update(lines, view.top + height - 1);
}

/// The editor's own actions.
pub(super) fn on_action(app: &mut App, action: Action, effects: &mut Vec<Effect>) {
    match action {
        Action::Format | Action::Minify => {
            validate(app);
            if let Some((line, column, message)) = &app.query_error {
                let text = format!("not reformatted: line {line}, column {column}: {message}");
                app.notify(text, true);
                return;
            }
            let layout = if action == Action::Format { Layout::Pretty } else { Layout::Minified };
            let text = reformat(&app.query_text(), layout);
            if replace_text(app, &text) {
                app.notify(if action == Action::Format { "formatted" } else { "minified" }, false);
            }
        }
        Action::OpenFile => {
            if !super::may_discard(app, Action::OpenFile, "Ctrl-O again opens another file") {
                return;
            }
            app.overlay = Some(Overlay::Picker(Box::default()));
            app.style_cursors();
            effects.push(Effect::ListDir(PathBuf::from(".")));
        }
        Action::Templates => {
            if !super::may_discard(app, Action::Templates, "Ctrl-T again picks a template") {
                return;
            }
            app.overlay = Some(Overlay::Templates(0));
            app.style_cursors();
        }
        Action::ExternalEditor => effects.push(Effect::EditExternally(app.query_text())),
        _ => {}
    }
}

/// Keys while the file picker or the template list is open.
pub(super) fn on_overlay_key(app: &mut App, key: KeyEvent, effects: &mut Vec<Effect>) {
    match app.overlay.as_mut() {
        Some(Overlay::Picker(p)) => match picker::on_key(p, key) {
            picker::Outcome::Stay => {}
            picker::Outcome::List(dir) => effects.push(Effect::ListDir(dir)),
            picker::Outcome::Open(path) => {
                super::close_overlay(app);
                effects.push(Effect::OpenQuery(path));
            }
            picker::Outcome::Close => super::close_overlay(app),
        },
        Some(Overlay::Templates(selected)) => {
            let last = TEMPLATES.len() - 1;
            match key.code {
                KeyCode::Up => *selected = selected.saturating_sub(1),
                KeyCode::Down => *selected = (*selected + 1).min(last),
                KeyCode::Esc => super::close_overlay(app),
                KeyCode::Enter => {
                    let chosen = *selected;
                    use_template(app, chosen);
                }
                KeyCode::Char(c) if key.modifiers == KeyModifiers::NONE => {
                    if let Some(i) = c
                        .to_digit(10)
                        .and_then(|d| usize::try_from(d).ok())
                        .filter(|d| (1..=last + 1).contains(d))
                    {
                        use_template(app, i - 1);
                    }
                }
                _ => {}
            }
        }
        _ => {}
    }
}

fn use_template(app: &mut App, index: usize) {
    super::close_overlay(app);
    let Some(template) = TEMPLATES.get(index) else { return };
    replace_text(app, template.text);
    // A template is a new query: saving it over the file it replaced would lose that file.
    app.query_path = None;
    app.mark_clean();
    app.set_focus(super::Pane::Query);
    app.notify(format!("template {}: Ctrl-S asks for a file name", template.name), false);
}

/// A directory listing for the picker.
pub(super) fn listed(app: &mut App, listing: Result<picker::Listing, String>) {
    if let Some(Overlay::Picker(p)) = app.overlay.as_mut() {
        match listing {
            Ok(listing) => **p = Picker::new(listing),
            Err(e) => p.error = Some(e),
        }
    }
}

/// A query file, read.
pub(super) fn opened(app: &mut App, result: Result<(PathBuf, String), String>) {
    match result {
        Ok((path, text)) => {
            // Another file starts a new history: undo must not bring this file's text back
            // under the other file's name.
            app.load_text(&text);
            app.set_focus(super::Pane::Query);
            app.notify(format!("opened {}", path.display()), false);
            app.query_path = Some(path);
        }
        Err(e) => app.notify(format!("not opened: {e}"), true),
    }
}

/// The text back from `$EDITOR`.
pub(super) fn edited(app: &mut App, result: Result<String, String>) {
    match result {
        Ok(text) if replace_text(app, &text) => app.notify("edited in $EDITOR", false),
        Ok(_) => app.notify("unchanged in $EDITOR", false),
        Err(e) => app.notify(format!("$EDITOR: {e}; the query is unchanged"), true),
    }
}

/// Replaces the whole text as one undoable step, keeping the cursor's line if it still exists.
/// Returns whether anything changed.
fn replace_text(app: &mut App, text: &str) -> bool {
    let text = text.lines().collect::<Vec<_>>().join("\n");
    let before = hash(app.editor.lines());
    if app.query_text() == text {
        return false;
    }
    let DataCursor(row, col) = app.editor.cursor();
    // The TextArea records this as two edits, a deletion (leaving one empty line) and an
    // insertion; `undo` joins them.
    let between = hash(&[String::new()]);
    app.editor.select_all();
    app.editor.insert_str(&text);
    let after = hash(app.editor.lines());
    if before != between && between != after {
        app.query_view.replacements.push([before, between, after]);
        // The TextArea keeps 50 edits; older replacements cannot be undone anyway.
        let excess = app.query_view.replacements.len().saturating_sub(50);
        app.query_view.replacements.drain(..excess);
    }
    let row = u16::try_from(row.min(app.editor.lines().len() - 1)).unwrap_or(u16::MAX);
    app.editor.move_cursor(CursorMove::Jump(row, u16::try_from(col).unwrap_or(u16::MAX)));
    validate(app);
    true
}

/// Undo (or redo), taking both halves of a whole-text replacement at once.
pub(super) fn undo(app: &mut App, redo: bool) -> bool {
    let current = hash(app.editor.lines());
    let step = |app: &mut App| if redo { app.editor.redo() } else { app.editor.undo() };
    if !step(app) {
        return false;
    }
    let now = hash(app.editor.lines());
    let joined = app
        .query_view
        .replacements
        .iter()
        .any(|&[before, between, after]| now == between && current == if redo { before } else { after });
    if joined {
        step(app);
    }
    true
}

pub(crate) fn hash(lines: &[String]) -> u64 {
    let mut hasher = DefaultHasher::new();
    lines.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests;
