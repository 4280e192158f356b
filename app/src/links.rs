//! Every link that opens the app (a phone's camera, another app, the desktop demo's
//! "Scan with the phone") comes in through [`open_link`], which hands it to the screen
//! for its kind and says which page to show.

use crate::pages::Route;
use crate::services::Services;
use crate::state::AppState;
use gashapay_core::app::machine_pay::MachinePayEvent;
use gashapay_core::app::reward::RewardEvent;
use gashapay_core::links::AppLink;

/// Opens `link` on its screen; the page to show.
pub fn open_link(state: AppState, services: Services, link: String) -> Route {
    match AppLink::parse(&link) {
        Ok(AppLink::Reward { .. }) => {
            crate::reward::reward_event(state, services, RewardEvent::Open(link));
            Route::Reward {}
        }
        // Machine links, and anything unreadable (the machine screen says so).
        _ => {
            crate::machine_pay::machine_event(state, services, MachinePayEvent::Open(link));
            Route::Machine {}
        }
    }
}
