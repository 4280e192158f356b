//! Work the server does on its own schedule, beside the requests.

pub mod sweeper;
