//! The caller's address for the sign-in budget, and the answer to a request over its
//! budget (`crate::budgets`): `429 rate_limited` with a `Retry-After` header.

use crate::budgets::Refused;
use crate::http::error::ApiError;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use gashapay_core::ErrorCode;
use std::net::{IpAddr, SocketAddr};

impl From<Refused> for ApiError {
    fn from(refused: Refused) -> Self {
        ApiError::of(ErrorCode::RateLimited).with_retry_after(refused.retry_after_secs)
    }
}

/// The TCP peer's address, when the server was started with connect info (as
/// `start` does). Forwarded-for headers are deliberately ignored: anyone can write
/// them, and a limiter keyed on them is no limiter.
pub struct ClientAddress(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|info| info.0.ip()),
        ))
    }
}
