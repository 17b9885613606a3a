//! GraphQL arguments into domain inputs: cell values, list options and filters. Every
//! error names the argument (or the path inside it) at fault.

use async_graphql::Name;
use async_graphql::dynamic::{ObjectAccessor, ValueAccessor};
use serde_json::Value;

use super::schema::sortable;
use super::{DEFAULT_PAGE, MAX_PAGE};
use crate::domain::databases::{Column, ColumnType, Table};
use crate::domain::dates;
use crate::domain::rows::{Filter, Input, ListOptions, Order, Test};
use crate::error::{Error, Result};

fn json(field: &str, value: &ValueAccessor<'_>) -> Result<Value> {
    value
        .as_value()
        .clone()
        .into_json()
        .map_err(|_| Error::invalid(field, "is not a JSON value"))
}

/// Cell inputs from arguments named by gtype, leaving out `skip` and the arguments
/// whose variable the request did not give (`unset`).
pub fn cells<'a>(
    args: impl Iterator<Item = (&'a Name, ValueAccessor<'a>)>,
    skip: &[&str],
    unset: impl Fn(&str) -> bool,
) -> Result<Input> {
    args.filter(|(name, _)| !skip.contains(&name.as_str()) && !unset(name))
        .map(|(name, value)| Ok((name.to_string(), json(name, &value)?)))
        .collect()
}

/// Cell inputs from the input object argument `name`, leaving out `unset` fields.
pub fn input_object(
    args: &ObjectAccessor<'_>,
    name: &str,
    unset: impl Fn(&str) -> bool,
) -> Result<Input> {
    let value = args
        .get(name)
        .ok_or_else(|| Error::invalid(name, "is required"))?;
    let Value::Object(map) = json(name, &value)? else {
        return Err(Error::invalid(name, "must be an object"));
    };
    let given = map
        .into_iter()
        .filter(|(field, _)| !unset(&format!("{name}.{field}")));
    Ok(given.collect())
}

/// The `id` argument.
pub fn id(args: &ObjectAccessor<'_>) -> Result<String> {
    args.get("id")
        .and_then(|v| v.string().ok().map(str::to_string))
        .ok_or_else(|| Error::invalid("id", "is required"))
}

fn either<'a>(
    args: &'a ObjectAccessor<'a>,
    one: &'static str,
    other: &'static str,
) -> Result<Option<(&'static str, ValueAccessor<'a>)>> {
    let given = |name| args.get(name).filter(|v| !v.is_null()).map(|v| (name, v));
    match (given(one), given(other)) {
        (Some(_), Some(_)) => Err(Error::invalid(
            other,
            format!("give {one} or {other}, not both"),
        )),
        (a, b) => Ok(a.or(b)),
    }
}

/// The options of a list query: `first`/`limit`, `after`/`cursor`, filter, orderBy.
pub fn list_options(args: &ObjectAccessor<'_>, table: &Table) -> Result<ListOptions> {
    let first = match either(args, "first", "limit")? {
        None => DEFAULT_PAGE,
        Some((name, value)) => match value.i64() {
            Ok(n) if (0..=MAX_PAGE as i64).contains(&n) => n as usize,
            _ => return Err(Error::invalid(name, format!("must be 0 to {MAX_PAGE}"))),
        },
    };
    let after = match either(args, "after", "cursor")? {
        None => None,
        Some((name, value)) => Some(
            value
                .string()
                .map_err(|_| Error::invalid(name, "must be a row id"))?
                .to_string(),
        ),
    };
    let filter = match args.get("filter").filter(|v| !v.is_null()) {
        None => None,
        Some(value) => Some(filter(table, &json("filter", &value)?, "filter")?),
    };
    let order = match args.get("orderBy").filter(|v| !v.is_null()) {
        None => vec![],
        Some(value) => order(table, &json("orderBy", &value)?)?,
    };
    Ok(ListOptions {
        filter,
        order,
        first,
        after,
    })
}

fn order(table: &Table, value: &Value) -> Result<Vec<Order>> {
    let items = match value {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let path = format!("orderBy[{i}]");
            let field = item["field"].as_str().unwrap_or_default();
            let column = match field {
                "id" => None,
                gtype => Some(
                    table
                        .columns
                        .iter()
                        .find(|c| c.gtype == gtype && sortable(c))
                        .ok_or_else(|| {
                            Error::invalid(format!("{path}.field"), "is not a sortable column")
                        })?
                        .id
                        .clone(),
                ),
            };
            let descending = item["direction"].as_str() == Some("DESC");
            Ok(Order { column, descending })
        })
        .collect()
}

/// A filter argument as a domain filter; all conditions of one object must hold.
fn filter(table: &Table, value: &Value, path: &str) -> Result<Filter> {
    let Value::Object(map) = value else {
        return Err(Error::invalid(path, "must be an object"));
    };
    let mut all = Vec::new();
    for (key, value) in map.iter().filter(|(_, v)| !v.is_null()) {
        let here = format!("{path}.{key}");
        let nested = |value: &Value| -> Result<Vec<Filter>> {
            let Value::Array(items) = value else {
                return Ok(vec![filter(table, value, &here)?]);
            };
            let each = items.iter().enumerate();
            each.map(|(i, v)| filter(table, v, &format!("{here}[{i}]")))
                .collect()
        };
        match key.as_str() {
            "and" => all.push(Filter::All(nested(value)?)),
            "or" => all.push(Filter::Any(nested(value)?)),
            "not" => all.push(Filter::Not(Box::new(filter(table, value, &here)?))),
            "id" => all.extend(tests(None, None, value, &here)?),
            gtype => {
                let column = table
                    .columns
                    .iter()
                    .find(|c| c.gtype == gtype)
                    .ok_or_else(|| Error::invalid(&here, "is not a column"))?;
                all.extend(tests(Some(column.id.clone()), Some(column), value, &here)?);
            }
        }
    }
    Ok(Filter::All(all))
}

fn tests(
    column_id: Option<String>,
    column: Option<&Column>,
    value: &Value,
    path: &str,
) -> Result<Vec<Filter>> {
    let Value::Object(ops) = value else {
        return Err(Error::invalid(path, "must be an object of tests"));
    };
    let timed = column.is_some_and(|c| c.kind == ColumnType::Timedate);
    let operand = |op: &str, v: &Value| -> Result<Value> {
        match timed {
            true => Ok(Value::from(dates::parse_ms(&format!("{path}.{op}"), v)?)),
            false => Ok(v.clone()),
        }
    };
    let mut out = Vec::new();
    for (op, arg) in ops.iter().filter(|(_, v)| !v.is_null()) {
        let flag = || {
            arg.as_bool()
                .ok_or_else(|| Error::invalid(format!("{path}.{op}"), "must be true or false"))
        };
        let test = match op.as_str() {
            "eq" => Test::Eq(operand(op, arg)?),
            "ne" => Test::Ne(operand(op, arg)?),
            "gt" => Test::Gt(operand(op, arg)?),
            "gte" => Test::Gte(operand(op, arg)?),
            "lt" => Test::Lt(operand(op, arg)?),
            "lte" => Test::Lte(operand(op, arg)?),
            "contains" => Test::Contains(arg.clone()),
            "startsWith" => Test::StartsWith(arg.as_str().unwrap_or_default().to_string()),
            "in" => {
                let items = arg.as_array().cloned().unwrap_or_default();
                Test::In(
                    items
                        .iter()
                        .map(|v| operand(op, v))
                        .collect::<Result<_>>()?,
                )
            }
            "isNull" => Test::IsNull(flag()?),
            "isEmpty" => Test::IsEmpty(flag()?),
            other => {
                return Err(Error::invalid(format!("{path}.{other}"), "is not a test"));
            }
        };
        out.push(Filter::Cell {
            column: column_id.clone(),
            test,
        });
    }
    Ok(out)
}
