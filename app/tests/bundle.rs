//! The phone bundle settings `dx` reads (`app/Dioxus.toml`): what only a phone build
//! uses, checked here so that a lost link scheme or camera sentence fails a test.

use gashapay_core::links::{LINK_PATH_PREFIX, LINK_SCHEME};

fn settings() -> toml::Table {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Dioxus.toml"))
        .expect("app/Dioxus.toml");
    text.parse().expect("Dioxus.toml is TOML")
}

fn strings(value: Option<&toml::Value>) -> Vec<String> {
    value
        .and_then(toml::Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_app_registers_its_link_scheme_and_the_backends_https_links() {
    let settings = settings();
    let links = settings["deep_links"].as_table().expect("[deep_links]");
    assert_eq!(strings(links.get("schemes")), [LINK_SCHEME]);
    let hosts = strings(links.get("hosts"));
    assert!(
        !hosts.is_empty() && hosts.iter().all(|h| !h.contains('/') && h.contains('.')),
        "hosts are bare domain names: {hosts:?}"
    );
    assert_eq!(
        strings(links.get("paths")),
        [format!("{LINK_PATH_PREFIX}*")]
    );
}

#[test]
fn the_camera_use_is_explained_to_the_user() {
    let settings = settings();
    let camera = settings["permissions"]["camera"]["description"]
        .as_str()
        .expect("[permissions] camera.description");
    assert!(
        camera.contains("camera") && camera.contains("QR"),
        "{camera}"
    );
}
