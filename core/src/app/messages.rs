//! One human message, with a next step, for every error the core can return, in the
//! language the app speaks (the catalogue's `title` message and its `.detail`).

use super::text::{texts, Texts};
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
    /// Nothing the user does now changes the answer (a visit already paid, a cap
    /// reached for today): no button and no hint, the message's detail says what holds.
    Nothing,
}

impl NextStep {
    fn id(self) -> &'static str {
        match self {
            NextStep::Retry => "next_retry",
            NextStep::TopUp => "next_top_up",
            NextStep::NewCode => "next_new_code",
            NextStep::CheckClock => "next_check_clock",
            NextStep::SignInAgain => "next_sign_in_again",
            NextStep::UpdateApp => "next_update_app",
            NextStep::ContactSupport => "next_contact_support",
            NextStep::CheckPayment => "next_check_payment",
            NextStep::Nothing => "",
        }
    }

    /// The label of the button or hint that offers it; none for [`NextStep::Nothing`].
    pub fn label(self) -> Option<String> {
        (self != NextStep::Nothing).then(|| texts().message(self.id(), &[]))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserMessage {
    pub title: String,
    pub detail: String,
    pub next_step: NextStep,
}

impl UserMessage {
    /// The catalogue's message `id` (title) and its `.detail`.
    fn from_catalogue(id: &str, next_step: NextStep) -> Self {
        Self::in_texts(texts(), id, next_step)
    }

    fn in_texts(t: &Texts, id: &str, next_step: NextStep) -> Self {
        Self {
            title: t.message(id, &[]),
            detail: t.detail(id),
            next_step,
        }
    }

    /// A username or password the server would refuse for a new account.
    pub fn for_account_rule(error: crate::accounts::AccountRuleError) -> Self {
        use crate::accounts::AccountRuleError;
        match error {
            AccountRuleError::Username => {
                Self::from_catalogue("account_rule_username", NextStep::Retry)
            }
            AccountRuleError::Password => {
                Self::from_catalogue("account_rule_password", NextStep::Retry)
            }
        }
    }

    /// A typed server address that is not one.
    pub fn for_server_address(_error: super::server::ServerAddressError) -> Self {
        Self::from_catalogue("server_address_invalid", NextStep::Retry)
    }

    /// No GashaPay server answered at a new address.
    pub fn server_unreachable() -> Self {
        Self::from_catalogue("server_unreachable", NextStep::Retry)
    }

    /// A scanned or opened link that is not a GashaPay code, or is damaged.
    pub fn unreadable_link() -> Self {
        Self::from_catalogue("link_unreadable", NextStep::NewCode)
    }

    /// No connection to the server.
    pub fn offline() -> Self {
        Self::from_catalogue("offline", NextStep::Retry)
    }

    /// A code could not be made on this phone (`detail` says why).
    pub fn cannot_make_code(detail: String) -> Self {
        Self {
            title: texts().cannot_make_code.clone(),
            detail,
            next_step: NextStep::SignInAgain,
        }
    }

    /// The message for a server error code.
    pub fn for_code(code: ErrorCode) -> Self {
        Self::for_code_in(texts(), code)
    }

    /// The message for a server error code in the given texts' language.
    pub fn for_code_in(t: &Texts, code: ErrorCode) -> Self {
        use ErrorCode::*;
        use NextStep::*;
        let (id, step) = match code {
            AccountBanned => ("error_account_banned", ContactSupport),
            InsufficientPoints => ("error_insufficient_points", TopUp),
            CodeExpired => ("error_code_expired", NewCode),
            CodeFromFuture => ("error_code_from_future", CheckClock),
            AlreadyUsed => ("error_already_used", NewCode),
            InvalidSignature | UnknownDevice => ("error_cannot_verify", SignInAgain),
            MalformedCode | UnknownApp => ("error_unreadable_code", NewCode),
            UnsupportedCodeVersion => ("error_needs_newer_app", UpdateApp),
            Unauthorized | TokenExpired => ("error_session_ended", SignInAgain),
            InvalidCredentials => ("error_invalid_credentials", Retry),
            PaymentDeclined => ("error_payment_declined", CheckPayment),
            InvalidPaymentToken => ("error_invalid_payment_token", CheckPayment),
            IdempotencyKeyReused => ("error_top_up_already_sent", Retry),
            RateLimited => ("error_rate_limited", Retry),
            CodeDisabled => ("error_code_disabled", ContactSupport),
            MachineBusy => ("error_machine_busy", Retry),
            // Refusals that hold whatever the user does next offer no retry.
            InsufficientCredit => ("error_insufficient_credit", Nothing),
            SessionEnded => ("error_machine_session_ended", Nothing),
            InvalidOrderSignature => ("error_invalid_order", NewCode),
            OrderExpired => ("error_order_expired", NewCode),
            RewardCodeExpired => ("error_reward_code_expired", NewCode),
            AlreadyClaimed => ("error_already_claimed", Nothing),
            RewardSessionOpen => ("error_reward_session_open", Nothing),
            NoRewardSession => ("error_no_reward_session", Nothing),
            DailyCapReached => ("error_daily_cap_reached", Nothing),
            BudgetExhausted => ("error_budget_exhausted", Nothing),
            RewardSessionEnded | RewardNotStarted | UnknownToken => {
                ("error_reward_session_closed", Nothing)
            }
            // Partner-side refusals: the app never sees them from its own calls.
            UnknownPartner | InvalidPartnerSignature | StaleRequest | ReplayedRequest => {
                ("error_machine_problem", ContactSupport)
            }
            RequestTimeout => ("error_request_timeout", Retry),
            NotFound => ("error_not_found", Retry),
            AlreadyExists => ("error_username_taken", Retry),
            OutcomeConflict | Forbidden | InvalidWebhookSignature | WebhookTimestampOutOfRange => {
                ("error_machine_problem", ContactSupport)
            }
            BadRequest | PayloadTooLarge | UriTooLong | HeadersTooLarge | MethodNotAllowed => {
                ("error_bad_request", UpdateApp)
            }
            Internal | Unknown => ("error_server_problem", Retry),
        };
        Self::in_texts(t, id, step)
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
            ClientError::Timeout => Self::from_catalogue("server_slow", NextStep::Retry),
            ClientError::Api { code, .. } => Self::for_code(*code),
            ClientError::NotSignedIn | ClientError::Device(_) => {
                Self::for_code(ErrorCode::Unauthorized)
            }
            ClientError::Storage(_) => {
                Self::from_catalogue("secure_storage_unavailable", NextStep::SignInAgain)
            }
            ClientError::InvalidResponse(_) => {
                Self::from_catalogue("unexpected_answer", NextStep::UpdateApp)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::i18n::MISSING;
    use crate::app::language::Language;

    #[test]
    fn every_server_code_has_a_message_and_a_next_step_in_every_language() {
        for &language in Language::ALL {
            let t = Texts::of(language);
            for &code in ErrorCode::ALL.iter().chain([ErrorCode::Unknown].iter()) {
                let message = UserMessage::for_code_in(t, code);
                for text in [&message.title, &message.detail] {
                    assert!(
                        !text.is_empty() && !text.contains(MISSING),
                        "{code} in {language:?}"
                    );
                }
            }
        }
        let english = Texts::of(Language::En);
        let message = UserMessage::for_code_in(english, ErrorCode::InsufficientPoints);
        assert_eq!(message.title, "Not enough points");
        assert_eq!(message.next_step, NextStep::TopUp);
        assert_eq!(
            UserMessage::for_code_in(english, ErrorCode::CodeFromFuture).next_step,
            NextStep::CheckClock
        );
        assert_eq!(
            NextStep::CheckPayment.label().as_deref(),
            Some("Check the card details or use another card")
        );
        // A refusal no retry can change offers none.
        for code in [
            ErrorCode::AlreadyClaimed,
            ErrorCode::DailyCapReached,
            ErrorCode::BudgetExhausted,
            ErrorCode::RewardSessionEnded,
            ErrorCode::SessionEnded,
        ] {
            let message = UserMessage::for_code_in(english, code);
            assert_eq!(message.next_step, NextStep::Nothing, "{code}");
            assert_eq!(message.next_step.label(), None, "{code}");
        }
    }
}
