//! The audit log's hash chain.
//!
//! Every write appends an [`AuditEntry`]: who, when, what, and the record before and
//! after. Each entry's hash covers its own fields and the previous entry's hash, so
//! altering, inserting or deleting any row breaks the chain from that row on, and
//! [`verify_chain`] names the first entry that no longer fits.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash the first entry chains from.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    /// RFC 3339.
    pub at: String,
    pub actor: String,
    /// What was done, e.g. `household.register`, `person.move`.
    pub action: String,
    /// The kind of record, e.g. `household`, `person`, `site`.
    pub entity: String,
    pub entity_id: String,
    /// JSON of the record before the change (`null` when created).
    pub before: String,
    /// JSON of the record after the change (`null` when removed).
    pub after: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Computes an entry's hash from its fields and the previous hash. Fields are
/// length-prefixed so that no two different entries serialise alike.
#[allow(clippy::too_many_arguments)]
pub fn entry_hash(
    prev_hash: &str,
    seq: i64,
    at: &str,
    actor: &str,
    action: &str,
    entity: &str,
    entity_id: &str,
    before: &str,
    after: &str,
) -> String {
    let mut h = Sha256::new();
    let seq = seq.to_string();
    for field in [
        prev_hash, &seq, at, actor, action, entity, entity_id, before, after,
    ] {
        h.update((field.len() as u64).to_le_bytes());
        h.update(field.as_bytes());
    }
    hex::encode(h.finalize())
}

impl AuditEntry {
    /// Builds the entry that follows `prev_hash`, computing its hash.
    #[allow(clippy::too_many_arguments)]
    pub fn chained(
        prev_hash: &str,
        seq: i64,
        at: &str,
        actor: &str,
        action: &str,
        entity: &str,
        entity_id: &str,
        before: String,
        after: String,
    ) -> Self {
        let hash = entry_hash(
            prev_hash, seq, at, actor, action, entity, entity_id, &before, &after,
        );
        AuditEntry {
            seq,
            at: at.into(),
            actor: actor.into(),
            action: action.into(),
            entity: entity.into(),
            entity_id: entity_id.into(),
            before,
            after,
            prev_hash: prev_hash.into(),
            hash,
        }
    }

    pub fn computed_hash(&self) -> String {
        entry_hash(
            &self.prev_hash,
            self.seq,
            &self.at,
            &self.actor,
            &self.action,
            &self.entity,
            &self.entity_id,
            &self.before,
            &self.after,
        )
    }
}

/// Why the chain broke, at which entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("audit entry {seq}: its contents do not match its hash (altered)")]
    Altered { seq: i64 },
    #[error(
        "audit entry {seq}: it does not chain from the entry before it (inserted, deleted or reordered)"
    )]
    Unlinked { seq: i64 },
    #[error("audit entry {seq}: sequence gap after entry {prev} (deleted)")]
    Gap { seq: i64, prev: i64 },
}

/// Streaming verifier: feed entries in sequence order.
#[derive(Debug)]
pub struct ChainVerifier {
    prev_hash: String,
    prev_seq: i64,
    pub verified: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            prev_hash: GENESIS_HASH.to_string(),
            prev_seq: 0,
            verified: 0,
        }
    }
}

impl ChainVerifier {
    pub fn push(&mut self, e: &AuditEntry) -> Result<(), ChainBreak> {
        if e.seq != self.prev_seq + 1 {
            return Err(ChainBreak::Gap {
                seq: e.seq,
                prev: self.prev_seq,
            });
        }
        if e.prev_hash != self.prev_hash {
            return Err(ChainBreak::Unlinked { seq: e.seq });
        }
        if e.computed_hash() != e.hash {
            return Err(ChainBreak::Altered { seq: e.seq });
        }
        self.prev_hash.clone_from(&e.hash);
        self.prev_seq = e.seq;
        self.verified += 1;
        Ok(())
    }
}

/// Verifies a whole chain held in memory.
pub fn verify_chain<'a>(
    entries: impl IntoIterator<Item = &'a AuditEntry>,
) -> Result<u64, ChainBreak> {
    let mut v = ChainVerifier::default();
    for e in entries {
        v.push(e)?;
    }
    Ok(v.verified)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|seq| {
                let e = AuditEntry::chained(
                    &prev,
                    seq,
                    "2026-11-29T00:00:00Z",
                    "tester",
                    "household.register",
                    "household",
                    &format!("H-{seq}"),
                    "null".into(),
                    format!("{{\"n\":{seq}}}"),
                );
                prev.clone_from(&e.hash);
                e
            })
            .collect()
    }

    #[test]
    fn intact_chain_verifies() {
        assert_eq!(verify_chain(&chain(5)), Ok(5));
    }

    #[test]
    fn tampering_names_the_entry() {
        let mut c = chain(5);
        c[2].after = "{\"n\":99}".into();
        assert_eq!(verify_chain(&c), Err(ChainBreak::Altered { seq: 3 }));
        let mut c = chain(5);
        c.remove(1);
        assert_eq!(verify_chain(&c), Err(ChainBreak::Gap { seq: 3, prev: 1 }));
        let mut c = chain(5);
        // Rewriting an entry and its hash still breaks the link to the next one.
        c[1].actor = "intruder".into();
        c[1].hash = c[1].computed_hash();
        assert_eq!(verify_chain(&c), Err(ChainBreak::Unlinked { seq: 3 }));
    }
}
