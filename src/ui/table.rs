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
    let mut header = vec!["layer", "time (UTC)", "lat", "lon"];
    if regions {
        header.push("region");
    }
    header.extend(["value", "unit"]);
    let visible = usize::from(area.height.saturating_sub(1));
    // ←→ scroll whole columns, so that a narrow pane never shows a value cut short.
    let skip = viewer.table_column.min(header.len() - 1);
    header.drain(..skip);
    let shown: Vec<Vec<String>> = rows
        .iter()
        .skip(viewer.table_scroll)
        .take(visible)
        .map(|r| {
            let mut cells = vec![r.layer.clone(), r.iso_time(), r.lat.clone(), r.lon.clone()];
            if regions {
                cells.push(r.region.clone());
            }
            cells.extend([r.value.clone(), r.unit.clone()]);
            cells.drain(..skip);
            cells
        })
        .collect();
    // Each column is as wide as its widest visible cell; the layer name gets at least 8 columns
    // and the rest of the room.
    let widths: Vec<Constraint> = header
        .iter()
        .enumerate()
        .map(|(i, title)| {
            let widest = shown.iter().map(|cells| cells[i].chars().count()).max().unwrap_or(0);
            let width = u16::try_from(widest.max(title.chars().count())).unwrap_or(u16::MAX);
            if i == 0 && skip == 0 { Constraint::Min(width.min(8)) } else { Constraint::Length(width) }
        })
        .collect();
    let value_column = header.len().saturating_sub(2);
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
