//! `ItemStore`: a DynamoDB-shaped key-value store. Items are JSON objects with string
//! attributes `pk` and `sk`; an optional secondary index reads `gsi1pk` and `gsi1sk`.
//! Both adapters implement exactly these semantics, conditions included.

use async_trait::async_trait;
use serde_json::{Map, Value};

/// One stored item: a JSON object that always carries `pk` and `sk`.
pub type Item = Map<String, Value>;

/// The largest item both adapters accept, as DynamoDB counts it (400 KB).
pub const MAX_ITEM_BYTES: usize = 400 * 1024;

/// The most keys one batch get or one transaction carries in a single call.
pub const MAX_BATCH_KEYS: usize = 100;

/// The most operations in one transactional write.
pub const MAX_TRANSACTION_OPS: usize = 100;

/// The logical tables of the design.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    /// Teams, projects, users, keys, tasks, docs, ... and the outbox.
    Items,
    /// Database rows and their cell-level activity.
    Rows,
}

impl Table {
    /// Every table, in a fixed order.
    pub const ALL: [Table; 2] = [Table::Items, Table::Rows];

    /// The short name used by the embedded store and in configuration defaults.
    pub fn name(self) -> &'static str {
        match self {
            Table::Items => "items",
            Table::Rows => "rows",
        }
    }
}

/// The primary key of an item.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        Key {
            pk: pk.into(),
            sk: sk.into(),
        }
    }

    /// The key of a stored item, when it has string `pk` and `sk` attributes.
    pub fn of(item: &Item) -> Option<Key> {
        let pk = item.get("pk")?.as_str()?;
        let sk = item.get("sk")?.as_str()?;
        Some(Key::new(pk, sk))
    }
}

/// A condition on the item currently stored under a key.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    /// An item exists under the key.
    Exists,
    /// No item exists under the key.
    NotExists,
    /// The item exists and its attribute equals the value.
    Equals(String, Value),
    /// No item exists, or it lacks the attribute (or holds null there), as
    /// DynamoDB's `attribute_not_exists` treats it.
    Missing(String),
}

impl Cond {
    /// The optimistic-concurrency condition every versioned update uses.
    pub fn version(version: u64) -> Cond {
        Cond::Equals("version".into(), Value::from(version))
    }

    /// Whether the condition holds for the item currently stored (if any).
    pub fn holds(&self, current: Option<&Item>) -> bool {
        match (self, current) {
            (Cond::Exists, current) => current.is_some(),
            (Cond::NotExists, current) => current.is_none(),
            (Cond::Equals(attr, value), Some(item)) => item.get(attr) == Some(value),
            (Cond::Missing(attr), Some(item)) => item.get(attr).is_none_or(Value::is_null),
            (Cond::Missing(_), None) => true,
            (Cond::Equals(..), None) => false,
        }
    }
}

/// Whether every condition holds (an empty list always holds).
pub fn all_hold(conds: &[Cond], current: Option<&Item>) -> bool {
    conds.iter().all(|c| c.holds(current))
}

/// A range on the sort key of a query.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum SkRange {
    /// Every sort key in the partition.
    #[default]
    All,
    /// Sort keys starting with the prefix.
    BeginsWith(String),
    /// Sort keys between both bounds, inclusive.
    Between(String, String),
    /// Sort keys strictly greater than the bound.
    After(String),
    /// Sort keys strictly less than the bound.
    Before(String),
}

impl SkRange {
    /// Whether a sort key falls in the range.
    pub fn contains(&self, sk: &str) -> bool {
        match self {
            SkRange::All => true,
            SkRange::BeginsWith(p) => sk.starts_with(p.as_str()),
            SkRange::Between(a, b) => sk >= a.as_str() && sk <= b.as_str(),
            SkRange::After(a) => sk > a.as_str(),
            SkRange::Before(b) => sk < b.as_str(),
        }
    }
}

/// A query over one partition, of the table or of its `gsi1` index.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub table: Table,
    /// Query the `gsi1` index (`gsi1pk`, `gsi1sk`) instead of the primary key.
    pub index: bool,
    pub pk: String,
    pub sk: SkRange,
    /// Newest (greatest sort key) first.
    pub descending: bool,
    /// At most this many items in the page (1..=1000).
    pub limit: usize,
    /// Continue after this item: the `next` of the previous page.
    pub start_after: Option<Item>,
}

impl Query {
    /// A query of the whole partition `pk` of `table`, ascending, 100 items a page.
    pub fn partition(table: Table, pk: impl Into<String>) -> Self {
        Query {
            table,
            index: false,
            pk: pk.into(),
            sk: SkRange::All,
            descending: false,
            limit: 100,
            start_after: None,
        }
    }

    /// The same query over the `gsi1` index.
    pub fn on_index(mut self) -> Self {
        self.index = true;
        self
    }

    pub fn range(mut self, sk: SkRange) -> Self {
        self.sk = sk;
        self
    }

    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    pub fn descending(mut self, descending: bool) -> Self {
        self.descending = descending;
        self
    }

    pub fn start_after(mut self, start: Option<Item>) -> Self {
        self.start_after = start;
        self
    }
}

/// One page of a query.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    pub items: Vec<Item>,
    /// The key attributes of the last item when more may follow; pass it back as
    /// `Query::start_after` to read the next page.
    pub next: Option<Item>,
}

/// One operation of a transactional write.
#[derive(Debug, Clone, PartialEq)]
pub enum WriteOp {
    Put {
        table: Table,
        item: Item,
        conds: Vec<Cond>,
    },
    /// Set the given attributes (a null value removes the attribute) on an existing item.
    Update {
        table: Table,
        key: Key,
        set: Item,
        conds: Vec<Cond>,
    },
    Delete {
        table: Table,
        key: Key,
        conds: Vec<Cond>,
    },
    Check {
        table: Table,
        key: Key,
        conds: Vec<Cond>,
    },
}

/// What a store operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A condition on a single-item operation did not hold.
    #[error("the stored item did not meet the write condition")]
    ConditionFailed,
    /// A transaction was cancelled; `failed[i]` tells whether operation `i` failed its
    /// condition. Nothing of the transaction was written.
    #[error("the transaction was cancelled and nothing was written")]
    TransactionCanceled { failed: Vec<bool> },
    /// The item is larger than `MAX_ITEM_BYTES`.
    #[error("the item is {size} bytes, over the {MAX_ITEM_BYTES}-byte item limit")]
    TooLarge { size: usize },
    /// The request itself was malformed (an item without keys, too many operations).
    #[error("invalid store request: {0}")]
    Invalid(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// The store of items and rows.
#[async_trait]
pub trait ItemStore: Send + Sync {
    /// The item under `key`, if any.
    async fn get(&self, table: Table, key: &Key) -> Result<Option<Item>, StoreError>;

    /// The items found under `keys`, in no particular order; missing keys are skipped.
    /// Adapters split the keys into calls of at most `MAX_BATCH_KEYS`.
    async fn batch_get(&self, table: Table, keys: &[Key]) -> Result<Vec<Item>, StoreError>;

    /// Write the item when every condition holds on the item it replaces.
    async fn put(&self, table: Table, item: Item, conds: &[Cond]) -> Result<(), StoreError>;

    /// Set attributes of an existing item (a null value removes one) when every
    /// condition holds; answers the item as stored afterwards.
    async fn update(
        &self,
        table: Table,
        key: &Key,
        set: Item,
        conds: &[Cond],
    ) -> Result<Item, StoreError>;

    /// Delete the item when every condition holds.
    async fn delete(&self, table: Table, key: &Key, conds: &[Cond]) -> Result<(), StoreError>;

    /// One page of a partition query.
    async fn query(&self, query: &Query) -> Result<Page, StoreError>;

    /// Apply every operation or none.
    async fn transact(&self, ops: Vec<WriteOp>) -> Result<(), StoreError>;
}

/// The approximate stored size of an item, as both adapters measure it.
pub fn item_size(item: &Item) -> usize {
    item.iter()
        .map(|(name, value)| name.len() + value_size(value))
        .sum()
}

fn value_size(value: &Value) -> usize {
    match value {
        Value::Null | Value::Bool(_) => 1,
        Value::Number(n) => n.to_string().len().div_ceil(2) + 1,
        Value::String(s) => s.len(),
        Value::Array(items) => 3 + items.iter().map(|v| 1 + value_size(v)).sum::<usize>(),
        Value::Object(map) => {
            3 + map
                .iter()
                .map(|(k, v)| 1 + k.len() + value_size(v))
                .sum::<usize>()
        }
    }
}

/// Checks an item before writing: it has string keys and fits the size limit.
pub fn check_item(item: &Item) -> Result<Key, StoreError> {
    let key = Key::of(item)
        .ok_or_else(|| StoreError::Invalid("an item needs string pk and sk attributes".into()))?;
    let size = item_size(item);
    if size > MAX_ITEM_BYTES {
        return Err(StoreError::TooLarge { size });
    }
    Ok(key)
}

/// Applies an update's `set` to an item: null removes an attribute.
pub fn apply_set(item: &mut Item, set: &Item) {
    for (name, value) in set {
        if value.is_null() {
            item.remove(name);
        } else {
            item.insert(name.clone(), value.clone());
        }
    }
}

/// The attributes that make up a query cursor for an item.
pub fn key_attributes(item: &Item, index: bool) -> Item {
    let names: &[&str] = if index {
        &["pk", "sk", "gsi1pk", "gsi1sk"]
    } else {
        &["pk", "sk"]
    };
    names
        .iter()
        .filter_map(|n| item.get(*n).map(|v| (n.to_string(), v.clone())))
        .collect()
}
