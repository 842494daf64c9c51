//! The administrators' listing: newest first, by keyset, filtered; and the
//! active administrators.

use domain::user::{User, UserFilter, UserPosition};
use time::OffsetDateTime;
use time::macros::datetime;

use super::*;
use crate::lease::Lease;
use crate::users::listing::escape_like;

const EARLY: OffsetDateTime = datetime!(2026-01-01 00:00 UTC);
const MIDDLE: OffsetDateTime = datetime!(2026-02-01 00:00 UTC);
const LATE: OffsetDateTime = datetime!(2026-03-01 00:00 UTC);

/// Registers an account, then sets what registration does not: when, its
/// role and its status.
async fn account(
    lease: &mut Lease,
    local_part: &str,
    created_at: OffsetDateTime,
    role: Role,
    status: UserStatus,
) -> User {
    let user = insert(lease, &new_user(local_part))
        .await
        .expect("inserted");
    sqlx::query("UPDATE users SET created_at = $2, role = $3, status = $4 WHERE id = $1")
        .bind(user.id.as_uuid())
        .bind(created_at)
        .bind(role.as_str())
        .bind(status.as_str())
        .execute(&mut **lease)
        .await
        .expect("set up");
    find_by_id(lease, user.id)
        .await
        .expect("query")
        .expect("found")
}

/// Accounts of every kind: an early one, two at the same instant (to be
/// told apart by identifier) and a late one.
struct Accounts {
    early_user: User,
    tied_admin: User,
    tied_disabled: User,
    late_disabled_admin: User,
}

impl Accounts {
    async fn insert(lease: &mut Lease) -> Self {
        Self {
            early_user: account(lease, "early", EARLY, Role::User, UserStatus::Active).await,
            tied_admin: account(lease, "tied", MIDDLE, Role::Admin, UserStatus::Active).await,
            tied_disabled: account(lease, "tied", MIDDLE, Role::User, UserStatus::Disabled).await,
            late_disabled_admin: account(lease, "late", LATE, Role::Admin, UserStatus::Disabled)
                .await,
        }
    }

    /// The two accounts of the same instant, greater identifier first.
    fn tied(&self) -> [&User; 2] {
        let (a, b) = (&self.tied_admin, &self.tied_disabled);
        if a.id > b.id { [a, b] } else { [b, a] }
    }
}

fn ids<'a>(users: impl IntoIterator<Item = &'a User>) -> Vec<UserId> {
    users.into_iter().map(|user| user.id).collect()
}

fn position(user: &User) -> UserPosition {
    UserPosition {
        created_at: user.created_at,
        id: user.id,
    }
}

async fn listed(
    lease: &mut Lease,
    filter: &UserFilter,
    after: Option<UserPosition>,
    limit: u32,
) -> Vec<UserId> {
    ids(&list(lease, filter, after, limit).await.expect("listed"))
}

fn prefix(prefix: &str) -> UserFilter {
    UserFilter {
        email_prefix: Some(prefix.to_owned()),
        ..UserFilter::default()
    }
}

#[test]
fn the_listing_is_newest_first_with_ties_broken_by_the_greater_identifier() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let accounts = Accounts::insert(&mut lease).await;
        let [first_tied, second_tied] = accounts.tied();

        let all = list(&mut lease, &UserFilter::default(), None, 10)
            .await
            .expect("listed");

        assert_eq!(
            ids(&all),
            ids([
                &accounts.late_disabled_admin,
                first_tied,
                second_tied,
                &accounts.early_user
            ])
        );
        assert_eq!(all[0], accounts.late_disabled_admin);
    });
}

#[test]
fn a_page_starts_strictly_after_its_position_and_holds_at_most_the_limit() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let accounts = Accounts::insert(&mut lease).await;
        let [first_tied, second_tied] = accounts.tied();
        let all = UserFilter::default();

        let first_page = listed(&mut lease, &all, None, 2).await;
        let after_tie = listed(&mut lease, &all, Some(position(first_tied)), 10).await;
        let after_tie_limited = listed(&mut lease, &all, Some(position(first_tied)), 1).await;
        let after_last = listed(&mut lease, &all, Some(position(&accounts.early_user)), 10).await;

        assert_eq!(first_page, ids([&accounts.late_disabled_admin, first_tied]));
        assert_eq!(after_tie, ids([second_tied, &accounts.early_user]));
        assert_eq!(after_tie_limited, ids([second_tied]));
        assert_eq!(after_last, []);
    });
}

#[test]
fn filters_by_role_and_status_alone_together_and_with_a_position() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let accounts = Accounts::insert(&mut lease).await;
        let filter = |role, status| UserFilter {
            email_prefix: None,
            role,
            status,
        };
        let (admin, disabled) = (Some(Role::Admin), Some(UserStatus::Disabled));

        let admins = listed(&mut lease, &filter(admin, None), None, 10).await;
        let users = listed(&mut lease, &filter(Some(Role::User), None), None, 10).await;
        let disabled_ones = listed(&mut lease, &filter(None, disabled), None, 10).await;
        let active_admins = listed(
            &mut lease,
            &filter(admin, Some(UserStatus::Active)),
            None,
            10,
        )
        .await;
        let late = Some(position(&accounts.late_disabled_admin));
        let older_admins = listed(&mut lease, &filter(admin, None), late, 10).await;

        assert_eq!(
            admins,
            ids([&accounts.late_disabled_admin, &accounts.tied_admin])
        );
        assert_eq!(users, ids([&accounts.tied_disabled, &accounts.early_user]));
        assert_eq!(
            disabled_ones,
            ids([&accounts.late_disabled_admin, &accounts.tied_disabled])
        );
        assert_eq!(active_admins, ids([&accounts.tied_admin]));
        assert_eq!(older_admins, ids([&accounts.tied_admin]));
    });
}

#[test]
fn the_email_prefix_ignores_case_and_takes_percent_underscore_and_backslash_literally() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let mut by_local_part = Vec::new();
        for local_part in ["p%q", "pxq", "p_q", "PyQ"] {
            let user = account(
                &mut lease,
                local_part,
                EARLY,
                Role::User,
                UserStatus::Active,
            )
            .await;
            by_local_part.push(user);
        }
        let [percent, x, underscore, y] = &by_local_part[..] else {
            unreachable!("four accounts");
        };
        let newest_first = |mut users: Vec<&User>| {
            users.sort_by_key(|user| std::cmp::Reverse(user.id));
            ids(users)
        };

        assert_eq!(
            listed(&mut lease, &prefix("p%"), None, 10).await,
            ids([percent])
        );
        assert_eq!(
            listed(&mut lease, &prefix("P_"), None, 10).await,
            ids([underscore])
        );
        // Unescaped, `p\` would be the pattern `p\%`: "p%" literally.
        assert_eq!(listed(&mut lease, &prefix("p\\"), None, 10).await, []);
        assert_eq!(listed(&mut lease, &prefix("PX"), None, 10).await, ids([x]));
        assert_eq!(
            listed(&mut lease, &prefix("pyq."), None, 10).await,
            ids([y])
        );
        assert_eq!(
            listed(&mut lease, &prefix("p"), None, 10).await,
            newest_first(vec![percent, x, underscore, y])
        );
        assert_eq!(listed(&mut lease, &prefix("q"), None, 10).await, []);
    });
}

#[test]
fn the_email_prefix_combines_with_role_status_and_position() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let old_admin = account(&mut lease, "ops", EARLY, Role::Admin, UserStatus::Active).await;
        let new_admin = account(&mut lease, "ops", LATE, Role::Admin, UserStatus::Active).await;
        account(&mut lease, "ops", MIDDLE, Role::Admin, UserStatus::Disabled).await;
        account(&mut lease, "ops", MIDDLE, Role::User, UserStatus::Active).await;
        account(&mut lease, "dev", MIDDLE, Role::Admin, UserStatus::Active).await;
        let filter = UserFilter {
            email_prefix: Some("OPS.".to_owned()),
            role: Some(Role::Admin),
            status: Some(UserStatus::Active),
        };

        let page = listed(&mut lease, &filter, None, 10).await;
        let next = listed(&mut lease, &filter, Some(position(&new_admin)), 10).await;

        assert_eq!(page, ids([&new_admin, &old_admin]));
        assert_eq!(next, ids([&old_admin]));
    });
}

#[test]
fn escaping_a_prefix_for_like_escapes_only_the_pattern_characters() {
    for (prefix, pattern) in [
        ("ada", "ada"),
        ("a%b", "a\\%b"),
        ("a_b", "a\\_b"),
        ("a\\b", "a\\\\b"),
        ("%_\\", "\\%\\_\\\\"),
        ("", ""),
    ] {
        assert_eq!(escape_like(prefix), pattern, "{prefix}");
    }
}

#[test]
fn the_active_administrators_are_exactly_those_active_and_admin() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let first = account(&mut lease, "admin", EARLY, Role::Admin, UserStatus::Active).await;
        let second = account(&mut lease, "admin", LATE, Role::Admin, UserStatus::Active).await;
        account(
            &mut lease,
            "admin",
            MIDDLE,
            Role::Admin,
            UserStatus::Disabled,
        )
        .await;
        account(&mut lease, "user", MIDDLE, Role::User, UserStatus::Active).await;

        let admins = lock_active_admins(&mut lease).await.expect("locked");

        let mut expected = vec![first.id, second.id];
        expected.sort();
        assert_eq!(admins, expected);
    });
}
