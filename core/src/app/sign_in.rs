//! The sign-in as a state machine: checking a stored sign-in at start → signed out
//! (with why, on the sign-in or the create-an-account form) → signing in → signed
//! in; a call that finds the sign-in gone, or the user's sign-out, ends it. Effects
//! go out as data for the shell to run.

use super::failure::CallFailure;
use super::messages::UserMessage;
use super::text::texts;
use crate::accounts::{check_password, check_username};
use crate::Redacted;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum SignIn {
    /// Checking the stored sign-in at start.
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
pub enum SignInEvent {
    /// At launch: whether the keychain holds a sign-in, and the demo's account (the
    /// demo signs its user in by itself).
    Started {
        stored_sign_in: bool,
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
pub enum SignInEffect {
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

impl SignIn {
    pub fn update(&mut self, event: SignInEvent) -> Vec<SignInEffect> {
        match event {
            SignInEvent::Started {
                stored_sign_in,
                demo_account,
            } => match (stored_sign_in, demo_account) {
                (true, _) => {
                    *self = SignIn::SignedIn;
                    vec![SignInEffect::LoadAccount]
                }
                (false, Some((username, password))) => {
                    *self = SignIn::SigningIn { new_account: false };
                    vec![SignInEffect::SignIn(Credentials { username, password })]
                }
                (false, None) => {
                    *self = SignIn::signed_out(None);
                    vec![]
                }
            },
            SignInEvent::SignIn { username, password } => {
                let SignIn::SignedOut { new_account, .. } = *self else {
                    return vec![];
                };
                if !new_account {
                    *self = SignIn::SigningIn { new_account };
                    return vec![SignInEffect::SignIn(Credentials { username, password })];
                }
                // The server's rules, checked here first so a typo costs no request.
                let username = username.trim().to_owned();
                let broken = check_username(&username)
                    .and_then(|()| check_password(password.expose()))
                    .err();
                if let Some(rule) = broken {
                    *self = SignIn::SignedOut {
                        message: Some(UserMessage::for_account_rule(rule)),
                        new_account,
                    };
                    return vec![];
                }
                *self = SignIn::SigningIn { new_account };
                vec![SignInEffect::SignUp(Credentials { username, password })]
            }
            SignInEvent::SwitchForm => {
                if let SignIn::SignedOut { new_account, .. } = *self {
                    *self = SignIn::SignedOut {
                        message: None,
                        new_account: !new_account,
                    };
                }
                vec![]
            }
            SignInEvent::SignedIn => {
                *self = SignIn::SignedIn;
                vec![SignInEffect::LoadAccount]
            }
            SignInEvent::SignInFailed(message) => {
                let new_account = matches!(self, SignIn::SigningIn { new_account: true });
                *self = SignIn::SignedOut {
                    message: Some(message),
                    new_account,
                };
                vec![]
            }
            SignInEvent::CallFailed(failure) => {
                if !failure.ends_session || !matches!(self, SignIn::SignedIn) {
                    return vec![];
                }
                *self = SignIn::signed_out(Some(failure.message));
                vec![SignInEffect::ClearAccount]
            }
            SignInEvent::SignOut => {
                *self = SignIn::signed_out(None);
                vec![SignInEffect::ClearAccount, SignInEffect::Logout]
            }
        }
    }

    /// Signed out, on the sign-in form.
    pub fn signed_out(message: Option<UserMessage>) -> Self {
        SignIn::SignedOut {
            message,
            new_account: false,
        }
    }

    pub fn is_signed_in(&self) -> bool {
        matches!(self, SignIn::SignedIn)
    }

    /// The sign-in screen, while signed out or signing in.
    pub fn sign_in_view(&self, server: &str) -> Option<SignInView> {
        let t = texts();
        let (busy, message, new_account) = match self {
            SignIn::SignedOut {
                message,
                new_account,
            } => (false, message.clone(), *new_account),
            SignIn::SigningIn { new_account } => (true, None, *new_account),
            SignIn::Starting | SignIn::SignedIn => return None,
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

    fn lost(ends_session: bool) -> SignInEvent {
        SignInEvent::CallFailed(CallFailure {
            message: UserMessage::for_code(ErrorCode::Unauthorized),
            ends_session,
            transient: false,
        })
    }

    fn send(username: &str, password: &str) -> SignInEvent {
        SignInEvent::SignIn {
            username: username.into(),
            password: Redacted::new(password),
        }
    }

    #[test]
    fn a_stored_session_is_used_and_the_demo_signs_itself_in() {
        let mut session = SignIn::default();
        let started = |stored_sign_in, demo_account| SignInEvent::Started {
            stored_sign_in,
            demo_account,
        };
        assert_eq!(
            session.update(started(true, None)),
            [SignInEffect::LoadAccount]
        );
        assert!(session.is_signed_in());

        let mut session = SignIn::default();
        let demo = Some(("demo".to_owned(), Redacted::new("pw")));
        let effects = session.update(started(false, demo));
        assert!(matches!(&effects[..], [SignInEffect::SignIn(sent)] if sent.username == "demo"));
        assert_eq!(session, SignIn::SigningIn { new_account: false });

        let mut session = SignIn::default();
        assert!(session.update(started(false, None)).is_empty());
        assert_eq!(session, SignIn::signed_out(None));
    }

    #[test]
    fn signing_in_is_busy_once_and_a_refusal_is_shown() {
        let mut session = SignIn::signed_out(None);
        assert_eq!(session.update(send("ana", "pw")).len(), 1);
        assert!(
            session.update(send("ana", "pw")).is_empty(),
            "a second tap sends nothing"
        );
        let view = session.sign_in_view("http://x").unwrap();
        assert!(view.busy);
        assert_eq!(view.button_text, "Signing in…");
        let refused = UserMessage::for_code(ErrorCode::InvalidCredentials);
        session.update(SignInEvent::SignInFailed(refused.clone()));
        let view = session.sign_in_view("http://x").unwrap();
        assert_eq!(
            (view.busy, view.message, view.server_text.as_str()),
            (false, Some(refused), "Server: http://x")
        );
        assert_eq!(
            session.update(SignInEvent::SignedIn),
            [SignInEffect::LoadAccount]
        );
        assert_eq!(session.sign_in_view("http://x"), None);
    }

    #[test]
    fn the_create_an_account_form_checks_the_rules_then_signs_up() {
        let mut session = SignIn::signed_out(None);
        assert_eq!(
            session.sign_in_view("s").unwrap().switch_text,
            "New here? Create an account"
        );
        session.update(SignInEvent::SwitchForm);
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
        assert!(matches!(&effects[..], [SignInEffect::SignUp(sent)] if sent.username == "ana"));
        assert_eq!(
            session.sign_in_view("s").unwrap().button_text,
            "Creating account…"
        );
        // A taken name comes back to the same form.
        session.update(SignInEvent::SignInFailed(UserMessage::for_code(
            ErrorCode::AlreadyExists,
        )));
        assert!(session.sign_in_view("s").unwrap().new_account);
        session.update(SignInEvent::SwitchForm);
        let view = session.sign_in_view("s").unwrap();
        assert!(!view.new_account && view.message.is_none());
    }

    #[test]
    fn only_a_lost_session_signs_out_and_it_says_why() {
        let mut session = SignIn::SignedIn;
        assert!(session.update(lost(false)).is_empty());
        assert!(session.is_signed_in());
        assert_eq!(session.update(lost(true)), [SignInEffect::ClearAccount]);
        let SignIn::SignedOut {
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
        let mut session = SignIn::SignedIn;
        assert_eq!(
            session.update(SignInEvent::SignOut),
            [SignInEffect::ClearAccount, SignInEffect::Logout]
        );
        assert_eq!(session, SignIn::signed_out(None));
    }
}
