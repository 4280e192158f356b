//! What the bench loads: a bare axum JSON echo (the baseline) and the real backend's
//! validate endpoint, each play a distinct valid code.

use crate::prefill;
use crate::workload::{self, Workload};
use gashapay_backend_mock::admin::register_machine;
use gashapay_backend_mock::budgets::RateLimit;
use gashapay_backend_mock::config::Settings;
use gashapay_backend_mock::store::postgres::test_database::TestDatabase;
use gashapay_backend_mock::store::postgres::PostgresStore;
use gashapay_backend_mock::writer::PlayQueue;
use gashapay_backend_mock::{start, RunningBackend, StartOptions};
use gashapay_core::clock::SystemClock;
use gashapay_core::device::DeviceCredentials;
use gashapay_core::DeviceId;
use std::sync::Arc;
use std::time::Duration;

pub struct Target {
    pub name: String,
    /// Where the load goes: connection `i` sends to `urls[i % urls.len()]` (several
    /// backend instances behind one database).
    pub urls: Vec<String>,
    pub auth: String,
    pub body: Arc<dyn Fn() -> String + Send + Sync>,
    /// Every request needs a body of its own (validate: one code, one deduction).
    pub distinct_bodies: bool,
    /// The group-commit writer behind the target, if any, whose counters say how
    /// many plays shared each commit and how long plays waited for it.
    pub writer: Option<Arc<PlayQueue>>,
}

/// A bare axum server that answers a JSON body with itself: what any endpoint costs
/// before it does anything.
pub async fn echo() -> Target {
    async fn echo(
        axum::Json(body): axum::Json<serde_json::Value>,
    ) -> axum::Json<serde_json::Value> {
        axum::Json(body)
    }
    let app = axum::Router::new().route("/echo", axum::routing::post(echo));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/echo", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let body = serde_json::json!({ "code": format!("GP1:{}", "A".repeat(100)) }).to_string();
    Target {
        name: "echo (bare axum JSON)".into(),
        urls: vec![url],
        auth: "none".into(),
        body: Arc::new(move || body.clone()),
        distinct_bodies: false,
        writer: None,
    }
}

/// A backend on 127.0.0.1 and the database `db`.
pub async fn backend(db: &str, settings: Settings) -> RunningBackend {
    start(StartOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        db: db.to_owned(),
        settings,
        payment_secret: None,
        seed_demo: false,
        clock: SystemClock::shared(),
        admin_key: None,
    })
    .await
    .unwrap()
}

/// A backend on the workload's starting database (`prefill.rs`), with a machine of
/// its own; each validation carries the next player's next code.
pub async fn validate(
    name: &str,
    group_commit: bool,
    workload: Workload,
    dir: &std::path::Path,
    cache: &std::path::Path,
) -> Target {
    let settings = bench_settings(group_commit);
    let db = dir.join(format!("{name}.db"));
    let (built_db, built_cache) = (db.clone(), cache.to_owned());
    tokio::task::spawn_blocking(move || prefill::database(&workload, &built_cache, &built_db))
        .await
        .unwrap();
    let backend = backend(&db.display().to_string(), settings).await;
    validate_target(format!("validate, {name}"), vec![backend], workload).await
}

/// Validation against `instances` backends on one new database on the PostgreSQL
/// server `server` (its players made first), the load spread over them.
pub async fn validate_on_postgres(
    instances: usize,
    workload: Workload,
    server: &str,
) -> (Target, TestDatabase) {
    let server = server.to_owned();
    let database = tokio::task::spawn_blocking(move || TestDatabase::create_on(&server))
        .await
        .unwrap();
    let url = database.url.clone();
    tokio::task::spawn_blocking(move || {
        let store = PostgresStore::open(&url).unwrap();
        prefill::players(&store, &workload);
    })
    .await
    .unwrap();
    let mut backends = Vec::new();
    for _ in 0..instances {
        backends.push(backend(&database.url, bench_settings(true)).await);
    }
    let name = match instances {
        1 => "validate, PostgreSQL, one instance".to_owned(),
        n => format!("validate, PostgreSQL, {n} instances"),
    };
    (validate_target(name, backends, workload).await, database)
}

/// The settings of every validate target: as shipped, but the bench's one machine
/// has a budget checked on every request (that cost is part of the figure) and wide
/// enough never to bite.
fn bench_settings(group_commit: bool) -> Settings {
    Settings {
        group_commit,
        validate_limit: RateLimit::new(u32::MAX, Duration::from_millis(1)),
        ..Settings::default()
    }
}

/// The validate target over running `backends` (one database): a machine of its own,
/// each validation the next player's next code.
async fn validate_target(
    name: String,
    backends: Vec<RunningBackend>,
    workload: Workload,
) -> Target {
    let state = backends[0].state.clone();
    let app_id = state.settings.app_id;
    let players = state
        .db(move |store| {
            (1..=workload.users)
                .map(|n| {
                    let device = store
                        .devices()
                        .device(DeviceId(n))?
                        .expect("the starting database has a device per player");
                    Ok(DeviceCredentials {
                        app_id,
                        user_id: device.user_id,
                        device_id: device.id,
                        secret: device.secret.clone(),
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .await
        .unwrap();
    let machine = register_machine(&state, "m_bench", "Bench").await.unwrap();
    let urls = backends
        .iter()
        .map(|backend| {
            format!(
                "{}{}",
                backend.base_url(),
                gashapay_core::api::paths::VALIDATE
            )
        })
        .collect();
    let writer = state.plays.clone();
    for backend in backends {
        std::mem::forget(backend); // serves until the process exits
    }
    let turn = std::sync::atomic::AtomicU64::new(0);
    Target {
        name,
        urls,
        auth: machine.api_key.expose().to_owned(),
        body: Arc::new(move || {
            let next = turn.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let player = &players[(next % players.len() as u64) as usize];
            format!(
                "{{\"code\":\"{}\"}}",
                workload::code(&workload, player, next)
            )
        }),
        distinct_bodies: true,
        writer,
    }
}
