//! `aamu`: the local server and the administration commands.
//!
//! ```text
//! aamu serve [--addr 127.0.0.1:8787] [--data-dir ./.aamu]
//! aamu admin bootstrap --data-dir DIR --team NAME --project NAME [--json]
//! aamu admin project create --data-dir DIR --team TEAM_ID --name NAME [--json]
//! aamu admin user add --data-dir DIR --project PROJECT_ID --username U --name N --email E [--json]
//! aamu admin key create --data-dir DIR --team TEAM_ID --name NAME --scope F:ID:PERMS... [--expires-in-days N] [--json]
//! aamu admin key list --data-dir DIR --team TEAM_ID [--json]
//! aamu admin key revoke --data-dir DIR KEY_ID
//! aamu admin store init
//! ```
//!
//! With `AAMU_STORE=dynamodb` every admin command works on the DynamoDB tables named
//! by `AAMU_ITEMS_TABLE` and `AAMU_ROWS_TABLE`.

mod admin;
mod args;
mod serve;

use std::process::ExitCode;

const USAGE: &str = "usage:
  aamu serve [--addr 127.0.0.1:8787] [--data-dir ./.aamu]
  aamu admin bootstrap --data-dir DIR --team NAME --project NAME [--json]
  aamu admin project create --data-dir DIR --team TEAM_ID --name NAME [--json]
  aamu admin user add --data-dir DIR --project PROJECT_ID --username U --name N --email E [--json]
  aamu admin key create --data-dir DIR --team TEAM_ID --name NAME --scope FEATURE:ID:read,write,comment
                        [--scope ...] [--expires-in-days N] [--json]
  aamu admin key list --data-dir DIR --team TEAM_ID [--json]
  aamu admin key revoke --data-dir DIR KEY_ID
  aamu admin store init      (creates the DynamoDB tables when AAMU_STORE=dynamodb)";

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: starting the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match argv.first().map(String::as_str) {
            Some("serve") => serve::run(args::Args::parse(&argv[1..])?).await,
            Some("admin") => admin::run(&argv[1..]).await,
            Some("--help" | "-h" | "help") => {
                println!("{USAGE}");
                Ok(())
            }
            _ => Err(anyhow::anyhow!("{USAGE}")),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
