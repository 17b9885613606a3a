//! Lambda function `graphql`: database rows through the generated GraphQL schema.

use aamu::app::Needs;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    aamu::lambda::run(
        "graphql",
        Needs {
            events: true,
            ..Needs::STORE
        },
    )
    .await
}
