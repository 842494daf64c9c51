//! Two administrators demoting each other at once, on a database of its
//! own: locking the active administrators makes the second unit wait for
//! the first, and then see that only one is left.

use domain::ports::{TransactionOptions, Transactor, UnitOfWork};
use domain::user::UserChanges;
use test_db::{TestDatabase, until_a_session_waits_for_a_lock};
use time::OffsetDateTime;

use super::*;
use crate::test_support::{committed, database};
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

#[test]
fn of_two_units_demoting_different_admins_the_second_waits_and_keeps_the_last_one() {
    test_db::run(async {
        let test_database = TestDatabase::create().await;
        let pool = test_database.pool(4).await;
        let database = database(pool.clone());
        let transactor = PgTransactor::new(database.clone());
        let mut admins = Vec::new();
        for local_part in ["first", "second"] {
            let promotion = UserChanges {
                role: Some(Role::Admin),
                ..UserChanges::default()
            };
            let admin = committed(&database, async |unit| {
                let user = unit
                    .users()
                    .insert(&new_user(local_part))
                    .await
                    .expect("account");
                unit.users()
                    .update(user.id, &promotion, None, OffsetDateTime::now_utc())
                    .await
                    .expect("promoted")
            })
            .await;
            admins.push(admin.id);
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
        until_a_session_waits_for_a_lock(&pool).await;
        assert!(!second.is_finished());
        demote(first.as_ref(), admins[0]).await;
        first.commit().await.expect("commit");
        let seen_by_second = second.await.expect("the second unit");

        assert_eq!(seen_by_second, [admins[1]]);
        let left = committed(&database, async |unit| {
            unit.users().lock_active_admins().await.expect("admins")
        })
        .await;
        assert_eq!(left, [admins[1]]);
    });
}
