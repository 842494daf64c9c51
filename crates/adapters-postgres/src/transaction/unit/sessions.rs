//! The session repository inside a unit of work.

use async_trait::async_trait;
use domain::error::RepoError;
use domain::ports::SessionRepository;
use domain::session::{EndReason, NewSession, Rotation, SecretDigest, Session, SessionId};
use domain::user::UserId;
use time::OffsetDateTime;

use super::PgUnitOfWork;
use crate::sessions;

#[async_trait]
impl SessionRepository for PgUnitOfWork {
    async fn insert(&self, new: &NewSession) -> Result<Session, RepoError> {
        let mut session = self.usable().await?;
        let outcome = sessions::insert(session.lease()?, new).await;
        session.track(outcome)
    }

    async fn rotate(&self, rotation: &Rotation) -> Result<Option<Session>, RepoError> {
        let mut session = self.usable().await?;
        let outcome = sessions::rotate(session.lease()?, rotation).await;
        session.track(outcome)
    }

    async fn end_if_reused(
        &self,
        id: SessionId,
        presented: &SecretDigest,
        now: OffsetDateTime,
    ) -> Result<Option<UserId>, RepoError> {
        let mut session = self.usable().await?;
        let outcome = sessions::end_if_reused(session.lease()?, id, presented, now).await;
        session.track(outcome)
    }

    async fn find_live(
        &self,
        id: SessionId,
        now: OffsetDateTime,
    ) -> Result<Option<Session>, RepoError> {
        let mut session = self.usable().await?;
        let outcome = sessions::find_live(session.lease()?, id, now).await;
        session.track(outcome)
    }

    async fn list_live(
        &self,
        user: UserId,
        now: OffsetDateTime,
    ) -> Result<Vec<Session>, RepoError> {
        let mut session = self.usable().await?;
        let outcome = sessions::list_live(session.lease()?, user, now).await;
        session.track(outcome)
    }

    async fn end(
        &self,
        user: UserId,
        id: SessionId,
        reason: EndReason,
        now: OffsetDateTime,
    ) -> Result<bool, RepoError> {
        let mut session = self.usable().await?;
        let outcome = sessions::end(session.lease()?, user, id, reason, now).await;
        session.track(outcome)
    }

    async fn end_all(
        &self,
        user: UserId,
        keep: Option<SessionId>,
        reason: EndReason,
        now: OffsetDateTime,
    ) -> Result<u64, RepoError> {
        let mut session = self.usable().await?;
        let outcome = sessions::end_all(session.lease()?, user, keep, reason, now).await;
        session.track(outcome)
    }

    async fn purge(&self, now: OffsetDateTime, batch: u32) -> Result<u64, RepoError> {
        let mut session = self.usable().await?;
        let outcome = sessions::purge(session.lease()?, now, batch).await;
        session.track(outcome)
    }
}
