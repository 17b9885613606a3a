//! Creation of the DynamoDB tables: string keys `pk`/`sk`, on-demand billing, the
//! `gsi1` index on `gsi1pk`/`gsi1sk` projecting every attribute, and TTL on
//! `expires_at_s`. Creating is idempotent; an existing table is left as it is.

use std::time::Duration;

use anyhow::Context;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::client::Waiters;
use aws_sdk_dynamodb::error::{BuildError, ProvideErrorMetadata};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification, TimeToLiveStatus,
};

use super::GSI1;

/// The attribute holding an item's expiry, in seconds since the Unix epoch.
pub const TTL_ATTRIBUTE: &str = "expires_at_s";

/// How long a new table may take to become active.
const ACTIVE_WITHIN: Duration = Duration::from_secs(300);

/// Creates the table unless it exists, waits until it is active, and enables TTL.
pub(super) async fn ensure_table(client: &Client, name: &str) -> anyhow::Result<()> {
    create_table(client, name).await?;
    client
        .wait_until_table_exists()
        .table_name(name)
        .wait(ACTIVE_WITHIN)
        .await
        .with_context(|| format!("waiting for DynamoDB table {name} to become active"))?;
    enable_ttl(client, name).await
}

async fn create_table(client: &Client, name: &str) -> anyhow::Result<()> {
    let mut request = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key("pk", KeyType::Hash)?)
        .key_schema(key("sk", KeyType::Range)?)
        .global_secondary_indexes(gsi1()?);
    for attribute in ["pk", "sk", "gsi1pk", "gsi1sk"] {
        request = request.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(attribute)
                .attribute_type(ScalarAttributeType::S)
                .build()?,
        );
    }
    match request.send().await {
        Ok(_) => Ok(()),
        Err(err) if err.code() == Some("ResourceInUseException") => Ok(()),
        Err(err) => Err(err).with_context(|| format!("creating DynamoDB table {name}")),
    }
}

fn key(attribute: &str, key_type: KeyType) -> Result<KeySchemaElement, BuildError> {
    KeySchemaElement::builder()
        .attribute_name(attribute)
        .key_type(key_type)
        .build()
}

fn gsi1() -> Result<GlobalSecondaryIndex, BuildError> {
    GlobalSecondaryIndex::builder()
        .index_name(GSI1)
        .key_schema(key("gsi1pk", KeyType::Hash)?)
        .key_schema(key("gsi1sk", KeyType::Range)?)
        .projection(
            Projection::builder()
                .projection_type(ProjectionType::All)
                .build(),
        )
        .build()
}

async fn enable_ttl(client: &Client, name: &str) -> anyhow::Result<()> {
    let current = client
        .describe_time_to_live()
        .table_name(name)
        .send()
        .await
        .with_context(|| format!("reading the TTL setting of DynamoDB table {name}"))?;
    let status = current
        .time_to_live_description()
        .and_then(|d| d.time_to_live_status());
    if matches!(
        status,
        Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling)
    ) {
        return Ok(());
    }
    let spec = TimeToLiveSpecification::builder()
        .attribute_name(TTL_ATTRIBUTE)
        .enabled(true)
        .build()?;
    client
        .update_time_to_live()
        .table_name(name)
        .time_to_live_specification(spec)
        .send()
        .await
        .with_context(|| format!("enabling TTL on DynamoDB table {name}"))?;
    Ok(())
}
