//! Limits on a request's head, checked before routing so that every path, known or
//! not, answers them at once and in the documented JSON shape. They sit below
//! hyper's own (a 64 KiB URI, 100 headers, a ~400 KiB head), which answer with a bare
//! status; between the two, a client gets a code it can read.

use crate::http::error::ApiError;
use axum::http::{header, Request};
use gashapay_core::ErrorCode;

/// Longest path and query, in bytes.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Most header fields in one request.
pub const MAX_HEADERS: usize = 64;
/// Most bytes of header names and values in one request.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// Refuses a head over the limits, or a body declared larger than `body_limit`
/// (refused before a byte of it is read).
pub fn check<B>(request: &Request<B>, body_limit: usize) -> Result<(), ApiError> {
    let uri_bytes = request
        .uri()
        .path_and_query()
        .map_or(0, |pq| pq.as_str().len());
    if uri_bytes > MAX_URI_BYTES {
        return Err(ApiError::new(
            ErrorCode::UriTooLong,
            format!(
                "the path and query are {uri_bytes} bytes; at most {MAX_URI_BYTES} are accepted"
            ),
        ));
    }
    let headers = request.headers();
    let header_bytes: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if headers.len() > MAX_HEADERS || header_bytes > MAX_HEADER_BYTES {
        return Err(ApiError::new(
            ErrorCode::HeadersTooLarge,
            format!(
                "{} header fields of {header_bytes} bytes; at most {MAX_HEADERS} fields and {MAX_HEADER_BYTES} bytes are accepted",
                headers.len()
            ),
        ));
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|text| text.parse::<u64>().ok());
    if declared.is_some_and(|length| length > body_limit as u64) {
        return Err(ApiError::of(ErrorCode::PayloadTooLarge));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(uri: &str) -> axum::http::request::Builder {
        Request::builder().uri(uri)
    }

    fn code(result: Result<(), ApiError>) -> Option<ErrorCode> {
        result.err().map(|e| e.code)
    }

    #[test]
    fn each_limit_refuses_just_past_it_and_not_at_it() {
        let at = format!("/{}", "a".repeat(MAX_URI_BYTES - 1));
        let past = format!("/{}", "a".repeat(MAX_URI_BYTES));
        assert_eq!(code(check(&request(&at).body(()).unwrap(), 100)), None);
        assert_eq!(
            code(check(&request(&past).body(()).unwrap(), 100)),
            Some(ErrorCode::UriTooLong)
        );

        let mut many = request("/");
        for i in 0..=MAX_HEADERS {
            many = many.header(format!("x-{i}"), "1");
        }
        assert_eq!(
            code(check(&many.body(()).unwrap(), 100)),
            Some(ErrorCode::HeadersTooLarge)
        );
        let big = request("/")
            .header("x-big", "v".repeat(MAX_HEADER_BYTES))
            .body(())
            .unwrap();
        assert_eq!(code(check(&big, 100)), Some(ErrorCode::HeadersTooLarge));

        let declared = |length: usize| {
            request("/")
                .header(header::CONTENT_LENGTH, length)
                .body(())
                .unwrap()
        };
        assert_eq!(code(check(&declared(100), 100)), None);
        assert_eq!(
            code(check(&declared(101), 100)),
            Some(ErrorCode::PayloadTooLarge)
        );
    }
}
