//! A followed job in the response pane: id, status name and code, progress, elapsed time, and
//! the download's bytes.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Gauge, Paragraph, Wrap};

use super::{human_size, theme, token::mmss};
use crate::api::types::JobPhase;
use crate::app::App;
use crate::app::jobs::{JobStage, JobView};

pub(super) fn render(app: &App, job: &JobView, frame: &mut Frame, area: Rect) {
    let [head, gauge, tail] =
        Layout::vertical([Constraint::Length(3), Constraint::Length(1), Constraint::Min(0)]).areas(area);
    let status = job.status.as_ref();
    let label = status.map_or_else(|| "waiting for the first status…".to_owned(), |s| s.label());
    let phase = status.map(|s| s.phase());
    let label_style = match phase {
        Some(JobPhase::Succeeded) => theme::good(),
        Some(JobPhase::Failed) => theme::error(),
        _ => theme::warning(),
    };
    let mut first = vec![Span::styled("job ", theme::dim()), Span::raw(job.id.clone())];
    if let Some(name) = status.and_then(|s| s.nickname.as_deref()) {
        first.push(Span::styled(format!(" · {name}"), theme::dim()));
    }
    let elapsed = mmss(job.ended.unwrap_or(app.now).saturating_duration_since(job.since));
    let lines = vec![
        Line::from(first),
        Line::from(vec![Span::styled("status ", theme::dim()), Span::styled(label, label_style)]),
        Line::from(match status.and_then(|s| s.start).and_then(chrono::DateTime::from_timestamp_millis) {
            Some(start) => vec![
                Span::styled("started ", theme::dim()),
                Span::raw(start.with_timezone(&app.timezone).format("%b %d %H:%M").to_string()),
                Span::styled(" · watched ", theme::dim()),
                Span::raw(elapsed),
            ],
            None => vec![Span::styled("watched ", theme::dim()), Span::raw(elapsed)],
        }),
    ];
    frame.render_widget(Paragraph::new(lines), head);

    let (ratio, text) = match &job.stage {
        JobStage::Downloading { received, total: Some(total) } if *total > 0 => (
            (*received as f64 / *total as f64).clamp(0.0, 1.0),
            format!("downloading {} of {}", human_size(as_usize(*received)), human_size(as_usize(*total))),
        ),
        JobStage::Downloading { received, .. } => {
            (0.0, format!("downloading {}", human_size(as_usize(*received))))
        }
        _ => {
            let percent = status.and_then(|s| s.percent).unwrap_or(0.0).clamp(0.0, 100.0);
            (percent / 100.0, format!("{percent:.0}%"))
        }
    };
    frame.render_widget(Gauge::default().gauge_style(theme::good()).ratio(ratio).label(text), gauge);

    let mut notes = Vec::new();
    if let Some(note) = &job.note {
        notes.push(Line::styled(note.clone(), theme::warning()));
    }
    match &job.stage {
        JobStage::Polling => notes.push(Line::styled("Esc stops following (the job goes on)", theme::dim())),
        JobStage::Downloading { .. } => notes.push(Line::styled("saving the results…", theme::dim())),
        JobStage::Ended(error) => {
            notes.push(Line::from(vec![Span::styled("✕ ", theme::error()), Span::raw(error.clone())]));
            notes.push(Line::styled("F7 lists your jobs", theme::dim()));
        }
        JobStage::Stopped => notes.push(Line::styled(
            "stopped following: the job goes on running on the server; F7 re-opens it",
            theme::dim(),
        )),
    }
    frame.render_widget(
        Paragraph::new(notes).wrap(Wrap { trim: false }),
        tail.inner(ratatui::layout::Margin::new(0, 1)),
    );
}

fn as_usize(bytes: u64) -> usize {
    usize::try_from(bytes).unwrap_or(usize::MAX)
}
