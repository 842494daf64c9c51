//! The SQL of the user repository, written once for the pool and for
//! transactions alike.

use domain::error::RepoError;
use domain::user::{Email, NewUser, User, UserId};
use sqlx::PgExecutor;

use super::row::UserRow;
use crate::error::repo_error;

#[tracing::instrument(name = "users.insert", skip_all, fields(db.system = "postgresql", user.id = %user.id))]
pub(crate) async fn insert(
    executor: impl PgExecutor<'_>,
    user: &NewUser,
) -> Result<User, RepoError> {
    sqlx::query_as!(
        UserRow,
        r#"INSERT INTO users (id, email, display_name, password_hash)
           VALUES ($1, $2, $3, $4)
           RETURNING id, email, display_name, password_hash, role, status,
                     email_verified, version, created_at, updated_at"#,
        user.id.as_uuid(),
        user.email.as_str(),
        user.display_name.as_str(),
        user.password_hash.expose(),
    )
    .fetch_one(executor)
    .await
    .map_err(repo_error)?
    .try_into()
}

#[tracing::instrument(name = "users.find_by_id", skip_all, fields(db.system = "postgresql", user.id = %id))]
pub(crate) async fn find_by_id(
    executor: impl PgExecutor<'_>,
    id: UserId,
) -> Result<Option<User>, RepoError> {
    sqlx::query_as!(
        UserRow,
        r#"SELECT id, email, display_name, password_hash, role, status,
                  email_verified, version, created_at, updated_at
             FROM users
            WHERE id = $1"#,
        id.as_uuid(),
    )
    .fetch_optional(executor)
    .await
    .map_err(repo_error)?
    .map(User::try_from)
    .transpose()
}

#[tracing::instrument(name = "users.find_by_email", skip_all, fields(db.system = "postgresql"))]
pub(crate) async fn find_by_email(
    executor: impl PgExecutor<'_>,
    email: &Email,
) -> Result<Option<User>, RepoError> {
    // `lower(email)` is the expression of the unique index, which serves
    // this lookup.
    sqlx::query_as!(
        UserRow,
        r#"SELECT id, email, display_name, password_hash, role, status,
                  email_verified, version, created_at, updated_at
             FROM users
            WHERE lower(email) = lower($1)"#,
        email.as_str(),
    )
    .fetch_optional(executor)
    .await
    .map_err(repo_error)?
    .map(User::try_from)
    .transpose()
}
