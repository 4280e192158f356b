//! Error answers several operations share, to list in a `responses(...)` by name:
//! each is one status with the `ErrorBody` shape and the same description everywhere.

use std::collections::BTreeMap;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};

fn error(status: u16, description: &str) -> BTreeMap<String, RefOr<Response>> {
    let content = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("ErrorBody")))
        .build();
    let response = ResponseBuilder::new()
        .description(description)
        .content("application/json", content)
        .build();
    BTreeMap::from([(status.to_string(), RefOr::T(response))])
}

macro_rules! error_answer {
    ($(#[$doc:meta])* $name:ident = $status:literal, $description:literal) => {
        $(#[$doc])*
        pub struct $name;

        impl utoipa::IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                error($status, $description)
            }
        }
    };
}

error_answer!(
    /// The body (or a parameter) did not parse or is out of range.
    BadRequest = 400,
    "`bad_request`: the body or a parameter is not valid"
);
error_answer!(
    /// A user endpoint without a live access token.
    NoSession = 401,
    "`unauthorized` or `token_expired`: no live access token"
);
error_answer!(
    /// An operator endpoint without the operator key.
    NotOperator = 401,
    "`unauthorized`: no valid operator key"
);
error_answer!(
    /// An operator endpoint naming a machine or device that does not exist.
    NoSuchThing = 404,
    "`not_found`: no such machine or device"
);
error_answer!(
    /// The request deadline (`limits.rs`).
    Timeout = 408,
    "`request_timeout`: the request took longer than the deadline"
);
error_answer!(
    /// The body limit.
    TooLarge = 413,
    "`payload_too_large`: the body is over 16 KiB"
);
