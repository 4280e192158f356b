//! Demo mode (desktop only): with no server configured, the app starts the bundled
//! mock backend in-process, on its own runtime thread, with its own SQLite file in
//! the app's data directory, and plays the demo machine against it.

use crate::demo_arcade::{ArcadeDemo, ARCADE_MACHINE};
use crate::demo_rewards::RewardStand;
use gashapay_backend_mock::config::Settings;
use gashapay_backend_mock::{start, StartOptions};
use gashapay_core::api::machine_pay::SessionStatus;
use gashapay_core::app::demo::{log_line, DemoStep};
use gashapay_core::order_code::OrderCode;
use gashapay_core::status::DispensePlan;
use gashapay_core::Points;
use gashapay_machine::{self as machine, MachineClient, RetryPolicy, Step};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// In demo mode a silent machine is refunded after this long, so a tester sees it;
/// `GASHAPAY_DEMO_OUTCOME_TIMEOUT_SECS` sets another.
pub const DEMO_OUTCOME_TIMEOUT: Duration = Duration::from_secs(20);

fn demo_outcome_timeout() -> Duration {
    std::env::var("GASHAPAY_DEMO_OUTCOME_TIMEOUT_SECS")
        .ok()
        .and_then(|secs| secs.parse().ok())
        .map_or(DEMO_OUTCOME_TIMEOUT, Duration::from_secs)
}
/// In demo mode a pay-first session with nothing bought ends after this long (a
/// minute, not the five a real machine waits), so a tester sees the refund.
pub const DEMO_SESSION_IDLE: Duration = Duration::from_secs(60);
/// How long an order's code on the demo machine can be paid for.
pub const DEMO_ORDER_TTL: Duration = Duration::from_secs(120);
/// How long the emulated dispenser takes.
pub const DEMO_DISPENSE_DELAY: Duration = Duration::from_millis(1500);

pub struct DemoEnv {
    pub server_url: String,
    pub username: String,
    pub password: String,
    pub machine: MachineClient,
    pub database: PathBuf,
    /// A play the machine never reports is refunded after this long.
    pub outcome_timeout: Duration,
    /// The demo machine's printed code.
    pub machine_code: String,
    /// The arcade cabinet and its reader.
    pub arcade: Arc<ArcadeDemo>,
    /// The reward stand: a partner's visit code and start / end pair.
    pub reward_stand: Arc<RewardStand>,
}

/// Starts the demo backend and waits until it listens.
pub fn start_backend(data_dir: &Path) -> Result<DemoEnv, String> {
    std::fs::create_dir_all(data_dir)
        .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
    let database = data_dir.join("demo.db");
    let outcome_timeout = demo_outcome_timeout();
    let db = database.display().to_string();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("demo-backend".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(e) => {
                    let _ = ready_tx.send(Err(e.to_string()));
                    return;
                }
            };
            runtime.block_on(async move {
                let options = StartOptions {
                    listen: "127.0.0.1:0".parse().expect("a valid address"),
                    db,
                    settings: Settings {
                        outcome_timeout,
                        session_idle: DEMO_SESSION_IDLE,
                        ..Settings::default()
                    },
                    payment_secret: None,
                    seed_demo: true,
                    clock: gashapay_core::clock::SystemClock::shared(),
                    admin_key: None,
                };
                match start(options).await {
                    Ok(backend) => {
                        let seed = backend.demo.clone().expect("seeded");
                        let arcade = match start_arcade(&backend).await {
                            Ok(arcade) => arcade,
                            Err(e) => {
                                let _ = ready_tx.send(Err(e));
                                return;
                            }
                        };
                        let stand = match RewardStand::start(&backend).await {
                            Ok(stand) => Arc::new(stand),
                            Err(e) => {
                                let _ = ready_tx.send(Err(e));
                                return;
                            }
                        };
                        let _ = ready_tx.send(Ok((backend.base_url(), seed, arcade, stand)));
                        // Serve until the app exits.
                        std::future::pending::<()>().await;
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e.to_string()));
                    }
                }
            });
        })
        .map_err(|e| e.to_string())?;
    let (server_url, seed, arcade, reward_stand) = ready_rx
        .recv()
        .map_err(|_| "the demo backend stopped while starting".to_string())??;
    let machine = MachineClient::new(
        &server_url,
        seed.machine.machine_id.clone(),
        seed.machine.api_key.clone(),
        seed.machine.webhook_secret.clone(),
    );
    Ok(DemoEnv {
        server_url,
        username: seed.username,
        password: seed.password,
        machine,
        database,
        outcome_timeout,
        machine_code: seed.machine_code,
        arcade,
        reward_stand,
    })
}

/// The arcade machine (registered afresh at each start, as the demo machine is) and
/// its reader, served on the backend's runtime.
async fn start_arcade(
    backend: &gashapay_backend_mock::RunningBackend,
) -> Result<Arc<ArcadeDemo>, String> {
    let (id, name) = ARCADE_MACHINE;
    let kind = gashapay_core::api::MachineKind::Arcade;
    let credentials =
        gashapay_backend_mock::admin::register_machine_of_kind(&backend.state, id, name, kind)
            .await
            .map_err(|e| format!("cannot register the arcade machine: {e}"))?;
    let machine = MachineClient::new(
        &backend.base_url(),
        credentials.machine_id,
        credentials.api_key,
        credentials.webhook_secret,
    );
    ArcadeDemo::start(machine)
        .await
        .map(Arc::new)
        .map_err(|e| format!("cannot start the arcade reader: {e}"))
}

impl DemoEnv {
    /// The demo machine's printed code, as the https link a phone's camera reads.
    pub fn machine_code_link(&self) -> String {
        gashapay_core::links::AppLink::MachineCode {
            code_id: self.machine_code.clone(),
        }
        .https_link(&self.server_url)
    }

    /// Sells `item` against the customer's open session, if there is one.
    pub async fn sell(&self, item: &str, points: Points, mut log: impl FnMut(String)) {
        let step = |step: &Step| log_line(&demo_step(step, self.outcome_timeout));
        match self.machine.current_session(Duration::ZERO, None).await {
            Ok(Some(session)) if session.status == SessionStatus::Open => {
                let event = format!("demo_{}", uuid::Uuid::now_v7().simple());
                match self
                    .machine
                    .report_purchase(session.session_id, &event, item, points)
                    .await
                {
                    Ok(view) => log(step(&Step::Sold {
                        item: item.to_owned(),
                        points,
                        remaining: view.remaining,
                    })),
                    Err(error) => log(log_line(&DemoStep::Failed {
                        error: error.to_string(),
                    })),
                }
            }
            Ok(_) => log(log_line(&DemoStep::Failed {
                error: "no customer has loaded points yet".into(),
            })),
            Err(error) => log(log_line(&DemoStep::Failed {
                error: error.to_string(),
            })),
        }
    }

    /// A new order for `item`, signed by the machine, payable for a while.
    pub fn new_order(&self, item: &str, points: Points) -> OrderCode {
        // The random tail of a time-ordered id: short enough to read in the log.
        let id = uuid::Uuid::now_v7().simple().to_string();
        let order_id = format!("o-{}", &id[id.len() - 8..]);
        self.machine
            .order_code(&order_id, item, points, DEMO_ORDER_TTL)
    }

    /// Shows the order, waits for the payment, and dispenses as planned.
    pub async fn sell_order(
        &self,
        order: &OrderCode,
        plan: DispensePlan,
        mut log: impl FnMut(String),
    ) {
        let timeout = self.outcome_timeout;
        let result = machine::sell_order(
            &self.machine,
            order,
            plan,
            DEMO_DISPENSE_DELAY,
            &RetryPolicy::default(),
            |step| log(log_line(&demo_step(step, timeout))),
        )
        .await;
        if let Err(error) = result {
            log(log_line(&DemoStep::Failed {
                error: error.to_string(),
            }));
        }
    }

    /// The emulated machine takes `code` (as its camera would read it off the
    /// screen), validates it, and dispenses as planned. `log` sees each step in words.
    pub async fn scan(&self, code: &str, plan: DispensePlan, mut log: impl FnMut(String)) {
        let result = machine::play(
            &self.machine,
            code,
            plan,
            DEMO_DISPENSE_DELAY,
            &RetryPolicy::default(),
            |step| log(log_line(&demo_step(step, self.outcome_timeout))),
        )
        .await;
        if let Err(error) = result {
            if !matches!(error, machine::MachineError::Refused { .. }) {
                let error = error.to_string();
                log(log_line(&DemoStep::Failed { error }));
            }
        }
    }
}

fn demo_step(step: &Step, outcome_timeout: Duration) -> DemoStep {
    match step {
        Step::Scanned { points, .. } => DemoStep::Scanned { points: *points },
        Step::Validated { points, .. } => DemoStep::Accepted { points: *points },
        Step::Refused { message, .. } => DemoStep::Refused {
            message: message.clone(),
        },
        Step::Dispensing { outcome } => DemoStep::Dispensing { plan: *outcome },
        Step::ReportRetry { attempt, .. } => DemoStep::ReportRetry { attempt: *attempt },
        Step::Reported { status, .. } => DemoStep::Reported { status: *status },
        Step::NotReporting { .. } => DemoStep::Silent {
            refund_after_secs: outcome_timeout.as_secs(),
        },
        Step::SessionOpened { credit, .. } => DemoStep::SessionOpened { credit: *credit },
        Step::Sold {
            item,
            points,
            remaining,
        } => DemoStep::Sold {
            item: item.clone(),
            points: *points,
            remaining: *remaining,
        },
        Step::SessionEnded { refunded, .. } => DemoStep::SessionEnded {
            refunded: *refunded,
        },
        Step::OrderShown { order_id, .. } => DemoStep::OrderShown {
            order_id: order_id.clone(),
        },
        Step::OrderPaid { .. } => DemoStep::OrderPaid,
    }
}
