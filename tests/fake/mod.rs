//! Faithful fakes of the vendor APIs, for the pull tests, and what those tests do around
//! each run of `normalog pull`.
pub mod pull;
pub mod server;
pub mod zendesk;
pub mod zoom;
