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
        let refunded: Vec<TransactionId> = std::thread::scope(|scope| {
            let sweeps: Vec<_> = both
                .instances
                .iter()
                .flat_map(|instance| [instance, instance])
                .map(|instance| {
                    scope.spawn(move || {
                        instance
                            .transactions()
                            .refund_stale(NOW + 1_000, NOW + 2_000)
                            .unwrap()
                    })
                })
                .collect();
            sweeps
                .into_iter()
                .flat_map(|sweep| sweep.join().unwrap())
                .collect()
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
        let mut ended: Vec<uuid::Uuid> = std::thread::scope(|scope| {
            let sweeps: Vec<_> = both
                .instances
                .iter()
                .flat_map(|instance| [instance, instance])
                .map(|instance| {
                    scope.spawn(move || {
                        instance
                            .machine_sessions()
                            .end_idle(NOW, NOW + 5_000)
                            .unwrap()
                    })
                })
                .collect();
            sweeps
                .into_iter()
                .flat_map(|sweep| sweep.join().unwrap())
                .collect()
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
