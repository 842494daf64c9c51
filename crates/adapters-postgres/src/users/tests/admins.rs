//! Two administrators demoting each other at once, on a database of its
//! own: locking the active administrators makes the second unit wait for
//! the first, and then see that only one is left.

use std::time::Duration;

use domain::ports::{TransactionOptions, Transactor, UnitOfWork};
use domain::user::UserChanges;
use sqlx::PgPool;
use test_db::TestDatabase;
use time::OffsetDateTime;

use super::*;
use crate::test_support::database;
use crate::transaction::PgTransactor;

fn demotion() -> UserChanges {
    UserChanges {
        role: Some(Role::User),
        ..UserChanges::default()
    }
}

async fn demote(unit: &dyn UnitOfWork, admin: UserId) {
    unit.users()
        .update(admin, &demotion(), None, OffsetDateTime::now_utc())
        .await
        .expect("demoted");
}

/// Waits until a session of this database waits for a row lock in the
/// statement that locks the administrators.
async fn until_a_unit_waits_for_the_admins(pool: &PgPool) {
    let waiting = async {
        loop {
            let waiting: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM pg_stat_activity
                  WHERE datname = current_database()
                    AND pid <> pg_backend_pid()
                    AND wait_event_type = 'Lock'
                    AND query LIKE '%FOR UPDATE%'",
            )
            .fetch_one(pool)
            .await
            .expect("activity");
            if waiting > 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(10), waiting)
        .await
        .expect("the second unit waits for the first one's locks");
}

#[test]
fn of_two_units_demoting_different_admins_the_second_waits_and_keeps_the_last_one() {
    test_db::run(async {
        let test_database = TestDatabase::create().await;
        let pool = test_database.pool(4).await;
        let database = database(pool.clone());
        let repository = PgUserRepository::new(database.clone());
        let transactor = PgTransactor::new(database);
        let mut admins = Vec::new();
        for local_part in ["first", "second"] {
            let user = repository
                .insert(&new_user(local_part))
                .await
                .expect("account");
            let promotion = UserChanges {
                role: Some(Role::Admin),
                ..UserChanges::default()
            };
            let now = OffsetDateTime::now_utc();
            repository
                .update(user.id, &promotion, None, now)
                .await
                .expect("promoted");
            admins.push(user.id);
        }
        admins.sort();

        let first = transactor
            .begin(TransactionOptions::READ_COMMITTED)
            .await
            .expect("begin");
        let seen_by_first = first.users().lock_active_admins().await.expect("locked");
        assert_eq!(seen_by_first, admins);
        // Started only once the first unit holds the locks.
        let second = tokio::spawn({
            let transactor = transactor.clone();
            async move {
                let unit = transactor
                    .begin(TransactionOptions::READ_COMMITTED)
                    .await
                    .expect("begin");
                let seen = unit.users().lock_active_admins().await.expect("locked");
                // An administrator other than the first unit's, unless it is the last.
                if let [_, .., last] = seen[..] {
                    demote(unit.as_ref(), last).await;
                }
                unit.commit().await.expect("commit");
                seen
            }
        });
        until_a_unit_waits_for_the_admins(&pool).await;
        assert!(!second.is_finished());
        demote(first.as_ref(), admins[0]).await;
        first.commit().await.expect("commit");
        let seen_by_second = second.await.expect("the second unit");

        assert_eq!(seen_by_second, [admins[1]]);
        let left = repository.lock_active_admins().await.expect("admins");
        assert_eq!(left, [admins[1]]);
    });
}
