//! What the app does each time it shows or renews a code: sign a fresh payload,
//! encode it as text, and render the QR symbol. Goal: ≤ 2 ms in release.
//! `cargo bench -p gashapay-core --features render --bench qr`

use criterion::{criterion_group, criterion_main, Criterion};
use gashapay_core::clock::unix_now;
use gashapay_core::device::DeviceCredentials;
use gashapay_core::qr::{render, DeviceSecret};
use gashapay_core::{AppId, DeviceId, Points, UserId};
use std::hint::black_box;

fn credentials() -> DeviceCredentials {
    DeviceCredentials {
        app_id: AppId(1),
        user_id: UserId(42),
        device_id: DeviceId(7),
        secret: DeviceSecret::generate(),
    }
}

fn sign_encode_render(c: &mut Criterion) {
    let device = credentials();
    let mut group = c.benchmark_group("qr");
    group.bench_function("sign + encode", |b| {
        b.iter(|| {
            let code = device.make_code(Points(100), unix_now(), 300).unwrap();
            black_box(code.to_text())
        })
    });
    // The app shows the SVG; the CLI and the tests use the PNG.
    group.bench_function("sign + encode + render svg", |b| {
        b.iter(|| {
            let code = device.make_code(Points(100), unix_now(), 300).unwrap();
            black_box(render::svg(&code.to_text()).unwrap())
        })
    });
    group.bench_function("sign + encode + render png (8 px modules)", |b| {
        b.iter(|| {
            let code = device.make_code(Points(100), unix_now(), 300).unwrap();
            black_box(render::png(&code.to_text(), 8).unwrap())
        })
    });
    group.finish();
}

criterion_group!(benches, sign_encode_render);
criterion_main!(benches);
