//! The `ItemStore` conformance suite: DynamoDB's semantics, conditions included, as
//! every adapter must reproduce them.

use std::collections::BTreeSet;
use std::time::Duration;

use anyhow::{Context, bail, ensure};
use serde_json::{Value, json};

use super::{Case, run_cases};
use crate::ports::item_store::{MAX_ITEM_BYTES, MAX_TRANSACTION_OPS};
use crate::ports::{Cond, Item, ItemStore, Key, Query, SkRange, StoreError, Table, WriteOp};
use crate::testing::unique_name;

/// Items in the shared list partition, and the page size its queries use.
const LISTED: usize = 250;
const PAGE: usize = 100;

/// Runs every `ItemStore` case against `store`; panics naming the first that fails.
pub async fn item_store_suite(store: &dyn ItemStore) {
    let t = Ctx {
        store,
        run: unique_name("conformance"),
    };
    let cases: Vec<Case> = vec![
        ("JSON round trip", Box::pin(t.round_trip())),
        ("put replaces the whole item", Box::pin(t.put_replaces())),
        ("conditional put", Box::pin(t.conditional_put())),
        ("versioned update conflict", Box::pin(t.versioned_update())),
        ("null in an update removes", Box::pin(t.update_removes())),
        ("update of a missing item", Box::pin(t.update_missing())),
        ("delete with condition", Box::pin(t.conditional_delete())),
        ("items and rows apart", Box::pin(t.separate_tables())),
        ("seed the list partition", Box::pin(t.seed_list())),
        ("query pagination", Box::pin(t.query_pages())),
        ("query sort-key ranges", Box::pin(t.query_ranges())),
        ("query on the gsi1 index", Box::pin(t.index_query())),
        ("batch get of 150 keys", Box::pin(t.batch_get())),
        ("transaction rollback", Box::pin(t.transaction_rollback())),
        ("transaction commit", Box::pin(t.transaction_commit())),
        ("transaction size limits", Box::pin(t.transaction_limits())),
        ("items over 400 KB", Box::pin(t.too_large())),
        ("items need string keys", Box::pin(t.invalid_item())),
    ];
    run_cases("ItemStore", cases).await;
}

/// The store under test and this run's key prefix.
struct Ctx<'a> {
    store: &'a dyn ItemStore,
    run: String,
}

/// A JSON object literal as an item.
fn obj(value: Value) -> Item {
    match value {
        Value::Object(map) => map,
        other => panic!("test items are JSON objects, not {other}"),
    }
}

fn is_condition_failed<T>(result: &Result<T, StoreError>) -> bool {
    matches!(result, Err(StoreError::ConditionFailed))
}

/// The string attribute `name` of every item, in order.
fn strings(items: &[Item], name: &str) -> Vec<String> {
    items
        .iter()
        .map(|i| {
            i.get(name)
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_owned()
        })
        .collect()
}

/// `item#000`-style sort keys for the indexes in `range`.
fn list_sks(range: impl Iterator<Item = usize>) -> Vec<String> {
    range.map(|i| format!("item#{i:03}")).collect()
}

impl Ctx<'_> {
    fn pk(&self, name: &str) -> String {
        format!("{}#{name}", self.run)
    }

    fn key(&self, partition: &str, sk: &str) -> Key {
        Key::new(self.pk(partition), sk)
    }

    /// An item under `partition`/`sk` with the given other attributes.
    fn item(&self, partition: &str, sk: &str, attrs: Value) -> Item {
        let mut item = obj(attrs);
        item.insert("pk".into(), self.pk(partition).into());
        item.insert("sk".into(), sk.into());
        item
    }

    async fn get(&self, table: Table, key: &Key) -> anyhow::Result<Option<Item>> {
        Ok(self.store.get(table, key).await?)
    }

    /// Every page of a query, following `next` until it is absent.
    async fn pages(&self, mut query: Query) -> anyhow::Result<Vec<Vec<Item>>> {
        let mut pages = Vec::new();
        for _ in 0..50 {
            let page = self.store.query(&query).await?;
            ensure!(
                page.items.len() <= query.limit,
                "a page of {} items exceeds the limit {}",
                page.items.len(),
                query.limit
            );
            // A store may end with an empty page, as DynamoDB does when the previous
            // page ended exactly at the last item.
            if !page.items.is_empty() {
                pages.push(page.items);
            }
            match page.next {
                Some(next) => query.start_after = Some(next),
                None => return Ok(pages),
            }
        }
        bail!("the query did not end within 50 pages")
    }

    async fn all(&self, query: Query) -> anyhow::Result<Vec<Item>> {
        Ok(self.pages(query).await?.concat())
    }

    async fn round_trip(&self) -> anyhow::Result<()> {
        let item = self.item(
            "types",
            "all",
            json!({
                "text": "päivä ✓", "empty": "", "int": 42, "negative": -7,
                "big": i64::MAX, "float": 2.5, "small": -0.125, "yes": true, "no": false,
                "nothing": null, "list": [1, "two", [3.5, null], {"four": 4}],
                "map": {"nested": {"deep": [true]}, "empty_list": [], "empty_map": {}}
            }),
        );
        self.store.put(Table::Items, item.clone(), &[]).await?;
        let stored = self.get(Table::Items, &self.key("types", "all")).await?;
        ensure!(stored.as_ref() == Some(&item), "read back {stored:?}");
        ensure!(
            stored
                .and_then(|i| i.get("int").cloned())
                .is_some_and(|n| n.is_i64()),
            "an integer came back as a float"
        );
        let missing = self
            .get(Table::Items, &self.key("types", "missing"))
            .await?;
        ensure!(missing.is_none(), "a missing key answered {missing:?}");
        Ok(())
    }

    async fn put_replaces(&self) -> anyhow::Result<()> {
        let key = self.key("replace", "x");
        self.store
            .put(
                Table::Items,
                self.item("replace", "x", json!({"a": 1, "b": 2})),
                &[],
            )
            .await?;
        self.store
            .put(
                Table::Items,
                self.item("replace", "x", json!({"c": 3})),
                &[],
            )
            .await?;
        let stored = self.get(Table::Items, &key).await?;
        ensure!(
            stored == Some(self.item("replace", "x", json!({"c": 3}))),
            "read back {stored:?}"
        );
        Ok(())
    }

    async fn conditional_put(&self) -> anyhow::Result<()> {
        let (p, key) = ("cput", self.key("cput", "x"));
        let v1 = self.item(
            p,
            "x",
            json!({"version": 1, "status": "open", "archived": null}),
        );
        self.store
            .put(Table::Items, v1.clone(), &[Cond::NotExists])
            .await?;
        let again = self
            .store
            .put(
                Table::Items,
                self.item(p, "x", json!({"version": 9})),
                &[Cond::NotExists],
            )
            .await;
        ensure!(
            is_condition_failed(&again),
            "a second NotExists put answered {again:?}"
        );
        ensure!(
            self.get(Table::Items, &key).await? == Some(v1),
            "a refused put changed the item"
        );

        let v2 = self.item(p, "x", json!({"version": 2, "status": "open"}));
        let conds = [
            Cond::Exists,
            Cond::version(1),
            Cond::Equals("status".into(), json!("open")),
            Cond::Equals("archived".into(), Value::Null),
            Cond::Missing("archived".into()),
            Cond::Missing("deleted_at".into()),
        ];
        self.store
            .put(Table::Items, v2.clone(), &conds)
            .await
            .context("a put whose conditions all hold")?;
        let stale = self
            .store
            .put(
                Table::Items,
                self.item(p, "x", json!({"version": 3})),
                &[Cond::version(1)],
            )
            .await;
        ensure!(
            is_condition_failed(&stale),
            "a put on a stale version answered {stale:?}"
        );
        let wrong = self
            .store
            .put(
                Table::Items,
                v2.clone(),
                &[Cond::Equals("status".into(), json!("closed"))],
            )
            .await;
        ensure!(
            is_condition_failed(&wrong),
            "a put with an unmet Equals answered {wrong:?}"
        );
        let present = self
            .store
            .put(Table::Items, v2.clone(), &[Cond::Missing("status".into())])
            .await;
        ensure!(
            is_condition_failed(&present),
            "Missing on a present attribute answered {present:?}"
        );
        let not_null = self
            .store
            .put(
                Table::Items,
                v2.clone(),
                &[Cond::Equals("status".into(), Value::Null)],
            )
            .await;
        ensure!(
            is_condition_failed(&not_null),
            "Equals null on a string answered {not_null:?}"
        );
        ensure!(
            self.get(Table::Items, &key).await? == Some(v2),
            "refused puts changed the item"
        );

        // As DynamoDB's attribute_not_exists: an absent item lacks every attribute.
        let fresh = self.item(p, "z", json!({}));
        let conds = [Cond::Missing("deleted_at".into())];
        self.store
            .put(Table::Items, fresh, &conds)
            .await
            .context("Missing on an absent item")?;
        let absent = self
            .store
            .put(Table::Items, self.item(p, "y", json!({})), &[Cond::Exists])
            .await;
        ensure!(
            is_condition_failed(&absent),
            "an Exists put on a missing key answered {absent:?}"
        );
        ensure!(
            self.get(Table::Items, &self.key(p, "y")).await?.is_none(),
            "a refused put created an item"
        );
        Ok(())
    }

    async fn versioned_update(&self) -> anyhow::Result<()> {
        let (p, key) = ("vup", self.key("vup", "x"));
        let attrs = json!({"version": 1, "title": "a", "status": "open", "x-y": 1, "a.b": 2});
        self.store
            .put(Table::Items, self.item(p, "x", attrs), &[])
            .await?;
        let set = obj(json!({"version": 2, "title": "b", "status": "done", "a.b": 3}));
        let updated = self
            .store
            .update(Table::Items, &key, set.clone(), &[Cond::version(1)])
            .await?;
        let expected = self.item(
            p,
            "x",
            json!({"version": 2, "title": "b", "status": "done", "x-y": 1, "a.b": 3}),
        );
        ensure!(updated == expected, "the update answered {updated:?}");

        let stale = self
            .store
            .update(Table::Items, &key, set, &[Cond::version(1)])
            .await;
        ensure!(
            is_condition_failed(&stale),
            "an update on a stale version answered {stale:?}"
        );
        ensure!(
            self.get(Table::Items, &key).await? == Some(expected),
            "a refused update changed the item"
        );

        let fresh = obj(json!({"version": 3}));
        let updated = self
            .store
            .update(Table::Items, &key, fresh, &[Cond::version(2)])
            .await?;
        ensure!(
            updated.get("version") == Some(&json!(3)),
            "the fresh update answered {updated:?}"
        );
        Ok(())
    }

    async fn update_removes(&self) -> anyhow::Result<()> {
        let (p, key) = ("unull", self.key("unull", "x"));
        self.store
            .put(
                Table::Items,
                self.item(p, "x", json!({"version": 1, "note": "n", "keep": true})),
                &[],
            )
            .await?;
        let set = obj(json!({"note": null, "version": 2}));
        let updated = self
            .store
            .update(Table::Items, &key, set, &[Cond::version(1)])
            .await?;
        let expected = self.item(p, "x", json!({"version": 2, "keep": true}));
        ensure!(updated == expected, "the update answered {updated:?}");
        ensure!(
            self.get(Table::Items, &key).await? == Some(expected.clone()),
            "the stored item kept the attribute"
        );

        let unchanged = self
            .store
            .update(Table::Items, &key, Item::new(), &[Cond::version(2)])
            .await?;
        ensure!(
            unchanged == expected,
            "an empty update answered {unchanged:?}"
        );
        let stale = self
            .store
            .update(Table::Items, &key, Item::new(), &[Cond::version(1)])
            .await;
        ensure!(
            is_condition_failed(&stale),
            "an empty update on a stale version answered {stale:?}"
        );
        Ok(())
    }

    async fn update_missing(&self) -> anyhow::Result<()> {
        let key = self.key("umissing", "x");
        let result = self
            .store
            .update(Table::Items, &key, obj(json!({"a": 1})), &[])
            .await;
        ensure!(
            is_condition_failed(&result),
            "an update of a missing item answered {result:?}"
        );
        ensure!(
            self.get(Table::Items, &key).await?.is_none(),
            "an update created an item"
        );
        Ok(())
    }

    async fn conditional_delete(&self) -> anyhow::Result<()> {
        let (p, key) = ("cdel", self.key("cdel", "x"));
        self.store
            .put(Table::Items, self.item(p, "x", json!({"version": 1})), &[])
            .await?;
        let stale = self
            .store
            .delete(Table::Items, &key, &[Cond::version(9)])
            .await;
        ensure!(
            is_condition_failed(&stale),
            "a delete on a stale version answered {stale:?}"
        );
        ensure!(
            self.get(Table::Items, &key).await?.is_some(),
            "a refused delete removed the item"
        );
        self.store
            .delete(Table::Items, &key, &[Cond::version(1)])
            .await?;
        ensure!(
            self.get(Table::Items, &key).await?.is_none(),
            "the item survived its delete"
        );
        self.store
            .delete(Table::Items, &key, &[])
            .await
            .context("deleting a missing item")?;
        let absent = self.store.delete(Table::Items, &key, &[Cond::Exists]).await;
        ensure!(
            is_condition_failed(&absent),
            "an Exists delete of a missing item answered {absent:?}"
        );
        Ok(())
    }

    async fn separate_tables(&self) -> anyhow::Result<()> {
        let key = self.key("tables", "x");
        self.store
            .put(
                Table::Items,
                self.item("tables", "x", json!({"in": "items"})),
                &[],
            )
            .await?;
        ensure!(
            self.get(Table::Rows, &key).await?.is_none(),
            "an item showed up in rows"
        );
        self.store
            .put(
                Table::Rows,
                self.item("tables", "x", json!({"in": "rows"})),
                &[],
            )
            .await?;
        let item = self
            .get(Table::Items, &key)
            .await?
            .context("the items item vanished")?;
        let row = self
            .get(Table::Rows, &key)
            .await?
            .context("the row is missing")?;
        ensure!(
            item["in"] == "items" && row["in"] == "rows",
            "tables mixed up: {item:?} {row:?}"
        );
        let rows = self
            .all(Query::partition(Table::Rows, self.pk("tables")))
            .await?;
        ensure!(rows == [row], "the rows partition holds {rows:?}");
        Ok(())
    }

    /// The list partition: `item#000`..`item#249` whose `gsi1sk` runs the other way
    /// (`at#249`..`at#000`), plus `at#250` in another partition on the same index key.
    async fn seed_list(&self) -> anyhow::Result<()> {
        let index = self.pk("index");
        for i in 0..LISTED {
            let attrs =
                json!({"n": i, "gsi1pk": index, "gsi1sk": format!("at#{:03}", LISTED - 1 - i)});
            self.store
                .put(
                    Table::Items,
                    self.item("list", &format!("item#{i:03}"), attrs),
                    &[],
                )
                .await?;
        }
        let other = json!({"n": LISTED, "gsi1pk": index, "gsi1sk": format!("at#{LISTED:03}")});
        self.store
            .put(Table::Items, self.item("other", "item#000", other), &[])
            .await?;
        Ok(())
    }

    async fn query_pages(&self) -> anyhow::Result<()> {
        let query = Query::partition(Table::Items, self.pk("list")).limit(PAGE);
        let pages = self.pages(query.clone()).await?;
        let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
        ensure!(
            sizes == [100, 100, 50],
            "ascending pages of sizes {sizes:?}"
        );
        ensure!(
            strings(&pages.concat(), "sk") == list_sks(0..LISTED),
            "ascending order is wrong"
        );

        let pages = self.pages(query.descending(true)).await?;
        let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
        ensure!(
            sizes == [100, 100, 50],
            "descending pages of sizes {sizes:?}"
        );
        ensure!(
            strings(&pages.concat(), "sk") == list_sks((0..LISTED).rev()),
            "descending order is wrong"
        );
        Ok(())
    }

    async fn query_ranges(&self) -> anyhow::Result<()> {
        let cases = [
            (
                SkRange::BeginsWith("item#1".into()),
                false,
                list_sks(100..200),
            ),
            (
                SkRange::Between("item#010".into(), "item#019".into()),
                false,
                list_sks(10..20),
            ),
            (
                SkRange::Between("item#100".into(), "item#199".into()),
                true,
                list_sks((100..200).rev()),
            ),
            (
                SkRange::After("item#245".into()),
                false,
                list_sks(246..LISTED),
            ),
            (
                SkRange::After("item#245".into()),
                true,
                list_sks((246..LISTED).rev()),
            ),
            (SkRange::Before("item#005".into()), false, list_sks(0..5)),
            (
                SkRange::Before("item#005".into()),
                true,
                list_sks((0..5).rev()),
            ),
            (SkRange::BeginsWith("nothing".into()), false, vec![]),
            (
                SkRange::Between("item#9".into(), "item#0".into()),
                false,
                vec![],
            ),
        ];
        for (range, descending, expected) in cases {
            let query = Query::partition(Table::Items, self.pk("list"))
                .range(range.clone())
                .descending(descending)
                .limit(30);
            let found = strings(&self.all(query).await?, "sk");
            ensure!(
                found == expected,
                "{range:?} (descending: {descending}) found {found:?}"
            );
        }
        Ok(())
    }

    async fn index_query(&self) -> anyhow::Result<()> {
        let query = Query::partition(Table::Items, self.pk("index"))
            .on_index()
            .limit(PAGE);
        self.await_index(&query, LISTED + 1).await?;
        let at =
            |range: std::ops::Range<usize>| range.map(|i| format!("at#{i:03}")).collect::<Vec<_>>();

        let pages = self.pages(query.clone()).await?;
        let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
        ensure!(sizes == [100, 100, 51], "index pages of sizes {sizes:?}");
        let items = pages.concat();
        ensure!(
            strings(&items, "gsi1sk") == at(0..LISTED + 1),
            "the index is not in gsi1sk order"
        );
        ensure!(
            items[0]["sk"] == "item#249" && items[0]["n"] == 249,
            "index items lack attributes: {:?}",
            items[0]
        );
        ensure!(
            items[LISTED]["pk"] == self.pk("other").as_str(),
            "the other partition's item is missing"
        );

        let descending = self.all(query.clone().descending(true)).await?;
        let mut reversed = at(0..LISTED + 1);
        reversed.reverse();
        ensure!(
            strings(&descending, "gsi1sk") == reversed,
            "descending index order is wrong"
        );

        let prefix = self
            .all(query.clone().range(SkRange::BeginsWith("at#0".into())))
            .await?;
        ensure!(
            strings(&prefix, "gsi1sk") == at(0..100),
            "index BeginsWith found {} items",
            prefix.len()
        );
        let after = self
            .all(query.range(SkRange::After("at#247".into())))
            .await?;
        ensure!(
            strings(&after, "gsi1sk") == at(248..LISTED + 1),
            "index After found {:?}",
            strings(&after, "gsi1sk")
        );
        Ok(())
    }

    /// Waits until the index shows `count` items: a DynamoDB index is eventually
    /// consistent (immediate on an emulator or the embedded store).
    async fn await_index(&self, query: &Query, count: usize) -> anyhow::Result<()> {
        for _ in 0..40 {
            if self.all(query.clone()).await?.len() >= count {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        bail!("the index never showed {count} items")
    }

    async fn batch_get(&self) -> anyhow::Result<()> {
        let wanted = list_sks(0..120);
        let mut keys: Vec<Key> = wanted.iter().map(|sk| self.key("list", sk)).collect();
        keys.extend((0..30).map(|i| self.key("list", &format!("missing#{i}"))));
        keys.push(self.key("list", "item#000"));
        let found = self.store.batch_get(Table::Items, &keys).await?;
        let found_sks: BTreeSet<String> = strings(&found, "sk").into_iter().collect();
        ensure!(
            found_sks == wanted.iter().cloned().collect(),
            "batch get found {} distinct keys",
            found_sks.len()
        );
        for item in &found {
            let n = item
                .get("n")
                .and_then(Value::as_u64)
                .context("an item lacks n")?;
            ensure!(
                item["sk"] == format!("item#{n:03}").as_str(),
                "batch get answered {item:?}"
            );
        }
        ensure!(
            self.store.batch_get(Table::Items, &[]).await?.is_empty(),
            "an empty batch found items"
        );
        Ok(())
    }

    /// Items `a` (version 1, with a note), `c` and `e` of the transaction partition.
    async fn seed_transaction(&self, p: &str) -> anyhow::Result<()> {
        self.store
            .put(
                Table::Items,
                self.item(p, "a", json!({"version": 1, "note": "n"})),
                &[],
            )
            .await?;
        self.store
            .put(Table::Items, self.item(p, "c", json!({})), &[])
            .await?;
        self.store
            .put(Table::Items, self.item(p, "e", json!({})), &[])
            .await?;
        Ok(())
    }

    /// Put `b`, update `a` on version 1, delete `c`, put a row, then check `last`.
    fn transaction_ops(&self, p: &str, last: &str) -> Vec<WriteOp> {
        vec![
            WriteOp::Put {
                table: Table::Items,
                item: self.item(p, "b", json!({"new": true})),
                conds: vec![Cond::NotExists],
            },
            WriteOp::Update {
                table: Table::Items,
                key: self.key(p, "a"),
                set: obj(json!({"version": 2, "note": null})),
                conds: vec![Cond::version(1)],
            },
            WriteOp::Delete {
                table: Table::Items,
                key: self.key(p, "c"),
                conds: vec![],
            },
            WriteOp::Put {
                table: Table::Rows,
                item: self.item(p, "r", json!({})),
                conds: vec![Cond::NotExists],
            },
            WriteOp::Check {
                table: Table::Items,
                key: self.key(p, last),
                conds: vec![Cond::Exists],
            },
        ]
    }

    async fn transaction_rollback(&self) -> anyhow::Result<()> {
        let p = "txfail";
        self.seed_transaction(p).await?;
        let result = self.store.transact(self.transaction_ops(p, "d")).await;
        let Err(StoreError::TransactionCanceled { failed }) = result else {
            bail!("a transaction with a failing check answered {result:?}");
        };
        ensure!(
            failed == [false, false, false, false, true],
            "failed ops reported as {failed:?}"
        );
        ensure!(
            self.get(Table::Items, &self.key(p, "b")).await?.is_none(),
            "the put was applied"
        );
        let a = self.get(Table::Items, &self.key(p, "a")).await?;
        ensure!(
            a == Some(self.item(p, "a", json!({"version": 1, "note": "n"}))),
            "the update was applied: {a:?}"
        );
        ensure!(
            self.get(Table::Items, &self.key(p, "c")).await?.is_some(),
            "the delete was applied"
        );
        ensure!(
            self.get(Table::Rows, &self.key(p, "r")).await?.is_none(),
            "the row put was applied"
        );

        let first_fails = vec![
            WriteOp::Put {
                table: Table::Items,
                item: self.item(p, "a", json!({})),
                conds: vec![Cond::NotExists],
            },
            WriteOp::Check {
                table: Table::Items,
                key: self.key(p, "e"),
                conds: vec![Cond::Exists],
            },
        ];
        let result = self.store.transact(first_fails).await;
        let Err(StoreError::TransactionCanceled { failed }) = result else {
            bail!("a transaction with a failing put answered {result:?}");
        };
        ensure!(failed == [true, false], "failed ops reported as {failed:?}");
        Ok(())
    }

    async fn transaction_commit(&self) -> anyhow::Result<()> {
        let p = "txok";
        self.seed_transaction(p).await?;
        self.store.transact(self.transaction_ops(p, "e")).await?;
        ensure!(
            self.get(Table::Items, &self.key(p, "b")).await?.is_some(),
            "the put was not applied"
        );
        let a = self.get(Table::Items, &self.key(p, "a")).await?;
        ensure!(
            a == Some(self.item(p, "a", json!({"version": 2}))),
            "the update left {a:?}"
        );
        ensure!(
            self.get(Table::Items, &self.key(p, "c")).await?.is_none(),
            "the delete was not applied"
        );
        ensure!(
            self.get(Table::Rows, &self.key(p, "r")).await?.is_some(),
            "the row put was not applied"
        );
        Ok(())
    }

    async fn transaction_limits(&self) -> anyhow::Result<()> {
        let empty = self.store.transact(vec![]).await;
        ensure!(
            matches!(empty, Err(StoreError::Invalid(_))),
            "an empty transaction answered {empty:?}"
        );
        let check = |i: usize| WriteOp::Check {
            table: Table::Items,
            key: self.key("txmax", &i.to_string()),
            conds: vec![],
        };
        let too_many = self
            .store
            .transact((0..=MAX_TRANSACTION_OPS).map(check).collect())
            .await;
        ensure!(
            matches!(too_many, Err(StoreError::Invalid(_))),
            "101 operations answered {too_many:?}"
        );
        Ok(())
    }

    async fn too_large(&self) -> anyhow::Result<()> {
        let p = "large";
        let big = self.item(p, "big", json!({"body": "x".repeat(MAX_ITEM_BYTES + 1024)}));
        let put = self.store.put(Table::Items, big.clone(), &[]).await;
        ensure!(
            matches!(put, Err(StoreError::TooLarge { .. })),
            "a 401 KB put answered {put:?}"
        );
        let tx = self
            .store
            .transact(vec![WriteOp::Put {
                table: Table::Items,
                item: big,
                conds: vec![],
            }])
            .await;
        ensure!(
            matches!(tx, Err(StoreError::TooLarge { .. })),
            "a 401 KB transactional put answered {tx:?}"
        );
        ensure!(
            self.get(Table::Items, &self.key(p, "big")).await?.is_none(),
            "a refused item was stored"
        );

        let fits = self.item(p, "fits", json!({"body": "y".repeat(300 * 1024)}));
        self.store
            .put(Table::Items, fits.clone(), &[])
            .await
            .context("a 300 KB item")?;
        ensure!(
            self.get(Table::Items, &self.key(p, "fits")).await? == Some(fits),
            "the 300 KB item changed"
        );
        let grow = obj(json!({"more": "z".repeat(200 * 1024)}));
        let update = self
            .store
            .update(Table::Items, &self.key(p, "fits"), grow, &[])
            .await;
        ensure!(
            matches!(update, Err(StoreError::TooLarge { size }) if size > MAX_ITEM_BYTES),
            "an update growing the item past 400 KB answered {update:?}"
        );
        let kept = self.get(Table::Items, &self.key(p, "fits")).await?;
        ensure!(
            kept.is_some_and(|i| !i.contains_key("more")),
            "the refused update was applied"
        );
        Ok(())
    }

    async fn invalid_item(&self) -> anyhow::Result<()> {
        let keyless = obj(json!({"pk": self.pk("invalid")}));
        let put = self.store.put(Table::Items, keyless, &[]).await;
        ensure!(
            matches!(put, Err(StoreError::Invalid(_))),
            "an item without sk answered {put:?}"
        );
        let numeric = obj(json!({"pk": self.pk("invalid"), "sk": 1}));
        let put = self.store.put(Table::Items, numeric, &[]).await;
        ensure!(
            matches!(put, Err(StoreError::Invalid(_))),
            "an item with a numeric sk answered {put:?}"
        );
        Ok(())
    }
}
