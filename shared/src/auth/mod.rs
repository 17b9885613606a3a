//! Authentication and authorisation: API key format and verification, scopes, and the
//! project and actor a request acts in.

pub mod access;
pub mod api_keys;
pub mod scopes;

pub use access::{Access, Need};
pub use api_keys::ApiKey;
pub use scopes::{Feature, Permission, Scope};
