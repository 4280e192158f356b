//! Backend settings, from flags or `GASHAPAY_*` environment variables.

use crate::budgets::RateLimit;
use clap::Parser;
use std::net::SocketAddr;
use std::time::Duration;

#[derive(Debug, Clone, Parser)]
#[command(name = "gashapay-backend", about = "GashaPay mock backend", version)]
pub struct Args {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "GASHAPAY_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// The database: a SQLite file (`:memory:` for a throwaway one), or a PostgreSQL
    /// URL (`postgres://user@host:port/database`), which several instances may share.
    #[arg(
        long,
        env = "GASHAPAY_DB",
        default_value = "gashapay.db",
        hide_env_values = true
    )]
    pub db: String,
    /// Create the demo user and demo machine (if missing) and print the machine's
    /// freshly issued credentials.
    #[arg(long, env = "GASHAPAY_SEED_DEMO")]
    pub seed_demo: bool,
    /// Refund a play whose machine reports no outcome within this many seconds.
    #[arg(long, env = "GASHAPAY_OUTCOME_TIMEOUT_SECS", default_value_t = defaults::OUTCOME_TIMEOUT_SECS)]
    pub outcome_timeout_secs: u64,
    /// How often the refund sweeper runs, in milliseconds.
    #[arg(long, env = "GASHAPAY_SWEEP_INTERVAL_MS", default_value_t = defaults::SWEEP_INTERVAL_MS)]
    pub sweep_interval_ms: u64,
    /// Allowed disagreement between a phone's clock and this server's, in seconds.
    #[arg(long, env = "GASHAPAY_CLOCK_SKEW_SECS", default_value_t = defaults::CLOCK_SKEW_SECS)]
    pub clock_skew_secs: u64,
    /// Longest time to live a code may carry, in seconds.
    #[arg(long, env = "GASHAPAY_MAX_CODE_TTL_SECS", default_value_t = defaults::MAX_CODE_TTL_SECS)]
    pub max_code_ttl_secs: u16,
    /// Lifetime of an access token, in seconds.
    #[arg(long, env = "GASHAPAY_ACCESS_TOKEN_TTL_SECS", default_value_t = defaults::ACCESS_TOKEN_TTL_SECS)]
    pub access_token_ttl_secs: u64,
    /// Commit validations in groups (one fsync for all queued), or each alone.
    #[arg(long, env = "GASHAPAY_GROUP_COMMIT", default_value_t = defaults::GROUP_COMMIT, action = clap::ArgAction::Set)]
    pub group_commit: bool,
    /// Sign-ins one client address may make at once (0: no limit)…
    #[arg(long, env = "GASHAPAY_SIGN_IN_BURST", default_value_t = defaults::SIGN_IN_BURST)]
    pub sign_in_burst: u32,
    /// …and then one more every this many milliseconds.
    #[arg(long, env = "GASHAPAY_SIGN_IN_REFILL_MS", default_value_t = defaults::SIGN_IN_REFILL_MS)]
    pub sign_in_refill_ms: u64,
    /// Validations one machine may send at once (0: no limit)…
    #[arg(long, env = "GASHAPAY_VALIDATE_BURST", default_value_t = defaults::VALIDATE_BURST)]
    pub validate_burst: u32,
    /// …and then one more every this many milliseconds.
    #[arg(long, env = "GASHAPAY_VALIDATE_REFILL_MS", default_value_t = defaults::VALIDATE_REFILL_MS)]
    pub validate_refill_ms: u64,
    /// Deadline for a request, body upload included, in seconds (status long-polls
    /// get their wait on top).
    #[arg(long, env = "GASHAPAY_REQUEST_TIMEOUT_SECS", default_value_t = defaults::REQUEST_TIMEOUT_SECS)]
    pub request_timeout_secs: u64,
    /// Seconds a connection has to complete a request's headers, from its opening
    /// and from its previous answer (the keep-alive idle timeout); then it is closed.
    #[arg(long, env = "GASHAPAY_HEADER_TIMEOUT_SECS", default_value_t = defaults::HEADER_TIMEOUT_SECS)]
    pub header_timeout_secs: u64,
    /// Most connections open at once (kept below the open-files limit, which the
    /// backend raises to its hard limit at start). When all are taken, the one idle
    /// longest is closed to make room.
    #[arg(long, env = "GASHAPAY_MAX_CONNECTIONS", default_value_t = defaults::MAX_CONNECTIONS)]
    pub max_connections: usize,
    /// Points an account made by sign-up starts with (a `top_up` entry labelled
    /// "Welcome points"; none when 0).
    #[arg(long, env = "GASHAPAY_WELCOME_POINTS", default_value_t = defaults::WELCOME_POINTS,
        value_parser = clap::value_parser!(u64).range(0..=100_000))]
    pub welcome_points: u64,
    /// End a pay-first session, refunding what is left, after this many seconds with
    /// no purchase.
    #[arg(long, env = "GASHAPAY_SESSION_IDLE_SECS", default_value_t = defaults::SESSION_IDLE_SECS)]
    pub session_idle_secs: u64,
    /// Refund a paid buy-first order whose machine reports no dispense within this
    /// many seconds.
    #[arg(long, env = "GASHAPAY_ORDER_DISPENSE_SECS", default_value_t = defaults::ORDER_DISPENSE_SECS)]
    pub order_dispense_secs: u64,
    /// The address phones reach this backend at, for the links a printed machine code
    /// carries (e.g. `https://pay.gashapay.app`). Defaults to `http://<listen>`.
    #[arg(long, env = "GASHAPAY_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// The Apple developer team of the app's signature, for the
    /// apple-app-site-association file that lets iOS open `/l/` links in the app.
    #[arg(long, env = "GASHAPAY_APPLE_TEAM_ID", default_value = defaults::APPLE_TEAM_ID)]
    pub apple_team_id: String,
    /// SHA-256 fingerprints of the app's Android signing certificate (`AA:BB:…`),
    /// comma separated, for assetlinks.json (Android verified app links).
    #[arg(
        long,
        env = "GASHAPAY_ANDROID_CERT_FINGERPRINTS",
        value_delimiter = ','
    )]
    pub android_cert_fingerprints: Vec<String>,
    /// The mock payment provider's secret key (server side only). Generated at start
    /// when not given.
    #[arg(long, env = "GASHAPAY_PAYMENT_SECRET", hide_env_values = true)]
    pub payment_secret: Option<String>,
    /// The operator key for `/api/v1/admin/…` (at least 24 characters); replaces the
    /// stored one. Without it a stored key stays, and the first start generates one
    /// and prints it once.
    #[arg(long, env = "GASHAPAY_ADMIN_KEY", hide_env_values = true)]
    pub admin_key: Option<String>,
}

/// Each setting's default, for the flags and for [`Settings::default`] alike.
pub mod defaults {
    pub const OUTCOME_TIMEOUT_SECS: u64 = 300;
    pub const SWEEP_INTERVAL_MS: u64 = 1000;
    pub const CLOCK_SKEW_SECS: u64 = 30;
    pub const MAX_CODE_TTL_SECS: u16 = 300;
    pub const ACCESS_TOKEN_TTL_SECS: u64 = 900;
    pub const REFRESH_TOKEN_TTL_SECS: u64 = 30 * 24 * 3600;
    pub const BODY_LIMIT_BYTES: usize = 16 * 1024;
    pub const GROUP_COMMIT: bool = true;
    /// A person mistyping gets ten tries at once, a guesser one every 3 s.
    pub const SIGN_IN_BURST: u32 = 10;
    pub const SIGN_IN_REFILL_MS: u64 = 3000;
    /// A machine plays at most every few seconds; 5/s leaves room for retries.
    pub const VALIDATE_BURST: u32 = 20;
    pub const VALIDATE_REFILL_MS: u64 = 200;
    pub const REQUEST_TIMEOUT_SECS: u64 = 10;
    pub const HEADER_TIMEOUT_SECS: u64 = 10;
    pub const MAX_CONNECTIONS: usize = 10_000;
    /// What a new account starts with, as the demo user does.
    pub const WELCOME_POINTS: u64 = 1000;
    /// Seed 001: the merchant waits 5 minutes for the customer, then refunds.
    pub const SESSION_IDLE_SECS: u64 = 300;
    /// Seed 001: 25 seconds for the machine to deliver after a payment.
    pub const ORDER_DISPENSE_SECS: u64 = 25;
    /// A placeholder until the app is signed by a real team.
    pub const APPLE_TEAM_ID: &str = "TEAMID";
}

/// The settings the running service needs, resolved from [`Args`].
#[derive(Debug, Clone)]
pub struct Settings {
    pub app_id: gashapay_core::AppId,
    pub outcome_timeout: Duration,
    pub sweep_interval: Duration,
    pub clock_skew_secs: u64,
    pub max_code_ttl_secs: u16,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    /// Largest request body accepted.
    pub body_limit_bytes: usize,
    /// Validations share transactions (see `group_commit`).
    pub group_commit: bool,
    /// Sign-in budget per client address; `None`: unlimited.
    pub sign_in_limit: Option<RateLimit>,
    /// Validate budget per machine; `None`: unlimited.
    pub validate_limit: Option<RateLimit>,
    /// Deadline for a request, body upload included.
    pub request_timeout: Duration,
    /// Longest a status request is held waiting for news (a longer `wait` is cut to
    /// this). The protocol's maximum; tests that probe the endpoint shorten it.
    pub long_poll_cap: Duration,
    /// Time allowed to complete a request's headers (see `serve`).
    pub header_timeout: Duration,
    /// Most connections open at once, before the descriptor limit caps it further.
    pub max_connections: usize,
    /// Points a signed-up account starts with.
    pub welcome_points: gashapay_core::Points,
    /// A pay-first session with no purchase for this long ends (§10.2).
    pub session_idle: Duration,
    /// A paid order with no dispense report for this long is refunded (§10.3).
    pub order_dispense: Duration,
    /// Where phones reach this backend, for printed codes' links; `None`: the
    /// address it listens on.
    pub public_url: Option<String>,
    /// For the files phones read before opening `/l/` links in the app.
    pub apple_team_id: String,
    pub android_cert_fingerprints: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        use defaults::*;
        Self {
            app_id: gashapay_core::AppId(1),
            outcome_timeout: Duration::from_secs(OUTCOME_TIMEOUT_SECS),
            sweep_interval: Duration::from_millis(SWEEP_INTERVAL_MS),
            clock_skew_secs: CLOCK_SKEW_SECS,
            max_code_ttl_secs: MAX_CODE_TTL_SECS,
            access_token_ttl: Duration::from_secs(ACCESS_TOKEN_TTL_SECS),
            refresh_token_ttl: Duration::from_secs(REFRESH_TOKEN_TTL_SECS),
            body_limit_bytes: BODY_LIMIT_BYTES,
            group_commit: GROUP_COMMIT,
            sign_in_limit: RateLimit::new(SIGN_IN_BURST, Duration::from_millis(SIGN_IN_REFILL_MS)),
            validate_limit: RateLimit::new(
                VALIDATE_BURST,
                Duration::from_millis(VALIDATE_REFILL_MS),
            ),
            request_timeout: Duration::from_secs(REQUEST_TIMEOUT_SECS),
            long_poll_cap: Duration::from_secs(gashapay_core::api::MAX_LONG_POLL_SECONDS),
            header_timeout: Duration::from_secs(HEADER_TIMEOUT_SECS),
            max_connections: MAX_CONNECTIONS,
            welcome_points: gashapay_core::Points(WELCOME_POINTS),
            session_idle: Duration::from_secs(SESSION_IDLE_SECS),
            order_dispense: Duration::from_secs(ORDER_DISPENSE_SECS),
            public_url: None,
            apple_team_id: APPLE_TEAM_ID.to_owned(),
            android_cert_fingerprints: Vec::new(),
        }
    }
}

impl Settings {
    /// Whether these times fit the store's memory of transaction ids: every code still
    /// valid gets a row, and a machine reports while its play is still found by id.
    pub fn check(&self) -> Result<(), String> {
        use crate::store::{CODE_FUTURE, CODE_PAST, REMEMBERED};
        let secs = |millis: i64| (millis / 1000) as u64;
        let lifetime = u64::from(self.max_code_ttl_secs) + self.clock_skew_secs;
        if lifetime > secs(CODE_PAST) {
            return Err(format!(
                "the longest code lifetime plus the clock skew ({lifetime} s) must be at most {} s",
                secs(CODE_PAST)
            ));
        }
        if self.clock_skew_secs > secs(CODE_FUTURE) {
            return Err(format!(
                "the clock skew must be at most {} s",
                secs(CODE_FUTURE)
            ));
        }
        let answer_within = self.outcome_timeout.max(self.order_dispense) + self.sweep_interval;
        if answer_within.as_secs() >= secs(REMEMBERED) {
            return Err(format!(
                "the outcome timeout and the order dispense time, plus the sweep interval, \
                 must be under {} s",
                secs(REMEMBERED)
            ));
        }
        Ok(())
    }

    pub fn from_args(args: &Args) -> Self {
        Self {
            outcome_timeout: Duration::from_secs(args.outcome_timeout_secs),
            sweep_interval: Duration::from_millis(args.sweep_interval_ms.max(10)),
            clock_skew_secs: args.clock_skew_secs,
            max_code_ttl_secs: args.max_code_ttl_secs,
            access_token_ttl: Duration::from_secs(args.access_token_ttl_secs),
            group_commit: args.group_commit,
            sign_in_limit: RateLimit::new(
                args.sign_in_burst,
                Duration::from_millis(args.sign_in_refill_ms),
            ),
            validate_limit: RateLimit::new(
                args.validate_burst,
                Duration::from_millis(args.validate_refill_ms),
            ),
            request_timeout: Duration::from_secs(args.request_timeout_secs.max(1)),
            header_timeout: Duration::from_secs(args.header_timeout_secs.max(1)),
            max_connections: args.max_connections.max(1),
            welcome_points: gashapay_core::Points(args.welcome_points),
            session_idle: Duration::from_secs(args.session_idle_secs.max(1)),
            order_dispense: Duration::from_secs(args.order_dispense_secs.max(1)),
            public_url: args
                .public_url
                .as_ref()
                .map(|url| url.trim_end_matches('/').to_owned()),
            apple_team_id: args.apple_team_id.clone(),
            android_cert_fingerprints: args.android_cert_fingerprints.clone(),
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_that_outlast_the_remembered_ids_are_refused() {
        assert_eq!(Settings::default().check(), Ok(()));
        let settings = |flags: &[&str]| {
            let args = Args::try_parse_from([&["gashapay-backend"], flags].concat()).unwrap();
            Settings::from_args(&args).check()
        };
        assert!(settings(&["--outcome-timeout-secs", "3600"]).is_err());
        assert!(settings(&["--max-code-ttl-secs", "600"]).is_err());
        assert!(settings(&["--clock-skew-secs", "120"]).is_err());
        assert_eq!(settings(&["--outcome-timeout-secs", "600"]), Ok(()));
    }

    #[test]
    fn the_flags_defaults_are_the_settings_defaults() {
        let args = Args::try_parse_from(["gashapay-backend"]).unwrap();
        assert_eq!(
            format!("{:?}", Settings::from_args(&args)),
            format!("{:?}", Settings::default())
        );
    }
}
