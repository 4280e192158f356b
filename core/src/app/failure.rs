//! A failed call as the app's models see it: what to tell the user, and the two rules
//! that decide what happens next (does it end the session, may it be retried as is).

use super::messages::UserMessage;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallFailure {
    pub message: UserMessage,
    /// The server no longer knows this session: the app signs out.
    pub ends_session: bool,
    /// The request may not have been answered (network, time-out, busy server): the
    /// same request may be sent again.
    pub transient: bool,
}

#[cfg(feature = "client")]
impl From<&crate::client::ClientError> for CallFailure {
    fn from(error: &crate::client::ClientError) -> Self {
        use crate::client::ClientError;
        Self {
            message: UserMessage::for_client_error(error),
            ends_session: matches!(error, ClientError::NotSignedIn)
                || error.code() == Some(crate::ErrorCode::Unauthorized),
            transient: error.is_transient(),
        }
    }
}

#[cfg(all(test, feature = "client"))]
mod tests {
    use super::*;
    use crate::client::ClientError;
    use crate::ErrorCode;

    #[test]
    fn only_a_lost_session_signs_out_and_only_an_unanswered_call_is_transient() {
        let api = |status, code| ClientError::Api {
            status,
            code,
            message: String::new(),
        };
        let cases = [
            (ClientError::NotSignedIn, true, false),
            (api(401, ErrorCode::Unauthorized), true, false),
            (api(402, ErrorCode::InsufficientPoints), false, false),
            (api(503, ErrorCode::Unknown), false, true),
            (ClientError::Timeout, false, true),
            (ClientError::Network("refused".into()), false, true),
        ];
        for (error, ends_session, transient) in cases {
            let failure = CallFailure::from(&error);
            assert_eq!(
                (failure.ends_session, failure.transient),
                (ends_session, transient),
                "{error:?}"
            );
        }
    }
}
