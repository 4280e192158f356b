//! The generic store suite on PostgreSQL: each check on a database of its own, alone
//! and behind the machine and device cache.

use super::test_database::TestDatabase;
use super::PostgresStore;
use crate::store::suite::Fresh;

fn on_server() -> (PostgresStore, TestDatabase) {
    let database = TestDatabase::create();
    (PostgresStore::open(&database.url).unwrap(), database)
}

mod alone {
    use super::*;

    fn fresh() -> Fresh {
        let (store, database) = on_server();
        Fresh {
            store: Box::new(store),
            keep: Box::new(database),
        }
    }

    crate::store::suite::store_suite!(fresh());
}

mod cached {
    use super::*;
    use crate::store::cached::CachedStore;

    fn fresh() -> Fresh {
        let (store, database) = on_server();
        Fresh {
            store: Box::new(CachedStore::new(store)),
            keep: Box::new(database),
        }
    }

    crate::store::suite::store_suite!(fresh());
}

/// Two backend instances on one database: each store call goes to the one or the
/// other in turn, so the racing checks race across instances, and every check sees
/// through one what the other wrote. (No cache here: an instance's cache does not see
/// the other's changes, which is why the cache holds only what may be seconds old.)
mod two_instances {
    use super::*;
    use crate::store::*;
    use gashapay_core::ids::TransactionId;
    use std::sync::atomic::{AtomicUsize, Ordering};

    pub struct TwoInstances {
        instances: [PostgresStore; 2],
        next: AtomicUsize,
    }

    impl TwoInstances {
        pub fn open(url: &str) -> Self {
            Self {
                instances: [
                    PostgresStore::open(url).unwrap(),
                    PostgresStore::open(url).unwrap(),
                ],
                next: AtomicUsize::new(0),
            }
        }

        fn one(&self) -> &PostgresStore {
            &self.instances[self.next.fetch_add(1, Ordering::Relaxed) % 2]
        }

        /// Runs `job` twice on each instance, all four at once, and gathers what they
        /// returned: every instance's sweeper running while the other's does.
        fn four_at_once<T: Send>(&self, job: impl Fn(&PostgresStore) -> Vec<T> + Sync) -> Vec<T> {
            std::thread::scope(|scope| {
                let runs: Vec<_> = self
                    .instances
                    .iter()
                    .flat_map(|instance| [instance, instance])
                    .map(|instance| scope.spawn(|| job(instance)))
                    .collect();
                runs.into_iter()
                    .flat_map(|run| run.join().unwrap())
                    .collect()
            })
        }
    }

    impl Store for TwoInstances {
        fn accounts(&self) -> &dyn AccountStore {
            self.one().accounts()
        }
        fn devices(&self) -> &dyn DeviceStore {
            self.one().devices()
        }
        fn machines(&self) -> &dyn MachineStore {
            self.one().machines()
        }
        fn operators(&self) -> &dyn OperatorStore {
            self.one().operators()
        }
        fn ledger(&self) -> &dyn LedgerStore {
            self.one().ledger()
        }
        fn plays(&self) -> &dyn PlayStore {
            self.one().plays()
        }
        fn transactions(&self) -> &dyn TransactionStore {
            self.one().transactions()
        }
        fn machine_codes(&self) -> &dyn MachineCodeStore {
            self.one().machine_codes()
        }
        fn machine_sessions(&self) -> &dyn MachineSessionStore {
            self.one().machine_sessions()
        }
        fn orders(&self) -> &dyn OrderStore {
            self.one().orders()
        }
        fn partners(&self) -> &dyn PartnerStore {
            self.one().partners()
        }
        fn rewards(&self) -> &dyn RewardStore {
            self.one().rewards()
        }
    }

    fn fresh() -> Fresh {
        let database = TestDatabase::create();
        Fresh {
            store: Box::new(TwoInstances::open(&database.url)),
            keep: Box::new(database),
        }
    }

    crate::store::suite::store_suite!(fresh());

    /// Every instance runs the sweeper: sweeping at once, they refund each stale play
    /// once between them.
    #[test]
    fn sweeps_at_once_on_both_instances_refund_each_play_once() {
        use crate::store::suite::{balance, code, machine, player, NOW};
        let database = TestDatabase::create();
        let both = TwoInstances::open(&database.url);
        let a = machine(&both, "m_a");
        let players: Vec<_> = (0..10)
            .map(|n| player(&both, &format!("p{n}"), 100))
            .collect();
        let mut plays = Vec::new();
        for (n, who) in players.iter().enumerate() {
            for k in 0..3 {
                let play = code(*who, &a, 10, NOW + (n * 3 + k) as i64);
                assert_eq!(both.plays().play(&play).unwrap(), PlayDecision::Accepted);
                plays.push(play.transaction_id);
            }
        }
        let refunded: Vec<TransactionId> = both.four_at_once(|instance| {
            instance
                .transactions()
                .refund_stale(NOW + 1_000, NOW + 2_000)
                .unwrap()
        });
        let mut refunded_sorted = refunded.clone();
        refunded_sorted.sort_by_key(|id| id.to_string());
        let mut played = plays.clone();
        played.sort_by_key(|id| id.to_string());
        assert_eq!(refunded_sorted, played, "each play refunded exactly once");
        for who in &players {
            assert_eq!(balance(&both, who.0), 100);
        }
    }

    /// Batches on both instances at once, sharing players and codes: each code is
    /// charged at most once, no balance goes below zero, and what was taken is what
    /// the accepted plays cost. The players have room for a quarter of their codes.
    #[test]
    fn batches_raced_on_both_instances_charge_each_code_once_and_overdraw_no_one() {
        use crate::store::suite::{balance, code, machine, player, NOW};
        use crate::store::PlayRequest;
        let database = TestDatabase::create();
        let both = TwoInstances::open(&database.url);
        let machines = [machine(&both, "m_0"), machine(&both, "m_1")];
        let players: Vec<_> = (0..3)
            .map(|n| player(&both, &format!("p{n}"), 100))
            .collect();
        // 40 codes of 10 points a player, interleaved across players.
        let codes: Vec<PlayRequest> = (0..40)
            .flat_map(|k| players.iter().map(move |who| (k, *who)))
            .map(|(k, who)| code(who, &machines[0], 10, NOW + k))
            .collect();
        // Each code goes to both instances, from each instance's machine, in batches of
        // eight: forwards on one instance, backwards on the other, two threads each.
        let decisions: Vec<(TransactionId, PlayDecision)> = std::thread::scope(|scope| {
            let racers: Vec<_> = (0..4)
                .map(|racer| {
                    let instance = &both.instances[racer % 2];
                    let mut mine: Vec<PlayRequest> = codes
                        .iter()
                        .skip(racer / 2)
                        .step_by(2)
                        .map(|play| PlayRequest {
                            machine_id: machines[racer % 2].clone(),
                            ..play.clone()
                        })
                        .collect();
                    if racer % 2 == 1 {
                        mine.reverse();
                    }
                    scope.spawn(move || {
                        mine.chunks(8)
                            .flat_map(|batch| {
                                let decided = instance.plays().play_batch(batch).unwrap();
                                batch
                                    .iter()
                                    .map(|play| play.transaction_id)
                                    .zip(decided)
                                    .collect::<Vec<_>>()
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            racers
                .into_iter()
                .flat_map(|racer| racer.join().unwrap())
                .collect()
        });
        assert_eq!(decisions.len(), 2 * codes.len());
        for play in &codes {
            let answers: Vec<_> = decisions
                .iter()
                .filter(|(id, _)| *id == play.transaction_id)
                .map(|(_, decision)| *decision)
                .collect();
            let accepted = answers
                .iter()
                .filter(|d| **d == PlayDecision::Accepted)
                .count();
            assert!(
                accepted <= 1,
                "{} charged {accepted} times",
                play.transaction_id
            );
            assert!(
                answers.contains(&PlayDecision::AlreadyUsed),
                "{}: the second machine is told the code is used: {answers:?}",
                play.transaction_id
            );
        }
        for who in &players {
            let accepted = codes
                .iter()
                .filter(|play| play.user_id == who.0)
                .filter(|play| decisions.contains(&(play.transaction_id, PlayDecision::Accepted)))
                .count() as u64;
            assert_eq!(accepted, 10, "the balance buys ten plays and all are sold");
            assert_eq!(balance(&both, who.0), 100 - 10 * accepted);
        }
        assert_eq!(both.instances[0].audit().unwrap(), Vec::<String>::new());
    }

    /// A code one instance writes while another's batch decides (so the batch did not
    /// see it) is waited for, then answered as used: never charged twice. Here two
    /// players hold one transaction id, so their batches lock no row in common.
    #[test]
    fn a_code_written_elsewhere_while_a_batch_decides_is_answered_as_used() {
        use crate::store::postgres::plays::play_batch_in;
        use crate::store::suite::{balance, code, machine, player, NOW};
        let database = TestDatabase::create();
        let both = TwoInstances::open(&database.url);
        let at = machine(&both, "m_a");
        let (ann, bob) = (player(&both, "ann", 100), player(&both, "bob", 100));
        let anns = code(ann, &at, 10, NOW);
        let bobs = PlayRequest {
            user_id: bob.0,
            device_id: bob.1,
            ..anns.clone()
        };
        let mut elsewhere = ::postgres::Client::connect(&database.url, ::postgres::NoTls).unwrap();
        let mut open = elsewhere.transaction().unwrap();
        let Ok(first) = play_batch_in(&mut open, &[anns]) else {
            panic!("ann's play was not written");
        };
        assert_eq!(first, [PlayDecision::Accepted]);
        let decided = std::thread::scope(|scope| {
            let racer = scope.spawn(|| both.instances[1].plays().play(&bobs).unwrap());
            std::thread::sleep(std::time::Duration::from_millis(300));
            open.commit().unwrap();
            racer.join().unwrap()
        });
        assert_eq!(decided, PlayDecision::AlreadyUsed);
        assert_eq!((balance(&both, ann.0), balance(&both, bob.0)), (90, 100));
        assert_eq!(both.instances[0].audit().unwrap(), Vec::<String>::new());
    }

    /// Every instance ends idle machine sessions: ending them at once, they give
    /// each session's rest back once between them.
    #[test]
    fn idle_sessions_ended_at_once_on_both_instances_give_back_once() {
        use crate::store::suite::machine_pay::{load, opened, printed_code};
        use crate::store::suite::{balance, machine, player, NOW};
        let database = TestDatabase::create();
        let both = TwoInstances::open(&database.url);
        let mut opened_ids = Vec::new();
        let mut players = Vec::new();
        for n in 0..8 {
            let at = machine(&both, &format!("m_{n}"));
            let code = printed_code(&both, &format!("gpc_{n}"), &at);
            let (who, _) = player(&both, &format!("p{n}"), 100);
            let session = opened(both.machine_sessions().open(&load(who, &code, 40)).unwrap());
            opened_ids.push(session.id);
            players.push(who);
        }
        let mut ended: Vec<uuid::Uuid> = both.four_at_once(|instance| {
            instance
                .machine_sessions()
                .end_idle(NOW, NOW + 5_000)
                .unwrap()
        });
        ended.sort();
        opened_ids.sort();
        assert_eq!(ended, opened_ids, "each session ended exactly once");
        for who in players {
            assert_eq!(balance(&both, who), 100);
        }
        assert_eq!(both.instances[0].audit().unwrap(), Vec::<String>::new());
    }
}
