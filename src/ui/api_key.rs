//! The API key pane: the key masked (last characters only), the auth server, and what Enter does.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{pane_block, theme};
use crate::app::{App, Pane};
use crate::secret::mask;

pub(super) fn render(app: &App, frame: &mut Frame, area: Rect) {
    let block = pane_block(app, Pane::ApiKey, " API key ");
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let key = app.key_input.lines().join("");
    let focused = app.focus == Pane::ApiKey && app.overlay.is_none();
    let first = if key.is_empty() {
        let mut spans = Vec::new();
        if focused {
            spans.push(Span::styled(" ", Style::default().add_modifier(Modifier::REVERSED)));
        }
        spans.push(Span::styled(app.key_input.placeholder_text().to_owned(), theme::dim()));
        Line::from(spans)
    } else {
        masked_line(&mask(&key), app.key_input.cursor().1, focused, usize::from(inner.width))
    };
    let hint = match app.token {
        crate::app::TokenState::None | crate::app::TokenState::Failed { .. } if !key.is_empty() => {
            "Enter: authenticate"
        }
        _ if key.is_empty() => "or set PAIRS_API_KEY",
        _ => "Enter: authenticate again",
    };
    let lines = vec![
        first,
        Line::styled(hint, theme::dim()),
        Line::from(vec![Span::styled("auth ", theme::dim()), Span::raw(app.auth_label.clone())]),
        Line::from(vec![Span::styled("api  ", theme::dim()), Span::raw(app.api_label.clone())]),
    ];
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The masked key, scrolled so the cursor stays in view, with the cursor drawn when focused.
fn masked_line(masked: &str, cursor: usize, focused: bool, width: usize) -> Line<'static> {
    let chars: Vec<char> = masked.chars().collect();
    let start = (cursor + 1).saturating_sub(width.max(1));
    let mut spans = Vec::new();
    let before: String = chars[start.min(chars.len())..cursor.min(chars.len())].iter().collect();
    spans.push(Span::raw(before));
    let at = chars.get(cursor).map_or_else(|| " ".to_owned(), char::to_string);
    spans.push(if focused {
        Span::styled(at, Style::default().add_modifier(Modifier::REVERSED))
    } else {
        Span::raw(at)
    });
    let after: String = chars.iter().skip(cursor + 1).collect();
    spans.push(Span::raw(after));
    Line::from(spans)
}
