//! The JSON bodies of rewards (PROTOCOL §12): the partner's code request and its
//! seed-shaped answer, ending a kind-3 session, the player's view of a code and of a
//! running timed session, and the operator's partner calls.

use crate::ids::Points;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The three kinds of the seed (`point_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RewardKind {
    /// 1: points once per interval for scanning the code on display.
    Visit,
    /// 2: a start code and an end code; points for each whole interval in between.
    TimedByPlayer,
    /// 3: a start code; the partner's server ends it; points for each whole interval.
    TimedByPartner,
}

impl RewardKind {
    pub fn from_point_type(point_type: u8) -> Option<Self> {
        match point_type {
            1 => Some(Self::Visit),
            2 => Some(Self::TimedByPlayer),
            3 => Some(Self::TimedByPartner),
            _ => None,
        }
    }

    pub fn point_type(self) -> u8 {
        match self {
            Self::Visit => 1,
            Self::TimedByPlayer => 2,
            Self::TimedByPartner => 3,
        }
    }
}

/// What scanning a code does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RewardRole {
    Visit,
    Start,
    End,
}

impl RewardRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Visit => "visit",
            Self::Start => "start",
            Self::End => "end",
        }
    }
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "visit" => Some(Self::Visit),
            "start" => Some(Self::Start),
            "end" => Some(Self::End),
            _ => None,
        }
    }
}

/// One code to show: its link (to put in the QR) and where to fetch its image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShownCode {
    pub quickid: u64,
    /// The link to put in the QR code.
    pub message: String,
    /// The QR code as a PNG image, served by the backend.
    pub qrcode: String,
    /// The same as SVG.
    pub qrcode_svg: String,
}

/// The answer to a code request, in the seed's shape: `code` 0 and the code's fields,
/// or `code` 1 and the failure's stable reason in `message` (and in `error`), with a
/// sentence in `detail`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RewardCodeAnswer {
    /// 0 success, 1 failure.
    pub code: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quickid: Option<u64>,
    /// The link to put in the QR (success), or the stable reason (failure).
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qrcode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qrcode_svg: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// When the code stops opening anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// Kind 2: the end code, shown where the player leaves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<ShownCode>,
    /// Failure: the stable code again, as in every other error of the API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<crate::ErrorCode>,
    /// Failure: what went wrong, in a sentence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl RewardCodeAnswer {
    pub fn failure(error: crate::ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            code: 1,
            quickid: None,
            message: error.as_str().to_owned(),
            qrcode: None,
            qrcode_svg: None,
            token: None,
            expires_at: None,
            end: None,
            error: Some(error),
            detail: Some(detail.into()),
        }
    }
}

/// The answer to ending a kind-3 session: what the player earned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RewardEndAnswer {
    /// 0 success, 1 failure (then `message` is the stable reason).
    pub code: u8,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub earned: Option<Points>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<crate::ErrorCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// What the app learns from a reward code before the player claims it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RewardCodeInfo {
    pub code_id: String,
    pub partner_name: String,
    pub kind: RewardKind,
    pub role: RewardRole,
    /// Points per visit, or per whole interval.
    pub point: Points,
    pub interval_minutes: u32,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RewardSessionStatus {
    Open,
    Ended,
}

/// A timed session as the player sees it (the home screen's timer card).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RewardSessionView {
    pub session_id: u64,
    pub partner_name: String,
    pub kind: RewardKind,
    pub point: Points,
    pub interval_minutes: u32,
    pub status: RewardSessionStatus,
    pub started_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<DateTime<Utc>>,
    /// Once ended: the points paid (the cap or the partner's budget may have cut them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub earned: Option<Points>,
    /// Grows with each change; a long-poll waits for a newer one.
    pub version: u64,
}

/// What a claim did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum RewardClaim {
    /// A visit: the points, paid now.
    Earned {
        partner_name: String,
        points: Points,
        balance: Points,
    },
    /// A start code: the session now running.
    Started { session: RewardSessionView },
    /// An end code: the session ended and what it paid.
    Ended {
        session: RewardSessionView,
        balance: Points,
    },
}

/// The operator creates a partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewPartner {
    pub app_id: String,
    pub name: String,
    /// Points the partner may give each UTC day, all players together.
    pub daily_budget: Points,
    /// Points one player may earn from this partner each UTC day.
    pub player_daily_cap: Points,
}

/// A partner as the operator sees it; `secret` only in the answers that make one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartnerView {
    pub app_id: String,
    pub name: String,
    pub daily_budget: Points,
    pub player_daily_cap: Points,
    pub revoked: bool,
    /// Points given today (UTC).
    pub given_today: Points,
    /// `prsec_…`: shown once, when created or rotated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// During a rotation: until when the previous secret is still accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_secret_valid_until: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartnerList {
    pub partners: Vec<PartnerView>,
}

/// Rotate a partner's secret, keeping the previous one for `grace_seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PartnerSecretRotation {
    #[serde(default)]
    pub grace_seconds: u64,
}
