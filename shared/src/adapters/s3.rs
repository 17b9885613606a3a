//! `BlobStore` on S3, with SigV4-presigned upload and download URLs.
//!
//! Path-style addressing (`https://host/bucket/key`) is forced: the moto emulator
//! needs it and AWS still accepts it.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_s3::Client;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::presigning::{PresignedRequest, PresigningConfig};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
use bytes::Bytes;

use crate::ports::{BlobMeta, BlobStore, SignedRequest};

/// The headers a presigned upload signs, with the names clients send them under.
const SIGNED_UPLOAD_HEADERS: [&str; 2] = ["Content-Type", "Content-Length"];

/// Objects in one S3 bucket.
#[derive(Debug, Clone)]
pub struct S3Blobs {
    client: Client,
    bucket: String,
}

impl S3Blobs {
    /// The blob store on `bucket`.
    pub fn new(config: &SdkConfig, bucket: &str) -> Self {
        let s3_config = aws_sdk_s3::config::Builder::from(config)
            .force_path_style(true)
            .build();
        S3Blobs {
            client: Client::from_conf(s3_config),
            bucket: bucket.to_owned(),
        }
    }

    /// Creates the bucket in the client's region unless this account already owns it.
    #[tracing::instrument(skip_all, fields(bucket = %self.bucket))]
    pub async fn create_bucket(&self) -> anyhow::Result<()> {
        let region = self.client.config().region().map(|r| r.as_ref().to_owned());
        // us-east-1 is the default location and must not be named as a constraint.
        let location = region.filter(|r| r != "us-east-1").map(|r| {
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(r.as_str()))
                .build()
        });
        let result = self
            .client
            .create_bucket()
            .bucket(&self.bucket)
            .set_create_bucket_configuration(location)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(err) if err.code() == Some("BucketAlreadyOwnedByYou") => Ok(()),
            Err(err) => Err(err).with_context(|| format!("creating S3 bucket {}", self.bucket)),
        }
    }

    fn presigning(ttl: Duration) -> anyhow::Result<PresigningConfig> {
        PresigningConfig::expires_in(ttl).with_context(|| format!("presigning for {ttl:?}"))
    }
}

#[async_trait]
impl BlobStore for S3Blobs {
    fn bucket(&self) -> &str {
        &self.bucket
    }

    #[tracing::instrument(skip_all, fields(bucket = %self.bucket, key = %key, size = bytes.len()))]
    async fn put(&self, key: &str, bytes: Bytes, content_type: &str) -> anyhow::Result<()> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .with_context(|| format!("S3 PutObject {}/{key}", self.bucket))?;
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(bucket = %self.bucket, key = %key))]
    async fn get(&self, key: &str) -> anyhow::Result<Option<(Bytes, BlobMeta)>> {
        let result = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await;
        let output = match result {
            Ok(output) => output,
            Err(err) if err.as_service_error().is_some_and(|e| e.is_no_such_key()) => {
                return Ok(None);
            }
            Err(err) => {
                return Err(err).with_context(|| format!("S3 GetObject {}/{key}", self.bucket));
            }
        };
        let content_type = output.content_type.unwrap_or_default();
        let body = output
            .body
            .collect()
            .await
            .with_context(|| format!("reading S3 object {}/{key}", self.bucket))?;
        let bytes = body.into_bytes();
        let meta = BlobMeta {
            size: bytes.len() as u64,
            content_type,
        };
        Ok(Some((bytes, meta)))
    }

    #[tracing::instrument(skip_all, fields(bucket = %self.bucket, key = %key))]
    async fn head(&self, key: &str) -> anyhow::Result<Option<BlobMeta>> {
        let result = self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await;
        match result {
            Ok(output) => Ok(Some(BlobMeta {
                size: output.content_length.unwrap_or_default().max(0) as u64,
                content_type: output.content_type.unwrap_or_default(),
            })),
            Err(err) if err.as_service_error().is_some_and(|e| e.is_not_found()) => Ok(None),
            Err(err) => Err(err).with_context(|| format!("S3 HeadObject {}/{key}", self.bucket)),
        }
    }

    #[tracing::instrument(skip_all, fields(bucket = %self.bucket, key = %key))]
    async fn delete(&self, key: &str) -> anyhow::Result<()> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .with_context(|| format!("S3 DeleteObject {}/{key}", self.bucket))?;
        Ok(())
    }

    /// Signs `Content-Type` and `Content-Length` into the URL, so S3 refuses an
    /// upload of another type or size.
    #[tracing::instrument(skip_all, fields(bucket = %self.bucket, key = %key, size = size))]
    async fn presign_put(
        &self,
        key: &str,
        content_type: &str,
        size: u64,
        ttl: Duration,
    ) -> anyhow::Result<SignedRequest> {
        let length = i64::try_from(size).context("the upload size is too large")?;
        let presigned = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .content_length(length)
            .presigned(Self::presigning(ttl)?)
            .await
            .with_context(|| format!("presigning S3 PutObject {}/{key}", self.bucket))?;
        Ok(signed_request(&presigned))
    }

    #[tracing::instrument(skip_all, fields(bucket = %self.bucket, key = %key))]
    async fn presign_get(
        &self,
        key: &str,
        ttl: Duration,
        download_name: Option<&str>,
    ) -> anyhow::Result<String> {
        let presigned = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .set_response_content_disposition(download_name.map(attachment))
            .presigned(Self::presigning(ttl)?)
            .await
            .with_context(|| format!("presigning S3 GetObject {}/{key}", self.bucket))?;
        Ok(presigned.uri().to_owned())
    }
}

/// The presigned request as the port describes it, with header names spelled as
/// clients usually send them.
fn signed_request(presigned: &PresignedRequest) -> SignedRequest {
    let headers = presigned
        .headers()
        .map(|(name, value)| {
            let known = SIGNED_UPLOAD_HEADERS
                .iter()
                .find(|h| h.eq_ignore_ascii_case(name));
            (known.map_or(name, |h| *h).to_owned(), value.to_owned())
        })
        .collect::<BTreeMap<_, _>>();
    SignedRequest {
        method: presigned.method().to_owned(),
        url: presigned.uri().to_owned(),
        headers,
    }
}

/// A `Content-Disposition` value that makes browsers save the object as `name`:
/// an ASCII `filename` for every client, plus the exact name as RFC 6266 `filename*`
/// when it is not plain ASCII.
fn attachment(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| match c {
            '"' | '\\' => '_',
            c if c.is_ascii_graphic() || c == ' ' => c,
            _ => '_',
        })
        .collect();
    if ascii == name {
        return format!("attachment; filename=\"{ascii}\"");
    }
    format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        percent_encode(name)
    )
}

/// Percent-encodes everything but RFC 5987 `attr-char`s.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_s3::config::{Credentials, Region, SharedCredentialsProvider};

    fn offline_store() -> S3Blobs {
        let config = SdkConfig::builder()
            .region(Region::new("eu-north-1"))
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                "AKIDEXAMPLE",
                "secret",
                None,
                None,
                "test",
            )))
            .behavior_version(aws_config::BehaviorVersion::latest())
            .build();
        S3Blobs::new(&config, "aamu-files")
    }

    /// The value of a query parameter of a URL.
    fn param<'a>(url: &'a str, name: &str) -> Option<&'a str> {
        let query = url.split_once('?')?.1;
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
    }

    #[tokio::test]
    async fn presigned_put_signs_type_and_length() {
        let request = offline_store()
            .presign_put("team/a b.png", "image/png", 1234, Duration::from_secs(900))
            .await
            .expect("presigning needs no network");
        assert_eq!(request.method, "PUT");
        assert!(
            request
                .url
                .starts_with("https://s3.eu-north-1.amazonaws.com/aamu-files/team/a%20b.png?")
        );
        let expected = BTreeMap::from([
            ("Content-Length".to_owned(), "1234".to_owned()),
            ("Content-Type".to_owned(), "image/png".to_owned()),
        ]);
        assert_eq!(request.headers, expected);
        assert_eq!(param(&request.url, "X-Amz-Expires"), Some("900"));
        assert_eq!(
            param(&request.url, "X-Amz-SignedHeaders"),
            Some("content-length%3Bcontent-type%3Bhost")
        );
        assert!(param(&request.url, "X-Amz-Signature").is_some_and(|s| s.len() == 64));
    }

    #[tokio::test]
    async fn presigned_get_asks_for_an_attachment_when_named() {
        let store = offline_store();
        let ttl = Duration::from_secs(60);
        let plain = store.presign_get("k", ttl, None).await.expect("presigned");
        assert_eq!(param(&plain, "response-content-disposition"), None);
        assert_eq!(param(&plain, "X-Amz-Expires"), Some("60"));
        let named = store
            .presign_get("k", ttl, Some("report.pdf"))
            .await
            .expect("presigned");
        assert_eq!(
            param(&named, "response-content-disposition"),
            Some("attachment%3B%20filename%3D%22report.pdf%22")
        );
    }

    #[tokio::test]
    async fn presigning_refuses_more_than_a_week() {
        let week_and_a_bit = Duration::from_secs(7 * 24 * 3600 + 1);
        assert!(
            offline_store()
                .presign_get("k", week_and_a_bit, None)
                .await
                .is_err()
        );
    }

    #[test]
    fn attachment_names_are_quoted_safely() {
        assert_eq!(attachment("a b.txt"), "attachment; filename=\"a b.txt\"");
        assert_eq!(
            attachment("say \"hi\".txt"),
            "attachment; filename=\"say _hi_.txt\"; filename*=UTF-8''say%20%22hi%22.txt"
        );
        assert_eq!(
            attachment("päivä.txt"),
            "attachment; filename=\"p_iv_.txt\"; filename*=UTF-8''p%C3%A4iv%C3%A4.txt"
        );
    }
}
