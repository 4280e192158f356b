//! A mock card payment provider. Its secret key lives only in the backend (flag or
//! environment), as a real provider's would; the app only ever sends a payment token.

use gashapay_core::{Points, Redacted};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Test tokens the mock provider knows.
pub const TOKEN_SUCCESS: &str = "tok_test_success";
pub const TOKEN_DECLINE: &str = "tok_test_decline";

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    #[error("the card was declined")]
    Declined,
    #[error("the payment token is not known to the provider")]
    InvalidToken,
}

pub trait PaymentProvider: Send + Sync {
    /// Charges `amount` to the card behind `token`, at most once per `reference`.
    /// Returns the provider's charge id.
    fn charge(&self, amount: Points, token: &str, reference: &str) -> Result<String, PaymentError>;
}

pub struct MockPaymentProvider {
    secret_key: Redacted,
}

impl MockPaymentProvider {
    pub fn new(secret_key: String) -> Self {
        Self {
            secret_key: Redacted::new(secret_key),
        }
    }
}

impl PaymentProvider for MockPaymentProvider {
    #[allow(clippy::expect_used, reason = "HMAC takes a key of any length")]
    fn charge(&self, amount: Points, token: &str, reference: &str) -> Result<String, PaymentError> {
        match token {
            TOKEN_SUCCESS => {
                // A charge id the provider could verify later: HMAC of the charge
                // under its secret key.
                let mut mac = Hmac::<Sha256>::new_from_slice(self.secret_key.expose().as_bytes())
                    .expect("HMAC accepts any key length");
                mac.update(format!("{reference}:{amount}").as_bytes());
                let tag = mac.finalize().into_bytes();
                Ok(format!("ch_{}", data_encoding::HEXLOWER.encode(&tag[..12])))
            }
            TOKEN_DECLINE => Err(PaymentError::Declined),
            _ => Err(PaymentError::InvalidToken),
        }
    }
}
