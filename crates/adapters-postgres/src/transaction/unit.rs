//! Units of work over a shared session: the outermost one owns the
//! transaction, each nested one a savepoint. Each resource module
//! implements its repository port on [`PgUnitOfWork`], over [`lease`].
//!
//! [`lease`]: PgUnitOfWork::lease

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use async_trait::async_trait;
use domain::error::RepoError;
use domain::ports::{
    AuditLog, DeviceRepository, SessionRepository, ThrottleRepository, UnitOfWork, UserRepository,
};
use tokio::sync::{MappedMutexGuard, Mutex, MutexGuard};

use super::session::{Session, connection_gone};
use crate::lease::Lease;

pub(crate) struct PgUnitOfWork {
    shared: Arc<Shared>,
    /// 1 for the transaction, more for savepoints.
    level: u32,
    ended: AtomicBool,
}

struct Shared {
    // Calls within one unit of work are sequential, so the lock is never
    // contended; it exists because the ports take `&self`.
    session: Mutex<Session>,
    /// The outermost level whose unit was dropped without ending (0 for
    /// none): the levels around it can then only roll back.
    abandoned_at: AtomicU32,
}

impl PgUnitOfWork {
    pub(super) fn outermost(session: Session) -> Self {
        Self {
            shared: Arc::new(Shared {
                session: Mutex::new(session),
                abandoned_at: AtomicU32::new(0),
            }),
            level: 1,
            ended: AtomicBool::new(false),
        }
    }

    /// The unit's connection, if this unit may run statements on it now.
    pub(crate) async fn lease(&self) -> Result<MappedMutexGuard<'_, Lease>, RepoError> {
        let session = self.usable().await?;
        MutexGuard::try_map(session, Session::lease_mut).map_err(|_| connection_gone())
    }

    /// The session, if this unit may run statements on it now.
    async fn usable(&self) -> Result<MutexGuard<'_, Session>, RepoError> {
        let session = self.shared.session.lock().await;
        let refusal = if self.shared.abandoned_at.load(Ordering::SeqCst) != 0 {
            Some("a unit of work nested in this one was abandoned; this one can only roll back")
        } else if session.depth() > self.level {
            Some("a unit of work nested in this one is still open")
        } else if session.depth() < self.level {
            Some("this unit of work has ended")
        } else if session.has_failed() {
            Some("a statement of this unit of work failed; it can only roll back")
        } else {
            None
        };
        match refusal {
            Some(reason) => Err(RepoError::Internal(reason.into())),
            None => Ok(session),
        }
    }
}

#[async_trait]
impl UnitOfWork for PgUnitOfWork {
    fn users(&self) -> &dyn UserRepository {
        self
    }

    fn sessions(&self) -> &dyn SessionRepository {
        self
    }

    fn devices(&self) -> &dyn DeviceRepository {
        self
    }

    fn throttles(&self) -> &dyn ThrottleRepository {
        self
    }

    fn audit(&self) -> &dyn AuditLog {
        self
    }

    async fn nest(&self) -> Result<Box<dyn UnitOfWork>, RepoError> {
        let level = self.usable().await?.nest().await?;
        Ok(Box::new(Self {
            shared: Arc::clone(&self.shared),
            level,
            ended: AtomicBool::new(false),
        }))
    }

    async fn commit(self: Box<Self>) -> Result<(), RepoError> {
        self.usable().await?.commit(self.level).await?;
        self.ended.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn rollback(self: Box<Self>) -> Result<(), RepoError> {
        let mut session = self.shared.session.lock().await;
        if session.depth() < self.level {
            return Err(RepoError::Internal("this unit of work has ended".into()));
        }
        session.roll_back(self.level).await?;
        // Every level from this one inwards is gone, abandoned ones too.
        let _ = self.shared.abandoned_at.fetch_update(
            Ordering::SeqCst,
            Ordering::SeqCst,
            |abandoned| (abandoned >= self.level).then_some(0),
        );
        self.ended.store(true, Ordering::SeqCst);
        Ok(())
    }
}

impl Drop for PgUnitOfWork {
    fn drop(&mut self) {
        // The outermost unit needs nothing here: its session rolls back
        // when the last unit sharing it is gone.
        if self.level > 1 && !self.ended.load(Ordering::SeqCst) {
            let level = self.level;
            let _ = self.shared.abandoned_at.fetch_update(
                Ordering::SeqCst,
                Ordering::SeqCst,
                |abandoned| {
                    Some(if abandoned == 0 {
                        level
                    } else {
                        abandoned.min(level)
                    })
                },
            );
        }
    }
}

#[cfg(test)]
impl PgUnitOfWork {
    /// A run-time setting as this unit's session sees it.
    pub(super) async fn setting(&self, name: &str) -> String {
        let mut lease = self.lease().await.expect("usable");
        sqlx::query_scalar("SELECT current_setting($1)")
            .bind(name)
            .fetch_one(lease.statements())
            .await
            .expect("setting")
    }
}
