//! One human message, with a next step, for every error the core can return.

use crate::ErrorCode;

/// What the user can do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    Retry,
    TopUp,
    NewCode,
    CheckClock,
    SignInAgain,
    UpdateApp,
    ContactSupport,
    CheckPayment,
}

impl NextStep {
    /// The label of the button or hint that offers it.
    pub fn label(self) -> &'static str {
        match self {
            NextStep::Retry => "Try again",
            NextStep::TopUp => "Top up",
            NextStep::NewCode => "Show a new code",
            NextStep::CheckClock => "Set the phone's clock to automatic, then try again",
            NextStep::SignInAgain => "Sign in again",
            NextStep::UpdateApp => "Update the app",
            NextStep::ContactSupport => "Contact support",
            NextStep::CheckPayment => "Check the card details or use another card",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserMessage {
    pub title: String,
    pub detail: String,
    pub next_step: NextStep,
}

impl UserMessage {
    fn new(title: &str, detail: &str, next_step: NextStep) -> Self {
        Self {
            title: title.into(),
            detail: detail.into(),
            next_step,
        }
    }

    /// A username or password the server would refuse for a new account.
    pub fn for_account_rule(error: crate::accounts::AccountRuleError) -> Self {
        use crate::accounts::AccountRuleError;
        match error {
            AccountRuleError::Username => Self::new(
                "Choose another username",
                "Usernames are 3 to 32 characters: lowercase letters, digits, _ . and -.",
                NextStep::Retry,
            ),
            AccountRuleError::Password => Self::new(
                "Choose a longer password",
                "Passwords are at least 8 characters.",
                NextStep::Retry,
            ),
        }
    }

    /// A typed server address that is not one.
    pub fn for_server_address(_error: super::server::ServerAddressError) -> Self {
        Self::new(
            "That is not a server address",
            "Type the whole address, starting with https://",
            NextStep::Retry,
        )
    }

    /// No GashaPay server answered at a new address.
    pub fn server_unreachable() -> Self {
        Self::new(
            "No GashaPay server answers there",
            "Check the address and your connection. The server in use was kept.",
            NextStep::Retry,
        )
    }

    /// No connection to the server.
    pub fn offline() -> Self {
        Self::new(
            "You're offline",
            "GashaPay can't reach the server. Your QR code still works; balance and history may be out of date.",
            NextStep::Retry,
        )
    }

    /// The message for a server error code.
    pub fn for_code(code: ErrorCode) -> Self {
        use ErrorCode::*;
        use NextStep::*;
        let (title, detail, step) = match code {
            AccountBanned => (
                "Account suspended",
                "This account cannot sign in. Your points are kept.",
                ContactSupport,
            ),
            InsufficientPoints => (
                "Not enough points",
                "Your balance is lower than this play costs. Nothing was charged.",
                TopUp,
            ),
            CodeExpired => (
                "This code expired",
                "Codes last a few minutes. Nothing was charged.",
                NewCode,
            ),
            CodeFromFuture => (
                "Your phone's clock is ahead",
                "The machine refused a code dated in the future. Nothing was charged.",
                CheckClock,
            ),
            AlreadyUsed => (
                "This code was already used",
                "Each code works once. Nothing more was charged.",
                NewCode,
            ),
            InvalidSignature | UnknownDevice => (
                "This phone needs to sign in again",
                "The machine could not verify this phone's code. Nothing was charged.",
                SignInAgain,
            ),
            MalformedCode | UnknownApp => (
                "The machine could not read this code",
                "Nothing was charged.",
                NewCode,
            ),
            UnsupportedCodeVersion => (
                "This machine needs a newer app",
                "Nothing was charged.",
                UpdateApp,
            ),
            Unauthorized | TokenExpired => (
                "Please sign in again",
                "Your session has ended.",
                SignInAgain,
            ),
            InvalidCredentials => (
                "Wrong username or password",
                "Check them and try again.",
                Retry,
            ),
            PaymentDeclined => (
                "Payment declined",
                "Your card was not charged and no points were added.",
                CheckPayment,
            ),
            InvalidPaymentToken => (
                "Payment not accepted",
                "The payment details were not recognised. No points were added.",
                CheckPayment,
            ),
            IdempotencyKeyReused => (
                "This top-up was already sent",
                "It was sent before with a different amount. Start a new top-up.",
                Retry,
            ),
            RateLimited => ("Too many tries", "Wait a moment, then try again.", Retry),
            RequestTimeout => (
                "The server took too long",
                "Check your connection, then try again.",
                Retry,
            ),
            NotFound => (
                "Not found",
                "This play belongs to another account or does not exist.",
                Retry,
            ),
            AlreadyExists => (
                "This username is taken",
                "Someone already has it. Choose another one.",
                Retry,
            ),
            OutcomeConflict | Forbidden => (
                "The machine reported a problem",
                "Your points are safe; check your history.",
                ContactSupport,
            ),
            BadRequest | PayloadTooLarge | UriTooLong | HeadersTooLarge | MethodNotAllowed => (
                "Something went wrong",
                "The app sent a request the server did not understand.",
                UpdateApp,
            ),
            InvalidWebhookSignature | WebhookTimestampOutOfRange => (
                "The machine reported a problem",
                "Your points are safe; check your history.",
                ContactSupport,
            ),
            Internal | Unknown => (
                "The server had a problem",
                "Nothing was changed. Try again in a moment.",
                Retry,
            ),
        };
        Self::new(title, detail, step)
    }
}

#[cfg(feature = "client")]
impl UserMessage {
    /// The message for anything an API call can fail with. Never includes tokens:
    /// client errors carry none.
    pub fn for_client_error(error: &crate::client::ClientError) -> Self {
        use crate::client::ClientError;
        match error {
            ClientError::Network(_) => Self::offline(),
            ClientError::Timeout => Self::new(
                "The server is slow to answer",
                "Your QR code still works; balance and history may be out of date.",
                NextStep::Retry,
            ),
            ClientError::Api { code, .. } => Self::for_code(*code),
            ClientError::NotSignedIn | ClientError::Device(_) => {
                Self::for_code(ErrorCode::Unauthorized)
            }
            ClientError::Storage(_) => Self::new(
                "Secure storage is unavailable",
                "GashaPay keeps your sign-in in the system keychain, which refused access.",
                NextStep::SignInAgain,
            ),
            ClientError::InvalidResponse(_) => Self::new(
                "Unexpected answer from the server",
                "The server may be newer than this app.",
                NextStep::UpdateApp,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_server_code_has_a_message_and_a_next_step() {
        for &code in ErrorCode::ALL.iter().chain([ErrorCode::Unknown].iter()) {
            let message = UserMessage::for_code(code);
            assert!(
                !message.title.is_empty() && !message.detail.is_empty(),
                "{code}"
            );
            assert!(!message.next_step.label().is_empty());
        }
        assert_eq!(
            UserMessage::for_code(ErrorCode::InsufficientPoints).next_step,
            NextStep::TopUp
        );
        assert_eq!(
            UserMessage::for_code(ErrorCode::CodeFromFuture).next_step,
            NextStep::CheckClock
        );
    }
}
