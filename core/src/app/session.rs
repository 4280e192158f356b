//! The session as a state machine: checking a stored session at start → signed out
//! (with why, on the sign-in or the create-an-account form) → signing in → signed
//! in; a call that finds the session gone, or the user's sign-out, ends it. Effects
//! go out as data for the shell to run.

use super::failure::CallFailure;
use super::messages::UserMessage;
use super::text::texts;
use crate::accounts::{check_password, check_username};
use crate::Redacted;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Session {
    /// Checking the stored session at start.
    #[default]
    Starting,
    SignedOut {
        message: Option<UserMessage>,
        /// The create-an-account form rather than the sign-in form.
        new_account: bool,
    },
    /// A sign-in (or sign-up) is on its way.
    SigningIn {
        new_account: bool,
    },
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
    /// The form was sent: sign in, or create the account, as the form is.
    SignIn {
        username: String,
        password: Redacted,
    },
    /// Between the sign-in and the create-an-account forms.
    SwitchForm,
    SignedIn,
    SignInFailed(UserMessage),
    /// Any call failed; a lost session ends here.
    CallFailed(CallFailure),
    SignOut,
}

/// Who signs in (or makes an account), with which password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: Redacted,
}

/// Work for the shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEffect {
    SignIn(Credentials),
    /// Create the account, then send `SignedIn` or `SignInFailed` as for a sign-in.
    SignUp(Credentials),
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
    pub title: String,
    pub server_text: String,
    pub busy: bool,
    pub button_text: String,
    pub message: Option<UserMessage>,
    /// The create-an-account form: the fields show their rules, and the password is
    /// a new one (for password managers).
    pub new_account: bool,
    /// What the link to the other form says.
    pub switch_text: String,
    pub username_hint: Option<String>,
    pub password_hint: Option<String>,
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
                    *self = Session::SigningIn { new_account: false };
                    vec![SessionEffect::SignIn(Credentials { username, password })]
                }
                (false, None) => {
                    *self = Session::signed_out(None);
                    vec![]
                }
            },
            SessionEvent::SignIn { username, password } => {
                let Session::SignedOut { new_account, .. } = *self else {
                    return vec![];
                };
                if !new_account {
                    *self = Session::SigningIn { new_account };
                    return vec![SessionEffect::SignIn(Credentials { username, password })];
                }
                // The server's rules, checked here first so a typo costs no request.
                let username = username.trim().to_owned();
                let broken = check_username(&username)
                    .and_then(|()| check_password(password.expose()))
                    .err();
                if let Some(rule) = broken {
                    *self = Session::SignedOut {
                        message: Some(UserMessage::for_account_rule(rule)),
                        new_account,
                    };
                    return vec![];
                }
                *self = Session::SigningIn { new_account };
                vec![SessionEffect::SignUp(Credentials { username, password })]
            }
            SessionEvent::SwitchForm => {
                if let Session::SignedOut { new_account, .. } = *self {
                    *self = Session::SignedOut {
                        message: None,
                        new_account: !new_account,
                    };
                }
                vec![]
            }
            SessionEvent::SignedIn => {
                *self = Session::SignedIn;
                vec![SessionEffect::LoadAccount]
            }
            SessionEvent::SignInFailed(message) => {
                let new_account = matches!(self, Session::SigningIn { new_account: true });
                *self = Session::SignedOut {
                    message: Some(message),
                    new_account,
                };
                vec![]
            }
            SessionEvent::CallFailed(failure) => {
                if !failure.ends_session || !matches!(self, Session::SignedIn) {
                    return vec![];
                }
                *self = Session::signed_out(Some(failure.message));
                vec![SessionEffect::ClearAccount]
            }
            SessionEvent::SignOut => {
                *self = Session::signed_out(None);
                vec![SessionEffect::ClearAccount, SessionEffect::Logout]
            }
        }
    }

    /// Signed out, on the sign-in form.
    pub fn signed_out(message: Option<UserMessage>) -> Self {
        Session::SignedOut {
            message,
            new_account: false,
        }
    }

    pub fn is_signed_in(&self) -> bool {
        matches!(self, Session::SignedIn)
    }

    /// The sign-in screen, while signed out or signing in.
    pub fn sign_in_view(&self, server: &str) -> Option<SignInView> {
        let t = texts();
        let (busy, message, new_account) = match self {
            Session::SignedOut {
                message,
                new_account,
            } => (false, message.clone(), *new_account),
            Session::SigningIn { new_account } => (true, None, *new_account),
            Session::Starting | Session::SignedIn => return None,
        };
        let (title, button, working, switch) = match new_account {
            false => (
                &t.sign_in_title,
                &t.sign_in,
                &t.signing_in,
                &t.switch_to_sign_up,
            ),
            true => (
                &t.sign_up_title,
                &t.create_account,
                &t.creating_account,
                &t.switch_to_sign_in,
            ),
        };
        Some(SignInView {
            title: title.clone(),
            server_text: t.sign_in_server(server),
            busy,
            button_text: if busy { working } else { button }.clone(),
            message,
            new_account,
            switch_text: switch.clone(),
            username_hint: new_account.then(|| t.username_rule.clone()),
            password_hint: new_account.then(|| t.password_rule.clone()),
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

    fn send(username: &str, password: &str) -> SessionEvent {
        SessionEvent::SignIn {
            username: username.into(),
            password: Redacted::new(password),
        }
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
        let demo = Some(("demo".to_owned(), Redacted::new("pw")));
        let effects = session.update(started(false, demo));
        assert!(matches!(&effects[..], [SessionEffect::SignIn(sent)] if sent.username == "demo"));
        assert_eq!(session, Session::SigningIn { new_account: false });

        let mut session = Session::default();
        assert!(session.update(started(false, None)).is_empty());
        assert_eq!(session, Session::signed_out(None));
    }

    #[test]
    fn signing_in_is_busy_once_and_a_refusal_is_shown() {
        let mut session = Session::signed_out(None);
        assert_eq!(session.update(send("ana", "pw")).len(), 1);
        assert!(
            session.update(send("ana", "pw")).is_empty(),
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
    fn the_create_an_account_form_checks_the_rules_then_signs_up() {
        let mut session = Session::signed_out(None);
        assert_eq!(
            session.sign_in_view("s").unwrap().switch_text,
            "New here? Create an account"
        );
        session.update(SessionEvent::SwitchForm);
        let view = session.sign_in_view("s").unwrap();
        assert!(view.new_account);
        assert_eq!(
            (view.title.as_str(), view.button_text.as_str()),
            ("Create your GashaPay account", "Create account")
        );
        assert!(view.username_hint.is_some() && view.password_hint.is_some());

        // A rule broken: said here, nothing sent.
        assert!(session.update(send("Ana", "a long password")).is_empty());
        let message = session.sign_in_view("s").unwrap().message.unwrap();
        assert_eq!(message.title, "Choose another username");
        assert!(session.update(send("ana", "short")).is_empty());
        assert_eq!(
            session.sign_in_view("s").unwrap().message.unwrap().title,
            "Choose a longer password"
        );

        let effects = session.update(send(" ana ", "a long password"));
        assert!(matches!(&effects[..], [SessionEffect::SignUp(sent)] if sent.username == "ana"));
        assert_eq!(
            session.sign_in_view("s").unwrap().button_text,
            "Creating account…"
        );
        // A taken name comes back to the same form.
        session.update(SessionEvent::SignInFailed(UserMessage::for_code(
            ErrorCode::AlreadyExists,
        )));
        assert!(session.sign_in_view("s").unwrap().new_account);
        session.update(SessionEvent::SwitchForm);
        let view = session.sign_in_view("s").unwrap();
        assert!(!view.new_account && view.message.is_none());
    }

    #[test]
    fn only_a_lost_session_signs_out_and_it_says_why() {
        let mut session = Session::SignedIn;
        assert!(session.update(lost(false)).is_empty());
        assert!(session.is_signed_in());
        assert_eq!(session.update(lost(true)), [SessionEffect::ClearAccount]);
        let Session::SignedOut {
            message: Some(message),
            ..
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
        assert_eq!(session, Session::signed_out(None));
    }
}
