//! Rewards (PROTOCOL §12): a partner requests codes and ends kind-3 sessions, each
//! request signed with one of its secrets; a player reads a code, claims it, and
//! follows a timed session. The payouts' limits (the partner's daily budget, the
//! player's daily cap) are the store's, inside the claim's transaction.

use super::{ServiceError, ServiceResult};
use crate::state::AppState;
use crate::store::{
    ClaimDecision, ClaimRequest, NewCodesDecision, NewRewardCodes, PartnerRecord, RewardCodeRecord,
    RewardSessionRecord, TokenEndDecision,
};
use gashapay_core::api::paths;
use gashapay_core::api::rewards::{
    RewardClaim, RewardCodeAnswer, RewardCodeInfo, RewardEndAnswer, RewardKind, RewardRole,
    RewardSessionView, ShownCode,
};
use gashapay_core::ids::{Points, UserId};
use gashapay_core::links::{AppLink, REWARD_CODE_PREFIX};
use gashapay_core::reward_request::{
    RewardCodeRequest, RewardEndRequest, MAX_APP_ID_LEN, MAX_MINUTES, MAX_REWARD_POINTS,
    MAX_TOKEN_LEN, TIME_TOLERANCE_SECONDS,
};
use gashapay_core::ErrorCode;

fn time(millis: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(millis).unwrap_or_default()
}

fn seconds(secs: u64) -> chrono::DateTime<chrono::Utc> {
    time((secs as i64).saturating_mul(1000))
}

/// The partner (not revoked) and whether `signature` over `base` is made with one of
/// its secrets, the request's `time` inside the clock window.
async fn check_partner(
    state: &AppState,
    appid: &str,
    request_time: u64,
    base: &str,
    signature: &str,
) -> ServiceResult<PartnerRecord> {
    if appid.is_empty() || appid.len() > MAX_APP_ID_LEN {
        return Err(ServiceError::refused(ErrorCode::UnknownPartner));
    }
    let id = appid.to_owned();
    let partner = state
        .db(move |store| store.partners().get(&id))
        .await?
        .filter(|p| !p.revoked)
        .ok_or_else(|| ServiceError::refused(ErrorCode::UnknownPartner))?;
    let now = state.clock.now_millis();
    if !partner
        .secrets_at(now)
        .iter()
        .any(|secret| secret.verifies(base, signature))
    {
        return Err(ServiceError::refused(ErrorCode::InvalidPartnerSignature));
    }
    let now_secs = now.max(0) as u64 / 1000;
    if now_secs.abs_diff(request_time) > TIME_TOLERANCE_SECONDS {
        return Err(ServiceError::refused(ErrorCode::StaleRequest));
    }
    Ok(partner)
}

fn shown(code: &RewardCodeRecord, base: &str) -> ShownCode {
    let api = |path: &str| format!("{base}{}", path.replace("{code_id}", &code.id));
    ShownCode {
        quickid: code.quickid,
        message: AppLink::Reward {
            code_id: code.id.clone(),
        }
        .https_link(base),
        qrcode: api(paths::REWARD_CODE_PNG),
        qrcode_svg: api(paths::REWARD_CODE_SVG),
    }
}

/// The fields' own rules, before the signature is checked.
fn check_fields(request: &RewardCodeRequest) -> ServiceResult<RewardKind> {
    let bad = |why: &str| ServiceError::refused_because(ErrorCode::BadRequest, why);
    let kind = RewardKind::from_point_type(request.point_type)
        .ok_or_else(|| bad("point_type must be 1, 2 or 3"))?;
    if !(1..=MAX_REWARD_POINTS).contains(&request.point) {
        return Err(bad("point must be 1 to 10000"));
    }
    if !(1..=MAX_MINUTES).contains(&request.interval_time) {
        return Err(bad("interval_time must be 1 to 1440 minutes"));
    }
    if request
        .failure_time
        .is_some_and(|m| !(1..=MAX_MINUTES).contains(&m))
    {
        return Err(bad("failure_time must be 1 to 1440 minutes"));
    }
    let token_ok =
        |t: &str| (1..=MAX_TOKEN_LEN).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_graphic());
    match (&request.token, kind) {
        (None, RewardKind::TimedByPartner) => return Err(bad("point_type 3 needs a token")),
        (Some(token), _) if !token_ok(token) => {
            return Err(bad("token must be 1 to 128 printable ASCII characters"))
        }
        _ => {}
    }
    Ok(kind)
}

/// A partner's request for reward codes (the seed's "request a reward QR"): its
/// fields, its signature, then the codes, linked from `base`.
pub async fn request_codes(
    state: &AppState,
    request: RewardCodeRequest,
    base: &str,
) -> ServiceResult<RewardCodeAnswer> {
    let kind = check_fields(&request)?;
    let partner = check_partner(
        state,
        &request.appid,
        request.time,
        &request.base_string(),
        &request.signature,
    )
    .await?;
    let now = state.clock.now_millis();
    let now_secs = now.max(0) as u64 / 1000;
    let interval_secs = u64::from(request.interval_time) * 60;
    let validity = request.failure_time.map(|m| u64::from(m) * 60);
    // A visit code belongs to the interval it was made in and dies with it.
    let (window_start, expires_at) = match kind {
        RewardKind::Visit => {
            let start = now_secs - now_secs % interval_secs;
            let end = start + interval_secs;
            (Some(start), validity.map_or(end, |v| end.min(now_secs + v)))
        }
        _ => (
            None,
            now_secs + validity.unwrap_or(u64::from(MAX_MINUTES) * 60),
        ),
    };
    let new_id = || crate::admin::machine_codes::new_code_id(REWARD_CODE_PREFIX);
    let codes = match kind {
        RewardKind::Visit => vec![(new_id(), RewardRole::Visit)],
        RewardKind::TimedByPlayer => {
            vec![(new_id(), RewardRole::Start), (new_id(), RewardRole::End)]
        }
        RewardKind::TimedByPartner => vec![(new_id(), RewardRole::Start)],
    };
    let new = NewRewardCodes {
        app_id: partner.app_id.clone(),
        kind,
        point: Points(request.point),
        interval_minutes: request.interval_time,
        window_start,
        expires_at,
        token: request.token.clone(),
        request_time: request.time,
        codes,
        now,
    };
    let decision = state
        .db(move |store| store.rewards().create_codes(&new))
        .await?;
    let NewCodesDecision::Created(created) = decision else {
        return Err(ServiceError::refused(ErrorCode::ReplayedRequest));
    };
    let first = shown(&created[0], base);
    tracing::info!(partner = %partner.app_id, quickid = first.quickid, kind = ?kind, "reward code made");
    Ok(RewardCodeAnswer {
        code: 0,
        quickid: Some(first.quickid),
        message: first.message,
        qrcode: Some(first.qrcode),
        qrcode_svg: Some(first.qrcode_svg),
        token: request.token,
        expires_at: Some(seconds(expires_at)),
        end: created.get(1).map(|end| shown(end, base)),
        error: None,
        detail: None,
    })
}

/// The partner's server ends the kind-3 session its token started (signed).
pub async fn end_by_partner(
    state: &AppState,
    request: RewardEndRequest,
) -> ServiceResult<RewardEndAnswer> {
    if request.token.is_empty() || request.token.len() > MAX_TOKEN_LEN {
        return Err(ServiceError::refused(ErrorCode::UnknownToken));
    }
    let partner = check_partner(
        state,
        &request.appid,
        request.time,
        &request.base_string(),
        &request.signature,
    )
    .await?;
    let now = state.clock.now_millis();
    let (app_id, token) = (partner.app_id, request.token);
    let decision = state
        .db(move |store| store.rewards().end_by_token(&app_id, &token, now))
        .await?;
    match decision {
        TokenEndDecision::Ended(session) => {
            state.changes.notify();
            let minutes = session
                .ended_at
                .map_or(0, |end| ((end - session.started_at).max(0) / 60_000) as u64);
            Ok(RewardEndAnswer {
                code: 0,
                message: "ended".to_owned(),
                earned: session.earned,
                minutes: Some(minutes),
                error: None,
                detail: None,
            })
        }
        TokenEndDecision::UnknownToken => Err(ServiceError::refused(ErrorCode::UnknownToken)),
        TokenEndDecision::AlreadyEnded => Err(ServiceError::refused(ErrorCode::RewardSessionEnded)),
        TokenEndDecision::NotStarted => Err(ServiceError::refused(ErrorCode::RewardNotStarted)),
    }
}

fn now_secs(state: &AppState) -> u64 {
    state.clock.now_millis().max(0) as u64 / 1000
}

/// The code; one never made is `not_found`, one that opens nothing any more
/// `reward_code_expired`.
async fn live_code(state: &AppState, code_id: String) -> ServiceResult<RewardCodeRecord> {
    let code = state
        .db(move |store| store.rewards().get_code(&code_id))
        .await?
        .ok_or_else(|| {
            ServiceError::refused_because(ErrorCode::NotFound, "No such reward code.")
        })?;
    if !code.open_at(now_secs(state)) {
        return Err(ServiceError::refused(ErrorCode::RewardCodeExpired));
    }
    Ok(code)
}

pub fn session_view(record: RewardSessionRecord) -> RewardSessionView {
    RewardSessionView {
        session_id: record.id,
        partner_name: record.partner_name,
        kind: record.kind,
        point: record.point,
        interval_minutes: record.interval_minutes,
        status: record.status,
        started_at: time(record.started_at),
        ended_at: record.ended_at.map(time),
        earned: record.earned,
        version: record.version,
    }
}

/// What a reward code gives, before the player claims it.
pub async fn code_info(state: &AppState, code_id: String) -> ServiceResult<RewardCodeInfo> {
    let code = live_code(state, code_id).await?;
    Ok(RewardCodeInfo {
        code_id: code.id,
        partner_name: code.partner_name,
        kind: code.kind,
        role: code.role,
        point: code.point,
        interval_minutes: code.interval_minutes,
        expires_at: seconds(code.expires_at),
    })
}

/// The link a live code's QR image shows, made from `base`.
pub async fn code_link(state: &AppState, code_id: String, base: &str) -> ServiceResult<String> {
    let code = live_code(state, code_id).await?;
    Ok(shown(&code, base).message)
}

/// The player claims a code: a visit pays now, a start code starts the clock, an end
/// code stops it and pays.
pub async fn claim(state: &AppState, user: UserId, code_id: String) -> ServiceResult<RewardClaim> {
    let request = ClaimRequest {
        code_id,
        user_id: user,
        now: state.clock.now_millis(),
    };
    let decision = state
        .db(move |store| store.rewards().claim(&request))
        .await?;
    let refused = |code| Err(ServiceError::refused(code));
    let claim = match decision {
        ClaimDecision::Earned {
            partner_name,
            points,
            balance,
        } => RewardClaim::Earned {
            partner_name,
            points,
            balance,
        },
        ClaimDecision::Started(session) => RewardClaim::Started {
            session: session_view(session),
        },
        ClaimDecision::Ended { session, balance } => RewardClaim::Ended {
            session: session_view(session),
            balance,
        },
        ClaimDecision::UnknownCode => return refused(ErrorCode::NotFound),
        ClaimDecision::Expired => return refused(ErrorCode::RewardCodeExpired),
        ClaimDecision::AlreadyClaimed => return refused(ErrorCode::AlreadyClaimed),
        ClaimDecision::TakenByOther => return refused(ErrorCode::AlreadyUsed),
        ClaimDecision::SessionOpen => return refused(ErrorCode::RewardSessionOpen),
        ClaimDecision::NoSession => return refused(ErrorCode::NoRewardSession),
        ClaimDecision::DailyCapReached => return refused(ErrorCode::DailyCapReached),
        ClaimDecision::BudgetExhausted => return refused(ErrorCode::BudgetExhausted),
    };
    state.changes.notify();
    Ok(claim)
}

/// One of the player's timed sessions; another's is `not_found`.
pub async fn session(state: &AppState, user: UserId, id: u64) -> ServiceResult<RewardSessionView> {
    state
        .db(move |store| store.rewards().get_session(id))
        .await?
        .filter(|session| session.user_id == user)
        .map(session_view)
        .ok_or_else(|| ServiceError::refused(ErrorCode::NotFound))
}
