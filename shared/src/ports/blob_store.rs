//! `BlobStore`: file bytes and large values, with signed upload and download URLs.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;

/// What is known of a stored object without reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobMeta {
    pub size: u64,
    pub content_type: String,
}

/// A request a client makes itself, such as a presigned PUT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest {
    pub method: String,
    pub url: String,
    /// Headers the client must send exactly as given.
    pub headers: BTreeMap<String, String>,
}

/// Object storage (S3 or a local directory).
#[async_trait]
pub trait BlobStore: Send + Sync {
    /// The bucket name reported to clients.
    fn bucket(&self) -> &str;

    async fn put(&self, key: &str, bytes: Bytes, content_type: &str) -> anyhow::Result<()>;

    /// The object's bytes and type, if it exists.
    async fn get(&self, key: &str) -> anyhow::Result<Option<(Bytes, BlobMeta)>>;

    /// The object's size and type, if it exists.
    async fn head(&self, key: &str) -> anyhow::Result<Option<BlobMeta>>;

    async fn delete(&self, key: &str) -> anyhow::Result<()>;

    /// A PUT the client can send for `size` bytes of `content_type`, valid for `ttl`.
    async fn presign_put(
        &self,
        key: &str,
        content_type: &str,
        size: u64,
        ttl: Duration,
    ) -> anyhow::Result<SignedRequest>;

    /// A GET URL for the object, valid for `ttl`; `download_name` asks the browser to
    /// save the file under that name instead of showing it.
    async fn presign_get(
        &self,
        key: &str,
        ttl: Duration,
        download_name: Option<&str>,
    ) -> anyhow::Result<String>;
}
