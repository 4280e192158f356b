//! The arcade reader (PROTOCOL §11, seed 002): the machine as the coin reader in a game
//! cabinet. Games talk to it through a small local API; the player's GashaPay code is
//! the coin. `game` is the example game that follows the seed's flowcharts.

pub mod game;
mod reader;
mod server;

pub use reader::{Reader, ReaderEvent, ReaderSettings, ReaderShows, ScanRefusal};
pub use server::{router, serve};
