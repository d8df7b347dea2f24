//! The query pane: the JSON editor, with the file name and the validation result in its title.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear};
use ratatui_textarea::TextArea;

use super::{centered, pane_block, theme};
use crate::app::{App, Pane, SaveTarget};

pub(super) fn render(app: &App, frame: &mut Frame, area: Rect) {
    let name = app
        .query_path
        .as_ref()
        .and_then(|p| p.file_name())
        .map_or_else(|| "new, no file".to_owned(), |n| n.to_string_lossy().into_owned());
    let mut title = vec![Span::raw(" Query "), Span::styled(format!("{name} "), theme::dim())];
    if app.modified {
        title.push(Span::styled("● ", theme::warning()));
    }
    title.push(match &app.query_error {
        None => Span::styled("✓ JSON ", theme::good()),
        Some((line, column, message)) => {
            Span::styled(format!("✗ {line}:{column} {message} "), theme::error())
        }
    });
    let warnings = &app.query_view.warnings;
    if !warnings.is_empty() {
        title.push(Span::styled(format!("⚠ {} ", warnings.len()), theme::warning()));
    }
    let mut block = pane_block(app, Pane::Query, Line::from(title));
    if let Some(first) = warnings.first() {
        block = block.title_bottom(Line::styled(format!(" ⚠ {first} "), theme::warning()));
    }
    frame.render_widget(block, area);
    super::editor::render(app, frame, area);
}

/// The "save as" prompt over the whole screen, for the query or the response body.
pub(super) fn render_save_as(input: &TextArea<'static>, target: SaveTarget, frame: &mut Frame, area: Rect) {
    let what = match target {
        SaveTarget::Query => "query",
        SaveTarget::Body => "response body",
    };
    let popup = centered(area, 60, 3);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Thick)
        .border_style(theme::focused_border())
        .title(format!(" Save {what} as (Enter saves, Esc cancels) "));
    let inner = block.inner(popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(block, popup);
    frame.render_widget(input, inner);
}
