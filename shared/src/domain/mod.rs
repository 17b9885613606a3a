//! Domain: one module per area. Talks to the ports only; no HTTP, SQL or AWS here.

pub mod activity;
pub mod bootstrap;
pub mod databases;
pub mod dates;
pub mod events;
pub mod graphql;
pub mod html;
pub mod idempotency;
pub mod keys;
pub mod paging;
pub mod record;
pub mod rows;
pub mod tenancy;
