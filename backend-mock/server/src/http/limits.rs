//! What every routed request is held to, whatever its handler reads:
//!
//! - a deadline, body upload included, so a slow or stalled client cannot hold a
//!   connection and a handler for ever. Past it the client gets
//!   `408 request_timeout`. Work already handed to the database still finishes (a
//!   queued play is committed and a retry of the same code gets its answer), so a
//!   timeout never leaves half a write;
//! - the body limit: the body is read in full, up to the limit, before the handler
//!   runs, so a route that needs no body (sign-out, a GET) refuses an oversized one
//!   with `413 payload_too_large` exactly as one that parses it, and never acts on
//!   such a request.

use crate::http::error::ApiError;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use gashapay_core::ErrorCode;
use std::time::Duration;

#[derive(Debug, Clone, Copy)]
pub struct RequestLimits {
    pub deadline: Duration,
    pub body_limit_bytes: usize,
}

pub async fn enforce(
    State(limits): State<RequestLimits>,
    request: Request,
    next: Next,
) -> Response {
    let within_deadline = async {
        let (head, body) = request.into_parts();
        let bytes = match axum::body::to_bytes(body, limits.body_limit_bytes).await {
            Ok(bytes) => bytes,
            Err(_) => return ApiError::of(ErrorCode::PayloadTooLarge).into_response(),
        };
        next.run(Request::from_parts(head, Body::from(bytes))).await
    };
    match tokio::time::timeout(limits.deadline, within_deadline).await {
        Ok(response) => response,
        Err(_) => ApiError::of(ErrorCode::RequestTimeout).into_response(),
    }
}
