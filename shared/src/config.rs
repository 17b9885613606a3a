//! Typed configuration, read once from the environment and validated at start-up.
//! Every failure names the variable at fault.

use std::fmt;
use std::path::PathBuf;

/// Where items and rows are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreConfig {
    /// A SQLite file in the data directory.
    Sqlite,
    /// DynamoDB tables.
    DynamoDb {
        items_table: String,
        rows_table: String,
    },
}

/// Where file bytes are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobConfig {
    /// A directory under the data directory, with URLs signed by this server.
    Local,
    S3 {
        bucket: String,
    },
}

/// How email leaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailConfig {
    /// `.eml` files in the data directory's outbox.
    Outbox,
    SesV2,
}

/// Where events go after commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventsConfig {
    InProcess,
    EventBridge { bus_name: String },
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Text,
}

/// A secret value that never prints.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value itself; call only where it is used, never to log.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// The whole configuration of one process.
#[derive(Debug, Clone)]
pub struct Config {
    pub store: StoreConfig,
    pub blobs: BlobConfig,
    pub mail: MailConfig,
    pub events: EventsConfig,
    /// Local state: the SQLite file, local blobs, the mail outbox.
    pub data_dir: PathBuf,
    /// The address clients use to reach this API, for signed local URLs.
    pub public_url: String,
    pub aws_region: String,
    /// An alternative AWS endpoint (the moto emulator in tests).
    pub aws_endpoint: Option<String>,
    /// Key for signing local upload and download URLs; generated into the data
    /// directory when not set.
    pub signing_secret: Option<Secret>,
    pub mail_from: String,
    pub max_upload_bytes: u64,
    pub log_format: LogFormat,
}

/// A configuration error naming the variable.
#[derive(Debug, thiserror::Error)]
#[error("configuration variable {var}: {reason}")]
pub struct ConfigError {
    pub var: &'static str,
    pub reason: String,
}

/// Default largest upload: 100 MiB.
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 100 * 1024 * 1024;

impl Config {
    /// Reads the process environment. On Lambda (`AWS_LAMBDA_FUNCTION_NAME` set) the
    /// defaults are the AWS adapters; elsewhere the embedded ones.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup`, so tests need not touch the environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let on_lambda = get("AWS_LAMBDA_FUNCTION_NAME").is_some();
        let required = |var: &'static str| {
            get(var).ok_or(ConfigError {
                var,
                reason: "must be set".into(),
            })
        };
        let choice = |var: &'static str, aws: &'static str, local: &'static str| {
            let value = get(var).unwrap_or_else(|| if on_lambda { aws } else { local }.into());
            if value == aws || value == local {
                Ok(value == aws)
            } else {
                Err(ConfigError {
                    var,
                    reason: format!("must be `{local}` or `{aws}`, not `{value}`"),
                })
            }
        };

        let store = if choice("AAMU_STORE", "dynamodb", "sqlite")? {
            StoreConfig::DynamoDb {
                items_table: get("AAMU_ITEMS_TABLE").unwrap_or_else(|| "aamu-items".into()),
                rows_table: get("AAMU_ROWS_TABLE").unwrap_or_else(|| "aamu-rows".into()),
            }
        } else {
            StoreConfig::Sqlite
        };
        let blobs = if choice("AAMU_BLOBS", "s3", "local")? {
            BlobConfig::S3 {
                bucket: required("AAMU_BUCKET")?,
            }
        } else {
            BlobConfig::Local
        };
        let mail = if choice("AAMU_MAIL", "ses", "outbox")? {
            MailConfig::SesV2
        } else {
            MailConfig::Outbox
        };
        let events = if choice("AAMU_EVENTS", "eventbridge", "in-process")? {
            EventsConfig::EventBridge {
                bus_name: required("AAMU_EVENT_BUS")?,
            }
        } else {
            EventsConfig::InProcess
        };

        let public_url = get("AAMU_PUBLIC_URL").unwrap_or_else(|| "http://127.0.0.1:8787".into());
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(ConfigError {
                var: "AAMU_PUBLIC_URL",
                reason: "must start with http:// or https://".into(),
            });
        }
        let aws_endpoint = get("AAMU_AWS_ENDPOINT");
        if let Some(endpoint) = &aws_endpoint
            && !endpoint.starts_with("http")
        {
            return Err(ConfigError {
                var: "AAMU_AWS_ENDPOINT",
                reason: "must be an http(s) URL".into(),
            });
        }
        let max_upload_bytes = match get("AAMU_MAX_UPLOAD_BYTES") {
            None => DEFAULT_MAX_UPLOAD_BYTES,
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or(ConfigError {
                    var: "AAMU_MAX_UPLOAD_BYTES",
                    reason: format!("must be a positive whole number of bytes, not `{v}`"),
                })?,
        };
        let log_format = match get("AAMU_LOG_FORMAT").as_deref() {
            None if on_lambda => LogFormat::Json,
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError {
                    var: "AAMU_LOG_FORMAT",
                    reason: format!("must be `json` or `text`, not `{other}`"),
                });
            }
        };
        let signing_secret = get("AAMU_SIGNING_SECRET").map(Secret::new);
        if signing_secret
            .as_ref()
            .is_some_and(|s| s.expose().len() < 32)
        {
            return Err(ConfigError {
                var: "AAMU_SIGNING_SECRET",
                reason: "must be at least 32 characters".into(),
            });
        }

        Ok(Config {
            store,
            blobs,
            mail,
            events,
            data_dir: PathBuf::from(get("AAMU_DATA_DIR").unwrap_or_else(|| "./.aamu".into())),
            public_url: public_url.trim_end_matches('/').to_string(),
            aws_region: get("AWS_REGION")
                .or_else(|| get("AWS_DEFAULT_REGION"))
                .unwrap_or_else(|| "us-east-1".into()),
            aws_endpoint,
            signing_secret,
            mail_from: get("AAMU_MAIL_FROM").unwrap_or_else(|| "Aamu <no-reply@aamu.local>".into()),
            max_upload_bytes,
            log_format,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_are_the_embedded_adapters_outside_lambda() {
        let config = config(&[]).expect("empty environment is valid");
        assert_eq!(config.store, StoreConfig::Sqlite);
        assert_eq!(config.blobs, BlobConfig::Local);
        assert_eq!(config.log_format, LogFormat::Text);
    }

    #[test]
    fn lambda_defaults_to_aws_and_requires_the_bucket() {
        let err = config(&[("AWS_LAMBDA_FUNCTION_NAME", "key")]).unwrap_err();
        assert_eq!(err.var, "AAMU_BUCKET");
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        for (var, value) in [
            ("AAMU_STORE", "postgres"),
            ("AAMU_MAX_UPLOAD_BYTES", "-1"),
            ("AAMU_LOG_FORMAT", "xml"),
            ("AAMU_PUBLIC_URL", "localhost"),
            ("AAMU_SIGNING_SECRET", "short"),
        ] {
            let err = config(&[(var, value)]).expect_err(var);
            assert_eq!(err.var, var, "case {var}={value}");
        }
    }

    #[test]
    fn secrets_do_not_print() {
        let config = config(&[("AAMU_SIGNING_SECRET", &"s".repeat(40))]).unwrap();
        assert!(!format!("{config:?}").contains("ssss"));
    }
}
