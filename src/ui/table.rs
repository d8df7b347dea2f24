//! The table view of a point-query answer: every row, one per line, only the visible ones made.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::theme;
use crate::app::viewer::{Points, Viewer};

pub(super) fn render(viewer: &Viewer, frame: &mut Frame, area: Rect) {
    let rows = match &viewer.points {
        Points::Ready { rows, .. } => rows,
        _ => {
            frame.render_widget(Paragraph::new(Line::styled("reading the rows…", theme::dim())), area);
            return;
        }
    };
    // Vector rows have a region instead of a position; the column is there only if needed.
    let regions = rows.iter().any(|r| !r.region.is_empty());
    // The value comes right after the time: on a narrow screen it is what must stay in view.
    let mut header = vec!["layer", "time (UTC)", "value", "unit", "lat", "lon"];
    if regions {
        header.push("region");
    }
    let visible = usize::from(area.height.saturating_sub(1));
    // ←→ scroll whole columns, so that a narrow pane never shows a value cut short.
    let skip = viewer.table_column.min(header.len() - 1);
    header.drain(..skip);
    let shown: Vec<Vec<String>> = rows
        .iter()
        .skip(viewer.table_scroll)
        .take(visible)
        .map(|r| {
            let mut cells = vec![
                r.layer.clone(),
                r.iso_time(),
                r.value.clone(),
                r.unit.clone(),
                r.lat.clone(),
                r.lon.clone(),
            ];
            if regions {
                cells.push(r.region.clone());
            }
            cells.drain(..skip);
            cells
        })
        .collect();
    // Each column is as wide as its widest visible cell (a layer name at most 24), and only the
    // columns that fit whole are drawn: ←→ brings the others in.
    let mut room = usize::from(area.width);
    let mut widths = Vec::new();
    for (i, title) in header.iter().enumerate() {
        let widest = shown.iter().map(|cells| cells[i].chars().count()).max().unwrap_or(0);
        let mut width = widest.max(title.chars().count());
        if i == 0 && skip == 0 {
            // The layer name gives way first, so that a narrow pane still shows the value.
            width = width.min(usize::from(area.width).saturating_sub(30).clamp(8, 24));
        }
        if !widths.is_empty() && width > room {
            break;
        }
        room = room.saturating_sub(width + 1);
        widths.push(Constraint::Length(u16::try_from(width).unwrap_or(u16::MAX)));
    }
    let fits = widths.len();
    // A column cut off on the right is announced in the last header that fits.
    let more = fits < header.len();
    header.truncate(fits);
    let header: Vec<String> = header
        .iter()
        .enumerate()
        .map(|(i, h)| if more && i + 1 == fits { format!("{h} →") } else { (*h).to_owned() })
        .collect();
    let shown: Vec<Vec<String>> = shown
        .into_iter()
        .map(|mut cells| {
            cells.truncate(fits);
            cells
        })
        .collect();
    let value_column = 2_usize.checked_sub(skip).unwrap_or(usize::MAX);
    let body: Vec<Row> = shown
        .into_iter()
        .map(|cells| {
            Row::new(cells.into_iter().enumerate().map(|(i, text)| {
                let cell = Cell::from(text);
                if i == value_column { cell.style(theme::json_number()) } else { cell }
            }))
        })
        .collect();
    let header = Row::new(header).style(Style::default().add_modifier(Modifier::BOLD).fg(theme::SERIES[0]));
    frame.render_widget(Table::new(body, widths).header(header).column_spacing(1), area);
}
