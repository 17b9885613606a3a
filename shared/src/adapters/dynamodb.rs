//! `ItemStore` on DynamoDB: one table for items and one for rows, each with the `gsi1`
//! index. Items are JSON at the port and attribute values on the wire; conditions
//! become condition expressions, failed ones `StoreError::ConditionFailed` or
//! `StoreError::TransactionCanceled`. Reads of the tables themselves are strongly
//! consistent, so a versioned update can follow a read; the index is eventually
//! consistent, as DynamoDB allows nothing else there.

mod expr;
mod schema;
mod value;

use std::collections::BTreeSet;
use std::time::Duration;

use anyhow::anyhow;
use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{BuildError, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    ConditionCheck, Delete, KeysAndAttributes, Put, ReturnValue, TransactWriteItem, Update,
};

use self::expr::Expr;
use self::value::{AttrMap, from_attrs, key_attrs, to_attrs};
use crate::ports::item_store::{
    MAX_BATCH_KEYS, MAX_TRANSACTION_OPS, all_hold, apply_set, check_item, item_size, key_attributes,
};
use crate::ports::{Cond, Item, ItemStore, Key, Page, Query, SkRange, StoreError, Table, WriteOp};

pub use self::schema::TTL_ATTRIBUTE;

/// The name of the secondary index on `gsi1pk` / `gsi1sk`.
pub const GSI1: &str = "gsi1";

/// How many times a batch get asks again for keys DynamoDB left unprocessed.
const BATCH_GET_ATTEMPTS: u32 = 8;

/// The item store on two DynamoDB tables.
#[derive(Debug, Clone)]
pub struct DynamoStore {
    client: Client,
    items_table: String,
    rows_table: String,
}

impl DynamoStore {
    /// A store on the tables named `items_table` and `rows_table`.
    pub fn new(config: &SdkConfig, items_table: &str, rows_table: &str) -> Self {
        DynamoStore {
            client: Client::new(config),
            items_table: items_table.to_owned(),
            rows_table: rows_table.to_owned(),
        }
    }

    /// Creates both tables when missing (with the `gsi1` index and TTL on
    /// `expires_at_s`) and waits until they are active. Safe to run again.
    #[tracing::instrument(skip_all, fields(items = %self.items_table, rows = %self.rows_table))]
    pub async fn create_tables(&self) -> anyhow::Result<()> {
        for name in [&self.items_table, &self.rows_table] {
            schema::ensure_table(&self.client, name).await?;
        }
        Ok(())
    }

    fn table(&self, table: Table) -> &str {
        match table {
            Table::Items => &self.items_table,
            Table::Rows => &self.rows_table,
        }
    }

    /// The items under up to 100 keys, asking again with backoff for the keys
    /// DynamoDB leaves unprocessed when it is busy.
    async fn batch_get_chunk(
        &self,
        table: &str,
        keys: Vec<AttrMap>,
    ) -> Result<Vec<Item>, StoreError> {
        let mut found = Vec::with_capacity(keys.len());
        let mut pending = keys;
        for attempt in 0..BATCH_GET_ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(backoff(attempt)).await;
            }
            pending = self.batch_get_call(table, pending, &mut found).await?;
            if pending.is_empty() {
                return Ok(found);
            }
        }
        Err(StoreError::Other(anyhow!(
            "BatchGetItem on {table} left {} keys unprocessed after {BATCH_GET_ATTEMPTS} attempts",
            pending.len()
        )))
    }

    /// One BatchGetItem call: adds the items found to `found` and answers the keys
    /// left unprocessed.
    async fn batch_get_call(
        &self,
        table: &str,
        keys: Vec<AttrMap>,
        found: &mut Vec<Item>,
    ) -> Result<Vec<AttrMap>, StoreError> {
        let request = KeysAndAttributes::builder()
            .set_keys(Some(keys))
            .consistent_read(true)
            .build()
            .map_err(build_error)?;
        let output = self
            .client
            .batch_get_item()
            .request_items(table, request)
            .send()
            .await
            .map_err(|e| call_error(e, format!("BatchGetItem on {table}")))?;
        let items = output.responses.and_then(|mut r| r.remove(table));
        for attrs in items.unwrap_or_default() {
            found.push(from_attrs(&attrs)?);
        }
        let unprocessed = output.unprocessed_keys.and_then(|mut u| u.remove(table));
        Ok(unprocessed.map(|k| k.keys).unwrap_or_default())
    }

    /// An update that sets nothing: the stored item, when it exists and meets `conds`.
    async fn checked_get(
        &self,
        table: Table,
        key: &Key,
        conds: &[Cond],
    ) -> Result<Item, StoreError> {
        match self.get(table, key).await? {
            Some(item) if all_hold(conds, Some(&item)) => Ok(item),
            _ => Err(StoreError::ConditionFailed),
        }
    }

    /// The error for an update DynamoDB refused as too large: only the server knows
    /// the stored item, so read it to report the size the update would have made.
    async fn oversized(&self, table: Table, key: &Key, set: &Item) -> StoreError {
        match self.get(table, key).await {
            Ok(Some(mut item)) => {
                apply_set(&mut item, set);
                StoreError::TooLarge {
                    size: item_size(&item),
                }
            }
            Ok(None) => StoreError::ConditionFailed,
            Err(err) => err,
        }
    }

    /// One operation of a transactional write, as DynamoDB takes it.
    fn write_item(&self, op: &WriteOp) -> Result<TransactWriteItem, StoreError> {
        let builder = TransactWriteItem::builder();
        let item = match op {
            WriteOp::Put { table, item, conds } => builder.put(self.put_op(*table, item, conds)?),
            WriteOp::Update {
                table,
                key,
                set,
                conds,
            } => {
                check_update(key, set)?;
                match self.update_op(*table, key, set, conds)? {
                    Some(update) => builder.update(update),
                    None => builder.condition_check(self.check_op(*table, key, conds, true)?),
                }
            }
            WriteOp::Delete { table, key, conds } => {
                builder.delete(self.delete_op(*table, key, conds)?)
            }
            WriteOp::Check { table, key, conds } => {
                builder.condition_check(self.check_op(*table, key, conds, false)?)
            }
        };
        Ok(item.build())
    }

    /// The put as a transaction operation. The single-item calls send the fields of
    /// these operations too, so both paths build keys and expressions one way.
    fn put_op(&self, table: Table, item: &Item, conds: &[Cond]) -> Result<Put, StoreError> {
        check_item(item)?;
        let mut expr = Expr::default();
        let condition = expr.conditions(conds);
        Put::builder()
            .table_name(self.table(table))
            .set_item(Some(to_attrs(item)))
            .set_condition_expression(condition)
            .set_expression_attribute_names(expr.names())
            .set_expression_attribute_values(expr.values())
            .build()
            .map_err(build_error)
    }

    /// The update, or `None` when `set` is empty (DynamoDB needs an expression).
    fn update_op(
        &self,
        table: Table,
        key: &Key,
        set: &Item,
        conds: &[Cond],
    ) -> Result<Option<Update>, StoreError> {
        let mut expr = Expr::default();
        let Some(update) = expr.update(set) else {
            return Ok(None);
        };
        let condition = expr.existing_and(conds);
        Update::builder()
            .table_name(self.table(table))
            .set_key(Some(key_attrs(key)))
            .update_expression(update)
            .condition_expression(condition)
            .set_expression_attribute_names(expr.names())
            .set_expression_attribute_values(expr.values())
            .build()
            .map(Some)
            .map_err(build_error)
    }

    fn delete_op(&self, table: Table, key: &Key, conds: &[Cond]) -> Result<Delete, StoreError> {
        let mut expr = Expr::default();
        let condition = expr.conditions(conds);
        Delete::builder()
            .table_name(self.table(table))
            .set_key(Some(key_attrs(key)))
            .set_condition_expression(condition)
            .set_expression_attribute_names(expr.names())
            .set_expression_attribute_values(expr.values())
            .build()
            .map_err(build_error)
    }

    /// A condition check; `existing` also requires the item to exist. DynamoDB needs
    /// an expression, so a check without conditions asks for one that always holds.
    fn check_op(
        &self,
        table: Table,
        key: &Key,
        conds: &[Cond],
        existing: bool,
    ) -> Result<ConditionCheck, StoreError> {
        let mut expr = Expr::default();
        let condition = if existing {
            expr.existing_and(conds)
        } else {
            expr.conditions(conds).unwrap_or_else(|| expr.always())
        };
        ConditionCheck::builder()
            .table_name(self.table(table))
            .set_key(Some(key_attrs(key)))
            .condition_expression(condition)
            .set_expression_attribute_names(expr.names())
            .set_expression_attribute_values(expr.values())
            .build()
            .map_err(build_error)
    }
}

#[async_trait]
impl ItemStore for DynamoStore {
    #[tracing::instrument(skip_all, fields(table = table.name(), pk = %key.pk, sk = %key.sk))]
    async fn get(&self, table: Table, key: &Key) -> Result<Option<Item>, StoreError> {
        let name = self.table(table);
        let output = self
            .client
            .get_item()
            .table_name(name)
            .set_key(Some(key_attrs(key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| call_error(e, format!("GetItem on {name}")))?;
        Ok(output.item.as_ref().map(from_attrs).transpose()?)
    }

    #[tracing::instrument(skip_all, fields(table = table.name(), keys = keys.len()))]
    async fn batch_get(&self, table: Table, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        // DynamoDB refuses a batch naming the same key twice.
        let unique: BTreeSet<&Key> = keys.iter().collect();
        let unique: Vec<&Key> = unique.into_iter().collect();
        let mut found = Vec::with_capacity(unique.len());
        for chunk in unique.chunks(MAX_BATCH_KEYS) {
            let chunk = chunk.iter().map(|key| key_attrs(key)).collect();
            found.extend(self.batch_get_chunk(self.table(table), chunk).await?);
        }
        Ok(found)
    }

    #[tracing::instrument(skip_all, fields(table = table.name(), pk = item.get("pk").and_then(serde_json::Value::as_str), sk = item.get("sk").and_then(serde_json::Value::as_str)))]
    async fn put(&self, table: Table, item: Item, conds: &[Cond]) -> Result<(), StoreError> {
        let put = self.put_op(table, &item, conds)?;
        self.client
            .put_item()
            .table_name(put.table_name)
            .set_item(Some(put.item))
            .set_condition_expression(put.condition_expression)
            .set_expression_attribute_names(put.expression_attribute_names)
            .set_expression_attribute_values(put.expression_attribute_values)
            .send()
            .await
            .map_err(|e| call_error(e, format!("PutItem on {}", self.table(table))))?;
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(table = table.name(), pk = %key.pk, sk = %key.sk))]
    async fn update(
        &self,
        table: Table,
        key: &Key,
        set: Item,
        conds: &[Cond],
    ) -> Result<Item, StoreError> {
        check_update(key, &set)?;
        let Some(update) = self.update_op(table, key, &set, conds)? else {
            return self.checked_get(table, key, conds).await;
        };
        let name = self.table(table);
        let result = self
            .client
            .update_item()
            .table_name(update.table_name)
            .set_key(Some(update.key))
            .update_expression(update.update_expression)
            .set_condition_expression(update.condition_expression)
            .set_expression_attribute_names(update.expression_attribute_names)
            .set_expression_attribute_values(update.expression_attribute_values)
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        let output = match result {
            Ok(output) => output,
            Err(err) if is_size_error(&err) => return Err(self.oversized(table, key, &set).await),
            Err(err) => return Err(call_error(err, format!("UpdateItem on {name}"))),
        };
        let attrs = output
            .attributes
            .ok_or_else(|| anyhow!("UpdateItem on {name} returned no item"))?;
        Ok(from_attrs(&attrs)?)
    }

    #[tracing::instrument(skip_all, fields(table = table.name(), pk = %key.pk, sk = %key.sk))]
    async fn delete(&self, table: Table, key: &Key, conds: &[Cond]) -> Result<(), StoreError> {
        let delete = self.delete_op(table, key, conds)?;
        self.client
            .delete_item()
            .table_name(delete.table_name)
            .set_key(Some(delete.key))
            .set_condition_expression(delete.condition_expression)
            .set_expression_attribute_names(delete.expression_attribute_names)
            .set_expression_attribute_values(delete.expression_attribute_values)
            .send()
            .await
            .map_err(|e| call_error(e, format!("DeleteItem on {}", self.table(table))))?;
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(table = query.table.name(), index = query.index, pk = %query.pk))]
    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        if let SkRange::Between(low, high) = &query.sk
            && low > high
        {
            // An empty range; DynamoDB would refuse it as a malformed expression.
            return Ok(Page::default());
        }
        let name = self.table(query.table);
        let mut expr = Expr::default();
        let key_condition = expr.key_condition(query);
        let start = query
            .start_after
            .as_ref()
            .map(|item| to_attrs(&key_attributes(item, query.index)));
        let mut request = self
            .client
            .query()
            .table_name(name)
            .key_condition_expression(key_condition)
            .set_expression_attribute_names(expr.names())
            .set_expression_attribute_values(expr.values())
            .scan_index_forward(!query.descending)
            .limit(query.limit.clamp(1, 1000) as i32)
            .set_exclusive_start_key(start);
        request = if query.index {
            request.index_name(GSI1)
        } else {
            request.consistent_read(true)
        };
        let output = request
            .send()
            .await
            .map_err(|e| call_error(e, format!("Query on {name}")))?;
        let items = output
            .items
            .unwrap_or_default()
            .iter()
            .map(from_attrs)
            .collect::<anyhow::Result<_>>()?;
        let next = output
            .last_evaluated_key
            .as_ref()
            .map(from_attrs)
            .transpose()?;
        Ok(Page { items, next })
    }

    #[tracing::instrument(skip_all, fields(ops = ops.len()))]
    async fn transact(&self, ops: Vec<WriteOp>) -> Result<(), StoreError> {
        if ops.is_empty() || ops.len() > MAX_TRANSACTION_OPS {
            return Err(StoreError::Invalid(format!(
                "a transaction takes 1 to {MAX_TRANSACTION_OPS} operations, not {}",
                ops.len()
            )));
        }
        let items = ops
            .iter()
            .map(|op| self.write_item(op))
            .collect::<Result<Vec<_>, _>>()?;
        self.client
            .transact_write_items()
            .set_transact_items(Some(items))
            // Makes the SDK's retries of this call idempotent.
            .client_request_token(request_token())
            .send()
            .await
            .map_err(|e| transaction_error(e, ops.len()))?;
        Ok(())
    }
}

/// Refuses an update of the key attributes (DynamoDB does too) or one whose new
/// attributes alone exceed the item size limit.
fn check_update(key: &Key, set: &Item) -> Result<(), StoreError> {
    if set.contains_key("pk") || set.contains_key("sk") {
        return Err(StoreError::Invalid(
            "an update cannot change pk or sk".into(),
        ));
    }
    let mut written: Item = set
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    written.insert("pk".into(), key.pk.clone().into());
    written.insert("sk".into(), key.sk.clone().into());
    check_item(&written).map(|_| ())
}

/// A failed call as a store error: a failed condition is `ConditionFailed`; anything
/// else keeps the SDK error, with what was being done.
fn call_error<E>(err: SdkError<E, HttpResponse>, doing: String) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    if err.code() == Some("ConditionalCheckFailedException") {
        return StoreError::ConditionFailed;
    }
    StoreError::Other(anyhow::Error::new(err).context(doing))
}

/// A cancelled transaction whose reasons name failed conditions becomes
/// `TransactionCanceled`; any other failure (a conflict with another transaction,
/// throttling, validation) stays an error of its own.
fn transaction_error(
    err: SdkError<TransactWriteItemsError, HttpResponse>,
    ops: usize,
) -> StoreError {
    if let Some(TransactWriteItemsError::TransactionCanceledException(cancel)) =
        err.as_service_error()
    {
        let mut failed: Vec<bool> = cancel
            .cancellation_reasons()
            .iter()
            .map(|r| r.code() == Some("ConditionalCheckFailed"))
            .collect();
        if failed.contains(&true) {
            failed.resize(ops, false);
            return StoreError::TransactionCanceled { failed };
        }
    }
    call_error(err, "TransactWriteItems".into())
}

/// Whether DynamoDB refused a write because the item would exceed its size limit.
fn is_size_error<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> bool {
    err.code() == Some("ValidationException")
        && err
            .message()
            .is_some_and(|m| m.contains("exceeded the maximum allowed size"))
}

fn build_error(err: BuildError) -> StoreError {
    StoreError::Other(anyhow::Error::new(err).context("building a DynamoDB request"))
}

/// The wait before asking again for unprocessed keys: 50 ms doubling, at most 2 s,
/// with up to half of it random so concurrent callers spread out.
fn backoff(attempt: u32) -> Duration {
    let base = 50u64.saturating_mul(1 << attempt.min(6)).min(2_000);
    Duration::from_millis(base / 2 + rand::random_range(0..=base / 2))
}

/// A fresh idempotency token for one transactional write.
fn request_token() -> String {
    format!("{:032x}", rand::random::<u128>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn updates_of_keys_or_oversized_values_are_refused() {
        let key = Key::new("p", "s");
        let set = |v: serde_json::Value| v.as_object().cloned().unwrap_or_default();
        assert!(matches!(
            check_update(&key, &set(json!({"pk": "x"}))),
            Err(StoreError::Invalid(_))
        ));
        let big = "x".repeat(410 * 1024);
        assert!(matches!(
            check_update(&key, &set(json!({"body": big}))),
            Err(StoreError::TooLarge { .. })
        ));
        assert!(check_update(&key, &set(json!({"body": null, "n": 1}))).is_ok());
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert!(backoff(1) <= Duration::from_millis(100));
        assert!(backoff(20) <= Duration::from_secs(2));
        assert!(backoff(20) >= Duration::from_secs(1));
    }
}
