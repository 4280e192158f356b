//! The reader's rules (PROTOCOL §11): one pending request, accepting only while a game
//! polls, a reservation per `client_payment_id` (its idempotency key), a code checked
//! against the game's price before the backend sees it, commits reported as dispensed
//! and releases as cancelled (the backend refunds).

use crate::{MachineClient, MachineError, RetryPolicy};
use gashapay_core::arcade::{ClientPaymentId, Payment, ReaderErrorBody, ReaderErrorCode};
use gashapay_core::qr::SignedCode;
use gashapay_core::status::DispenseOutcome;
use gashapay_core::{ErrorCode, Points, TransactionId};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the reader is set up with.
#[derive(Debug, Clone)]
pub struct ReaderSettings {
    /// The points each game costs (`--price game=points`).
    pub prices: HashMap<String, Points>,
    /// How long the reader keeps accepting after the last `ask_payment`.
    pub accept_window: Duration,
    pub retry: RetryPolicy,
}

/// How many finished (committed or released) payments the reader remembers for
/// idempotent answers; the oldest are forgotten first.
const REMEMBERED_FINISHED: usize = 10_000;

/// Why a scanned code was not taken. The code is not spent unless the backend took it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScanRefusal {
    #[error("the reader is not accepting: no game is asking for a payment")]
    NotAccepting,
    #[error("another code is being checked; scan again in a moment")]
    Busy,
    #[error("this game costs {expected} pts; the code is for {offered} pts (it was not used)")]
    WrongPrice { expected: Points, offered: Points },
    #[error("the backend refused the code: {message} ({code})")]
    Refused { code: ErrorCode, message: String },
    #[error("cannot reach the backend: {0}")]
    Unreachable(String),
}

impl ScanRefusal {
    /// A stable code for the refusal, for logs and the command line.
    pub fn code(&self) -> &'static str {
        match self {
            ScanRefusal::NotAccepting => "not_accepting",
            ScanRefusal::Busy => "busy",
            ScanRefusal::WrongPrice { .. } => "wrong_price",
            ScanRefusal::Refused { code, .. } => code.as_str(),
            ScanRefusal::Unreachable(_) => "backend_unavailable",
        }
    }
}

/// What the reader did, for its log (the command line prints each as a JSON line).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum ReaderEvent {
    Accepting {
        client_payment_id: ClientPaymentId,
    },
    Reserved {
        payment: Payment,
        transaction_id: TransactionId,
    },
    ScanRefused {
        code: &'static str,
        message: String,
    },
    Committed {
        client_payment_id: ClientPaymentId,
        transaction_id: TransactionId,
    },
    Released {
        client_payment_id: ClientPaymentId,
        transaction_id: TransactionId,
    },
    StoppedAccepting,
}

/// What the reader shows a player: whether it takes a code now, and for which game.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReaderShows {
    Idle,
    Accepting { game_id: String, price: Points },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReservationState {
    Reserved,
    Committed,
    Released,
}

#[derive(Debug, Clone)]
struct Reservation {
    payment: Payment,
    transaction_id: TransactionId,
    state: ReservationState,
}

#[derive(Default)]
struct ReaderState {
    accepting_until: Option<Instant>,
    pending: Option<ClientPaymentId>,
    reservations: HashMap<ClientPaymentId, Reservation>,
    finished: VecDeque<ClientPaymentId>,
    scanning: bool,
}

impl ReaderState {
    fn accepting(&self, now: Instant) -> Option<&ClientPaymentId> {
        match self.accepting_until {
            Some(until) if until > now => self.pending.as_ref(),
            _ => None,
        }
    }

    fn finish(&mut self, id: &ClientPaymentId, state: ReservationState) {
        if let Some(reservation) = self.reservations.get_mut(id) {
            reservation.state = state;
            self.finished.push_back(id.clone());
        }
        while self.finished.len() > REMEMBERED_FINISHED {
            if let Some(oldest) = self.finished.pop_front() {
                self.reservations.remove(&oldest);
            }
        }
    }
}

type EventSink = Arc<dyn Fn(ReaderEvent) + Send + Sync>;

/// The reader in the cabinet. Cheap to clone; clones share the state.
#[derive(Clone)]
pub struct Reader {
    client: MachineClient,
    settings: Arc<ReaderSettings>,
    state: Arc<Mutex<ReaderState>>,
    on_event: EventSink,
}

fn error(code: ReaderErrorCode) -> ReaderErrorBody {
    ReaderErrorBody::new(code, code.default_message())
}

impl Reader {
    pub fn new(
        client: MachineClient,
        settings: ReaderSettings,
        on_event: impl Fn(ReaderEvent) + Send + Sync + 'static,
    ) -> Self {
        Self {
            client,
            settings: Arc::new(settings),
            state: Arc::new(Mutex::new(ReaderState::default())),
            on_event: Arc::new(on_event),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, ReaderState> {
        // A panic while the lock was held cannot leave a half-made change: every change
        // under it is a single assignment or insert.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn price(&self, game_id: &str) -> Result<Points, ReaderErrorBody> {
        self.settings.prices.get(game_id).copied().ok_or_else(|| {
            ReaderErrorBody::new(
                ReaderErrorCode::UnknownGame,
                format!("This reader has no price for the game {game_id:?}."),
            )
        })
    }

    /// What the player sees on the reader now.
    pub fn shows(&self) -> ReaderShows {
        let state = self.state();
        match state.accepting(Instant::now()) {
            Some(id) => ReaderShows::Accepting {
                game_id: id.game_id.clone(),
                price: self
                    .settings
                    .prices
                    .get(&id.game_id)
                    .copied()
                    .unwrap_or_default(),
            },
            None => ReaderShows::Idle,
        }
    }

    /// `ask_payment`: keeps the reader accepting for this id (replacing another
    /// unpaid request) and answers its payment once one is reserved; after that, the
    /// same payment every time.
    pub fn ask_payment(&self, id: ClientPaymentId) -> Result<Option<Payment>, ReaderErrorBody> {
        self.price(&id.game_id)?;
        let now = Instant::now();
        let mut state = self.state();
        if let Some(reservation) = state.reservations.get(&id) {
            return Ok(Some(reservation.payment.clone()));
        }
        let newly = state.accepting(now) != Some(&id);
        state.accepting_until = Some(now + self.settings.accept_window);
        state.pending = Some(id.clone());
        drop(state);
        if newly {
            (self.on_event)(ReaderEvent::Accepting {
                client_payment_id: id,
            });
        }
        Ok(None)
    }

    /// Stops accepting if no game asked within the window; the caller runs this
    /// now and then (the server does, every half second) so that the log tells when.
    pub fn expire(&self) {
        let mut state = self.state();
        let stopped = state.pending.is_some() && state.accepting(Instant::now()).is_none();
        if stopped {
            state.pending = None;
            state.accepting_until = None;
            drop(state);
            (self.on_event)(ReaderEvent::StoppedAccepting);
        }
    }

    /// A player's code arrives (scanned text). Checked against the price, then
    /// validated (and deducted) by the backend, and reserved for the request pending
    /// when it was scanned.
    pub async fn scan(&self, code: &str) -> Result<Payment, ScanRefusal> {
        let result = self.reserve(code).await;
        if let Err(refusal) = &result {
            (self.on_event)(ReaderEvent::ScanRefused {
                code: refusal.code(),
                message: refusal.to_string(),
            });
        }
        result
    }

    async fn reserve(&self, code: &str) -> Result<Payment, ScanRefusal> {
        let id = {
            let mut state = self.state();
            let id = state
                .accepting(Instant::now())
                .cloned()
                .ok_or(ScanRefusal::NotAccepting)?;
            if state.scanning {
                return Err(ScanRefusal::Busy);
            }
            let expected = self
                .price(&id.game_id)
                .map_err(|_| ScanRefusal::NotAccepting)?;
            // The amount is public in the code; a wrong one is refused before the
            // backend sees it, so the code stays usable.
            if let Ok(parsed) = SignedCode::parse(code) {
                if parsed.payload.points != expected {
                    return Err(ScanRefusal::WrongPrice {
                        expected,
                        offered: parsed.payload.points,
                    });
                }
            }
            state.scanning = true;
            id
        };
        let validated = self.client.validate(code).await;
        let mut state = self.state();
        state.scanning = false;
        let validated = validated.map_err(|error| match error {
            MachineError::Refused { code, message, .. } => ScanRefusal::Refused { code, message },
            other => ScanRefusal::Unreachable(other.to_string()),
        })?;
        // The backend answers a machine's repeated validation of a code with the same
        // play (so that a lost answer can be asked again); at this reader that is the
        // same coin shown twice, and it pays for one request only.
        if state
            .reservations
            .values()
            .any(|r| r.transaction_id == validated.transaction_id)
        {
            return Err(ScanRefusal::Refused {
                code: ErrorCode::AlreadyUsed,
                message: "This code already paid for a game at this reader.".to_owned(),
            });
        }
        let payment = Payment {
            client_payment_id: id.clone(),
            points: validated.points,
        };
        state.reservations.insert(
            id.clone(),
            Reservation {
                payment: payment.clone(),
                transaction_id: validated.transaction_id,
                state: ReservationState::Reserved,
            },
        );
        if state.pending.as_ref() == Some(&id) {
            state.pending = None;
        }
        drop(state);
        (self.on_event)(ReaderEvent::Reserved {
            payment: payment.clone(),
            transaction_id: validated.transaction_id,
        });
        Ok(payment)
    }

    /// `release_payment`: refunds the reservation (the backend is told it failed). An
    /// unpaid request with that id just stops; a released one answers ok again.
    pub async fn release_payment(&self, id: ClientPaymentId) -> Result<(), ReaderErrorBody> {
        let transaction_id = {
            let mut state = self.state();
            match state
                .reservations
                .get(&id)
                .map(|r| (r.state, r.transaction_id))
            {
                Some((ReservationState::Reserved, txn)) => txn,
                Some((ReservationState::Released, _)) => return Ok(()),
                Some((ReservationState::Committed, _)) => {
                    return Err(error(ReaderErrorCode::AlreadyCommitted))
                }
                None if state.pending.as_ref() == Some(&id) => {
                    state.pending = None;
                    return Ok(());
                }
                None => return Err(error(ReaderErrorCode::NoSuchPayment)),
            }
        };
        self.settle(&id, transaction_id, DispenseOutcome::Cancelled)
            .await
    }

    /// `commit_clear_payments`: the listed reservations are spent, every other one is
    /// refunded, and the pending request is dropped. A listed id with no payment, or a
    /// released one, refuses the whole call before anything changes.
    pub async fn commit_clear_payments(
        &self,
        ids: Vec<ClientPaymentId>,
    ) -> Result<(), ReaderErrorBody> {
        let (to_commit, to_release) = {
            let mut state = self.state();
            let mut to_commit = Vec::new();
            for id in &ids {
                match state.reservations.get(id) {
                    None => {
                        return Err(ReaderErrorBody::new(
                            ReaderErrorCode::NoSuchPayment,
                            format!("No payment was made for {}/{}.", id.game_id, id.id),
                        ))
                    }
                    Some(r) if r.state == ReservationState::Released => {
                        return Err(ReaderErrorBody::new(
                            ReaderErrorCode::PaymentReleased,
                            format!(
                                "The payment {}/{} was released and refunded.",
                                id.game_id, id.id
                            ),
                        ))
                    }
                    Some(r) if r.state == ReservationState::Reserved => {
                        to_commit.push((id.clone(), r.transaction_id))
                    }
                    Some(_) => {}
                }
            }
            let to_release: Vec<_> = state
                .reservations
                .iter()
                .filter(|(id, r)| r.state == ReservationState::Reserved && !ids.contains(id))
                .map(|(id, r)| (id.clone(), r.transaction_id))
                .collect();
            state.pending = None;
            (to_commit, to_release)
        };
        let mut first_error = None;
        for (id, txn) in to_commit {
            if let Err(e) = self.settle(&id, txn, DispenseOutcome::Dispensed).await {
                first_error.get_or_insert(e);
            }
        }
        for (id, txn) in to_release {
            if let Err(e) = self.settle(&id, txn, DispenseOutcome::Cancelled).await {
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Reports the outcome to the backend (retrying what is worth retrying) and, once
    /// acknowledged, records it. A dispense the backend already refunded by its
    /// timeout is `reservation_expired`; a release of it is already done.
    async fn settle(
        &self,
        id: &ClientPaymentId,
        transaction_id: TransactionId,
        outcome: DispenseOutcome,
    ) -> Result<(), ReaderErrorBody> {
        let detail = match outcome {
            DispenseOutcome::Dispensed => None,
            _ => Some("released by the game".to_owned()),
        };
        let reported = self
            .client
            .report(
                transaction_id,
                outcome,
                detail,
                &self.settings.retry,
                |_, _| {},
            )
            .await;
        let state_after = match (reported, outcome) {
            (Ok(_), DispenseOutcome::Dispensed) => ReservationState::Committed,
            (Ok(_), _) => ReservationState::Released,
            (
                Err(MachineError::Refused {
                    code: ErrorCode::OutcomeConflict,
                    ..
                }),
                outcome,
            ) => {
                // The backend's timeout refunded it first.
                self.state().finish(id, ReservationState::Released);
                return match outcome {
                    DispenseOutcome::Dispensed => Err(error(ReaderErrorCode::ReservationExpired)),
                    _ => Ok(()),
                };
            }
            (Err(other), _) => {
                return Err(ReaderErrorBody::new(
                    ReaderErrorCode::BackendUnavailable,
                    format!(
                        "{} ({other})",
                        ReaderErrorCode::BackendUnavailable.default_message()
                    ),
                ))
            }
        };
        self.state().finish(id, state_after);
        let event = match state_after {
            ReservationState::Committed => ReaderEvent::Committed {
                client_payment_id: id.clone(),
                transaction_id,
            },
            _ => ReaderEvent::Released {
                client_payment_id: id.clone(),
                transaction_id,
            },
        };
        (self.on_event)(event);
        Ok(())
    }
}
