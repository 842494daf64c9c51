//! Sessions: their SQL, and the read and unit-of-work ports on it.

mod queries;
mod row;
#[cfg(test)]
mod tests;

use async_trait::async_trait;
use domain::error::RepoError;
use domain::ports::{SessionReads, SessionRepository, SessionRotations};
use domain::session::{EndReason, NewSession, Rotation, SecretDigest, Session, SessionId};
use domain::user::{User, UserId};
use time::OffsetDateTime;

use crate::reads::PgReads;
use crate::transaction::PgUnitOfWork;
pub(crate) use queries::{
    end, end_all, end_if_reused, find_live, insert, list_live, purge, rotate,
    rotate_for_active_account,
};

/// The named CHECK constraints of `sessions`, with the column each guards.
pub(crate) const CHECK_CONSTRAINTS: [(&str, &str); 6] = [
    ("sessions_current_digests_bounded", "current_digests"),
    ("sessions_retired_digests_bounded", "retired_digests"),
    ("sessions_expiry_within_lifetime", "expires_at"),
    ("sessions_end_reason_known", "end_reason"),
    ("sessions_user_agent_length", "user_agent"),
    ("sessions_ended_with_reason", "end_reason"),
];

#[async_trait]
impl SessionReads for PgReads {
    async fn find_live(
        &self,
        id: SessionId,
        now: OffsetDateTime,
    ) -> Result<Option<Session>, RepoError> {
        find_live(&mut self.lease().await?, id, now).await
    }

    async fn list_live(
        &self,
        user: UserId,
        now: OffsetDateTime,
    ) -> Result<Vec<Session>, RepoError> {
        list_live(&mut self.lease().await?, user, now).await
    }
}

#[async_trait]
impl SessionRotations for PgReads {
    async fn rotate_for_active_account(
        &self,
        rotation: &Rotation,
    ) -> Result<Option<(Session, User)>, RepoError> {
        rotate_for_active_account(&mut self.lease().await?, rotation).await
    }
}

#[async_trait]
impl SessionRepository for PgUnitOfWork {
    async fn insert(&self, session: &NewSession) -> Result<Session, RepoError> {
        insert(&mut *self.lease().await?, session).await
    }

    async fn rotate(&self, rotation: &Rotation) -> Result<Option<Session>, RepoError> {
        rotate(&mut *self.lease().await?, rotation).await
    }

    async fn end_if_reused(
        &self,
        id: SessionId,
        presented: &SecretDigest,
        now: OffsetDateTime,
    ) -> Result<Option<UserId>, RepoError> {
        end_if_reused(&mut *self.lease().await?, id, presented, now).await
    }

    async fn end(
        &self,
        user: UserId,
        id: SessionId,
        reason: EndReason,
        now: OffsetDateTime,
    ) -> Result<bool, RepoError> {
        end(&mut *self.lease().await?, user, id, reason, now).await
    }

    async fn end_all(
        &self,
        user: UserId,
        keep: Option<SessionId>,
        reason: EndReason,
        now: OffsetDateTime,
    ) -> Result<u64, RepoError> {
        end_all(&mut *self.lease().await?, user, keep, reason, now).await
    }

    async fn purge(&self, now: OffsetDateTime, batch: u32) -> Result<u64, RepoError> {
        purge(&mut *self.lease().await?, now, batch).await
    }
}
