//! Lambda function `graphql`: database rows through the generated GraphQL schema.

use aamu::app::{self, Needs};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    aamu::lambda::run(
        aamu::http::graphql::router(),
        Needs {
            events: Some(app::eventbridge_events),
            ..Needs::AWS_STORE
        },
    )
    .await
}
