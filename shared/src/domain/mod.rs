//! Domain: one module per area. Talks to the ports only; no HTTP, SQL or AWS here.

pub mod activity;
pub mod bootstrap;
pub mod content;
pub mod databases;
pub mod dates;
pub mod docs;
pub mod events;
pub mod files;
pub mod graphql;
pub mod html;
pub mod idempotency;
pub mod items;
pub mod keys;
pub mod meetings;
pub mod paging;
pub mod record;
pub mod rows;
pub mod tasks;
pub mod tenancy;
