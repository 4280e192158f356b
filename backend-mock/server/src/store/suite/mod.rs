//! The behaviour every store engine must have, written once against the [`Store`]
//! traits. An engine runs it with [`store_suite!`], handing it a way to make a new,
//! empty store; each check is then one `#[test]` of that engine.
//!
//! The checks are about money and one-time use: what a player, a machine or a partner
//! relies on whatever database sits underneath.

pub mod accounts;
pub mod machine_pay;
pub mod plays;
pub mod rewards;

use super::{MachineKind, PlayRequest, Store, UnixMillis};
use gashapay_core::ids::{DeviceId, MachineId, Points, TransactionId, UserId};
use gashapay_core::qr::DeviceSecret;
use gashapay_core::webhook::WebhookSecret;

/// A new, empty store, and whatever must live as long as it (a temporary directory).
pub struct Fresh {
    pub store: Box<dyn Store>,
    pub keep: Box<dyn std::any::Any>,
}

/// One `#[test]` for every check of the suite, each on a store made by `$fresh`
/// (an expression of type [`Fresh`]).
macro_rules! store_suite {
    ($fresh:expr) => {
        $crate::store::suite::store_suite!(@each $fresh;
            accounts::a_taken_username_is_refused_and_the_first_account_kept,
            accounts::a_refresh_token_is_spent_once,
            accounts::a_banned_player_and_a_revoked_device_lose_their_sign_ins,
            accounts::a_machine_id_is_taken_once_and_a_revoked_machine_keeps_its_secrets,
            accounts::a_rotated_webhook_secret_is_accepted_with_the_previous_one_for_a_while,
            accounts::an_operators_changes_are_listed_newest_first,
            plays::a_code_is_charged_once_and_its_machine_is_answered_alike_when_it_asks_again,
            plays::a_play_beyond_the_balance_is_refused_and_changes_nothing,
            plays::a_batch_applies_in_order,
            plays::a_failed_dispense_refunds_once_and_a_later_contrary_report_changes_nothing,
            plays::an_event_id_answers_only_its_first_report,
            plays::the_sweep_refunds_a_stale_play_once,
            plays::a_transaction_is_its_players_and_its_machines,
            plays::one_code_sent_at_once_from_many_machines_is_charged_once,
            plays::a_top_up_key_credits_once,
            plays::history_pages_walk_newest_first,
            machine_pay::a_machine_session_refunds_what_is_left_once,
            machine_pay::a_purchase_beyond_the_session_or_after_its_end_is_refused,
            machine_pay::an_idle_session_is_ended_by_the_sweep_once,
            machine_pay::a_disabled_code_opens_nothing,
            rewards::a_visit_is_paid_once_per_window,
            rewards::a_partners_budget_is_never_exceeded_by_racing_claims,
            rewards::a_players_daily_cap_holds,
            rewards::a_timed_session_pays_its_whole_intervals_once,
        );
    };
    (@each $fresh:expr; $($concern:ident :: $check:ident),* $(,)?) => {
        $(
            #[test]
            fn $check() {
                let fresh: $crate::store::suite::Fresh = $fresh;
                $crate::store::suite::$concern::$check(&*fresh.store);
            }
        )*
    };
}
pub(crate) use store_suite;

/// The suite's "now": every time in it is measured from here.
pub const NOW: UnixMillis = 1_800_000_000_000;

/// A dispensing machine with this id (and a throwaway API key hash).
pub fn machine(store: &dyn Store, id: &str) -> MachineId {
    let id = MachineId(id.into());
    store
        .machines()
        .upsert_machine(
            &id,
            &format!("Machine {}", id.0),
            MachineKind::Dispenser,
            &[7; 32],
            &WebhookSecret::generate(),
        )
        .unwrap();
    id
}

/// A player with a device and `points` granted.
pub fn player(store: &dyn Store, name: &str, points: u64) -> (UserId, DeviceId) {
    let at = NOW - 60_000;
    let user = store.accounts().create_user(name, "-", at).unwrap();
    if points > 0 {
        store
            .ledger()
            .grant(user, Points(points), "Welcome points", at)
            .unwrap();
    }
    let secret = DeviceSecret::generate();
    let device = store
        .devices()
        .register_device(user, "phone", &secret, at)
        .unwrap();
    (user, device)
}

/// A verified code of `points` by `player`, presented at `machine` at `now`.
pub fn code(
    player: (UserId, DeviceId),
    machine: &MachineId,
    points: u64,
    now: UnixMillis,
) -> PlayRequest {
    PlayRequest {
        transaction_id: TransactionId::new_random(),
        user_id: player.0,
        device_id: player.1,
        machine_id: machine.clone(),
        points: Points(points),
        issued_at: (now / 1000) as u64 - 5,
        rejection: None,
        now,
    }
}

pub fn balance(store: &dyn Store, user: UserId) -> u64 {
    store.ledger().balance(user).unwrap().0
}
