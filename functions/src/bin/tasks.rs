//! Lambda function `tasks`: the Tasks API and task comments.

use aamu::app::Needs;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    aamu::lambda::run(
        "tasks",
        Needs {
            blobs: true,
            ..Needs::STORE
        },
    )
    .await
}
