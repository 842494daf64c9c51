//! Reading an account to change it: its row stays locked until the unit
//! ends, on a database of its own (the lock must be seen from another
//! connection).

use domain::ports::{TransactionOptions, Transactor};
use test_db::TestDatabase;

use super::*;
use crate::test_support::{committed, database, new_session};
use crate::transaction::PgTransactor;

/// Whether another session can lock the account's row at once.
async fn lockable_elsewhere(pool: &sqlx::PgPool, id: UserId) -> bool {
    let mut other = pool.begin().await.expect("begin");
    let locked = sqlx::query("SELECT 1 FROM users WHERE id = $1 FOR UPDATE NOWAIT")
        .bind(id.as_uuid())
        .execute(&mut *other)
        .await;
    other.rollback().await.expect("rollback");
    locked.is_ok()
}

#[test]
fn an_account_read_to_be_changed_stays_locked_until_its_unit_ends() {
    test_db::run(async {
        let test_database = TestDatabase::create().await;
        let pool = test_database.pool(3).await;
        let database = database(pool.clone());
        let new = new_user("Locked");
        committed(&database, async |unit| {
            unit.users().insert(&new).await.expect("inserted")
        })
        .await;
        let transactor = PgTransactor::new(database);

        for by_email in [false, true] {
            let unit = transactor
                .begin(TransactionOptions::READ_COMMITTED)
                .await
                .expect("begin");
            let found = if by_email {
                let upper = Email::parse(&new.email.as_str().to_uppercase()).expect("valid");
                unit.users().lock_by_email(&upper).await
            } else {
                unit.users().lock_by_id(new.id).await
            };

            assert_eq!(found.expect("query").map(|user| user.id), Some(new.id));
            assert!(
                !lockable_elsewhere(&pool, new.id).await,
                "by email: {by_email}"
            );
            unit.rollback().await.expect("rollback");
            assert!(
                lockable_elsewhere(&pool, new.id).await,
                "by email: {by_email}"
            );
        }
    });
}

#[test]
fn a_session_opens_without_waiting_while_its_account_is_locked_for_a_change() {
    test_db::run(async {
        let test_database = TestDatabase::create().await;
        let database = database(test_database.pool(2).await);
        let new = new_user("Signing.In");
        committed(&database, async |unit| {
            unit.users().insert(&new).await.expect("inserted")
        })
        .await;
        let unit = PgTransactor::new(database.clone())
            .begin(TransactionOptions::READ_COMMITTED)
            .await
            .expect("begin");
        unit.users()
            .lock_by_id(new.id)
            .await
            .expect("query")
            .expect("found");

        // A sign-in's session insert, which checks its foreign key to the
        // account, must not queue behind the lock.
        let mut sign_in = database.lease().await.expect("a connection");
        sqlx::raw_sql("BEGIN; SET LOCAL lock_timeout = '100ms'")
            .execute(&mut *sign_in)
            .await
            .expect("begin");
        let session = new_session(new.id);
        let opened = crate::sessions::insert(&mut sign_in, &session).await;
        sqlx::raw_sql("ROLLBACK")
            .execute(&mut *sign_in)
            .await
            .expect("rollback");
        unit.rollback().await.expect("rollback");

        assert_eq!(opened.expect("opened at once").id, session.id);
    });
}

#[test]
fn locking_an_unknown_account_finds_nothing() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;

        let by_id = lock_by_id(&mut lease, UserId::generate())
            .await
            .expect("query");
        let by_email = lock_by_email(&mut lease, &new_user("nobody").email)
            .await
            .expect("query");

        assert_eq!((by_id, by_email), (None, None));
    });
}
