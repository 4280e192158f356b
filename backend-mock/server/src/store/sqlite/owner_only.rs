//! The database holds secrets the backend must read back in clear (each device's QR
//! secret and each machine's webhook secret, to check their HMACs), so its files are
//! readable and writable by the backend's own user only. SQLite gives the `-wal` and
//! `-shm` files the main file's permissions, so owning the main file's mode is enough.

use std::io;
use std::path::Path;

/// The permission bits of every database file.
#[cfg(unix)]
pub const MODE: u32 = 0o600;

/// Creates the database file owner-only if it does not exist, and takes group and
/// other permissions away from it and its companions if it does.
#[cfg(unix)]
pub fn restrict_database_files(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(MODE)
        .open(path)?;
    for companion in ["", "-wal", "-shm", "-journal"] {
        let file = path.with_file_name(format!(
            "{}{companion}",
            path.file_name().unwrap_or_default().to_string_lossy()
        ));
        match std::fs::metadata(&file) {
            Ok(metadata) if metadata.permissions().mode() & 0o077 != 0 => {
                std::fs::set_permissions(&file, std::fs::Permissions::from_mode(MODE))?;
            }
            Ok(_) => {}
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

/// Elsewhere the file's place (a user's profile folder) is what keeps it private.
#[cfg(not(unix))]
pub fn restrict_database_files(_path: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use super::*;
    use crate::store::sqlite::SqliteStore;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_new_database_and_its_wal_and_shm_files_are_readable_by_their_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.db");
        let store = SqliteStore::open(&path.display().to_string()).unwrap();
        for file in ["new.db", "new.db-wal", "new.db-shm"] {
            assert_eq!(mode(&dir.path().join(file)), MODE, "{file}");
        }
        drop(store);
    }

    #[test]
    fn an_existing_database_readable_by_others_is_made_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        drop(SqliteStore::open(&path.display().to_string()).unwrap());
        for file in ["old.db", "old.db-wal", "old.db-shm"] {
            let file = dir.path().join(file);
            if file.exists() {
                std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
            }
        }
        let store = SqliteStore::open(&path.display().to_string()).unwrap();
        for file in ["old.db", "old.db-wal", "old.db-shm"] {
            assert_eq!(mode(&dir.path().join(file)), MODE, "{file}");
        }
        drop(store);
    }
}
