//! A deadline for each request, body upload included, so a slow or stalled client
//! cannot hold a connection and a handler for ever. Past it the client gets
//! `408 request_timeout`. Work already handed to the database still finishes (a
//! queued play is committed and a retry of the same code gets its answer), so a
//! timeout never leaves half a write.

use crate::error::ApiError;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use gashapay_core::ErrorCode;
use std::time::Duration;

pub async fn limit(State(deadline): State<Duration>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(deadline, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::of(ErrorCode::RequestTimeout).into_response(),
    }
}
