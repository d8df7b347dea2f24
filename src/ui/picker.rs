//! The popups of the query editor: the Ctrl-O file picker and the Ctrl-T template list.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, List, ListItem, ListState};

use super::centered;
use super::theme::{self, ColorDepth};
use crate::app::editor::TEMPLATES;
use crate::app::picker::Picker;

fn popup_block(title: String, help: String) -> Block<'static> {
    Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Thick)
        .border_style(theme::focused_border())
        .title(title)
        .title_bottom(Line::styled(help, theme::dim()).right_aligned())
}

/// The file picker: the directory in the title, the filter on the first line, then the entries.
pub(super) fn render_picker(picker: &Picker, depth: ColorDepth, frame: &mut Frame, area: Rect) {
    let popup = centered(area, 64, area.height.saturating_sub(4).max(8));
    let width = usize::from(popup.width.saturating_sub(4));
    let dir = picker.listing.dir.display().to_string();
    // Keep the end of a long path: the nearest directories say the most.
    let skip = dir.chars().count().saturating_sub(width.saturating_sub(12));
    let dir: String =
        if skip > 0 { format!("…{}", dir.chars().skip(skip + 1).collect::<String>()) } else { dir };
    let block = popup_block(format!(" Open {dir} "), " type to filter · Enter opens · Esc closes ".into());
    let inner = block.inner(popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(block, popup);
    let [filter_row, list_area] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner);
    let filter = match &picker.error {
        Some(e) => Line::styled(e.clone(), theme::error()),
        None => Line::from(vec![Span::styled("filter: ", theme::dim()), Span::raw(picker.filter.clone())]),
    };
    frame.render_widget(filter, filter_row);
    let visible = picker.visible();
    let items: Vec<ListItem> = if visible.is_empty() {
        vec![ListItem::new(Line::styled("no JSON files here", theme::dim()))]
    } else {
        visible
            .iter()
            .map(|e| {
                if e.is_dir {
                    ListItem::new(Line::styled(format!("{}/", e.name), theme::json_key()))
                } else {
                    ListItem::new(e.name.clone())
                }
            })
            .collect()
    };
    let mut state = ListState::default().with_selected((!visible.is_empty()).then_some(picker.selected));
    let list = List::new(items).highlight_style(theme::selection(depth)).highlight_symbol("› ");
    frame.render_stateful_widget(list, list_area, &mut state);
}

/// The template list: number, name and what it is for.
pub(super) fn render_templates(selected: usize, depth: ColorDepth, frame: &mut Frame, area: Rect) {
    let height = u16::try_from(TEMPLATES.len()).unwrap_or(u16::MAX).saturating_add(2);
    let popup = centered(area, 70, height);
    let help = format!(" ↑↓ Enter or 1-{} · Esc closes ", TEMPLATES.len());
    let block = popup_block(" Template (replaces the query) ".into(), help);
    let items: Vec<ListItem> = TEMPLATES
        .iter()
        .enumerate()
        .map(|(i, t)| {
            ListItem::new(Line::from(vec![
                Span::styled(format!("{} ", i + 1), theme::key()),
                Span::raw(format!("{:<11}", t.name)),
                Span::styled(t.description, theme::dim()),
            ]))
        })
        .collect();
    let mut state = ListState::default().with_selected(Some(selected));
    let list = List::new(items).block(block).highlight_style(theme::selection(depth)).highlight_symbol("› ");
    frame.render_widget(Clear, popup);
    frame.render_stateful_widget(list, popup, &mut state);
}
