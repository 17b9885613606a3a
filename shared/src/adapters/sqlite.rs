//! The embedded `ItemStore`: one SQLite file in WAL mode, with the same semantics as
//! DynamoDB, conditions and the item size limit included.
//!
//! Durability: WAL with `synchronous=NORMAL` keeps every committed transaction through
//! a killed process; only a power loss may drop the last commits.

use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::Value;

use crate::ports::item_store::{
    MAX_TRANSACTION_OPS, all_hold, apply_set, check_item, key_attributes,
};
use crate::ports::{Cond, Item, ItemStore, Key, Page, Query, SkRange, StoreError, Table, WriteOp};

/// The SQLite item store.
#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
}

impl SqliteStore {
    /// Opens (and creates when missing) the store file.
    pub fn open(path: &Path) -> anyhow::Result<SqliteStore> {
        let conn = Connection::open(path)
            .with_context(|| format!("opening the SQLite store at {}", path.display()))?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             PRAGMA busy_timeout = 5000;
             CREATE TABLE IF NOT EXISTS items (
                 tbl TEXT NOT NULL, pk TEXT NOT NULL, sk TEXT NOT NULL,
                 gsi1pk TEXT, gsi1sk TEXT, body TEXT NOT NULL,
                 PRIMARY KEY (tbl, pk, sk)
             ) WITHOUT ROWID;
             CREATE INDEX IF NOT EXISTS items_gsi1 ON items (tbl, gsi1pk, gsi1sk, pk, sk)
                 WHERE gsi1pk IS NOT NULL;",
        )
        .context("preparing the SQLite schema")?;
        Ok(SqliteStore {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn
                .lock()
                .map_err(|_| anyhow::anyhow!("the SQLite lock was poisoned"))?;
            work(&mut guard)
        })
        .await
        .context("the SQLite worker stopped")?
    }
}

fn sql_err(err: rusqlite::Error) -> StoreError {
    StoreError::Other(anyhow::Error::new(err).context("SQLite"))
}

fn read(tx: &Connection, table: Table, key: &Key) -> Result<Option<Item>, StoreError> {
    let body: Option<String> = tx
        .query_row(
            "SELECT body FROM items WHERE tbl = ?1 AND pk = ?2 AND sk = ?3",
            params![table.name(), key.pk, key.sk],
            |row| row.get(0),
        )
        .optional()
        .map_err(sql_err)?;
    body.map(|b| decode(&b)).transpose()
}

fn decode(body: &str) -> Result<Item, StoreError> {
    serde_json::from_str(body)
        .map_err(|e| StoreError::Other(anyhow::Error::new(e).context("decoding a stored item")))
}

fn write(tx: &Connection, table: Table, item: &Item) -> Result<(), StoreError> {
    let key = check_item(item)?;
    let text = |name: &str| item.get(name).and_then(Value::as_str).map(str::to_string);
    let body = serde_json::to_string(item).map_err(|e| StoreError::Other(e.into()))?;
    tx.execute(
        "INSERT OR REPLACE INTO items (tbl, pk, sk, gsi1pk, gsi1sk, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![table.name(), key.pk, key.sk, text("gsi1pk"), text("gsi1sk"), body],
    )
    .map_err(sql_err)?;
    Ok(())
}

fn remove(tx: &Connection, table: Table, key: &Key) -> Result<(), StoreError> {
    tx.execute(
        "DELETE FROM items WHERE tbl = ?1 AND pk = ?2 AND sk = ?3",
        params![table.name(), key.pk, key.sk],
    )
    .map_err(sql_err)?;
    Ok(())
}

/// Applies one write operation inside a transaction; `Ok(false)` when its condition
/// failed and nothing was written.
fn apply(tx: &Transaction<'_>, op: &WriteOp) -> Result<bool, StoreError> {
    match op {
        WriteOp::Put { table, item, conds } => {
            let key = check_item(item)?;
            if !all_hold(conds, read(tx, *table, &key)?.as_ref()) {
                return Ok(false);
            }
            write(tx, *table, item)?;
        }
        WriteOp::Update {
            table,
            key,
            set,
            conds,
        } => {
            let Some(mut current) = read(tx, *table, key)? else {
                return Ok(false);
            };
            if !all_hold(conds, Some(&current)) {
                return Ok(false);
            }
            apply_set(&mut current, set);
            current.insert("pk".into(), Value::from(key.pk.clone()));
            current.insert("sk".into(), Value::from(key.sk.clone()));
            write(tx, *table, &current)?;
        }
        WriteOp::Delete { table, key, conds } => {
            if !all_hold(conds, read(tx, *table, key)?.as_ref()) {
                return Ok(false);
            }
            remove(tx, *table, key)?;
        }
        WriteOp::Check { table, key, conds } => {
            if !all_hold(conds, read(tx, *table, key)?.as_ref()) {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

fn single(conn: &mut Connection, op: WriteOp) -> Result<(), StoreError> {
    let tx = conn.transaction().map_err(sql_err)?;
    if !apply(&tx, &op)? {
        return Err(StoreError::ConditionFailed);
    }
    tx.commit().map_err(sql_err)
}

fn run_query(conn: &Connection, q: &Query) -> Result<Page, StoreError> {
    let (pk_col, sk_col) = if q.index {
        ("gsi1pk", "gsi1sk")
    } else {
        ("pk", "sk")
    };
    let limit = q.limit.clamp(1, 1000);
    let mut sql = format!("SELECT body FROM items WHERE tbl = ?1 AND {pk_col} = ?2");
    let mut args: Vec<String> = vec![q.table.name().into(), q.pk.clone()];
    let mut arg = |sql: &mut String, clause: &str, value: &str| {
        args.push(value.to_string());
        sql.push_str(&clause.replace('#', &format!("?{}", args.len())));
    };
    match &q.sk {
        SkRange::All => {}
        SkRange::BeginsWith(p) => {
            arg(
                &mut sql,
                &format!(" AND substr({sk_col}, 1, length(#)) = #"),
                p,
            );
        }
        SkRange::Between(a, b) => {
            arg(&mut sql, &format!(" AND {sk_col} >= #"), a);
            arg(&mut sql, &format!(" AND {sk_col} <= #"), b);
        }
        SkRange::After(a) => arg(&mut sql, &format!(" AND {sk_col} > #"), a),
        SkRange::Before(b) => arg(&mut sql, &format!(" AND {sk_col} < #"), b),
    }
    let order = if q.descending { "DESC" } else { "ASC" };
    let cmp = if q.descending { "<" } else { ">" };
    if let Some(start) = &q.start_after {
        let attr = |name: &str| {
            start
                .get(name)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        if q.index {
            args.extend([attr("gsi1sk"), attr("pk"), attr("sk")]);
            let n = args.len();
            sql.push_str(&format!(
                " AND (gsi1sk, pk, sk) {cmp} (?{}, ?{}, ?{})",
                n - 2,
                n - 1,
                n
            ));
        } else {
            arg(&mut sql, &format!(" AND sk {cmp} #"), &attr("sk"));
        }
    }
    if q.index {
        sql.push_str(&format!(" ORDER BY gsi1sk {order}, pk {order}, sk {order}"));
    } else {
        sql.push_str(&format!(" ORDER BY sk {order}"));
    }
    sql.push_str(&format!(" LIMIT {}", limit + 1));

    let mut stmt = conn.prepare_cached(&sql).map_err(sql_err)?;
    let bodies = stmt
        .query_map(rusqlite::params_from_iter(args.iter()), |row| {
            row.get::<_, String>(0)
        })
        .map_err(sql_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(sql_err)?;
    let mut items = bodies
        .iter()
        .map(|b| decode(b))
        .collect::<Result<Vec<_>, _>>()?;
    let more = items.len() > limit;
    items.truncate(limit);
    let next = if more {
        items.last().map(|i| key_attributes(i, q.index))
    } else {
        None
    };
    Ok(Page { items, next })
}

#[async_trait]
impl ItemStore for SqliteStore {
    async fn get(&self, table: Table, key: &Key) -> Result<Option<Item>, StoreError> {
        let key = key.clone();
        self.run(move |conn| read(conn, table, &key)).await
    }

    async fn batch_get(&self, table: Table, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        let keys = keys.to_vec();
        self.run(move |conn| {
            let mut found = Vec::with_capacity(keys.len());
            for key in &keys {
                found.extend(read(conn, table, key)?);
            }
            Ok(found)
        })
        .await
    }

    async fn put(&self, table: Table, item: Item, conds: &[Cond]) -> Result<(), StoreError> {
        let conds = conds.to_vec();
        self.run(move |conn| single(conn, WriteOp::Put { table, item, conds }))
            .await
    }

    async fn update(
        &self,
        table: Table,
        key: &Key,
        set: Item,
        conds: &[Cond],
    ) -> Result<Item, StoreError> {
        let key = key.clone();
        let conds = conds.to_vec();
        self.run(move |conn| {
            let tx = conn.transaction().map_err(sql_err)?;
            let op = WriteOp::Update {
                table,
                key: key.clone(),
                set,
                conds,
            };
            if !apply(&tx, &op)? {
                return Err(StoreError::ConditionFailed);
            }
            let stored = read(&tx, table, &key)?.ok_or(StoreError::ConditionFailed)?;
            tx.commit().map_err(sql_err)?;
            Ok(stored)
        })
        .await
    }

    async fn delete(&self, table: Table, key: &Key, conds: &[Cond]) -> Result<(), StoreError> {
        let key = key.clone();
        let conds = conds.to_vec();
        self.run(move |conn| single(conn, WriteOp::Delete { table, key, conds }))
            .await
    }

    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        let query = query.clone();
        self.run(move |conn| run_query(conn, &query)).await
    }

    async fn transact(&self, ops: Vec<WriteOp>) -> Result<(), StoreError> {
        if ops.is_empty() || ops.len() > MAX_TRANSACTION_OPS {
            return Err(StoreError::Invalid(format!(
                "a transaction takes 1 to {MAX_TRANSACTION_OPS} operations, not {}",
                ops.len()
            )));
        }
        self.run(move |conn| {
            let tx = conn.transaction().map_err(sql_err)?;
            let mut failed = Vec::with_capacity(ops.len());
            for op in &ops {
                failed.push(!apply(&tx, op)?);
            }
            if failed.iter().any(|f| *f) {
                return Err(StoreError::TransactionCanceled { failed });
            }
            tx.commit().map_err(sql_err)
        })
        .await
    }
}
