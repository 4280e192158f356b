//! Every link that opens the app (a phone's camera, another app, the desktop demo's
//! "Scan with the phone") comes in through [`open_link`], which hands it to the app
//! model and says which page to show.

use crate::pages::Route;
use crate::services::{dispatch, Services};
use crate::state::AppState;
use gashapay_core::app::model::{AppEvent, AppModel, LinkScreen};

/// Opens `link` on its screen; the page to show.
pub fn open_link(state: AppState, services: &Services, link: String) -> Route {
    let route = match AppModel::link_screen(&link) {
        LinkScreen::Reward => Route::Reward {},
        LinkScreen::Machine => Route::Machine {},
    };
    dispatch(state, services, AppEvent::OpenLink(link));
    route
}
