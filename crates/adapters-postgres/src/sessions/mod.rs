//! The session repository.

mod queries;
mod row;
#[cfg(test)]
mod tests;

use async_trait::async_trait;
use domain::error::RepoError;
use domain::ports::SessionRepository;
use domain::session::{EndReason, NewSession, Rotation, SecretDigest, Session, SessionId};
use domain::user::UserId;
use time::OffsetDateTime;

use crate::database::Database;

pub(crate) use queries::{
    end, end_all, end_if_reused, find_live, insert, list_live, purge, rotate,
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

/// Sessions on the pool: each call runs on its own connection and commits
/// on its own. For several calls as one unit, use
/// [`PgTransactor`](crate::PgTransactor).
#[derive(Debug, Clone)]
pub struct PgSessionRepository {
    database: Database,
}

impl PgSessionRepository {
    /// A repository on this database.
    pub fn new(database: Database) -> Self {
        Self { database }
    }
}

#[async_trait]
impl SessionRepository for PgSessionRepository {
    async fn insert(&self, session: &NewSession) -> Result<Session, RepoError> {
        insert(&mut self.database.lease("sessions.insert").await?, session).await
    }

    async fn rotate(&self, rotation: &Rotation) -> Result<Option<Session>, RepoError> {
        rotate(&mut self.database.lease("sessions.rotate").await?, rotation).await
    }

    async fn end_if_reused(
        &self,
        id: SessionId,
        presented: &SecretDigest,
        now: OffsetDateTime,
    ) -> Result<Option<UserId>, RepoError> {
        let mut lease = self.database.lease("sessions.end_if_reused").await?;
        end_if_reused(&mut lease, id, presented, now).await
    }

    async fn find_live(
        &self,
        id: SessionId,
        now: OffsetDateTime,
    ) -> Result<Option<Session>, RepoError> {
        find_live(
            &mut self.database.lease("sessions.find_live").await?,
            id,
            now,
        )
        .await
    }

    async fn list_live(
        &self,
        user: UserId,
        now: OffsetDateTime,
    ) -> Result<Vec<Session>, RepoError> {
        list_live(
            &mut self.database.lease("sessions.list_live").await?,
            user,
            now,
        )
        .await
    }

    async fn end(
        &self,
        user: UserId,
        id: SessionId,
        reason: EndReason,
        now: OffsetDateTime,
    ) -> Result<bool, RepoError> {
        let mut lease = self.database.lease("sessions.end").await?;
        end(&mut lease, user, id, reason, now).await
    }

    async fn end_all(
        &self,
        user: UserId,
        keep: Option<SessionId>,
        reason: EndReason,
        now: OffsetDateTime,
    ) -> Result<u64, RepoError> {
        let mut lease = self.database.lease("sessions.end_all").await?;
        end_all(&mut lease, user, keep, reason, now).await
    }

    async fn purge(&self, now: OffsetDateTime, batch: u32) -> Result<u64, RepoError> {
        purge(
            &mut self.database.lease("sessions.purge").await?,
            now,
            batch,
        )
        .await
    }
}
