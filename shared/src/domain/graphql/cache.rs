//! The schema cache: one built schema per database, kept while its schema version
//! stays the same. A process keeps it across requests (and a Lambda function across
//! warm invocations), so a schema is built once per change, not once per request.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use async_graphql::dynamic::{Schema, SchemaError};

use crate::domain::databases::Database;

/// How many databases' schemas a process keeps; past this the cache starts over.
const MAX_ENTRIES: usize = 512;

/// Built schemas keyed by database id, each with the schema version it was built for.
#[derive(Default)]
pub struct SchemaCache {
    entries: Mutex<HashMap<String, (u64, Schema)>>,
    builds: AtomicUsize,
}

impl SchemaCache {
    /// The cache of this process.
    pub fn global() -> &'static SchemaCache {
        static CACHE: OnceLock<SchemaCache> = OnceLock::new();
        CACHE.get_or_init(SchemaCache::default)
    }

    /// The schema of the database at its current version, built when missing.
    pub fn schema(&self, db: &Database) -> Result<Schema, SchemaError> {
        if let Some(schema) = self.cached(&db.id, db.version) {
            return Ok(schema);
        }
        let schema = super::schema::build(db)?;
        self.builds.fetch_add(1, Ordering::Relaxed);
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        let newer = entries
            .get(&db.id)
            .is_some_and(|(version, _)| *version > db.version);
        if !newer {
            entries.insert(db.id.clone(), (db.version, schema.clone()));
        }
        Ok(schema)
    }

    fn cached(&self, db_id: &str, version: u64) -> Option<Schema> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(db_id)
            .filter(|(v, _)| *v == version)
            .map(|(_, schema)| schema.clone())
    }

    /// How many schemas this cache has built.
    pub fn builds(&self) -> usize {
        self.builds.load(Ordering::Relaxed)
    }
}
