//! Database activity: one record per inserted row, per changed cell and per deleted
//! row, written in the same transaction as the row change, and read back newest first
//! for a table or one row, with a display summary ("Stage changed from New to Won").
//!
//! Records live in the rows table under a per-table partition, with the row's own
//! timeline on the `gsi1` index, so both reads are single-partition queries.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::domain::databases::{Column, ColumnType};
use crate::domain::dates;
use crate::domain::record::{from_item, to_item};
use crate::error::Result;
use crate::ids;
use crate::ports::{Item, ItemStore, Query, Table, WriteOp};

/// What happened to the row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    Insert,
    Update,
    Delete,
}

/// The column an update record is about, as it was when the change was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldInfo {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ColumnType,
    pub gtype: String,
}

/// One activity record, in the guide's shape (without `render`, added when read).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    pub id: String,
    pub dbid: String,
    pub tableid: String,
    pub rowid: String,
    /// The cell: `<row id>.<column id>` for updates.
    pub dataid: Option<String>,
    /// The column id for updates; none for whole-row inserts and deletes.
    pub colid: Option<String>,
    pub op: Op,
    pub oldvalue: Value,
    pub newvalue: Value,
    #[serde(rename = "userId")]
    pub user_id: Option<String>,
    pub created: i64,
    pub field: Option<FieldInfo>,
}

/// Where a row's change is recorded.
#[derive(Debug, Clone, Copy)]
pub struct RowRef<'a> {
    pub team_id: &'a str,
    pub db_id: &'a str,
    pub table_id: &'a str,
    pub row_id: &'a str,
}

fn table_pk(team_id: &str, db_id: &str, table_id: &str) -> String {
    format!("T#{team_id}#DB#{db_id}#TB#{table_id}#ACT")
}

fn row_index(team_id: &str, db_id: &str, table_id: &str, row_id: &str) -> String {
    format!("T#{team_id}#DB#{db_id}#TB#{table_id}#R#{row_id}#ACT")
}

impl RowRef<'_> {
    fn record(&self, now: i64, op: Op, actor: Option<&str>) -> Activity {
        Activity {
            id: ids::new_id(now),
            dbid: self.db_id.into(),
            tableid: self.table_id.into(),
            rowid: self.row_id.into(),
            dataid: None,
            colid: None,
            op,
            oldvalue: Value::Null,
            newvalue: Value::Null,
            user_id: actor.map(str::to_string),
            created: now,
            field: None,
        }
    }

    fn write(&self, activity: &Activity) -> WriteOp {
        let pk = table_pk(self.team_id, self.db_id, self.table_id);
        let mut item = to_item(pk, format!("A#{}", activity.id), activity);
        let index = row_index(self.team_id, self.db_id, self.table_id, self.row_id);
        item.insert("gsi1pk".into(), index.into());
        item.insert("gsi1sk".into(), format!("A#{}", activity.id).into());
        WriteOp::Put {
            table: Table::Rows,
            item,
            conds: vec![],
        }
    }

    /// The record of a new row; `values` are its cells by gtype.
    pub fn inserted(&self, now: i64, actor: Option<&str>, values: Value) -> WriteOp {
        let mut activity = self.record(now, Op::Insert, actor);
        activity.newvalue = values;
        self.write(&activity)
    }

    /// The record of a deleted row; `values` were its cells by gtype.
    pub fn deleted(&self, now: i64, actor: Option<&str>, values: Value) -> WriteOp {
        let mut activity = self.record(now, Op::Delete, actor);
        activity.oldvalue = values;
        self.write(&activity)
    }

    /// The record of one changed cell.
    pub fn changed(
        &self,
        now: i64,
        actor: Option<&str>,
        column: &Column,
        old: Value,
        new: Value,
    ) -> WriteOp {
        let mut activity = self.record(now, Op::Update, actor);
        activity.dataid = Some(format!("{}.{}", self.row_id, column.id));
        activity.colid = Some(column.id.clone());
        activity.oldvalue = old;
        activity.newvalue = new;
        activity.field = Some(FieldInfo {
            id: column.id.clone(),
            name: column.name.clone(),
            kind: column.kind,
            gtype: column.gtype.clone(),
        });
        self.write(&activity)
    }
}

/// One page of activity of a table, or of one of its rows, newest first.
pub async fn list(
    store: &dyn ItemStore,
    team_id: &str,
    db_id: &str,
    table_id: &str,
    row_id: Option<&str>,
    limit: usize,
    start: Option<Item>,
) -> Result<(Vec<Activity>, Option<Item>)> {
    let query = match row_id {
        Some(row) => {
            Query::partition(Table::Rows, row_index(team_id, db_id, table_id, row)).on_index()
        }
        None => Query::partition(Table::Rows, table_pk(team_id, db_id, table_id)),
    };
    let query = query.descending(true).limit(limit).start_after(start);
    let page = store.query(&query).await?;
    let records = page
        .items
        .into_iter()
        .map(from_item)
        .collect::<Result<Vec<Activity>>>()?;
    Ok((records, page.next))
}

/// A record as the API answers it: the stored fields and a `render` summary.
pub fn view(activity: &Activity) -> Value {
    let mut out = serde_json::to_value(activity).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut out {
        map.remove("field");
        map.insert("render".into(), render(activity));
    }
    out
}

fn render(activity: &Activity) -> Value {
    let Some(field) = &activity.field else {
        let summary = match activity.op {
            Op::Insert => "Row created",
            Op::Update => "Row changed",
            Op::Delete => "Row deleted",
        };
        return json!({ "summary": summary });
    };
    let old = display(field.kind, &activity.oldvalue);
    let new = display(field.kind, &activity.newvalue);
    let summary = match (&old, &new) {
        (None, Some(new)) => format!("{} set to {new}", field.name),
        (Some(old), None) => format!("{} cleared (was {old})", field.name),
        (Some(old), Some(new)) => format!("{} changed from {old} to {new}", field.name),
        (None, None) => format!("{} changed", field.name),
    };
    json!({
        "field": { "id": field.id, "name": field.name, "type": field.kind, "gtype": field.gtype },
        "old_display": old,
        "new_display": new,
        "summary": summary,
    })
}

/// How a stored cell value reads in a summary; none for an empty cell.
pub fn display(kind: ColumnType, value: &Value) -> Option<String> {
    let text = match (kind, value) {
        (_, Value::Null) => return None,
        (ColumnType::Status, Value::String(s)) => status_label(s),
        (ColumnType::Checkbox, Value::Bool(b)) => if *b { "Yes" } else { "No" }.into(),
        (ColumnType::Timedate, Value::Number(n)) => {
            dates::to_rfc3339(n.as_i64().unwrap_or_default())
        }
        (_, Value::Array(items)) if items.is_empty() => return None,
        (_, Value::Array(items)) => items
            .iter()
            .filter_map(|item| display(kind, item))
            .collect::<Vec<_>>()
            .join(", "),
        (_, Value::Object(map)) => object_display(map),
        (_, Value::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    };
    Some(shorten(text))
}

fn status_label(value: &str) -> String {
    let spaced = value.replace(['_', '-'], " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn object_display(map: &Map<String, Value>) -> String {
    if let (Some(start), Some(end)) = (map.get("start"), map.get("end")) {
        let at = |v: &Value| dates::to_rfc3339(v.as_i64().unwrap_or_default());
        return format!("{} to {}", at(start), at(end));
    }
    ["name", "id"]
        .iter()
        .find_map(|k| map.get(*k).and_then(Value::as_str))
        .unwrap_or_default()
        .to_string()
}

fn shorten(text: String) -> String {
    const MAX: usize = 120;
    if text.chars().count() <= MAX {
        return text;
    }
    let cut: String = text.chars().take(MAX - 1).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage() -> Column {
        Column {
            id: "c1".into(),
            name: "Stage".into(),
            kind: ColumnType::Status,
            gtype: "stage".into(),
            options: None,
        }
    }

    #[test]
    fn a_status_change_reads_as_the_guide_shows() {
        let row = RowRef {
            team_id: "t",
            db_id: "d",
            table_id: "tb",
            row_id: "r",
        };
        let WriteOp::Put { item, .. } =
            row.changed(1, Some("u"), &stage(), json!("new"), json!("won"))
        else {
            panic!("an activity record is a put");
        };
        let activity: Activity = from_item(item).unwrap();
        let view = view(&activity);
        assert_eq!(view["render"]["summary"], "Stage changed from New to Won");
        assert_eq!(view["render"]["old_display"], "New");
        assert_eq!(view["oldvalue"], "new");
        assert_eq!(view["op"], "update");
        assert_eq!(view["userId"], "u");
    }

    #[test]
    fn empty_cells_read_as_set_and_cleared() {
        let mut activity = Activity {
            id: "a".into(),
            dbid: "d".into(),
            tableid: "t".into(),
            rowid: "r".into(),
            dataid: None,
            colid: None,
            op: Op::Update,
            oldvalue: Value::Null,
            newvalue: json!(["a", "b"]),
            user_id: None,
            created: 0,
            field: Some(FieldInfo {
                id: "c".into(),
                name: "Tags".into(),
                kind: ColumnType::Tags,
                gtype: "tags".into(),
            }),
        };
        assert_eq!(render(&activity)["summary"], "Tags set to a, b");
        activity.oldvalue = json!(true);
        activity.newvalue = Value::Null;
        if let Some(field) = &mut activity.field {
            field.kind = ColumnType::Checkbox;
        }
        assert_eq!(render(&activity)["summary"], "Tags cleared (was Yes)");
    }
}
