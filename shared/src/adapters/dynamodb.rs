//! Temporary stand-in until the AWS adapters land.
use crate::ports::*;
pub struct DynamoStore;
impl DynamoStore {
    pub fn new(_: &aws_config::SdkConfig, _: &str, _: &str) -> Self {
        DynamoStore
    }
    pub async fn create_tables(&self) -> anyhow::Result<()> {
        Ok(())
    }
}
#[async_trait::async_trait]
impl ItemStore for DynamoStore {
    async fn get(&self, _: Table, _: &Key) -> Result<Option<Item>, StoreError> {
        Err(StoreError::Invalid("x".into()))
    }
    async fn batch_get(&self, _: Table, _: &[Key]) -> Result<Vec<Item>, StoreError> {
        Err(StoreError::Invalid("x".into()))
    }
    async fn put(&self, _: Table, _: Item, _: &[Cond]) -> Result<(), StoreError> {
        Err(StoreError::Invalid("x".into()))
    }
    async fn update(&self, _: Table, _: &Key, _: Item, _: &[Cond]) -> Result<Item, StoreError> {
        Err(StoreError::Invalid("x".into()))
    }
    async fn delete(&self, _: Table, _: &Key, _: &[Cond]) -> Result<(), StoreError> {
        Err(StoreError::Invalid("x".into()))
    }
    async fn query(&self, _: &Query) -> Result<Page, StoreError> {
        Err(StoreError::Invalid("x".into()))
    }
    async fn transact(&self, _: Vec<WriteOp>) -> Result<(), StoreError> {
        Err(StoreError::Invalid("x".into()))
    }
}
