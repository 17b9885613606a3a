//! Reference loading: before a row list (or a mutated row) is answered, the query's
//! selection is read ahead, and every reference it selects is loaded level by level,
//! each level with one round of batch gets (at most 100 keys a call) for all its
//! reference columns together. A list of 100 deals with their companies therefore costs
//! one query and one batch get, never one request per row.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::Lookahead;
use async_graphql::dynamic::ResolverContext;

use super::{MAX_LOADED_ROWS, RequestData};
use crate::domain::databases::{Column, Table};
use crate::domain::rows::{self, Row, reference_ids, reference_keys, row_key};
use crate::error::{Error, Result};
use crate::ports::Key;

/// A row with the target rows of each selected reference column, by column id.
pub struct Node {
    pub row: Row,
    pub refs: HashMap<String, Vec<Arc<Node>>>,
}

/// Rows of one table reached through the same path of reference fields.
struct Group {
    table_id: String,
    keys: Vec<Key>,
    path: Vec<String>,
}

fn look_at<'a>(ctx: &'a ResolverContext<'a>, path: &[String]) -> Lookahead<'a> {
    path.iter()
        .fold(ctx.look_ahead(), |look, name| look.field(name))
}

fn references(table: &Table) -> impl Iterator<Item = &Column> {
    table.columns.iter().filter(|c| c.reference().is_some())
}

/// Loads what the selection needs under `rows` (of `table`) and answers their nodes.
pub async fn expand(
    ctx: &ResolverContext<'_>,
    data: &RequestData,
    table: &Table,
    rows: Vec<Row>,
) -> Result<Vec<Arc<Node>>> {
    let team = &data.env.team_id;
    let mut loaded: HashMap<Key, Row> = HashMap::with_capacity(rows.len());
    let mut roots = Vec::with_capacity(rows.len());
    for row in rows {
        let key = row_key(team, &data.db.id, &table.id, &row.id);
        roots.push(key.clone());
        loaded.insert(key, row);
    }
    let mut frontier = vec![Group {
        table_id: table.id.clone(),
        keys: roots.clone(),
        path: vec![],
    }];
    while !frontier.is_empty() {
        let (wanted, next) = next_level(ctx, data, &frontier, &loaded)?;
        if loaded.len() + wanted.len() > MAX_LOADED_ROWS {
            return Err(Error::invalid(
                "query",
                format!("reads over {MAX_LOADED_ROWS} rows; select fewer rows or references"),
            ));
        }
        if !wanted.is_empty() {
            loaded.extend(rows::load(data.env.store.as_ref(), wanted).await?);
        }
        frontier = next;
    }
    let nodes = roots
        .iter()
        .filter_map(|key| build(ctx, data, table, key, &[], &loaded))
        .collect();
    Ok(nodes)
}

/// The keys the next level needs that are not loaded yet, and the groups it forms.
fn next_level(
    ctx: &ResolverContext<'_>,
    data: &RequestData,
    frontier: &[Group],
    loaded: &HashMap<Key, Row>,
) -> Result<(Vec<Key>, Vec<Group>)> {
    let (mut wanted, mut next) = (Vec::new(), Vec::new());
    for group in frontier {
        let table = data.db.table_by_id(&group.table_id)?;
        let look = look_at(ctx, &group.path);
        for column in references(table) {
            if !look.field(&column.gtype).exists() {
                continue;
            }
            let keys: Vec<Key> = group
                .keys
                .iter()
                .filter_map(|key| loaded.get(key))
                .flat_map(|row| reference_keys(&data.env.team_id, &data.db, column, row))
                .collect();
            wanted.extend(keys.iter().filter(|k| !loaded.contains_key(k)).cloned());
            let mut path = group.path.clone();
            path.push(column.gtype.clone());
            if let (false, Some(target)) = (keys.is_empty(), column.reference()) {
                next.push(Group {
                    table_id: target.table.clone(),
                    keys,
                    path,
                });
            }
        }
    }
    wanted.sort();
    wanted.dedup();
    Ok((wanted, next))
}

/// The node of a loaded row, with the selected references below it.
fn build(
    ctx: &ResolverContext<'_>,
    data: &RequestData,
    table: &Table,
    key: &Key,
    path: &[String],
    loaded: &HashMap<Key, Row>,
) -> Option<Arc<Node>> {
    let row = loaded.get(key)?.clone();
    let look = look_at(ctx, path);
    let mut refs = HashMap::new();
    for column in references(table) {
        if !look.field(&column.gtype).exists() {
            continue;
        }
        let Some(target) = column.reference().and_then(|r| data.db.table(&r.table)) else {
            continue;
        };
        let mut below = path.to_vec();
        below.push(column.gtype.clone());
        let targets = reference_ids(column, &row)
            .iter()
            .map(|id| row_key(&data.env.team_id, &data.db.id, &target.id, id))
            .filter_map(|key| build(ctx, data, target, &key, &below, loaded))
            .collect();
        refs.insert(column.id.clone(), targets);
    }
    Some(Arc::new(Node { row, refs }))
}

/// Loads one reference cell that the read-ahead did not see (a safety net: the
/// read-ahead covers fields, fragments and aliases, so this should not run).
pub async fn late(
    ctx: &ResolverContext<'_>,
    data: &RequestData,
    row: &Row,
    column_id: &str,
) -> Result<Vec<Arc<Node>>> {
    let table = data.db.table_by_id(&row.table_id)?;
    let Some(column) = table.column(column_id) else {
        return Ok(vec![]);
    };
    let Some(target) = column.reference().and_then(|r| data.db.table(&r.table)) else {
        return Ok(vec![]);
    };
    let keys = reference_keys(&data.env.team_id, &data.db, column, row);
    let mut found = rows::load(data.env.store.as_ref(), keys).await?;
    let ordered = reference_ids(column, row)
        .iter()
        .filter_map(|id| found.remove(&row_key(&data.env.team_id, &data.db.id, &target.id, id)))
        .collect();
    expand(ctx, data, target, ordered).await
}
