//! API keys: `aamu_<key id>_<secret>`. The key id starts with the team id, so a lookup
//! goes straight to the team's partition; the secret has 190 random bits, and only a
//! salted SHA-256 of it is stored and compared in constant time.

use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::auth::scopes::{Permission, Scope};
use crate::domain::keys::team_pk;
use crate::domain::record::{from_item, object, to_item};
use crate::error::{Error, Result};
use crate::ids::{self, ID_LEN};
use crate::ports::{Clock, Cond, ItemStore, Key, Query, SkRange, Table};

const PREFIX: &str = "aamu_";
const SECRET_LEN: usize = 32;
const SECRET_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/// `last_used_at` is written at most this often per key.
const LAST_USED_EVERY_MS: i64 = 60_000;

/// A stored API key. `salt` and `hash` never leave this module's callers' storage
/// path: responses use `ApiKey::public_view`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKey {
    pub id: String,
    pub team_id: String,
    pub name: String,
    pub scopes: Vec<Scope>,
    pub created: i64,
    pub created_by: Option<String>,
    pub last_used_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    salt: String,
    hash: String,
}

fn key_item_key(team_id: &str, key_id: &str) -> Key {
    Key::new(team_pk(team_id), format!("K#{key_id}"))
}

fn digest(salt: &str, secret: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(salt.as_bytes());
    hasher.update(secret.as_bytes());
    hex::encode(hasher.finalize())
}

fn random_secret() -> String {
    let mut bytes = [0u8; SECRET_LEN];
    rand::rng().fill_bytes(&mut bytes);
    // 256 = 4 * 62 + 8: the few values past 248 are re-drawn so every character is
    // equally likely (log2(62) * 32 = 190 bits).
    let mut out = String::with_capacity(SECRET_LEN);
    for mut b in bytes {
        while b >= 248 {
            let mut one = [0u8; 1];
            rand::rng().fill_bytes(&mut one);
            b = one[0];
        }
        out.push(SECRET_ALPHABET[(b % 62) as usize] as char);
    }
    out
}

impl ApiKey {
    /// The union of the permissions of every scope.
    pub fn permissions(&self) -> Vec<Permission> {
        let mut all: Vec<Permission> = self
            .scopes
            .iter()
            .flat_map(|s| s.permissions.clone())
            .collect();
        all.sort();
        all.dedup();
        all
    }

    /// What `GET /api/v1/key` answers: safe metadata only.
    pub fn public_view(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "permissions": self.permissions(),
            "scopes": self.scopes,
            "created": self.created,
            "created_by": self.created_by,
            "last_used_at": self.last_used_at,
            "expires_at": self.expires_at,
        })
    }

    /// What an administrator's key listing shows: the public view plus revocation and,
    /// per scope, the endpoints it opens and the headers they need.
    pub fn admin_view(&self) -> Value {
        let mut view = self.public_view();
        view["revoked_at"] = json!(self.revoked_at);
        view["scopes"] = self
            .scopes
            .iter()
            .map(|scope| {
                let endpoints: Vec<&str> = scope
                    .feature
                    .endpoints()
                    .iter()
                    .filter(|(p, _)| scope.allows(*p))
                    .map(|(_, e)| *e)
                    .collect();
                json!({
                    "feature": scope.feature,
                    "resource_id": scope.resource_id,
                    "permissions": scope.permissions,
                    "endpoints": endpoints,
                    "headers": scope.feature.headers(),
                })
            })
            .collect();
        view
    }
}

/// A new key's parameters.
pub struct NewKey<'a> {
    pub team_id: &'a str,
    pub name: &'a str,
    pub scopes: Vec<Scope>,
    pub expires_in_days: Option<u32>,
    pub created_by: Option<String>,
}

/// Creates a key; answers it with the full secret token, which is never shown again.
pub async fn create(
    store: &dyn ItemStore,
    clock: &dyn Clock,
    new: NewKey<'_>,
) -> Result<(ApiKey, String)> {
    let name = new.name.trim();
    if name.is_empty() || name.len() > 200 {
        return Err(Error::invalid("name", "must be 1 to 200 characters"));
    }
    if new.scopes.is_empty() {
        return Err(Error::invalid("scope", "a key needs at least one scope"));
    }
    if new.expires_in_days == Some(0) {
        return Err(Error::invalid("expires_in_days", "must be at least 1"));
    }
    let now = clock.now_ms();
    let key_id = format!("{}{}", new.team_id, ids::random_token(10));
    let secret = random_secret();
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = hex::encode(salt);
    let key = ApiKey {
        id: key_id.clone(),
        team_id: new.team_id.into(),
        name: name.into(),
        scopes: new.scopes,
        created: now,
        created_by: new.created_by,
        last_used_at: None,
        expires_at: new.expires_in_days.map(|d| now + i64::from(d) * 86_400_000),
        revoked_at: None,
        hash: digest(&salt, &secret),
        salt,
    };
    let k = key_item_key(new.team_id, &key_id);
    store
        .put(Table::Items, to_item(k.pk, k.sk, &key), &[Cond::NotExists])
        .await?;
    Ok((key, format!("{PREFIX}{key_id}_{secret}")))
}

/// Splits a token into its key id and secret, if it has the right shape.
fn parse_token(token: &str) -> Option<(&str, &str)> {
    let rest = token.strip_prefix(PREFIX)?;
    let (key_id, secret) = rest.split_once('_')?;
    let shaped = key_id.len() == ID_LEN + 10
        && key_id.bytes().all(|b| b.is_ascii_alphanumeric())
        && secret.len() == SECRET_LEN
        && secret.bytes().all(|b| b.is_ascii_alphanumeric());
    shaped.then_some((key_id, secret))
}

/// Verifies a presented token: known, matching, not revoked, not expired. Records use
/// at most once a minute.
#[tracing::instrument(skip_all)]
pub async fn verify(store: &dyn ItemStore, clock: &dyn Clock, token: &str) -> Result<ApiKey> {
    let (key_id, secret) = parse_token(token.trim()).ok_or(Error::InvalidApiKey)?;
    let team_id = &key_id[..ID_LEN];
    let item = store
        .get(Table::Items, &key_item_key(team_id, key_id))
        .await?;
    let Some(item) = item else {
        tracing::warn!(key_id, "unknown API key");
        return Err(Error::InvalidApiKey);
    };
    let mut key: ApiKey = from_item(item)?;
    let presented = digest(&key.salt, secret);
    if !bool::from(presented.as_bytes().ct_eq(key.hash.as_bytes())) {
        tracing::warn!(key_id, "API key secret mismatch");
        return Err(Error::InvalidApiKey);
    }
    let now = clock.now_ms();
    if key.revoked_at.is_some() || key.expires_at.is_some_and(|at| at <= now) {
        tracing::warn!(key_id, "revoked or expired API key used");
        return Err(Error::InvalidApiKey);
    }
    if key
        .last_used_at
        .is_none_or(|at| now - at >= LAST_USED_EVERY_MS)
    {
        record_use(store, &key, now).await;
        key.last_used_at = Some(now);
    }
    Ok(key)
}

/// Writes `last_used_at` when no other request wrote it since this one read the key.
async fn record_use(store: &dyn ItemStore, key: &ApiKey, now: i64) {
    let cond = match key.last_used_at {
        Some(at) => Cond::Equals("last_used_at".into(), json!(at)),
        None => Cond::Missing("last_used_at".into()),
    };
    let set = object(json!({ "last_used_at": now }));
    let result = store
        .update(
            Table::Items,
            &key_item_key(&key.team_id, &key.id),
            set,
            &[Cond::Exists, cond],
        )
        .await;
    if let Err(err) = result {
        // Another request recorded the use first, or the store hiccuped: the request
        // itself must not fail for a usage timestamp.
        tracing::debug!(key_id = %key.id, error = %err, "last_used_at not written");
    }
}

/// The team's keys, newest first.
pub async fn list(store: &dyn ItemStore, team_id: &str) -> Result<Vec<ApiKey>> {
    let mut keys = Vec::new();
    let mut start = None;
    loop {
        let query = Query::partition(Table::Items, team_pk(team_id))
            .range(SkRange::BeginsWith("K#".into()))
            .limit(1000)
            .start_after(start);
        let page = store.query(&query).await?;
        for item in page.items {
            keys.push(from_item::<ApiKey>(item)?);
        }
        match page.next {
            Some(next) => start = Some(next),
            None => break,
        }
    }
    keys.sort_by_key(|b| std::cmp::Reverse(b.created));
    Ok(keys)
}

/// Revokes a key by id; revoking twice is harmless.
pub async fn revoke(store: &dyn ItemStore, clock: &dyn Clock, key_id: &str) -> Result<ApiKey> {
    if key_id.len() != ID_LEN + 10 || !key_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(Error::invalid("key_id", "is not an API key id"));
    }
    let key = key_item_key(&key_id[..ID_LEN], key_id);
    let set = object(json!({ "revoked_at": clock.now_ms() }));
    match store
        .update(
            Table::Items,
            &key,
            set,
            &[Cond::Exists, Cond::Missing("revoked_at".into())],
        )
        .await
    {
        Ok(item) => from_item(item),
        Err(crate::ports::StoreError::ConditionFailed) => {
            let item = store
                .get(Table::Items, &key)
                .await?
                .ok_or(Error::NotFound("API key"))?;
            from_item(item)
        }
        Err(other) => Err(other.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_have_the_documented_shape() {
        let secret = random_secret();
        assert_eq!(secret.len(), SECRET_LEN);
        let key_id = format!("{}{}", ids::new_id(1), ids::random_token(10));
        let token = format!("aamu_{key_id}_{secret}");
        assert_eq!(
            parse_token(&token),
            Some((key_id.as_str(), secret.as_str()))
        );
        assert_eq!(parse_token("aamu_short_x"), None);
        assert_eq!(parse_token(&token.replace("aamu_", "xamu_")), None);
    }

    #[test]
    fn the_digest_depends_on_the_salt() {
        assert_ne!(digest("a", "secret"), digest("b", "secret"));
        assert_eq!(digest("a", "secret"), digest("a", "secret"));
    }
}
