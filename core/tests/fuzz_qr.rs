//! The QR parser, fuzzed: arbitrary text, prefixed base32 noise, random bodies, and
//! single-character edits of a genuine code. It never panics; and the only text that
//! parses and verifies as the genuine code is the genuine text (give or take the
//! surrounding whitespace a scanner adds): one code, one text form, no forgery by
//! small edits. `GASHAPAY_FUZZ_CASES` sets the case count (20,000 by default; the
//! documented million-case run is in docs/BENCHMARKS.md).

use gashapay_core::device::DeviceCredentials;
use gashapay_core::qr::{DeviceSecret, SignedCode, BODY_LEN, PREFIX, TAG_LEN};
use gashapay_core::{AppId, DeviceId, Points, UserId};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

#[derive(Debug, Clone)]
enum Input {
    /// Any Unicode text.
    Text(String),
    /// The right prefix, then base32-ish noise of any length.
    Noise(String),
    /// The right prefix and length, random bytes: a parse, but never a valid tag.
    Body(Vec<u8>),
    /// The genuine code with one character replaced, inserted or removed.
    Edit { at: usize, op: u8, with: char },
}

fn input() -> impl Strategy<Value = Input> {
    prop_oneof![
        ".{0,300}".prop_map(Input::Text),
        "[A-Z2-7=a-z0-9 \n]{0,140}".prop_map(Input::Noise),
        prop::collection::vec(any::<u8>(), BODY_LEN + TAG_LEN).prop_map(Input::Body),
        (
            0usize..120,
            0u8..3,
            prop_oneof![
                4 => prop::sample::select(BASE32).prop_map(char::from),
                1 => any::<char>(),
            ]
        )
            .prop_map(|(at, op, with)| Input::Edit { at, op, with }),
    ]
}

fn text_of(input: &Input, genuine: &str) -> String {
    match input {
        Input::Text(text) => text.clone(),
        Input::Noise(noise) => format!("{PREFIX}{noise}"),
        Input::Body(bytes) => format!("{PREFIX}{}", data_encoding::BASE32_NOPAD.encode(bytes)),
        Input::Edit { at, op, with } => {
            let mut chars: Vec<char> = genuine.chars().collect();
            let at = at % (chars.len() + 1);
            match op {
                0 if at < chars.len() => chars[at] = *with,
                1 => chars.insert(at, *with),
                _ if at < chars.len() => {
                    chars.remove(at);
                }
                _ => chars.push(*with),
            }
            chars.into_iter().collect()
        }
    }
}

#[test]
fn the_qr_parser_never_panics_and_no_edit_of_a_code_verifies() {
    let cases: u32 = std::env::var("GASHAPAY_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let secret = DeviceSecret::from_bytes([7; 32]);
    let device = DeviceCredentials {
        app_id: AppId(1),
        user_id: UserId(42),
        device_id: DeviceId(9),
        secret: secret.clone(),
    };
    let genuine = device
        .make_code(Points(100), 1_700_000_000, 300)
        .unwrap()
        .to_text();

    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&input(), |input| {
            let text = text_of(&input, &genuine);
            let parsed = SignedCode::parse(&text);
            if let Ok(code) = &parsed {
                // Whatever parses has exactly one text form.
                prop_assert_eq!(
                    code.to_text(),
                    text.trim_matches(|c: char| c.is_ascii_whitespace())
                );
                if code.verify(&secret).is_ok() {
                    prop_assert_eq!(&code.to_text(), &genuine, "an edit verified: {:?}", input);
                }
            }
            Ok(())
        })
        .unwrap();
}
