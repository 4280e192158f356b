//! End-to-end tests: the real backend on 127.0.0.1 (random port) over a temporary
//! SQLite file, the real core client, the emulated machine, real QR images.

mod helpers;

mod arcade;
mod auth;
mod bad_requests;
mod cli;
mod concurrency;
mod connections;
mod fuzz;
mod limits;
mod machine_shows_code;
mod operators;
mod phone_restart;
mod play;
mod races;
mod restart;
mod rewards;
mod rules;
mod running;
mod top_up;
mod webhook_ids;
