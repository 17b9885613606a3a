//! Lambda function `docs`: the Docs API.

use aamu::app::Needs;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    aamu::lambda::run(
        "docs",
        Needs {
            blobs: true,
            ..Needs::STORE
        },
    )
    .await
}
