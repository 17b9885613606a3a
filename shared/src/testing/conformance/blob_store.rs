//! The `BlobStore` conformance suite: objects in and out, missing objects, and
//! presigned requests that carry what a client needs. Whether a presigned URL is
//! honoured depends on the server behind it, so adapters test that themselves.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Context, ensure};
use bytes::Bytes;

use super::{Case, run_cases};
use crate::ports::{BlobMeta, BlobStore};
use crate::testing::unique_name;

/// Runs every `BlobStore` case against `store`; panics naming the first that fails.
pub async fn blob_store_suite(store: &dyn BlobStore) {
    let t = Ctx {
        store,
        prefix: format!("conformance/{}", unique_name("blobs")),
    };
    let cases: Vec<Case> = vec![
        ("put, get and head", Box::pin(t.put_get_head())),
        ("put replaces bytes and type", Box::pin(t.overwrite())),
        ("empty and 1 MiB objects", Box::pin(t.sizes())),
        ("missing objects", Box::pin(t.missing())),
        ("delete", Box::pin(t.delete())),
        ("presigned PUT", Box::pin(t.presign_put())),
        ("presigned GET", Box::pin(t.presign_get())),
    ];
    run_cases("BlobStore", cases).await;
}

struct Ctx<'a> {
    store: &'a dyn BlobStore,
    prefix: String,
}

/// Whether `url` looks like an absolute http(s) URL a client can request as is.
fn is_absolute_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/')) && !url.contains(char::is_whitespace)
}

impl Ctx<'_> {
    fn key(&self, name: &str) -> String {
        format!("{}/{name}", self.prefix)
    }

    async fn expect_object(
        &self,
        key: &str,
        bytes: &[u8],
        content_type: &str,
    ) -> anyhow::Result<()> {
        let (got, meta) = self
            .store
            .get(key)
            .await?
            .with_context(|| format!("{key} is missing"))?;
        ensure!(got == bytes, "{key} holds {} other bytes", got.len());
        let expected = BlobMeta {
            size: bytes.len() as u64,
            content_type: content_type.to_owned(),
        };
        ensure!(meta == expected, "get of {key} answered {meta:?}");
        let head = self.store.head(key).await?;
        ensure!(head == Some(expected), "head of {key} answered {head:?}");
        Ok(())
    }

    async fn put_get_head(&self) -> anyhow::Result<()> {
        ensure!(!self.store.bucket().is_empty(), "the bucket has no name");
        let key = self.key("docs/report-1.bin");
        let bytes: Vec<u8> = (0..=255u8).collect();
        self.store
            .put(&key, Bytes::from(bytes.clone()), "application/octet-stream")
            .await?;
        self.expect_object(&key, &bytes, "application/octet-stream")
            .await
    }

    async fn overwrite(&self) -> anyhow::Result<()> {
        let key = self.key("notes.txt");
        self.store
            .put(&key, Bytes::from_static(b"first"), "text/plain")
            .await?;
        self.store
            .put(
                &key,
                Bytes::from_static(b"{\"second\":2}"),
                "application/json",
            )
            .await?;
        self.expect_object(&key, b"{\"second\":2}", "application/json")
            .await
    }

    async fn sizes(&self) -> anyhow::Result<()> {
        let empty = self.key("empty");
        self.store.put(&empty, Bytes::new(), "text/plain").await?;
        self.expect_object(&empty, b"", "text/plain").await?;
        let large = self.key("large");
        let bytes: Vec<u8> = (0..1024 * 1024).map(|i: u32| (i % 251) as u8).collect();
        self.store
            .put(&large, Bytes::from(bytes.clone()), "image/png")
            .await?;
        self.expect_object(&large, &bytes, "image/png").await
    }

    async fn missing(&self) -> anyhow::Result<()> {
        let key = self.key("never-written");
        ensure!(
            self.store.get(&key).await?.is_none(),
            "get of a missing object found one"
        );
        ensure!(
            self.store.head(&key).await?.is_none(),
            "head of a missing object found one"
        );
        self.store
            .delete(&key)
            .await
            .context("deleting a missing object")
    }

    async fn delete(&self) -> anyhow::Result<()> {
        let key = self.key("doomed.txt");
        self.store
            .put(&key, Bytes::from_static(b"bye"), "text/plain")
            .await?;
        self.store.delete(&key).await?;
        ensure!(
            self.store.get(&key).await?.is_none(),
            "a deleted object is still readable"
        );
        ensure!(
            self.store.head(&key).await?.is_none(),
            "a deleted object still has metadata"
        );
        Ok(())
    }

    async fn presign_put(&self) -> anyhow::Result<()> {
        let key = self.key("upload.pdf");
        let ttl = Duration::from_secs(900);
        let request = self
            .store
            .presign_put(&key, "application/pdf", 5000, ttl)
            .await?;
        ensure!(
            request.method.eq_ignore_ascii_case("PUT"),
            "method {}",
            request.method
        );
        ensure!(is_absolute_url(&request.url), "URL {:?}", request.url);
        let headers: BTreeMap<String, &str> = request
            .headers
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.as_str()))
            .collect();
        let expected = BTreeMap::from([
            ("content-length".to_owned(), "5000"),
            ("content-type".to_owned(), "application/pdf"),
        ]);
        ensure!(headers == expected, "headers {:?}", request.headers);
        let other = self
            .store
            .presign_put(&key, "application/pdf", 5000, ttl * 2)
            .await?;
        ensure!(
            other.url != request.url,
            "the expiry is not part of the URL"
        );
        let other = self
            .store
            .presign_put(&key, "application/pdf", 5001, ttl)
            .await?;
        ensure!(
            other.headers != request.headers,
            "the size is not part of the request"
        );
        Ok(())
    }

    async fn presign_get(&self) -> anyhow::Result<()> {
        let key = self.key("download.pdf");
        let ttl = Duration::from_secs(300);
        let plain = self.store.presign_get(&key, ttl, None).await?;
        ensure!(is_absolute_url(&plain), "URL {plain:?}");
        let named = self
            .store
            .presign_get(&key, ttl, Some("Report 2024.pdf"))
            .await?;
        ensure!(
            is_absolute_url(&named) && named != plain,
            "the download name is not part of {named:?}"
        );
        let longer = self.store.presign_get(&key, ttl * 2, None).await?;
        ensure!(longer != plain, "the expiry is not part of the URL");
        Ok(())
    }
}
