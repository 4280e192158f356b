//! Pay-first sessions (PROTOCOL §10.2): the app reads a printed code, loads points,
//! follows and ends its session; the machine follows its current session, reports
//! purchases and ends it.

use crate::http::answers;
use crate::http::auth::{MachineAuth, UserAuth};
use crate::http::error::{ApiError, ApiJson, ApiResult};
use crate::http::long_poll::until_news;
use crate::http::signed::read_signed_report;
use crate::state::AppState;
use crate::store::{
    MachineSessionRecord, OpenSessionDecision, OpenSessionRequest, PurchaseDecision,
    PurchaseRequest, SessionEnder,
};
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use gashapay_core::api::machine_pay::{
    MachineCodeInfo, MachineSession, PurchaseReport, PurchaseView, SessionEndReport, SessionQuery,
    SessionStatus, SessionView, StartSession, LOAD_CHOICES, MAX_SESSION_POINTS,
};
use gashapay_core::api::{paths, ErrorBody};
use gashapay_core::ids::Points;
use gashapay_core::order_code::MAX_ITEM_LEN;
use gashapay_core::ErrorCode;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

fn time(millis: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(millis).unwrap_or_default()
}

/// The session as its customer (with their balance) or its machine (without) sees it.
pub(crate) fn view(
    state: &AppState,
    record: MachineSessionRecord,
    balance: Option<Points>,
) -> SessionView {
    let idle = state.settings.session_idle.as_millis() as i64;
    SessionView {
        session_id: record.id,
        remaining: record.remaining(),
        machine_id: record.machine_id,
        machine_name: record.machine_name,
        status: record.status,
        loaded: record.loaded,
        spent: record.spent,
        purchases: record
            .purchases
            .into_iter()
            .map(|p| PurchaseView {
                item: p.item,
                points: p.points,
                at: time(p.at),
            })
            .collect(),
        ended_by: record.ended_by,
        refunded: record.refunded,
        idle_deadline: (record.status == SessionStatus::Open)
            .then(|| time(record.last_activity_at + idle)),
        version: record.version,
        balance,
    }
}

fn session_id(path: Result<Path<String>, PathRejection>) -> ApiResult<Uuid> {
    let Path(id) = path?;
    id.parse()
        .map_err(|_| ApiError::bad_request("the session id is not a UUID"))
}

/// The customer's own session, with their balance; someone else's is `not_found`.
async fn customer_view(state: &AppState, auth: UserAuth, id: Uuid) -> ApiResult<SessionView> {
    let user = auth.user_id;
    let (record, balance) = state
        .db(move |store| {
            Ok((
                store.machine_sessions().get(id)?,
                store.ledger().balance(user)?,
            ))
        })
        .await?;
    let record = record
        .filter(|r| r.user_id == user)
        .ok_or_else(|| ApiError::of(ErrorCode::NotFound))?;
    Ok(view(state, record, Some(balance)))
}

/// What a printed code opens: the machine, the amounts to load, whether it is busy.
#[utoipa::path(get, path = paths::MACHINE_CODE, tag = "account", security(("user_token" = [])),
    params(("code_id" = String, Path, description = "From the printed code's link")),
    responses(
        (status = 200, description = "The machine the code opens", body = MachineCodeInfo),
        answers::NoSession,
        (status = 404, description = "`not_found`: no such code", body = ErrorBody),
        answers::Timeout,
        (status = 410, description = "`code_disabled`: the code or its machine is switched off", body = ErrorBody),
    ))]
pub async fn machine_code(
    State(state): State<AppState>,
    _auth: UserAuth,
    code: Result<Path<String>, PathRejection>,
) -> ApiResult<Json<MachineCodeInfo>> {
    let Path(code) = code?;
    let id = code.clone();
    let record = state
        .db(move |store| store.machine_codes().get(&id))
        .await?
        .ok_or_else(|| ApiError::of(ErrorCode::NotFound))?;
    if !record.active || record.machine_revoked {
        return Err(ApiError::of(ErrorCode::CodeDisabled));
    }
    let machine = record.machine_id.clone();
    let busy = state
        .db(move |store| store.machine_sessions().current(&machine))
        .await?
        .is_some_and(|s| s.status == SessionStatus::Open);
    Ok(Json(MachineCodeInfo {
        code_id: record.id,
        machine_id: record.machine_id,
        machine_name: record.machine_name,
        load_choices: LOAD_CHOICES.iter().map(|&p| Points(p)).collect(),
        busy,
    }))
}

/// Loads points into a session on the machine a printed code names.
#[utoipa::path(post, path = paths::SESSIONS, tag = "account", security(("user_token" = [])),
    request_body = StartSession,
    responses(
        (status = 200, description = "This session was opened before by the same request: as it stands", body = SessionView),
        (status = 201, description = "Opened; the points are deducted", body = SessionView),
        answers::BadRequest,
        answers::NoSession,
        (status = 402, description = "`insufficient_points`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such code", body = ErrorBody),
        answers::Timeout,
        (status = 409, description = "`machine_busy`: another session is open on the machine", body = ErrorBody),
        (status = 410, description = "`code_disabled`", body = ErrorBody),
        answers::TooLarge,
        (status = 422, description = "`idempotency_key_reused`: this session id was used with another request", body = ErrorBody),
    ))]
pub async fn start_session(
    State(state): State<AppState>,
    auth: UserAuth,
    ApiJson(start): ApiJson<StartSession>,
) -> ApiResult<(StatusCode, Json<SessionView>)> {
    if !(1..=MAX_SESSION_POINTS).contains(&start.points.0) {
        return Err(ApiError::bad_request("points must be 1 to 100000"));
    }
    let request = OpenSessionRequest {
        session_id: start.session_id,
        user_id: auth.user_id,
        code_id: start.code_id,
        points: start.points,
        now: state.clock.now_millis(),
    };
    let decision = state
        .db(move |store| store.machine_sessions().open(&request))
        .await?;
    let (status, record) = match decision {
        OpenSessionDecision::Opened(record) => {
            state.changes.notify();
            tracing::info!(session = %record.id, machine = %record.machine_id, points = %record.loaded, "session opened");
            (StatusCode::CREATED, record)
        }
        OpenSessionDecision::Existing(record) => (StatusCode::OK, record),
        OpenSessionDecision::IdReused => {
            return Err(ApiError::new(
                ErrorCode::IdempotencyKeyReused,
                "this session id was already used with another request",
            ))
        }
        OpenSessionDecision::UnknownCode => return Err(ApiError::of(ErrorCode::NotFound)),
        OpenSessionDecision::CodeDisabled => return Err(ApiError::of(ErrorCode::CodeDisabled)),
        OpenSessionDecision::MachineBusy => return Err(ApiError::of(ErrorCode::MachineBusy)),
        OpenSessionDecision::InsufficientPoints => {
            return Err(ApiError::of(ErrorCode::InsufficientPoints))
        }
    };
    let user = auth.user_id;
    let balance = state.db(move |store| store.ledger().balance(user)).await?;
    Ok((status, Json(view(&state, record, Some(balance)))))
}

/// The customer follows their session: long-polls until its version differs from
/// `since` or it has ended.
#[utoipa::path(get, path = paths::SESSION, tag = "account", security(("user_token" = [])),
    params(("session_id" = Uuid, Path, description = "The id the app made"), SessionQuery),
    responses(
        (status = 200, description = "The session as it stands", body = SessionView),
        (status = 400, description = "`bad_request`: the id is not a UUID, or a parameter is not valid", body = ErrorBody),
        answers::NoSession,
        (status = 404, description = "`not_found`: no such session of this customer", body = ErrorBody),
        answers::Timeout,
    ))]
pub async fn session_status(
    State(state): State<AppState>,
    auth: UserAuth,
    id: Result<Path<String>, PathRejection>,
    query: Result<Query<SessionQuery>, QueryRejection>,
) -> ApiResult<Json<SessionView>> {
    let id = session_id(id)?;
    let Query(query) = query?;
    let mut since = query.since;
    let view = until_news(
        &state,
        query.wait,
        || customer_view(&state, auth, id),
        |view: &SessionView| {
            let since = *since.get_or_insert(view.version);
            view.version != since || view.status == SessionStatus::Ended
        },
    )
    .await?;
    Ok(Json(view))
}

/// The customer ends their session: what is left comes back.
#[utoipa::path(post, path = paths::SESSION_END, tag = "account", security(("user_token" = [])),
    params(("session_id" = Uuid, Path, description = "The id the app made")),
    responses(
        (status = 200, description = "Ended (now or before), with the refund", body = SessionView),
        (status = 400, description = "`bad_request`: the id is not a UUID", body = ErrorBody),
        answers::NoSession,
        (status = 404, description = "`not_found`: no such session of this customer", body = ErrorBody),
        answers::Timeout,
    ))]
pub async fn end_session(
    State(state): State<AppState>,
    auth: UserAuth,
    id: Result<Path<String>, PathRejection>,
) -> ApiResult<Json<SessionView>> {
    let id = session_id(id)?;
    let (user, now) = (auth.user_id, state.clock.now_millis());
    let ended = state
        .db(move |store| {
            store
                .machine_sessions()
                .end(id, &SessionEnder::Customer(user), now)
        })
        .await?
        .ok_or_else(|| ApiError::of(ErrorCode::NotFound))?;
    state.changes.notify();
    let balance = state.db(move |store| store.ledger().balance(user)).await?;
    Ok(Json(view(&state, ended, Some(balance))))
}

/// The machine follows its session: the open one (or its last), long-polled until its
/// version differs from `since`.
#[utoipa::path(get, path = paths::MACHINE_CURRENT_SESSION, tag = "machine", security(("machine_key" = [])),
    params(SessionQuery),
    responses(
        (status = 200, description = "The machine's open session, or its last, or none", body = MachineSession),
        answers::BadRequest,
        (status = 401, description = "`unauthorized`: no valid machine key", body = ErrorBody),
        answers::Timeout,
    ))]
pub async fn machine_session(
    State(state): State<AppState>,
    machine: MachineAuth,
    query: Result<Query<SessionQuery>, QueryRejection>,
) -> ApiResult<Json<MachineSession>> {
    let Query(query) = query?;
    let read = || {
        let (state, machine) = (state.clone(), machine.machine_id.clone());
        async move {
            let record = state
                .db(move |store| store.machine_sessions().current(&machine))
                .await?;
            Ok(MachineSession {
                session: record.map(|record| view(&state, record, None)),
            })
        }
    };
    let answer = until_news(&state, query.wait, read, |answer: &MachineSession| {
        let version = answer.session.as_ref().map(|s| s.version);
        match query.since {
            Some(since) => version.is_some_and(|v| v != since),
            None => answer
                .session
                .as_ref()
                .is_some_and(|s| s.status == SessionStatus::Open),
        }
    })
    .await?;
    Ok(Json(answer))
}

/// The machine sold an item against the session (signed as a webhook).
#[utoipa::path(post, path = paths::MACHINE_SESSION_PURCHASES, tag = "machine",
    params(
        ("session_id" = Uuid, Path, description = "The session"),
        ("webhook-id" = String, Header, description = "Unique per purchase; the idempotency key"),
        ("webhook-timestamp" = u64, Header, description = "Unix seconds; within 5 minutes of the server's clock"),
        ("webhook-signature" = String, Header, description = "`v1,<base64 HMAC-SHA256>` entries, space separated"),
    ),
    request_body = PurchaseReport,
    responses(
        (status = 200, description = "Recorded (or recorded before under this webhook-id)", body = SessionView),
        answers::BadRequest,
        (status = 401, description = "`invalid_webhook_signature` or `webhook_timestamp_out_of_range`", body = ErrorBody),
        (status = 402, description = "`insufficient_credit`: less is left than the item costs; nothing changed", body = ErrorBody),
        (status = 404, description = "`not_found`: no such session on this machine", body = ErrorBody),
        answers::Timeout,
        (status = 409, description = "`session_ended`", body = ErrorBody),
        answers::TooLarge,
        (status = 422, description = "`idempotency_key_reused`: this webhook-id was sent with another purchase", body = ErrorBody),
    ))]
pub async fn report_purchase(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<SessionView>> {
    let id = session_id(id)?;
    let (report, event_id) = read_signed_report(
        &state,
        &headers,
        body,
        "a purchase report",
        |r: &PurchaseReport| &r.machine_id,
    )
    .await?;
    let item = report.item.trim().to_owned();
    if item.is_empty() || item.chars().count() > MAX_ITEM_LEN || item.chars().any(char::is_control)
    {
        return Err(ApiError::bad_request(
            "item must be 1 to 64 characters without control characters",
        ));
    }
    if report.points.0 == 0 || report.points.0 > MAX_SESSION_POINTS {
        return Err(ApiError::bad_request("points must be 1 to 100000"));
    }
    let request = PurchaseRequest {
        machine_id: report.machine_id,
        session_id: id,
        event_id,
        item,
        points: report.points,
        now: state.clock.now_millis(),
    };
    match state.db(move |store| store.machine_sessions().purchase(&request)).await? {
        PurchaseDecision::Recorded(record) => {
            state.changes.notify();
            Ok(Json(view(&state, record, None)))
        }
        PurchaseDecision::EventIdReused => Err(ApiError::new(
            ErrorCode::IdempotencyKeyReused,
            "this webhook-id was already sent with another purchase; send each under an id of its own",
        )),
        PurchaseDecision::NotFound => Err(ApiError::of(ErrorCode::NotFound)),
        PurchaseDecision::Ended => Err(ApiError::of(ErrorCode::SessionEnded)),
        PurchaseDecision::InsufficientCredit => Err(ApiError::of(ErrorCode::InsufficientCredit)),
    }
}

/// The machine ends the session (signed as a webhook): what is left goes back.
#[utoipa::path(post, path = paths::MACHINE_SESSION_END, tag = "machine",
    params(
        ("session_id" = Uuid, Path, description = "The session"),
        ("webhook-id" = String, Header, description = "Unique per event"),
        ("webhook-timestamp" = u64, Header, description = "Unix seconds; within 5 minutes of the server's clock"),
        ("webhook-signature" = String, Header, description = "`v1,<base64 HMAC-SHA256>` entries, space separated"),
    ),
    request_body = SessionEndReport,
    responses(
        (status = 200, description = "Ended (now or before), with the refund", body = SessionView),
        answers::BadRequest,
        (status = 401, description = "`invalid_webhook_signature` or `webhook_timestamp_out_of_range`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such session on this machine", body = ErrorBody),
        answers::Timeout,
        answers::TooLarge,
    ))]
pub async fn machine_end_session(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<SessionView>> {
    let id = session_id(id)?;
    let (report, _event) = read_signed_report(
        &state,
        &headers,
        body,
        "a session end report",
        |r: &SessionEndReport| &r.machine_id,
    )
    .await?;
    let now = state.clock.now_millis();
    let ender = SessionEnder::Machine(report.machine_id);
    let ended = state
        .db(move |store| store.machine_sessions().end(id, &ender, now))
        .await?
        .ok_or_else(|| ApiError::of(ErrorCode::NotFound))?;
    state.changes.notify();
    Ok(Json(view(&state, ended, None)))
}

/// Pay-first machine sessions: the app's and the machine's endpoints.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(machine_code))
        .routes(routes!(start_session))
        .routes(routes!(end_session))
        .routes(routes!(report_purchase))
        .routes(routes!(machine_end_session))
}

/// The status endpoints, which may wait for news (the long-poll limits).
pub fn long_polls() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(session_status))
        .routes(routes!(machine_session))
}
