//! The F1 help overlay, generated from the key table.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Borders, Cell, Clear, Row, Table};

use super::{centered, theme};
use crate::app::Pane;
use crate::app::keymap::{BINDINGS, Binding, Scope};

pub(super) fn render(frame: &mut Frame, area: Rect) {
    let mut rows = Vec::new();
    let scopes = std::iter::once(Scope::Global).chain(Pane::ALL.into_iter().map(Scope::Pane));
    for scope in scopes {
        let mut first = true;
        for b in bindings(scope) {
            rows.push(Row::new(vec![
                Cell::from(if first { scope_name(scope) } else { "" }).style(theme::dim()),
                Cell::from(b.label).style(theme::key()),
                Cell::from(b.description),
            ]));
            first = false;
        }
    }
    rows.push(Row::new(vec![Cell::from("popups").style(theme::dim())]));
    for (label, description) in POPUP_KEYS {
        rows.push(Row::new(vec![
            Cell::from(""),
            Cell::from(label).style(theme::key()),
            Cell::from(description),
        ]));
    }
    let height = u16::try_from(rows.len()).unwrap_or(u16::MAX).saturating_add(2);
    if height > area.height {
        return render_two_columns(frame, area);
    }
    let popup = centered(area, 70, height);
    let table = Table::new(rows, [Constraint::Length(11), Constraint::Length(14), Constraint::Min(10)])
        .block(help_block(" Help ", true));
    frame.render_widget(Clear, popup);
    frame.render_widget(table, popup);
}

/// Keys inside the job list and catalog popups, which type into their filter.
const POPUP_KEYS: [(&str, &str); 3] = [
    ("F7 jobs", "filter or job id, Enter"),
    ("F8 catalog", "filter, Enter inserts"),
    ("  Ctrl-D", "layer details"),
];

/// On a short terminal: the response pane's keys on the right, all others on the left, each
/// pane's name as a heading.
fn render_two_columns(frame: &mut Frame, area: Rect) {
    let sections = |scopes: &[Scope]| -> Vec<Row<'static>> {
        let mut rows = Vec::new();
        for &scope in scopes {
            rows.push(Row::new(vec![Cell::from(scope_name(scope)).style(theme::dim())]));
            for b in bindings(scope) {
                rows.push(Row::new(vec![Cell::from(b.label).style(theme::key()), Cell::from(b.description)]));
            }
        }
        rows
    };
    let left = sections(&[
        Scope::Global,
        Scope::Pane(Pane::ApiKey),
        Scope::Pane(Pane::Query),
        Scope::Pane(Pane::Token),
    ]);
    let mut right = sections(&[Scope::Pane(Pane::Response)]);
    right.push(Row::new(vec![Cell::from("popups").style(theme::dim())]));
    for (label, description) in POPUP_KEYS {
        right.push(Row::new(vec![Cell::from(label).style(theme::key()), Cell::from(description)]));
    }
    let height = u16::try_from(left.len().max(right.len())).unwrap_or(u16::MAX).saturating_add(2);
    let popup = centered(area, 80, height);
    let [l, r] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(popup);
    let widths = [Constraint::Length(12), Constraint::Min(10)];
    frame.render_widget(Clear, popup);
    frame.render_widget(Table::new(left, widths).block(help_block(" Help ", false)), l);
    frame.render_widget(Table::new(right, widths).block(help_block("", true)), r);
}

fn bindings(scope: Scope) -> impl Iterator<Item = &'static Binding> {
    BINDINGS.iter().filter(move |b| b.scope == scope && !b.label.is_empty())
}

fn scope_name(scope: Scope) -> &'static str {
    match scope {
        Scope::Global => "everywhere",
        Scope::Pane(Pane::ApiKey) => "API key",
        Scope::Pane(Pane::Query) => "query",
        Scope::Pane(Pane::Response) => "response",
        Scope::Pane(Pane::Token) => "token",
    }
}

fn help_block(title: &'static str, closing: bool) -> Block<'static> {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Thick)
        .border_style(theme::focused_border())
        .title(title);
    if closing {
        block.title_bottom(Line::styled(" F1 or Esc closes ", theme::dim()).right_aligned())
    } else {
        block
    }
}
