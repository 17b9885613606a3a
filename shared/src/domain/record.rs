//! Conversions between domain records and stored items.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::ports::Item;

/// A record stored under `pk`/`sk`; its fields become the item's attributes.
pub fn to_item(pk: String, sk: String, record: &impl Serialize) -> Item {
    let mut item = object(serde_json::to_value(record).unwrap_or(Value::Null));
    item.insert("pk".into(), pk.into());
    item.insert("sk".into(), sk.into());
    item
}

/// Reads a record back from its item; extra attributes (keys, index keys) are ignored.
pub fn from_item<T: DeserializeOwned>(item: Item) -> Result<T> {
    serde_json::from_value(Value::Object(item))
        .map_err(|e| Error::Internal(anyhow::Error::new(e).context("decoding a stored record")))
}

/// The map of a JSON object value (empty for anything else).
pub fn object(value: Value) -> Item {
    match value {
        Value::Object(map) => map,
        _ => Item::new(),
    }
}
