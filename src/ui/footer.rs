//! The footer: the last notice, then the keys that work in the focused pane.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme;
use crate::app::{App, keymap};

pub(super) fn render(app: &App, frame: &mut Frame, area: Rect) {
    let mut spans = Vec::new();
    if let Some(notice) = &app.notice {
        let style = if notice.error { theme::error() } else { theme::warning() };
        spans.push(Span::styled(format!("{} ", notice.text), style));
        spans.push(Span::styled("│ ", theme::dim()));
    }
    for binding in keymap::footer(app.focus) {
        spans.push(Span::styled(binding.label, theme::key()));
        spans.push(Span::styled(format!(" {}  ", binding.description), theme::dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
