//! A deadline for each request, body upload included, so a slow or stalled client
//! cannot hold a connection and a handler for ever. Past it the client gets
//! `408 request_timeout`. Work already handed to the database still finishes (a
//! queued play is committed and a retry of the same code gets its answer), so a
//! timeout never leaves half a write.
//!
//! A tower layer of its own rather than `axum::middleware::from_fn`: that one boxes
//! and clones the inner route for every request, and validate, the busiest route,
//! pays for every allocation it makes. (tower-http's `TimeoutLayer` answers with an
//! empty body, not the API's JSON error.)

use crate::error::ApiError;
use axum::response::{IntoResponse, Response};
use gashapay_core::ErrorCode;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tower::{Layer, Service};

/// Wraps every route it is applied to in a [`RequestTimeout`].
#[derive(Debug, Clone, Copy)]
pub struct RequestTimeoutLayer {
    deadline: Duration,
}

impl RequestTimeoutLayer {
    pub fn new(deadline: Duration) -> Self {
        Self { deadline }
    }
}

impl<S> Layer<S> for RequestTimeoutLayer {
    type Service = RequestTimeout<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestTimeout {
            inner,
            deadline: self.deadline,
        }
    }
}

/// Answers `request_timeout` if the inner service has not answered by the deadline.
#[derive(Debug, Clone)]
pub struct RequestTimeout<S> {
    inner: S,
    deadline: Duration,
}

impl<S, R> Service<R> for RequestTimeout<S>
where
    S: Service<R, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        ResponseFuture {
            answer: tokio::time::timeout(self.deadline, self.inner.call(request)),
        }
    }
}

pin_project_lite::pin_project! {
    /// The inner service's answer, or `request_timeout` at the deadline.
    pub struct ResponseFuture<F> {
        #[pin]
        answer: tokio::time::Timeout<F>,
    }
}

impl<F> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response, Infallible>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().answer.poll(cx) {
            Poll::Ready(Ok(answer)) => Poll::Ready(answer),
            Poll::Ready(Err(_elapsed)) => {
                Poll::Ready(Ok(ApiError::of(ErrorCode::RequestTimeout).into_response()))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}
