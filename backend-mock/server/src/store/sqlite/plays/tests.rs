use crate::admin::create_player;
use crate::store::sqlite::SqliteStore;
use crate::store::{PlayDecision, PlayRequest, Store};
use gashapay_core::ids::{DeviceId, MachineId, Points, TransactionId, UserId};
use gashapay_core::webhook::WebhookSecret;
use gashapay_core::ErrorCode;
use proptest::prelude::*;
use std::collections::HashMap;

const USERS: usize = 3;
const MACHINES: [&str; 2] = ["m_a", "m_b"];

/// A play drawn from small pools, so codes repeat, machines differ and balances
/// run out.
#[derive(Debug, Clone)]
struct Draw {
    code: usize,
    user: usize,
    machine: usize,
    points: u64,
    expired: bool,
}

fn draw() -> impl Strategy<Value = Draw> {
    (
        0..10usize,
        0..USERS,
        0..MACHINES.len(),
        1..40u64,
        prop::bool::weighted(0.1),
    )
        .prop_map(|(code, user, machine, points, expired)| Draw {
            code,
            user,
            machine,
            points,
            expired,
        })
}

/// A fresh store with the pool's users (each with one device) and machines.
fn fresh_store(balances: &[u64]) -> (SqliteStore, Vec<(UserId, DeviceId)>) {
    let store = SqliteStore::open(":memory:").unwrap();
    for machine in MACHINES {
        let id = MachineId(machine.into());
        store
            .machines()
            .upsert_machine(
                &id,
                machine,
                gashapay_core::api::MachineKind::Dispenser,
                &[7; 32],
                &WebhookSecret::generate(),
            )
            .unwrap();
    }
    let people = balances
        .iter()
        .enumerate()
        .map(|(n, &balance)| {
            let (user, device, _) =
                create_player(&store, &format!("user{n}"), Points(balance), 1).unwrap();
            (user, device)
        })
        .collect();
    (store, people)
}

fn requests(
    draws: &[Draw],
    codes: &[TransactionId],
    people: &[(UserId, DeviceId)],
) -> Vec<PlayRequest> {
    draws
        .iter()
        .map(|d| PlayRequest {
            transaction_id: codes[d.code],
            user_id: people[d.user].0,
            device_id: people[d.user].1,
            machine_id: MachineId(MACHINES[d.machine].into()),
            points: Points(d.points),
            issued_at: 1,
            rejection: d.expired.then_some(ErrorCode::CodeExpired),
            now: 2,
        })
        .collect()
}

/// What the plays must get, one at a time, written out plainly.
fn expected(draws: &[Draw], balances: &[u64]) -> (Vec<PlayDecision>, Vec<u64>) {
    let mut balances = balances.to_vec();
    let mut seen: HashMap<usize, (&Draw, PlayDecision)> = HashMap::new();
    let decisions = draws
        .iter()
        .map(|d| {
            if let Some((first, decision)) = seen.get(&d.code) {
                let again =
                    (first.machine, first.user, first.points) == (d.machine, d.user, d.points);
                return if again {
                    *decision
                } else {
                    PlayDecision::AlreadyUsed
                };
            }
            let decision = if d.expired {
                PlayDecision::Rejected(ErrorCode::CodeExpired)
            } else if balances[d.user] >= d.points {
                balances[d.user] -= d.points;
                PlayDecision::Accepted
            } else {
                PlayDecision::Rejected(ErrorCode::InsufficientPoints)
            };
            seen.insert(d.code, (d, decision));
            decision
        })
        .collect();
    (decisions, balances)
}

/// Every form of the statements that write a play's rows, chunk sizes included,
/// runs without a temporary table (see the schema's version 4).
#[test]
fn the_play_statements_build_no_temporary_table() {
    let (store, _) = fresh_store(&[]);
    let plays = super::statements(super::PLAY_HEAD, super::PLAY_ROW);
    let debits = super::statements(super::DEBIT_HEAD, super::DEBIT_ROW);
    for sql in plays.iter().chain(&debits) {
        crate::store::sqlite::tests::assert_writes_without_temporary_table(&store, sql);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// However the writer happens to cut the queue into batches, every play gets
    /// the answer it would get alone, in order, and the money adds up.
    #[test]
    fn a_batch_decides_each_play_as_if_it_came_alone(
        draws in prop::collection::vec(draw(), 1..60),
        balances in prop::collection::vec(0..120u64, USERS),
        cuts in prop::collection::vec(1..70usize, 1..8),
    ) {
        let codes: Vec<TransactionId> =
            (0..10).map(|_| TransactionId::new_random()).collect();
        let (want, want_balances) = expected(&draws, &balances);

        let (store, people) = fresh_store(&balances);
        let plays = requests(&draws, &codes, &people);
        let mut got = Vec::new();
        let mut rest = plays.as_slice();
        for cut in cuts.iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let (batch, later) = rest.split_at((*cut).min(rest.len()));
            got.extend(store.plays().play_batch(batch).unwrap());
            rest = later;
        }
        prop_assert_eq!(&got, &want);
        for (n, (user, _)) in people.iter().enumerate() {
            prop_assert_eq!(store.ledger().balance(*user).unwrap(), Points(want_balances[n]));
        }
        prop_assert_eq!(store.audit().unwrap(), Vec::<String>::new());

        // The same plays one by one leave the same history.
        let (alone, alone_people) = fresh_store(&balances);
        for play in requests(&draws, &codes, &alone_people) {
            alone.plays().play(&play).unwrap();
        }
        for ((user, _), (alone_user, _)) in people.iter().zip(&alone_people) {
            let entries = |s: &SqliteStore, u: UserId| -> Vec<_> {
                s.ledger().history(u, 500, None).unwrap().into_iter()
                    .map(|e| (e.kind, e.delta, e.balance_after, e.transaction_id))
                    .collect()
            };
            prop_assert_eq!(entries(&store, *user), entries(&alone, *alone_user));
        }
    }
}
