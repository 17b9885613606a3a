//! Idempotency records: the first response to a create is kept for 24 hours and
//! replayed for a retry with the same `Idempotency-Key`; the same key with another
//! request is refused, and so is a duplicate that arrives while the first still runs.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::domain::keys::team_pk;
use crate::domain::record::{object, to_item};
use crate::error::{Error, Result};
use crate::ports::{Clock, Cond, ItemStore, Key, StoreError, Table};

/// How long a response is kept for replay.
pub const KEEP_MS: i64 = 24 * 60 * 60 * 1000;
/// A request still "in progress" after this long is taken to have died.
const STALE_MS: i64 = 60 * 1000;

/// Where a request with an idempotency key stands.
#[derive(Debug)]
pub enum Begin {
    /// First time: run the request, then `finish` (or `abandon` on failure).
    Run(Claim),
    /// Seen before with the same request: answer this stored response.
    Replay { status: u16, body: Value },
}

/// The right to run a request once.
#[derive(Debug)]
pub struct Claim {
    key: Key,
}

/// Validates the header value: 1 to 255 visible ASCII characters.
pub fn validate(value: &str) -> Result<&str> {
    let ok = (1..=255).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_graphic());
    if !ok {
        return Err(Error::invalid(
            "Idempotency-Key",
            "must be 1 to 255 visible ASCII characters",
        ));
    }
    Ok(value)
}

/// The fingerprint of a request: its route and body.
pub fn fingerprint(route: &str, body: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(route.as_bytes());
    hasher.update([0]);
    hasher.update(body);
    hex::encode(hasher.finalize())
}

/// Claims `idempotency_key` for the caller's key, or tells how to answer instead.
pub async fn begin(
    store: &dyn ItemStore,
    clock: &dyn Clock,
    team_id: &str,
    api_key_id: &str,
    idempotency_key: &str,
    fingerprint: &str,
) -> Result<Begin> {
    let key = Key::new(
        team_pk(team_id),
        format!("IDEM#{api_key_id}#{idempotency_key}"),
    );
    let now = clock.now_ms();
    let record = json!({
        "state": "running",
        "fingerprint": fingerprint,
        "started": now,
        "expires_at_s": (now + KEEP_MS) / 1000,
    });
    let item = to_item(key.pk.clone(), key.sk.clone(), &record);
    match store
        .put(Table::Items, item.clone(), &[Cond::NotExists])
        .await
    {
        Ok(()) => return Ok(Begin::Run(Claim { key })),
        Err(StoreError::ConditionFailed) => {}
        Err(other) => return Err(other.into()),
    }

    let existing = store.get(Table::Items, &key).await?.unwrap_or_default();
    let expired = existing
        .get("expires_at_s")
        .and_then(Value::as_i64)
        .is_some_and(|s| s * 1000 <= now);
    let stale = existing.get("state") == Some(&json!("running"))
        && existing
            .get("started")
            .and_then(Value::as_i64)
            .is_some_and(|t| now - t > STALE_MS);
    if expired || stale || existing.is_empty() {
        // Take over a forgotten or dead claim, unless another request just did.
        let cond = match existing.get("started") {
            Some(started) => vec![Cond::Equals("started".into(), started.clone())],
            None => vec![Cond::NotExists],
        };
        store
            .put(Table::Items, item, &cond)
            .await
            .map_err(|_| Error::RequestInProgress)?;
        return Ok(Begin::Run(Claim { key }));
    }
    if existing.get("fingerprint") != Some(&json!(fingerprint)) {
        return Err(Error::IdempotencyKeyReused);
    }
    match existing.get("state").and_then(Value::as_str) {
        Some("done") => Ok(Begin::Replay {
            status: existing
                .get("status")
                .and_then(Value::as_u64)
                .unwrap_or(200) as u16,
            body: existing.get("body").cloned().unwrap_or(Value::Null),
        }),
        _ => Err(Error::RequestInProgress),
    }
}

/// Stores the response for replay.
pub async fn finish(store: &dyn ItemStore, claim: Claim, status: u16, body: &Value) -> Result<()> {
    let set = object(json!({ "state": "done", "status": status, "body": body }));
    store
        .update(Table::Items, &claim.key, set, &[Cond::Exists])
        .await?;
    Ok(())
}

/// Releases the claim after a failure, so a retry runs the request again.
pub async fn abandon(store: &dyn ItemStore, claim: Claim) {
    if let Err(err) = store.delete(Table::Items, &claim.key, &[]).await {
        tracing::warn!(error = %err, "releasing an idempotency claim failed");
    }
}
