//! Every style in one place.

use ratatui::style::{Color, Modifier, Style};

/// The border of the focused pane.
pub fn focused_border() -> Style {
    Style::default().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}

/// The border of other panes.
pub fn border() -> Style {
    Style::default().fg(Color::DarkGray)
}

/// Secondary text.
pub fn dim() -> Style {
    Style::default().fg(Color::DarkGray)
}

/// Something went wrong.
pub fn error() -> Style {
    Style::default().fg(Color::Red).add_modifier(Modifier::BOLD)
}

/// Something needs attention soon.
pub fn warning() -> Style {
    Style::default().fg(Color::Yellow)
}

/// All is well.
pub fn good() -> Style {
    Style::default().fg(Color::Green)
}

/// A key name in the footer and help.
pub fn key() -> Style {
    Style::default().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}

/// JSON object keys.
pub fn json_key() -> Style {
    Style::default().fg(Color::Blue)
}

/// JSON strings.
pub fn json_string() -> Style {
    Style::default().fg(Color::Green)
}

/// JSON numbers.
pub fn json_number() -> Style {
    Style::default().fg(Color::Magenta)
}

/// JSON true, false and null.
pub fn json_literal() -> Style {
    Style::default().fg(Color::Yellow)
}

/// The style for an HTTP status.
pub fn status(code: u16) -> Style {
    match code {
        200..=299 => good().add_modifier(Modifier::BOLD),
        400..=599 => error(),
        _ => warning(),
    }
}

/// The selected line in the response viewer.
pub fn cursor_line() -> Style {
    Style::default().bg(Color::Indexed(236))
}

/// Line numbers.
pub fn gutter() -> Style {
    Style::default().fg(Color::DarkGray)
}

/// The line number of the selected line.
pub fn gutter_cursor() -> Style {
    Style::default().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}

/// A search match.
pub fn search_match() -> Style {
    Style::default().fg(Color::Black).bg(Color::Yellow)
}

/// A fold's summary, such as `12 lines`.
pub fn folded() -> Style {
    Style::default().fg(Color::DarkGray).add_modifier(Modifier::ITALIC)
}

/// The colours of chart series, in turn.
pub const SERIES: [Color; 6] =
    [Color::Cyan, Color::Yellow, Color::Green, Color::Magenta, Color::Red, Color::Blue];
