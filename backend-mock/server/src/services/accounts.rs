//! The signed-in player's points (PROTOCOL §3.4–3.6, §3.12): the balance, what is
//! running, the history, and top-ups made safe to retry by their idempotency key.

use super::{ServiceError, ServiceResult};
use crate::payments::PaymentError;
use crate::state::AppState;
use crate::store::{HistoryRecord, Refusal};
use chrono::TimeZone;
use gashapay_core::api::HistoryKind;
use gashapay_core::api::{
    BalanceResponse, HistoryEntry, HistoryPage, HistoryQuery, RunningView, TopUpRequest,
    TopUpResponse, MAX_HISTORY_PAGE,
};
use gashapay_core::history::entry_label;
use gashapay_core::ids::UserId;
use gashapay_core::ErrorCode;
use sha2::{Digest, Sha256};

/// The largest top-up, in points.
pub const MAX_TOP_UP: u64 = 100_000;
/// The longest idempotency key.
const MAX_KEY_LEN: usize = 128;

pub async fn balance(state: &AppState, user: UserId) -> ServiceResult<BalanceResponse> {
    let balance = state.db(move |store| store.ledger().balance(user)).await?;
    Ok(BalanceResponse {
        balance,
        as_of: state.clock.now_utc(),
    })
}

/// Each open pay-first session (with the balance) and each timed reward still earning,
/// newest first.
pub async fn running(state: &AppState, user: UserId) -> ServiceResult<RunningView> {
    let (sessions, rewards, balance) = state
        .db(move |store| {
            Ok((
                store.machine_sessions().open_of(user)?,
                store.rewards().open_sessions_of(user)?,
                store.ledger().balance(user)?,
            ))
        })
        .await?;
    Ok(RunningView {
        machine_sessions: sessions
            .into_iter()
            .map(|record| super::machine_sessions::view(state, record, Some(balance)))
            .collect(),
        reward_sessions: rewards
            .into_iter()
            .map(super::rewards::session_view)
            .collect(),
    })
}

/// A page of the ledger, newest first.
pub async fn history(
    state: &AppState,
    user: UserId,
    query: HistoryQuery,
) -> ServiceResult<HistoryPage> {
    let limit = query.page_size().ok_or_else(|| {
        ServiceError::refused_because(
            ErrorCode::BadRequest,
            format!("limit must be between 1 and {MAX_HISTORY_PAGE}"),
        )
    })?;
    let entries = state
        .db(move |store| store.ledger().history(user, limit, query.before))
        .await?;
    let next_before = (entries.len() == limit as usize)
        .then(|| entries.last().map(|e| e.id))
        .flatten();
    Ok(HistoryPage {
        entries: entries.into_iter().map(history_entry).collect(),
        next_before,
    })
}

fn history_entry(record: HistoryRecord) -> HistoryEntry {
    HistoryEntry {
        id: record.id,
        kind: record.kind,
        label: entry_label(
            record.kind,
            record.label.as_deref(),
            record.machine_name.as_deref(),
            record.refund_reason,
        ),
        delta: record.delta,
        balance_after: record.balance_after,
        at: chrono::Utc
            .timestamp_millis_opt(record.at)
            .single()
            .unwrap_or_default(),
        transaction_id: record.transaction_id,
        machine_id: record.machine_id,
        machine_name: record.machine_name,
        machine_kind: record.machine_kind,
        item: (record.kind == HistoryKind::Purchase)
            .then(|| record.label.clone())
            .flatten(),
        partner_name: (record.kind == HistoryKind::Reward)
            .then_some(record.label)
            .flatten(),
        outcome: record.outcome,
        refund_reason: record.refund_reason,
    }
}

/// Buys points. The same key and body get the first answer (success or refusal) and
/// charge once; the key with another body is refused.
pub async fn top_up(
    state: &AppState,
    user: UserId,
    key: &str,
    request: TopUpRequest,
) -> ServiceResult<TopUpResponse> {
    let key = key.trim();
    let valid = !key.is_empty()
        && key.len() <= MAX_KEY_LEN
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !valid {
        return Err(ServiceError::refused_because(
            ErrorCode::BadRequest,
            "an Idempotency-Key header of 1-128 characters (A-Z a-z 0-9 - _) is required",
        ));
    }
    if request.amount.0 == 0 || request.amount.0 > MAX_TOP_UP {
        return Err(ServiceError::refused_because(
            ErrorCode::BadRequest,
            format!("amount must be between 1 and {MAX_TOP_UP}"),
        ));
    }
    // The request as its client sent it; serialising a derived type cannot fail.
    let request_hash: [u8; 32] =
        Sha256::digest(serde_json::to_vec(&request).unwrap_or_default()).into();

    // One top-up per user at a time: the check for an earlier answer, the charge and
    // the record of the answer must not interleave with a retry of the same key.
    let _guard = state.top_up_locks.lock(user.0).await;
    let key = key.to_owned();
    let lookup_key = key.clone();
    let earlier = state
        .db(move |store| store.ledger().top_up_answer(user, &lookup_key))
        .await?;
    let stored = match earlier {
        Some(stored) => stored,
        None => {
            let reference = format!("{user}:{key}");
            let charge = state
                .payments
                .charge(request.amount, &request.payment_token, &reference);
            let refused = |code: ErrorCode| Refusal {
                error: code,
                message: code.default_message().to_owned(),
            };
            let answer = match charge {
                Ok(charge_id) => Ok((charge_id, request.amount)),
                Err(PaymentError::Declined) => Err(refused(ErrorCode::PaymentDeclined)),
                Err(PaymentError::InvalidToken) => Err(refused(ErrorCode::InvalidPaymentToken)),
            };
            tracing::info!(%user, amount = %request.amount, ok = answer.is_ok(), "top-up");
            let now = state.clock.now_millis();
            state
                .db(move |store| {
                    store
                        .ledger()
                        .record_top_up(user, &key, &request_hash, answer, now)
                })
                .await?
        }
    };
    if stored.request_hash != request_hash {
        return Err(ServiceError::refused(ErrorCode::IdempotencyKeyReused));
    }
    match stored.answer {
        Ok(credited) => Ok(TopUpResponse {
            top_up_id: credited.top_up_id,
            amount: credited.amount,
            balance: credited.balance,
        }),
        Err(refusal) => Err(ServiceError::refused_because(
            refusal.error,
            refusal.message,
        )),
    }
}
