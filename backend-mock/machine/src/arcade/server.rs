//! The reader's local API over HTTP on a loopback port: `POST /` with a
//! [`ReaderRequest`], answered `{"ok": ...}` or `{"err": {"code", "message"}}` (with the
//! code's HTTP status). Malformed JSON is a `bad_request` in the same envelope.

use super::reader::Reader;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use gashapay_core::arcade::{
    AskPaymentAnswer, ReaderAnswer, ReaderCall, ReaderErrorBody, ReaderErrorCode, ReaderRequest,
};
use std::net::SocketAddr;
use std::time::Duration;

/// How often the reader checks whether games stopped asking.
const EXPIRY_CHECK: Duration = Duration::from_millis(500);

pub fn router(reader: Reader) -> Router {
    Router::new().route("/", post(call)).with_state(reader)
}

fn answer<T: serde::Serialize>(result: Result<T, ReaderErrorBody>) -> Response {
    match result {
        Ok(value) => Json(ReaderAnswer::Ok(value)).into_response(),
        Err(body) => {
            let status = StatusCode::from_u16(body.code.http_status())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, Json(ReaderAnswer::<()>::Err(body))).into_response()
        }
    }
}

async fn call(State(reader): State<Reader>, body: Bytes) -> Response {
    let request: ReaderRequest = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(e) => {
            return answer::<()>(Err(ReaderErrorBody::new(
                ReaderErrorCode::BadRequest,
                format!("{} ({e})", ReaderErrorCode::BadRequest.default_message()),
            )))
        }
    };
    match request.v1 {
        ReaderCall::AskPayment { client_payment_id } => answer(
            reader
                .ask_payment(client_payment_id)
                .map(|payment| AskPaymentAnswer { payment }),
        ),
        ReaderCall::ReleasePayment { client_payment_id } => {
            answer(reader.release_payment(client_payment_id).await)
        }
        ReaderCall::CommitClearPayments { commit_payment_ids } => {
            answer(reader.commit_clear_payments(commit_payment_ids).await)
        }
    }
}

/// Serves the reader's API on `address` (port 0 picks one) until the task is dropped;
/// returns the address it listens on. Also stops accepting when games stop asking.
pub async fn serve(
    reader: Reader,
    address: SocketAddr,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind(address).await?;
    let bound = listener.local_addr()?;
    let expiring = reader.clone();
    let task = tokio::spawn(async move {
        let expiry = async move {
            loop {
                tokio::time::sleep(EXPIRY_CHECK).await;
                expiring.expire();
            }
        };
        let server = axum::serve(listener, router(reader));
        tokio::select! {
            _ = expiry => {}
            _ = server => {}
        }
    });
    Ok((bound, task))
}
