//! The Aamu project API as a library: every behaviour lives here, entry points do not.
//!
//! Layers, with arrows pointing inward only: `http` and `consumers` use `domain` and
//! `auth`; `domain` uses `ports`; `adapters` implement `ports` for SQLite, a local
//! directory, an outbox of `.eml` files and an in-process bus, or for DynamoDB, S3,
//! SES v2 and EventBridge. `App` holds the adapters chosen once from `Config`.

pub mod adapters;
pub mod ports;
pub mod testing;
