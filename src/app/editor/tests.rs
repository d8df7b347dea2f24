//! The editor's state transitions: validation positions, warnings, format and minify, undo of
//! whole-text replacements, templates, the picker and `$EDITOR` round trips, the visible window.

use std::path::PathBuf;
use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::app::picker::{Entry, Listing};
use crate::app::{Msg, Pane, update};

fn app_with(text: &str) -> App {
    let mut app = App::new(text, Some(PathBuf::from("q.json")), Instant::now());
    update(&mut app, Msg::Resize(100, 30));
    app
}

fn press(app: &mut App, code: KeyCode, modifiers: KeyModifiers) -> Vec<Effect> {
    update(app, Msg::Key(KeyEvent::new(code, modifiers)))
}

fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    press(app, code, KeyModifiers::NONE)
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

const GOOD: &str = r#"{"layers": [{"type": "raster", "id": "49423"}], "spatial": {"type": "point", "coordinates": [42.36, -71.06]}, "temporal": {"intervals": [{"snapshot": "2024-06-01"}]}}"#;

#[test]
fn error_columns_count_characters_not_bytes() {
    let app = app_with("[\"héllo\", x]");
    let (line, column, _) = app.query_error.clone().unwrap_or_default();
    assert_eq!((line, column), (1, 11), "x is the 11th character (12th byte)");
    let app = app_with("{\n  \"👩\u{200d}💻\u{202f}\": tru,\n}");
    let (line, column, message) = app.query_error.clone().unwrap_or_default();
    assert_eq!((line, column), (2, 14), "the comma is the 14th character (24th byte): {message}");
    assert!(!message.contains(" at line "), "the position is shown once: {message}");
}

#[test]
fn a_byte_inside_a_character_counts_as_that_character() {
    assert_eq!(char_column("aé", 1), 1);
    assert_eq!(char_column("aé", 2), 2);
    assert_eq!(char_column("aé", 3), 2);
    assert_eq!(char_column("aé", 99), 2);
    assert_eq!(char_column("", 0), 1);
}

#[test]
fn an_invalid_query_is_not_sent_and_the_notice_says_where() {
    let mut app = app_with("[\"é\", x]");
    let effects = press(&mut app, KeyCode::Char('r'), KeyModifiers::CONTROL);
    assert!(effects.is_empty());
    let notice = app.notice.clone().map(|n| n.text).unwrap_or_default();
    assert!(
        notice.starts_with("not sent: the query is not valid JSON (line 1, column 7: expected value"),
        "{notice}"
    );
}

#[test]
fn pairs_warnings_follow_edits_and_do_not_block_sending() {
    let mut app = app_with(GOOD);
    assert!(app.query_view.warnings.is_empty(), "{:?}", app.query_view.warnings);
    // Turn "point" into "pointy".
    app.editor
        .move_cursor(CursorMove::Jump(0, u16::try_from(GOOD.find("point").unwrap_or(0) + 5).unwrap_or(0)));
    typed(&mut app, "y");
    let shown: Vec<_> = app.query_view.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(shown, ["spatial.type: \"pointy\" is not point, square or poly"]);
    let effects = press(&mut app, KeyCode::F(5), KeyModifiers::NONE);
    assert_eq!(effects.len(), 1, "warnings do not stop a query");
    key(&mut app, KeyCode::Backspace);
    assert!(app.query_view.warnings.is_empty());
}

#[test]
fn format_and_minify_are_one_undo_step_each() {
    let mut app = app_with(GOOD);
    let original = app.query_text();
    press(&mut app, KeyCode::Char('f'), KeyModifiers::ALT);
    let pretty = app.query_text();
    assert!(pretty.starts_with("{\n  \"layers\": [\n    {\n      \"type\": \"raster\","), "{pretty}");
    assert_eq!(app.notice.as_ref().map(|n| n.text.as_str()), Some("formatted"));
    press(&mut app, KeyCode::Char('m'), KeyModifiers::ALT);
    assert_eq!(app.query_text(), GOOD.replace(": ", ":").replace(", ", ","));
    press(&mut app, KeyCode::Char('z'), KeyModifiers::CONTROL);
    assert_eq!(app.query_text(), pretty, "one undo undoes the minify");
    press(&mut app, KeyCode::Char('z'), KeyModifiers::CONTROL);
    assert_eq!(app.query_text(), original, "one more undoes the format");
    press(&mut app, KeyCode::Char('y'), KeyModifiers::CONTROL);
    assert_eq!(app.query_text(), pretty, "one redo redoes it");
    assert_eq!(app.query_error, None);
}

#[test]
fn ordinary_undo_is_still_one_edit() {
    let mut app = app_with(GOOD);
    press(&mut app, KeyCode::Char('f'), KeyModifiers::ALT);
    let pretty = app.query_text();
    typed(&mut app, "ab");
    press(&mut app, KeyCode::Char('z'), KeyModifiers::CONTROL);
    press(&mut app, KeyCode::Char('z'), KeyModifiers::CONTROL);
    assert_eq!(app.query_text(), pretty, "two typed characters, two undos");
}

#[test]
fn invalid_json_is_not_reformatted() {
    let mut app = app_with("{\"a\": [1,}");
    press(&mut app, KeyCode::Char('f'), KeyModifiers::ALT);
    assert_eq!(app.query_text(), "{\"a\": [1,}");
    let notice = app.notice.clone().expect("a notice");
    assert!(notice.error && notice.text.starts_with("not reformatted: line 1, column 10"), "{notice:?}");
}

#[test]
fn a_template_replaces_the_query_and_forgets_its_file() {
    let mut app = app_with(GOOD);
    press(&mut app, KeyCode::Char('t'), KeyModifiers::CONTROL);
    assert!(matches!(app.overlay, Some(Overlay::Templates(0))));
    typed(&mut app, "q");
    assert_eq!(app.query_text(), GOOD, "letters do nothing in the list");
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Enter);
    assert!(app.overlay.is_none());
    assert_eq!(app.query_text(), TEMPLATES[1].text.trim_end());
    assert_eq!(app.query_path, None, "Ctrl-S must ask for a new name");
    assert!(app.query_view.warnings.is_empty() && app.query_error.is_none());
    press(&mut app, KeyCode::Char('z'), KeyModifiers::CONTROL);
    assert_eq!(app.query_text(), GOOD, "one undo brings the old query back");

    // The undone text differs from the template last taken as saved: Ctrl-T warns once.
    press(&mut app, KeyCode::Char('t'), KeyModifiers::CONTROL);
    assert!(app.overlay.is_none() && app.notice.as_ref().is_some_and(|n| n.text.contains("unsaved")));
    press(&mut app, KeyCode::Char('t'), KeyModifiers::CONTROL);
    typed(&mut app, "4");
    assert_eq!(app.query_text(), TEMPLATES[3].text.trim_end());
    press(&mut app, KeyCode::Char('t'), KeyModifiers::CONTROL);
    key(&mut app, KeyCode::Esc);
    assert!(app.overlay.is_none());
    assert_eq!(app.query_text(), TEMPLATES[3].text.trim_end());
}

#[test]
fn ctrl_o_lists_filters_and_opens_a_file() {
    let mut app = app_with(GOOD);
    let effects = press(&mut app, KeyCode::Char('o'), KeyModifiers::CONTROL);
    assert!(matches!(effects.as_slice(), [Effect::ListDir(dir)] if dir == &PathBuf::from(".")));
    let entry = |name: &str, is_dir| Entry { name: name.into(), is_dir };
    let listing = Listing {
        dir: PathBuf::from("/work/queries"),
        entries: vec![
            entry("..", true),
            entry("archive", true),
            entry("ndvi.json", false),
            entry("point.json", false),
        ],
    };
    update(&mut app, Msg::Listed(Ok(listing)));
    typed(&mut app, "poi");
    let effects = key(&mut app, KeyCode::Enter);
    assert!(app.overlay.is_none());
    let path = PathBuf::from("/work/queries/point.json");
    assert!(matches!(effects.as_slice(), [Effect::OpenQuery(p)] if p == &path));
    update(&mut app, Msg::Opened(Ok((path.clone(), "{\"a\": 1}\n".into()))));
    assert_eq!(app.query_text(), "{\"a\": 1}");
    assert_eq!(app.query_path, Some(path));
    update(&mut app, Msg::Opened(Err("/x.json: Permission denied".into())));
    assert_eq!(app.query_text(), "{\"a\": 1}");
    assert!(app.notice.as_ref().is_some_and(|n| n.error && n.text.contains("Permission denied")));
}

#[test]
fn a_listing_error_is_shown_in_the_picker_and_late_listings_are_ignored() {
    let mut app = app_with(GOOD);
    press(&mut app, KeyCode::Char('o'), KeyModifiers::CONTROL);
    update(&mut app, Msg::Listed(Err("/root: Permission denied".into())));
    assert!(matches!(&app.overlay, Some(Overlay::Picker(p)) if p.error.is_some()));
    key(&mut app, KeyCode::Esc);
    update(&mut app, Msg::Listed(Ok(Listing::default())));
    assert!(app.overlay.is_none());
}

#[test]
fn ctrl_e_hands_the_text_over_and_takes_the_edit_back() {
    let mut app = app_with(GOOD);
    let effects = press(&mut app, KeyCode::Char('e'), KeyModifiers::CONTROL);
    assert!(matches!(effects.as_slice(), [Effect::EditExternally(t)] if t == GOOD));
    update(&mut app, Msg::EditedExternally(Ok(format!("{GOOD}\n"))));
    assert_eq!(app.notice.as_ref().map(|n| n.text.as_str()), Some("unchanged in $EDITOR"));
    update(&mut app, Msg::EditedExternally(Ok("{\"edited\": true}\n".into())));
    assert_eq!(app.query_text(), "{\"edited\": true}");
    assert_eq!(app.query_path, Some(PathBuf::from("q.json")), "still the same file");
    update(&mut app, Msg::EditedExternally(Err("could not start nope: No such file".into())));
    assert_eq!(app.query_text(), "{\"edited\": true}");
    assert!(app.notice.as_ref().is_some_and(|n| n.error && n.text.contains("could not start nope")));
}

#[test]
fn editing_around_zwj_emoji_and_narrow_spaces_never_panics() {
    let text = "[\"a👩\u{200d}💻b\u{202f}c\u{0301}\"]";
    let count = text.chars().count();
    for at in 0..=count {
        for edit in [KeyCode::Char('x'), KeyCode::Backspace, KeyCode::Delete, KeyCode::Enter] {
            let mut app = app_with(text);
            app.editor.move_cursor(CursorMove::Jump(0, u16::try_from(at).unwrap_or(0)));
            key(&mut app, edit);
            key(&mut app, KeyCode::Left);
            key(&mut app, KeyCode::Right);
            key(&mut app, KeyCode::Char('\u{202f}'));
            press(&mut app, KeyCode::Char('f'), KeyModifiers::ALT);
            press(&mut app, KeyCode::Char('z'), KeyModifiers::CONTROL);
            let _ = app.query_error.as_ref();
        }
    }
}

#[test]
fn the_window_follows_the_cursor() {
    let long = format!("[{}1]", "1, ".repeat(100));
    let text: Vec<String> = std::iter::once(long.clone()).chain((0..100).map(|i| i.to_string())).collect();
    let mut app = app_with(&text.join("\n"));
    app.focus = Pane::Query;
    key(&mut app, KeyCode::End);
    assert!(app.query_view.left > 0, "scrolled right to the end of the long line");
    let width = usize::from(crate::ui::editor::text_area(crate::ui::layout(app.size).query, 101).width);
    assert_eq!(app.query_view.left, long.len() + 1 - width, "the cursor cell is the last visible one");
    key(&mut app, KeyCode::Home);
    assert_eq!(app.query_view.left, 0);
    for _ in 0..60 {
        key(&mut app, KeyCode::Down);
    }
    let height = usize::from(crate::ui::editor::text_area(crate::ui::layout(app.size).query, 101).height);
    assert_eq!(app.query_view.top, 61 - height, "the cursor line is the last visible one");
    assert!(app.query_view.highlight.line(60).is_some(), "the visible lines are highlighted");
    assert!(app.query_view.highlight.line(61).is_none(), "and nothing below them");
    app.editor.move_cursor(CursorMove::Jump(5, 0));
    key(&mut app, KeyCode::Up);
    assert_eq!(app.query_view.top, 4, "moving above the window scrolls up to the cursor line");
}

#[test]
fn the_window_follows_the_cursor_past_65535_lines() {
    let mut app = app_with("");
    let text: String = (0..70_000).map(|i| format!("{i}\n")).collect();
    update(&mut app, Msg::Paste(text));
    let row = app.editor.cursor().0;
    assert_eq!(row, 70_000);
    let top = app.query_view.top;
    assert!(top <= row && row - top < 40, "top {top}, cursor row {row}");
}

#[test]
fn ctrl_o_with_unsaved_changes_asks_first() {
    let mut app = app_with(GOOD);
    typed(&mut app, " ");
    assert!(app.is_modified());
    let effects = press(&mut app, KeyCode::Char('o'), KeyModifiers::CONTROL);
    assert!(effects.is_empty(), "the first Ctrl-O only warns");
    assert!(app.notice.as_ref().is_some_and(|n| n.text.contains("unsaved")));
    let effects = press(&mut app, KeyCode::Char('o'), KeyModifiers::CONTROL);
    assert!(matches!(effects.as_slice(), [Effect::ListDir(_)]), "the second one opens the picker");
}

#[test]
fn an_opened_file_cannot_be_undone_into_the_old_text() {
    let mut app = app_with(GOOD);
    typed(&mut app, " ");
    let path = PathBuf::from("/work/queries/other.json");
    update(&mut app, Msg::Opened(Ok((path.clone(), "{\"other\": 1}\n".into()))));
    assert!(!app.is_modified(), "a file just opened has no changes");
    press(&mut app, KeyCode::Char('z'), KeyModifiers::CONTROL);
    assert_eq!(app.query_text(), "{\"other\": 1}", "undo stays within the opened file");
    assert_eq!(app.query_path, Some(path));
}
