//! What the app keeps between runs in its data folder: never a secret (those live in
//! the keystore), only what lets a restart with no network show the last known
//! account — the server, whose account it was, the language, the last balance with
//! its `as_of`, and the first page of history.

use super::history::HistoryModel;
use super::language::Language;
use super::views::BalanceModel;
use crate::api::HistoryPage;
use crate::ids::{DeviceId, UserId};
use crate::Points;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The file's name in the app's data folder.
pub const SAVED_STATE_FILE: &str = "app-state.json";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedState {
    /// The server chosen in Settings (a build's own server is not saved).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<Language>,
    /// The signed-in account the rest belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<SavedAccount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedAccount {
    pub user_id: UserId,
    pub device_id: DeviceId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance: Option<SavedBalance>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<HistoryPage>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedBalance {
    pub points: Points,
    pub as_of: DateTime<Utc>,
}

impl SavedAccount {
    /// What the models show now, for the account `user_id`/`device_id`.
    pub fn capture(
        user_id: UserId,
        device_id: DeviceId,
        balance: &BalanceModel,
        history: &HistoryModel,
    ) -> Self {
        Self {
            user_id,
            device_id,
            balance: balance
                .balance
                .zip(balance.fetched_at)
                .map(|(points, as_of)| SavedBalance { points, as_of }),
            history: history.first_page().cloned(),
        }
    }

    /// Puts the saved account back into the models, marked stale until a refresh
    /// succeeds — only if it is the account signed in now (`user_id`), so one
    /// person's balance is never shown to another.
    pub fn restore_into(
        &self,
        user_id: UserId,
        balance: &mut BalanceModel,
        history: &mut HistoryModel,
    ) -> bool {
        if self.user_id != user_id {
            return false;
        }
        if let Some(saved) = self.balance {
            balance.restored(saved.points, saved.as_of);
        }
        if let Some(page) = &self.history {
            history.restore(page.clone());
        }
        true
    }
}

/// Why the saved state could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SavedStateError {
    #[error("cannot read or write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a saved state: {source}")]
    Format {
        path: PathBuf,
        source: serde_json::Error,
    },
}

/// The saved state as a JSON file, replaced whole on each save so that a crash
/// halfway leaves the previous state, never half of one.
#[derive(Debug, Clone)]
pub struct SavedStateFile {
    path: PathBuf,
}

impl SavedStateFile {
    /// The file in the app's data folder `dir`.
    pub fn in_dir(dir: &Path) -> Self {
        Self {
            path: dir.join(SAVED_STATE_FILE),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The saved state; nothing saved yet is the empty state.
    pub fn load(&self) -> Result<SavedState, SavedStateError> {
        let text = match std::fs::read(&self.path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(SavedState::default())
            }
            Err(source) => return Err(self.io(source)),
        };
        serde_json::from_slice(&text).map_err(|source| SavedStateError::Format {
            path: self.path.clone(),
            source,
        })
    }

    pub fn save(&self, state: &SavedState) -> Result<(), SavedStateError> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| self.io(e))?;
        }
        let text = serde_json::to_vec_pretty(state).map_err(|source| SavedStateError::Format {
            path: self.path.clone(),
            source,
        })?;
        let partial = self.path.with_extension("json.partial");
        std::fs::write(&partial, text).map_err(|e| self.io(e))?;
        std::fs::rename(&partial, &self.path).map_err(|e| self.io(e))
    }

    fn io(&self, source: std::io::Error) -> SavedStateError {
        SavedStateError::Io {
            path: self.path.clone(),
            source,
        }
    }
}

/// The saved state of a running app: read once at launch, written through on each
/// change. A file that cannot be read is set aside (the app starts as on a first
/// run); one that cannot be written keeps the state in memory for this run.
#[derive(Debug)]
pub struct SavedStateStore {
    file: Option<SavedStateFile>,
    state: std::sync::Mutex<SavedState>,
}

impl SavedStateStore {
    /// The state in `file`, and the reason it was not readable, if it was not.
    pub fn open(file: SavedStateFile) -> (Self, Option<SavedStateError>) {
        let (state, problem) = match file.load() {
            Ok(state) => (state, None),
            Err(error) => (SavedState::default(), Some(error)),
        };
        let store = Self {
            file: Some(file),
            state: std::sync::Mutex::new(state),
        };
        (store, problem)
    }

    /// A state kept in memory only (tests, and builds with no data folder).
    pub fn in_memory(state: SavedState) -> Self {
        Self {
            file: None,
            state: std::sync::Mutex::new(state),
        }
    }

    pub fn get(&self) -> SavedState {
        self.lock().clone()
    }

    /// Changes the state and writes it; the change holds in memory even when the
    /// write fails.
    pub fn update(&self, change: impl FnOnce(&mut SavedState)) -> Result<(), SavedStateError> {
        let mut state = self.lock();
        change(&mut state);
        match &self.file {
            Some(file) => file.save(&state),
            None => Ok(()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SavedState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{HistoryEntry, HistoryKind};
    use crate::app::history::HistoryEvent;

    fn page() -> HistoryPage {
        serde_json::from_value(serde_json::json!({
            "entries": [{
                "id": 7, "kind": "play", "label": "Play at Demo capsule machine",
                "delta": -100, "balance_after": 900, "at": "2026-12-01T10:00:00Z"
            }],
            "next_before": 7
        }))
        .expect("a history page")
    }

    fn models() -> (BalanceModel, HistoryModel) {
        let mut balance = BalanceModel::default();
        balance.loaded(Points(900), "2026-12-01T10:00:05Z".parse().unwrap());
        let mut history = HistoryModel::default();
        history.update(HistoryEvent::Refresh);
        history.update(HistoryEvent::Loaded {
            page: page(),
            appended: false,
        });
        (balance, history)
    }

    #[test]
    fn a_saved_account_comes_back_stale_with_its_balance_and_first_page() {
        let dir = tempfile::tempdir().unwrap();
        let file = SavedStateFile::in_dir(dir.path());
        assert_eq!(file.load().unwrap(), SavedState::default());

        let (balance, history) = models();
        let state = SavedState {
            server: Some("https://gashapay.test".into()),
            language: Some(Language::Ja),
            account: Some(SavedAccount::capture(
                UserId(3),
                DeviceId(4),
                &balance,
                &history,
            )),
        };
        file.save(&state).unwrap();
        let loaded = file.load().unwrap();
        assert_eq!(loaded, state);

        let (mut balance, mut history) = (BalanceModel::default(), HistoryModel::default());
        let account = loaded.account.unwrap();
        assert!(account.restore_into(UserId(3), &mut balance, &mut history));
        assert_eq!(balance.balance, Some(Points(900)));
        assert!(balance.stale, "a restored balance is stale until refreshed");
        let rows = history
            .view(&chrono::FixedOffset::east_opt(0).unwrap())
            .rows;
        assert_eq!(rows.len(), 1);
        let entry: &HistoryEntry = &page().entries[0];
        assert_eq!(entry.kind, HistoryKind::Play);
    }

    #[test]
    fn another_users_saved_account_is_not_shown() {
        let (balance, history) = models();
        let account = SavedAccount::capture(UserId(3), DeviceId(4), &balance, &history);
        let (mut balance, mut history) = (BalanceModel::default(), HistoryModel::default());
        assert!(!account.restore_into(UserId(5), &mut balance, &mut history));
        assert_eq!(balance, BalanceModel::default());
        assert_eq!(history, HistoryModel::default());
    }

    #[test]
    fn the_store_writes_each_change_through_to_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let (store, problem) = SavedStateStore::open(SavedStateFile::in_dir(dir.path()));
        assert!(problem.is_none());
        store
            .update(|state| state.language = Some(Language::Ko))
            .unwrap();
        let (again, _) = SavedStateStore::open(SavedStateFile::in_dir(dir.path()));
        assert_eq!(again.get().language, Some(Language::Ko));
    }

    #[test]
    fn a_damaged_file_is_an_error_and_a_save_replaces_it_whole() {
        let dir = tempfile::tempdir().unwrap();
        let file = SavedStateFile::in_dir(dir.path());
        std::fs::write(file.path(), b"{\"server\": ").unwrap();
        assert!(matches!(file.load(), Err(SavedStateError::Format { .. })));
        file.save(&SavedState::default()).unwrap();
        assert_eq!(file.load().unwrap(), SavedState::default());
        assert!(!file.path().with_extension("json.partial").exists());
    }
}
