//! The one error type of the HTTP layer: every failure becomes
//! `{ "error": code, "message": text }` with the code's HTTP status.

use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gashapay_core::api::ErrorBody;
use gashapay_core::ErrorCode;
use serde::de::DeserializeOwned;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    /// Seconds to wait before trying again (`Retry-After`), for `rate_limited`.
    pub retry_after: Option<u64>,
    /// What went wrong inside, for the log (written once, when the answer is made);
    /// never sent.
    internal: Option<String>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            retry_after: None,
            internal: None,
        }
    }

    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// The code with its standard message.
    pub fn of(code: ErrorCode) -> Self {
        Self::new(code, code.default_message())
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest, message)
    }

    /// An internal failure: its detail and causes go to the log when the answer is
    /// made, never to the client.
    pub fn internal(error: impl std::error::Error) -> Self {
        let mut detail = error.to_string();
        let mut cause = error.source();
        while let Some(inner) = cause {
            // A cause its error already names is not said twice.
            let said = inner.to_string();
            if !detail.contains(&said) {
                detail = format!("{detail}: {said}");
            }
            cause = inner.source();
        }
        Self {
            internal: Some(detail),
            ..Self::of(ErrorCode::Internal)
        }
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody::new(self.code, self.message.clone())
    }
}

impl From<ErrorCode> for ApiError {
    fn from(code: ErrorCode) -> Self {
        Self::of(code)
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(error: crate::store::StoreError) -> Self {
        match error {
            crate::store::StoreError::Duplicate(what) => {
                Self::bad_request(format!("{what} already exists"))
            }
            other => Self::internal(other),
        }
    }
}

impl From<crate::admin::AdminError> for ApiError {
    fn from(error: crate::admin::AdminError) -> Self {
        use crate::admin::AdminError;
        match error {
            AdminError::InvalidMachineId
            | AdminError::InvalidField(_)
            | AdminError::AccountRule(_) => ApiError::bad_request(error.to_string()),
            AdminError::NoSuchMachine(_)
            | AdminError::NoSuchDevice(_)
            | AdminError::NoSuchCode(_)
            | AdminError::NoSuchPartner(_)
            | AdminError::NoSuchUser(_) => ApiError::new(ErrorCode::NotFound, error.to_string()),
            AdminError::MachineExists(_)
            | AdminError::UserExists(_)
            | AdminError::PartnerExists(_) => {
                ApiError::new(ErrorCode::AlreadyExists, error.to_string())
            }
            AdminError::PasswordHash(_) => ApiError::internal(error),
            AdminError::Store(store) => store.into(),
        }
    }
}

impl From<crate::services::ServiceError> for ApiError {
    fn from(error: crate::services::ServiceError) -> Self {
        use crate::services::ServiceError;
        match error {
            ServiceError::Refused { code, message } => Self::new(code, message),
            ServiceError::Store(error) => error.into(),
            ServiceError::Writer(error) => error.into(),
            ServiceError::Admin(error) => error.into(),
            ServiceError::Internal(_) => Self::internal(error),
        }
    }
}

impl From<crate::writer::WriterError> for ApiError {
    fn from(error: crate::writer::WriterError) -> Self {
        match error {
            crate::writer::WriterError::Store(error) => error.into(),
            other => Self::internal(other),
        }
    }
}

impl ApiError {
    /// The answer, its body in `shape` (the standard one, or a partner's seed-shaped
    /// one): the one place an internal failure is logged.
    pub fn answer_as<T: serde::Serialize>(
        self,
        shape: impl FnOnce(ErrorCode, String) -> T,
    ) -> Response {
        if let Some(detail) = &self.internal {
            tracing::error!(%detail, "internal error");
        }
        let status = self.status();
        let mut response = (status, axum::Json(shape(self.code, self.message))).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.answer_as(ErrorBody::new)
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return Self::of(ErrorCode::PayloadTooLarge);
        }
        // body_text() names the offending field, never echoes the body's values.
        Self::bad_request(rejection.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self::bad_request(rejection.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        // A path that is not valid percent-encoded UTF-8, for one.
        Self::bad_request(rejection.body_text())
    }
}

impl From<BytesRejection> for ApiError {
    fn from(rejection: BytesRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return Self::of(ErrorCode::PayloadTooLarge);
        }
        Self::bad_request(rejection.body_text())
    }
}

/// `axum::Json` whose rejections are [`ApiError`]s, so bad JSON gets the same shape
/// as every other error.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(value) = axum::Json::<T>::from_request(req, state).await?;
        Ok(Self(value))
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoreError;

    #[test]
    fn an_internal_failure_keeps_its_cause_for_the_log_and_tells_the_client_nothing_of_it() {
        let engine = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT_CHECK),
            Some("CHECK constraint failed: balance >= 0".into()),
        );
        let store = StoreError::Database(std::sync::Arc::new(engine));
        // The engine's error is the store error's source, not only its words.
        let source = std::error::Error::source(&store).expect("a source");
        assert!(source.to_string().contains("CHECK constraint failed"));

        let answer = ApiError::from(store);
        assert_eq!(answer.code, ErrorCode::Internal);
        // Each cause once: the store's words name the engine's message; the engine's
        // own cause (its code) follows.
        let logged = answer.internal.clone().expect("a detail for the log");
        assert!(
            logged.starts_with("database error: CHECK constraint failed: balance >= 0: "),
            "{logged}"
        );
        assert_eq!(
            logged.matches("CHECK constraint failed").count(),
            1,
            "{logged}"
        );
        let body = answer.body();
        assert!(!body.message.contains("CHECK"), "{}", body.message);
        assert_eq!(answer.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
