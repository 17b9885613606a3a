//! Temporary stand-in until the AWS adapters land.
use crate::ports::*;
pub struct S3Blobs;
impl S3Blobs {
    pub fn new(_: &aws_config::SdkConfig, _: &str) -> Self {
        S3Blobs
    }
}
#[async_trait::async_trait]
impl BlobStore for S3Blobs {
    fn bucket(&self) -> &str {
        ""
    }
    async fn put(&self, _: &str, _: bytes::Bytes, _: &str) -> anyhow::Result<()> {
        anyhow::bail!("x")
    }
    async fn get(&self, _: &str) -> anyhow::Result<Option<(bytes::Bytes, BlobMeta)>> {
        anyhow::bail!("x")
    }
    async fn head(&self, _: &str) -> anyhow::Result<Option<BlobMeta>> {
        anyhow::bail!("x")
    }
    async fn delete(&self, _: &str) -> anyhow::Result<()> {
        anyhow::bail!("x")
    }
    async fn presign_put(
        &self,
        _: &str,
        _: &str,
        _: u64,
        _: std::time::Duration,
    ) -> anyhow::Result<SignedRequest> {
        anyhow::bail!("x")
    }
    async fn presign_get(
        &self,
        _: &str,
        _: std::time::Duration,
        _: Option<&str>,
    ) -> anyhow::Result<String> {
        anyhow::bail!("x")
    }
}
