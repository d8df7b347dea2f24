//! The token pane: state, a live mm:ss countdown, the expiry time and the last refresh.

use std::time::{Duration, SystemTime};

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{pane_block, theme};
use crate::app::{App, Pane, TokenState};
use crate::auth::{ExpirySource, refresh_margin};
use crate::worker::TokenInfo;

pub(super) fn render(app: &App, frame: &mut Frame, area: Rect) {
    let block = pane_block(app, Pane::Token, " Token ");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let lines = match &app.token {
        TokenState::None => vec![
            Line::styled("○ no token", theme::dim()),
            Line::styled("enter an API key and press Enter", theme::dim()),
        ],
        TokenState::Authenticating => vec![Line::styled("◌ authenticating…", theme::warning())],
        TokenState::Valid(info) => with_details(app, info, Span::styled("● valid", theme::good())),
        TokenState::Refreshing(info) => {
            with_details(app, info, Span::styled("⟳ refreshing…", theme::warning()))
        }
        TokenState::Expired(info) => with_details(app, info, Span::styled("✕ expired", theme::error())),
        TokenState::Failed { reason, last } => {
            let mut lines =
                vec![Line::from(vec![Span::styled("✕ failed: ", theme::error()), Span::raw(reason.clone())])];
            if let Some(info) = last {
                lines.push(countdown_line(app, info));
            }
            lines
        }
    };
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn with_details(app: &App, info: &TokenInfo, state: Span<'static>) -> Vec<Line<'static>> {
    let mut first = countdown_line(app, info);
    first.spans.insert(0, Span::raw("  "));
    first.spans.insert(0, state);
    let (source, why) = match &info.source {
        ExpirySource::Jwt => ("JWT exp", None),
        ExpirySource::JwtLocalClock => ("JWT exp, our clock", None),
        ExpirySource::ExpiresIn(why) => ("expires_in", Some(why)),
        ExpirySource::Unknown(why) => ("unknown", Some(why)),
    };
    let expiry = match (info.expires_wall, info.lifetime) {
        (Some(wall), Some(lifetime)) => {
            format!("at {} · {} · {source}", clock(app, wall), lifetime_text(lifetime))
        }
        _ => "expiry unknown: used until refused".to_owned(),
    };
    let refreshed = match app.last_refresh {
        Some(t) => format!("refreshed {}", clock(app, t)),
        None => format!("issued {}", clock(app, info.received_wall)),
    };
    let next = match (info.refresh_at, info.refreshable) {
        (Some(at), true) => format!(" · next in {}", mmss(at.saturating_duration_since(app.now))),
        (_, false) => " · no refresh token".to_owned(),
        (None, true) => String::new(),
    };
    let mut lines = vec![first, Line::raw(expiry), Line::styled(format!("{refreshed}{next}"), theme::dim())];
    if let Some(why) = why {
        lines.push(Line::styled(format!("⚠ {why}"), theme::warning()));
    }
    lines
}

/// `expires in mm:ss`, coloured by how much life is left.
fn countdown_line(app: &App, info: &TokenInfo) -> Line<'static> {
    let Some(expires_at) = info.expires_at else {
        return Line::styled("expires: unknown", theme::dim());
    };
    let left = expires_at.saturating_duration_since(app.now);
    let margin = info.lifetime.map_or(Duration::from_secs(60), refresh_margin);
    let style = if left.is_zero() {
        theme::error()
    } else if left <= margin {
        theme::warning()
    } else {
        theme::good()
    };
    Line::from(vec![Span::raw("expires in "), Span::styled(mmss(left), style)])
}

/// `mm:ss`, rounding up so that 00:00 means expired.
pub fn mmss(d: Duration) -> String {
    let secs = d.as_secs() + u64::from(d.subsec_nanos() > 0);
    format!("{:02}:{:02}", secs / 60, secs % 60)
}

fn lifetime_text(d: Duration) -> String {
    let secs = d.as_secs();
    if secs >= 3600 && secs.is_multiple_of(3600) {
        format!("{} h", secs / 3600)
    } else if secs >= 120 {
        format!("{} min", secs / 60)
    } else {
        format!("{secs} s")
    }
}

fn clock(app: &App, t: SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(t).with_timezone(&app.timezone).format("%H:%M:%S").to_string()
}
