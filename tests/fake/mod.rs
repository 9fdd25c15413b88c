//! Faithful fakes of the vendor APIs, for the pull tests.
pub mod server;
pub mod zendesk;
pub mod zoom;
