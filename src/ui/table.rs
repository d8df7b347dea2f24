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
    let body: Vec<Row> = rows
        .iter()
        .skip(viewer.table_scroll)
        .take(visible)
        .map(|r| {
            let mut cells = vec![
                Cell::from(r.layer.clone()),
                Cell::from(r.iso_time()),
                Cell::from(r.lat.clone()),
                Cell::from(r.lon.clone()),
            ];
            if regions {
                cells.push(Cell::from(r.region.clone()));
            }
            cells.push(Cell::from(r.value.clone()).style(theme::json_number()));
            cells.push(Cell::from(r.unit.clone()));
            Row::new(cells)
        })
        .collect();
    let mut widths =
        vec![Constraint::Min(10), Constraint::Length(20), Constraint::Length(9), Constraint::Length(10)];
    if regions {
        widths.push(Constraint::Length(12));
    }
    widths.extend([Constraint::Length(12), Constraint::Length(5)]);
    let header = Row::new(header).style(Style::default().add_modifier(Modifier::BOLD).fg(theme::SERIES[0]));
    frame.render_widget(Table::new(body, widths).header(header).column_spacing(1), area);
}
