//! The response pane: status, time and size in the title; the server's message and hints;
//! the body with line numbers, coloured and searched one visible line at a time; or the
//! table and chart of a point-query answer.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Gauge, Paragraph, Scrollbar, ScrollbarOrientation, ScrollbarState, Wrap};

use super::theme::ColorDepth;
use super::{chart, human_size, json, pane_block, table, theme};
use crate::app::viewer::{Body, FilterState, PromptKind, ViewMode, Viewer, gutter_width};
use crate::app::{App, Pane, Reply, ResponseState};
use crate::document::{BodyKind, Document};

/// Search matches are marked only in lines up to this long: finding them costs a scan.
const MAX_MARKED: usize = 64 << 10;

pub(super) fn render(app: &App, frame: &mut Frame, area: Rect) {
    let mut title = vec![Span::raw(" Response ")];
    // A request on its way comes first: it must not be pushed out of sight by the last answer.
    if let Some(running) = app.running {
        let secs = app.now.saturating_duration_since(running.since).as_secs();
        let joint = if matches!(app.response, ResponseState::Reply(_)) { "· " } else { "" };
        title.push(Span::styled(format!("sending… {secs} s (Esc cancels) {joint}"), theme::warning()));
    }
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
    let viewer = &app.viewer;
    let mut block = pane_block(app, Pane::Response, Line::from(title));
    let shown = matches!(app.response, ResponseState::Reply(_)).then(|| viewer.document()).flatten();
    if let Some(position) = shown.and_then(|doc| position(viewer, doc)) {
        block = block.title_bottom(Line::styled(position, theme::dim()).right_aligned());
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    render_prompt(viewer, frame, Rect::new(area.x + 1, area.bottom().saturating_sub(1), inner.width, 1));

    match &app.response {
        ResponseState::Empty => {
            let text = vec![
                Line::styled("No response yet.", theme::dim()),
                Line::styled("Ctrl-R or F5 sends the query.", theme::dim()),
            ];
            frame.render_widget(Paragraph::new(text), inner);
        }
        ResponseState::Failed(error) => {
            let mut text = vec![Line::styled("No answer", theme::error())];
            text.extend(error.lines().map(|l| Line::raw(l.to_owned())));
            frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), inner);
        }
        ResponseState::Reply(reply) => render_reply(app, reply, frame, inner),
        ResponseState::Job(job) => super::job::render(app, job, frame, inner),
    }
}

/// "first-last of count" for the lines (or table rows) on screen, and the view's flags.
fn position(viewer: &Viewer, doc: &Document) -> Option<String> {
    let mut flags = String::new();
    if viewer.wrap {
        flags.push_str("wrap · ");
    }
    if !viewer.folds.is_empty() {
        flags.push_str(&format!("{} folded · ", viewer.folds.len()));
    }
    match viewer.mode {
        ViewMode::Table => {
            let rows = match &viewer.points {
                crate::app::viewer::Points::Ready { rows, .. } => rows.len(),
                _ => return None,
            };
            let last = (viewer.table_scroll + viewer.height.saturating_sub(1)).min(rows);
            Some(format!(" {flags}rows {}-{last} of {rows} ", (viewer.table_scroll + 1).min(rows)))
        }
        ViewMode::Chart => None,
        ViewMode::Text => {
            let lines = visible_lines(viewer, doc);
            let last = lines.last()?;
            Some(format!(" {flags}{}-{} of {} ", viewer.scroll + 1, last + 1, doc.line_count()))
        }
    }
}

/// The lines on screen, from the top: folded lines skipped, stopping when the rows are full.
fn visible_lines(viewer: &Viewer, doc: &Document) -> Vec<usize> {
    let mut out = Vec::new();
    let mut rows = 0;
    let mut line = viewer.scroll;
    while rows < viewer.height && line < doc.line_count() {
        out.push(line);
        rows += viewer.rows(doc, line);
        line = viewer.next_visible(line);
    }
    out
}

fn render_prompt(viewer: &Viewer, frame: &mut Frame, area: Rect) {
    let Some(prompt) = &viewer.prompt else { return };
    let label = match prompt.kind {
        PromptKind::Search => " / ",
        PromptKind::Filter => " jq | ",
        PromptKind::Copy => {
            let text = Line::from(vec![
                Span::styled(" copy: ", theme::key()),
                Span::raw("r response · q query · t access token · Esc cancels "),
            ]);
            frame.render_widget(Paragraph::new(text), area);
            return;
        }
    };
    let width = u16::try_from(label.chars().count()).unwrap_or(0);
    let [left, right] = Layout::horizontal([Constraint::Length(width), Constraint::Min(1)]).areas(area);
    frame.render_widget(Paragraph::new(Span::styled(label, theme::key())), left);
    frame.render_widget(&prompt.input, right);
}

fn render_reply(app: &App, reply: &Reply, frame: &mut Frame, area: Rect) {
    let banners = banners(app, reply);
    let banner_rows = banner_height(app, area.width).min(area.height);
    let [top, body] = Layout::vertical([Constraint::Length(banner_rows), Constraint::Min(0)]).areas(area);
    frame.render_widget(Paragraph::new(banners).wrap(Wrap { trim: false }), top);

    let viewer = &app.viewer;
    match &viewer.body {
        Body::None => {}
        Body::Formatting { raw, done, .. } => {
            let ratio = if raw.is_empty() { 0.0 } else { (*done as f64 / raw.len() as f64).clamp(0.0, 1.0) };
            let label = format!("formatting {:.0}% of {}", ratio * 100.0, human_size(raw.len()));
            let [gauge, help] = Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(body);
            frame.render_widget(Gauge::default().ratio(ratio).label(label).gauge_style(theme::good()), gauge);
            let text = "keys keep working · Esc cancels · Ctrl-S saves the body as it came";
            frame.render_widget(Paragraph::new(Line::styled(text, theme::dim())), help);
        }
        Body::Cancelled(raw) => {
            let text = vec![
                Line::styled(format!("formatting cancelled ({})", human_size(raw.len())), theme::warning()),
                Line::styled("Ctrl-S saves the body as it came; Ctrl-R sends again", theme::dim()),
            ];
            frame.render_widget(Paragraph::new(text), body);
        }
        Body::Ready(_) => match viewer.mode {
            ViewMode::Table => table::render(viewer, frame, body),
            ViewMode::Chart => chart::render(viewer, frame, body),
            ViewMode::Text => match viewer.document() {
                Some(doc) if doc.kind() != BodyKind::Empty => {
                    render_text(viewer, doc, app.color, frame, body)
                }
                _ => frame.render_widget(Paragraph::new(Line::styled("(empty body)", theme::dim())), body),
            },
        },
    }
}

/// The body as numbered lines. Only the lines on screen are made, coloured and searched.
fn render_text(viewer: &Viewer, doc: &Document, depth: ColorDepth, frame: &mut Frame, area: Rect) {
    let gutter = gutter_width(doc.line_count());
    let [numbers, text, _bar] = Layout::horizontal([
        Constraint::Length(u16::try_from(gutter).unwrap_or(u16::MAX)),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    let width = usize::from(text.width);
    let mut number_lines = Vec::new();
    let mut text_lines = Vec::new();
    let mut buffer = String::new();
    let mut closing = String::new();
    for line in visible_lines(viewer, doc) {
        doc.write_line(line, &mut buffer);
        let mut pieces = if doc.kind() == BodyKind::Json {
            json::tokens(&buffer)
        } else {
            vec![(Style::default(), buffer.as_str())]
        };
        if let Some(needle) = viewer.search.as_ref().filter(|_| buffer.len() <= MAX_MARKED) {
            pieces = json::mark(pieces, &needle.find_all(&buffer), theme::search_match());
        }
        let mut rows: Vec<Line<'static>> = if viewer.wrap {
            let count = buffer.chars().count().div_ceil(width.max(1)).max(1);
            (0..count.min(viewer.height)).map(|k| json::window(pieces.clone(), k * width, width)).collect()
        } else {
            vec![json::window(pieces, viewer.hscroll, width)]
        };
        if let Some(&close) = viewer.folds.get(&line) {
            doc.write_line(close, &mut closing);
            if let Some(first) = rows.first_mut() {
                first.push_span(Span::styled("…", theme::folded()));
                first.push_span(Span::raw(closing.trim_start().to_owned()));
                first.push_span(Span::styled(format!("  {} lines", close - line + 1), theme::folded()));
            }
        }
        let cursor = line == viewer.cursor;
        for (k, mut row) in rows.into_iter().enumerate() {
            let number =
                if k == 0 { format!("{:>w$} ", line + 1, w = gutter - 1) } else { " ".repeat(gutter) };
            if cursor {
                row = row.style(theme::cursor_line(depth));
                number_lines.push(Line::styled(number, theme::gutter_cursor()));
            } else {
                number_lines.push(Line::styled(number, theme::viewer_gutter()));
            }
            text_lines.push(row);
        }
    }
    number_lines.truncate(usize::from(area.height));
    text_lines.truncate(usize::from(area.height));
    frame.render_widget(Paragraph::new(number_lines), numbers);
    frame.render_widget(Paragraph::new(text_lines), text);
    if doc.line_count() > usize::from(area.height) {
        let mut state = ScrollbarState::new(doc.line_count().saturating_sub(usize::from(area.height)))
            .position(viewer.scroll);
        frame.render_stateful_widget(Scrollbar::new(ScrollbarOrientation::VerticalRight), area, &mut state);
    }
}

/// The lines above the body: the server's message, a hint, why the body is not formatted, and
/// the jq filter.
fn banners(app: &App, reply: &Reply) -> Vec<Line<'static>> {
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
    if let Some(filter) = &app.viewer.filter {
        let (state, style) = match &filter.state {
            FilterState::Running(_) => ("running…".to_owned(), theme::warning()),
            FilterState::Ready(doc) => {
                (format!("{} · Esc shows the whole body", count_lines(doc.line_count())), theme::dim())
            }
            FilterState::Failed(e) => (e.clone(), theme::error()),
        };
        lines.push(Line::from(vec![
            Span::styled("jq ", theme::key()),
            Span::raw(filter.expr.clone()),
            Span::styled(format!(" · {state}"), style),
        ]));
    }
    if let Some(note) = app.viewer.document().and_then(Document::note) {
        lines.push(Line::styled(note.to_owned(), theme::warning()));
    }
    lines
}

/// How many rows the banners take at `width`, so that paging knows the body's height.
pub fn banner_height(app: &App, width: u16) -> u16 {
    let ResponseState::Reply(reply) = &app.response else { return 0 };
    let lines = banners(app, reply);
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

/// `1 line`, `2 lines`.
fn count_lines(n: usize) -> String {
    if n == 1 { "1 line".to_owned() } else { format!("{n} lines") }
}
