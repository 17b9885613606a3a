//! `App`: the configured ports, built once per process from `Config` and shared by
//! every request. A Lambda function builds only the ports its routes use.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use async_trait::async_trait;
use bytes::Bytes;

use crate::adapters::in_process::InProcessBus;
use crate::adapters::local_files::LocalFiles;
use crate::adapters::outbox_mail::OutboxMailer;
use crate::adapters::sqlite::SqliteStore;
use crate::adapters::{aws, dynamodb, eventbridge, s3, sesv2};
use crate::config::{BlobConfig, Config, EventsConfig, MailConfig, Secret, StoreConfig};
use crate::ports::{
    BlobMeta, BlobStore, Clock, Event, EventBus, ItemStore, Mailer, OutgoingEmail, SignedRequest,
    SystemClock,
};

/// The ports a process needs beyond the item store, which every route uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Needs {
    pub blobs: bool,
    pub mail: bool,
    pub events: bool,
}

impl Needs {
    /// Every port: what `aamu serve` builds.
    pub const ALL: Needs = Needs {
        blobs: true,
        mail: true,
        events: true,
    };
    /// The item store only.
    pub const STORE: Needs = Needs {
        blobs: false,
        mail: false,
        events: false,
    };
}

/// The ports of one process.
#[derive(Clone)]
pub struct App {
    pub config: Arc<Config>,
    pub store: Arc<dyn ItemStore>,
    pub blobs: Arc<dyn BlobStore>,
    pub mailer: Arc<dyn Mailer>,
    pub bus: Arc<dyn EventBus>,
    pub clock: Arc<dyn Clock>,
    /// The local blob directory, when blobs are local: `aamu serve` answers its signed
    /// URLs itself.
    pub local_files: Option<Arc<LocalFiles>>,
    /// The in-process bus, when events stay in this process, for registering consumers.
    pub in_process: Option<Arc<InProcessBus>>,
}

impl App {
    /// Builds the ports `needs` asks for from `config`.
    pub async fn build(config: Config, needs: Needs) -> anyhow::Result<App> {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let uses_local = config.store == StoreConfig::Sqlite
            || (needs.blobs && config.blobs == BlobConfig::Local)
            || (needs.mail && config.mail == MailConfig::Outbox);
        if uses_local {
            std::fs::create_dir_all(&config.data_dir).with_context(|| {
                format!("creating the data directory {}", config.data_dir.display())
            })?;
        }
        let sdk = match uses_aws(&config, needs) {
            true => Some(aws::sdk_config(&config.aws_region, config.aws_endpoint.as_deref()).await),
            false => None,
        };
        let sdk = || {
            sdk.as_ref()
                .expect("an SDK config is built whenever an AWS adapter is chosen")
        };

        let store: Arc<dyn ItemStore> = match &config.store {
            StoreConfig::Sqlite => {
                Arc::new(SqliteStore::open(&config.data_dir.join("aamu.sqlite3"))?)
            }
            StoreConfig::DynamoDb {
                items_table,
                rows_table,
            } => Arc::new(dynamodb::DynamoStore::new(sdk(), items_table, rows_table)),
        };

        let mut local_files = None;
        let blobs: Arc<dyn BlobStore> = match (&config.blobs, needs.blobs) {
            (_, false) => Arc::new(Missing("file storage")),
            (BlobConfig::Local, true) => {
                let secret = signing_secret(&config)?;
                let local = Arc::new(LocalFiles::new(
                    &config.data_dir.join("blobs"),
                    &config.public_url,
                    secret,
                    clock.clone(),
                )?);
                local_files = Some(local.clone());
                local
            }
            (BlobConfig::S3 { bucket }, true) => Arc::new(s3::S3Blobs::new(sdk(), bucket)),
        };

        let mailer: Arc<dyn Mailer> = match (&config.mail, needs.mail) {
            (_, false) => Arc::new(Missing("email")),
            (MailConfig::Outbox, true) => Arc::new(OutboxMailer::new(
                &config.data_dir.join("outbox"),
                clock.clone(),
            )?),
            (MailConfig::SesV2, true) => Arc::new(sesv2::SesMailer::new(sdk())),
        };

        let mut in_process = None;
        let bus: Arc<dyn EventBus> = match (&config.events, needs.events) {
            (_, false) => Arc::new(Missing("the event bus")),
            (EventsConfig::InProcess, true) => {
                let bus = Arc::new(InProcessBus::new());
                in_process = Some(bus.clone());
                bus
            }
            (EventsConfig::EventBridge { bus_name }, true) => Arc::new(
                eventbridge::EventBridgeBus::new(sdk(), bus_name, "aamu.api"),
            ),
        };

        Ok(App {
            config: Arc::new(config),
            store,
            blobs,
            mailer,
            bus,
            clock,
            local_files,
            in_process,
        })
    }
}

fn uses_aws(config: &Config, needs: Needs) -> bool {
    matches!(config.store, StoreConfig::DynamoDb { .. })
        || (needs.blobs && matches!(config.blobs, BlobConfig::S3 { .. }))
        || (needs.mail && config.mail == MailConfig::SesV2)
        || (needs.events && matches!(config.events, EventsConfig::EventBridge { .. }))
}

/// The configured signing secret, or one generated once into the data directory.
fn signing_secret(config: &Config) -> anyhow::Result<Secret> {
    if let Some(secret) = &config.signing_secret {
        return Ok(secret.clone());
    }
    let path = config.data_dir.join("signing.key");
    if let Ok(existing) = std::fs::read_to_string(&path)
        && existing.trim().len() >= 32
    {
        return Ok(Secret::new(existing.trim()));
    }
    let secret = crate::ids::random_token(48);
    write_private(&path, &secret)?;
    Ok(Secret::new(secret))
}

fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("writing {}", path.display()))?;
    file.write_all(contents.as_bytes())?;
    Ok(())
}

/// A port this process did not build: using it is a server configuration fault.
struct Missing(&'static str);

impl Missing {
    fn fail<T>(&self) -> anyhow::Result<T> {
        anyhow::bail!("{} is not configured in this function", self.0)
    }
}

#[async_trait]
impl BlobStore for Missing {
    fn bucket(&self) -> &str {
        ""
    }
    async fn put(&self, _: &str, _: Bytes, _: &str) -> anyhow::Result<()> {
        self.fail()
    }
    async fn get(&self, _: &str) -> anyhow::Result<Option<(Bytes, BlobMeta)>> {
        self.fail()
    }
    async fn head(&self, _: &str) -> anyhow::Result<Option<BlobMeta>> {
        self.fail()
    }
    async fn delete(&self, _: &str) -> anyhow::Result<()> {
        self.fail()
    }
    async fn presign_put(
        &self,
        _: &str,
        _: &str,
        _: u64,
        _: std::time::Duration,
    ) -> anyhow::Result<SignedRequest> {
        self.fail()
    }
    async fn presign_get(
        &self,
        _: &str,
        _: std::time::Duration,
        _: Option<&str>,
    ) -> anyhow::Result<String> {
        self.fail()
    }
}

#[async_trait]
impl Mailer for Missing {
    async fn send(&self, _: &OutgoingEmail) -> anyhow::Result<String> {
        self.fail()
    }
}

#[async_trait]
impl EventBus for Missing {
    async fn publish(&self, _: &[Event]) -> anyhow::Result<()> {
        self.fail()
    }
}
