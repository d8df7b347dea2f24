//! The F1 help overlay, generated from the key table.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
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
    let height = u16::try_from(rows.len()).unwrap_or(u16::MAX).saturating_add(2);
    let popup = centered(area, 66, height);
    let table = Table::new(rows, [Constraint::Length(11), Constraint::Length(14), Constraint::Min(10)])
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_type(BorderType::Thick)
                .border_style(theme::focused_border())
                .title(" Help ")
                .title_bottom(Line::styled(" F1 or Esc closes ", theme::dim()).right_aligned()),
        );
    frame.render_widget(Clear, popup);
    frame.render_widget(table, popup);
}
