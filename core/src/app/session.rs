//! The session as a state machine: checking a stored session at start → signed out
//! (with why) → signing in → signed in; a call that finds the session gone, or the
//! user's sign-out, ends it. Effects go out as data for the shell to run.

use super::failure::CallFailure;
use super::messages::UserMessage;
use super::text::{fill, texts};
use crate::Redacted;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Session {
    /// Checking the stored session at start.
    #[default]
    Starting,
    SignedOut {
        message: Option<UserMessage>,
    },
    /// A sign-in is on its way.
    SigningIn,
    SignedIn,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEvent {
    /// At launch: whether the keychain holds a session, and the demo's account (the
    /// demo signs its user in by itself).
    Started {
        stored_session: bool,
        demo_account: Option<(String, Redacted)>,
    },
    SignIn {
        username: String,
        password: Redacted,
    },
    SignedIn,
    SignInFailed(UserMessage),
    /// Any call failed; a lost session ends here.
    CallFailed(CallFailure),
    SignOut,
}

/// Work for the shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEffect {
    SignIn {
        username: String,
        password: Redacted,
    },
    /// Fetch the balance and the first page of history.
    LoadAccount,
    /// Tell the server this session is over.
    Logout,
    /// Stop following plays and forget the signed-out user's balance, history and
    /// play screen.
    ClearAccount,
}

/// What the sign-in screen shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInView {
    pub server_text: String,
    pub busy: bool,
    pub button_text: String,
    pub message: Option<UserMessage>,
}

impl Session {
    pub fn update(&mut self, event: SessionEvent) -> Vec<SessionEffect> {
        match event {
            SessionEvent::Started {
                stored_session,
                demo_account,
            } => match (stored_session, demo_account) {
                (true, _) => {
                    *self = Session::SignedIn;
                    vec![SessionEffect::LoadAccount]
                }
                (false, Some((username, password))) => {
                    self.update(SessionEvent::SignIn { username, password })
                }
                (false, None) => {
                    *self = Session::SignedOut { message: None };
                    vec![]
                }
            },
            SessionEvent::SignIn { username, password } => {
                if matches!(self, Session::SigningIn | Session::SignedIn) {
                    return vec![];
                }
                *self = Session::SigningIn;
                vec![SessionEffect::SignIn { username, password }]
            }
            SessionEvent::SignedIn => {
                *self = Session::SignedIn;
                vec![SessionEffect::LoadAccount]
            }
            SessionEvent::SignInFailed(message) => {
                *self = Session::SignedOut {
                    message: Some(message),
                };
                vec![]
            }
            SessionEvent::CallFailed(failure) => {
                if !failure.ends_session || !matches!(self, Session::SignedIn) {
                    return vec![];
                }
                *self = Session::SignedOut {
                    message: Some(failure.message),
                };
                vec![SessionEffect::ClearAccount]
            }
            SessionEvent::SignOut => {
                *self = Session::SignedOut { message: None };
                vec![SessionEffect::ClearAccount, SessionEffect::Logout]
            }
        }
    }

    pub fn is_signed_in(&self) -> bool {
        matches!(self, Session::SignedIn)
    }

    /// The sign-in screen, while signed out or signing in.
    pub fn sign_in_view(&self, server: &str) -> Option<SignInView> {
        let t = texts();
        let (busy, message) = match self {
            Session::SignedOut { message } => (false, message.clone()),
            Session::SigningIn => (true, None),
            Session::Starting | Session::SignedIn => return None,
        };
        Some(SignInView {
            server_text: fill(t.sign_in_server, &[("server", server)]),
            busy,
            button_text: if busy { t.signing_in } else { t.sign_in }.to_owned(),
            message,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    fn lost(ends_session: bool) -> SessionEvent {
        SessionEvent::CallFailed(CallFailure {
            message: UserMessage::for_code(ErrorCode::Unauthorized),
            ends_session,
            transient: false,
        })
    }

    #[test]
    fn a_stored_session_is_used_and_the_demo_signs_itself_in() {
        let mut session = Session::default();
        let started = |stored_session, demo_account| SessionEvent::Started {
            stored_session,
            demo_account,
        };
        assert_eq!(
            session.update(started(true, None)),
            [SessionEffect::LoadAccount]
        );
        assert!(session.is_signed_in());

        let mut session = Session::default();
        let demo = Some(("demo".to_owned(), Redacted::new("pw".to_owned())));
        let effects = session.update(started(false, demo));
        assert!(
            matches!(&effects[..], [SessionEffect::SignIn { username, .. }] if username == "demo")
        );
        assert_eq!(session, Session::SigningIn);

        let mut session = Session::default();
        assert!(session.update(started(false, None)).is_empty());
        assert_eq!(session, Session::SignedOut { message: None });
    }

    #[test]
    fn signing_in_is_busy_once_and_a_refusal_is_shown() {
        let mut session = Session::SignedOut { message: None };
        let ask = || SessionEvent::SignIn {
            username: "ana".into(),
            password: Redacted::new("pw"),
        };
        assert_eq!(session.update(ask()).len(), 1);
        assert!(
            session.update(ask()).is_empty(),
            "a second tap sends nothing"
        );
        let view = session.sign_in_view("http://x").unwrap();
        assert!(view.busy);
        assert_eq!(view.button_text, "Signing in…");
        let refused = UserMessage::for_code(ErrorCode::InvalidCredentials);
        session.update(SessionEvent::SignInFailed(refused.clone()));
        let view = session.sign_in_view("http://x").unwrap();
        assert_eq!(
            (view.busy, view.message, view.server_text.as_str()),
            (false, Some(refused), "Server: http://x")
        );
        assert_eq!(
            session.update(SessionEvent::SignedIn),
            [SessionEffect::LoadAccount]
        );
        assert_eq!(session.sign_in_view("http://x"), None);
    }

    #[test]
    fn only_a_lost_session_signs_out_and_it_says_why() {
        let mut session = Session::SignedIn;
        assert!(session.update(lost(false)).is_empty());
        assert!(session.is_signed_in());
        assert_eq!(session.update(lost(true)), [SessionEffect::ClearAccount]);
        let Session::SignedOut {
            message: Some(message),
        } = &session
        else {
            panic!("{session:?}")
        };
        assert_eq!(message, &UserMessage::for_code(ErrorCode::Unauthorized));
    }

    #[test]
    fn signing_out_clears_the_account_and_tells_the_server() {
        let mut session = Session::SignedIn;
        assert_eq!(
            session.update(SessionEvent::SignOut),
            [SessionEffect::ClearAccount, SessionEffect::Logout]
        );
        assert_eq!(session, Session::SignedOut { message: None });
    }
}
