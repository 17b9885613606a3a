//! Opaque list cursors, bound to the caller's team and the list they came from, so a
//! cursor from elsewhere is refused instead of reading other data.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::ports::Item;

/// The default page size of every list.
pub const DEFAULT_LIMIT: usize = 50;
/// The largest page size of every list.
pub const MAX_LIMIT: usize = 200;

/// Validates a `limit` query parameter.
pub fn limit(value: Option<usize>) -> Result<usize> {
    match value {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(n) => Err(Error::invalid(
            "limit",
            format!("must be between 1 and {MAX_LIMIT}, not {n}"),
        )),
    }
}

/// Encodes the store position `next` of the list `list` for `team_id`.
pub fn encode(team_id: &str, list: &str, next: &Item) -> String {
    let raw = json!({ "t": team_id, "l": list, "k": next });
    URL_SAFE_NO_PAD.encode(raw.to_string())
}

/// Decodes a cursor given back by a client, refusing one from another team or list.
pub fn decode(team_id: &str, list: &str, cursor: &str) -> Result<Item> {
    let bad = || {
        Error::invalid(
            "cursor",
            "is not a cursor of this list; start again without one",
        )
    };
    let raw = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let value: Value = serde_json::from_slice(&raw).map_err(|_| bad())?;
    if value["t"] != team_id || value["l"] != list {
        return Err(bad());
    }
    match value.get("k") {
        Some(Value::Object(key)) => Ok(key.clone()),
        _ => Err(bad()),
    }
}

/// The store position a list request starts after: none without a `cursor`.
pub fn start(team_id: &str, list: &str, cursor: Option<&str>) -> Result<Option<Item>> {
    cursor.map(|c| decode(team_id, list, c)).transpose()
}

/// The `next_cursor` answered with a page: none on the last page.
pub fn next_cursor(team_id: &str, list: &str, next: Option<Item>) -> Option<String> {
    next.map(|n| encode(team_id, list, &n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_only_works_for_its_team_and_list() {
        let mut key = Item::new();
        key.insert("pk".into(), "T#a".into());
        let cursor = encode("team-a", "users:p1", &key);
        assert_eq!(decode("team-a", "users:p1", &cursor).unwrap(), key);
        assert!(decode("team-b", "users:p1", &cursor).is_err());
        assert!(decode("team-a", "tasks:p1", &cursor).is_err());
        assert!(decode("team-a", "users:p1", "garbage!").is_err());
    }
}
