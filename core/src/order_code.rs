//! The dynamic code a buy-first machine shows for one order (PROTOCOL §10.3): which
//! machine, which order, what item, how many points, until when — signed by the
//! machine with its webhook secret, so a changed amount or another machine's order is
//! refused by the backend.

use crate::ids::{MachineId, Points};
use crate::webhook::WebhookSecret;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// Longest `order_id` and `item`, in characters.
pub const MAX_ORDER_ID_LEN: usize = 64;
pub const MAX_ITEM_LEN: usize = 64;
/// Most points one order may ask for.
pub const MAX_ORDER_POINTS: u64 = 100_000;
/// Longest an order may stay payable, from its machine's clock.
pub const MAX_ORDER_TTL_SECS: u64 = 600;

/// An order as its code carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderCode {
    pub machine_id: MachineId,
    /// Unique per machine: 1–64 characters of `A-Z a-z 0-9 _ -`.
    pub order_id: String,
    /// What the customer buys, as the machine names it (1–64 characters).
    pub item: String,
    pub amount: Points,
    /// Unix seconds after which the order cannot be paid.
    pub expires: u64,
    /// base64url (no padding) of HMAC-SHA256(machine's webhook key, `base_string`).
    pub sig: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OrderCodeError {
    #[error("the order id must be 1 to 64 characters of A-Z a-z 0-9 _ -")]
    BadOrderId,
    #[error("the item must be 1 to 64 characters without control characters")]
    BadItem,
    #[error("the amount must be 1 to 100000 points")]
    BadAmount,
    #[error("the order's signature does not match")]
    BadSignature,
    #[error("the order has expired")]
    Expired,
    #[error("the order expires too far ahead")]
    TooLong,
}

impl OrderCodeError {
    pub fn code(self) -> crate::ErrorCode {
        use crate::ErrorCode;
        match self {
            OrderCodeError::BadSignature => ErrorCode::InvalidOrderSignature,
            OrderCodeError::Expired => ErrorCode::OrderExpired,
            _ => ErrorCode::BadRequest,
        }
    }
}

impl OrderCode {
    /// A new order, signed with the machine's secret.
    pub fn signed(
        machine_id: MachineId,
        order_id: &str,
        item: &str,
        amount: Points,
        expires: u64,
        secret: &WebhookSecret,
    ) -> Self {
        let mut order = Self {
            machine_id,
            order_id: order_id.to_owned(),
            item: item.to_owned(),
            amount,
            expires,
            sig: String::new(),
        };
        order.sig = URL_SAFE_NO_PAD.encode(order.tag(secret).finalize().into_bytes());
        order
    }

    /// The text the signature covers: `GPO1`, then each field on a line of its own.
    pub fn base_string(&self) -> String {
        format!(
            "GPO1\n{}\n{}\n{}\n{}\n{}",
            self.machine_id.0, self.order_id, self.item, self.amount.0, self.expires
        )
    }

    #[allow(clippy::expect_used, reason = "HMAC takes a key of any length")]
    fn tag(&self, secret: &WebhookSecret) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(secret.expose_bytes()).expect("any key length");
        mac.update(self.base_string().as_bytes());
        mac
    }

    /// The fields' own rules (lengths, characters, amount), before any key is used.
    pub fn check_fields(&self) -> Result<(), OrderCodeError> {
        let id_ok = (1..=MAX_ORDER_ID_LEN).contains(&self.order_id.len())
            && self
                .order_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !id_ok {
            return Err(OrderCodeError::BadOrderId);
        }
        let item_chars = self.item.chars().count();
        if !(1..=MAX_ITEM_LEN).contains(&item_chars) || self.item.chars().any(char::is_control) {
            return Err(OrderCodeError::BadItem);
        }
        if !(1..=MAX_ORDER_POINTS).contains(&self.amount.0) {
            return Err(OrderCodeError::BadAmount);
        }
        Ok(())
    }

    /// Checks the fields, the signature against any of `secrets` (more than one during
    /// a rotation, compared in constant time), and the expiry against `now` (Unix
    /// seconds; `skew` of the machine's clock allowed on the far side).
    pub fn verify(
        &self,
        secrets: &[WebhookSecret],
        now: u64,
        skew: u64,
    ) -> Result<(), OrderCodeError> {
        self.check_fields()?;
        let presented = URL_SAFE_NO_PAD
            .decode(&self.sig)
            .map_err(|_| OrderCodeError::BadSignature)?;
        let mut matched = false;
        for secret in secrets {
            matched |= self.tag(secret).verify_slice(&presented).is_ok();
        }
        if !matched {
            return Err(OrderCodeError::BadSignature);
        }
        if now > self.expires {
            return Err(OrderCodeError::Expired);
        }
        if self.expires > now + MAX_ORDER_TTL_SECS + skew {
            return Err(OrderCodeError::TooLong);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_800_000_000;

    /// The key of PROTOCOL §10.3's test vector: 32 bytes 0x00, 0x01, … 0x1f.
    fn vector_secret() -> WebhookSecret {
        let key: Vec<u8> = (0u8..32).collect();
        WebhookSecret::parse(&format!(
            "whsec_{}",
            base64::engine::general_purpose::STANDARD.encode(key)
        ))
        .unwrap()
    }

    fn order() -> OrderCode {
        OrderCode::signed(
            MachineId("m_demo".into()),
            "o-1001",
            "Capsule A",
            Points(150),
            NOW + 120,
            &vector_secret(),
        )
    }

    #[test]
    fn the_protocol_test_vector_holds() {
        let order = order();
        assert_eq!(
            order.base_string(),
            "GPO1\nm_demo\no-1001\nCapsule A\n150\n1800000120"
        );
        let protocol = include_str!("../../docs/PROTOCOL.md");
        let line = format!("sig  = {}", order.sig);
        assert!(protocol.contains(&line), "PROTOCOL §10.3 lacks `{line}`");
    }

    #[test]
    fn a_signed_order_verifies_and_any_changed_field_does_not() {
        let secret = vector_secret();
        order()
            .verify(std::slice::from_ref(&secret), NOW, 30)
            .unwrap();
        let changes: [fn(&mut OrderCode); 5] = [
            |o| o.amount = Points(1),
            |o| o.item = "Capsule B".into(),
            |o| o.order_id = "o-1002".into(),
            |o| o.machine_id = MachineId("m_other".into()),
            |o| o.expires += 1,
        ];
        for change in changes {
            let mut changed = order();
            change(&mut changed);
            assert_eq!(
                changed.verify(std::slice::from_ref(&secret), NOW, 30),
                Err(OrderCodeError::BadSignature)
            );
        }
        assert_eq!(
            order().verify(&[WebhookSecret::generate()], NOW, 30),
            Err(OrderCodeError::BadSignature)
        );
        // During a rotation either key is accepted.
        order()
            .verify(&[WebhookSecret::generate(), secret], NOW, 30)
            .unwrap();
    }

    #[test]
    fn expired_far_future_and_ill_formed_orders_are_refused() {
        let secret = vector_secret();
        assert_eq!(
            order().verify(std::slice::from_ref(&secret), NOW + 121, 30),
            Err(OrderCodeError::Expired)
        );
        let far = OrderCode::signed(
            MachineId("m_demo".into()),
            "o-1",
            "Capsule A",
            Points(150),
            NOW + MAX_ORDER_TTL_SECS + 31,
            &secret,
        );
        assert_eq!(
            far.verify(std::slice::from_ref(&secret), NOW, 30),
            Err(OrderCodeError::TooLong)
        );
        let ill = |id: &str, item: &str, amount| {
            OrderCode::signed(
                MachineId("m".into()),
                id,
                item,
                Points(amount),
                NOW + 60,
                &secret,
            )
            .verify(std::slice::from_ref(&secret), NOW, 30)
        };
        assert_eq!(ill("", "A", 1), Err(OrderCodeError::BadOrderId));
        assert_eq!(ill("a b", "A", 1), Err(OrderCodeError::BadOrderId));
        assert_eq!(ill("a", "", 1), Err(OrderCodeError::BadItem));
        assert_eq!(ill("a", "line\nbreak", 1), Err(OrderCodeError::BadItem));
        assert_eq!(ill("a", &"x".repeat(65), 1), Err(OrderCodeError::BadItem));
        assert_eq!(ill("a", "A", 0), Err(OrderCodeError::BadAmount));
        assert_eq!(ill("a", "A", 100_001), Err(OrderCodeError::BadAmount));
        assert_eq!(ill("a", "カプセル", 100_000), Ok(()));
    }
}
