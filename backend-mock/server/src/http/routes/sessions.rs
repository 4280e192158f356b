//! Pay-first sessions (PROTOCOL §10.2): the app reads a printed code, loads points,
//! follows and ends its session; the machine follows its current session, reports
//! purchases and ends it. The rules are `services::machine_sessions`.

use crate::http::answers;
use crate::http::auth::{MachineAuth, UserAuth};
use crate::http::error::{ApiError, ApiJson, ApiResult};
use crate::http::long_poll::until_news;
use crate::http::signed::read_signed_report;
use crate::services::machine_sessions;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use gashapay_core::api::machine_pay::{
    MachineCodeInfo, MachineSession, PurchaseReport, SessionEndReport, SessionQuery, SessionStatus,
    SessionView, StartSession,
};
use gashapay_core::api::{paths, ErrorBody};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

fn session_id(path: Result<Path<String>, PathRejection>) -> ApiResult<Uuid> {
    let Path(id) = path?;
    id.parse()
        .map_err(|_| ApiError::bad_request("the session id is not a UUID"))
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
    Ok(Json(machine_sessions::machine_code(&state, code).await?))
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
    let started = machine_sessions::start(&state, auth.user_id, start).await?;
    let status = match started.new {
        true => StatusCode::CREATED,
        false => StatusCode::OK,
    };
    Ok((status, Json(started.session)))
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
        || async {
            let view = machine_sessions::customer_session(&state, auth.user_id, id).await?;
            Ok(view)
        },
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
    let view = machine_sessions::end_by_customer(&state, auth.user_id, id).await?;
    Ok(Json(view))
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
        async move { Ok(machine_sessions::machine_session(&state, machine).await?) }
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
    let view = machine_sessions::purchase(&state, id, report, event_id).await?;
    Ok(Json(view))
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
    let view = machine_sessions::end_by_machine(&state, report.machine_id, id).await?;
    Ok(Json(view))
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
