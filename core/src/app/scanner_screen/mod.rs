//! While a code is on screen the scanner must be able to read it: the screen goes to
//! full brightness and stays awake, and both go back to what the user had when the
//! code goes away. The platform does the work behind [`ScannerScreen`]; the rule of
//! when to call it is [`ScreenForCodes`], the same on every platform.

#[cfg(target_os = "ios")]
mod ios;
#[cfg(target_os = "ios")]
pub use ios::IosScreen;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// The platform's screen controls.
pub trait ScannerScreen: Send + Sync {
    /// Full brightness, and no sleeping, remembering what to go back to.
    fn brighten(&self);
    /// The brightness and sleep the user had before [`ScannerScreen::brighten`].
    fn restore(&self);
    /// Whether [`ScannerScreen::brighten`] changes anything, so the app may say so.
    fn brightens(&self) -> bool {
        true
    }
}

/// The desktop's screen: a tester's monitor is left as it is.
pub struct UnchangedScreen;

impl ScannerScreen for UnchangedScreen {
    fn brighten(&self) {}
    fn restore(&self) {}
    fn brightens(&self) -> bool {
        false
    }
}

/// Follows whether a code is on screen and calls the platform only when that
/// changes: once to brighten when a code appears (a renewed code changes nothing),
/// once to restore when it goes.
pub struct ScreenForCodes {
    screen: Arc<dyn ScannerScreen>,
    bright: AtomicBool,
}

impl ScreenForCodes {
    pub fn new(screen: Arc<dyn ScannerScreen>) -> Self {
        Self {
            screen,
            bright: AtomicBool::new(false),
        }
    }

    /// Whether the screen really goes bright (not on a desktop).
    pub fn brightens(&self) -> bool {
        self.screen.brightens()
    }

    /// `code_on_screen`: whether a code shows now (the play view's
    /// `wants_full_brightness`, and false when the play screen is left).
    pub fn follow(&self, code_on_screen: bool) {
        if self.bright.swap(code_on_screen, Ordering::SeqCst) == code_on_screen {
            return;
        }
        match code_on_screen {
            true => self.screen.brighten(),
            false => self.screen.restore(),
        }
    }
}

impl Drop for ScreenForCodes {
    /// The app going away with a code on screen leaves the user's screen as it was.
    fn drop(&mut self) {
        if *self.bright.get_mut() {
            self.screen.restore();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// A screen that writes down what it was asked to do.
    #[derive(Default)]
    struct Recorded(Mutex<Vec<&'static str>>);

    impl ScannerScreen for Recorded {
        fn brighten(&self) {
            self.0.lock().unwrap().push("brighten");
        }
        fn restore(&self) {
            self.0.lock().unwrap().push("restore");
        }
    }

    #[test]
    fn the_screen_brightens_once_per_code_shown_and_is_restored_when_it_goes() {
        let recorded = Arc::new(Recorded::default());
        let screen = ScreenForCodes::new(recorded.clone());
        screen.follow(false);
        screen.follow(true);
        // Each second's redraw, and a renewed code, ask again: nothing more happens.
        screen.follow(true);
        screen.follow(true);
        screen.follow(false);
        screen.follow(false);
        screen.follow(true);
        drop(screen);
        assert_eq!(
            *recorded.0.lock().unwrap(),
            ["brighten", "restore", "brighten", "restore"]
        );
    }
}
