//! Access tokens whose signature and claims have been checked, by the
//! SHA-256 digest of their text.
//!
//! A client presents the same token on every request until it expires,
//! and checking its Ed25519 signature costs more than the rest of a cheap
//! request. Only what the signature proves is kept: the times are checked
//! against the clock on every use, and the caller still checks the
//! session, so that no entry lets an ended session's token through.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use domain::auth::AccessClaims;
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;

/// The SHA-256 digest of a token's text.
pub(super) type TokenDigest = [u8; 32];

/// At most `capacity` tokens, each until it expires.
pub(super) struct VerifiedTokens {
    entries: Mutex<HashMap<TokenDigest, AccessClaims>>,
    capacity: usize,
}

impl VerifiedTokens {
    pub(super) fn new(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    pub(super) fn digest(token: &str) -> TokenDigest {
        Sha256::digest(token.as_bytes()).into()
    }

    /// What the token with this digest was verified to say, if it was.
    pub(super) fn get(&self, digest: &TokenDigest) -> Option<AccessClaims> {
        self.lock().get(digest).cloned()
    }

    /// Keeps a verified token. When the cache is full, the expired entries
    /// leave; when that is not enough, all of them do: a burst of new
    /// tokens costs one more signature check each, never unbounded memory.
    pub(super) fn insert(&self, digest: TokenDigest, claims: AccessClaims, now: OffsetDateTime) {
        let mut entries = self.lock();
        if entries.len() >= self.capacity {
            entries.retain(|_, kept| kept.expires_at > now);
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(digest, claims);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<TokenDigest, AccessClaims>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use domain::session::SessionId;
    use domain::user::{Role, UserId};
    use time::Duration;
    use uuid::Uuid;

    use super::*;

    const NOW: OffsetDateTime = time::macros::datetime!(2026-12-01 12:00 UTC);

    fn claims(expires_in: Duration) -> AccessClaims {
        AccessClaims {
            user_id: UserId::from(Uuid::now_v7()),
            session_id: SessionId::from(Uuid::now_v7()),
            role: Role::User,
            issued_at: NOW,
            expires_at: NOW + expires_in,
        }
    }

    #[test]
    fn a_token_is_found_by_its_digest_only() {
        let cache = VerifiedTokens::new(4);
        let kept = claims(Duration::minutes(15));
        cache.insert(VerifiedTokens::digest("a.b.c"), kept.clone(), NOW);

        assert_eq!(cache.get(&VerifiedTokens::digest("a.b.c")), Some(kept));
        assert_eq!(cache.get(&VerifiedTokens::digest("a.b.d")), None);
    }

    #[test]
    fn a_full_cache_drops_expired_tokens_first_then_everything() {
        let cache = VerifiedTokens::new(2);
        cache.insert(
            VerifiedTokens::digest("expired"),
            claims(Duration::minutes(-1)),
            NOW,
        );
        cache.insert(
            VerifiedTokens::digest("live"),
            claims(Duration::minutes(15)),
            NOW,
        );
        cache.insert(
            VerifiedTokens::digest("new"),
            claims(Duration::minutes(15)),
            NOW,
        );

        assert!(cache.get(&VerifiedTokens::digest("expired")).is_none());
        assert!(cache.get(&VerifiedTokens::digest("live")).is_some());
        assert!(cache.get(&VerifiedTokens::digest("new")).is_some());

        cache.insert(
            VerifiedTokens::digest("newer"),
            claims(Duration::minutes(15)),
            NOW,
        );
        assert!(cache.get(&VerifiedTokens::digest("live")).is_none());
        assert!(cache.get(&VerifiedTokens::digest("newer")).is_some());
    }
}
