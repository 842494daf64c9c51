//! The SQL of the user repository, written once for the pool and for
//! units of work alike.

use domain::error::RepoError;
use domain::user::{Email, NewUser, User, UserId};

use super::row::UserRow;
use crate::lease::Lease;
use crate::query::{One, Operation, Optional, Param, Redacted};

pub(crate) async fn insert(lease: &mut Lease, user: &NewUser) -> Result<User, RepoError> {
    let params: [Param<'_>; 4] = [
        ("user.id", &user.id),
        ("email", &user.email),
        ("display_name", &user.display_name),
        ("password_hash", &Redacted),
    ];
    lease
        .run(Operation::new("users.insert", &params), || {
            One(sqlx::query_as!(
                UserRow,
                r#"INSERT INTO users (id, email, display_name, password_hash)
                   VALUES ($1, $2, $3, $4)
                   RETURNING id, email, display_name, password_hash, role, status,
                             email_verified, version, created_at, updated_at"#,
                user.id.as_uuid(),
                user.email.as_str(),
                user.display_name.as_str(),
                user.password_hash.expose(),
            ))
        })
        .await?
        .try_into()
}

pub(crate) async fn find_by_id(lease: &mut Lease, id: UserId) -> Result<Option<User>, RepoError> {
    lease
        .run(
            Operation::new("users.find_by_id", &[("user.id", &id)]),
            || {
                Optional(sqlx::query_as!(
                    UserRow,
                    r#"SELECT id, email, display_name, password_hash, role, status,
                          email_verified, version, created_at, updated_at
                     FROM users
                    WHERE id = $1"#,
                    id.as_uuid(),
                ))
            },
        )
        .await?
        .map(User::try_from)
        .transpose()
}

pub(crate) async fn find_by_email(
    lease: &mut Lease,
    email: &Email,
) -> Result<Option<User>, RepoError> {
    // `lower(email)` is the expression of the unique index, which serves
    // this lookup.
    lease
        .run(
            Operation::new("users.find_by_email", &[("email", email)]),
            || {
                Optional(sqlx::query_as!(
                    UserRow,
                    r#"SELECT id, email, display_name, password_hash, role, status,
                          email_verified, version, created_at, updated_at
                     FROM users
                    WHERE lower(email) = lower($1)"#,
                    email.as_str(),
                ))
            },
        )
        .await?
        .map(User::try_from)
        .transpose()
}
