//! `App`: the configured ports, built once per process from `Config` and shared by
//! every request. A Lambda function builds only the ports its routes use.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use async_trait::async_trait;
use aws_config::SdkConfig;
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

/// Builds the item store.
pub type StoreBuilder = fn(&Config, Option<&SdkConfig>) -> anyhow::Result<Arc<dyn ItemStore>>;
/// Builds the blob store (and, when local, the directory `aamu serve` answers for).
pub type BlobsBuilder = fn(&Config, Option<&SdkConfig>, &Arc<dyn Clock>) -> anyhow::Result<Blobs>;
/// Builds the mailer.
pub type MailBuilder =
    fn(&Config, Option<&SdkConfig>, &Arc<dyn Clock>) -> anyhow::Result<Arc<dyn Mailer>>;
/// Builds the event bus (and, when in-process, the bus consumers subscribe to).
pub type EventsBuilder = fn(&Config, Option<&SdkConfig>) -> anyhow::Result<Bus>;

/// A built blob store.
pub struct Blobs {
    pub port: Arc<dyn BlobStore>,
    pub local: Option<Arc<LocalFiles>>,
}

/// A built event bus.
pub struct Bus {
    pub port: Arc<dyn EventBus>,
    pub in_process: Option<Arc<InProcessBus>>,
}

/// Which ports a process builds, and with which builders. A binary links only the
/// adapters its builders name: a Lambda function that says `Needs::AWS_STORE` carries
/// the DynamoDB client and nothing of S3, SES, EventBridge or SQLite. Ports left out
/// answer a configuration error if used.
#[derive(Clone, Copy)]
pub struct Needs {
    pub store: StoreBuilder,
    pub blobs: Option<BlobsBuilder>,
    pub mail: Option<MailBuilder>,
    pub events: Option<EventsBuilder>,
}

impl Needs {
    /// Every port, on whichever adapters the configuration names: `aamu serve`.
    pub const ALL: Needs = Needs {
        store: any_store,
        blobs: Some(any_blobs),
        mail: Some(any_mail),
        events: Some(any_events),
    };
    /// The item store only, on either adapter: the admin commands.
    pub const STORE: Needs = Needs {
        store: any_store,
        blobs: None,
        mail: None,
        events: None,
    };
    /// DynamoDB only: the base of every Lambda function. Add `s3_blobs`, `ses_mail` or
    /// `eventbridge_events` as a function needs them.
    pub const AWS_STORE: Needs = Needs {
        store: dynamodb_store,
        blobs: None,
        mail: None,
        events: None,
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
    /// Builds the ports `needs` names from `config`.
    pub async fn build(config: Config, needs: Needs) -> anyhow::Result<App> {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        if uses_local(&config, needs) {
            std::fs::create_dir_all(&config.data_dir).with_context(|| {
                format!("creating the data directory {}", config.data_dir.display())
            })?;
        }
        let sdk = match uses_aws(&config, needs) {
            true => Some(aws::sdk_config(&config.aws_region, config.aws_endpoint.as_deref()).await),
            false => None,
        };
        let sdk = sdk.as_ref();

        let store = (needs.store)(&config, sdk)?;
        let blobs = match needs.blobs {
            Some(build) => build(&config, sdk, &clock)?,
            None => Blobs {
                port: Arc::new(Missing("file storage")),
                local: None,
            },
        };
        let mailer = match needs.mail {
            Some(build) => build(&config, sdk, &clock)?,
            None => Arc::new(Missing("email")),
        };
        let bus = match needs.events {
            Some(build) => build(&config, sdk)?,
            None => Bus {
                port: Arc::new(Missing("the event bus")),
                in_process: None,
            },
        };

        Ok(App {
            config: Arc::new(config),
            store,
            blobs: blobs.port,
            mailer,
            bus: bus.port,
            clock,
            local_files: blobs.local,
            in_process: bus.in_process,
        })
    }
}

fn uses_local(config: &Config, needs: Needs) -> bool {
    config.store == StoreConfig::Sqlite
        || (needs.blobs.is_some() && config.blobs == BlobConfig::Local)
        || (needs.mail.is_some() && config.mail == MailConfig::Outbox)
}

fn uses_aws(config: &Config, needs: Needs) -> bool {
    matches!(config.store, StoreConfig::DynamoDb { .. })
        || (needs.blobs.is_some() && matches!(config.blobs, BlobConfig::S3 { .. }))
        || (needs.mail.is_some() && config.mail == MailConfig::SesV2)
        || (needs.events.is_some() && matches!(config.events, EventsConfig::EventBridge { .. }))
}

fn sdk_of(sdk: Option<&SdkConfig>) -> anyhow::Result<&SdkConfig> {
    sdk.context("an AWS adapter was chosen without an AWS configuration")
}

fn only_aws(var: &str, value: &str) -> anyhow::Error {
    anyhow::anyhow!("configuration variable {var}: this function runs on AWS only, not `{value}`")
}

/// SQLite or DynamoDB, as configured.
pub fn any_store(config: &Config, sdk: Option<&SdkConfig>) -> anyhow::Result<Arc<dyn ItemStore>> {
    match &config.store {
        StoreConfig::Sqlite => Ok(Arc::new(SqliteStore::open(
            &config.data_dir.join("aamu.sqlite3"),
        )?)),
        StoreConfig::DynamoDb { .. } => dynamodb_store(config, sdk),
    }
}

/// DynamoDB only.
pub fn dynamodb_store(
    config: &Config,
    sdk: Option<&SdkConfig>,
) -> anyhow::Result<Arc<dyn ItemStore>> {
    match &config.store {
        StoreConfig::DynamoDb {
            items_table,
            rows_table,
        } => Ok(Arc::new(dynamodb::DynamoStore::new(
            sdk_of(sdk)?,
            items_table,
            rows_table,
        ))),
        StoreConfig::Sqlite => Err(only_aws("AAMU_STORE", "sqlite")),
    }
}

/// A local directory or S3, as configured.
pub fn any_blobs(
    config: &Config,
    sdk: Option<&SdkConfig>,
    clock: &Arc<dyn Clock>,
) -> anyhow::Result<Blobs> {
    match &config.blobs {
        BlobConfig::Local => {
            let local = Arc::new(LocalFiles::new(
                &config.data_dir.join("blobs"),
                &config.public_url,
                signing_secret(config)?,
                clock.clone(),
            )?);
            Ok(Blobs {
                port: local.clone(),
                local: Some(local),
            })
        }
        BlobConfig::S3 { .. } => s3_blobs(config, sdk, clock),
    }
}

/// S3 only.
pub fn s3_blobs(
    config: &Config,
    sdk: Option<&SdkConfig>,
    _clock: &Arc<dyn Clock>,
) -> anyhow::Result<Blobs> {
    match &config.blobs {
        BlobConfig::S3 { bucket } => Ok(Blobs {
            port: Arc::new(s3::S3Blobs::new(sdk_of(sdk)?, bucket)),
            local: None,
        }),
        BlobConfig::Local => Err(only_aws("AAMU_BLOBS", "local")),
    }
}

/// The `.eml` outbox or SES v2, as configured.
pub fn any_mail(
    config: &Config,
    sdk: Option<&SdkConfig>,
    clock: &Arc<dyn Clock>,
) -> anyhow::Result<Arc<dyn Mailer>> {
    match config.mail {
        MailConfig::Outbox => Ok(Arc::new(OutboxMailer::new(
            &config.data_dir.join("outbox"),
            clock.clone(),
        )?)),
        MailConfig::SesV2 => ses_mail(config, sdk, clock),
    }
}

/// SES v2 only.
pub fn ses_mail(
    config: &Config,
    sdk: Option<&SdkConfig>,
    _clock: &Arc<dyn Clock>,
) -> anyhow::Result<Arc<dyn Mailer>> {
    match config.mail {
        MailConfig::SesV2 => Ok(Arc::new(sesv2::SesMailer::new(sdk_of(sdk)?))),
        MailConfig::Outbox => Err(only_aws("AAMU_MAIL", "outbox")),
    }
}

/// The in-process bus or EventBridge, as configured.
pub fn any_events(config: &Config, sdk: Option<&SdkConfig>) -> anyhow::Result<Bus> {
    match &config.events {
        EventsConfig::InProcess => {
            let bus = Arc::new(InProcessBus::new());
            Ok(Bus {
                port: bus.clone(),
                in_process: Some(bus),
            })
        }
        EventsConfig::EventBridge { .. } => eventbridge_events(config, sdk),
    }
}

/// EventBridge only.
pub fn eventbridge_events(config: &Config, sdk: Option<&SdkConfig>) -> anyhow::Result<Bus> {
    match &config.events {
        EventsConfig::EventBridge { bus_name } => Ok(Bus {
            port: Arc::new(eventbridge::EventBridgeBus::new(
                sdk_of(sdk)?,
                bus_name,
                "aamu.api",
            )),
            in_process: None,
        }),
        EventsConfig::InProcess => Err(only_aws("AAMU_EVENTS", "in-process")),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_only_builders_refuse_embedded_configuration_naming_the_variable() {
        let config = Config::from_lookup(|_| None).expect("the defaults are valid");
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let errors = [
            dynamodb_store(&config, None).err(),
            s3_blobs(&config, None, &clock).err(),
            ses_mail(&config, None, &clock).err(),
            eventbridge_events(&config, None).err(),
        ];
        for (error, var) in
            errors
                .iter()
                .zip(["AAMU_STORE", "AAMU_BLOBS", "AAMU_MAIL", "AAMU_EVENTS"])
        {
            let message = error.as_ref().map(ToString::to_string).unwrap_or_default();
            assert!(message.contains(var), "{var}: {message}");
        }
    }
}
