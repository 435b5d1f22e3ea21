//! The id of the request being served: the HTTP layer assigns it (and stores it in the
//! request's extensions), error mapping, logs and the UI's error pages read it.

/// The id of the request being served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);
