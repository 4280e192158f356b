//! iOS: UIKit's main screen brightness and the application's idle timer. UIKit may
//! only be touched on the main thread, where Dioxus runs the app's components; a call
//! from any other thread does nothing.

use super::ScannerScreen;
use objc2::MainThreadMarker;
use objc2_ui_kit::{UIApplication, UIScreen};
use std::sync::Mutex;

/// The phone's screen, with the brightness the user had.
#[derive(Default)]
pub struct IosScreen {
    before: Mutex<Option<f64>>,
}

impl ScannerScreen for IosScreen {
    fn brighten(&self) {
        let Some(main_thread) = MainThreadMarker::new() else {
            return;
        };
        #[allow(deprecated, reason = "the app has one window, on the main screen")]
        let screen = UIScreen::mainScreen(main_thread);
        if let Ok(mut before) = self.before.lock() {
            before.get_or_insert(screen.brightness() as f64);
        }
        screen.setBrightness(1.0);
        UIApplication::sharedApplication(main_thread).setIdleTimerDisabled(true);
    }

    fn restore(&self) {
        let Some(main_thread) = MainThreadMarker::new() else {
            return;
        };
        #[allow(deprecated, reason = "the app has one window, on the main screen")]
        let screen = UIScreen::mainScreen(main_thread);
        if let Some(before) = self.before.lock().ok().and_then(|mut b| b.take()) {
            screen.setBrightness(before as _);
        }
        UIApplication::sharedApplication(main_thread).setIdleTimerDisabled(false);
    }
}
