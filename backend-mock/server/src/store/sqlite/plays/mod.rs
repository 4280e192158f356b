//! The play path, shaped for group commit. A batch of plays is decided in memory, in
//! order, inside the writer's transaction, and written with a handful of multi-row
//! statements: one for the plays' rows, one for the debits' ledger rows, one update
//! per player (balance and chains). Every row is appended at the end of its table.
//! The writer's time per play is what group commit's throughput is made of, and a
//! statement's fixed cost (binding, opening cursors, walking from the B-tree's root)
//! is paid once per chunk of rows instead of three times per play.
//!
//! A single play is a batch of one: there is one way to decide a play.

use super::recent::{along_chain, RecentTransactions, Written};
use super::{db, SqliteStore};
use crate::store::Bounds;
use crate::store::PlayStore;
use crate::store::{PlayDecision, PlayRequest, StoreError, StoreResult};
use gashapay_core::api::HistoryKind;
use gashapay_core::ids::{TransactionId, UserId};
use gashapay_core::ErrorCode;
use rusqlite::{OptionalExtension, Transaction};
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::sync::OnceLock;

impl PlayStore for SqliteStore {
    fn play(&self, request: &PlayRequest) -> StoreResult<PlayDecision> {
        let decisions = self.play_batch(std::slice::from_ref(request))?;
        decisions
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::Corrupt("a play went undecided".into()))
    }

    fn play_batch(&self, requests: &[PlayRequest]) -> StoreResult<Vec<PlayDecision>> {
        // One transaction, one fsync, for the whole batch. Plays apply in order, so a
        // later play in the batch sees the earlier ones (a duplicate code is a replay
        // or already used; the balance goes down play by play).
        self.write_transactions(|tx, recent, written| play_batch_in(tx, recent, requests, written))
    }
}

/// Rows per multi-row statement, largest first. A batch is cut greedily into chunks
/// of these sizes, so each statement exists in only this many prepared forms.
const CHUNK_SIZES: [usize; 4] = [64, 16, 4, 1];

const PLAY_HEAD: &str = "INSERT INTO transactions (seq, id, user_id, device_id, machine_id,
     points, status, rejection, issued_at, created_at, updated_at, user_previous) VALUES ";
const PLAY_ROW: &str = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

const DEBIT_HEAD: &str = "INSERT INTO ledger (id, user_id, kind, delta, balance_after,
     transaction_seq, created_at, previous_id) VALUES ";
const DEBIT_ROW: &str = "(?, ?, ?, ?, ?, ?, ?, ?)";

/// What became of the first presentation of a code in a batch.
#[derive(Clone, Copy)]
enum Seen {
    /// New: this batch writes its row.
    New,
    /// Written before this batch, as this row.
    Before(i64),
    /// Presented too long before its issue time to get a row.
    FromFuture,
}

/// One-time use: a row with the code's id is its earlier presentation.
fn look_up(
    tx: &Transaction<'_>,
    recent: &RecentTransactions,
    request: &PlayRequest,
) -> StoreResult<Seen> {
    if let Some(seq) = recent.seq(&request.transaction_id) {
        return Ok(Seen::Before(seq));
    }
    let older = match recent.bounds(request.issued_at, request.now) {
        Bounds::Within => None,
        Bounds::Past => along_chain(tx, request.transaction_id, request.user_id).map_err(db)?,
        Bounds::Future => return Ok(Seen::FromFuture),
    };
    Ok(older.map_or(Seen::New, Seen::Before))
}

/// Decides and writes `requests` in order, inside the open write transaction `tx`,
/// listing the rows it writes in `written`. The answers are those the plays would get
/// one at a time, in this order: a code seen earlier (recently, or in this batch) is
/// a replay for the machine that presented it and `already_used` for anyone else; the
/// balance goes down play by play.
pub(super) fn play_batch_in(
    tx: &Transaction<'_>,
    recent: &RecentTransactions,
    requests: &[PlayRequest],
    written: &mut Vec<Written>,
) -> StoreResult<Vec<PlayDecision>> {
    // A code presented twice in one batch: the second is answered against the first.
    let mut first_of: HashMap<TransactionId, usize> = HashMap::with_capacity(requests.len());
    let mut firsts = Vec::with_capacity(requests.len());
    let mut repeats = Vec::new();
    for (index, request) in requests.iter().enumerate() {
        match first_of.entry(request.transaction_id) {
            Entry::Occupied(first) => repeats.push((index, *first.get())),
            Entry::Vacant(slot) => {
                slot.insert(index);
                firsts.push(index);
            }
        }
    }

    let mut seen = vec![Seen::New; requests.len()];
    let mut decisions: Vec<Option<PlayDecision>> = vec![None; requests.len()];
    let mut accounts: HashMap<UserId, Account> = HashMap::new();
    let mut rows: Vec<NewRow> = Vec::new();
    let mut debits: Vec<Debit> = Vec::new();
    let mut next_seq: Option<i64> = None;
    let mut next_entry: Option<i64> = None;
    for &index in &firsts {
        let request = &requests[index];
        seen[index] = look_up(tx, recent, request)?;
        match seen[index] {
            Seen::Before(seq) => {
                decisions[index] = Some(earlier_answer(tx, seq, request)?);
                continue;
            }
            Seen::FromFuture => {
                let code = request.rejection.unwrap_or(ErrorCode::CodeFromFuture);
                decisions[index] = Some(PlayDecision::Rejected(code));
                continue;
            }
            Seen::New => {}
        }
        let account = match accounts.entry(request.user_id) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(slot) => slot.insert(Account::read(tx, request.user_id)?),
        };
        let seq = next_number(&mut next_seq, || next_row_number(tx, "transactions", "seq"))?;
        let points = request.points.0 as i64;
        let rejection = match request.rejection {
            Some(code) => Some(code),
            // Unreachable with the settings' bounds (a code past them is expired).
            None if recent.bounds(request.issued_at, request.now) == Bounds::Past => {
                Some(ErrorCode::CodeExpired)
            }
            None if account.balance >= points => None,
            None => Some(ErrorCode::InsufficientPoints),
        };
        if rejection.is_none() {
            account.balance -= points;
            let id = next_number(&mut next_entry, || next_row_number(tx, "ledger", "id"))?;
            debits.push(Debit {
                index,
                seq,
                balance_after: account.balance,
                id,
                previous: account.last_entry.replace(id),
            });
        }
        rows.push(NewRow {
            index,
            seq,
            rejection,
            user_previous: account.last_transaction.replace(seq),
        });
        decisions[index] = Some(match rejection {
            Some(code) => PlayDecision::Rejected(code),
            None => PlayDecision::Accepted,
        });
    }
    for (index, first_index) in repeats {
        let request = &requests[index];
        let decision = match seen[first_index] {
            Seen::New => {
                let first = &requests[first_index];
                match request.repeats(&first.machine_id.0, first.user_id.0, first.points.0) {
                    true => decisions[first_index].ok_or_else(undecided)?,
                    false => PlayDecision::AlreadyUsed,
                }
            }
            Seen::Before(seq) => earlier_answer(tx, seq, request)?,
            Seen::FromFuture => match recent.bounds(request.issued_at, request.now) {
                Bounds::Future => decisions[first_index].ok_or_else(undecided)?,
                // The same id signed with another issue time: not a new code.
                _ => PlayDecision::AlreadyUsed,
            },
        };
        decisions[index] = Some(decision);
    }

    write_rows(tx, requests, &rows).map_err(db)?;
    write_debits(tx, requests, &debits).map_err(db)?;
    for (user, account) in &accounts {
        account.write(tx, *user)?;
    }
    written.extend(rows.iter().map(|row| Written {
        id: requests[row.index].transaction_id,
        seq: row.seq,
        at: requests[row.index].now,
    }));
    decisions
        .into_iter()
        .map(|d| d.ok_or_else(undecided))
        .collect()
}

/// Every play is decided above (first occurrences, then their repeats); this error
/// would mean that changed, and rolls the batch back rather than guess.
fn undecided() -> StoreError {
    StoreError::Corrupt("a play in the batch was left undecided".into())
}

/// A player's row as the batch moves it: the balance, and the newest entries of their
/// two chains (ledger and transactions).
struct Account {
    balance_before: i64,
    balance: i64,
    last_entry: Option<i64>,
    last_transaction: Option<i64>,
}

impl Account {
    fn read(tx: &Transaction<'_>, user: UserId) -> StoreResult<Self> {
        let (balance, last_entry, last_transaction): (i64, Option<i64>, Option<i64>) = tx
            .prepare_cached(
                "SELECT balance, last_ledger_id, last_transaction FROM users WHERE id = ?1",
            )
            .map_err(db)?
            .query_row([user.0 as i64], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .optional()
            .map_err(db)?
            // No such user: the row's foreign key refuses the play, so this only
            // guards the arithmetic.
            .unwrap_or((0, None, None));
        Ok(Self {
            balance_before: balance,
            balance,
            last_entry,
            last_transaction,
        })
    }

    fn write(&self, tx: &Transaction<'_>, user: UserId) -> StoreResult<()> {
        // `balance = before` makes the update a compare-and-set: the write lock is held
        // since the read, so it always matches; if it ever did not, the whole batch
        // rolls back rather than overwrite a balance it did not read.
        let changed = tx
            .prepare_cached(
                "UPDATE users SET balance = ?1, last_ledger_id = ?4, last_transaction = ?5
                 WHERE id = ?2 AND balance = ?3",
            )
            .map_err(db)?
            .execute(rusqlite::params![
                self.balance,
                user.0 as i64,
                self.balance_before,
                self.last_entry,
                self.last_transaction
            ])
            .map_err(db)?;
        if changed != 1 {
            return Err(StoreError::Corrupt(format!(
                "the balance of user {} changed under the play writer",
                user.0
            )));
        }
        Ok(())
    }
}

/// A play's row: numbered on from the table's last, linked to its player's previous
/// transaction, refused or pending.
struct NewRow {
    index: usize,
    seq: i64,
    rejection: Option<ErrorCode>,
    user_previous: Option<i64>,
}

/// An accepted play's ledger row: numbered on from the ledger's last row, and linked
/// to its player's previous entry.
struct Debit {
    index: usize,
    seq: i64,
    balance_after: i64,
    id: i64,
    previous: Option<i64>,
}

/// The next number from `next`, asking `first` for it once per batch.
fn next_number(
    next: &mut Option<i64>,
    first: impl FnOnce() -> StoreResult<i64>,
) -> StoreResult<i64> {
    let number = match *next {
        Some(number) => number,
        None => first()?,
    };
    *next = Some(number + 1);
    Ok(number)
}

/// The number the next row of `table` takes (its integer key `column`).
pub(super) fn next_row_number(tx: &Transaction<'_>, table: &str, column: &str) -> StoreResult<i64> {
    tx.prepare_cached(&format!(
        "SELECT COALESCE(MAX({column}), 0) + 1 FROM {table}"
    ))
    .map_err(db)?
    .query_row([], |row| row.get(0))
    .map_err(db)
}

fn write_rows(
    tx: &Transaction<'_>,
    requests: &[PlayRequest],
    rows: &[NewRow],
) -> rusqlite::Result<()> {
    static SQL: OnceLock<Vec<String>> = OnceLock::new();
    let sql = SQL.get_or_init(|| statements(PLAY_HEAD, PLAY_ROW));
    for (chunk, sql) in chunks(rows, sql) {
        let mut statement = tx.prepare_cached(sql)?;
        let mut slot = 1;
        for row in chunk {
            let request = &requests[row.index];
            let status = match row.rejection {
                Some(_) => "rejected",
                None => "pending",
            };
            bind(&mut statement, &mut slot, row.seq)?;
            bind(
                &mut statement,
                &mut slot,
                request.transaction_id.to_string(),
            )?;
            bind(&mut statement, &mut slot, request.user_id.0 as i64)?;
            bind(&mut statement, &mut slot, request.device_id.0)?;
            bind(&mut statement, &mut slot, request.machine_id.0.as_str())?;
            bind(&mut statement, &mut slot, request.points.0 as i64)?;
            bind(&mut statement, &mut slot, status)?;
            bind(&mut statement, &mut slot, row.rejection.map(|c| c.as_str()))?;
            bind(&mut statement, &mut slot, request.issued_at as i64)?;
            bind(&mut statement, &mut slot, request.now)?;
            bind(&mut statement, &mut slot, request.now)?;
            bind(&mut statement, &mut slot, row.user_previous)?;
        }
        statement.raw_execute()?;
    }
    Ok(())
}

fn write_debits(
    tx: &Transaction<'_>,
    requests: &[PlayRequest],
    debits: &[Debit],
) -> rusqlite::Result<()> {
    static SQL: OnceLock<Vec<String>> = OnceLock::new();
    let sql = SQL.get_or_init(|| statements(DEBIT_HEAD, DEBIT_ROW));
    for (chunk, sql) in chunks(debits, sql) {
        let mut statement = tx.prepare_cached(sql)?;
        let mut slot = 1;
        for debit in chunk {
            let request = &requests[debit.index];
            bind(&mut statement, &mut slot, debit.id)?;
            bind(&mut statement, &mut slot, request.user_id.0 as i64)?;
            bind(&mut statement, &mut slot, HistoryKind::Play.as_str())?;
            bind(&mut statement, &mut slot, -(request.points.0 as i64))?;
            bind(&mut statement, &mut slot, debit.balance_after)?;
            bind(&mut statement, &mut slot, debit.seq)?;
            bind(&mut statement, &mut slot, request.now)?;
            bind(&mut statement, &mut slot, debit.previous)?;
        }
        statement.raw_execute()?;
    }
    Ok(())
}

/// The code was presented before this batch (row `seq`): answered as
/// [`PlayRequest::answer_again`] says.
fn earlier_answer(
    tx: &Transaction<'_>,
    seq: i64,
    request: &PlayRequest,
) -> StoreResult<PlayDecision> {
    let (machine, user, points, rejection): (String, i64, i64, Option<String>) = tx
        .prepare_cached(
            "SELECT machine_id, user_id, points, rejection FROM transactions WHERE seq = ?1",
        )
        .map_err(db)?
        .query_row([seq], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .map_err(db)?;
    let stored = (machine.as_str(), user as u64, points as u64);
    Ok(request.answer_again(stored, rejection.as_deref().map(ErrorCode::parse)))
}

fn bind(
    statement: &mut rusqlite::CachedStatement<'_>,
    slot: &mut usize,
    value: impl rusqlite::ToSql,
) -> rusqlite::Result<()> {
    statement.raw_bind_parameter(*slot, value)?;
    *slot += 1;
    Ok(())
}

/// One statement text per chunk size, in `CHUNK_SIZES` order.
fn statements(head: &str, row: &str) -> Vec<String> {
    CHUNK_SIZES
        .iter()
        .map(|&rows| format!("{head}{}", vec![row; rows].join(", ")))
        .collect()
}

/// Cuts `rows` into chunks, largest first, each with the statement for its size.
fn chunks<'r, 's, T>(
    mut rows: &'r [T],
    sql: &'s [String],
) -> impl Iterator<Item = (&'r [T], &'s str)> {
    std::iter::from_fn(move || {
        let (size, sql) = CHUNK_SIZES
            .iter()
            .zip(sql)
            .find(|(size, _)| **size <= rows.len())?;
        let (chunk, rest) = rows.split_at(*size);
        rows = rest;
        Some((chunk, sql.as_str()))
    })
}

#[cfg(test)]
mod tests;
