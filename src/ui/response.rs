//! The response pane: status, time and size in the title; the server's message and hints;
//! the body, coloured, drawn one visible line at a time.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Scrollbar, ScrollbarOrientation, ScrollbarState, Wrap};

use super::{human_size, json, pane_block, theme};
use crate::app::{App, Pane, Reply, ResponseState};
use crate::document::BodyKind;

pub(super) fn render(app: &App, frame: &mut Frame, area: Rect) {
    let mut title = vec![Span::raw(" Response ")];
    if let ResponseState::Reply(reply) = &app.response {
        let status = theme::status(reply.status);
        let timing = format!("· {} ms · {} ", reply.elapsed.as_millis(), human_size(reply.size));
        title.push(Span::styled(format!("{} ", reply.status), status));
        title.push(Span::styled(timing, theme::dim()));
        title.push(Span::styled(format!("· {} ", reason(reply.status)), status));
        if reply.retried {
            title.push(Span::styled("· re-sent after refresh ", theme::dim()));
        }
    }
    if let Some(running) = app.running {
        let secs = app.now.saturating_duration_since(running.since).as_secs();
        title.push(Span::styled(format!("· sending… {secs} s (Esc cancels) "), theme::warning()));
    }
    let mut block = pane_block(app, Pane::Response, Line::from(title));
    if let ResponseState::Reply(reply) = &app.response
        && reply.document.line_count() > 0
    {
        let last = (app.scroll + app.response_height()).min(reply.document.line_count());
        block = block.title_bottom(
            Line::styled(
                format!(" {}-{} of {} ", app.scroll + 1, last, reply.document.line_count()),
                theme::dim(),
            )
            .right_aligned(),
        );
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);

    match &app.response {
        ResponseState::Empty => {
            let text = vec![
                Line::styled("No response yet.", theme::dim()),
                Line::styled("Ctrl-R or F5 sends the query.", theme::dim()),
            ];
            frame.render_widget(Paragraph::new(text), inner);
        }
        ResponseState::Failed(error) => {
            let text = vec![Line::styled("No answer", theme::error()), Line::raw(error.clone())];
            frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), inner);
        }
        ResponseState::Reply(reply) => render_reply(app, reply, frame, inner),
        ResponseState::Job(job) => super::job::render(app, job, frame, inner),
    }
}

fn render_reply(app: &App, reply: &Reply, frame: &mut Frame, area: Rect) {
    let banners = banners(reply);
    let banner_rows = banner_height(reply, area.width).min(area.height);
    let [top, body] = ratatui::layout::Layout::vertical([
        ratatui::layout::Constraint::Length(banner_rows),
        ratatui::layout::Constraint::Min(0),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(banners).wrap(Wrap { trim: false }), top);

    let doc = &reply.document;
    if doc.kind() == BodyKind::Empty {
        frame.render_widget(Paragraph::new(Line::styled("(empty body)", theme::dim())), body);
        return;
    }
    let width = usize::from(body.width.saturating_sub(1));
    let lines: Vec<Line> = (app.scroll..doc.line_count())
        .take(usize::from(body.height))
        .filter_map(|i| doc.line(i))
        .map(|line| {
            let pieces = if doc.kind() == BodyKind::Json {
                json::tokens(line)
            } else {
                vec![(Style::default(), line)]
            };
            json::window(pieces, app.hscroll, width)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), body);
    if doc.line_count() > usize::from(body.height) {
        let mut state = ScrollbarState::new(doc.line_count().saturating_sub(usize::from(body.height)))
            .position(app.scroll);
        frame.render_stateful_widget(Scrollbar::new(ScrollbarOrientation::VerticalRight), body, &mut state);
    }
}

/// The lines above the body: the server's message, a hint, and why the body is not formatted.
fn banners(reply: &Reply) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if let Some(origin) = &reply.origin {
        lines.extend(origin.lines().map(|l| Line::styled(l.to_owned(), theme::good())));
    }
    if !reply.estimate.is_empty() {
        lines.push(Line::styled("dry run: usage estimate", theme::key()));
        let width = reply.estimate.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        for (what, value) in &reply.estimate {
            lines.push(Line::from(vec![
                Span::styled(format!("  {what:<width$}  "), theme::dim()),
                Span::raw(value.clone()),
            ]));
        }
    }
    if let Some(message) = &reply.message {
        lines.push(Line::from(vec![Span::styled("server: ", theme::error()), Span::raw(message.clone())]));
    } else if !(200..300).contains(&reply.status) {
        lines.push(Line::styled("server: (no message)", theme::error()));
    }
    if let Some(hint) = &reply.hint {
        lines.push(Line::styled(format!("hint: {hint}"), theme::warning()));
    }
    if let Some(note) = reply.document.note() {
        lines.push(Line::styled(note.to_owned(), theme::warning()));
    }
    lines
}

/// How many rows the banners take at `width`, so that paging knows the body's height.
pub fn banner_height(reply: &Reply, width: u16) -> u16 {
    let lines = banners(reply);
    if lines.is_empty() {
        return 0;
    }
    let rows = Paragraph::new(lines).wrap(Wrap { trim: false }).line_count(width.max(1));
    u16::try_from(rows).unwrap_or(u16::MAX)
}

/// The reason phrase for common statuses.
fn reason(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("")
}
