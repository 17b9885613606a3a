//! `aamu admin`: teams, projects, users and keys, on the store the environment names.

use aamu::app::{App, Needs};
use aamu::auth::api_keys::{self, NewKey};
use aamu::auth::scopes::Scope;
use aamu::config::Config;
use aamu::domain::bootstrap;
use aamu::domain::tenancy::{self, EmailAddress, Username};
use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::args::Args;

pub async fn run(argv: &[String]) -> anyhow::Result<()> {
    let (command, rest) = match argv {
        [noun, verb, rest @ ..]
            if matches!(noun.as_str(), "project" | "user" | "key" | "store") =>
        {
            (format!("{noun} {verb}"), rest)
        }
        [verb, rest @ ..] => (verb.clone(), rest),
        [] => bail!("admin needs a command; see aamu --help"),
    };
    let args = Args::parse(rest)?;
    let out = match command.as_str() {
        "bootstrap" => {
            args.only(&["data-dir", "team", "project"])?;
            let app = open(&args).await?;
            let done = bootstrap::bootstrap(
                app.store.as_ref(),
                app.clock.as_ref(),
                args.required("team")?,
                args.required("project")?,
            )
            .await?;
            serde_json::to_value(done)?
        }
        "project create" => {
            args.only(&["data-dir", "team", "name"])?;
            let app = open(&args).await?;
            let project = tenancy::create_project(
                app.store.as_ref(),
                app.clock.as_ref(),
                args.required("team")?,
                args.required("name")?,
            )
            .await?;
            json!({ "project": project })
        }
        "user add" => user_add(&args).await?,
        "key create" => key_create(&args).await?,
        "key list" => {
            args.only(&["data-dir", "team"])?;
            let app = open(&args).await?;
            let keys = api_keys::list(app.store.as_ref(), args.required("team")?).await?;
            json!({ "keys": keys.iter().map(|k| k.admin_view()).collect::<Vec<_>>() })
        }
        "key revoke" => {
            args.only(&["data-dir"])?;
            let [key_id] = args.positional.as_slice() else {
                bail!("usage: aamu admin key revoke --data-dir DIR KEY_ID");
            };
            let app = open(&args).await?;
            let key = api_keys::revoke(app.store.as_ref(), app.clock.as_ref(), key_id).await?;
            json!({ "key": key.admin_view() })
        }
        "store init" => {
            args.only(&["data-dir"])?;
            let config = config(&args)?;
            match &config.store {
                aamu::config::StoreConfig::DynamoDb {
                    items_table,
                    rows_table,
                } => {
                    let sdk = aamu::adapters::aws::sdk_config(
                        &config.aws_region,
                        config.aws_endpoint.as_deref(),
                    )
                    .await;
                    let store =
                        aamu::adapters::dynamodb::DynamoStore::new(&sdk, items_table, rows_table);
                    store.create_tables().await?;
                    if let aamu::config::BlobConfig::S3 { bucket } = &config.blobs {
                        aamu::adapters::s3::S3Blobs::new(&sdk, bucket)
                            .create_bucket()
                            .await?;
                    }
                    json!({ "store": "dynamodb", "items_table": items_table, "rows_table": rows_table })
                }
                aamu::config::StoreConfig::Sqlite => {
                    App::build(config.clone(), Needs::STORE).await?;
                    json!({ "store": "sqlite", "data_dir": config.data_dir })
                }
            }
        }
        other => bail!("unknown admin command `{other}`; see aamu --help"),
    };
    print(&args, &out)
}

fn config(args: &Args) -> anyhow::Result<Config> {
    let mut config = Config::from_env()?;
    if let Some(dir) = args.get("data-dir") {
        config.data_dir = dir.into();
    }
    Ok(config)
}

async fn open(args: &Args) -> anyhow::Result<App> {
    App::build(config(args)?, Needs::STORE).await
}

async fn user_add(args: &Args) -> anyhow::Result<Value> {
    args.only(&["data-dir", "project", "username", "name", "email", "team"])?;
    let app = open(args).await?;
    let project_id = args.required("project")?;
    let team_id = match args.get("team") {
        Some(team) => team.to_string(),
        None => find_team_of_project(&app, project_id).await?,
    };
    let user = tenancy::add_member(
        app.store.as_ref(),
        app.clock.as_ref(),
        &team_id,
        project_id,
        &Username::parse("--username", args.required("username")?)?,
        args.required("name")?,
        &EmailAddress::parse("--email", args.required("email")?)?,
    )
    .await?;
    Ok(json!({ "user": user }))
}

/// Projects are stored under their team; the admin names only the project, so find the
/// team through the project index.
async fn find_team_of_project(app: &App, project_id: &str) -> anyhow::Result<String> {
    tenancy::team_of_project(app.store.as_ref(), project_id)
        .await?
        .with_context(|| format!("no project {project_id}"))
}

async fn key_create(args: &Args) -> anyhow::Result<Value> {
    args.only(&["data-dir", "team", "name", "scope", "expires-in-days"])?;
    let scopes = args
        .all("scope")
        .into_iter()
        .map(Scope::parse)
        .collect::<Result<Vec<_>, _>>()?;
    let expires_in_days = args
        .get("expires-in-days")
        .map(|d| {
            d.parse::<u32>()
                .with_context(|| format!("--expires-in-days {d:?} is not a whole number"))
        })
        .transpose()?;
    let app = open(args).await?;
    let team_id = args.required("team")?;
    if tenancy::get_team(app.store.as_ref(), team_id)
        .await?
        .is_none()
    {
        bail!("no team {team_id}");
    }
    for scope in &scopes {
        let reachable = if scope.feature.is_team_level() {
            scope.resource_id == team_id
        } else {
            tenancy::get_project(app.store.as_ref(), team_id, &scope.resource_id)
                .await?
                .is_some()
        };
        if !reachable {
            let kind = if scope.feature.is_team_level() {
                "team"
            } else {
                "project of this team"
            };
            bail!(
                "--scope {}: {} is not a {kind}",
                scope.feature.name(),
                scope.resource_id
            );
        }
    }
    let (key, token) = api_keys::create(
        app.store.as_ref(),
        app.clock.as_ref(),
        NewKey {
            team_id,
            name: args.required("name")?,
            scopes,
            expires_in_days,
            created_by: None,
        },
    )
    .await?;
    let mut view = key.admin_view();
    view["api_key"] = json!(token);
    Ok(json!({ "key": view }))
}

fn print(args: &Args, value: &Value) -> anyhow::Result<()> {
    if args.json {
        println!("{}", serde_json::to_string(value)?);
    } else {
        println!("{}", serde_json::to_string_pretty(value)?);
    }
    Ok(())
}
