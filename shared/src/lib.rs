//! The Aamu project API as a library: every behaviour lives here, entry points do not.
//!
//! Layers, with arrows pointing inward only: `http` and `consumers` use `domain` and
//! `auth`; `domain` uses `ports`; `adapters` implement `ports` for SQLite, a local
//! directory, an outbox of `.eml` files and an in-process bus, or for DynamoDB, S3,
//! SES v2 and EventBridge. `App` holds the adapters chosen once from `Config`.
//!
//! Entry points stay a few lines: a Lambda binary hands its route group's router and
//! the port builders it needs (`app::Needs`) to `lambda::run`, which reads `Config` and
//! builds `App` once; clients and caches then live across warm invocations, and the
//! binary links only the adapters it names. `aamu serve` builds every port and serves
//! every group on one socket.

pub mod adapters;
pub mod app;
pub mod auth;
pub mod config;
pub mod domain;
pub mod error;
pub mod http;
pub mod ids;
pub mod lambda;
pub mod ports;
pub mod telemetry;
pub mod testing;

pub use app::App;
pub use config::Config;
pub use error::{Error, Result};
