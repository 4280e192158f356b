//! Throwaway PostgreSQL databases for tests (the store suite's, and the end-to-end
//! tests' on this engine): each test gets a database of its own on
//! the server `GASHAPAY_TEST_POSTGRES` names (the cluster `scripts/test.sh` starts),
//! dropped when the test is done. A test helper: it panics, as a failing test should.

use ::postgres::{Client, NoTls};

/// The variable naming the test server (a URL of its `postgres` database).
pub const SERVER_VARIABLE: &str = "GASHAPAY_TEST_POSTGRES";

/// A database that lives as long as this value.
pub struct TestDatabase {
    pub url: String,
    server: String,
    name: String,
}

impl TestDatabase {
    /// A new, empty database on the test server.
    pub fn create() -> Self {
        let server = std::env::var(SERVER_VARIABLE).unwrap_or_else(|_| {
            panic!(
                "{SERVER_VARIABLE} is not set: the PostgreSQL tests need a server; \
                 scripts/test.sh starts a throwaway one and sets it"
            )
        });
        Self::create_on(&server)
    }

    /// A new, empty database on the server `server` (a URL of its `postgres`
    /// database).
    pub fn create_on(server: &str) -> Self {
        let server = server.to_owned();
        let name = format!("gashapay_test_{}", uuid::Uuid::new_v4().simple());
        off_runtime(|| {
            let mut admin = Client::connect(&server, NoTls)
                .unwrap_or_else(|error| panic!("cannot reach {SERVER_VARIABLE}: {error}"));
            if let Err(error) = admin.batch_execute(&format!("CREATE DATABASE {name}")) {
                panic!("cannot create the test database {name}: {error}");
            }
        });
        let url = with_database(&server, &name);
        Self { url, server, name }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        off_runtime(|| {
            if let Ok(mut admin) = Client::connect(&self.server, NoTls) {
                let drop = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
                let _ = admin.batch_execute(&drop);
            }
        });
    }
}

/// Runs `f` on a thread of its own: the synchronous client runs a runtime of its own,
/// which cannot start on a thread already driving one (an async test's).
pub fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| match scope.spawn(f).join() {
        Ok(value) => value,
        Err(panic) => std::panic::resume_unwind(panic),
    })
}

/// `server`'s URL with its database replaced by `name`.
fn with_database(server: &str, name: &str) -> String {
    let (base, query) = server
        .split_once('?')
        .map_or((server, None), |(b, q)| (b, Some(q)));
    let authority_end = base
        .find("://")
        .map(|scheme| scheme + 3)
        .and_then(|start| base[start..].find('/').map(|slash| start + slash))
        .unwrap_or(base.len());
    let url = format!("{}/{name}", &base[..authority_end]);
    match query {
        Some(query) => format!("{url}?{query}"),
        None => url,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_servers_url_names_the_new_database() {
        let swap = super::with_database;
        assert_eq!(
            swap("postgres://u@127.0.0.1:5433/postgres", "t1"),
            "postgres://u@127.0.0.1:5433/t1"
        );
        assert_eq!(
            swap("postgres://u@127.0.0.1:5433", "t1"),
            "postgres://u@127.0.0.1:5433/t1"
        );
        assert_eq!(
            swap("postgresql://u@h/postgres?sslmode=disable", "t1"),
            "postgresql://u@h/t1?sslmode=disable"
        );
    }
}
