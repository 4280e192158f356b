//! The top-up screen: pick an amount and a (test) card, pay, see the new balance.
//! A payment whose answer was lost keeps its idempotency key, so "Try again" is the
//! same payment and can never charge twice; a refused one starts afresh.

use super::failure::CallFailure;
use super::messages::UserMessage;
use super::text::texts;
use crate::api::TopUpResponse;
use crate::Points;

/// The amounts offered.
pub const TOP_UP_AMOUNTS: [u64; 3] = [500, 1000, 3000];
/// The mock payment provider's test tokens: one pays, one is declined.
pub const TEST_TOKEN_SUCCEEDS: &str = "tok_test_success";
pub const TEST_TOKEN_DECLINED: &str = "tok_test_decline";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopUpModel {
    amount: u64,
    payment_token: String,
    busy: bool,
    result: Option<String>,
    problem: Option<UserMessage>,
    /// The key of a payment that has not been answered yet.
    pending_key: Option<String>,
}

impl Default for TopUpModel {
    fn default() -> Self {
        Self {
            amount: TOP_UP_AMOUNTS[0],
            payment_token: TEST_TOKEN_SUCCEEDS.to_owned(),
            busy: false,
            result: None,
            problem: None,
            pending_key: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TopUpEvent {
    ChooseAmount(u64),
    ChooseToken(String),
    Pay,
    Paid(TopUpResponse),
    Failed(CallFailure),
    /// Signed out: forget everything.
    Clear,
}

/// Work for the shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TopUpEffect {
    /// Charge, then send `Paid` or `Failed`.
    Charge {
        amount: Points,
        payment_token: String,
        idempotency_key: String,
    },
    /// The balance and history changed.
    RefreshAccount,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopUpView {
    /// Each amount, and whether it is the chosen one.
    pub amounts: Vec<(u64, bool)>,
    /// Each test token's value and words, and whether it is the chosen one.
    pub tokens: Vec<(&'static str, String, bool)>,
    pub busy: bool,
    pub pay_text: String,
    pub result: Option<String>,
    pub problem: Option<UserMessage>,
}

impl TopUpModel {
    pub fn update(&mut self, event: TopUpEvent) -> Vec<TopUpEffect> {
        match event {
            TopUpEvent::ChooseAmount(amount) if !self.busy && TOP_UP_AMOUNTS.contains(&amount) => {
                self.amount = amount;
                vec![]
            }
            TopUpEvent::ChooseToken(token) if !self.busy => {
                self.payment_token = token;
                vec![]
            }
            TopUpEvent::ChooseAmount(_) | TopUpEvent::ChooseToken(_) => vec![],
            TopUpEvent::Pay => {
                if self.busy {
                    return vec![];
                }
                let key = self
                    .pending_key
                    .get_or_insert_with(|| uuid::Uuid::new_v4().to_string())
                    .clone();
                self.busy = true;
                self.problem = None;
                self.result = None;
                vec![TopUpEffect::Charge {
                    amount: Points(self.amount),
                    payment_token: self.payment_token.clone(),
                    idempotency_key: key,
                }]
            }
            TopUpEvent::Paid(answer) => {
                self.busy = false;
                self.pending_key = None;
                self.result = Some(texts().top_up_done(answer.amount, answer.balance));
                vec![TopUpEffect::RefreshAccount]
            }
            TopUpEvent::Failed(failure) => {
                self.busy = false;
                if !failure.transient {
                    self.pending_key = None;
                }
                self.problem = Some(failure.message);
                vec![]
            }
            TopUpEvent::Clear => {
                *self = Self::default();
                vec![]
            }
        }
    }

    pub fn view(&self) -> TopUpView {
        let t = texts();
        TopUpView {
            amounts: TOP_UP_AMOUNTS
                .iter()
                .map(|&a| (a, a == self.amount))
                .collect(),
            tokens: [
                (TEST_TOKEN_SUCCEEDS, t.test_card_succeeds.clone()),
                (TEST_TOKEN_DECLINED, t.test_card_declined.clone()),
            ]
            .into_iter()
            .map(|(value, words)| (value, words, value == self.payment_token))
            .collect(),
            busy: self.busy,
            pay_text: match self.busy {
                true => t.paying.clone(),
                false => t.pay_and_add(Points(self.amount)),
            },
            result: self.result.clone(),
            problem: self.problem.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    fn charge_key(effects: &[TopUpEffect]) -> String {
        match effects {
            [TopUpEffect::Charge {
                idempotency_key, ..
            }] => idempotency_key.clone(),
            other => panic!("{other:?}"),
        }
    }

    fn failure(transient: bool) -> TopUpEvent {
        TopUpEvent::Failed(CallFailure {
            message: UserMessage::offline(),
            ends_session: false,
            transient,
        })
    }

    #[test]
    fn a_lost_answer_is_paid_again_with_the_same_key_and_a_refusal_with_a_new_one() {
        let mut model = TopUpModel::default();
        model.update(TopUpEvent::ChooseAmount(1000));
        let first = charge_key(&model.update(TopUpEvent::Pay));
        assert!(
            model.update(TopUpEvent::Pay).is_empty(),
            "one payment at a time"
        );
        assert_eq!(model.view().pay_text, "Paying…");
        model.update(failure(true));
        assert_eq!(model.view().problem, Some(UserMessage::offline()));
        let retry = charge_key(&model.update(TopUpEvent::Pay));
        assert_eq!(retry, first);
        model.update(TopUpEvent::Failed(CallFailure {
            message: UserMessage::for_code(ErrorCode::PaymentDeclined),
            ends_session: false,
            transient: false,
        }));
        let fresh = charge_key(&model.update(TopUpEvent::Pay));
        assert_ne!(fresh, first);
    }

    #[test]
    fn a_payment_says_what_was_added_and_refreshes_the_account() {
        let mut model = TopUpModel::default();
        assert_eq!(model.view().pay_text, "Pay and add 500 pts");
        model.update(TopUpEvent::ChooseAmount(7));
        model.update(TopUpEvent::ChooseToken(TEST_TOKEN_DECLINED.into()));
        let view = model.view();
        assert_eq!(
            view.amounts[0],
            (500, true),
            "an amount not offered is ignored"
        );
        assert_eq!(
            view.tokens[1],
            (TEST_TOKEN_DECLINED, "Test card (declined)".to_owned(), true)
        );
        model.update(TopUpEvent::Pay);
        let effects = model.update(TopUpEvent::Paid(TopUpResponse {
            top_up_id: "t1".into(),
            amount: Points(500),
            balance: Points(1500),
        }));
        assert_eq!(effects, [TopUpEffect::RefreshAccount]);
        assert_eq!(
            model.view().result.as_deref(),
            Some("Added 500 pts. New balance: 1,500 pts")
        );
    }
}
