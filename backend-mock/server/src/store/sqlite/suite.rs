//! The generic store suite on SQLite, as the backend serves it: a database file in WAL
//! mode, alone and behind the machine and device cache.

use super::SqliteStore;
use crate::store::suite::Fresh;

fn on_disk() -> (SqliteStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("suite.db");
    (SqliteStore::open(path.to_str().unwrap()).unwrap(), dir)
}

mod alone {
    use super::*;

    fn fresh() -> Fresh {
        let (store, dir) = on_disk();
        Fresh {
            store: Box::new(store),
            keep: Box::new(dir),
        }
    }

    crate::store::suite::store_suite!(fresh());
}

mod cached {
    use super::*;
    use crate::store::cached::CachedStore;

    fn fresh() -> Fresh {
        let (store, dir) = on_disk();
        Fresh {
            store: Box::new(CachedStore::new(store)),
            keep: Box::new(dir),
        }
    }

    crate::store::suite::store_suite!(fresh());
}
