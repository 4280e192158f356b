//! The history list: the first page on refresh, older pages on demand; a failed load
//! keeps what is shown and says why.

use super::messages::UserMessage;
use super::text::texts;
use super::views::{history_row, HistoryRowView};
use crate::api::{HistoryEntry, HistoryPage};
use chrono::FixedOffset;

/// Entries the app asks for per page.
pub const HISTORY_PAGE: u32 = 20;
/// Entries the home screen shows.
pub const RECENT_ENTRIES: usize = 5;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryModel {
    entries: Vec<HistoryEntry>,
    /// The newest page as last loaded (what a restart shows before it can refresh).
    first_page: Option<HistoryPage>,
    next_before: Option<i64>,
    loading: bool,
    problem: Option<UserMessage>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoryEvent {
    /// Load the newest page again (and drop the older ones).
    Refresh,
    /// Load the page after the last one shown.
    More,
    Loaded {
        page: HistoryPage,
        appended: bool,
    },
    Failed(UserMessage),
    /// Signed out: forget everything.
    Clear,
}

/// Work for the shell: fetch a page, then send `Loaded` or `Failed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchHistory {
    pub limit: u32,
    /// The previous page's `next_before`, for an older page.
    pub before: Option<i64>,
    pub appended: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryView {
    pub rows: Vec<HistoryRowView>,
    pub has_more: bool,
    pub loading: bool,
    /// Shown when there is nothing yet and nothing loading.
    pub empty_text: Option<String>,
    pub problem: Option<UserMessage>,
}

impl HistoryModel {
    pub fn update(&mut self, event: HistoryEvent) -> Option<FetchHistory> {
        match event {
            HistoryEvent::Refresh => self.fetch(None, false),
            HistoryEvent::More => {
                let before = self.next_before?;
                if self.loading {
                    return None;
                }
                self.fetch(Some(before), true)
            }
            HistoryEvent::Loaded { page, appended } => {
                if appended {
                    self.entries.extend(page.entries);
                } else {
                    self.first_page = Some(page.clone());
                    self.entries = page.entries;
                }
                self.next_before = page.next_before;
                self.loading = false;
                self.problem = None;
                None
            }
            HistoryEvent::Failed(message) => {
                self.loading = false;
                self.problem = Some(message);
                None
            }
            HistoryEvent::Clear => {
                *self = Self::default();
                None
            }
        }
    }

    /// The newest page as last loaded.
    pub fn first_page(&self) -> Option<&HistoryPage> {
        self.first_page.as_ref()
    }

    /// Shows a page saved by an earlier run until a refresh replaces it.
    pub fn restore(&mut self, page: HistoryPage) {
        self.next_before = page.next_before;
        self.entries = page.entries.clone();
        self.first_page = Some(page);
    }

    fn fetch(&mut self, before: Option<i64>, appended: bool) -> Option<FetchHistory> {
        self.loading = true;
        Some(FetchHistory {
            limit: HISTORY_PAGE,
            before,
            appended,
        })
    }

    pub fn view(&self, zone: &FixedOffset) -> HistoryView {
        HistoryView {
            rows: self.entries.iter().map(|e| history_row(e, zone)).collect(),
            has_more: self.next_before.is_some(),
            loading: self.loading,
            empty_text: (self.entries.is_empty() && !self.loading)
                .then(|| texts().history_empty.to_owned()),
            problem: self.problem.clone(),
        }
    }

    /// The newest few entries, for the home screen.
    pub fn recent(&self, zone: &FixedOffset) -> Vec<HistoryRowView> {
        self.entries
            .iter()
            .take(RECENT_ENTRIES)
            .map(|e| history_row(e, zone))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::HistoryKind;
    use crate::Points;

    fn entry(id: i64) -> HistoryEntry {
        HistoryEntry {
            id,
            kind: HistoryKind::TopUp,
            label: format!("entry {id}"),
            delta: 1,
            balance_after: Points(1),
            at: chrono::DateTime::UNIX_EPOCH,
            transaction_id: None,
            machine_id: None,
            machine_name: None,
            machine_kind: None,
            item: None,
            outcome: None,
            refund_reason: None,
            partner_name: None,
        }
    }

    fn page(ids: std::ops::Range<i64>, next_before: Option<i64>) -> HistoryPage {
        HistoryPage {
            entries: ids.map(entry).collect(),
            next_before,
        }
    }

    fn utc() -> FixedOffset {
        FixedOffset::east_opt(0).unwrap()
    }

    #[test]
    fn pages_follow_one_another_and_a_refresh_starts_again() {
        let mut model = HistoryModel::default();
        assert_eq!(
            model.view(&utc()).empty_text.as_deref(),
            Some("Nothing here yet: plays, refunds and top-ups will show up here.")
        );
        assert_eq!(
            model.update(HistoryEvent::More),
            None,
            "nothing to follow yet"
        );
        let first = model.update(HistoryEvent::Refresh).unwrap();
        assert_eq!(first.limit, HISTORY_PAGE);
        assert_eq!((first.before, first.appended), (None, false));
        assert!(model.view(&utc()).loading);
        assert_eq!(model.view(&utc()).empty_text, None);

        model.update(HistoryEvent::Loaded {
            page: page(40..60, Some(40)),
            appended: false,
        });
        let more = model.update(HistoryEvent::More).unwrap();
        assert_eq!((more.before, more.appended), (Some(40), true));
        assert_eq!(model.update(HistoryEvent::More), None, "one page at a time");
        model.update(HistoryEvent::Loaded {
            page: page(30..35, None),
            appended: true,
        });
        let view = model.view(&utc());
        assert_eq!((view.rows.len(), view.has_more), (25, false));
        assert_eq!(model.recent(&utc()).len(), RECENT_ENTRIES);

        model.update(HistoryEvent::Refresh);
        model.update(HistoryEvent::Loaded {
            page: page(50..52, None),
            appended: false,
        });
        assert_eq!(model.view(&utc()).rows.len(), 2);
    }

    #[test]
    fn a_failed_load_keeps_the_rows_and_says_why() {
        let mut model = HistoryModel::default();
        model.update(HistoryEvent::Loaded {
            page: page(1..3, None),
            appended: false,
        });
        model.update(HistoryEvent::Refresh);
        let offline = UserMessage::offline();
        model.update(HistoryEvent::Failed(offline.clone()));
        let view = model.view(&utc());
        assert_eq!((view.rows.len(), view.loading), (2, false));
        assert_eq!(view.problem, Some(offline));
        model.update(HistoryEvent::Clear);
        assert_eq!(model, HistoryModel::default());
    }
}
