#!/usr/bin/env python3
"""Independent reference implementation of the GashaPay QR code, version 1.

Writes docs/qr-test-vectors.json from the definitions in docs/PROTOCOL.md using only
Python's standard library, so the Rust implementation is checked against code it did
not write. Run: python3 docs/qr_vectors.py > docs/qr-test-vectors.json
"""
import base64
import hashlib
import hmac
import json
import struct
import uuid

PREFIX = "GP1:"
DOMAIN = b"GP1"
TAG_LEN = 16


def body(p):
    return struct.pack(
        ">IQI16sIQH",
        p["app_id"],
        p["user_id"],
        p["device_id"],
        uuid.UUID(p["transaction_id"]).bytes,
        p["points"],
        p["issued_at"],
        p["ttl_seconds"],
    )


def vector(name, secret_hex, payload):
    signing = DOMAIN + body(payload)
    tag = hmac.new(bytes.fromhex(secret_hex), signing, hashlib.sha256).digest()[:TAG_LEN]
    text = PREFIX + base64.b32encode(body(payload) + tag).decode().rstrip("=")
    return {
        "name": name,
        "device_secret_hex": secret_hex,
        "payload": payload,
        "signing_bytes_hex": signing.hex(),
        "tag_hex": tag.hex(),
        "code": text,
    }


valid = [
    vector(
        "demo play",
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
        {
            "app_id": 1,
            "user_id": 1,
            "device_id": 1,
            "transaction_id": "5f0c6a8e-2d3b-4c1a-9e7f-0123456789ab",
            "points": 100,
            "issued_at": 1795000000,
            "ttl_seconds": 300,
        },
    ),
    vector(
        "largest values",
        "ff" * 32,
        {
            "app_id": 4294967295,
            "user_id": 18446744073709551615,
            "device_id": 4294967295,
            "transaction_id": "ffffffff-ffff-4fff-bfff-ffffffffffff",
            "points": 4294967295,
            "issued_at": 18446744073709551615,
            "ttl_seconds": 65535,
        },
    ),
    vector(
        "one point, one second",
        "7a" * 32,
        {
            "app_id": 7,
            "user_id": 42,
            "device_id": 3,
            "transaction_id": "00000000-0000-4000-8000-000000000000",
            "points": 1,
            "issued_at": 0,
            "ttl_seconds": 1,
        },
    ),
]

demo = valid[0]
raw = base64.b32decode(demo["code"][4:] + "====")
tampered_tag = PREFIX + base64.b32encode(raw[:-1] + bytes([raw[-1] ^ 0x01])).decode().rstrip("=")
# The last base32 character carries 4 padding bits that must be zero: one code, one text.
nonzero_trailing = demo["code"][:-1] + chr(ord(demo["code"][-1]) + 1)
rejected = [
    {"name": "empty", "code": "", "error": "malformed_code"},
    {"name": "other text", "code": "https://example.com", "error": "malformed_code"},
    {"name": "newer version", "code": "GP2:" + demo["code"][4:], "error": "unsupported_code_version"},
    {"name": "lowercase", "code": "GP1:" + demo["code"][4:].lower(), "error": "malformed_code"},
    {"name": "padding", "code": demo["code"] + "====", "error": "malformed_code"},
    {"name": "truncated", "code": demo["code"][:-8], "error": "malformed_code"},
    {"name": "too long", "code": "GP1:" + "A" * 300, "error": "malformed_code"},
    {
        "name": "zero points",
        "code": PREFIX + base64.b32encode(
            body(dict(demo["payload"], points=0)) + bytes(TAG_LEN)
        ).decode().rstrip("="),
        "error": "malformed_code",
    },
    {"name": "non-zero trailing bits", "code": nonzero_trailing, "error": "malformed_code"},
    {"name": "tampered tag", "code": tampered_tag, "error": "invalid_signature",
     "device_secret_hex": demo["device_secret_hex"]},
]

print(json.dumps({"version": 1, "valid": valid, "rejected": rejected}, indent=2))
