//! The demo's arcade cabinet (desktop only): the emulated reader serves its API on
//! loopback beside the demo backend, and a tiny game (the example game's multi-player
//! cabinet) plays against it over that API; the tester pays with the code in the app.

use gashapay_core::app::demo::{log_line, CabinetShows, DemoStep, ARCADE_GAME};
use gashapay_core::Points;
use gashapay_machine::arcade::game::{Cabinet, CabinetScreen, ReaderClient};
use gashapay_machine::arcade::{self, Reader, ReaderEvent, ReaderSettings};
use gashapay_machine::{MachineClient, RetryPolicy};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The demo arcade machine, beside the capsule machine.
pub const ARCADE_MACHINE: (&str, &str) = ("m_demo_arcade", "Demo arcade cabinet");
/// How long players can still join (or leave) once one paid.
const COUNTDOWN: Duration = Duration::from_secs(5);
const MAX_PLAYERS: usize = 2;

pub struct ArcadeDemo {
    reader: Reader,
    cabinet: tokio::sync::Mutex<Cabinet>,
    log: Arc<Mutex<Vec<String>>>,
}

impl ArcadeDemo {
    /// Starts the reader on a loopback port (on the calling runtime) and a cabinet
    /// that talks to it.
    pub async fn start(machine: MachineClient) -> std::io::Result<Self> {
        let log = Arc::new(Mutex::new(Vec::new()));
        let sink = log.clone();
        let settings = ReaderSettings {
            prices: [(ARCADE_GAME.0.to_owned(), Points(ARCADE_GAME.1))]
                .into_iter()
                .collect(),
            accept_window: Duration::from_secs(3),
            retry: RetryPolicy::default(),
        };
        let reader = Reader::new(machine, settings, move |event| {
            let line = log_line(&demo_step(event));
            sink.lock().unwrap_or_else(|p| p.into_inner()).push(line);
        });
        let (address, _server) =
            arcade::serve(reader.clone(), "127.0.0.1:0".parse().expect("an address")).await?;
        let cabinet = Cabinet::new(
            ReaderClient::new(&format!("http://{address}/")),
            ARCADE_GAME.0,
            COUNTDOWN,
            MAX_PLAYERS,
        );
        Ok(Self {
            reader,
            cabinet: tokio::sync::Mutex::new(cabinet),
            log,
        })
    }

    /// The cabinet's start button.
    pub async fn press_start(&self) {
        if let Err(error) = self.cabinet.lock().await.press_start().await {
            self.note(DemoStep::Failed {
                error: error.to_string(),
            });
        }
    }

    /// One step of the game (call it every 0.1 s); what its screen says after it.
    pub async fn tick(&self) -> CabinetShows {
        let mut cabinet = self.cabinet.lock().await;
        let now = Instant::now();
        if let Err(error) = cabinet.tick(now).await {
            self.note(DemoStep::Failed {
                error: error.to_string(),
            });
        }
        match cabinet.screen(now) {
            CabinetScreen::NoPlayers => CabinetShows::PressStart,
            CabinetScreen::Joining {
                players,
                seconds_left: Some(seconds_left),
            } => CabinetShows::Countdown {
                players,
                seconds_left,
            },
            CabinetScreen::Joining { .. } => CabinetShows::InsertCoin {
                price: Points(ARCADE_GAME.1),
            },
            CabinetScreen::Playing { players } => CabinetShows::Playing { players },
        }
    }

    /// The reader scans `code` (the code on the app's screen). The reader logs what
    /// it did with it.
    pub async fn pay(&self, code: &str) {
        let _ = self.reader.scan(code).await;
    }

    /// The log lines since the last call.
    pub fn take_log(&self) -> Vec<String> {
        std::mem::take(&mut *self.log.lock().unwrap_or_else(|p| p.into_inner()))
    }

    fn note(&self, step: DemoStep) {
        let line = log_line(&step);
        self.log
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(line);
    }
}

fn demo_step(event: ReaderEvent) -> DemoStep {
    match event {
        ReaderEvent::Accepting { client_payment_id } => DemoStep::ReaderAccepting {
            game_id: client_payment_id.game_id,
        },
        ReaderEvent::Reserved { payment, .. } => DemoStep::ReaderReserved {
            points: payment.points,
        },
        ReaderEvent::ScanRefused { message, .. } => DemoStep::ReaderRefused { message },
        ReaderEvent::Committed { .. } => DemoStep::ReaderCommitted,
        ReaderEvent::Released { .. } => DemoStep::ReaderReleased,
        ReaderEvent::StoppedAccepting => DemoStep::ReaderStopped,
    }
}
