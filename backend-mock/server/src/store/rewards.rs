//! What the store keeps for rewards (PROTOCOL §12): partners, the codes they request,
//! timed sessions, and payouts. Each payout is one database transaction with its
//! ledger entry, checked there against the partner's daily budget and the player's
//! daily cap, so concurrent claims never pay more than the rules allow.

use super::{StoreResult, UnixMillis};
use gashapay_core::api::rewards::{RewardKind, RewardRole, RewardSessionStatus};
use gashapay_core::ids::{Points, UserId};
use gashapay_core::reward_request::PartnerSecret;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerRecord {
    pub app_id: String,
    pub name: String,
    pub secret: PartnerSecret,
    /// During a rotation: the previous secret and until when it is accepted.
    pub previous_secret: Option<(PartnerSecret, UnixMillis)>,
    pub daily_budget: Points,
    pub player_daily_cap: Points,
    pub revoked: bool,
}

impl PartnerRecord {
    /// The secrets a signature may be made with at `now`.
    pub fn secrets_at(&self, now: UnixMillis) -> Vec<PartnerSecret> {
        let mut secrets = vec![self.secret.clone()];
        if let Some((previous, until)) = &self.previous_secret {
            if now < *until {
                secrets.push(previous.clone());
            }
        }
        secrets
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RewardCodeRecord {
    pub quickid: u64,
    pub id: String,
    pub app_id: String,
    pub partner_name: String,
    pub kind: RewardKind,
    pub role: RewardRole,
    pub point: Points,
    pub interval_minutes: u32,
    /// A visit code's interval (Unix seconds of its first second).
    pub window_start: Option<u64>,
    /// Unix seconds after which it opens nothing.
    pub expires_at: u64,
    pub token: Option<String>,
    /// Closed before its time: a kind-3 start code ended unscanned, or its partner
    /// revoked. It opens nothing.
    pub closed: bool,
}

impl RewardCodeRecord {
    /// Whether it still opens anything at `now_secs`.
    pub fn open_at(&self, now_secs: u64) -> bool {
        !self.closed && now_secs < self.expires_at
    }
}

/// The codes one partner request makes (a kind-2 request makes a start and an end).
#[derive(Debug, Clone)]
pub struct NewRewardCodes {
    pub app_id: String,
    pub kind: RewardKind,
    pub point: Points,
    pub interval_minutes: u32,
    pub window_start: Option<u64>,
    pub expires_at: u64,
    pub token: Option<String>,
    pub request_time: u64,
    /// Each code's random id and role.
    pub codes: Vec<(String, RewardRole)>,
    pub now: UnixMillis,
}

impl NewRewardCodes {
    /// The token stored with a code of `role`: only the start code carries the kind-3
    /// token (it is unique per partner).
    pub fn token_for(&self, role: RewardRole) -> Option<&str> {
        (role != RewardRole::End)
            .then_some(self.token.as_deref())
            .flatten()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewCodesDecision {
    Created(Vec<RewardCodeRecord>),
    /// The same time and token (or the same kind-3 token) was requested before.
    Replayed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RewardSessionRecord {
    pub id: u64,
    pub app_id: String,
    pub partner_name: String,
    pub user_id: UserId,
    pub kind: RewardKind,
    pub point: Points,
    pub interval_minutes: u32,
    pub status: RewardSessionStatus,
    pub earned: Option<Points>,
    pub version: u64,
    pub started_at: UnixMillis,
    pub ended_at: Option<UnixMillis>,
}

/// The longest a timed session is paid for: a day (a player who never scans the end
/// code is not paid for the week until they come back).
const MAX_PAID_MILLIS: i64 = gashapay_core::reward_request::MAX_MINUTES as i64 * 60_000;

impl RewardSessionRecord {
    /// What the session has earned by `now` before any cap: one point per whole
    /// interval since it started, at most a day's.
    pub fn wanted_at(&self, now: UnixMillis) -> u64 {
        let interval_ms = i64::from(self.interval_minutes.max(1)) * 60_000;
        let intervals = (now - self.started_at).clamp(0, MAX_PAID_MILLIS) / interval_ms;
        (intervals as u64).saturating_mul(self.point.0)
    }
}

/// The day (UTC, since the epoch) that caps and budgets count `now` in.
pub fn reward_day(now: UnixMillis) -> u64 {
    (now.max(0) as u64 / 1000) / 86_400
}

/// What a payout may be today: the player's cap left and the partner's budget left.
#[derive(Debug, Clone, Copy)]
pub struct Room {
    pub cap_left: u64,
    pub budget_left: u64,
}

impl Room {
    /// The room left by a player's cap and a partner's budget once `to_player` and
    /// `by_partner` points were given today.
    pub fn left(cap: u64, budget: u64, to_player: u64, by_partner: u64) -> Self {
        Self {
            cap_left: cap.saturating_sub(to_player),
            budget_left: budget.saturating_sub(by_partner),
        }
    }

    /// Why a visit's `points` cannot be paid whole, if they cannot: the player's cap
    /// is checked first.
    pub fn refusal(&self, points: Points) -> Option<ClaimDecision> {
        if points.0 > self.cap_left {
            Some(ClaimDecision::DailyCapReached)
        } else if points.0 > self.budget_left {
            Some(ClaimDecision::BudgetExhausted)
        } else {
            None
        }
    }

    /// A timed session's `wanted` points cut to the room.
    pub fn cut(&self, wanted: u64) -> u64 {
        wanted.min(self.cap_left).min(self.budget_left)
    }
}

impl RewardCodeRecord {
    /// The answer to a start code before a session is started, if there is one: a
    /// kind-3 code already `started` is the same player's session or someone else's;
    /// a player with a session `open` at this partner starts no other.
    pub fn start_answer(
        &self,
        started: Option<RewardSessionRecord>,
        open: bool,
        user: UserId,
    ) -> Option<ClaimDecision> {
        if self.kind == RewardKind::TimedByPartner {
            match started {
                // The same player again: the session as it stands.
                Some(session) if session.user_id == user => {
                    return Some(ClaimDecision::Started(session))
                }
                Some(_) => return Some(ClaimDecision::TakenByOther),
                None => {}
            }
        }
        open.then_some(ClaimDecision::SessionOpen)
    }
}

#[derive(Debug, Clone)]
pub struct ClaimRequest {
    pub code_id: String,
    pub user_id: UserId,
    pub now: UnixMillis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimDecision {
    Earned {
        partner_name: String,
        points: Points,
        balance: Points,
    },
    Started(RewardSessionRecord),
    Ended {
        session: RewardSessionRecord,
        balance: Points,
    },
    UnknownCode,
    Expired,
    AlreadyClaimed,
    /// A kind-3 start code someone else scanned.
    TakenByOther,
    SessionOpen,
    NoSession,
    DailyCapReached,
    BudgetExhausted,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenEndDecision {
    Ended(RewardSessionRecord),
    UnknownToken,
    AlreadyEnded,
    /// Nobody scanned the start code; it is closed now.
    NotStarted,
}

/// Partners as the operator provisions them.
pub trait PartnerStore: Send + Sync {
    /// False if a partner with this app id exists.
    fn create(&self, partner: &PartnerRecord, now: UnixMillis) -> StoreResult<bool>;
    fn get(&self, app_id: &str) -> StoreResult<Option<PartnerRecord>>;
    /// Every partner, by app id.
    fn all(&self) -> StoreResult<Vec<PartnerRecord>>;
    /// Replaces the secret, keeping the old one until `previous_until`. False if no
    /// such partner.
    fn rotate_secret(
        &self,
        app_id: &str,
        secret: &PartnerSecret,
        previous_until: UnixMillis,
    ) -> StoreResult<bool>;
    /// False if no such partner.
    fn revoke(&self, app_id: &str) -> StoreResult<bool>;
    /// Points the partner gave on a UTC day (Unix seconds / 86400).
    fn given_on(&self, app_id: &str, day: u64) -> StoreResult<Points>;
}

/// Reward codes, claims, timed sessions and their payouts.
pub trait RewardStore: Send + Sync {
    fn create_codes(&self, request: &NewRewardCodes) -> StoreResult<NewCodesDecision>;
    fn get_code(&self, id: &str) -> StoreResult<Option<RewardCodeRecord>>;
    fn claim(&self, request: &ClaimRequest) -> StoreResult<ClaimDecision>;
    /// The partner's server ends the kind-3 session its token started.
    fn end_by_token(
        &self,
        app_id: &str,
        token: &str,
        now: UnixMillis,
    ) -> StoreResult<TokenEndDecision>;
    fn get_session(&self, id: u64) -> StoreResult<Option<RewardSessionRecord>>;
    /// The player's running timed sessions, newest first.
    fn open_sessions_of(&self, user: UserId) -> StoreResult<Vec<RewardSessionRecord>>;
}
