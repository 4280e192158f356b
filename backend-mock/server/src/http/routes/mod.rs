pub mod account;
pub mod admin;
pub mod auth;
pub mod gashapon;
pub mod links;
pub mod orders;
pub mod rewards;
pub mod sessions;
