//! Finding accounts as an administrator: the filtered listing, newest
//! first, and the active administrators, locked.

use domain::error::RepoError;
use domain::user::{User, UserFilter, UserId, UserPosition};

use super::row::UserRow;
use crate::lease::Lease;
use crate::query::{Many, Nullable, Operation, Param, Redacted};

/// Pages by keyset: `(created_at, id) < position` is a range of
/// `users_created_at_id_idx` and of the role and status indexes, however
/// deep the page. A filter left out is a null parameter, whose condition
/// folds away when the server plans with the values. The SQL lives in
/// `list.sql` so that the plan test explains exactly this statement.
pub(crate) async fn list(
    lease: &mut Lease,
    filter: &UserFilter,
    after: Option<UserPosition>,
    limit: u32,
) -> Result<Vec<User>, RepoError> {
    let pattern = filter.email_prefix.as_deref().map(escape_like);
    let role = filter.role.map(|role| role.as_str());
    let status = filter.status.map(|status| status.as_str());
    let after_created_at = after.map(|position| position.created_at);
    let after_id = after.map(|position| position.id);
    let params: [Param<'_>; 6] = [
        (
            "email_prefix",
            &Nullable(filter.email_prefix.as_deref().map(|_| Redacted)),
        ),
        ("role", &Nullable(role)),
        ("status", &Nullable(status)),
        ("after.created_at", &Nullable(after_created_at)),
        ("after.id", &Nullable(after_id)),
        ("limit", &limit),
    ];
    lease
        .run(Operation::new("users.list", &params), || {
            Many(sqlx::query_file_as!(
                UserRow,
                "src/users/list.sql",
                pattern.as_deref(),
                role,
                status,
                after_created_at,
                after_id.map(|id| id.as_uuid()),
                i64::from(limit),
            ))
        })
        .await?
        .into_iter()
        .map(User::try_from)
        .collect()
}

/// The rows are locked in the order of their identifiers, so that two
/// units locking them cannot deadlock, and as an update would lock them
/// (see [`lock_by_id`](super::queries::lock_by_id)). Under read committed,
/// a unit that waited sees the rows as the one before it left them: an
/// administrator demoted or disabled meanwhile is no longer among them.
pub(crate) async fn lock_active_admins(lease: &mut Lease) -> Result<Vec<UserId>, RepoError> {
    let rows = lease
        .run(Operation::new("users.lock_active_admins", &[]), || {
            Many(sqlx::query!(
                r#"SELECT id
                     FROM users
                    WHERE role = 'admin' AND status = 'active'
                    ORDER BY id
                      FOR NO KEY UPDATE"#
            ))
        })
        .await?;
    Ok(rows.into_iter().map(|row| row.id.into()).collect())
}

/// `prefix` as a LIKE pattern that matches itself literally: `\` (LIKE's
/// escape character), `%` and `_` escaped; the caller appends the `%`.
pub(super) fn escape_like(prefix: &str) -> String {
    let mut pattern = String::with_capacity(prefix.len());
    for c in prefix.chars() {
        if matches!(c, '\\' | '%' | '_') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern
}
