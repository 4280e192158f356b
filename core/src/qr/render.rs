//! QR symbols for a code's text: SVG for the app, PNG bytes for the CLI and tests.
//! Error correction M: survives smudged phone screens and glare while keeping the
//! symbol small enough (version 5 for a v1 code) for cheap machine scanners.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode, Version};
use std::io::Cursor;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("the text does not fit in a QR symbol: {0}")]
    TooLong(#[from] qrcode::types::QrError),
    #[error("could not encode the PNG: {0}")]
    Png(#[from] image::ImageError),
}

fn symbol(text: &str) -> Result<QrCode, RenderError> {
    Ok(QrCode::with_error_correction_level(
        text.as_bytes(),
        EcLevel::M,
    )?)
}

/// The QR version (1–40) the text needs at error correction M.
pub fn version(text: &str) -> Result<i16, RenderError> {
    Ok(match symbol(text)?.version() {
        Version::Normal(v) => v,
        Version::Micro(v) => v,
    })
}

/// A scalable SVG, black on white with the standard four-module quiet zone.
pub fn svg(text: &str) -> Result<String, RenderError> {
    Ok(symbol(text)?
        .render::<svg::Color<'_>>()
        .min_dimensions(256, 256)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .quiet_zone(true)
        .build())
}

/// The SVG as a `data:` URL, for an `<img>`: a web view keeps an image's pixels, so
/// redrawing what is around it (the minutes left) does not draw the symbol again.
pub fn svg_data_url(text: &str) -> Result<String, RenderError> {
    use base64::Engine;
    let svg = svg(text)?;
    Ok(format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    ))
}

/// A PNG with each module `module_px` pixels wide (quiet zone included).
pub fn png(text: &str, module_px: u32) -> Result<Vec<u8>, RenderError> {
    let image = symbol(text)?
        .render::<image::Luma<u8>>()
        .module_dimensions(module_px.max(1), module_px.max(1))
        .quiet_zone(true)
        .build();
    let mut bytes = Vec::new();
    image::DynamicImage::ImageLuma8(image)
        .write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{AppId, DeviceId, Points, UserId};
    use crate::qr::{DeviceSecret, QrPayload, SignedCode};

    fn code_text() -> String {
        QrPayload::new_play(
            AppId(u32::MAX),
            UserId(u64::MAX),
            DeviceId(u32::MAX),
            Points(u64::from(u32::MAX)),
            u64::MAX - 400,
            300,
        )
        .unwrap()
        .sign(&DeviceSecret::generate())
        .to_text()
    }

    #[test]
    fn the_data_url_carries_the_same_svg() {
        use base64::Engine;
        let text = code_text();
        let url = svg_data_url(&text).unwrap();
        let encoded = url.strip_prefix("data:image/svg+xml;base64,").unwrap();
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .unwrap();
        assert_eq!(String::from_utf8(decoded).unwrap(), svg(&text).unwrap());
    }

    #[test]
    fn a_code_fits_qr_version_5_at_error_correction_m() {
        assert_eq!(version(&code_text()).unwrap(), 5);
    }

    #[test]
    fn the_png_decodes_back_to_the_same_code_with_a_real_decoder() {
        let text = code_text();
        let png = png(&text, 4).unwrap();
        let image = image::load_from_memory(&png).unwrap().to_luma8();
        let mut prepared = rqrr::PreparedImage::prepare(image);
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, decoded) = grids[0].decode().unwrap();
        assert_eq!(decoded, text);
        assert!(SignedCode::parse(&decoded).is_ok());
    }

    #[test]
    fn the_svg_is_a_black_on_white_svg_document() {
        let svg = svg(&code_text()).unwrap();
        assert!(svg.starts_with("<?xml"));
        assert!(svg.contains("<svg"));
        assert!(svg.contains("#000000"));
    }
}
