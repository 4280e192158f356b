use super::*;
use proptest::prelude::*;
use serde::Deserialize;

#[derive(Deserialize)]
struct Vectors {
    valid: Vec<ValidVector>,
    rejected: Vec<RejectedVector>,
}

#[derive(Deserialize)]
struct ValidVector {
    name: String,
    device_secret_hex: String,
    payload: VectorPayload,
    signing_bytes_hex: String,
    tag_hex: String,
    code: String,
}

#[derive(Deserialize)]
struct VectorPayload {
    app_id: u32,
    user_id: u64,
    device_id: u32,
    transaction_id: String,
    points: u64,
    issued_at: u64,
    ttl_seconds: u16,
}

#[derive(Deserialize)]
struct RejectedVector {
    name: String,
    code: String,
    error: ErrorCode,
    device_secret_hex: Option<String>,
}

fn vectors() -> Vectors {
    serde_json::from_str(include_str!("../../../docs/qr-test-vectors.json")).unwrap()
}

fn secret_from_hex(hex: &str) -> DeviceSecret {
    let bytes = data_encoding::HEXLOWER.decode(hex.as_bytes()).unwrap();
    DeviceSecret::from_bytes(bytes.try_into().unwrap())
}

fn payload_of(v: &VectorPayload) -> QrPayload {
    QrPayload {
        app_id: AppId(v.app_id),
        user_id: UserId(v.user_id),
        device_id: DeviceId(v.device_id),
        transaction_id: v.transaction_id.parse().unwrap(),
        points: Points(v.points),
        issued_at: v.issued_at,
        ttl_seconds: v.ttl_seconds,
    }
}

fn sample() -> (QrPayload, DeviceSecret) {
    let payload = QrPayload::new_play(
        AppId(1),
        UserId(7),
        DeviceId(3),
        Points(100),
        1_800_000_000,
        300,
    )
    .unwrap();
    (payload, DeviceSecret::generate())
}

#[test]
fn reference_vectors_sign_encode_and_parse_identically() {
    for v in vectors().valid {
        let secret = secret_from_hex(&v.device_secret_hex);
        let payload = payload_of(&v.payload);
        assert_eq!(
            data_encoding::HEXLOWER.encode(&payload.signing_bytes()),
            v.signing_bytes_hex,
            "signing bytes of {}",
            v.name
        );
        let signed = payload.sign(&secret);
        assert_eq!(
            data_encoding::HEXLOWER.encode(&signed.tag),
            v.tag_hex,
            "{}",
            v.name
        );
        assert_eq!(signed.to_text(), v.code, "text of {}", v.name);

        let parsed = SignedCode::parse(&v.code).unwrap();
        assert_eq!(parsed, signed, "parse of {}", v.name);
        parsed.verify(&secret).unwrap();
    }
}

#[test]
fn reference_rejections_give_their_documented_codes() {
    for v in vectors().rejected {
        let result = SignedCode::parse(&v.code).and_then(|code| {
            let secret =
                secret_from_hex(v.device_secret_hex.as_deref().unwrap_or_else(|| {
                    panic!("{} parsed but names no secret to verify with", v.name)
                }));
            code.verify(&secret)
        });
        let error = result.expect_err(&v.name);
        assert_eq!(error.code(), v.error, "{}: {error}", v.name);
    }
}

#[test]
fn round_trip_keeps_every_field() {
    let (payload, secret) = sample();
    let text = payload.sign(&secret).to_text();
    assert!(text.starts_with(PREFIX));
    let parsed = SignedCode::parse(&text).unwrap();
    assert_eq!(parsed.payload, payload);
    parsed.verify(&secret).unwrap();
}

#[test]
fn trailing_newline_from_a_scanner_is_accepted() {
    let (payload, secret) = sample();
    let text = format!("{}\r\n", payload.sign(&secret).to_text());
    assert_eq!(SignedCode::parse(&text).unwrap().payload, payload);
}

#[test]
fn every_tampered_bit_of_the_body_or_tag_is_rejected() {
    let (payload, secret) = sample();
    let signed = payload.sign(&secret);
    let mut bytes = signed.payload.body().to_vec();
    bytes.extend_from_slice(&signed.tag);
    for bit in 0..bytes.len() * 8 {
        let mut tampered = bytes.clone();
        tampered[bit / 8] ^= 1 << (bit % 8);
        let text = format!("{PREFIX}{}", BASE32_NOPAD.encode(&tampered));
        let outcome = SignedCode::parse(&text).and_then(|code| code.verify(&secret));
        assert!(
            matches!(outcome, Err(QrError::BadSignature | QrError::InvalidField)),
            "bit {bit} flipped gave {outcome:?}"
        );
    }
}

#[test]
fn another_devices_secret_does_not_verify() {
    let (payload, secret) = sample();
    let parsed = SignedCode::parse(&payload.sign(&secret).to_text()).unwrap();
    assert_eq!(
        parsed.verify(&DeviceSecret::generate()),
        Err(QrError::BadSignature)
    );
}

#[test]
fn validity_window_allows_skew_both_ways_and_no_more() {
    let (payload, _) = sample();
    let issued = payload.issued_at;
    let skew = 30;
    assert_eq!(payload.check_time(issued, skew), Ok(()));
    assert_eq!(payload.check_time(issued - skew, skew), Ok(()));
    assert_eq!(
        payload.check_time(issued - skew - 1, skew),
        Err(QrError::FromFuture)
    );
    assert_eq!(payload.check_time(issued + 300 + skew - 1, skew), Ok(()));
    assert_eq!(
        payload.check_time(issued + 300 + skew, skew),
        Err(QrError::Expired)
    );
    assert_eq!(QrError::Expired.code(), ErrorCode::CodeExpired);
    assert_eq!(QrError::FromFuture.code(), ErrorCode::CodeFromFuture);
}

#[test]
fn zero_points_zero_ttl_and_oversized_points_cannot_be_signed() {
    let make = |points, ttl| QrPayload::new_play(AppId(1), UserId(1), DeviceId(1), points, 0, ttl);
    assert_eq!(make(Points(0), 300), Err(QrError::InvalidField));
    assert_eq!(make(Points(5), 0), Err(QrError::InvalidField));
    assert_eq!(
        make(Points(u64::from(u32::MAX) + 1), 300),
        Err(QrError::PointsOutOfRange)
    );
}

#[test]
fn each_new_play_has_its_own_transaction_id() {
    let (a, _) = sample();
    let (b, _) = sample();
    assert_ne!(a.transaction_id, b.transaction_id);
}

#[test]
fn device_secret_survives_base64_and_hides_in_debug() {
    let secret = DeviceSecret::generate();
    assert_eq!(
        DeviceSecret::from_base64(&secret.to_base64()),
        Some(secret.clone())
    );
    assert!(!format!("{secret:?}").contains(&secret.to_base64()));
    assert_eq!(DeviceSecret::from_base64("too short"), None);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn parsing_arbitrary_text_never_panics(text in ".{0,400}") {
        let _ = SignedCode::parse(&text);
    }

    #[test]
    fn parsing_prefixed_base32_noise_never_panics(noise in "[A-Z2-7=a-z0-9]{0,140}") {
        let _ = SignedCode::parse(&format!("{PREFIX}{noise}"));
    }

    #[test]
    fn any_random_body_either_fails_to_verify_or_is_rejected(bytes in proptest::collection::vec(any::<u8>(), BODY_LEN + TAG_LEN)) {
        let text = format!("{PREFIX}{}", BASE32_NOPAD.encode(&bytes));
        let secret = DeviceSecret::from_bytes([9; DEVICE_SECRET_LEN]);
        let outcome = SignedCode::parse(&text).and_then(|code| code.verify(&secret));
        prop_assert!(outcome.is_err());
    }

    #[test]
    fn any_valid_payload_round_trips(
        app in any::<u32>(), user in any::<u64>(), device in any::<u32>(),
        points in 1u64..=u64::from(u32::MAX), issued in any::<u64>(), ttl in 1u16..,
    ) {
        let payload = QrPayload::new_play(AppId(app), UserId(user), DeviceId(device), Points(points), issued, ttl).unwrap();
        let secret = DeviceSecret::from_bytes([3; DEVICE_SECRET_LEN]);
        let parsed = SignedCode::parse(&payload.sign(&secret).to_text()).unwrap();
        prop_assert_eq!(parsed.payload, payload);
        prop_assert!(parsed.verify(&secret).is_ok());
    }
}
