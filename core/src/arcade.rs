//! The arcade reader's local API (`docs/PROTOCOL.md` §11): what a game in the cabinet
//! sends to the reader, and what it gets back. The shapes are the seed's (Gammon Stand's
//! coin acceptance API): `{"v1": {"ask_payment": {...}}}` in, `{"ok": ...}` out; errors
//! come in the same envelope as `{"err": {"code", "message"}}` with a stable code.

use crate::Points;
use serde::{Deserialize, Serialize};

/// A game's idempotency key for one payment: its game id and a part it chooses.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientPaymentId {
    pub game_id: String,
    pub id: String,
}

impl ClientPaymentId {
    pub fn new(game_id: impl Into<String>, id: impl Into<String>) -> Self {
        Self {
            game_id: game_id.into(),
            id: id.into(),
        }
    }
}

/// A call to the reader; version 1 is the only one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReaderRequest {
    pub v1: ReaderCall,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ReaderCall {
    /// Start (or keep) the reader accepting a coin for this id; answers the payment
    /// once one is reserved for it.
    AskPayment { client_payment_id: ClientPaymentId },
    /// The player changed their mind: the reservation is refunded.
    ReleasePayment { client_payment_id: ClientPaymentId },
    /// Players are locked in: the listed reservations are spent, every other one is
    /// refunded.
    CommitClearPayments {
        commit_payment_ids: Vec<ClientPaymentId>,
    },
}

impl ReaderRequest {
    pub fn ask_payment(id: ClientPaymentId) -> Self {
        Self {
            v1: ReaderCall::AskPayment {
                client_payment_id: id,
            },
        }
    }
    pub fn release_payment(id: ClientPaymentId) -> Self {
        Self {
            v1: ReaderCall::ReleasePayment {
                client_payment_id: id,
            },
        }
    }
    pub fn commit_clear_payments(ids: Vec<ClientPaymentId>) -> Self {
        Self {
            v1: ReaderCall::CommitClearPayments {
                commit_payment_ids: ids,
            },
        }
    }
}

/// A reserved coin: the player's code, validated and deducted at the backend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub client_payment_id: ClientPaymentId,
    /// What the player paid: the game's price on this reader.
    pub points: Points,
}

/// `ask_payment`'s answer: no coin yet, or the one reserved for the id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AskPaymentAnswer {
    pub payment: Option<Payment>,
}

/// Every answer: `{"ok": value}` or `{"err": {"code", "message"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReaderAnswer<T> {
    Ok(T),
    Err(ReaderErrorBody),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReaderErrorBody {
    pub code: ReaderErrorCode,
    pub message: String,
}

macro_rules! reader_error_codes {
    ($( $variant:ident = $code:literal, $status:literal, $message:literal; )*) => {
        /// A stable reader error code; the string form never changes once published.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum ReaderErrorCode {
            $( $variant, )*
            /// A code this version does not know (a newer reader). Never sent.
            #[serde(other)]
            Unknown,
        }

        impl ReaderErrorCode {
            /// Every code the reader may send, in documentation order.
            pub const ALL: &'static [ReaderErrorCode] = &[ $( ReaderErrorCode::$variant, )* ];

            pub fn as_str(self) -> &'static str {
                match self {
                    $( ReaderErrorCode::$variant => $code, )*
                    ReaderErrorCode::Unknown => "unknown",
                }
            }

            /// The HTTP status the reader answers this code with.
            pub fn http_status(self) -> u16 {
                match self {
                    $( ReaderErrorCode::$variant => $status, )*
                    ReaderErrorCode::Unknown => 500,
                }
            }

            pub fn default_message(self) -> &'static str {
                match self {
                    $( ReaderErrorCode::$variant => $message, )*
                    ReaderErrorCode::Unknown => "The reader reported an error this version does not know.",
                }
            }
        }
    };
}

reader_error_codes! {
    BadRequest = "bad_request", 400, "The request is not a reader call this version knows.";
    UnknownGame = "unknown_game", 404, "This reader has no price for that game.";
    NoSuchPayment = "no_such_payment", 404, "No payment was made for that client_payment_id.";
    AlreadyCommitted = "already_committed", 409, "That payment was committed; it can no longer be released.";
    PaymentReleased = "payment_released", 409, "That payment was released and refunded; it cannot be committed.";
    ReservationExpired = "reservation_expired", 409, "The backend refunded that reservation after its outcome timeout; it cannot be committed.";
    BackendUnavailable = "backend_unavailable", 503, "The reader cannot reach the backend; what it could not report stays as it was: try again.";
}

impl ReaderErrorBody {
    pub fn new(code: ReaderErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn id() -> ClientPaymentId {
        ClientPaymentId::new("my_game", "payment123")
    }

    #[test]
    fn requests_have_the_seeds_shapes() {
        let ask: ReaderRequest = serde_json::from_value(json!(
            {"v1": {"ask_payment": {"client_payment_id": {"game_id": "my_game", "id": "payment123"}}}}
        ))
        .unwrap();
        assert_eq!(ask, ReaderRequest::ask_payment(id()));
        let release: ReaderRequest = serde_json::from_value(json!(
            {"v1": {"release_payment": {"client_payment_id": {"game_id": "my_game", "id": "payment123"}}}}
        ))
        .unwrap();
        assert_eq!(release, ReaderRequest::release_payment(id()));
        let commit: ReaderRequest = serde_json::from_value(json!(
            {"v1": {"commit_clear_payments": {"commit_payment_ids": [{"game_id": "my_game", "id": "payment123"}]}}}
        ))
        .unwrap();
        assert_eq!(commit, ReaderRequest::commit_clear_payments(vec![id()]));
    }

    #[test]
    fn answers_have_the_seeds_shapes() {
        let none = ReaderAnswer::Ok(AskPaymentAnswer { payment: None });
        assert_eq!(
            serde_json::to_value(&none).unwrap(),
            json!({"ok": {"payment": null}})
        );
        let paid = ReaderAnswer::Ok(AskPaymentAnswer {
            payment: Some(Payment {
                client_payment_id: id(),
                points: Points(100),
            }),
        });
        assert_eq!(
            serde_json::to_value(&paid).unwrap(),
            json!({"ok": {"payment": {"client_payment_id": {"game_id": "my_game", "id": "payment123"}, "points": 100}}})
        );
        assert_eq!(
            serde_json::to_value(ReaderAnswer::Ok(())).unwrap(),
            json!({"ok": null})
        );
        let refused: ReaderAnswer<()> = ReaderAnswer::Err(ReaderErrorBody::new(
            ReaderErrorCode::NoSuchPayment,
            "no payment",
        ));
        assert_eq!(
            serde_json::to_value(&refused).unwrap(),
            json!({"err": {"code": "no_such_payment", "message": "no payment"}})
        );
    }

    #[test]
    fn an_unknown_call_or_an_extra_field_is_not_a_request() {
        for bad in [
            json!({"v1": {"insert_coin": {}}}),
            json!({"v2": {"ask_payment": {"client_payment_id": {"game_id": "g", "id": "1"}}}}),
            json!({"v1": {"ask_payment": {"client_payment_id": {"game_id": "g"}}}}),
            json!({"v1": {"ask_payment": {"client_payment_id": {"game_id": "g", "id": "1", "x": 1}}}}),
        ] {
            assert!(
                serde_json::from_value::<ReaderRequest>(bad.clone()).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn every_reader_code_is_documented_in_the_protocol_with_its_status() {
        let protocol = include_str!("../../docs/PROTOCOL.md");
        for &code in ReaderErrorCode::ALL {
            let row = format!("| `{}` | {} |", code.as_str(), code.http_status());
            assert!(
                protocol.contains(&row),
                "docs/PROTOCOL.md lacks the row starting {row}"
            );
        }
    }
}
