//! Units of work on a real PostgreSQL: savepoints, options, misuse, and a
//! connection that goes back clean however a unit ends.

mod cancellation;
mod pooler;
mod repositories;

use domain::error::{Conflict, RepoError};
use domain::ports::{TransactionOptions, Transactor, UnitOfWork, UserReads};
use sqlx::PgPool;
use test_db::TestDatabase;

use super::*;
use crate::reads::PgReads;
use crate::test_support::{database, new_user};

async fn transactor_on(test_database: &TestDatabase) -> (PgTransactor, PgPool) {
    let pool = test_database.pool(4).await;
    (PgTransactor::new(database(pool.clone())), pool)
}

async fn exists(pool: &PgPool, user: &domain::user::NewUser) -> bool {
    PgReads::new(database(pool.clone()))
        .find_by_id(user.id)
        .await
        .expect("query")
        .is_some()
}

#[test]
fn a_handled_failure_in_a_nested_unit_rolls_back_that_unit_only() {
    test_db::run(async {
        let test_database = TestDatabase::create().await;
        let (transactor, pool) = transactor_on(&test_database).await;
        let before = new_user("before");
        let inner_ok = new_user("inner");
        let mut same_email = new_user("same");
        same_email.email = before.email.clone();
        let after = new_user("after");

        let unit = transactor
            .begin(TransactionOptions::default())
            .await
            .expect("begin");
        unit.users().insert(&before).await.expect("outer insert");
        let nested = unit.nest().await.expect("savepoint");
        nested
            .users()
            .insert(&inner_ok)
            .await
            .expect("inner insert");
        let error = nested
            .users()
            .insert(&same_email)
            .await
            .expect_err("duplicate");
        assert!(matches!(error, RepoError::Conflict(Conflict::EmailTaken)));
        nested
            .rollback()
            .await
            .expect("rolled back to the savepoint");
        unit.users().insert(&after).await.expect("outer goes on");
        unit.commit().await.expect("commit");

        assert!(exists(&pool, &before).await);
        assert!(exists(&pool, &after).await);
        assert!(!exists(&pool, &inner_ok).await, "the nested work is undone");
    });
}

#[test]
fn a_committed_nested_unit_still_rolls_back_with_its_outer_unit() {
    test_db::run(async {
        let test_database = TestDatabase::create().await;
        let (transactor, pool) = transactor_on(&test_database).await;
        let user = new_user("nested");

        let unit = transactor
            .begin(TransactionOptions::default())
            .await
            .expect("begin");
        let nested = unit.nest().await.expect("savepoint");
        nested.users().insert(&user).await.expect("insert");
        nested.commit().await.expect("released");
        assert!(
            unit.users()
                .find_by_id(user.id)
                .await
                .expect("query")
                .is_some(),
            "the outer unit sees the released work"
        );
        unit.rollback().await.expect("rollback");

        assert!(!exists(&pool, &user).await);
    });
}

#[test]
fn units_nest_several_levels_deep() {
    test_db::run(async {
        let test_database = TestDatabase::create().await;
        let (transactor, pool) = transactor_on(&test_database).await;
        let kept = new_user("kept");
        let undone = new_user("undone");

        let unit = transactor
            .begin(TransactionOptions::default())
            .await
            .expect("begin");
        let second = unit.nest().await.expect("level 2");
        second.users().insert(&kept).await.expect("insert");
        let third = second.nest().await.expect("level 3");
        third.users().insert(&undone).await.expect("insert");
        third.rollback().await.expect("rollback level 3");
        second.commit().await.expect("release level 2");
        unit.commit().await.expect("commit");

        assert!(exists(&pool, &kept).await);
        assert!(!exists(&pool, &undone).await);
    });
}

#[test]
fn an_outer_unit_refuses_work_while_a_nested_one_is_open() {
    test_db::run(async {
        let test_database = TestDatabase::create().await;
        let (transactor, _pool) = transactor_on(&test_database).await;

        let unit = transactor
            .begin(TransactionOptions::default())
            .await
            .expect("begin");
        let nested = unit.nest().await.expect("savepoint");

        let error = unit
            .users()
            .insert(&new_user("early"))
            .await
            .expect_err("refused");
        assert!(matches!(error, RepoError::Internal(_)), "{error:?}");
        nested.commit().await.expect("released");
        unit.users()
            .insert(&new_user("later"))
            .await
            .expect("usable again");
    });
}

#[test]
fn a_unit_whose_statement_failed_cannot_commit_and_commits_nothing() {
    test_db::run(async {
        let test_database = TestDatabase::create().await;
        let (transactor, pool) = transactor_on(&test_database).await;
        let first = new_user("first");

        let unit = transactor
            .begin(TransactionOptions::default())
            .await
            .expect("begin");
        unit.users().insert(&first).await.expect("insert");
        unit.users()
            .insert(&first)
            .await
            .expect_err("duplicate aborts the transaction");
        let error = unit.commit().await.expect_err("refused");

        assert!(matches!(error, RepoError::Internal(_)), "{error:?}");
        assert!(!exists(&pool, &first).await);
    });
}

#[test]
fn a_nested_unit_dropped_without_ending_leaves_its_outer_unit_only_a_rollback() {
    test_db::run(async {
        let test_database = TestDatabase::create().await;
        let (transactor, pool) = transactor_on(&test_database).await;
        let user = new_user("abandoned");

        let unit = transactor
            .begin(TransactionOptions::default())
            .await
            .expect("begin");
        unit.users().insert(&user).await.expect("insert");
        drop(unit.nest().await.expect("savepoint"));

        let error = unit.users().find_by_id(user.id).await.expect_err("refused");
        assert!(matches!(error, RepoError::Internal(_)), "{error:?}");
        unit.rollback().await.expect("rollback");
        assert!(!exists(&pool, &user).await);
    });
}

#[test]
fn isolation_and_read_only_mode_are_those_asked_for() {
    test_db::run(async {
        let test_database = TestDatabase::create().await;
        let (transactor, _pool) = transactor_on(&test_database).await;
        let lease = transactor.database.lease().await.expect("lease");

        let unit = PgUnitOfWork::outermost(
            Session::begin(lease, TransactionOptions::SERIALIZABLE.read_only())
                .await
                .expect("begin"),
        );

        assert_eq!(unit.setting("transaction_isolation").await, "serializable");
        assert_eq!(unit.setting("transaction_read_only").await, "on");
        let error = unit
            .users()
            .insert(&new_user("readonly"))
            .await
            .expect_err("a read-only unit cannot write");
        assert!(matches!(error, RepoError::Unavailable(_)), "{error:?}");
    });
}

#[test]
fn the_default_unit_is_read_committed_and_writable() {
    test_db::run(async {
        let test_database = TestDatabase::create().await;
        let (transactor, _pool) = transactor_on(&test_database).await;
        let lease = transactor.database.lease().await.expect("lease");

        let unit = PgUnitOfWork::outermost(
            Session::begin(lease, TransactionOptions::default())
                .await
                .expect("begin"),
        );

        assert_eq!(
            unit.setting("transaction_isolation").await,
            "read committed"
        );
        assert_eq!(unit.setting("transaction_read_only").await, "off");
    });
}
