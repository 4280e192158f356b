//! The protocols' rules, one module a protocol: what a verified request does, and
//! what it is answered, as the core's API types or a refusal with its error code.
//! The HTTP handlers extract a request, call one function here and turn its answer
//! into a response; the services know nothing of HTTP.

pub mod accounts;
pub mod machine_sessions;
pub mod orders;
pub mod plays;
pub mod rewards;
pub mod sign_ins;

use crate::store::StoreError;
use crate::writer::WriterError;
use gashapay_core::ErrorCode;

/// Why a service call gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The request is refused: the caller is told the code and the sentence.
    #[error("{message}")]
    Refused { code: ErrorCode, message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Writer(#[from] WriterError),
    #[error(transparent)]
    Admin(#[from] crate::admin::AdminError),
    /// A failure inside that no store or writer reported (a panicked task).
    #[error("{0}")]
    Internal(String),
}

impl ServiceError {
    /// A refusal with the code's standard sentence.
    pub fn refused(code: ErrorCode) -> Self {
        Self::refused_because(code, code.default_message())
    }

    /// A refusal with a sentence of its own.
    pub fn refused_because(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Refused {
            code,
            message: message.into(),
        }
    }
}

impl From<ErrorCode> for ServiceError {
    fn from(code: ErrorCode) -> Self {
        Self::refused(code)
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;
