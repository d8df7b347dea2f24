//! The job list and catalog popups: a filter line over a selectable table.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Cell, Clear, Paragraph, Row, Table, TableState, Wrap};

use super::{centered, theme};
use crate::api::types::{JobPhase, Layer};
use crate::app::App;
use crate::app::jobs::{CatalogPopup, JobsPopup, Picker};

fn frame_popup(frame: &mut Frame, area: Rect, title: &str, help: &str) -> Rect {
    let popup = centered(area, area.width.saturating_sub(4).min(110), area.height.saturating_sub(2));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Thick)
        .border_style(theme::focused_border())
        .title(format!(" {title} "))
        .title_bottom(Line::styled(format!(" {help} "), theme::dim()).right_aligned());
    let inner = block.inner(popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(block, popup);
    inner
}

fn filter_line(picker: &Picker, hint: &str) -> Line<'static> {
    let mut spans = vec![Span::styled("filter ", theme::dim()), Span::raw(picker.filter.clone())];
    spans.push(Span::styled(" ", Style::default().add_modifier(Modifier::REVERSED)));
    if picker.filter.is_empty() {
        spans.push(Span::styled(format!(" {hint}"), theme::dim()));
    }
    Line::from(spans)
}

fn selected_style() -> Style {
    Style::default().add_modifier(Modifier::REVERSED)
}

/// The job list (F7).
pub(super) fn render_jobs(app: &App, popup: &JobsPopup, frame: &mut Frame, area: Rect) {
    let inner = frame_popup(frame, area, "Jobs", "Enter open · F7 reload · Esc close");
    let [filter, body] = Layout::vertical([Constraint::Length(2), Constraint::Min(0)]).areas(inner);
    frame
        .render_widget(Paragraph::new(filter_line(&popup.picker, "(or type a job id to follow it)")), filter);
    let jobs = match &popup.jobs {
        None => return frame.render_widget(Paragraph::new(Line::styled("loading…", theme::dim())), body),
        Some(Err(e)) => {
            let text =
                Line::from(vec![Span::styled("cannot list jobs: ", theme::error()), Span::raw(e.clone())]);
            return frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), body);
        }
        Some(Ok(_)) => popup.visible(),
    };
    if jobs.is_empty() {
        let text = if crate::app::jobs::is_job_id(popup.picker.filter.trim()) {
            "Enter follows this job id"
        } else {
            "no job matches"
        };
        return frame.render_widget(Paragraph::new(Line::styled(text, theme::dim())), body);
    }
    let rows = jobs.iter().map(|j| {
        let style = match j.phase() {
            JobPhase::Succeeded => theme::good(),
            JobPhase::Failed => theme::error(),
            JobPhase::Running => theme::warning(),
        };
        Row::new(vec![
            Cell::from(j.id.clone()),
            Cell::from(j.nickname.clone().unwrap_or_default()),
            Cell::from(j.label()).style(style),
            Cell::from(j.start.map(|ms| start_time(app, ms)).unwrap_or_default()),
        ])
    });
    let table = Table::new(
        rows,
        [Constraint::Length(20), Constraint::Min(12), Constraint::Length(24), Constraint::Length(16)],
    )
    .header(Row::new(["id", "name", "status", "started"]).style(theme::dim()))
    .row_highlight_style(selected_style())
    .highlight_symbol("› ");
    let mut state = TableState::default().with_selected(Some(popup.picker.selected));
    frame.render_stateful_widget(table, body, &mut state);
}

fn start_time(app: &App, ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&app.timezone).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// The layer catalog (F8).
pub(super) fn render_catalog(app: &App, popup: &CatalogPopup, frame: &mut Frame, area: Rect) {
    let inner = frame_popup(frame, area, "Catalog", "Enter insert id · Ctrl-D details · Esc close");
    let details_height = if popup.details.is_some() { 6 } else { 0 };
    let [filter, body, details] =
        Layout::vertical([Constraint::Length(2), Constraint::Min(0), Constraint::Length(details_height)])
            .areas(inner);
    frame.render_widget(Paragraph::new(filter_line(&popup.picker, "(id, name or data set)")), filter);
    let layers = match &app.catalog {
        None => {
            return frame
                .render_widget(Paragraph::new(Line::styled("loading the catalog…", theme::dim())), body);
        }
        Some(Err(e)) => {
            let text = vec![
                Line::from(vec![
                    Span::styled("cannot fetch the catalog: ", theme::error()),
                    Span::raw(e.clone()),
                ]),
                Line::styled("F8 tries again", theme::dim()),
            ];
            return frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), body);
        }
        Some(Ok(layers)) => popup.visible(layers),
    };
    let count = match layers.len() {
        1 => "1 layer".to_owned(),
        n => format!("{n} layers"),
    };
    let title = Line::styled(count, theme::dim());
    let rows = layers.iter().map(|l| {
        Row::new(vec![
            Cell::from(l.id.clone()).style(theme::key()),
            Cell::from(l.name.clone()),
            Cell::from(l.dataset.clone().unwrap_or_default()),
            Cell::from(l.units.clone().unwrap_or_default()),
        ])
    });
    let table = Table::new(
        rows,
        [Constraint::Length(8), Constraint::Min(16), Constraint::Min(12), Constraint::Length(10)],
    )
    .header(Row::new(["id", "name", "data set", "units"]).style(theme::dim()))
    .row_highlight_style(selected_style())
    .block(Block::default().title_bottom(title.right_aligned()));
    let mut state = TableState::default().with_selected(Some(popup.picker.selected));
    frame.render_stateful_widget(table, body, &mut state);
    if let Some(found) = &popup.details {
        let lines = match found {
            Ok(layer) => layer_details(layer),
            Err(e) => {
                vec![Line::from(vec![Span::styled("no details: ", theme::error()), Span::raw(e.clone())])]
            }
        };
        let block = Block::default().borders(Borders::TOP).border_style(theme::border());
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).block(block), details);
    }
}

fn layer_details(layer: &Layer) -> Vec<Line<'static>> {
    let field = |name: &str, value: Option<&str>| {
        Line::from(vec![
            Span::styled(format!("{name:<9}"), theme::dim()),
            Span::raw(value.unwrap_or("–").to_owned()),
        ])
    };
    let range = match (&layer.temporal_min, &layer.temporal_max) {
        (None, None) => None,
        (from, to) => Some(format!("{} → {}", from.as_deref().unwrap_or("?"), to.as_deref().unwrap_or("?"))),
    };
    vec![
        field("layer", Some(&format!("{} {}", layer.id, layer.name))),
        field("units", layer.units.as_deref()),
        field("level", layer.level.as_deref()),
        field("time", range.as_deref()),
        field("about", layer.description_short.as_deref()),
    ]
}
