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
