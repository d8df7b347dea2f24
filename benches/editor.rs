//! A keystroke in a 5,000-line query, from the key to the drawn frame: `update` (the edit, JSON
//! validation, PAIRS checks, window and highlight upkeep) and then `render` into a 120x40
//! buffer. The budget is one frame at 60 Hz, 16 ms.

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use pairs_tui::app::{App, Msg, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui_textarea::CursorMove;

/// A valid, formatted query of exactly `lines` lines: many layers, one per line.
fn big_query(lines: usize) -> String {
    let layers = lines - 6;
    let mut text = String::from("{\n  \"name\": \"bench\",\n  \"layers\": [\n");
    for i in 0..layers {
        let comma = if i + 1 < layers { "," } else { "" };
        text.push_str(&format!(
            "    {{\"type\": \"raster\", \"id\": \"{}\", \"alias\": \"l{i}\", \"aggregation\": \"Mean\"}}{comma}\n",
            49423 + i
        ));
    }
    text.push_str("  ],\n  \"spatial\": {\"type\": \"point\", \"coordinates\": [42.36, -71.06]},\n");
    text.push_str(
        "  \"temporal\": {\"intervals\": [{\"start\": \"2024-06-01\", \"end\": \"2024-06-02\"}]}\n}",
    );
    text
}

fn keystroke(c: &mut Criterion, name: &str, line: u16) {
    let query = big_query(5000);
    let mut app = App::new(&query, None, Instant::now());
    update(&mut app, Msg::Resize(120, 40));
    app.editor.move_cursor(CursorMove::Jump(line, 30));
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("a test terminal");
    // Bring the window and its highlighting to the cursor first, as the app would have.
    update(&mut app, Msg::Key(KeyEvent::new(KeyCode::Right, KeyModifiers::NONE)));
    terminal.draw(|f| pairs_tui::ui::render(&app, f)).expect("a frame");
    assert_eq!(app.query_error, None, "the query is valid JSON");
    // Alternate typing and deleting a character, so the text stays the same size.
    let keys = [KeyCode::Char('x'), KeyCode::Backspace];
    let mut n = 0usize;
    c.bench_function(name, |b| {
        b.iter(|| {
            n += 1;
            update(&mut app, Msg::Key(KeyEvent::new(keys[n % 2], KeyModifiers::NONE)));
            terminal.draw(|f| pairs_tui::ui::render(black_box(&app), f)).expect("a frame");
        });
    });
}

fn benches(c: &mut Criterion) {
    keystroke(c, "keystroke in a 5000-line query, line 2500", 2500);
    keystroke(c, "keystroke in a 5000-line query, line 10", 10);
    keystroke(c, "keystroke in a 5000-line query, line 4990", 4990);
}

criterion_group!(editor, benches);
criterion_main!(editor);
