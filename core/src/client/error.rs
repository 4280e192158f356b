use crate::device::DeviceError;
use crate::secrets::SecretStoreError;
use crate::ErrorCode;

/// Everything a client call can fail with. Messages never contain tokens or secrets:
/// server messages carry none, and transport errors are stripped of their URL.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot reach the server: {0}")]
    Network(String),
    #[error("the server did not answer in time")]
    Timeout,
    #[error("{message}")]
    Api {
        status: u16,
        code: ErrorCode,
        message: String,
    },
    #[error("not signed in")]
    NotSignedIn,
    #[error("unexpected response from the server: {0}")]
    InvalidResponse(String),
    #[error(transparent)]
    Device(#[from] DeviceError),
    #[error(transparent)]
    Storage(#[from] SecretStoreError),
}

impl ClientError {
    /// The server's error code, when the server answered with one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ClientError::Api { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// Worth trying again later without changing anything: the network, a timeout,
    /// the server being briefly unwell, or asking us to slow down.
    pub fn is_transient(&self) -> bool {
        match self {
            ClientError::Network(_) | ClientError::Timeout => true,
            ClientError::Api { status, .. } => crate::retry::is_transient_status(*status),
            _ => false,
        }
    }

    pub(crate) fn from_transport(error: reqwest::Error) -> Self {
        if error.is_timeout() {
            ClientError::Timeout
        } else {
            ClientError::Network(error.without_url().to_string())
        }
    }
}
