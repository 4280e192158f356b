//! The example game: a client of the reader's API that follows the seed's two
//! flowcharts. Single player: ask until paid, commit, start. Multi-player: press start,
//! ask until paid, count down (more players may pay meanwhile), press start again to
//! release the last payment, and at the end of the countdown commit and start.

use gashapay_core::arcade::{
    AskPaymentAnswer, ClientPaymentId, Payment, ReaderAnswer, ReaderErrorBody, ReaderRequest,
};
use serde::de::DeserializeOwned;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Debug, thiserror::Error)]
pub enum GameError {
    #[error("the reader refused: {} ({})", .0.message, .0.code.as_str())]
    Reader(ReaderErrorBody),
    #[error("cannot reach the reader: {0}")]
    Transport(String),
    #[error("nobody paid within {0:?}")]
    NobodyPaid(Duration),
}

/// A game's connection to the reader in its cabinet.
#[derive(Clone)]
pub struct ReaderClient {
    http: reqwest::Client,
    url: String,
}

impl ReaderClient {
    /// `url` is the reader's API, e.g. `http://127.0.0.1:7300/`.
    pub fn new(url: &str) -> Self {
        Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("a default HTTP client builds"),
            url: url.to_owned(),
        }
    }

    /// Sends one call and reads the envelope.
    pub async fn call<T: DeserializeOwned>(&self, request: &ReaderRequest) -> Result<T, GameError> {
        let response = self
            .http
            .post(&self.url)
            .json(request)
            .send()
            .await
            .map_err(|e| GameError::Transport(e.to_string()))?;
        let answer: ReaderAnswer<T> = response
            .json()
            .await
            .map_err(|e| GameError::Transport(format!("unexpected answer: {e}")))?;
        match answer {
            ReaderAnswer::Ok(value) => Ok(value),
            ReaderAnswer::Err(body) => Err(GameError::Reader(body)),
        }
    }

    pub async fn ask_payment(&self, id: &ClientPaymentId) -> Result<Option<Payment>, GameError> {
        let answer: AskPaymentAnswer = self.call(&ReaderRequest::ask_payment(id.clone())).await?;
        Ok(answer.payment)
    }

    pub async fn release_payment(&self, id: &ClientPaymentId) -> Result<(), GameError> {
        self.call(&ReaderRequest::release_payment(id.clone())).await
    }

    pub async fn commit_clear_payments(&self, ids: &[ClientPaymentId]) -> Result<(), GameError> {
        self.call(&ReaderRequest::commit_clear_payments(ids.to_vec()))
            .await
    }
}

/// A fresh `client_payment_id` for the game: time and a counter, as the seed suggests.
pub fn new_payment_id(game_id: &str) -> ClientPaymentId {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    ClientPaymentId::new(game_id, format!("{millis}-{n}"))
}

/// How often a game asks while it waits for a coin (the seed's 0.1 s).
pub const POLL: Duration = Duration::from_millis(100);

/// The single-player flowchart: ask every [`POLL`] until a payment is reserved, commit
/// it, start. Gives up (and clears the request) after `give_up_after`.
pub async fn single_player(
    reader: &ReaderClient,
    game_id: &str,
    give_up_after: Duration,
) -> Result<Payment, GameError> {
    let id = new_payment_id(game_id);
    let deadline = Instant::now() + give_up_after;
    loop {
        if let Some(payment) = reader.ask_payment(&id).await? {
            reader
                .commit_clear_payments(std::slice::from_ref(&id))
                .await?;
            return Ok(payment);
        }
        if Instant::now() >= deadline {
            reader.commit_clear_payments(&[]).await?;
            return Err(GameError::NobodyPaid(give_up_after));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// What the multi-player cabinet shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CabinetScreen {
    /// "Press start".
    NoPlayers,
    /// "Scan your code": the players who paid so far, and the countdown once one did.
    Joining {
        players: usize,
        seconds_left: Option<u64>,
    },
    /// The game runs with these players.
    Playing { players: usize },
}

enum CabinetState {
    NoPlayers,
    Joining {
        asking: Option<ClientPaymentId>,
        paid: Vec<Payment>,
        countdown_ends: Option<Instant>,
    },
    Playing {
        players: Vec<Payment>,
    },
}

/// The multi-player flowchart, driven by [`Cabinet::press_start`] and
/// [`Cabinet::tick`] (call it every [`POLL`]).
pub struct Cabinet {
    reader: ReaderClient,
    game_id: String,
    countdown: Duration,
    max_players: usize,
    state: CabinetState,
}

impl Cabinet {
    pub fn new(
        reader: ReaderClient,
        game_id: &str,
        countdown: Duration,
        max_players: usize,
    ) -> Self {
        Self {
            reader,
            game_id: game_id.to_owned(),
            countdown,
            max_players: max_players.max(1),
            state: CabinetState::NoPlayers,
        }
    }

    pub fn screen(&self, now: Instant) -> CabinetScreen {
        match &self.state {
            CabinetState::NoPlayers => CabinetScreen::NoPlayers,
            CabinetState::Joining {
                paid,
                countdown_ends,
                ..
            } => CabinetScreen::Joining {
                players: paid.len(),
                seconds_left: countdown_ends
                    .map(|ends| ends.saturating_duration_since(now).as_secs_f64().ceil() as u64),
            },
            CabinetState::Playing { players } => CabinetScreen::Playing {
                players: players.len(),
            },
        }
    }

    /// The players of the game running now.
    pub fn players(&self) -> &[Payment] {
        match &self.state {
            CabinetState::Playing { players } => players,
            _ => &[],
        }
    }

    /// "Press start": with no players (or after a game) it starts asking for a coin;
    /// while waiting for the first it goes back to "press start"; during the countdown
    /// it releases the last payment (that player changed their mind), and with nobody
    /// left goes back to "press start".
    pub async fn press_start(&mut self) -> Result<(), GameError> {
        match &mut self.state {
            CabinetState::NoPlayers | CabinetState::Playing { .. } => {
                self.state = CabinetState::Joining {
                    asking: Some(new_payment_id(&self.game_id)),
                    paid: Vec::new(),
                    countdown_ends: None,
                };
            }
            CabinetState::Joining { asking, paid, .. } => {
                if let Some(last) = paid.last() {
                    self.reader.release_payment(&last.client_payment_id).await?;
                    paid.pop();
                    if asking.is_none() {
                        *asking = Some(new_payment_id(&self.game_id));
                    }
                }
                if paid.is_empty() {
                    // Back to "press start": the reader drops the request at once, so a
                    // code scanned now is not taken for a game nobody waits for.
                    self.reader.commit_clear_payments(&[]).await?;
                    self.state = CabinetState::NoPlayers;
                }
            }
        }
        Ok(())
    }

    /// One step: ask for the next player's coin; at the end of the countdown, commit
    /// the players who paid (which also releases any reservation the game lost) and
    /// start the game.
    pub async fn tick(&mut self, now: Instant) -> Result<(), GameError> {
        let CabinetState::Joining {
            asking,
            paid,
            countdown_ends,
        } = &mut self.state
        else {
            return Ok(());
        };
        if let Some(id) = asking.clone() {
            if let Some(payment) = self.reader.ask_payment(&id).await? {
                paid.push(payment);
                *countdown_ends = Some(now + self.countdown);
                *asking = (paid.len() < self.max_players).then(|| new_payment_id(&self.game_id));
            }
        }
        if countdown_ends.is_some_and(|ends| now >= ends) {
            let ids: Vec<_> = paid.iter().map(|p| p.client_payment_id.clone()).collect();
            self.reader.commit_clear_payments(&ids).await?;
            self.state = CabinetState::Playing {
                players: std::mem::take(paid),
            };
        }
        Ok(())
    }
}
