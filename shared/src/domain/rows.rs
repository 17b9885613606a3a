//! Database rows: validated inserts, updates and deletes, each committed in one
//! transaction with its activity records, its Doc links and its outbox event; and
//! reads by id, in batches, and as filtered, ordered pages.
//!
//! A row is stored in the rows table at `T#team#DB#db#TB#table` / `R#<row id>`, its
//! cells keyed by column id so that a column's gtype can change without touching rows.
//! Row ids are time-ordered, so the partition's own order is creation order.

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::domain::activity::RowRef;
use crate::domain::databases::{Cardinality, Column, ColumnType, Database, Table as DbTable};
use crate::domain::dates;
use crate::domain::events::{self, new_event, outbox_write};
use crate::domain::items::Kind;
use crate::domain::keys::project_pk;
use crate::domain::record::{from_item, to_item};
use crate::domain::tenancy;
use crate::error::{Error, Result};
use crate::ids;
use crate::ports::item_store::{MAX_BATCH_KEYS, MAX_TRANSACTION_OPS};
use crate::ports::{Clock, Cond, EventBus, Item, ItemStore, Key, Query, Table, WriteOp};

/// The most items in a list cell (tags, documents, one-to-many references, ...).
pub const MAX_LIST_ITEMS: usize = 100;
/// The most rows a list query reads to order by a column.
pub const MAX_ORDERED_ROWS: usize = 10_000;

/// What a row write needs: the ports, the tenant, and who acts.
#[derive(Clone)]
pub struct RowEnv {
    pub store: Arc<dyn ItemStore>,
    pub bus: Arc<dyn EventBus>,
    pub clock: Arc<dyn Clock>,
    pub team_id: String,
    pub project_id: String,
    pub actor_id: Option<String>,
}

/// A stored row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub id: String,
    pub table_id: String,
    /// Cell values by column id; empty cells are absent.
    pub cells: Map<String, Value>,
    pub created: i64,
    pub updated: i64,
    pub version: u64,
    pub created_by: Option<String>,
}

impl Row {
    /// The cell of a column, null when empty.
    pub fn cell(&self, column_id: &str) -> &Value {
        self.cells.get(column_id).unwrap_or(&Value::Null)
    }
}

/// The partition of a table's rows.
pub fn rows_pk(team_id: &str, db_id: &str, table_id: &str) -> String {
    format!("T#{team_id}#DB#{db_id}#TB#{table_id}")
}

/// The key of one row.
pub fn row_key(team_id: &str, db_id: &str, table_id: &str, row_id: &str) -> Key {
    Key::new(rows_pk(team_id, db_id, table_id), format!("R#{row_id}"))
}

fn doc_link_key(env: &RowEnv, doc_id: &str, row_id: &str, column_id: &str) -> Key {
    Key::new(
        project_pk(&env.team_id, &env.project_id),
        format!("doclink#{doc_id}#{row_id}#{column_id}"),
    )
}

/// Cell inputs, by gtype (or, for the legacy table submit, by column name).
pub type Input = Vec<(String, Value)>;

/// How input fields name their columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Naming {
    /// By gtype only (GraphQL).
    Gtype,
    /// By gtype, else by column name (legacy form fields).
    GtypeOrName,
}

/// The cells of a row by gtype, as events and whole-row activity carry them.
pub fn values(table: &DbTable, cells: &Map<String, Value>) -> Value {
    let map: Map<String, Value> = table
        .columns
        .iter()
        .filter_map(|c| cells.get(&c.id).map(|v| (c.gtype.clone(), v.clone())))
        .collect();
    Value::Object(map)
}

/// Inserts a row after validating every cell; answers the stored row.
pub async fn insert(
    env: &RowEnv,
    db: &Database,
    table_id: &str,
    input: Input,
    naming: Naming,
) -> Result<Row> {
    let table = db.table_by_id(table_id)?;
    let cells = prepare(env, db, table, input, naming).await?;
    let now = env.clock.now_ms();
    let mut row = Row {
        id: ids::new_id(now),
        table_id: table.id.clone(),
        cells: Map::new(),
        created: now,
        updated: now,
        version: 1,
        created_by: env.actor_id.clone(),
    };
    for (column, value) in cells {
        if !value.is_null() {
            row.cells.insert(column.id.clone(), value);
        }
    }
    let key = row_key(&env.team_id, &db.id, &table.id, &row.id);
    let at = row_ref(env, db, table, &row.id);
    let values = values(table, &row.cells);
    let mut ops = vec![WriteOp::Put {
        table: Table::Rows,
        item: to_item(key.pk, key.sk, &row),
        conds: vec![Cond::NotExists],
    }];
    ops.push(at.inserted(now, env.actor_id.as_deref(), values.clone()));
    ops.extend(doc_link_ops(
        env,
        db,
        table,
        &row.id,
        &Map::new(),
        &row.cells,
    ));
    let data = json!({ "db_id": db.id, "table_id": table.id, "row_id": row.id,
                       "values": values, "cells": row.cells });
    commit(env, ops, "db.row.created", data).await?;
    Ok(row)
}

/// Sets the given cells of a row (null clears one); answers the row as stored. An
/// update that changes nothing writes nothing.
pub async fn update(
    env: &RowEnv,
    db: &Database,
    table_id: &str,
    row_id: &str,
    input: Input,
) -> Result<Row> {
    let table = db.table_by_id(table_id)?;
    let mut row = get(env.store.as_ref(), &env.team_id, db, table, row_id)
        .await?
        .ok_or(Error::NotFound("row"))?;
    let cells = prepare(env, db, table, input, Naming::Gtype).await?;
    let now = env.clock.now_ms();
    let old_cells = row.cells.clone();
    let at = row_ref(env, db, table, row_id);
    let (mut ops, changes) = apply(&at, env, &mut row, cells, now);
    if changes.is_empty() {
        return Ok(row);
    }
    let set = json!({ "cells": row.cells, "updated": now, "version": row.version + 1 });
    ops.push(WriteOp::Update {
        table: Table::Rows,
        key: row_key(&env.team_id, &db.id, &table.id, &row.id),
        set: crate::domain::record::object(set),
        conds: vec![Cond::version(row.version)],
    });
    ops.extend(doc_link_ops(
        env, db, table, &row.id, &old_cells, &row.cells,
    ));
    let data = json!({ "db_id": db.id, "table_id": table.id, "row_id": row.id,
                       "values": values(table, &row.cells), "cells": row.cells,
                       "changes": changes });
    commit(env, ops, "db.row.updated", data).await?;
    row.updated = now;
    row.version += 1;
    Ok(row)
}

/// Sets the changed cells on the row; answers an activity write and a change
/// description for each.
fn apply(
    at: &RowRef<'_>,
    env: &RowEnv,
    row: &mut Row,
    cells: Vec<(&Column, Value)>,
    now: i64,
) -> (Vec<WriteOp>, Vec<Value>) {
    let (mut ops, mut changes) = (Vec::new(), Vec::new());
    for (column, value) in cells {
        let old = row.cell(&column.id).clone();
        if old == value {
            continue;
        }
        let actor = env.actor_id.as_deref();
        ops.push(at.changed(now, actor, column, old.clone(), value.clone()));
        changes.push(json!({ "column_id": column.id, "gtype": column.gtype,
                             "old": old, "new": value }));
        match value {
            Value::Null => row.cells.remove(&column.id),
            value => row.cells.insert(column.id.clone(), value),
        };
    }
    (ops, changes)
}

/// Deletes a row; answers it as it was.
pub async fn delete(env: &RowEnv, db: &Database, table_id: &str, row_id: &str) -> Result<Row> {
    let table = db.table_by_id(table_id)?;
    let row = get(env.store.as_ref(), &env.team_id, db, table, row_id)
        .await?
        .ok_or(Error::NotFound("row"))?;
    let now = env.clock.now_ms();
    let values = values(table, &row.cells);
    let at = row_ref(env, db, table, &row.id);
    let mut ops = vec![WriteOp::Delete {
        table: Table::Rows,
        key: row_key(&env.team_id, &db.id, &table.id, &row.id),
        conds: vec![Cond::version(row.version)],
    }];
    ops.push(at.deleted(now, env.actor_id.as_deref(), values.clone()));
    ops.extend(doc_link_ops(
        env,
        db,
        table,
        &row.id,
        &row.cells,
        &Map::new(),
    ));
    let data = json!({ "db_id": db.id, "table_id": table.id, "row_id": row.id,
                       "values": values, "cells": row.cells });
    commit(env, ops, "db.row.deleted", data).await?;
    Ok(row)
}

fn row_ref<'a>(
    env: &'a RowEnv,
    db: &'a Database,
    table: &'a DbTable,
    row_id: &'a str,
) -> RowRef<'a> {
    RowRef {
        team_id: &env.team_id,
        db_id: &db.id,
        table_id: &table.id,
        row_id,
    }
}

/// Adds the event's outbox record, commits everything at once, then publishes.
async fn commit(env: &RowEnv, mut ops: Vec<WriteOp>, kind: &str, data: Value) -> Result<()> {
    let event = new_event(
        env.clock.as_ref(),
        kind,
        &env.team_id,
        Some(&env.project_id),
        env.actor_id.as_deref(),
        data,
    );
    ops.push(outbox_write(&event));
    if ops.len() > MAX_TRANSACTION_OPS {
        return Err(Error::invalid(
            "row",
            format!(
                "this change needs {} writes, over the {MAX_TRANSACTION_OPS} one change can make; \
                 split it into smaller updates",
                ops.len()
            ),
        ));
    }
    env.store.transact(ops).await?;
    events::publish(
        env.store.as_ref(),
        env.bus.as_ref(),
        env.clock.as_ref(),
        &[event],
    )
    .await;
    Ok(())
}

/// The link writes that keep Doc links equal to the document cells of a row.
fn doc_link_ops(
    env: &RowEnv,
    db: &Database,
    table: &DbTable,
    row_id: &str,
    old: &Map<String, Value>,
    new: &Map<String, Value>,
) -> Vec<WriteOp> {
    let mut ops = Vec::new();
    let docs = table
        .columns
        .iter()
        .filter(|c| matches!(c.kind, ColumnType::Document | ColumnType::Documents));
    for column in docs {
        let before = string_set(old.get(&column.id));
        let after = string_set(new.get(&column.id));
        for gone in before.difference(&after) {
            ops.push(WriteOp::Delete {
                table: Table::Items,
                key: doc_link_key(env, gone, row_id, &column.id),
                conds: vec![],
            });
        }
        for added in after.difference(&before) {
            let key = doc_link_key(env, added, row_id, &column.id);
            let link = json!({ "doc_id": added, "db_id": db.id, "table_id": table.id,
                               "row_id": row_id, "column_id": column.id,
                               "created": env.clock.now_ms() });
            ops.push(WriteOp::Put {
                table: Table::Items,
                item: to_item(key.pk, key.sk, &link),
                conds: vec![],
            });
        }
    }
    ops
}

fn string_set(value: Option<&Value>) -> BTreeSet<String> {
    match value {
        Some(Value::String(s)) => BTreeSet::from([s.clone()]),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => BTreeSet::new(),
    }
}

/// Resolves, normalizes and checks every input cell before anything is written.
async fn prepare<'t>(
    env: &RowEnv,
    db: &Database,
    table: &'t DbTable,
    input: Input,
    naming: Naming,
) -> Result<Vec<(&'t Column, Value)>> {
    let mut cells: Vec<(&Column, Value)> = Vec::with_capacity(input.len());
    for (field, value) in input {
        let column = find_column(table, &field, naming)?;
        if cells.iter().any(|(c, _)| c.id == column.id) {
            return Err(Error::invalid(field, "is given twice"));
        }
        cells.push((column, normalize(column, value)?));
    }
    check_references(env, db, &cells).await?;
    check_documents(env, &cells).await?;
    resolve_users(env, &mut cells).await?;
    Ok(cells)
}

fn find_column<'t>(table: &'t DbTable, field: &str, naming: Naming) -> Result<&'t Column> {
    let by_gtype = table.columns.iter().find(|c| c.gtype == field);
    let by_name = || match naming {
        Naming::Gtype => None,
        Naming::GtypeOrName => table.columns.iter().find(|c| c.name == field).or_else(|| {
            table
                .columns
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(field))
        }),
    };
    by_gtype
        .or_else(by_name)
        .ok_or_else(|| Error::invalid(field, format!("is not a column of table {}", table.gtype)))
}

/// Checks a cell value against its column type and answers it in stored form.
pub fn normalize(column: &Column, value: Value) -> Result<Value> {
    let field = column.gtype.as_str();
    if value.is_null() {
        return Ok(Value::Null);
    }
    if column.is_list() {
        let Value::Array(items) = value else {
            return Err(Error::invalid(field, "must be a list"));
        };
        if items.len() > MAX_LIST_ITEMS {
            return Err(Error::invalid(
                field,
                format!("holds at most {MAX_LIST_ITEMS} values"),
            ));
        }
        let mut out: Vec<Value> = Vec::with_capacity(items.len());
        for item in items {
            let item = single(column, field, item)?;
            if !out.contains(&item) {
                out.push(item);
            }
        }
        return Ok(Value::Array(out));
    }
    single(column, field, value)
}

fn single(column: &Column, field: &str, value: Value) -> Result<Value> {
    match column.kind {
        ColumnType::Number => match value.as_f64() {
            Some(n) if n.is_finite() => Ok(value),
            _ => Err(Error::invalid(field, "must be a number")),
        },
        ColumnType::Checkbox => match value {
            Value::Bool(_) => Ok(value),
            _ => Err(Error::invalid(field, "must be true or false")),
        },
        ColumnType::Timedate => Ok(Value::from(dates::parse_ms(field, &value)?)),
        ColumnType::Timeline => timeline(field, &value),
        ColumnType::File | ColumnType::Files => file(field, value),
        ColumnType::Link => link(field, value),
        ColumnType::Longtext => text(field, value, 100_000),
        _ => text(field, value, 10_000),
    }
}

fn text(field: &str, value: Value, max: usize) -> Result<Value> {
    match value {
        Value::String(s) if s.chars().count() <= max => Ok(Value::String(s)),
        Value::String(_) => Err(Error::invalid(field, format!("is over {max} characters"))),
        _ => Err(Error::invalid(field, "must be text")),
    }
}

fn link(field: &str, value: Value) -> Result<Value> {
    let value = text(field, value, 2_000)?;
    let url = value.as_str().unwrap_or_default();
    let lower = url.to_ascii_lowercase();
    if url.is_empty()
        || ["https://", "http://", "mailto:"]
            .iter()
            .any(|p| lower.starts_with(p))
    {
        return Ok(value);
    }
    Err(Error::invalid(field, "must be an http(s) or mailto link"))
}

fn timeline(field: &str, value: &Value) -> Result<Value> {
    let Value::Object(map) = value else {
        return Err(Error::invalid(field, "must be an object {start, end}"));
    };
    if let Some(extra) = map.keys().find(|k| !["start", "end"].contains(&k.as_str())) {
        return Err(Error::invalid(
            format!("{field}.{extra}"),
            "is not a timeline field",
        ));
    }
    let at = |name: &str| {
        let v = map.get(name).unwrap_or(&Value::Null);
        dates::parse_ms(&format!("{field}.{name}"), v)
    };
    let (start, end) = (at("start")?, at("end")?);
    if end < start {
        return Err(Error::invalid(format!("{field}.end"), "is before start"));
    }
    Ok(json!({ "start": start, "end": end }))
}

fn file(field: &str, value: Value) -> Result<Value> {
    match value {
        Value::String(id) if !id.trim().is_empty() => Ok(json!({ "id": id.trim() })),
        Value::Object(map) => {
            if let Some(extra) = map.keys().find(|k| !["id", "name"].contains(&k.as_str())) {
                return Err(Error::invalid(
                    format!("{field}.{extra}"),
                    "is not a file field",
                ));
            }
            let id = map
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .trim();
            if id.is_empty() {
                return Err(Error::invalid(format!("{field}.id"), "is required"));
            }
            let mut out = json!({ "id": id });
            if let Some(name) = map.get("name").filter(|n| !n.is_null()) {
                out["name"] = text(&format!("{field}.name"), name.clone(), 500)?;
            }
            Ok(out)
        }
        _ => Err(Error::invalid(field, "must be a file id or {id, name}")),
    }
}

/// Every referenced row must exist in the column's target table of this database.
async fn check_references(env: &RowEnv, db: &Database, cells: &[(&Column, Value)]) -> Result<()> {
    let mut wanted: Vec<(Key, &Column, String)> = Vec::new();
    for (column, value) in cells {
        let Some(reference) = column.reference() else {
            continue;
        };
        for id in string_set(Some(value)) {
            let key = row_key(&env.team_id, &db.id, &reference.table, &id);
            wanted.push((key, column, id));
        }
    }
    if wanted.is_empty() {
        return Ok(());
    }
    let keys: Vec<Key> = wanted.iter().map(|(k, _, _)| k.clone()).collect();
    let found = load(env.store.as_ref(), keys).await?;
    for (key, column, id) in wanted {
        if !found.contains_key(&key) {
            let target = column
                .reference()
                .and_then(|r| db.table(&r.table))
                .map(|t| t.gtype.as_str())
                .unwrap_or_default();
            return Err(Error::invalid(
                &column.gtype,
                format!("no row {id} in table {target} of this database"),
            ));
        }
    }
    Ok(())
}

/// Every document id must name an existing Doc of this project.
async fn check_documents(env: &RowEnv, cells: &[(&Column, Value)]) -> Result<()> {
    let mut wanted: Vec<(Key, &Column, String)> = Vec::new();
    for (column, value) in cells {
        if matches!(column.kind, ColumnType::Document | ColumnType::Documents) {
            for id in string_set(Some(value)) {
                wanted.push((
                    Kind::Doc.key(&env.team_id, &env.project_id, &id),
                    column,
                    id,
                ));
            }
        }
    }
    if wanted.is_empty() {
        return Ok(());
    }
    let mut found = Vec::new();
    let keys: Vec<Key> = wanted.iter().map(|(k, _, _)| k.clone()).collect();
    for chunk in keys.chunks(MAX_BATCH_KEYS) {
        found.extend(env.store.batch_get(Table::Items, chunk).await?);
    }
    let found: BTreeSet<Key> = found.iter().filter_map(Key::of).collect();
    match wanted.into_iter().find(|(key, _, _)| !found.contains(key)) {
        None => Ok(()),
        Some((_, column, id)) => Err(Error::invalid(
            &column.gtype,
            format!("no Doc {id} in this project; create the Doc first and use its id"),
        )),
    }
}

/// User cells name a project member by username or id; they are stored as the id.
async fn resolve_users(env: &RowEnv, cells: &mut [(&Column, Value)]) -> Result<()> {
    for (column, value) in cells.iter_mut() {
        if column.kind != ColumnType::User {
            continue;
        }
        let Some(name) = value.as_str().filter(|s| !s.is_empty()) else {
            continue;
        };
        let user =
            tenancy::find_member(env.store.as_ref(), &env.team_id, &env.project_id, name).await?;
        let user = user.ok_or_else(|| {
            Error::invalid(
                &column.gtype,
                format!("{name:?} is not a member of this project"),
            )
        })?;
        *value = Value::String(user.id);
    }
    Ok(())
}

/// One row by id.
pub async fn get(
    store: &dyn ItemStore,
    team_id: &str,
    db: &Database,
    table: &DbTable,
    row_id: &str,
) -> Result<Option<Row>> {
    if row_id.is_empty() || row_id.len() > 64 {
        return Ok(None);
    }
    let key = row_key(team_id, &db.id, &table.id, row_id);
    store
        .get(Table::Rows, &key)
        .await?
        .map(from_item)
        .transpose()
}

/// Rows by key, read with batch gets of at most `MAX_BATCH_KEYS` keys each; missing
/// rows are absent from the answer.
pub async fn load(store: &dyn ItemStore, mut keys: Vec<Key>) -> Result<HashMap<Key, Row>> {
    keys.sort();
    keys.dedup();
    let mut rows = HashMap::with_capacity(keys.len());
    for chunk in keys.chunks(MAX_BATCH_KEYS) {
        for item in store.batch_get(Table::Rows, chunk).await? {
            if let Some(key) = Key::of(&item) {
                rows.insert(key, from_item(item)?);
            }
        }
    }
    Ok(rows)
}

/// A condition on rows.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    All(Vec<Filter>),
    Any(Vec<Filter>),
    Not(Box<Filter>),
    /// A test of one column's cell (or of the row id when `column` is none).
    Cell {
        column: Option<String>,
        test: Test,
    },
}

/// A test of one cell value.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    Eq(Value),
    Ne(Value),
    In(Vec<Value>),
    /// Text containing the value (any case), or a list holding it.
    Contains(Value),
    StartsWith(String),
    Gt(Value),
    Gte(Value),
    Lt(Value),
    Lte(Value),
    IsNull(bool),
    IsEmpty(bool),
}

impl Filter {
    /// Whether a row passes the filter.
    pub fn matches(&self, row: &Row) -> bool {
        match self {
            Filter::All(all) => all.iter().all(|f| f.matches(row)),
            Filter::Any(any) => any.iter().any(|f| f.matches(row)),
            Filter::Not(inner) => !inner.matches(row),
            Filter::Cell { column, test } => {
                let id = Value::String(row.id.clone());
                let value = match column {
                    Some(column) => row.cell(column),
                    None => &id,
                };
                test.passes(value)
            }
        }
    }
}

impl Test {
    fn passes(&self, value: &Value) -> bool {
        let ordered = |want: &Value, ok: fn(Ordering) -> bool| {
            !value.is_null() && compare(value, want).is_some_and(ok)
        };
        match self {
            Test::Eq(want) => same(value, want),
            Test::Ne(want) => !same(value, want),
            Test::In(wanted) => wanted.iter().any(|w| same(value, w)),
            Test::Contains(want) => contains(value, want),
            Test::StartsWith(prefix) => value
                .as_str()
                .is_some_and(|s| s.to_lowercase().starts_with(&prefix.to_lowercase())),
            Test::Gt(want) => ordered(want, Ordering::is_gt),
            Test::Gte(want) => ordered(want, Ordering::is_ge),
            Test::Lt(want) => ordered(want, Ordering::is_lt),
            Test::Lte(want) => ordered(want, Ordering::is_le),
            Test::IsNull(null) => value.is_null() == *null,
            Test::IsEmpty(empty) => is_empty(value) == *empty,
        }
    }
}

fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

fn contains(value: &Value, want: &Value) -> bool {
    match (value, want) {
        (Value::String(s), Value::String(w)) => s.to_lowercase().contains(&w.to_lowercase()),
        (Value::Array(items), want) => items
            .iter()
            .any(|item| same(item, want) || item.get("id").is_some_and(|id| id == want)),
        _ => false,
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

/// Orders values of one column: numbers by value, text by characters, empty last.
fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Number(_), Value::Number(_)) => a.as_f64()?.partial_cmp(&b.as_f64()?),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Object(x), Value::Object(y)) => compare(x.get("start")?, y.get("start")?),
        _ => None,
    }
}

/// One ordering key: a column id (or the row id when none) and a direction.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub column: Option<String>,
    pub descending: bool,
}

/// What a list query asks for.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListOptions {
    pub filter: Option<Filter>,
    pub order: Vec<Order>,
    pub first: usize,
    /// Continue after the row with this id.
    pub after: Option<String>,
}

/// A page of a table's rows.
///
/// In the default (creation) order this reads the partition from `after` onwards and
/// stops as soon as the page is full: one store query when nothing is filtered.
/// Limitation: filters are applied while reading, and ordering by a column reads the
/// whole table (up to `MAX_ORDERED_ROWS`); an index per filtered column would be the
/// next step for very large tables.
pub async fn list(
    store: &dyn ItemStore,
    team_id: &str,
    db: &Database,
    table: &DbTable,
    options: &ListOptions,
) -> Result<Vec<Row>> {
    let pk = rows_pk(team_id, &db.id, &table.id);
    if options.first == 0 {
        return Ok(vec![]);
    }
    if options
        .order
        .iter()
        .all(|o| o.column.is_none() && !o.descending)
    {
        let start = options.after.as_deref().map(|after| {
            crate::domain::record::object(json!({ "pk": pk, "sk": format!("R#{after}") }))
        });
        return read_in_order(store, &pk, options, start).await;
    }
    let mut rows = read_all(store, &pk, options.filter.as_ref()).await?;
    rows.sort_by(|a, b| order_rows(&options.order, a, b));
    let skip = match &options.after {
        None => 0,
        Some(after) => {
            1 + rows.iter().position(|r| &r.id == after).ok_or_else(|| {
                Error::invalid("after", format!("row {after} is not in this list"))
            })?
        }
    };
    Ok(rows.into_iter().skip(skip).take(options.first).collect())
}

async fn read_in_order(
    store: &dyn ItemStore,
    pk: &str,
    options: &ListOptions,
    mut start: Option<Item>,
) -> Result<Vec<Row>> {
    let page_size = match options.filter {
        None => options.first.min(1000),
        Some(_) => 1000,
    };
    let mut rows = Vec::with_capacity(options.first);
    loop {
        let query = Query::partition(Table::Rows, pk)
            .range(crate::ports::SkRange::BeginsWith("R#".into()))
            .limit(page_size)
            .start_after(start.take());
        let page = store.query(&query).await?;
        for item in page.items {
            let row: Row = from_item(item)?;
            if options.filter.as_ref().is_none_or(|f| f.matches(&row)) {
                rows.push(row);
                if rows.len() == options.first {
                    return Ok(rows);
                }
            }
        }
        match page.next {
            Some(next) => start = Some(next),
            None => return Ok(rows),
        }
    }
}

async fn read_all(store: &dyn ItemStore, pk: &str, filter: Option<&Filter>) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    let mut start = None;
    let mut read = 0;
    loop {
        let query = Query::partition(Table::Rows, pk)
            .range(crate::ports::SkRange::BeginsWith("R#".into()))
            .limit(1000)
            .start_after(start.take());
        let page = store.query(&query).await?;
        read += page.items.len();
        if read > MAX_ORDERED_ROWS {
            return Err(Error::invalid(
                "orderBy",
                format!(
                    "tables over {MAX_ORDERED_ROWS} rows can only be listed in the default order"
                ),
            ));
        }
        for item in page.items {
            let row: Row = from_item(item)?;
            if filter.is_none_or(|f| f.matches(&row)) {
                rows.push(row);
            }
        }
        match page.next {
            Some(next) => start = Some(next),
            None => return Ok(rows),
        }
    }
}

fn order_rows(order: &[Order], a: &Row, b: &Row) -> Ordering {
    for key in order {
        let (x, y) = match &key.column {
            Some(column) => (a.cell(column).clone(), b.cell(column).clone()),
            None => (Value::String(a.id.clone()), Value::String(b.id.clone())),
        };
        let ordering = match (x.is_null(), y.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) => return Ordering::Greater,
            (false, true) => return Ordering::Less,
            (false, false) => compare(&x, &y).unwrap_or(Ordering::Equal),
        };
        let ordering = if key.descending {
            ordering.reverse()
        } else {
            ordering
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    a.id.cmp(&b.id)
}

/// The rows' cells of a reference column, as keys of the target rows.
pub fn reference_keys(team_id: &str, db: &Database, column: &Column, row: &Row) -> Vec<Key> {
    let Some(reference) = column.reference() else {
        return vec![];
    };
    string_set(Some(row.cell(&column.id)))
        .into_iter()
        .map(|id| row_key(team_id, &db.id, &reference.table, &id))
        .collect()
}

/// The target row ids of a reference cell, in the stored order.
pub fn reference_ids(column: &Column, row: &Row) -> Vec<String> {
    match row.cell(&column.id) {
        Value::String(id) => vec![id.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => vec![],
    }
}

/// Whether a reference column holds many targets.
pub fn is_many(column: &Column) -> bool {
    column
        .reference()
        .is_some_and(|r| r.cardinality == Cardinality::OneToMany)
}

/// Cell inputs from form fields (the legacy table submit): each field names a column
/// by gtype or name; list columns take the field repeated; text is converted to the
/// column's type, and an empty value leaves the cell empty.
pub fn form_input(table: &DbTable, fields: Vec<(String, Vec<String>)>) -> Result<Input> {
    let mut input = Input::with_capacity(fields.len());
    for (name, values) in fields {
        let column = find_column(table, &name, Naming::GtypeOrName)?;
        let value = match column.is_list() {
            true => Value::Array(
                values
                    .into_iter()
                    .filter(|v| !v.is_empty())
                    .map(Value::String)
                    .collect(),
            ),
            false => form_value(column, &name, values.last().map(String::as_str))?,
        };
        input.push((column.gtype.clone(), value));
    }
    Ok(input)
}

fn form_value(column: &Column, field: &str, text: Option<&str>) -> Result<Value> {
    let text = text.unwrap_or_default().trim();
    if text.is_empty() && column.kind != ColumnType::Checkbox {
        return Ok(Value::Null);
    }
    match column.kind {
        ColumnType::Number => text
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(Value::from)
            .ok_or_else(|| Error::invalid(field, "must be a number")),
        ColumnType::Checkbox => match text.to_ascii_lowercase().as_str() {
            "on" | "true" | "1" | "yes" => Ok(Value::Bool(true)),
            "" | "off" | "false" | "0" | "no" => Ok(Value::Bool(false)),
            _ => Err(Error::invalid(field, "must be on, off, true or false")),
        },
        ColumnType::Timedate => match text.parse::<i64>() {
            Ok(ms) => Ok(Value::from(ms)),
            Err(_) => Ok(Value::String(text.to_string())),
        },
        ColumnType::Timeline | ColumnType::File => Err(Error::invalid(
            field,
            format!("a {} column cannot be set from a form", column.kind.name()),
        )),
        _ => Ok(Value::String(text.to_string())),
    }
}
