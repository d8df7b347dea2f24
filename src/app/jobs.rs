//! State of the job view, the job list popup and the catalog popup, and their keys.

use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::api::types::{JobStatus, Layer};

/// The response pane while a job is followed.
#[derive(Debug, Clone, PartialEq)]
pub struct JobView {
    /// The job id.
    pub id: String,
    /// When we started following it.
    pub since: Instant,
    /// When following it ended (the clock stops there).
    pub ended: Option<Instant>,
    /// The last status the server gave.
    pub status: Option<JobStatus>,
    /// A passing problem (a failed poll that will be retried).
    pub note: Option<String>,
    /// Where it stands.
    pub stage: JobStage,
}

/// Where a followed job stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobStage {
    /// Polling its status.
    Polling,
    /// Downloading its results.
    Downloading {
        /// Bytes written.
        received: u64,
        /// Bytes announced.
        total: Option<u64>,
    },
    /// It ended without results, or following it failed.
    Ended(String),
    /// The user stopped following it.
    Stopped,
}

impl JobView {
    /// A job we start following now.
    pub fn new(id: String, now: Instant) -> Self {
        Self { id, since: now, ended: None, status: None, note: None, stage: JobStage::Polling }
    }
}

/// Whether `text` looks like a PAIRS job id (`<10 digits>_<8 digits>`).
pub fn is_job_id(text: &str) -> bool {
    let mut parts = text.split('_');
    let digits =
        |p: Option<&str>, n: usize| p.is_some_and(|p| p.len() == n && p.bytes().all(|b| b.is_ascii_digit()));
    digits(parts.next(), 10) && digits(parts.next(), 8) && parts.next().is_none()
}

/// A filterable, selectable list in a popup.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Picker {
    /// What the user typed.
    pub filter: String,
    /// The selected row among the visible ones.
    pub selected: usize,
}

/// What a key did to a picker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickerKey {
    /// Enter.
    Choose,
    /// Esc.
    Close,
    /// The filter or the selection changed, or nothing happened.
    Handled,
}

impl Picker {
    /// Applies a key: typing filters, arrows select.
    pub fn key(&mut self, key: &KeyEvent, visible: usize) -> PickerKey {
        match key.code {
            KeyCode::Enter => return PickerKey::Choose,
            KeyCode::Esc => return PickerKey::Close,
            KeyCode::Up => self.selected = self.selected.saturating_sub(1),
            KeyCode::Down => self.selected += 1,
            KeyCode::PageUp => self.selected = self.selected.saturating_sub(10),
            KeyCode::PageDown => self.selected += 10,
            KeyCode::Backspace => {
                self.filter.pop();
                self.selected = 0;
            }
            KeyCode::Char(c) if !key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) => {
                self.filter.push(c);
                self.selected = 0;
            }
            _ => {}
        }
        self.clamp(visible);
        PickerKey::Handled
    }

    /// Keeps the selection inside the visible rows.
    pub fn clamp(&mut self, visible: usize) {
        self.selected = self.selected.min(visible.saturating_sub(1));
    }

    /// Pastes text into the filter (one line, trimmed).
    pub fn paste(&mut self, text: &str) {
        self.filter.push_str(text.lines().next().unwrap_or_default().trim());
        self.selected = 0;
    }

    /// Whether every word of the filter appears (ignoring case) in one of `fields`.
    pub fn matches(&self, fields: &[&str]) -> bool {
        let haystack = fields.join(" ").to_lowercase();
        self.filter.to_lowercase().split_whitespace().all(|word| haystack.contains(word))
    }
}

/// The job list popup.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobsPopup {
    /// Filter and selection.
    pub picker: Picker,
    /// The jobs, once fetched.
    pub jobs: Option<Result<Vec<JobStatus>, String>>,
}

impl JobsPopup {
    /// The jobs that pass the filter.
    pub fn visible(&self) -> Vec<&JobStatus> {
        match &self.jobs {
            Some(Ok(jobs)) => jobs
                .iter()
                .filter(|j| self.picker.matches(&[&j.id, j.nickname.as_deref().unwrap_or(""), &j.label()]))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The job Enter opens: the selected one, else a typed job id.
    pub fn chosen(&self) -> Option<String> {
        let typed = self.picker.filter.trim();
        self.visible()
            .get(self.picker.selected)
            .map(|j| j.id.clone())
            .or_else(|| is_job_id(typed).then(|| typed.to_owned()))
    }
}

/// The catalog popup.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CatalogPopup {
    /// Filter and selection.
    pub picker: Picker,
    /// The details of one layer, once asked for.
    pub details: Option<Result<Layer, String>>,
}

impl CatalogPopup {
    /// The layers of `catalog` that pass the filter on id, name and data set.
    pub fn visible<'a>(&self, catalog: &'a [Layer]) -> Vec<&'a Layer> {
        catalog
            .iter()
            .filter(|l| self.picker.matches(&[&l.id, &l.name, l.dataset.as_deref().unwrap_or("")]))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(id: &str, name: &str, code: i64) -> JobStatus {
        JobStatus {
            id: id.into(),
            status: None,
            status_code: Some(code),
            percent: None,
            start: None,
            nickname: Some(name.into()),
            message: None,
        }
    }

    #[test]
    fn job_ids_are_recognised() {
        assert!(is_job_id("1544202000_23976938"));
        assert!(!is_job_id("1544202000_2397693"));
        assert!(!is_job_id("154420200a_23976938"));
        assert!(!is_job_id("1544202000_23976938_1"));
        assert!(!is_job_id(""));
    }

    #[test]
    fn the_job_filter_matches_id_name_and_status_words() {
        let mut popup = JobsPopup {
            jobs: Some(Ok(vec![
                status("1000000000_00000001", "ndvi box", 20),
                status("1000000000_00000002", "tmax", 40),
            ])),
            ..JobsPopup::default()
        };
        popup.picker.filter = "failed".into();
        assert_eq!(popup.visible().len(), 1);
        assert_eq!(popup.chosen().as_deref(), Some("1000000000_00000002"));
        popup.picker.filter = "NDVI 0001".into();
        assert_eq!(popup.chosen().as_deref(), Some("1000000000_00000001"));
        popup.picker.filter = "1999999999_12345678".into();
        assert!(popup.visible().is_empty());
        assert_eq!(popup.chosen().as_deref(), Some("1999999999_12345678"), "a typed id is followed");
        popup.picker.filter = "nothing".into();
        assert_eq!(popup.chosen(), None);
    }

    #[test]
    fn picker_keys_filter_and_select_within_bounds() {
        let mut p = Picker::default();
        let key = |c| KeyEvent::new(c, KeyModifiers::NONE);
        assert_eq!(p.key(&key(KeyCode::Down), 3), PickerKey::Handled);
        p.key(&key(KeyCode::Down), 3);
        p.key(&key(KeyCode::Down), 3);
        assert_eq!(p.selected, 2);
        p.key(&key(KeyCode::Char('e')), 3);
        assert_eq!((p.filter.as_str(), p.selected), ("e", 0));
        p.key(&key(KeyCode::Backspace), 3);
        assert_eq!(p.filter, "");
        assert_eq!(p.key(&key(KeyCode::Enter), 3), PickerKey::Choose);
        assert_eq!(p.key(&key(KeyCode::Esc), 3), PickerKey::Close);
        p.key(&KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL), 3);
        assert_eq!(p.filter, "", "control keys do not type");
    }
}
