//! The embedded `BlobStore`: objects as files in a directory, with upload and download
//! URLs signed by HMAC-SHA256 and served by `aamu serve` under `/_blobs/`.

use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use async_trait::async_trait;
use bytes::Bytes;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::config::Secret;
use crate::ports::{BlobMeta, BlobStore, Clock, SignedRequest};

/// The path prefix under which `aamu serve` answers signed blob URLs.
pub const ROUTE_PREFIX: &str = "/_blobs/";

/// Objects in a local directory.
pub struct LocalFiles {
    root: PathBuf,
    public_url: String,
    secret: Secret,
    clock: std::sync::Arc<dyn Clock>,
}

#[derive(Serialize, Deserialize)]
struct Sidecar {
    content_type: String,
    size: u64,
}

/// Why a signed URL was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the URL signature does not match")]
    BadSignature,
    #[error("the signed URL has expired")]
    Expired,
}

/// The signed parts of an upload or download URL.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SignedParams {
    /// `put` or `get`.
    pub op: String,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Content type a PUT must send.
    #[serde(default)]
    pub ct: String,
    /// Exact byte count a PUT must send.
    #[serde(default)]
    pub len: u64,
    /// Download file name, for GET.
    #[serde(default)]
    pub dl: String,
    pub sig: String,
}

impl LocalFiles {
    /// Uses `root` (created when missing) and signs URLs under `public_url`.
    pub fn new(
        root: &Path,
        public_url: &str,
        secret: Secret,
        clock: std::sync::Arc<dyn Clock>,
    ) -> anyhow::Result<LocalFiles> {
        std::fs::create_dir_all(root).with_context(|| format!("creating {}", root.display()))?;
        Ok(LocalFiles {
            root: root.to_path_buf(),
            public_url: public_url.trim_end_matches('/').to_string(),
            secret,
            clock,
        })
    }

    fn path(&self, key: &str) -> anyhow::Result<PathBuf> {
        let relative = Path::new(key);
        let safe = !key.is_empty()
            && relative
                .components()
                .all(|c| matches!(c, Component::Normal(_)))
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"/._-".contains(&b));
        if !safe {
            bail!("blob key {key:?} is not a safe relative path");
        }
        Ok(self.root.join(relative))
    }

    fn mac(&self, key: &str, op: &str, exp: i64, ct: &str, len: u64, dl: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.secret.expose().as_bytes())
            .expect("HMAC accepts keys of any length");
        mac.update(format!("{op}\n{key}\n{exp}\n{ct}\n{len}\n{dl}").as_bytes());
        mac
    }

    fn signature(&self, key: &str, op: &str, exp: i64, ct: &str, len: u64, dl: &str) -> String {
        hex::encode(self.mac(key, op, exp, ct, len, dl).finalize().into_bytes())
    }

    /// Checks a signed URL's parameters for `key`: the signature (in constant time),
    /// then the expiry.
    pub fn verify(&self, key: &str, params: &SignedParams) -> Result<(), SignatureError> {
        let given = hex::decode(&params.sig).map_err(|_| SignatureError::BadSignature)?;
        self.mac(
            key, &params.op, params.exp, &params.ct, params.len, &params.dl,
        )
        .verify_slice(&given)
        .map_err(|_| SignatureError::BadSignature)?;
        if params.exp * 1000 < self.clock.now_ms() {
            return Err(SignatureError::Expired);
        }
        Ok(())
    }

    fn url(&self, key: &str, query: &[(&str, String)]) -> String {
        let query: Vec<String> = query
            .iter()
            .map(|(k, v)| format!("{k}={}", percent_encode(v)))
            .collect();
        format!("{}{ROUTE_PREFIX}{key}?{}", self.public_url, query.join("&"))
    }

    fn expiry(&self, ttl: Duration) -> i64 {
        self.clock.now_ms() / 1000 + ttl.as_secs() as i64
    }
}

/// Percent-encodes everything but unreserved characters.
pub fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[async_trait]
impl BlobStore for LocalFiles {
    fn bucket(&self) -> &str {
        "files"
    }

    async fn put(&self, key: &str, bytes: Bytes, content_type: &str) -> anyhow::Result<()> {
        let path = self.path(key)?;
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent).await?;
        }
        let sidecar = Sidecar {
            content_type: content_type.into(),
            size: bytes.len() as u64,
        };
        // Write both files under temporary names, then rename: a reader never sees a
        // half-written object.
        let tmp = path.with_extension("part");
        tokio::fs::write(&tmp, &bytes)
            .await
            .context("writing a blob")?;
        let meta_tmp = path.with_extension("meta.part");
        tokio::fs::write(&meta_tmp, serde_json::to_vec(&sidecar)?).await?;
        tokio::fs::rename(&meta_tmp, meta_path(&path)).await?;
        tokio::fs::rename(&tmp, &path)
            .await
            .context("storing a blob")?;
        Ok(())
    }

    async fn get(&self, key: &str) -> anyhow::Result<Option<(Bytes, BlobMeta)>> {
        let Some(meta) = self.head(key).await? else {
            return Ok(None);
        };
        let bytes = tokio::fs::read(self.path(key)?)
            .await
            .context("reading a blob")?;
        Ok(Some((Bytes::from(bytes), meta)))
    }

    async fn head(&self, key: &str) -> anyhow::Result<Option<BlobMeta>> {
        let path = self.path(key)?;
        let file = match tokio::fs::metadata(&path).await {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).context("reading blob metadata"),
        };
        let content_type = match tokio::fs::read(meta_path(&path)).await {
            Ok(raw) => serde_json::from_slice::<Sidecar>(&raw)?.content_type,
            Err(_) => "application/octet-stream".into(),
        };
        Ok(Some(BlobMeta {
            size: file.len(),
            content_type,
        }))
    }

    async fn delete(&self, key: &str) -> anyhow::Result<()> {
        let path = self.path(key)?;
        for p in [meta_path(&path), path] {
            match tokio::fs::remove_file(&p).await {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e).context("deleting a blob"),
            }
        }
        Ok(())
    }

    async fn presign_put(
        &self,
        key: &str,
        content_type: &str,
        size: u64,
        ttl: Duration,
    ) -> anyhow::Result<SignedRequest> {
        self.path(key)?;
        let exp = self.expiry(ttl);
        let sig = self.signature(key, "put", exp, content_type, size, "");
        let url = self.url(
            key,
            &[
                ("op", "put".into()),
                ("exp", exp.to_string()),
                ("ct", content_type.into()),
                ("len", size.to_string()),
                ("sig", sig),
            ],
        );
        let headers = [
            ("Content-Type".to_string(), content_type.to_string()),
            ("Content-Length".to_string(), size.to_string()),
        ]
        .into();
        Ok(SignedRequest {
            method: "PUT".into(),
            url,
            headers,
        })
    }

    async fn presign_get(
        &self,
        key: &str,
        ttl: Duration,
        download_name: Option<&str>,
    ) -> anyhow::Result<String> {
        self.path(key)?;
        let exp = self.expiry(ttl);
        let dl = download_name.unwrap_or_default();
        let sig = self.signature(key, "get", exp, "", 0, dl);
        let mut query = vec![("op", "get".to_string()), ("exp", exp.to_string())];
        if !dl.is_empty() {
            query.push(("dl", dl.to_string()));
        }
        query.push(("sig", sig));
        Ok(self.url(key, &query))
    }
}

fn meta_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".meta");
    path.with_file_name(name)
}
