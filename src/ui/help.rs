//! The F1 help overlay, generated from the key table.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Borders, Cell, Clear, Row, Table};

use super::{centered, theme};
use crate::app::Pane;
use crate::app::keymap::{BINDINGS, Scope};

pub(super) fn render(frame: &mut Frame, area: Rect) {
    let mut rows = Vec::new();
    let scopes = std::iter::once(Scope::Global).chain(Pane::ALL.into_iter().map(Scope::Pane));
    for scope in scopes {
        let name = match scope {
            Scope::Global => "everywhere",
            Scope::Pane(Pane::ApiKey) => "API key",
            Scope::Pane(Pane::Query) => "query",
            Scope::Pane(Pane::Response) => "response",
            Scope::Pane(Pane::Token) => "token",
        };
        let mut first = true;
        for b in BINDINGS.iter().filter(|b| b.scope == scope && !b.label.is_empty()) {
            rows.push(Row::new(vec![
                Cell::from(if first { name } else { "" }).style(theme::dim()),
                Cell::from(b.label).style(theme::key()),
                Cell::from(b.description),
            ]));
            first = false;
        }
    }
    // Two columns when one would not fit the screen's height.
    let columns = if rows.len() + 2 > usize::from(area.height) { 2 } else { 1 };
    let per_column = rows.len().div_ceil(columns);
    let height = u16::try_from(per_column).unwrap_or(u16::MAX).saturating_add(2);
    let popup = centered(area, if columns == 1 { 66 } else { 100 }, height);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Thick)
        .border_style(theme::focused_border())
        .title(" Help ")
        .title_bottom(Line::styled(" F1 or Esc closes ", theme::dim()).right_aligned());
    let inner = block.inner(popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(block, popup);
    let areas = Layout::horizontal(vec![Constraint::Ratio(1, columns as u32); columns]).split(inner);
    let mut rows = rows.into_iter();
    for column in areas.iter() {
        let chunk: Vec<Row> = rows.by_ref().take(per_column).collect();
        let widths = [Constraint::Length(10), Constraint::Length(11), Constraint::Min(8)];
        frame.render_widget(Table::new(chunk, widths), *column);
    }
}
