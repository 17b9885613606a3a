//! Tests of the generated schema over the SQLite store, through a store wrapper that
//! counts round trips.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use serde_json::{Value, json};

use super::*;
use crate::adapters::in_process::InProcessBus;
use crate::adapters::sqlite::SqliteStore;
use crate::domain::databases::{self, NewColumn, NewTable};
use crate::domain::keys::project_pk;
use crate::domain::{activity, rows};
use crate::ports::{
    Clock, Cond, Item, ItemStore, Key, Page, Query, StoreError, SystemClock, Table, WriteOp,
};

const TEAM: &str = "team1";
const PROJECT: &str = "proj1";

/// An `ItemStore` that counts the calls made through it.
struct Counting {
    inner: SqliteStore,
    calls: AtomicUsize,
}

impl Counting {
    fn take(&self) -> usize {
        self.calls.swap(0, Ordering::SeqCst)
    }
    fn tick(&self) {
        self.calls.fetch_add(1, Ordering::SeqCst);
    }
}

#[async_trait]
impl ItemStore for Counting {
    async fn get(&self, table: Table, key: &Key) -> Result<Option<Item>, StoreError> {
        self.tick();
        self.inner.get(table, key).await
    }
    async fn batch_get(&self, table: Table, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        assert!(keys.len() <= 100, "a batch get carries at most 100 keys");
        self.tick();
        self.inner.batch_get(table, keys).await
    }
    async fn put(&self, table: Table, item: Item, conds: &[Cond]) -> Result<(), StoreError> {
        self.tick();
        self.inner.put(table, item, conds).await
    }
    async fn update(
        &self,
        table: Table,
        key: &Key,
        set: Item,
        conds: &[Cond],
    ) -> Result<Item, StoreError> {
        self.tick();
        self.inner.update(table, key, set, conds).await
    }
    async fn delete(&self, table: Table, key: &Key, conds: &[Cond]) -> Result<(), StoreError> {
        self.tick();
        self.inner.delete(table, key, conds).await
    }
    async fn query(&self, query: &Query) -> Result<Page, StoreError> {
        self.tick();
        self.inner.query(query).await
    }
    async fn transact(&self, ops: Vec<WriteOp>) -> Result<(), StoreError> {
        self.tick();
        self.inner.transact(ops).await
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    store: Arc<Counting>,
    cache: SchemaCache,
    db_id: String,
}

fn column(name: &str, kind: &str, gtype: &str, options: Option<Value>) -> NewColumn {
    NewColumn {
        name: name.into(),
        kind: kind.into(),
        gtype: Some(gtype.into()),
        options,
    }
}

/// The guide's CRM: Companies, and deals in Sheet1 referencing a company.
async fn crm() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let inner = SqliteStore::open(&dir.path().join("s.sqlite3")).unwrap();
    let store = Arc::new(Counting {
        inner,
        calls: AtomicUsize::new(0),
    });
    let clock = SystemClock;
    let s = store.as_ref();
    let db = databases::create(s, &clock, TEAM, PROJECT, None, "CRM")
        .await
        .unwrap();
    let deals = db.tables[0].id.clone();
    let new = NewTable {
        name: "Companies".into(),
        gtype: Some("Companies".into()),
    };
    let (db, companies) = databases::add_table(s, &clock, db, new).await.unwrap();
    let company_columns = vec![
        column("Company name", "text", "companyName", None),
        column("Website", "link", "website", None),
        column("Customer docs", "documents", "customerDocs", None),
        column("Employees", "number", "employees", None),
    ];
    let (db, _) = databases::add_columns(s, &clock, db, &companies.id, company_columns)
        .await
        .unwrap();
    let reference = json!({ "type": "one_to_one", "table": companies.id,
                            "column_show": "companyName" });
    let deal_columns = vec![
        column("Deal name", "text", "dealName", None),
        column("Stage", "status", "stage", None),
        column("Company", "reference", "company", Some(reference)),
        column("Tags", "tags", "tags", None),
        column("Amount", "number", "amount", None),
    ];
    databases::add_columns(s, &clock, db.clone(), &deals, deal_columns)
        .await
        .unwrap();
    store.take();
    Fixture {
        _dir: dir,
        store,
        cache: SchemaCache::default(),
        db_id: db.id,
    }
}

impl Fixture {
    fn env(&self) -> rows::RowEnv {
        rows::RowEnv {
            store: self.store.clone(),
            bus: Arc::new(InProcessBus::new()),
            clock: Arc::new(SystemClock),
            team_id: TEAM.into(),
            project_id: PROJECT.into(),
            actor_id: Some("user1".into()),
        }
    }

    async fn db(&self) -> databases::Database {
        databases::get(self.store.as_ref(), TEAM, &self.db_id)
            .await
            .unwrap()
            .unwrap()
    }

    /// Runs a request the way the HTTP layer does: read the database, then execute.
    async fn run(&self, query: &str, variables: Value) -> Value {
        let db = self.db().await;
        let data = RequestData {
            env: self.env(),
            db: Arc::new(db),
            can_write: true,
        };
        let request = async_graphql::Request::new(query)
            .variables(async_graphql::Variables::from_json(variables));
        let response = execute(&self.cache, data, request).await;
        serde_json::to_value(&response).unwrap()
    }

    async fn count_rows(&self, table_gtype: &str) -> usize {
        let db = self.db().await;
        let table = db.table(table_gtype).unwrap();
        let options = rows::ListOptions {
            first: 500,
            ..Default::default()
        };
        rows::list(self.store.as_ref(), TEAM, &db, table, &options)
            .await
            .unwrap()
            .len()
    }

    async fn company(&self, name: &str) -> String {
        let reply = self
            .run(
                "mutation($n: String) { Companies(companyName: $n) { id } }",
                json!({ "n": name }),
            )
            .await;
        reply["data"]["Companies"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("company insert failed: {reply}"))
            .to_string()
    }
}

fn first_error(reply: &Value) -> String {
    reply["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn a_rows_query_for_100_deals_with_companies_costs_three_round_trips() {
    let fx = crm().await;
    for i in 0..100 {
        let company = fx.company(&format!("Company {i}")).await;
        let reply = fx
            .run(
                "mutation($d: String, $c: String) { Sheet1(dealName: $d, company: $c) { id } }",
                json!({ "d": format!("Deal {i}"), "c": company }),
            )
            .await;
        assert!(reply["errors"].is_null(), "{reply}");
    }
    let query = "{ Sheet1Rows(first: 100) { id dealName company { id companyName } } }";
    fx.run(query, json!({})).await;
    fx.store.take();

    let reply = fx.run(query, json!({})).await;

    let round_trips = fx.store.take();
    let deals = reply["data"]["Sheet1Rows"].as_array().unwrap();
    assert_eq!(deals.len(), 100);
    assert_eq!(deals[99]["company"]["companyName"], "Company 99");
    assert!(round_trips <= 3, "{round_trips} round trips");
    assert_eq!(fx.cache.builds(), 1, "the schema was built once");
}

#[tokio::test]
async fn the_guide_examples_insert_read_update_and_introspect() {
    let fx = crm().await;
    let company = fx.company("Acme Ltd").await;
    let create = "mutation CreateDeal($dealName: String, $stage: String, $company: String) { \
                  Sheet1(dealName: $dealName, stage: $stage, company: $company) { \
                  id dealName stage company { id companyName website } } }";
    let vars = json!({ "dealName": "Website redesign", "stage": "new", "company": company });
    let reply = fx.run(create, vars).await;
    let deal = &reply["data"]["Sheet1"];
    assert_eq!(deal["company"]["companyName"], "Acme Ltd", "{reply}");
    let deal_id = deal["id"].as_str().unwrap().to_string();

    let update = "mutation UpdateDeal($id: ID!, $stage: String) { \
                  updateSheet1(id: $id, stage: $stage) { id stage company { id } } }";
    let reply = fx
        .run(update, json!({ "id": deal_id, "stage": "won" }))
        .await;
    assert_eq!(reply["data"]["updateSheet1"]["stage"], "won", "{reply}");
    assert_eq!(reply["data"]["updateSheet1"]["company"]["id"], company);

    let db = fx.db().await;
    let (records, _) = activity::list(
        fx.store.as_ref(),
        TEAM,
        &db.id,
        &db.tables[0].id,
        Some(&deal_id),
        20,
        None,
    )
    .await
    .unwrap();
    let latest = activity::view(&records[0]);
    assert_eq!(latest["render"]["summary"], "Stage changed from New to Won");
    assert_eq!(records.len(), 2, "the insert and the stage change");

    let names = "{ __schema { mutationType { fields { name } } queryType { fields { name } } } }";
    let reply = fx.run(names, json!({})).await.to_string();
    for name in [
        "Sheet1Rows",
        "sheet1Rows",
        "CompaniesRows",
        "createSheet1",
        "deleteCompanies",
    ] {
        assert!(
            reply.contains(&format!("\"{name}\"")),
            "{name} missing: {reply}"
        );
    }
}

#[tokio::test]
async fn bad_writes_answer_errors_naming_the_field_and_write_nothing() {
    let fx = crm().await;
    let other = databases::create(
        fx.store.as_ref(),
        &SystemClock,
        TEAM,
        PROJECT,
        None,
        "Other",
    )
    .await
    .unwrap();
    let env = fx.env();
    let foreign = rows::insert(
        &env,
        &other,
        &other.tables[0].id,
        vec![],
        rows::Naming::Gtype,
    )
    .await
    .unwrap();
    let cases = [
        (
            "string into number",
            "mutation { Sheet1(amount: \"lots\") { id } }",
            json!({}),
            "amount",
        ),
        (
            "string variable into number",
            "mutation($a: Float) { Sheet1(amount: $a) { id } }",
            json!({ "a": "lots" }),
            "amount",
        ),
        (
            "unknown column",
            "mutation { Sheet1(colour: \"red\") { id } }",
            json!({}),
            "colour",
        ),
        (
            "missing reference",
            "mutation { Sheet1(company: \"nosuchrow0000000000\") { id } }",
            json!({}),
            "company",
        ),
        (
            "another database's row",
            "mutation($c: String) { Sheet1(company: $c) { id } }",
            json!({ "c": foreign.id }),
            "company",
        ),
        (
            "missing doc",
            "mutation { Companies(customerDocs: [\"nodoc\"]) { id } }",
            json!({}),
            "customerDocs",
        ),
        (
            "malformed query",
            "mutation { Sheet1(dealName: ",
            json!({}),
            "",
        ),
    ];
    for (case, query, vars, field) in cases {
        let reply = fx.run(query, vars).await;
        let message = first_error(&reply);
        assert!(!message.is_empty(), "case {case}: no error in {reply}");
        assert!(
            message.contains(field),
            "case {case}: {message} does not name {field}"
        );
        assert!(
            reply["data"].is_null() || reply["data"]["Sheet1"].is_null(),
            "case {case}"
        );
    }
    assert_eq!(fx.count_rows("Sheet1").await, 0);
    assert_eq!(fx.count_rows("Companies").await, 0);
}

#[tokio::test]
async fn document_cells_need_existing_docs_and_link_back_to_the_row() {
    let fx = crm().await;
    let doc_key = |id: &str| crate::domain::items::Kind::Doc.key(TEAM, PROJECT, id);
    for id in ["DOC1", "DOC2"] {
        let key = doc_key(id);
        let item = crate::domain::record::to_item(key.pk, key.sk, &json!({"id": id, "title": id}));
        fx.store.put(Table::Items, item, &[]).await.unwrap();
    }
    let insert = "mutation($d: [String]) { Companies(companyName: \"Acme\", customerDocs: $d) \
                  { id customerDocs } }";
    let reply = fx.run(insert, json!({ "d": ["DOC1", "DOC2"] })).await;
    let row = reply["data"]["Companies"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        reply["data"]["Companies"]["customerDocs"],
        json!(["DOC1", "DOC2"])
    );

    let links = |doc: &str| {
        Query::partition(Table::Items, project_pk(TEAM, PROJECT))
            .range(crate::ports::SkRange::BeginsWith(format!("doclink#{doc}#")))
    };
    let page = fx.store.query(&links("DOC1")).await.unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0]["row_id"], json!(row));

    let update = "mutation($id: ID!) { updateCompanies(id: $id, customerDocs: [\"DOC2\"]) { id } }";
    fx.run(update, json!({ "id": row })).await;
    assert!(
        fx.store
            .query(&links("DOC1"))
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert_eq!(fx.store.query(&links("DOC2")).await.unwrap().items.len(), 1);
}

#[tokio::test]
async fn list_queries_filter_order_and_page() {
    let fx = crm().await;
    for (name, stage, amount) in [
        ("A", "new", 5),
        ("B", "won", 30),
        ("C", "won", 20),
        ("D", "lost", 10),
    ] {
        let q = "mutation($n: String, $s: String, $a: Float) { \
                 Sheet1(dealName: $n, stage: $s, amount: $a, tags: [\"x\"]) { id } }";
        fx.run(q, json!({ "n": name, "s": stage, "a": amount }))
            .await;
    }
    let names = |reply: &Value, field: &str| -> Vec<String> {
        reply["data"][field]
            .as_array()
            .unwrap_or_else(|| panic!("{reply}"))
            .iter()
            .map(|r| r["dealName"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let cases = [
        (
            "{ Sheet1Rows(filter: { stage: { eq: \"won\" } }) { dealName } }",
            vec!["B", "C"],
        ),
        (
            "{ Sheet1Rows(filter: { amount: { gte: 10, lt: 30 } }) { dealName } }",
            vec!["C", "D"],
        ),
        (
            "{ Sheet1Rows(filter: { stage: { in: [\"new\", \"lost\"] } }) { dealName } }",
            vec!["A", "D"],
        ),
        (
            "{ Sheet1Rows(filter: { or: [{ dealName: { eq: \"A\" } }, { amount: { gt: 25 } }] }) { dealName } }",
            vec!["A", "B"],
        ),
        (
            "{ Sheet1Rows(filter: { tags: { contains: \"x\" } }, first: 1) { dealName } }",
            vec!["A"],
        ),
        (
            "{ Sheet1Rows(orderBy: [{ field: amount, direction: DESC }]) { dealName } }",
            vec!["B", "C", "D", "A"],
        ),
        ("{ Sheet1Rows(limit: 2) { dealName } }", vec!["A", "B"]),
    ];
    for (query, want) in cases {
        let reply = fx.run(query, json!({})).await;
        assert_eq!(names(&reply, "Sheet1Rows"), want, "case {query}");
    }
    let reply = fx
        .run("{ Sheet1Rows(first: 2) { id dealName } }", json!({}))
        .await;
    let after = reply["data"]["Sheet1Rows"][1]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let next = fx
        .run(
            "query($a: String) { sheet1Rows(first: 2, after: $a) { dealName } }",
            json!({ "a": after }),
        )
        .await;
    assert_eq!(names(&next, "sheet1Rows"), ["C", "D"]);
}

#[tokio::test]
async fn the_schema_is_rebuilt_only_when_the_schema_changes() {
    let fx = crm().await;
    fx.run("{ Sheet1Rows { id } }", json!({})).await;
    fx.run("{ CompaniesRows { id } }", json!({})).await;
    assert_eq!(fx.cache.builds(), 1);
    let db = fx.db().await;
    let table = db.tables[0].id.clone();
    let extra = vec![column("Priority", "number", "priority", None)];
    databases::add_columns(fx.store.as_ref(), &SystemClock, db, &table, extra)
        .await
        .unwrap();
    let reply = fx.run("{ Sheet1Rows { id priority } }", json!({})).await;
    assert!(reply["errors"].is_null(), "{reply}");
    assert_eq!(fx.cache.builds(), 2);
}

#[tokio::test]
async fn deletes_answer_the_row_and_record_activity() {
    let fx = crm().await;
    let company = fx.company("Gone Ltd").await;
    let reply = fx
        .run(
            "mutation($id: ID!) { deleteCompanies(id: $id) { id companyName } }",
            json!({ "id": company }),
        )
        .await;
    assert_eq!(
        reply["data"]["deleteCompanies"]["companyName"], "Gone Ltd",
        "{reply}"
    );
    assert_eq!(fx.count_rows("Companies").await, 0);
    let db = fx.db().await;
    let companies = db.table("Companies").unwrap().id.clone();
    let (records, _) = activity::list(fx.store.as_ref(), TEAM, &db.id, &companies, None, 10, None)
        .await
        .unwrap();
    let ops: Vec<Value> = records
        .iter()
        .map(|r| activity::view(r)["op"].clone())
        .collect();
    assert_eq!(ops, [json!("delete"), json!("insert")]);
    let _ = SystemClock.now_ms();
}

#[tokio::test]
async fn variables_left_out_leave_their_cells_alone() {
    let fx = crm().await;
    let insert = "mutation($d: String, $s: String) { Sheet1(dealName: $d, stage: $s) { id } }";
    let reply = fx.run(insert, json!({ "d": "Keep me", "s": "new" })).await;
    let id = reply["data"]["Sheet1"]["id"].as_str().unwrap().to_string();
    let update = "mutation($id: ID!, $dealName: String, $stage: String) { \
                  updateSheet1(id: $id, dealName: $dealName, stage: $stage) { dealName stage } }";
    let reply = fx.run(update, json!({ "id": id, "stage": "won" })).await;
    assert_eq!(
        reply["data"]["updateSheet1"],
        json!({ "dealName": "Keep me", "stage": "won" }),
        "{reply}"
    );
}

#[tokio::test]
async fn the_standard_introspection_query_fits_the_limits() {
    let fx = crm().await;
    let type_ref = "kind name ofType { kind name ofType { kind name ofType { kind name \
                    ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }";
    let query = format!(
        "query IntrospectionQuery {{ __schema {{ queryType {{ name }} mutationType {{ name }} \
         types {{ kind name description fields(includeDeprecated: true) {{ name description \
         args {{ name type {{ {type_ref} }} defaultValue }} type {{ {type_ref} }} \
         isDeprecated deprecationReason }} inputFields {{ name type {{ {type_ref} }} }} \
         interfaces {{ {type_ref} }} enumValues(includeDeprecated: true) {{ name }} \
         possibleTypes {{ {type_ref} }} }} directives {{ name locations args {{ name }} }} }} }}"
    );
    let reply = fx.run(&query, json!({})).await;
    assert!(reply["errors"].is_null(), "{}", first_error(&reply));

    let deep = format!(
        "{{ __schema {{ types {{ fields {{ type {{ {} name {} }} }} }} }} }}",
        "ofType { ".repeat(14),
        "} ".repeat(14)
    );
    let reply = fx.run(&deep, json!({})).await;
    assert!(first_error(&reply).contains("too deep"), "{reply}");
}
