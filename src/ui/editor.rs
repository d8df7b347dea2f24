//! Draws the query text: a gutter with line numbers and the error mark, then the visible part of
//! each visible line, coloured from the highlight cache, with the selection and the cursor.
//!
//! Every character is laid out here, by [`glyph`], and the cursor column comes from the same
//! function, so the drawn cursor is where the text is: tabs go to the next tab stop, wide
//! characters take two cells, and characters that take none (a ZWJ, a combining mark) or are
//! control characters get a one-cell stand-in. Drawing a ZWJ sequence as its parts keeps the
//! terminal from joining them into a glyph of a width nobody can predict.

use ratatui::Frame;
use ratatui::buffer::{Buffer, CellWidth};
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};

use super::theme;
use crate::app::{App, Pane};
use crate::highlight::Role;

/// How one character is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Glyph {
    /// The character put on screen (a space for a tab).
    pub shown: char,
    /// Cells taken.
    pub width: usize,
    /// Whether `shown` stands in for something that cannot be drawn as itself.
    pub stand_in: bool,
}

/// How `c` is drawn when it starts at display column `column`.
pub fn glyph(c: char, column: usize, tab: usize) -> Glyph {
    let tab = tab.max(1);
    let stand_in = |shown| Glyph { shown, width: 1, stand_in: true };
    match c {
        '\t' => Glyph { shown: ' ', width: tab - column % tab, stand_in: false },
        // The control pictures block mirrors C0: U+2400 + code.
        '\0'..='\x1f' => stand_in(char::from_u32(0x2400 + u32::from(c)).unwrap_or('�')),
        '\x7f' => stand_in('␡'),
        c if c.is_control() => stand_in('�'),
        c => match usize::from(c.encode_utf8(&mut [0; 4]).cell_width()) {
            0 => stand_in('◌'),
            width => Glyph { shown: c, width, stand_in: false },
        },
    }
}

/// The display column of character `chars` of `line`.
pub fn column(line: &str, chars: usize, tab: usize) -> usize {
    line.chars().take(chars).fold(0, |col, c| col + glyph(c, col, tab).width)
}

/// Cells the cursor needs at character `chars` of `line`: the character's width, or one at the end.
pub fn cursor_width(line: &str, chars: usize, tab: usize) -> usize {
    let col = column(line, chars, tab);
    line.chars().nth(chars).map_or(1, |c| glyph(c, col, tab).width)
}

/// Width of the gutter for a text of `lines` lines: a mark, the line number, a space.
pub fn gutter_width(lines: usize) -> u16 {
    u16::try_from(lines.max(1).to_string().len() + 2).unwrap_or(u16::MAX)
}

/// Where the text goes inside the query pane at `pane` (inside the border, right of the gutter).
pub fn text_area(pane: Rect, lines: usize) -> Rect {
    let inner =
        Rect::new(pane.x + 1, pane.y + 1, pane.width.saturating_sub(2), pane.height.saturating_sub(2));
    let gutter = gutter_width(lines).min(inner.width);
    Rect::new(inner.x + gutter, inner.y, inner.width - gutter, inner.height)
}

/// Draws the editor's text into the query pane at `pane`, whose border is already drawn.
pub(super) fn render(app: &App, frame: &mut Frame, pane: Rect) {
    let lines = app.editor.lines();
    let text = text_area(pane, lines.len());
    let gutter = Rect::new(pane.x + 1, text.y, text.x - pane.x - 1, text.height);
    let view = &app.query_view;
    let error_line = app.query_error.as_ref().map(|(line, ..)| line.saturating_sub(1));
    let digits = usize::from(gutter_width(lines.len())).saturating_sub(2);
    let buf = frame.buffer_mut();
    for (y, row) in (text.y..text.bottom()).zip(view.top..lines.len()) {
        let (mark, style) = if error_line == Some(row) {
            ("✗", theme::gutter_error(app.color))
        } else {
            (" ", theme::gutter(app.color))
        };
        let number = format!("{mark}{:>digits$} ", row + 1);
        buf.set_stringn(gutter.x, y, number, usize::from(gutter.width), style);
        draw_line(app, buf, Rect::new(text.x, y, text.width, 1), row);
    }
}

fn draw_line(app: &App, buf: &mut Buffer, area: Rect, row: usize) {
    let line = app.editor.lines().get(row).map_or("", String::as_str);
    let tab = usize::from(app.editor.tab_length());
    let left = app.query_view.left;
    let right = left + usize::from(area.width);
    let pieces = app.query_view.highlight.line(row).unwrap_or_default();
    let ratatui_textarea::DataCursor(cursor_row, cursor_col) = app.editor.cursor();
    let show_cursor = app.focus == Pane::Query && app.overlay.is_none() && cursor_row == row;
    let selection = app.editor.selection_range();
    let selected = |i: usize| selection.is_some_and(|(start, end)| start <= (row, i) && (row, i) < end);

    let mut col = 0;
    let mut piece = 0;
    for (i, (byte, c)) in line.char_indices().enumerate() {
        if col >= right {
            break;
        }
        let g = glyph(c, col, tab);
        while pieces.get(piece).is_some_and(|(_, r)| r.end <= byte) {
            piece += 1;
        }
        let role =
            pieces.get(piece).filter(|(_, r)| r.contains(&byte)).map_or(Role::Plain, |(role, _)| *role);
        let mut style = theme::syntax(role, app.color);
        if g.stand_in {
            style = style.add_modifier(Modifier::DIM);
        }
        if selected(i) {
            style = style.patch(theme::selection(app.color));
        }
        put(buf, area, col, g, left, style);
        if show_cursor && i == cursor_col {
            cursor_cell(buf, area, col, left, style);
        }
        col += g.width;
    }
    if show_cursor && cursor_col >= line.chars().count() {
        cursor_cell(buf, area, column(line, cursor_col, tab), left, Style::default());
    }
}

/// Marks the cell at display column `col` as the cursor, if it is visible. Only the first cell
/// of a tab or a wide character is marked: the cursor stands where typing inserts.
fn cursor_cell(buf: &mut Buffer, area: Rect, col: usize, left: usize, style: Style) {
    if let Some(dx) = col.checked_sub(left).filter(|dx| *dx < usize::from(area.width)) {
        let x = area.x + u16::try_from(dx).unwrap_or(u16::MAX);
        if let Some(cell) = buf.cell_mut((x, area.y)) {
            cell.set_style(style.patch(theme::cursor()));
        }
    }
}

/// Puts a glyph that starts at display column `col` into the row, if any of it is visible. A wide
/// character cut by the left or right edge shows as blank cells in its style.
fn put(buf: &mut Buffer, area: Rect, col: usize, g: Glyph, left: usize, style: Style) {
    let right = left + usize::from(area.width);
    let x = |col: usize| area.x + u16::try_from(col - left).unwrap_or(u16::MAX);
    let whole = col >= left && col + g.width <= right;
    if whole && g.shown != ' ' {
        buf.set_stringn(x(col), area.y, g.shown.encode_utf8(&mut [0; 4]), g.width, style);
        return;
    }
    for cell in (col..col + g.width).filter(|c| (left..right).contains(c)) {
        buf.set_stringn(x(cell), area.y, " ", 1, style);
    }
}
