//! The links that open the app (PROTOCOL §9, §10): the `gashapay:` scheme, and https
//! links on the backend under one path prefix, so a phone's camera opens either. The
//! app's bundle settings (`app/Dioxus.toml`) register both.
//!
//! A machine's printed code is `…/m/<code_id>`; a buy-first order's code is
//! `…/o/<machine_id>/<order_id>?item=…&amount=…&expires=…&sig=…`; a partner's reward
//! code is `…/r/<code_id>` (PROTOCOL §12).

use crate::ids::{MachineId, Points};
use crate::order_code::OrderCode;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// `gashapay:…` links.
pub const LINK_SCHEME: &str = "gashapay";

/// The path under which the backend's https links live: `https://<server>/l/…`.
pub const LINK_PATH_PREFIX: &str = "/l/";

/// The prefix of a printed code's id.
pub const MACHINE_CODE_PREFIX: &str = "mc_";

/// The prefix of a reward code's id.
pub const REWARD_CODE_PREFIX: &str = "rc_";

/// Longest link the app reads (a QR symbol holds little more anyway).
pub const MAX_LINK_LEN: usize = 1024;

/// What a link asks the app to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppLink {
    /// A machine's printed code: load points into a session on it.
    MachineCode { code_id: String },
    /// A buy-first order: pay for it.
    Order(OrderCode),
    /// A partner's reward code: earn its points.
    Reward { code_id: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("this is not a GashaPay link")]
    NotOurs,
    #[error("this GashaPay link is damaged or incomplete")]
    Malformed,
}

/// What is kept as is in a link's path and query values: letters, digits, `-_.~`.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn encode(text: &str) -> String {
    utf8_percent_encode(text, UNRESERVED).to_string()
}

fn decode(text: &str) -> Result<String, LinkError> {
    percent_decode_str(text)
        .decode_utf8()
        .map(|text| text.into_owned())
        .map_err(|_| LinkError::Malformed)
}

impl AppLink {
    /// Reads `gashapay://…` or `http(s)://<any host>/l/…`. Which server a link names
    /// is not trusted: the app always asks its own server about the code.
    pub fn parse(link: &str) -> Result<Self, LinkError> {
        let link = link.trim();
        if link.len() > MAX_LINK_LEN {
            return Err(LinkError::Malformed);
        }
        let rest = if let Some(rest) = strip_prefix_ignore_case(link, "gashapay://") {
            rest
        } else if let Some(after_scheme) = strip_prefix_ignore_case(link, "https://")
            .or_else(|| strip_prefix_ignore_case(link, "http://"))
        {
            let path = &after_scheme[after_scheme.find('/').ok_or(LinkError::NotOurs)?..];
            path.strip_prefix(LINK_PATH_PREFIX)
                .ok_or(LinkError::NotOurs)?
        } else {
            return Err(LinkError::NotOurs);
        };
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        match segments.as_slice() {
            ["m", code_id] if is_machine_code_id(code_id) => Ok(AppLink::MachineCode {
                code_id: (*code_id).to_owned(),
            }),
            ["r", code_id] if is_reward_code_id(code_id) => Ok(AppLink::Reward {
                code_id: (*code_id).to_owned(),
            }),
            ["o", machine_id, order_id] => {
                let field = |name: &str| -> Result<String, LinkError> {
                    query
                        .split('&')
                        .filter_map(|pair| pair.split_once('='))
                        .find(|(key, _)| *key == name)
                        .map(|(_, value)| decode(value))
                        .ok_or(LinkError::Malformed)?
                };
                let number = |name: &str| -> Result<u64, LinkError> {
                    field(name)?.parse().map_err(|_| LinkError::Malformed)
                };
                let order = OrderCode {
                    machine_id: MachineId(decode(machine_id)?),
                    order_id: decode(order_id)?,
                    item: field("item")?,
                    amount: Points(number("amount")?),
                    expires: number("expires")?,
                    sig: field("sig")?,
                };
                order.check_fields().map_err(|_| LinkError::Malformed)?;
                Ok(AppLink::Order(order))
            }
            _ => Err(LinkError::Malformed),
        }
    }

    /// The path after the prefix: `m/<code_id>` or `o/<machine>/<order>?…`.
    fn tail(&self) -> String {
        match self {
            AppLink::MachineCode { code_id } => format!("m/{code_id}"),
            AppLink::Reward { code_id } => format!("r/{code_id}"),
            AppLink::Order(order) => format!(
                "o/{}/{}?item={}&amount={}&expires={}&sig={}",
                encode(&order.machine_id.0),
                encode(&order.order_id),
                encode(&order.item),
                order.amount.0,
                order.expires,
                encode(&order.sig)
            ),
        }
    }

    /// The https form on the server at `base_url` (e.g. `https://pay.gashapay.app`).
    pub fn https_link(&self, base_url: &str) -> String {
        format!(
            "{}{LINK_PATH_PREFIX}{}",
            base_url.trim_end_matches('/'),
            self.tail()
        )
    }

    /// The `gashapay://` form.
    pub fn app_link(&self) -> String {
        format!("{LINK_SCHEME}://{}", self.tail())
    }
}

/// `mc_` and 20 characters of `a-z 2-7`.
pub fn is_machine_code_id(text: &str) -> bool {
    is_code_id(text, MACHINE_CODE_PREFIX)
}

/// `rc_` and 20 characters of `a-z 2-7`, made as printed codes are.
pub fn is_reward_code_id(text: &str) -> bool {
    is_code_id(text, REWARD_CODE_PREFIX)
}

/// `prefix` and 20 characters of `a-z 2-7` (100 random bits in base 32).
fn is_code_id(text: &str, prefix: &str) -> bool {
    text.strip_prefix(prefix).is_some_and(|rest| {
        rest.len() == 20
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b))
    })
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhook::WebhookSecret;

    const CODE: &str = "mc_abcdefghij234567klmn";

    #[test]
    fn a_printed_code_reads_the_same_in_both_forms() {
        let link = AppLink::MachineCode {
            code_id: CODE.into(),
        };
        let https = link.https_link("https://pay.gashapay.app/");
        assert_eq!(https, format!("https://pay.gashapay.app/l/m/{CODE}"));
        assert_eq!(link.app_link(), format!("gashapay://m/{CODE}"));
        for text in [
            https,
            link.app_link(),
            format!("http://127.0.0.1:8080/l/m/{CODE}/"),
        ] {
            assert_eq!(AppLink::parse(&text), Ok(link.clone()), "{text}");
        }
    }

    #[test]
    fn an_order_survives_the_round_trip_with_any_item_name() {
        let order = OrderCode::signed(
            MachineId("m_demo".into()),
            "o-7",
            "Capsule A & B / 100% 🍬",
            Points(150),
            1_800_000_120,
            &WebhookSecret::generate(),
        );
        let link = AppLink::Order(order);
        for text in [link.https_link("http://127.0.0.1:9"), link.app_link()] {
            assert_eq!(AppLink::parse(&text), Ok(link.clone()), "{text}");
        }
    }

    #[test]
    fn other_links_and_damaged_ones_are_told_apart() {
        for other in [
            "https://example.com/",
            "https://example.com/x/m/mc_1",
            "mailto:a@b",
            "",
        ] {
            assert_eq!(AppLink::parse(other), Err(LinkError::NotOurs), "{other}");
        }
        for damaged in [
            "gashapay://m/mc_short",
            "gashapay://m/MC_ABCDEFGHIJ234567KLMN",
            "gashapay://x/1",
            "gashapay://o/m_demo/o-1?item=A&amount=150&expires=1",
            "gashapay://o/m_demo/o-1?item=A&amount=lots&expires=1&sig=x",
            "gashapay://o/m_demo/o-1?item=%FF&amount=1&expires=1&sig=x",
        ] {
            assert_eq!(
                AppLink::parse(damaged),
                Err(LinkError::Malformed),
                "{damaged}"
            );
        }
        assert_eq!(
            AppLink::parse(&format!("gashapay://m/{}", "a".repeat(2000))),
            Err(LinkError::Malformed)
        );
    }
}
