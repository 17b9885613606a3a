//! Databases: the REST schema API, the generated GraphQL API for rows, the activity
//! log and the legacy table submit, driven with the guide's own examples.

use serde_json::{Value, json};

use crate::common::{App, Backend, Reply, spawn_app, spawn_app_on};

/// A GraphQL request with the app's key and `x-db-id`, as the guide sends it.
fn graphql(app: &App, key: &str, db: &str, query: &str, variables: Value) -> Reply {
    let body = json!({ "query": query, "variables": variables }).to_string();
    let headers = [("x-api-key", key), ("x-db-id", db)];
    app.send("POST", "/api/v1/graphql/", &headers, Some(&body))
}

fn ok(reply: &Reply, what: &str) {
    assert!(
        (200..300).contains(&reply.status) && reply.json["errors"].is_null(),
        "{what}: {} {}",
        reply.status,
        reply.text
    );
}

/// The ids the CRM walk-through creates.
struct Crm {
    db: String,
    deals: String,
    companies: String,
}

/// The guide's schema steps: a database, a Companies table, and columns on both.
fn crm_schema(app: &App) -> Crm {
    let created = app.post("/api/v1/databases/", &json!({ "name": "Small-team CRM" }));
    ok(&created, "create database");
    let database = &created.json["database"];
    let db = database["id"].as_str().unwrap().to_string();
    let deals = database["table_id"].as_str().unwrap().to_string();
    assert_eq!(database["tables"], json!([deals]));
    assert_eq!(database["pid"], json!(app.project_id));

    let table = app.post(
        &format!("/api/v1/databases/{db}/tables"),
        &json!({ "name": "Companies", "gtype": "Companies" }),
    );
    ok(&table, "add table");
    let companies = table.json["table"]["id"].as_str().unwrap().to_string();
    assert_eq!(table.json["table"]["columns"], json!([]));
    assert_eq!(table.json["database"]["tables"], json!([deals, companies]));

    let company_columns = json!({ "columns": [
        { "name": "Company name", "type": "text", "gtype": "companyName" },
        { "name": "Website", "type": "link", "gtype": "website" },
        { "name": "Customer docs", "type": "documents", "gtype": "customerDocs" }
    ]});
    let path = format!("/api/v1/databases/{db}/tables/{companies}/columns");
    ok(&app.post(&path, &company_columns), "company columns");

    let deal_columns = json!({ "columns": [
        { "name": "Deal name", "type": "text", "gtype": "dealName" },
        { "name": "Stage", "type": "status", "gtype": "stage" },
        { "name": "Company", "type": "reference", "gtype": "company",
          "options": { "type": "one_to_one", "table": companies, "column_show": "companyName" } }
    ]});
    let path = format!("/api/v1/databases/{db}/tables/{deals}/columns");
    let added = app.post(&path, &deal_columns);
    ok(&added, "deal columns");
    assert_eq!(
        added.json["columns"][2]["options"]["table"],
        json!(companies)
    );
    Crm {
        db,
        deals,
        companies,
    }
}

fn crm_walk_through(app: &App) {
    let crm = crm_schema(app);
    let key = app.api_key.as_str();

    let names = "{ __schema { mutationType { fields { name } } queryType { fields { name } } } }";
    let schema = graphql(app, key, &crm.db, names, json!({}));
    ok(&schema, "introspection");
    for name in [
        "Sheet1",
        "Companies",
        "updateSheet1",
        "Sheet1Rows",
        "CompaniesRows",
    ] {
        assert!(
            schema.text.contains(&format!("\"{name}\"")),
            "{name}: {}",
            schema.text
        );
    }

    let create_company = "mutation CreateCompany($companyName: String, $website: String, \
        $customerDocs: [String]) { Companies(companyName: $companyName, website: $website, \
        customerDocs: $customerDocs) { id companyName website customerDocs } }";
    let vars = json!({ "companyName": "Acme Ltd", "website": "https://example.com",
                       "customerDocs": [] });
    let company = graphql(app, key, &crm.db, create_company, vars);
    ok(&company, "create company");
    let company_id = company.json["data"]["Companies"]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let create_deal = "mutation CreateDeal($dealName: String, $stage: String, $company: String) \
        { Sheet1(dealName: $dealName, stage: $stage, company: $company) { id dealName stage \
        company { id companyName website } } }";
    let vars = json!({ "dealName": "Website redesign", "stage": "new", "company": company_id });
    let deal = graphql(app, key, &crm.db, create_deal, vars);
    ok(&deal, "create deal");
    let created = &deal.json["data"]["Sheet1"];
    assert_eq!(created["stage"], "new");
    assert_eq!(
        created["company"],
        json!({ "id": company_id, "companyName": "Acme Ltd", "website": "https://example.com" })
    );
    let deal_id = created["id"].as_str().unwrap().to_string();

    let read = "query { Sheet1Rows { id dealName stage company { id companyName website } } }";
    let rows = graphql(app, key, &crm.db, read, json!({}));
    ok(&rows, "read rows");
    assert_eq!(
        rows.json["data"]["Sheet1Rows"][0]["company"]["companyName"],
        "Acme Ltd"
    );

    let update = "mutation UpdateDeal($id: ID!, $dealName: String, $stage: String, \
        $company: String) { updateSheet1(id: $id, dealName: $dealName, stage: $stage, \
        company: $company) { id dealName stage company { id companyName } } }";
    let vars = json!({ "id": deal_id, "dealName": "Website redesign", "stage": "won",
                       "company": company_id });
    let updated = graphql(app, key, &crm.db, update, vars);
    ok(&updated, "update deal");
    assert_eq!(updated.json["data"]["updateSheet1"]["stage"], "won");

    let path = format!(
        "/api/v1/databases/{}/activity?table_id={}&row_id={deal_id}&limit=20",
        crm.db, crm.deals
    );
    let activity = app.get(&path);
    ok(&activity, "activity");
    let latest = &activity.json["activity"][0];
    assert_eq!(latest["op"], "update");
    assert_eq!(latest["oldvalue"], "new");
    assert_eq!(latest["newvalue"], "won");
    assert_eq!(latest["dbid"], json!(crm.db));
    assert_eq!(latest["tableid"], json!(crm.deals));
    assert_eq!(latest["rowid"], json!(deal_id));
    assert_eq!(latest["render"]["summary"], "Stage changed from New to Won");
    assert_eq!(latest["render"]["field"]["name"], "Stage");
    assert!(latest["userId"].is_string() && latest["created"].is_number());
    assert_eq!(activity.json["activity"].as_array().unwrap().len(), 2);

    let table = app.get(&format!(
        "/api/v1/databases/{}/tables/{}",
        crm.db, crm.companies
    ));
    ok(&table, "read table");
    assert_eq!(table.json["table"]["columns"][2]["type"], "documents");
}

#[test]
fn the_guide_crm_walk_through_works_end_to_end() {
    crm_walk_through(&spawn_app());
}

#[test]
fn the_guide_crm_walk_through_works_on_dynamodb() {
    crm_walk_through(&spawn_app_on(Backend::Aws));
}

/// A second project of the app's team and a key with Database scope on it only.
fn other_project_key(app: &App, permissions: &str, same_project: bool) -> String {
    let project = match same_project {
        true => app.project_id.clone(),
        false => {
            let created = app.admin(&[
                "project",
                "create",
                "--team",
                &app.team_id,
                "--name",
                "Other",
            ]);
            created["project"]["id"].as_str().unwrap().to_string()
        }
    };
    let scope = format!("database:{project}:{permissions}");
    let key = app.admin(&[
        "key",
        "create",
        "--team",
        &app.team_id,
        "--name",
        "db",
        "--scope",
        &scope,
    ]);
    key["key"]["api_key"].as_str().unwrap().to_string()
}

fn other_projects_databases_are_invisible(app: &App) {
    let crm = crm_schema(app);
    let other = other_project_key(app, "read,write", false);
    let headers = [("x-api-key", other.as_str())];
    let routes = [
        ("GET", format!("/api/v1/databases/{}", crm.db), None),
        ("GET", format!("/api/v1/databases/{}/tables", crm.db), None),
        (
            "GET",
            format!(
                "/api/v1/databases/{}/activity?table_id={}",
                crm.db, crm.deals
            ),
            None,
        ),
        (
            "POST",
            format!("/api/v1/databases/{}/tables", crm.db),
            Some(json!({ "name": "Sneaky" }).to_string()),
        ),
        (
            "POST",
            format!("/api/v1/databases/{}/tables/{}/columns", crm.db, crm.deals),
            Some(json!({ "columns": [{ "name": "X", "type": "text" }] }).to_string()),
        ),
    ];
    for (method, path, body) in routes {
        let reply = app.send(method, &path, &headers, body.as_deref());
        assert_eq!(reply.status, 404, "{method} {path}: {}", reply.text);
        assert_eq!(reply.code(), "not_found");
    }
    for query in [
        "{ Sheet1Rows { id } }",
        "mutation { Sheet1(dealName: \"x\") { id } }",
    ] {
        let reply = graphql(app, &other, &crm.db, query, json!({}));
        assert_eq!(reply.status, 404, "{query}: {}", reply.text);
        assert!(reply.json["data"].is_null(), "{query}: {}", reply.text);
    }
    let rows = graphql(
        app,
        &app.api_key,
        &crm.db,
        "{ Sheet1Rows { id } }",
        json!({}),
    );
    assert_eq!(
        rows.json["data"]["Sheet1Rows"],
        json!([]),
        "nothing was written"
    );
}

#[test]
fn a_key_of_another_project_gets_404_for_rest_and_an_error_for_graphql() {
    other_projects_databases_are_invisible(&spawn_app());
}

#[test]
fn a_key_of_another_project_gets_404_and_no_data_on_dynamodb() {
    other_projects_databases_are_invisible(&spawn_app_on(Backend::Aws));
}

#[test]
fn a_read_key_can_query_but_not_change_rows_or_schema() {
    let app = spawn_app();
    let crm = crm_schema(&app);
    let reader = other_project_key(&app, "read", true);
    let rows = graphql(&app, &reader, &crm.db, "{ Sheet1Rows { id } }", json!({}));
    ok(&rows, "read with a read key");
    let insert = graphql(
        &app,
        &reader,
        &crm.db,
        "mutation { Sheet1(dealName: \"x\") { id } }",
        json!({}),
    );
    assert_eq!(insert.status, 403, "{}", insert.text);
    assert_eq!(insert.code(), "missing_scope");
    let headers = [("x-api-key", reader.as_str())];
    let body = json!({ "name": "T" }).to_string();
    let path = format!("/api/v1/databases/{}/tables", crm.db);
    let table = app.send("POST", &path, &headers, Some(&body));
    assert_eq!(table.status, 403, "{}", table.text);
}

#[test]
fn graphql_write_errors_name_the_field_and_write_nothing() {
    let app = spawn_app();
    let crm = crm_schema(&app);
    let path = format!("/api/v1/databases/{}/tables/{}/columns", crm.db, crm.deals);
    ok(
        &app.post(
            &path,
            &json!({ "columns": [{ "name": "Amount", "type": "number" }] }),
        ),
        "amount",
    );
    let key = app.api_key.as_str();
    let cases = [
        ("mutation { Sheet1(amount: \"lots\") { id } }", "amount"),
        ("mutation { Sheet1(colour: \"red\") { id } }", "colour"),
        (
            "mutation { Sheet1(company: \"01nosuchrow000000000\") { id } }",
            "company",
        ),
        (
            "mutation { Companies(customerDocs: [\"NO_SUCH_DOC\"]) { id } }",
            "customerDocs",
        ),
        ("mutation { Sheet1(dealName: ", "1:"),
    ];
    for (query, field) in cases {
        let reply = graphql(&app, key, &crm.db, query, json!({}));
        assert_eq!(reply.status, 200, "{query}: {}", reply.text);
        let message = reply.json["errors"][0]["message"]
            .as_str()
            .unwrap_or_default();
        assert!(
            message.contains(field),
            "{query}: {message} does not name {field}"
        );
    }
    for table in ["Sheet1Rows", "CompaniesRows"] {
        let reply = graphql(
            &app,
            key,
            &crm.db,
            &format!("{{ {table} {{ id }} }}"),
            json!({}),
        );
        assert_eq!(
            reply.json["data"][table],
            json!([]),
            "{table}: {}",
            reply.text
        );
    }
}

#[test]
fn schema_changes_are_validated_and_name_the_field() {
    let app = spawn_app();
    let crm = crm_schema(&app);
    let columns = format!("/api/v1/databases/{}/tables/{}/columns", crm.db, crm.deals);
    let cases = [
        (
            json!({ "columns": [{ "name": "Self", "type": "reference",
                                  "options": { "type": "one_to_one", "table": crm.deals } }] }),
            "columns[0].options.table",
            "circular references",
        ),
        (
            json!({ "columns": [{ "name": "Bad", "type": "reference",
                                  "options": { "type": "many", "table": "Companies" } }] }),
            "columns[0].options.type",
            "one_to_one",
        ),
        (
            json!({ "columns": [{ "name": "X", "type": "colour" }] }),
            "columns[0].type",
            "text",
        ),
        (
            json!({ "columns": [{ "name": "X", "type": "text", "gtype": "9x" }] }),
            "columns[0].gtype",
            "GraphQL name",
        ),
        (
            json!({ "columns": [{ "name": "X", "type": "text", "gtype": "stage" }] }),
            "columns[0].gtype",
            "already",
        ),
        (
            json!({ "columns": [{ "name": "X", "type": "text", "size": 3 }] }),
            "columns[0]",
            "size",
        ),
    ];
    for (body, field, reason) in cases {
        let reply = app.post(&columns, &body);
        assert_eq!(reply.status, 400, "{body}: {}", reply.text);
        let message = reply.json["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.starts_with(field) && message.contains(reason),
            "{body}: {message}"
        );
    }
    let tables = format!("/api/v1/databases/{}/tables", crm.db);
    let clash = app.post(
        &tables,
        &json!({ "name": "Companies again", "gtype": "Companies" }),
    );
    assert_eq!(clash.status, 400, "{}", clash.text);
    assert!(clash.text.contains("gtype"));
    let listed = app.get("/api/v1/databases/");
    ok(&listed, "list databases");
    assert_eq!(listed.json["databases"][0]["id"], json!(crm.db));
}

/// A Feedback table with text columns customer and message; answers (db, table).
fn feedback_table(app: &App) -> (String, String) {
    let created = app.post("/api/v1/databases/", &json!({ "name": "Feedback" }));
    let db = created.json["database"]["id"].as_str().unwrap().to_string();
    let table = app.post(
        &format!("/api/v1/databases/{db}/tables"),
        &json!({ "name": "Feedback", "gtype": "Feedback" }),
    );
    let table = table.json["table"]["id"].as_str().unwrap().to_string();
    let columns = json!({ "columns": [
        { "name": "Customer", "type": "text", "gtype": "customer" },
        { "name": "Message", "type": "longtext", "gtype": "message" },
        { "name": "Source document", "type": "document", "gtype": "sourceDocument" }
    ]});
    let added = app.post(
        &format!("/api/v1/databases/{db}/tables/{table}/columns"),
        &columns,
    );
    ok(&added, "feedback columns");
    (db, table)
}

fn legacy_submit_then_graphql_read(app: &App) {
    let (db, table) = feedback_table(app);
    let form = [("content-type", "application/x-www-form-urlencoded")];
    let body = "customer=Ada%20Lovelace&message=The%20onboarding%20flow%20was%20clear.";
    let path = format!("/api/v1/db/{table}");
    let submitted = app.send("POST", &path, &form, Some(body));
    assert_eq!(submitted.status, 200, "{}", submitted.text);
    assert_eq!(submitted.json["success"], true);
    let row = submitted.json["id"].as_str().unwrap().to_string();

    let query = "query { feedbackRows { id customer message } }";
    let rows = graphql(app, &app.api_key, &db, query, json!({}));
    ok(&rows, "feedback rows");
    assert_eq!(
        rows.json["data"]["feedbackRows"],
        json!([{ "id": row, "customer": "Ada Lovelace", "message": "The onboarding flow was clear." }])
    );

    let unknown = app.send("POST", &path, &form, Some("customer=Ada&rating=5"));
    assert_eq!(unknown.status, 400, "{}", unknown.text);
    assert!(unknown.text.contains("rating"));
    let listing = app.send("GET", &path, &[], None);
    assert!(
        listing.status == 405 || listing.status == 404,
        "{}",
        listing.status
    );
    let missing = app.send("POST", "/api/v1/db/01nosuchtable0000000", &form, Some(body));
    assert_eq!(missing.status, 404);
}

#[test]
fn the_legacy_table_submit_stores_a_row_that_graphql_reads() {
    legacy_submit_then_graphql_read(&spawn_app());
}

#[test]
fn the_legacy_table_submit_works_on_dynamodb() {
    legacy_submit_then_graphql_read(&spawn_app_on(Backend::Aws));
}

/// The guide's "Using Databases and Docs together" example.
#[test]
fn a_doc_created_through_the_docs_api_goes_into_a_document_cell() {
    let app = spawn_app();
    let (db, _) = feedback_table(&app);
    let doc = app.post(
        "/api/v1/docs/",
        &json!({ "title": "Interview notes: Ada Lovelace",
                 "html": "<h1>Interview notes</h1><p>Ada liked the onboarding flow and asked for more examples.</p>" }),
    );
    ok(&doc, "create doc");
    let doc_id = doc.json["doc"]["id"].as_str().unwrap().to_string();
    let create = "mutation CreateFeedback($input: FeedbackInput!) { createFeedback(input: $input) \
        { id customer sourceDocument } }";
    let vars = json!({ "input": { "customer": "Ada Lovelace", "sourceDocument": doc_id } });
    let row = graphql(&app, &app.api_key, &db, create, vars);
    ok(&row, "create feedback");
    assert_eq!(
        row.json["data"]["createFeedback"]["sourceDocument"],
        json!(doc_id)
    );
    let fetched = app.get(&format!("/api/v1/docs/{doc_id}"));
    ok(&fetched, "fetch linked doc");
    assert_eq!(
        fetched.json["doc"]["title"],
        "Interview notes: Ada Lovelace"
    );
}

#[test]
fn the_schema_reads_answer_databases_tables_and_columns() {
    let app = spawn_app();
    let crm = crm_schema(&app);

    let db = app.get(&format!("/api/v1/databases/{}", crm.db));
    assert_eq!(db.status, 200, "{}", db.text);
    assert_eq!(db.json["database"]["id"], json!(crm.db));
    let tables = db.json["database"]["tables"].as_array().unwrap();
    assert!(tables.contains(&json!(crm.deals)) && tables.contains(&json!(crm.companies)));

    let listed = app.get(&format!("/api/v1/databases/{}/tables", crm.db));
    assert_eq!(listed.status, 200, "{}", listed.text);
    let gtypes: Vec<&str> = listed.json["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["gtype"].as_str().unwrap())
        .collect();
    assert!(
        gtypes.contains(&"Sheet1") && gtypes.contains(&"Companies"),
        "{gtypes:?}"
    );

    let table = app.get(&format!(
        "/api/v1/databases/{}/tables/{}",
        crm.db, crm.deals
    ));
    assert_eq!(table.json["table"]["gtype"], json!("Sheet1"));

    let columns = app.get(&format!(
        "/api/v1/databases/{}/tables/{}/columns",
        crm.db, crm.deals
    ));
    assert_eq!(columns.status, 200, "{}", columns.text);
    let company = columns.json["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["gtype"] == "company")
        .expect("the company reference column is listed");
    assert_eq!(company["type"], json!("reference"));
    assert_eq!(company["options"]["type"], json!("one_to_one"));

    let missing = app.get(&format!("/api/v1/databases/{}/tables/nope", crm.db));
    assert_eq!(missing.status, 404);
}
