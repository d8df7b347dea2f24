//! The chart view of a point-query answer: value over time, one line per layer and location.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::Line;
use ratatui::widgets::{Axis, Chart, Dataset, GraphType, LegendPosition, Paragraph};

use super::theme;
use crate::app::viewer::{Points, Viewer};
use crate::points::iso;

pub(super) fn render(viewer: &Viewer, frame: &mut Frame, area: Rect) {
    let chart = match &viewer.points {
        Points::Ready { chart, .. } => chart,
        _ => {
            frame.render_widget(Paragraph::new(Line::styled("reading the rows…", theme::dim())), area);
            return;
        }
    };
    let [plot, note] = Layout::vertical([Constraint::Min(3), Constraint::Length(1)]).areas(area);
    let mut skipped = Vec::new();
    if chart.without_time > 0 {
        skipped.push(format!("{} without a time", rows(chart.without_time)));
    }
    if chart.not_numeric > 0 {
        skipped.push(format!("{} with a value that is not a number", rows(chart.not_numeric)));
    }
    let note_text = if skipped.is_empty() {
        format!("{} series · t table · v text", chart.series.len())
    } else {
        format!("not plotted: {} · t table shows them", skipped.join(", "))
    };
    frame.render_widget(Paragraph::new(Line::styled(note_text, theme::dim())), note);
    let Some(([x0, x1], [y0, y1])) = chart.bounds() else {
        frame.render_widget(Paragraph::new(Line::styled("nothing to plot", theme::warning())), plot);
        return;
    };
    // A single time or value still needs a range to draw in.
    let (x1, y_pad) = (if x1 > x0 { x1 } else { x0 + 1.0 }, if y1 > y0 { (y1 - y0) * 0.05 } else { 1.0 });
    let (y0, y1) = (y0 - y_pad, y1 + y_pad);
    let datasets: Vec<Dataset> = chart
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            Dataset::default()
                .name(s.name.clone())
                .marker(Marker::Braille)
                .graph_type(if s.points.len() > 1 { GraphType::Line } else { GraphType::Scatter })
                .style(Style::default().fg(theme::SERIES[i % theme::SERIES.len()]))
                .data(&s.points)
        })
        .collect();
    // Days for a span of days; hours and minutes when the whole span is within two days.
    let short = x1 - x0 < 2.0 * 86_400_000.0;
    let date = |ms: f64| {
        let text = iso(ms as i64);
        let part = if short {
            text.get(5..16).map(|t| t.replace('T', " "))
        } else {
            text.get(..10).map(str::to_owned)
        };
        part.unwrap_or_default()
    };
    let x_labels = vec![Line::from(date(x0)), Line::from(date((x0 + x1) / 2.0)), Line::from(date(x1))];
    let y_labels = [y0, (y0 + y1) / 2.0, y1].map(|v| Line::from(axis_number(v))).to_vec();
    let widget = Chart::new(datasets)
        .x_axis(Axis::default().title("time (UTC)").style(theme::dim()).bounds([x0, x1]).labels(x_labels))
        .y_axis(Axis::default().title("value").style(theme::dim()).bounds([y0, y1]).labels(y_labels))
        .legend_position(Some(LegendPosition::TopRight))
        .hidden_legend_constraints((Constraint::Percentage(95), Constraint::Percentage(60)));
    frame.render_widget(widget, plot);
}

fn rows(n: usize) -> String {
    if n == 1 { "1 row".into() } else { format!("{n} rows") }
}

/// A value for the axis: fixed decimals in the usual range, e-notation for huge or tiny ones.
fn axis_number(v: f64) -> String {
    if v != 0.0 && !(1e-3..1e9).contains(&v.abs()) { format!("{v:.2e}") } else { format!("{v:.2}") }
}

#[cfg(test)]
mod tests {
    use super::axis_number;

    #[test]
    fn axis_numbers_stay_short_at_any_magnitude() {
        assert_eq!(axis_number(291.4302), "291.43");
        assert_eq!(axis_number(0.0), "0.00");
        assert_eq!(axis_number(-1e308), "-1.00e308");
        assert_eq!(axis_number(2.5e-7), "2.50e-7");
    }
}
