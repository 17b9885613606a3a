//! Databases and their schema: tables and typed columns. The REST API shapes a database
//! here; rows live in `domain::rows` and are read and written through the GraphQL schema
//! that `domain::graphql` generates from this schema.
//!
//! A database and its whole schema are one item (`T#team` / `DB#id`), so a request
//! learns the project, the schema and its version with a single read, and every schema
//! change is one conditional write on `version`, which also keys the GraphQL cache.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::domain::keys::{project_pk, team_pk};
use crate::domain::record::{from_item, to_item};
use crate::error::{Error, Result};
use crate::ids;
use crate::ports::{
    Clock, Cond, Item, ItemStore, Key, Query, SkRange, Table as StoreTable, WriteOp,
};

/// The most tables in one database.
pub const MAX_TABLES: usize = 50;
/// The most columns in one table.
pub const MAX_COLUMNS: usize = 80;
/// The gtype of a new database's first table, as the guide's examples use it.
pub const FIRST_TABLE: &str = "Sheet1";

/// Type names the generated GraphQL schema uses itself, so tables cannot take them.
const RESERVED_TYPES: &[&str] = &[
    "Query",
    "Mutation",
    "Subscription",
    "String",
    "Int",
    "Float",
    "Boolean",
    "ID",
    "Timestamp",
    "Timeline",
    "TimelineInput",
    "File",
    "FileInput",
    "StringFilter",
    "NumberFilter",
    "BooleanFilter",
    "ListFilter",
    "TimestampFilter",
    "SortDirection",
];

/// Column gtypes that would clash with generated arguments and filter fields.
const RESERVED_COLUMNS: &[&str] = &["id", "and", "or", "not", "true", "false", "null"];

/// The public column types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    Text,
    Longtext,
    Link,
    Document,
    Documents,
    Number,
    Status,
    Checkbox,
    Timedate,
    Timeline,
    Tags,
    File,
    Files,
    Reference,
    Contact,
    User,
    Task,
    Tasks,
    Email,
    Emails,
    Meeting,
    Meetings,
}

impl ColumnType {
    /// Every public column type, in the guide's order.
    pub const ALL: [ColumnType; 22] = [
        ColumnType::Text,
        ColumnType::Longtext,
        ColumnType::Link,
        ColumnType::Document,
        ColumnType::Documents,
        ColumnType::Number,
        ColumnType::Status,
        ColumnType::Checkbox,
        ColumnType::Timedate,
        ColumnType::Timeline,
        ColumnType::Tags,
        ColumnType::File,
        ColumnType::Files,
        ColumnType::Reference,
        ColumnType::Contact,
        ColumnType::User,
        ColumnType::Task,
        ColumnType::Tasks,
        ColumnType::Email,
        ColumnType::Emails,
        ColumnType::Meeting,
        ColumnType::Meetings,
    ];

    /// The name used in JSON and in the guide.
    pub fn name(self) -> &'static str {
        match self {
            ColumnType::Text => "text",
            ColumnType::Longtext => "longtext",
            ColumnType::Link => "link",
            ColumnType::Document => "document",
            ColumnType::Documents => "documents",
            ColumnType::Number => "number",
            ColumnType::Status => "status",
            ColumnType::Checkbox => "checkbox",
            ColumnType::Timedate => "timedate",
            ColumnType::Timeline => "timeline",
            ColumnType::Tags => "tags",
            ColumnType::File => "file",
            ColumnType::Files => "files",
            ColumnType::Reference => "reference",
            ColumnType::Contact => "contact",
            ColumnType::User => "user",
            ColumnType::Task => "task",
            ColumnType::Tasks => "tasks",
            ColumnType::Email => "email",
            ColumnType::Emails => "emails",
            ColumnType::Meeting => "meeting",
            ColumnType::Meetings => "meetings",
        }
    }

    /// Parses a type name, naming the valid ones when it is unknown.
    pub fn parse(field: &str, value: &str) -> Result<ColumnType> {
        ColumnType::ALL
            .into_iter()
            .find(|t| t.name() == value)
            .ok_or_else(|| {
                let names: Vec<&str> = ColumnType::ALL.iter().map(|t| t.name()).collect();
                Error::invalid(
                    field,
                    format!("unknown column type {value:?}; one of {}", names.join(", ")),
                )
            })
    }
}

/// How many target rows a reference cell holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cardinality {
    OneToOne,
    OneToMany,
}

/// The stored options of a reference column, with the target resolved to ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferenceOptions {
    #[serde(rename = "type")]
    pub cardinality: Cardinality,
    /// The target table id.
    pub table: String,
    /// The target column id shown as the reference label, when chosen.
    pub column_show: Option<String>,
}

/// A typed column of a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ColumnType,
    pub gtype: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<ReferenceOptions>,
}

impl Column {
    /// Whether GraphQL reads and writes this column as a list.
    pub fn is_list(&self) -> bool {
        match self.kind {
            ColumnType::Documents
            | ColumnType::Tags
            | ColumnType::Files
            | ColumnType::Tasks
            | ColumnType::Emails
            | ColumnType::Meetings => true,
            ColumnType::Reference => self
                .reference()
                .is_some_and(|r| r.cardinality == Cardinality::OneToMany),
            _ => false,
        }
    }

    /// The reference options, for a reference column.
    pub fn reference(&self) -> Option<&ReferenceOptions> {
        self.options
            .as_ref()
            .filter(|_| self.kind == ColumnType::Reference)
    }
}

/// A table of a database.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub id: String,
    pub name: String,
    pub gtype: String,
    pub columns: Vec<Column>,
    pub created: i64,
}

impl Table {
    /// The column with this id or gtype.
    pub fn column(&self, id_or_gtype: &str) -> Option<&Column> {
        self.columns
            .iter()
            .find(|c| c.id == id_or_gtype || c.gtype == id_or_gtype)
    }

    /// The GraphQL type names generated for this table.
    pub fn type_names(&self) -> Vec<String> {
        type_names(&self.gtype)
    }

    /// The GraphQL root field names generated for this table, queries and mutations.
    pub fn root_fields(&self) -> Vec<String> {
        root_fields(&self.gtype)
    }

    /// The `<gtype>Rows` list query names: the gtype as given and, when it differs,
    /// with a lower-case first letter (the guide uses both `Sheet1Rows` and
    /// `feedbackRows`).
    pub fn list_queries(&self) -> Vec<String> {
        list_queries(&self.gtype)
    }
}

fn type_names(gtype: &str) -> Vec<String> {
    ["", "Input", "Filter", "OrderBy", "Field"]
        .iter()
        .map(|suffix| format!("{gtype}{suffix}"))
        .collect()
}

fn list_queries(gtype: &str) -> Vec<String> {
    let mut names = vec![format!("{gtype}Rows")];
    let lower = lower_first(gtype);
    if lower != gtype {
        names.push(format!("{lower}Rows"));
    }
    names
}

fn root_fields(gtype: &str) -> Vec<String> {
    let mut names = list_queries(gtype);
    names.extend([
        format!("{gtype}Row"),
        format!("mutation:{gtype}"),
        format!("mutation:create{gtype}"),
        format!("mutation:update{gtype}"),
        format!("mutation:delete{gtype}"),
    ]);
    names
}

/// The name with its first letter in lower case.
pub fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A database: a project's structured data, in tables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Database {
    pub id: String,
    pub team_id: String,
    pub pid: String,
    pub name: String,
    pub tables: Vec<Table>,
    /// The schema version: 1 at creation, one more with every schema change.
    pub version: u64,
    pub created: i64,
    pub created_by: Option<String>,
}

impl Database {
    /// The table with this id or gtype.
    pub fn table(&self, id_or_gtype: &str) -> Option<&Table> {
        self.tables
            .iter()
            .find(|t| t.id == id_or_gtype || t.gtype == id_or_gtype)
    }

    /// The table with this id, or 404.
    pub fn table_by_id(&self, id: &str) -> Result<&Table> {
        self.tables
            .iter()
            .find(|t| t.id == id)
            .ok_or(Error::NotFound("table"))
    }

    /// The database as the REST API answers it: table ids in `tables`.
    pub fn view(&self) -> Value {
        let tables: Vec<&str> = self.tables.iter().map(|t| t.id.as_str()).collect();
        json!({
            "id": self.id,
            "pid": self.pid,
            "name": self.name,
            "tables": tables,
            "version": self.version,
            "created": self.created,
            "created_by": self.created_by,
        })
    }
}

/// Where a table lives, found from its id alone (for the legacy table submit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableHome {
    pub team_id: String,
    pub project_id: String,
    pub db_id: String,
}

/// What a new table needs.
#[derive(Debug, Clone, Default)]
pub struct NewTable {
    pub name: String,
    /// Derived from the name when absent.
    pub gtype: Option<String>,
}

/// What a new column needs, as the REST body gives it.
#[derive(Debug, Clone, Default)]
pub struct NewColumn {
    pub name: String,
    pub kind: String,
    /// Derived from the name when absent.
    pub gtype: Option<String>,
    /// Reference options: `{type, table, column_show}`.
    pub options: Option<Value>,
}

fn db_key(team_id: &str, db_id: &str) -> Key {
    Key::new(team_pk(team_id), format!("DB#{db_id}"))
}

fn project_index(team_id: &str, project_id: &str) -> String {
    format!("{}#DBS", project_pk(team_id, project_id))
}

/// The global index item of a table id.
///
/// This is the one key that does not start with a team id: the legacy table submit is
/// unauthenticated (browser forms post to `/api/v1/db/TABLE_ID` with no key), so the
/// table id alone must lead to its team. The item holds only where the table lives.
fn table_index_key(table_id: &str) -> Key {
    Key::new(format!("TABLE#{table_id}"), "TABLE")
}

fn db_item(db: &Database) -> Item {
    let key = db_key(&db.team_id, &db.id);
    let mut item = to_item(key.pk, key.sk, db);
    item.insert("gsi1pk".into(), project_index(&db.team_id, &db.pid).into());
    item.insert("gsi1sk".into(), format!("DB#{}", db.id).into());
    item
}

fn table_index_put(db: &Database, table_id: &str) -> WriteOp {
    let key = table_index_key(table_id);
    let home = TableHome {
        team_id: db.team_id.clone(),
        project_id: db.pid.clone(),
        db_id: db.id.clone(),
    };
    WriteOp::Put {
        table: StoreTable::Items,
        item: to_item(key.pk, key.sk, &home),
        conds: vec![Cond::NotExists],
    }
}

fn required_name(field: &str, value: &str) -> Result<String> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > 200 {
        return Err(Error::invalid(field, "must be 1 to 200 characters"));
    }
    Ok(value.to_string())
}

/// Creates a database in a project, with its first table `Sheet1`.
pub async fn create(
    store: &dyn ItemStore,
    clock: &dyn Clock,
    team_id: &str,
    project_id: &str,
    actor_id: Option<&str>,
    name: &str,
) -> Result<Database> {
    let name = required_name("name", name)?;
    let now = clock.now_ms();
    let first = Table {
        id: ids::new_id(now),
        name: FIRST_TABLE.into(),
        gtype: FIRST_TABLE.into(),
        columns: vec![],
        created: now,
    };
    let db = Database {
        id: ids::new_id(now),
        team_id: team_id.into(),
        pid: project_id.into(),
        name,
        tables: vec![first],
        version: 1,
        created: now,
        created_by: actor_id.map(str::to_string),
    };
    let ops = vec![
        WriteOp::Put {
            table: StoreTable::Items,
            item: db_item(&db),
            conds: vec![Cond::NotExists],
        },
        table_index_put(&db, &db.tables[0].id),
    ];
    store.transact(ops).await?;
    Ok(db)
}

/// The database with this id in the team, if any.
pub async fn get(store: &dyn ItemStore, team_id: &str, db_id: &str) -> Result<Option<Database>> {
    if db_id.is_empty() || db_id.len() > 64 {
        return Ok(None);
    }
    let item = store
        .get(StoreTable::Items, &db_key(team_id, db_id))
        .await?;
    item.map(from_item).transpose()
}

/// Where a table lives, from its id alone.
pub async fn locate_table(store: &dyn ItemStore, table_id: &str) -> Result<Option<TableHome>> {
    if table_id.is_empty() || table_id.len() > 64 {
        return Ok(None);
    }
    let item = store
        .get(StoreTable::Items, &table_index_key(table_id))
        .await?;
    item.map(from_item).transpose()
}

/// One page of a project's databases, oldest first.
pub async fn list(
    store: &dyn ItemStore,
    team_id: &str,
    project_id: &str,
    limit: usize,
    start: Option<Item>,
) -> Result<(Vec<Database>, Option<Item>)> {
    let query = Query::partition(StoreTable::Items, project_index(team_id, project_id))
        .on_index()
        .range(SkRange::BeginsWith("DB#".into()))
        .limit(limit)
        .start_after(start);
    let page = store.query(&query).await?;
    let dbs = page
        .items
        .into_iter()
        .map(from_item)
        .collect::<Result<Vec<Database>>>()?;
    Ok((dbs, page.next))
}

/// Writes a changed schema, conditional on the version it was read at.
async fn save(store: &dyn ItemStore, mut db: Database, extra: Vec<WriteOp>) -> Result<Database> {
    let read_at = db.version;
    db.version += 1;
    let mut ops = vec![WriteOp::Put {
        table: StoreTable::Items,
        item: db_item(&db),
        conds: vec![Cond::version(read_at)],
    }];
    ops.extend(extra);
    store.transact(ops).await.map_err(|err| match err {
        crate::ports::StoreError::TransactionCanceled { .. } => Error::Conflict(
            "the database schema changed during this request; read it again and retry".into(),
        ),
        other => other.into(),
    })?;
    Ok(db)
}

/// Adds a table to a database; answers the database and the new table.
pub async fn add_table(
    store: &dyn ItemStore,
    clock: &dyn Clock,
    mut db: Database,
    new: NewTable,
) -> Result<(Database, Table)> {
    let name = required_name("name", &new.name)?;
    let gtype = match new.gtype {
        Some(g) => g.trim().to_string(),
        None => derive_gtype(&name, true),
    };
    check_table_gtype(&db, &gtype)?;
    if db.tables.len() >= MAX_TABLES {
        return Err(Error::invalid(
            "name",
            format!("a database holds at most {MAX_TABLES} tables"),
        ));
    }
    let table = Table {
        id: ids::new_id(clock.now_ms()),
        name,
        gtype,
        columns: vec![],
        created: clock.now_ms(),
    };
    db.tables.push(table.clone());
    let index = table_index_put(&db, &table.id);
    let db = save(store, db, vec![index]).await?;
    Ok((db, table))
}

/// Adds columns to a table; all are validated before any is written.
pub async fn add_columns(
    store: &dyn ItemStore,
    clock: &dyn Clock,
    mut db: Database,
    table_id: &str,
    new: Vec<NewColumn>,
) -> Result<(Database, Vec<Column>)> {
    if new.is_empty() {
        return Err(Error::invalid("columns", "give at least one column"));
    }
    let position = db
        .tables
        .iter()
        .position(|t| t.id == table_id)
        .ok_or(Error::NotFound("table"))?;
    let mut added = Vec::with_capacity(new.len());
    for (i, column) in new.into_iter().enumerate() {
        let field = format!("columns[{i}]");
        let column = build_column(&db, &db.tables[position], &field, column, clock)?;
        db.tables[position].columns.push(column.clone());
        added.push(column);
    }
    if db.tables[position].columns.len() > MAX_COLUMNS {
        return Err(Error::invalid(
            "columns",
            format!("a table holds at most {MAX_COLUMNS} columns"),
        ));
    }
    let db = save(store, db, vec![]).await?;
    Ok((db, added))
}

fn build_column(
    db: &Database,
    table: &Table,
    field: &str,
    new: NewColumn,
    clock: &dyn Clock,
) -> Result<Column> {
    let name = required_name(&format!("{field}.name"), &new.name)?;
    let kind = ColumnType::parse(&format!("{field}.type"), &new.kind)?;
    let gtype = match new.gtype {
        Some(g) => g.trim().to_string(),
        None => derive_gtype(&name, false),
    };
    check_column_gtype(table, &format!("{field}.gtype"), &gtype)?;
    let options = match (kind, new.options) {
        (ColumnType::Reference, Some(options)) => Some(reference_options(
            db,
            table,
            &format!("{field}.options"),
            &options,
        )?),
        (ColumnType::Reference, None) => {
            return Err(Error::invalid(
                format!("{field}.options"),
                "a reference column needs options {type, table, column_show}",
            ));
        }
        (_, None | Some(Value::Null)) => None,
        (_, Some(_)) => {
            return Err(Error::invalid(
                format!("{field}.options"),
                "only reference columns take options",
            ));
        }
    };
    Ok(Column {
        id: ids::new_id(clock.now_ms()),
        name,
        kind,
        gtype,
        options,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReference {
    #[serde(rename = "type")]
    cardinality: String,
    table: String,
    column_show: Option<String>,
}

fn reference_options(
    db: &Database,
    table: &Table,
    field: &str,
    options: &Value,
) -> Result<ReferenceOptions> {
    let raw: RawReference = serde_json::from_value(options.clone()).map_err(|e| {
        let reason = e.to_string();
        Error::invalid(field, reason.split(" at line ").next().unwrap_or_default())
    })?;
    let cardinality = match raw.cardinality.as_str() {
        "one_to_one" => Cardinality::OneToOne,
        "one_to_many" => Cardinality::OneToMany,
        other => {
            return Err(Error::invalid(
                format!("{field}.type"),
                format!("{other:?} is not one_to_one or one_to_many"),
            ));
        }
    };
    let target = db.table(&raw.table).ok_or_else(|| {
        Error::invalid(
            format!("{field}.table"),
            format!(
                "no table {:?} in this database (give a table id or gtype)",
                raw.table
            ),
        )
    })?;
    if target.id == table.id {
        return Err(Error::invalid(
            format!("{field}.table"),
            "a reference must target another table: same-table references are rejected \
             because the generated database GraphQL schema does not support circular \
             references yet",
        ));
    }
    let column_show = match raw.column_show {
        Some(show) => Some(
            target
                .column(&show)
                .ok_or_else(|| {
                    Error::invalid(
                        format!("{field}.column_show"),
                        format!(
                            "no column {show:?} in table {} (give a column id or gtype)",
                            target.name
                        ),
                    )
                })?
                .id
                .clone(),
        ),
        None => None,
    };
    Ok(ReferenceOptions {
        cardinality,
        table: target.id.clone(),
        column_show,
    })
}

/// Whether a name is a GraphQL name: `[_A-Za-z][_0-9A-Za-z]*`, not starting with `__`.
pub fn is_graphql_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    let first_ok = bytes
        .next()
        .is_some_and(|b| b == b'_' || b.is_ascii_alphabetic());
    first_ok
        && name.len() <= 64
        && !name.starts_with("__")
        && bytes.all(|b| b == b'_' || b.is_ascii_alphanumeric())
}

fn check_graphql_name(field: &str, gtype: &str) -> Result<()> {
    if is_graphql_name(gtype) {
        return Ok(());
    }
    Err(Error::invalid(
        field,
        format!(
            "{gtype:?} is not a GraphQL name: use 1-64 letters, digits and '_', \
             starting with a letter"
        ),
    ))
}

fn check_table_gtype(db: &Database, gtype: &str) -> Result<()> {
    check_graphql_name("gtype", gtype)?;
    let mine_types = type_names(gtype);
    if let Some(reserved) = mine_types
        .iter()
        .find(|t| RESERVED_TYPES.contains(&t.as_str()))
    {
        return Err(Error::invalid(
            "gtype",
            format!("{gtype:?} would generate the type {reserved}, which the schema uses itself"),
        ));
    }
    let mine_fields = root_fields(gtype);
    for other in &db.tables {
        let clash = other.gtype.eq_ignore_ascii_case(gtype)
            || other.type_names().iter().any(|t| mine_types.contains(t))
            || other.root_fields().iter().any(|f| mine_fields.contains(f));
        if clash {
            return Err(Error::invalid(
                "gtype",
                format!(
                    "{gtype:?} clashes with the table {:?} (gtype {}) in the generated schema",
                    other.name, other.gtype
                ),
            ));
        }
    }
    Ok(())
}

fn check_column_gtype(table: &Table, field: &str, gtype: &str) -> Result<()> {
    check_graphql_name(field, gtype)?;
    if RESERVED_COLUMNS.contains(&gtype) {
        return Err(Error::invalid(
            field,
            format!("{gtype:?} is reserved in the generated schema; choose another gtype"),
        ));
    }
    if table.columns.iter().any(|c| c.gtype == gtype) {
        return Err(Error::invalid(
            field,
            format!("{gtype:?} is already a column of table {}", table.name),
        ));
    }
    Ok(())
}

/// A gtype made from a display name: PascalCase for tables, camelCase for columns.
pub fn derive_gtype(name: &str, table: bool) -> String {
    let words = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty());
    let mut out = String::new();
    for word in words {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    if !table {
        out = lower_first(&out);
    }
    match out.chars().next() {
        None => if table { "Table" } else { "column" }.into(),
        Some(c) if c.is_ascii_digit() => format!("{}{out}", if table { "T" } else { "c" }),
        Some(_) => out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gtypes_are_derived_from_names() {
        assert_eq!(derive_gtype("Company name", false), "companyName");
        assert_eq!(derive_gtype("Customer docs", true), "CustomerDocs");
        assert_eq!(derive_gtype("2024 plan", true), "T2024Plan");
        assert_eq!(derive_gtype("!!", false), "column");
    }

    #[test]
    fn graphql_names_are_checked() {
        for good in ["Sheet1", "companyName", "_x"] {
            assert!(is_graphql_name(good), "case {good}");
        }
        for bad in ["", "1a", "a-b", "__x", "a b"] {
            assert!(!is_graphql_name(bad), "case {bad}");
        }
    }

    #[test]
    fn list_queries_include_the_lower_case_form() {
        assert_eq!(list_queries("Feedback"), ["FeedbackRows", "feedbackRows"]);
        assert_eq!(list_queries("deals"), ["dealsRows"]);
    }
}
