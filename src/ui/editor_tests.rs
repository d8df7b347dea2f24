//! Snapshots and cell checks of the query editor: colours at each depth, the cursor after tabs
//! and around wide and zero-width characters, the popups.

use std::fmt::Write as _;
use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui_textarea::CursorMove;

use super::theme::ColorDepth;
use crate::app::picker::{Entry, Listing};
use crate::app::{App, Msg, update};

const SAMPLE: &str =
    "{\n  \"name\": \"demo\",\n  \"n\": -1.5, \"ok\": true, \"none\": null,\n\t\"tab\":\t\"x\" // no\n}";

fn app(text: &str, color: ColorDepth) -> App {
    let mut app = App::new(text, Some("q.json".into()), Instant::now());
    app.color = color;
    app
}

fn key(app: &mut App, code: KeyCode) {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn draw(app: &mut App, width: u16, height: u16) -> Terminal<TestBackend> {
    update(app, Msg::Resize(width, height));
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap_or_else(|e| panic!("{e}"));
    terminal.draw(|f| super::render(app, f)).unwrap_or_else(|e| panic!("{e}"));
    terminal
}

fn buffer(app: &mut App, width: u16, height: u16) -> Buffer {
    draw(app, width, height).backend().buffer().clone()
}

/// The query pane as text, each row followed by a row of style codes (`.` is unstyled), then a
/// legend of the codes: colours are asserted, and a diff still reads.
fn styled(buf: &Buffer, area: Rect) -> String {
    let mut styles: Vec<Style> = Vec::new();
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        let mut text = String::new();
        let mut codes = String::new();
        for x in area.left()..area.right() {
            let cell = &buf[(x, y)];
            text.push_str(cell.symbol());
            let style = cell.style();
            let unset = |c: Option<Color>| matches!(c, None | Some(Color::Reset));
            let code = if unset(style.fg) && unset(style.bg) && style.add_modifier.is_empty() {
                '.'
            } else {
                let i = styles.iter().position(|s| *s == style).unwrap_or_else(|| {
                    styles.push(style);
                    styles.len() - 1
                });
                char::from(b'a' + u8::try_from(i % 26).unwrap_or(0))
            };
            // A wide character's second cell has an empty symbol: keep the columns aligned.
            if cell.symbol().is_empty() {
                text.push(' ');
            }
            codes.push(code);
        }
        let _ = writeln!(out, "{text}\n{codes}");
    }
    for (i, style) in styles.iter().enumerate() {
        let _ = writeln!(
            out,
            "{}: fg {:?} bg {:?} {:?}",
            char::from(b'a' + u8::try_from(i % 26).unwrap_or(0)),
            style.fg,
            style.bg,
            style.add_modifier
        );
    }
    out
}

fn query_pane(app: &mut App) -> String {
    let buf = buffer(app, 100, 24);
    styled(&buf, super::layout(app.size).query)
}

#[test]
fn highlighting_in_256_colours() {
    insta::assert_snapshot!("editor_256", query_pane(&mut app(SAMPLE, ColorDepth::Ansi256)));
}

#[test]
fn highlighting_in_16_colours() {
    insta::assert_snapshot!("editor_16", query_pane(&mut app(SAMPLE, ColorDepth::Ansi16)));
}

#[test]
fn no_color_has_no_colours() {
    let mut app = app(SAMPLE, ColorDepth::None);
    let buf = buffer(&mut app, 100, 24);
    let text = super::editor::text_area(super::layout(app.size).query, 5);
    for y in text.top()..text.bottom() {
        for x in text.left()..text.right() {
            let style = buf[(x, y)].style();
            assert!(matches!(style.fg, None | Some(Color::Reset)), "{x},{y}: {style:?}");
            assert!(matches!(style.bg, None | Some(Color::Reset)), "{x},{y}: {style:?}");
        }
    }
    insta::assert_snapshot!("editor_no_color", styled(&buf, super::layout(app.size).query));
}

#[test]
fn error_line_and_warnings_are_marked() {
    let text = "{\n  \"layers\": [],\n  \"spatial\": {\"type\": \"area\"}\n}";
    let mut valid = app(text, ColorDepth::Ansi16);
    insta::assert_snapshot!("editor_warnings", query_pane(&mut valid));
    let mut invalid = app("{\n  \"layers\": [\n  \"spatial\": {}\n}", ColorDepth::Ansi16);
    insta::assert_snapshot!("editor_error_line", query_pane(&mut invalid));
}

/// The cell where the cursor is drawn, relative to the text area: the one reversed cell.
fn cursor_cell(app: &mut App) -> (u16, u16, String) {
    let buf = buffer(app, 100, 24);
    let text = super::editor::text_area(super::layout(app.size).query, app.editor.lines().len());
    let mut found = Vec::new();
    for y in text.top()..text.bottom() {
        for x in text.left()..text.right() {
            if buf[(x, y)].style().add_modifier.contains(Modifier::REVERSED) {
                found.push((x - text.x, y - text.y, buf[(x, y)].symbol().to_owned()));
            }
        }
    }
    assert_eq!(found.len(), 1, "exactly one cursor cell: {found:?}");
    found.remove(0)
}

#[test]
fn the_cursor_is_exact_after_tabs() {
    // Tab length 2: a tab at column 0 ends at 2, one at column 1 ends at 2, one at 6 ends at 8.
    let mut app = app("\t\"a\":\t1\nx\ty", ColorDepth::Ansi16);
    key(&mut app, KeyCode::Right);
    assert_eq!(cursor_cell(&mut app), (2, 0, "\"".into()));
    for _ in 0..5 {
        key(&mut app, KeyCode::Right);
    }
    assert_eq!(app.editor.cursor(), (0, 6));
    assert_eq!(cursor_cell(&mut app), (8, 0, "1".into()));
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Home);
    key(&mut app, KeyCode::Right);
    key(&mut app, KeyCode::Right);
    assert_eq!(cursor_cell(&mut app), (2, 1, "y".into()));
}

#[test]
fn the_cursor_is_exact_after_a_pasted_tab() {
    let mut app = app("x", ColorDepth::Ansi16);
    update(&mut app, Msg::Paste("\t".into()));
    assert_eq!(app.editor.lines(), ["\tx"]);
    assert_eq!(cursor_cell(&mut app), (2, 0, "x".into()));
    update(&mut app, Msg::Paste("a\t".into()));
    assert_eq!(cursor_cell(&mut app), (4, 0, "x".into()), "a at 2, its tab to 4");
}

#[test]
fn wide_and_zero_width_characters_keep_the_cursor_in_place() {
    // [ " 👩 ZWJ 💻 U+202F e U+0301 " ]: the ZWJ and the accent get one-cell stand-ins.
    let mut app = app("[\"👩\u{200d}💻\u{202f}e\u{301}\"]", ColorDepth::Ansi16);
    let expected = [
        (0, "["),
        (1, "\""),
        (2, "👩"),
        (4, "◌"),
        (5, "💻"),
        (7, "\u{202f}"),
        (8, "e"),
        (9, "◌"),
        (10, "\""),
        (11, "]"),
        (12, " "),
    ];
    for (i, (x, symbol)) in expected.iter().enumerate() {
        app.editor.move_cursor(CursorMove::Jump(0, u16::try_from(i).unwrap_or(0)));
        assert_eq!(cursor_cell(&mut app), (*x, 0, (*symbol).to_owned()), "cursor at character {i}");
    }
}

#[test]
fn horizontal_scroll_keeps_a_wide_cursor_character_whole() {
    let line = format!("[\"{}\"]", "👩".repeat(60));
    let mut app = app(&line, ColorDepth::Ansi16);
    key(&mut app, KeyCode::End);
    for _ in 0..3 {
        key(&mut app, KeyCode::Left);
    }
    let (x, _, symbol) = cursor_cell(&mut app);
    let width = super::editor::text_area(super::layout(app.size).query, 1).width;
    assert_eq!(symbol, "👩");
    assert!(x + 2 <= width, "both cells of the character are on screen: {x} of {width}");
}

#[test]
fn file_picker_popup() {
    let mut app = app(SAMPLE, ColorDepth::Ansi16);
    update(&mut app, Msg::Key(KeyEvent::new(KeyCode::Char('o'), KeyModifiers::CONTROL)));
    let entry = |name: &str, is_dir| Entry { name: name.into(), is_dir };
    let entries = vec![
        entry("..", true),
        entry("archive", true),
        entry("ndvi-box.json", false),
        entry("point.json", false),
    ];
    update(&mut app, Msg::Listed(Ok(Listing { dir: "/home/me/queries".into(), entries })));
    key(&mut app, KeyCode::Char('j'));
    insta::assert_snapshot!("picker_80x24", draw(&mut app, 80, 24).backend().to_string());
}

#[test]
fn template_popup() {
    let mut app = app(SAMPLE, ColorDepth::Ansi16);
    update(&mut app, Msg::Key(KeyEvent::new(KeyCode::Char('t'), KeyModifiers::CONTROL)));
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    insta::assert_snapshot!("templates_80x24", draw(&mut app, 80, 24).backend().to_string());
}

#[test]
fn tiny_terminals_do_not_panic() {
    let mut app = app("[\"👩\u{200d}💻\t\u{202f}\"]\n{}", ColorDepth::Ansi256);
    key(&mut app, KeyCode::End);
    for width in 0..24 {
        for height in 0..12 {
            let _ = buffer(&mut app, width, height);
        }
    }
}
