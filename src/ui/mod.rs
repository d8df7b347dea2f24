//! The view: draws the state and changes nothing. One file per pane.

mod api_key;
mod chart;
pub mod editor;
mod footer;
mod help;
mod job;
pub mod json;
mod picker;
mod popups;
mod query;
mod response;
mod table;
pub mod theme;
pub(crate) mod token;

pub use response::banner_height;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Borders};

use crate::app::{App, Overlay, Pane};

/// Where each pane goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    /// The API key pane.
    pub key: Rect,
    /// The token pane.
    pub token: Rect,
    /// The query editor.
    pub query: Rect,
    /// The response viewer.
    pub response: Rect,
    /// The footer line.
    pub footer: Rect,
}

/// Splits the screen: key and token on top, query and response side by side, footer below.
/// On a narrow terminal the query sits above the response instead.
pub fn layout(area: Rect) -> Areas {
    let [top, middle, footer] =
        Layout::vertical([Constraint::Length(6), Constraint::Min(4), Constraint::Length(1)]).areas(area);
    let [key, token] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(top);
    let [query, response] = if area.width >= 80 {
        Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(middle)
    } else {
        Layout::vertical([Constraint::Percentage(40), Constraint::Percentage(60)]).areas(middle)
    };
    Areas { key, token, query, response, footer }
}

/// Draws everything.
pub fn render(app: &App, frame: &mut Frame) {
    let areas = layout(frame.area());
    api_key::render(app, frame, areas.key);
    token::render(app, frame, areas.token);
    query::render(app, frame, areas.query);
    response::render(app, frame, areas.response);
    footer::render(app, frame, areas.footer);
    match &app.overlay {
        Some(Overlay::Help) => help::render(frame, frame.area()),
        Some(Overlay::SaveAs(input, target)) => query::render_save_as(input, *target, frame, frame.area()),
        Some(Overlay::Jobs(popup)) => popups::render_jobs(app, popup, frame, frame.area()),
        Some(Overlay::Catalog(popup)) => popups::render_catalog(app, popup, frame, frame.area()),
        Some(Overlay::Picker(picker)) => picker::render_picker(picker, app.color, frame, frame.area()),
        Some(Overlay::Templates(selected)) => {
            picker::render_templates(*selected, app.color, frame, frame.area())
        }
        None => {}
    }
}

/// A pane's frame, highlighted when focused.
fn pane_block<'a>(app: &App, pane: Pane, title: impl Into<Line<'a>>) -> Block<'a> {
    let focused = app.focus == pane && app.overlay.is_none();
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused { BorderType::Thick } else { BorderType::Rounded })
        .border_style(if focused { theme::focused_border() } else { theme::border() })
        .title(title)
}

/// A centred rectangle of at most `width` x `height` inside `area`.
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h)
}

/// `1.5 KiB`-style sizes.
pub fn human_size(bytes: usize) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 { format!("{bytes} B") } else { format!("{value:.1} {}", UNITS[unit]) }
}

#[cfg(test)]
mod editor_tests;
#[cfg(test)]
mod tests;
