//! The operator's user and device endpoints: create, list, show, ban, unban, grant
//! points, list a user's devices, revoke a device.

use super::utc;
use crate::admin::{machines, users};
use crate::http::answers;
use crate::http::auth::OperatorAuth;
use crate::http::error::{ApiError, ApiJson, ApiResult};
use crate::state::AppState;
use crate::store::UserSummary;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use gashapay_core::api::admin::{
    DeviceList, DeviceView, Grant, GrantAnswer, NewUser, UserList, UserView,
};
use gashapay_core::api::{paths, ErrorBody};
use gashapay_core::ids::{DeviceId, UserId};
use utoipa_axum::{router::OpenApiRouter, routes};

fn view(user: UserSummary) -> UserView {
    UserView {
        user_id: user.id,
        username: user.username,
        banned: user.banned,
        balance: user.balance,
    }
}

fn number<T: std::str::FromStr>(
    path: Result<Path<String>, PathRejection>,
    what: &str,
) -> ApiResult<T> {
    let Path(text) = path?;
    text.parse()
        .map_err(|_| ApiError::bad_request(format!("the {what} id is not a number")))
}

fn user_id(path: Result<Path<String>, PathRejection>) -> ApiResult<UserId> {
    number::<u64>(path, "user").map(UserId)
}

/// Creates a user with optional welcome points.
#[utoipa::path(post, path = paths::ADMIN_USERS, tag = "admin", security(("operator_key" = [])),
    request_body = NewUser,
    responses(
        (status = 201, description = "Created", body = UserView),
        answers::BadRequest,
        answers::NotOperator,
        (status = 409, description = "`already_exists`: the username is taken", body = ErrorBody),
        answers::Timeout,
        answers::TooLarge,
    ))]
pub async fn create_user(
    State(state): State<AppState>,
    _operator: OperatorAuth,
    ApiJson(new): ApiJson<NewUser>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    Ok((
        StatusCode::CREATED,
        Json(view(users::create(&state, new).await?)),
    ))
}

/// Every user, by id, with their balance.
#[utoipa::path(get, path = paths::ADMIN_USERS, tag = "admin", security(("operator_key" = [])),
    responses(
        (status = 200, description = "The users", body = UserList),
        answers::NotOperator,
        answers::Timeout,
    ))]
pub async fn list_users(
    State(state): State<AppState>,
    _operator: OperatorAuth,
) -> ApiResult<Json<UserList>> {
    let users = users::list(&state).await?;
    Ok(Json(UserList {
        users: users.into_iter().map(view).collect(),
    }))
}

/// One user.
#[utoipa::path(get, path = paths::ADMIN_USER, tag = "admin", security(("operator_key" = [])),
    params(("user_id" = u64, Path, description = "The user's id")),
    responses(
        (status = 200, description = "The user", body = UserView),
        answers::BadRequest,
        answers::NotOperator,
        answers::NoSuchThing,
        answers::Timeout,
    ))]
pub async fn show_user(
    State(state): State<AppState>,
    _operator: OperatorAuth,
    id: Result<Path<String>, PathRejection>,
) -> ApiResult<Json<UserView>> {
    let id = user_id(id)?;
    Ok(Json(view(users::user(&state, id).await?)))
}

/// Bans a user: no sign-in, and every session ends at once.
#[utoipa::path(post, path = paths::ADMIN_USER_BAN, tag = "admin", security(("operator_key" = [])),
    params(("user_id" = u64, Path, description = "The user's id")),
    responses(
        (status = 204, description = "Banned"),
        answers::BadRequest,
        answers::NotOperator,
        answers::NoSuchThing,
        answers::Timeout,
    ))]
pub async fn ban_user(
    State(state): State<AppState>,
    _operator: OperatorAuth,
    id: Result<Path<String>, PathRejection>,
) -> ApiResult<StatusCode> {
    users::set_banned(&state, user_id(id)?, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lifts a ban: the user can sign in again.
#[utoipa::path(post, path = paths::ADMIN_USER_UNBAN, tag = "admin", security(("operator_key" = [])),
    params(("user_id" = u64, Path, description = "The user's id")),
    responses(
        (status = 204, description = "Unbanned"),
        answers::BadRequest,
        answers::NotOperator,
        answers::NoSuchThing,
        answers::Timeout,
    ))]
pub async fn unban_user(
    State(state): State<AppState>,
    _operator: OperatorAuth,
    id: Result<Path<String>, PathRejection>,
) -> ApiResult<StatusCode> {
    users::set_banned(&state, user_id(id)?, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Gives points, as a labelled entry in the user's history.
#[utoipa::path(post, path = paths::ADMIN_USER_GRANTS, tag = "admin", security(("operator_key" = [])),
    params(("user_id" = u64, Path, description = "The user's id")),
    request_body = Grant,
    responses(
        (status = 200, description = "Granted; the new balance", body = GrantAnswer),
        answers::BadRequest,
        answers::NotOperator,
        answers::NoSuchThing,
        answers::Timeout,
        answers::TooLarge,
    ))]
pub async fn grant(
    State(state): State<AppState>,
    _operator: OperatorAuth,
    id: Result<Path<String>, PathRejection>,
    ApiJson(grant): ApiJson<Grant>,
) -> ApiResult<Json<GrantAnswer>> {
    let id = user_id(id)?;
    let balance = users::grant(&state, id, grant.points, &grant.label).await?;
    Ok(Json(GrantAnswer { balance }))
}

/// A user's devices, by id (never their secrets).
#[utoipa::path(get, path = paths::ADMIN_USER_DEVICES, tag = "admin", security(("operator_key" = [])),
    params(("user_id" = u64, Path, description = "The user's id")),
    responses(
        (status = 200, description = "The devices", body = DeviceList),
        answers::BadRequest,
        answers::NotOperator,
        answers::NoSuchThing,
        answers::Timeout,
    ))]
pub async fn user_devices(
    State(state): State<AppState>,
    _operator: OperatorAuth,
    id: Result<Path<String>, PathRejection>,
) -> ApiResult<Json<DeviceList>> {
    let devices = users::devices(&state, user_id(id)?).await?;
    Ok(Json(DeviceList {
        devices: devices
            .into_iter()
            .map(|device| DeviceView {
                device_id: device.id,
                name: device.name,
                revoked: device.revoked,
                registered_at: utc(device.registered_at),
            })
            .collect(),
    }))
}

/// Revokes a device: its sessions end and its codes are refused from the next request
/// on.
#[utoipa::path(post, path = paths::ADMIN_DEVICE_REVOKE, tag = "admin", security(("operator_key" = [])),
    params(("device_id" = u32, Path, description = "The device's id")),
    responses(
        (status = 204, description = "Revoked"),
        answers::BadRequest,
        answers::NotOperator,
        answers::NoSuchThing,
        answers::Timeout,
    ))]
pub async fn revoke_device(
    State(state): State<AppState>,
    _operator: OperatorAuth,
    id: Result<Path<String>, PathRejection>,
) -> ApiResult<StatusCode> {
    let id = number::<u32>(id, "device").map(DeviceId)?;
    machines::revoke_device(&state, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The operator's user and device endpoints.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_user, list_users))
        .routes(routes!(show_user))
        .routes(routes!(ban_user))
        .routes(routes!(unban_user))
        .routes(routes!(grant))
        .routes(routes!(user_devices))
        .routes(routes!(revoke_device))
}
