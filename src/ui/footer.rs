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
    let pair = |b: &keymap::Binding| {
        [Span::styled(b.label, theme::key()), Span::styled(format!(" {}  ", b.description), theme::dim())]
    };
    let width = |b: &keymap::Binding| pair(b).iter().map(Span::width).sum::<usize>();
    // Send, help and quit (the first global keys) always fit: the pane's own keys that would
    // push them off a narrow line are left to the help.
    let essential: usize =
        keymap::footer(app.focus).filter(|b| b.scope == keymap::Scope::Global).take(3).map(width).sum();
    let used: usize = spans.iter().map(Span::width).sum();
    let mut room = usize::from(area.width).saturating_sub(used + essential);
    let mut fits = true;
    for binding in keymap::footer(app.focus) {
        if binding.scope != keymap::Scope::Global {
            fits = fits && width(binding) <= room;
            if !fits {
                continue;
            }
            room -= width(binding);
        }
        spans.extend(pair(binding));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
