//! Serving HTTP/1.1 on a TCP listener, with the protections a public server needs
//! that `axum::serve` does not offer:
//!
//! - a header deadline: a connection must complete a request's headers within
//!   `header_timeout` of opening, and of its previous answer (the keep-alive idle
//!   timeout), or it is closed;
//! - a cap on open connections below the process's descriptor limit; when it is
//!   reached the connection idle longest makes room (see [`connections`]);
//! - limits on the request head and the declared body size, answered in the JSON
//!   error shape before routing (see [`head_limits`]).

pub mod connections;
pub mod descriptors;
pub mod head_limits;

use axum::extract::ConnectInfo;
use axum::response::IntoResponse;
use axum::Router;
use connections::{Connections, Slot};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

/// What the connection layer enforces.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Time allowed to complete a request's headers, from the connection's opening
    /// or its previous answer.
    pub header_timeout: Duration,
    /// Largest request body; a larger declared `Content-Length` is refused at once.
    pub body_limit_bytes: usize,
}

/// Accepts and serves connections until `shutdown` is cancelled, then lets the open
/// ones finish their requests and returns when all have closed.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    connections: Arc<Connections>,
    limits: ConnectionLimits,
    shutdown: CancellationToken,
) {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.cancelled() => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                pause_after_accept_error(error).await;
                continue;
            }
        };
        let slot = tokio::select! {
            slot = connections.admit() => slot,
            _ = shutdown.cancelled() => break,
        };
        tokio::spawn(serve_connection(
            stream,
            peer,
            slot,
            router.clone(),
            http.clone(),
            limits.body_limit_bytes,
            shutdown.clone(),
        ));
    }
    drop(listener);
    connections.drained().await;
}

async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    slot: Slot,
    router: Router,
    http: http1::Builder,
    body_limit: usize,
    shutdown: CancellationToken,
) {
    let activity = slot.connection().clone();
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let in_flight = activity.request_started();
        let router = router.clone();
        async move {
            let _in_flight = in_flight;
            if let Err(refusal) = head_limits::check(&request, body_limit) {
                return Ok::<_, Infallible>(refusal.into_response());
            }
            let mut request = request;
            // The peer address keys the sign-in budget (see `rate_limit`).
            request.extensions_mut().insert(ConnectInfo(peer));
            router.oneshot(request).await
        }
    });
    let connection = http.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    let mut stopping = false;
    loop {
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(error) = result {
                    // A header deadline passed, or the client broke off: routine.
                    tracing::debug!(%peer, %error, "connection closed");
                }
                break;
            }
            _ = slot.connection().evicted() => {
                tracing::debug!(%peer, "idle connection closed to make room");
                break;
            }
            _ = shutdown.cancelled(), if !stopping => {
                stopping = true;
                connection.as_mut().graceful_shutdown();
            }
        }
    }
}

/// Errors that concern one connection only are skipped; others (out of descriptors,
/// out of memory) are logged and the loop pauses a moment instead of spinning.
async fn pause_after_accept_error(error: std::io::Error) {
    use std::io::ErrorKind::*;
    if matches!(
        error.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    ) {
        return;
    }
    tracing::error!(%error, "accept error");
    tokio::time::sleep(Duration::from_millis(100)).await;
}
