//! Which server the app talks to. A phone build may carry one (fixed when it is
//! compiled); the user can choose another in Settings, checked with `/health` before
//! it is kept. With neither, the app asks for one before anything else: it never
//! talks to a placeholder.

use super::messages::UserMessage;
use super::text::texts;

/// Why a typed address is not a server address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ServerAddressError {
    #[error("a server address starts with https:// (or http:// for a test server)")]
    Scheme,
    #[error("a server address names a host")]
    NoHost,
    #[error("a server address has no spaces, query or fragment")]
    Extra,
}

/// The address as the client wants it (`https://host[:port][/prefix]`, no trailing
/// slash), from what the user typed.
pub fn parse_server_address(text: &str) -> Result<String, ServerAddressError> {
    let text = text.trim();
    let (scheme, rest) = ["https://", "http://"]
        .into_iter()
        .find_map(|scheme| Some((scheme, text.strip_prefix(scheme)?)))
        .ok_or(ServerAddressError::Scheme)?;
    let rest = rest.trim_end_matches('/');
    if rest
        .chars()
        .any(|c| c.is_whitespace() || c == '?' || c == '#')
    {
        return Err(ServerAddressError::Extra);
    }
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() || host.starts_with(':') || host.contains('@') {
        return Err(ServerAddressError::NoHost);
    }
    Ok(format!("{scheme}{rest}"))
}

/// The server, and the form that changes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerModel {
    /// The server in use; `None` until one is chosen.
    pub address: Option<String>,
    /// The built-in demo server (desktop): not changed from Settings.
    pub demo: bool,
    checking: Option<String>,
    problem: Option<UserMessage>,
    /// Set after a change, for the confirmation.
    changed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerEvent {
    /// The user asks to use the address they typed.
    Submit(String),
    /// The answer to `ServerEffect::Check`.
    Checked {
        address: String,
        answer: Result<(), UserMessage>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerEffect {
    /// Ask `/health` at this address, then send `Checked`.
    Check(String),
    /// Keep this address and talk to it from now on.
    Switch(String),
}

/// The server form, on its own screen (no server yet) or in Settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerView {
    pub title: String,
    pub hint: String,
    /// The address in use, to start the field with.
    pub address: String,
    pub editable: bool,
    pub busy: bool,
    pub button_text: String,
    pub problem: Option<UserMessage>,
    pub confirmation: Option<String>,
}

impl ServerModel {
    pub fn new(address: Option<String>, demo: bool) -> Self {
        Self {
            address,
            demo,
            ..Self::default()
        }
    }

    pub fn update(&mut self, event: ServerEvent) -> Vec<ServerEffect> {
        match event {
            ServerEvent::Submit(text) => {
                if self.demo || self.checking.is_some() {
                    return vec![];
                }
                self.changed = false;
                match parse_server_address(&text) {
                    Ok(address) if Some(&address) == self.address.as_ref() => {
                        self.problem = None;
                        vec![]
                    }
                    Ok(address) => {
                        self.problem = None;
                        self.checking = Some(address.clone());
                        vec![ServerEffect::Check(address)]
                    }
                    Err(error) => {
                        self.problem = Some(UserMessage::for_server_address(error));
                        vec![]
                    }
                }
            }
            ServerEvent::Checked { address, answer } => {
                if self.checking.as_ref() != Some(&address) {
                    return vec![];
                }
                self.checking = None;
                match answer {
                    Ok(()) => {
                        self.address = Some(address.clone());
                        self.changed = true;
                        vec![ServerEffect::Switch(address)]
                    }
                    Err(problem) => {
                        self.problem = Some(problem);
                        vec![]
                    }
                }
            }
        }
    }

    pub fn needs_server(&self) -> bool {
        self.address.is_none()
    }

    pub fn view(&self) -> ServerView {
        let t = texts();
        let busy = self.checking.is_some();
        ServerView {
            title: t.choose_server_title.clone(),
            hint: t.server_address_hint.clone(),
            address: self.address.clone().unwrap_or_default(),
            editable: !self.demo,
            busy,
            button_text: if busy {
                &t.checking_server
            } else {
                &t.use_server
            }
            .clone(),
            problem: self.problem.clone(),
            confirmation: match (&self.address, self.changed) {
                (Some(address), true) => Some(t.server_changed(address)),
                _ => None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_https_or_http_urls_with_a_host() {
        assert_eq!(
            parse_server_address(" https://pay.example.com/ "),
            Ok("https://pay.example.com".into())
        );
        assert_eq!(
            parse_server_address("http://127.0.0.1:8080/gashapay"),
            Ok("http://127.0.0.1:8080/gashapay".into())
        );
        assert_eq!(
            parse_server_address("pay.example.com"),
            Err(ServerAddressError::Scheme)
        );
        assert_eq!(
            parse_server_address("https://"),
            Err(ServerAddressError::NoHost)
        );
        assert_eq!(
            parse_server_address("https://user@evil.example"),
            Err(ServerAddressError::NoHost)
        );
        assert_eq!(
            parse_server_address("https://pay.example.com/?x=1"),
            Err(ServerAddressError::Extra)
        );
    }

    #[test]
    fn a_new_address_is_checked_before_it_is_used() {
        let mut model = ServerModel::new(None, false);
        assert!(model.needs_server());
        let effects = model.update(ServerEvent::Submit("https://a.example".into()));
        assert_eq!(
            effects,
            vec![ServerEffect::Check("https://a.example".into())]
        );
        assert!(model.view().busy);
        // A second submit while checking does nothing.
        assert!(model
            .update(ServerEvent::Submit("https://b.example".into()))
            .is_empty());
        let effects = model.update(ServerEvent::Checked {
            address: "https://a.example".into(),
            answer: Ok(()),
        });
        assert_eq!(
            effects,
            vec![ServerEffect::Switch("https://a.example".into())]
        );
        assert!(!model.needs_server());
        assert!(model
            .view()
            .confirmation
            .unwrap()
            .contains("https://a.example"));
    }

    #[test]
    fn a_server_that_does_not_answer_is_not_kept() {
        let mut model = ServerModel::new(Some("https://old.example".into()), false);
        model.update(ServerEvent::Submit("https://new.example".into()));
        let effects = model.update(ServerEvent::Checked {
            address: "https://new.example".into(),
            answer: Err(UserMessage::server_unreachable()),
        });
        assert!(effects.is_empty());
        assert_eq!(model.address.as_deref(), Some("https://old.example"));
        assert_eq!(
            model.view().problem,
            Some(UserMessage::server_unreachable())
        );
    }

    #[test]
    fn a_typo_is_refused_without_a_request_and_the_demo_server_stays() {
        let mut model = ServerModel::new(None, false);
        assert!(model
            .update(ServerEvent::Submit("pay.example".into()))
            .is_empty());
        assert!(model.view().problem.is_some());
        let mut demo = ServerModel::new(Some("http://127.0.0.1:9".into()), true);
        assert!(demo
            .update(ServerEvent::Submit("https://x.example".into()))
            .is_empty());
        assert!(!demo.view().editable);
    }
}
