//! Building the dynamic schema of one database: shared scalar, object, filter and
//! enum types, then per table an object type, its input, filter, ordering and field
//! enum, and the root queries and mutations.

use std::sync::Arc;

use async_graphql::dynamic::{
    Enum, Field, FieldFuture, FieldValue, InputObject, InputValue, Object, ResolverContext, Scalar,
    Schema, SchemaBuilder, SchemaError, TypeRef,
};
use async_graphql::{QueryPathSegment, Value};

use super::expand::{self, Node};
use super::input;
use super::{MAX_COMPLEXITY, MAX_DEPTH, RequestData, Unset, to_graphql};
use crate::domain::databases::{Column, ColumnType, Database, Table};
use crate::domain::rows::{self, Naming};
use crate::error::Error;

/// Builds the schema of a database as it is now.
pub fn build(db: &Database) -> Result<Schema, SchemaError> {
    let mut query = Object::new("Query");
    let mut mutation = Object::new("Mutation");
    let mut builder = shared_types(Schema::build("Query", Some("Mutation"), None));
    for table in &db.tables {
        builder = builder
            .register(row_object(db, table))
            .register(filter_input(table))
            .register(order_input(table))
            .register(field_enum(table));
        if !table.columns.is_empty() {
            builder = builder.register(row_input(table));
            mutation = mutation.field(create_field(table));
        }
        for name in table.list_queries() {
            query = query.field(list_field(&name, table));
        }
        query = query.field(row_field(table));
        mutation = mutation
            .field(insert_field(table))
            .field(update_field(table))
            .field(delete_field(table));
    }
    builder
        .register(query)
        .register(mutation)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .finish()
}

fn shared_types(builder: SchemaBuilder) -> SchemaBuilder {
    let timestamp = Scalar::new("Timestamp")
        .description("Epoch milliseconds; inputs also take ISO 8601 text.")
        .validator(|v| matches!(v, Value::Number(_) | Value::String(_)));
    let timeline = Object::new("Timeline")
        .field(json_field("start", TypeRef::named_nn("Timestamp")))
        .field(json_field("end", TypeRef::named_nn("Timestamp")));
    let timeline_input = InputObject::new("TimelineInput")
        .field(InputValue::new("start", TypeRef::named_nn("Timestamp")))
        .field(InputValue::new("end", TypeRef::named_nn("Timestamp")));
    let file = Object::new("File")
        .field(json_field("id", TypeRef::named_nn(TypeRef::STRING)))
        .field(json_field("name", TypeRef::named(TypeRef::STRING)));
    let file_input = InputObject::new("FileInput")
        .field(InputValue::new("id", TypeRef::named_nn(TypeRef::STRING)))
        .field(InputValue::new("name", TypeRef::named(TypeRef::STRING)));
    let direction = Enum::new("SortDirection").items(["ASC", "DESC"]);
    builder
        .register(timestamp)
        .register(timeline)
        .register(timeline_input)
        .register(file)
        .register(file_input)
        .register(direction)
        .register(comparison_filter("StringFilter", TypeRef::STRING, true))
        .register(comparison_filter("NumberFilter", TypeRef::FLOAT, false))
        .register(comparison_filter("TimestampFilter", "Timestamp", false))
        .register(
            InputObject::new("BooleanFilter")
                .field(InputValue::new("eq", TypeRef::named(TypeRef::BOOLEAN)))
                .field(InputValue::new("isNull", TypeRef::named(TypeRef::BOOLEAN))),
        )
        .register(
            InputObject::new("ListFilter")
                .field(InputValue::new("contains", TypeRef::named(TypeRef::STRING)))
                .field(InputValue::new("isEmpty", TypeRef::named(TypeRef::BOOLEAN))),
        )
}

fn comparison_filter(name: &str, ty: &str, text: bool) -> InputObject {
    let mut filter = InputObject::new(name);
    for op in ["eq", "ne", "gt", "gte", "lt", "lte"] {
        filter = filter.field(InputValue::new(op, TypeRef::named(ty)));
    }
    filter = filter
        .field(InputValue::new("in", TypeRef::named_nn_list(ty)))
        .field(InputValue::new("isNull", TypeRef::named(TypeRef::BOOLEAN)));
    if text {
        filter = filter
            .field(InputValue::new("contains", TypeRef::named(TypeRef::STRING)))
            .field(InputValue::new(
                "startsWith",
                TypeRef::named(TypeRef::STRING),
            ));
    }
    filter
}

/// A field of a JSON object value (timeline, file).
fn json_field(name: &'static str, ty: TypeRef) -> Field {
    Field::new(name, ty, move |ctx| {
        let value = match ctx.parent_value.as_value() {
            Some(Value::Object(map)) => map.get(name).filter(|v| **v != Value::Null).cloned(),
            _ => None,
        };
        FieldFuture::from_value(value)
    })
}

fn output_type(db: &Database, column: &Column) -> TypeRef {
    let named = |many: bool, ty: &str| match many {
        true => TypeRef::named_nn_list(ty),
        false => TypeRef::named(ty),
    };
    let many = column.is_list();
    match column.kind {
        ColumnType::Reference => match column.reference().and_then(|r| db.table(&r.table)) {
            Some(target) => named(many, &target.gtype),
            None => named(many, TypeRef::STRING),
        },
        ColumnType::Number => named(false, TypeRef::FLOAT),
        ColumnType::Checkbox => named(false, TypeRef::BOOLEAN),
        ColumnType::Timedate => named(false, "Timestamp"),
        ColumnType::Timeline => named(false, "Timeline"),
        ColumnType::File | ColumnType::Files => named(many, "File"),
        _ => named(many, TypeRef::STRING),
    }
}

/// Input types are nullable (null clears a cell) and lists take nullable items, so the
/// guide's `$company: String` and `$customerDocs: [String]` variables fit them.
fn input_type(column: &Column) -> TypeRef {
    let named = |ty: &str| match column.is_list() {
        true => TypeRef::named_list(ty),
        false => TypeRef::named(ty),
    };
    match column.kind {
        ColumnType::Number => named(TypeRef::FLOAT),
        ColumnType::Checkbox => named(TypeRef::BOOLEAN),
        ColumnType::Timedate => named("Timestamp"),
        ColumnType::Timeline => named("TimelineInput"),
        ColumnType::File | ColumnType::Files => named("FileInput"),
        _ => named(TypeRef::STRING),
    }
}

fn filter_type(column: &Column) -> Option<&'static str> {
    if column.is_list() {
        return Some("ListFilter");
    }
    match column.kind {
        ColumnType::Number => Some("NumberFilter"),
        ColumnType::Checkbox => Some("BooleanFilter"),
        ColumnType::Timedate => Some("TimestampFilter"),
        ColumnType::Timeline | ColumnType::File => None,
        _ => Some("StringFilter"),
    }
}

/// Whether rows can be ordered by the column.
pub(super) fn sortable(column: &Column) -> bool {
    !column.is_list() && column.kind != ColumnType::File
}

fn node<'a>(ctx: &'a ResolverContext<'a>) -> async_graphql::Result<&'a Arc<Node>> {
    ctx.parent_value.try_downcast_ref::<Arc<Node>>()
}

fn row_object(db: &Database, table: &Table) -> Object {
    let id = Field::new("id", TypeRef::named_nn(TypeRef::ID), |ctx| {
        FieldFuture::new(async move { Ok(Some(Value::from(node(&ctx)?.row.id.clone()))) })
    });
    let mut object = Object::new(&table.gtype)
        .description(format!("A row of the table {}.", table.name))
        .field(id);
    for column in &table.columns {
        let ty = output_type(db, column);
        let field = match column.kind {
            ColumnType::Reference => reference_field(column, ty),
            _ => cell_field(column, ty),
        };
        object = object.field(field.description(column.name.clone()));
    }
    object
}

fn cell_field(column: &Column, ty: TypeRef) -> Field {
    let column_id = column.id.clone();
    Field::new(&column.gtype, ty, move |ctx| {
        let column_id = column_id.clone();
        FieldFuture::new(async move {
            let cell = node(&ctx)?.row.cell(&column_id).clone();
            if cell.is_null() {
                return Ok(None);
            }
            Ok(Some(Value::from_json(cell)?))
        })
    })
}

fn reference_field(column: &Column, ty: TypeRef) -> Field {
    let column_id = column.id.clone();
    Field::new(&column.gtype, ty, move |ctx| {
        let column_id = column_id.clone();
        FieldFuture::new(async move {
            let data = ctx.data::<RequestData>()?;
            let parent = node(&ctx)?;
            let targets = match parent.refs.get(&column_id) {
                Some(targets) => targets.clone(),
                None => expand::late(&ctx, data, &parent.row, &column_id)
                    .await
                    .map_err(to_graphql)?,
            };
            let table = data
                .db
                .table_by_id(&parent.row.table_id)
                .map_err(to_graphql)?;
            let many = table.column(&column_id).is_some_and(Column::is_list);
            let value = match many {
                true => Some(FieldValue::list(
                    targets.into_iter().map(FieldValue::owned_any),
                )),
                false => targets.into_iter().next().map(FieldValue::owned_any),
            };
            Ok(value)
        })
    })
}

fn row_input(table: &Table) -> InputObject {
    let mut input = InputObject::new(format!("{}Input", table.gtype));
    for column in &table.columns {
        input = input.field(InputValue::new(&column.gtype, input_type(column)));
    }
    input
}

fn filter_input(table: &Table) -> InputObject {
    let name = format!("{}Filter", table.gtype);
    let mut filter = InputObject::new(&name)
        .description(format!(
            "Conditions on rows of {}; all given must hold.",
            table.name
        ))
        .field(InputValue::new("id", TypeRef::named("StringFilter")));
    for column in &table.columns {
        if let Some(ty) = filter_type(column) {
            filter = filter.field(InputValue::new(&column.gtype, TypeRef::named(ty)));
        }
    }
    filter
        .field(InputValue::new("and", TypeRef::named_nn_list(&name)))
        .field(InputValue::new("or", TypeRef::named_nn_list(&name)))
        .field(InputValue::new("not", TypeRef::named(&name)))
}

fn order_input(table: &Table) -> InputObject {
    InputObject::new(format!("{}OrderBy", table.gtype))
        .field(InputValue::new(
            "field",
            TypeRef::named_nn(format!("{}Field", table.gtype)),
        ))
        .field(InputValue::new(
            "direction",
            TypeRef::named("SortDirection"),
        ))
}

fn field_enum(table: &Table) -> Enum {
    let sortable = table.columns.iter().filter(|c| sortable(c));
    Enum::new(format!("{}Field", table.gtype))
        .item("id")
        .items(sortable.map(|c| c.gtype.clone()))
}

fn list_field(name: &str, table: &Table) -> Field {
    let table_id = table.id.clone();
    let field = Field::new(name, TypeRef::named_nn_list_nn(&table.gtype), move |ctx| {
        let table_id = table_id.clone();
        FieldFuture::new(async move {
            let data = ctx.data::<RequestData>()?;
            let table = data.db.table_by_id(&table_id).map_err(to_graphql)?;
            let options = input::list_options(&ctx.args, table).map_err(to_graphql)?;
            let store = data.env.store.as_ref();
            let rows = rows::list(store, &data.env.team_id, &data.db, table, &options)
                .await
                .map_err(to_graphql)?;
            let nodes = expand::expand(&ctx, data, table, rows)
                .await
                .map_err(to_graphql)?;
            Ok(Some(FieldValue::list(
                nodes.into_iter().map(FieldValue::owned_any),
            )))
        })
    });
    field
        .description(format!(
            "Rows of {}, oldest first unless ordered.",
            table.name
        ))
        .argument(InputValue::new(
            "filter",
            TypeRef::named(format!("{}Filter", table.gtype)),
        ))
        .argument(InputValue::new(
            "orderBy",
            TypeRef::named_nn_list(format!("{}OrderBy", table.gtype)),
        ))
        .argument(InputValue::new("first", TypeRef::named(TypeRef::INT)))
        .argument(InputValue::new("after", TypeRef::named(TypeRef::STRING)))
        .argument(InputValue::new("limit", TypeRef::named(TypeRef::INT)))
        .argument(InputValue::new("cursor", TypeRef::named(TypeRef::STRING)))
}

fn row_field(table: &Table) -> Field {
    let table_id = table.id.clone();
    let name = format!("{}Row", table.gtype);
    Field::new(name, TypeRef::named(&table.gtype), move |ctx| {
        let table_id = table_id.clone();
        FieldFuture::new(async move {
            let data = ctx.data::<RequestData>()?;
            let table = data.db.table_by_id(&table_id).map_err(to_graphql)?;
            let id = ctx.args.try_get("id")?.string()?;
            let store = data.env.store.as_ref();
            let row = rows::get(store, &data.env.team_id, &data.db, table, id)
                .await
                .map_err(to_graphql)?;
            let nodes = expand::expand(&ctx, data, table, row.into_iter().collect())
                .await
                .map_err(to_graphql)?;
            Ok(nodes.into_iter().next().map(FieldValue::owned_any))
        })
    })
    .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID)))
}

/// The request data of a mutation, refused unless the key may write.
fn writer<'a>(ctx: &'a ResolverContext<'a>) -> async_graphql::Result<&'a RequestData> {
    let data = ctx.data::<RequestData>()?;
    if !data.can_write {
        let err = Error::MissingScope {
            feature: "database".into(),
            permission: "write".into(),
        };
        return Err(to_graphql(err));
    }
    Ok(data)
}

/// What a mutation does with its row.
#[derive(Clone, Copy)]
enum Write {
    Insert,
    Create,
    Update,
    Delete,
}

fn mutation(name: String, table: &Table, write: Write) -> Field {
    let table_id = table.id.clone();
    Field::new(name, TypeRef::named_nn(&table.gtype), move |ctx| {
        let table_id = table_id.clone();
        FieldFuture::new(async move {
            let data = writer(&ctx)?;
            let table = data.db.table_by_id(&table_id).map_err(to_graphql)?;
            let row = run_write(&ctx, data, &table_id, write)
                .await
                .map_err(to_graphql)?;
            let nodes = expand::expand(&ctx, data, table, vec![row])
                .await
                .map_err(to_graphql)?;
            Ok(nodes.into_iter().next().map(FieldValue::owned_any))
        })
    })
}

async fn run_write(
    ctx: &ResolverContext<'_>,
    data: &RequestData,
    table_id: &str,
    write: Write,
) -> crate::error::Result<rows::Row> {
    let (env, db) = (&data.env, data.db.as_ref());
    let key = match ctx.path_node.as_ref().map(|node| &node.segment) {
        Some(QueryPathSegment::Name(key)) => *key,
        _ => "",
    };
    let unset = |path: &str| ctx.data::<Unset>().is_ok_and(|u| u.contains(key, path));
    match write {
        Write::Insert => {
            let cells = input::cells(ctx.args.iter(), &[], unset)?;
            rows::insert(env, db, table_id, cells, Naming::Gtype).await
        }
        Write::Create => {
            let cells = input::input_object(&ctx.args, "input", unset)?;
            rows::insert(env, db, table_id, cells, Naming::Gtype).await
        }
        Write::Update => {
            let id = input::id(&ctx.args)?;
            let cells = input::cells(ctx.args.iter(), &["id"], unset)?;
            rows::update(env, db, table_id, &id, cells).await
        }
        Write::Delete => rows::delete(env, db, table_id, &input::id(&ctx.args)?).await,
    }
}

fn insert_field(table: &Table) -> Field {
    let mut field = mutation(table.gtype.clone(), table, Write::Insert)
        .description(format!("Inserts a row into {}.", table.name));
    for column in &table.columns {
        field = field.argument(InputValue::new(&column.gtype, input_type(column)));
    }
    field
}

fn create_field(table: &Table) -> Field {
    let input = TypeRef::named_nn(format!("{}Input", table.gtype));
    mutation(format!("create{}", table.gtype), table, Write::Create)
        .description(format!(
            "Inserts a row into {} from one input object.",
            table.name
        ))
        .argument(InputValue::new("input", input))
}

fn update_field(table: &Table) -> Field {
    let mut field = mutation(format!("update{}", table.gtype), table, Write::Update)
        .description(format!(
            "Sets the given cells of a row of {}; null clears a cell.",
            table.name
        ))
        .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID)));
    for column in &table.columns {
        field = field.argument(InputValue::new(&column.gtype, input_type(column)));
    }
    field
}

fn delete_field(table: &Table) -> Field {
    mutation(format!("delete{}", table.gtype), table, Write::Delete)
        .description(format!(
            "Deletes a row of {}; answers it as it was.",
            table.name
        ))
        .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID)))
}
