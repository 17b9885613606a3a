//! Ports: the small traits the domain talks to. Adapters in `crate::adapters` implement
//! them once for the embedded store and once for AWS; nothing here knows which.

pub mod blob_store;
pub mod clock;
pub mod event_bus;
pub mod item_store;
pub mod mailer;

pub use blob_store::{BlobMeta, BlobStore, SignedRequest};
pub use clock::{Clock, ManualClock, SystemClock};
pub use event_bus::{Event, EventBus, EventConsumer};
pub use item_store::{
    Cond, Item, ItemStore, Key, Page, Query, SkRange, StoreError, Table, WriteOp,
};
pub use mailer::{Mailer, OutgoingEmail};
