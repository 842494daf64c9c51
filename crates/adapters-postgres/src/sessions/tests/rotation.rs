//! Rotation: the main path, the grace window after it, and reuse.

use domain::session::Rotation;

use super::*;

fn rotation(
    id: SessionId,
    presented: SecretDigest,
    replacement: SecretDigest,
    now: OffsetDateTime,
) -> Rotation {
    Rotation {
        session_id: id,
        presented,
        replacement,
        now,
        lifetime: LIFETIME,
    }
}

/// A session of a new account whose first secret is `first`.
async fn session_with(lease: &mut Lease, first: SecretDigest) -> (UserId, SessionId) {
    let user = account(lease).await;
    let session = insert(lease, &new_session(user, first, NOW))
        .await
        .expect("inserted");
    (user, session.id)
}

async fn rotates(lease: &mut Lease, rotation: &Rotation) -> bool {
    rotate(lease, rotation).await.expect("rotate").is_some()
}

async fn digests(lease: &mut Lease, id: SessionId) -> Digests {
    sqlx::query_as(
        "SELECT current_digests, replaced_digests, retired_digests FROM sessions WHERE id = $1",
    )
    .bind(id.as_uuid())
    .fetch_one(&mut **lease)
    .await
    .expect("the session's row")
}

#[test]
fn a_current_secret_is_replaced_and_retired_and_the_session_extended() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let (first, second, third) = (digest(), digest(), digest());
        let (_, id) = session_with(&mut lease, first).await;
        let later = NOW + Duration::days(6);

        let rotated = rotate(&mut lease, &rotation(id, first, second, later))
            .await
            .expect("rotate")
            .expect("rotated");

        assert_eq!(rotated.last_used_at, later);
        assert_eq!(rotated.expires_at, later + Duration::days(7));
        assert!(
            rotates(
                &mut lease,
                &rotation(id, second, third, later + Duration::hours(1))
            )
            .await
        );
        let (current, replaced, retired) = digests(&mut lease, id).await;
        assert_eq!(current, [bytes(third)]);
        assert_eq!(replaced, [bytes(second)]);
        assert_eq!(retired, [bytes(second), bytes(first)]);
    });
}

/// Rows of `sessions` that this transaction updated, and how many of those
/// updates PostgreSQL made in place (HOT).
async fn updates(lease: &mut Lease) -> (i64, i64) {
    sqlx::query_as(
        "SELECT pg_stat_get_xact_tuples_updated('sessions'::regclass), \
                pg_stat_get_xact_tuples_hot_updated('sessions'::regclass)",
    )
    .fetch_one(&mut **lease)
    .await
    .expect("the transaction's update counts")
}

#[test]
fn a_use_within_a_step_of_the_expiry_leaves_it_and_rewrites_the_row_in_place() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let (first, second, third) = (digest(), digest(), digest());
        let (_, id) = session_with(&mut lease, first).await;
        let step = LIFETIME.expiry_step();
        let (before_rotations, hot_before) = updates(&mut lease).await;

        let soon = NOW + step - Duration::seconds(1);
        let kept = rotate(&mut lease, &rotation(id, first, second, soon))
            .await
            .expect("rotate")
            .expect("rotated");
        let (after_one, hot_after_one) = updates(&mut lease).await;
        let later = NOW + step;
        let moved = rotate(&mut lease, &rotation(id, second, third, later))
            .await
            .expect("rotate")
            .expect("rotated");
        let (after_two, hot_after_two) = updates(&mut lease).await;

        assert_eq!(
            (kept.last_used_at, kept.expires_at),
            (soon, NOW + LIFETIME.idle)
        );
        assert_eq!(
            (after_one - before_rotations, hot_after_one - hot_before),
            (1, 1)
        );
        assert_eq!(moved.expires_at, later + LIFETIME.idle);
        assert_eq!(
            (after_two - after_one, hot_after_two - hot_after_one),
            (1, 0)
        );
    });
}

#[test]
fn a_replaced_secret_rotates_within_the_grace_window_and_never_stretches_it() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let first = digest();
        let (_, id) = session_with(&mut lease, first).await;
        let (one, two, three) = (digest(), digest(), digest());

        assert!(rotates(&mut lease, &rotation(id, first, one, NOW)).await);
        let replay = rotation(id, first, two, NOW + Duration::seconds(9));
        assert!(rotates(&mut lease, &replay).await, "within the window");
        let late = rotation(id, first, three, NOW + Duration::seconds(10));
        assert!(!rotates(&mut lease, &late).await, "the window did not move");

        let (current, replaced, retired) = digests(&mut lease, id).await;
        assert_eq!(current, [bytes(one), bytes(two)]);
        assert_eq!(replaced, [bytes(first)]);
        assert_eq!(retired, [bytes(first)]);
        let with_two = rotation(id, two, digest(), NOW + Duration::seconds(11));
        assert!(
            rotates(&mut lease, &with_two).await,
            "the replay's secret works"
        );
    });
}

#[test]
fn a_sibling_rotating_keeps_the_others_working_only_within_the_grace_window() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let first = digest();
        let (user, id) = session_with(&mut lease, first).await;
        let (one, two, three, four) = (digest(), digest(), digest(), digest());
        assert!(rotates(&mut lease, &rotation(id, first, one, NOW)).await);
        assert!(
            rotates(
                &mut lease,
                &rotation(id, first, two, NOW + Duration::seconds(1))
            )
            .await
        );

        let later = NOW + Duration::seconds(2);
        assert!(rotates(&mut lease, &rotation(id, two, three, later)).await);
        let (current, replaced, retired) = digests(&mut lease, id).await;
        assert_eq!(current, [bytes(three)]);
        assert_eq!(replaced, [bytes(one), bytes(two)]);
        assert_eq!(retired, [bytes(one), bytes(two), bytes(first)]);
        // The other tab of the race, a moment later: a sibling of `three`.
        assert!(rotates(&mut lease, &rotation(id, one, four, later)).await);
        let (current, _, _) = digests(&mut lease, id).await;
        assert_eq!(current, [bytes(three), bytes(four)]);

        let too_late = later + Duration::seconds(10);
        assert!(!rotates(&mut lease, &rotation(id, one, digest(), too_late)).await);
        let reused = end_if_reused(&mut lease, id, &one, too_late).await;
        assert_eq!(reused.expect("end"), Some(user));
        assert!(
            find_live(&mut lease, id, too_late)
                .await
                .expect("find")
                .is_none()
        );
        assert!(!rotates(&mut lease, &rotation(id, three, digest(), too_late)).await);
    });
}

#[test]
fn a_replaced_secret_after_the_grace_window_ends_the_session_as_a_reuse() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let first = digest();
        let (user, id) = session_with(&mut lease, first).await;
        let next = digest();
        assert!(rotates(&mut lease, &rotation(id, first, next, NOW)).await);
        let later = NOW + Duration::minutes(1);

        assert!(!rotates(&mut lease, &rotation(id, first, digest(), later)).await);
        let reused = end_if_reused(&mut lease, id, &first, later).await;

        assert_eq!(reused.expect("end"), Some(user));
        assert_eq!(
            end_reason(&mut lease, id).await.as_deref(),
            Some("refresh_reuse")
        );
        assert!(!rotates(&mut lease, &rotation(id, next, digest(), later)).await);
        let again = end_if_reused(&mut lease, id, &first, later).await;
        assert_eq!(again.expect("end"), None, "an ended session ends once");
    });
}

#[test]
fn an_unknown_secret_neither_rotates_nor_counts_as_a_reuse() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let first = digest();
        let (_, id) = session_with(&mut lease, first).await;
        let unknown = digest();

        assert!(!rotates(&mut lease, &rotation(id, unknown, digest(), NOW)).await);
        let reused = end_if_reused(&mut lease, id, &unknown, NOW).await;

        assert_eq!(reused.expect("end"), None);
        assert!(
            find_live(&mut lease, id, NOW)
                .await
                .expect("find")
                .is_some()
        );
        assert!(rotates(&mut lease, &rotation(id, first, digest(), NOW)).await);
    });
}

#[test]
fn sessions_past_their_lifetime_or_idle_timeout_or_ended_never_rotate() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;

        // Used every six days, it still ends thirty days after sign-in.
        let mut secret = digest();
        let (_, lived) = session_with(&mut lease, secret).await;
        for days in [6, 12, 18, 24] {
            let next = digest();
            let at = NOW + Duration::days(days);
            assert!(
                rotates(&mut lease, &rotation(lived, secret, next, at)).await,
                "{days}"
            );
            secret = next;
        }
        let at_the_end = rotation(lived, secret, digest(), NOW + Duration::days(30));
        assert!(!rotates(&mut lease, &at_the_end).await);

        let idle = digest();
        let (_, idled) = session_with(&mut lease, idle).await;
        let timed_out = rotation(idled, idle, digest(), NOW + Duration::days(7));
        assert!(!rotates(&mut lease, &timed_out).await);

        let ending = digest();
        let (user, ended) = session_with(&mut lease, ending).await;
        assert!(
            end(&mut lease, user, ended, EndReason::Logout, NOW)
                .await
                .expect("end")
        );
        assert!(!rotates(&mut lease, &rotation(ended, ending, digest(), NOW)).await);
    });
}

#[test]
fn replays_cannot_grow_the_current_secrets_past_the_bound() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let first = digest();
        let (_, id) = session_with(&mut lease, first).await;
        assert!(rotates(&mut lease, &rotation(id, first, digest(), NOW)).await);

        let mut rotated = 0;
        while rotates(
            &mut lease,
            &rotation(id, first, digest(), NOW + Duration::seconds(1)),
        )
        .await
        {
            rotated += 1;
            assert!(rotated < 100, "unbounded");
        }

        assert_eq!(rotated, 63);
        assert_eq!(digests(&mut lease, id).await.0.len(), 64);
    });
}

#[test]
fn one_statement_rotates_for_an_active_account_only_and_reads_it() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let (first, second) = (digest(), digest());
        let (user, id) = session_with(&mut lease, first).await;

        let (session, account) =
            rotate_for_active_account(&mut lease, &rotation(id, first, second, NOW))
                .await
                .expect("rotate")
                .expect("rotated");

        assert_eq!((session.id, session.user_id, account.id), (id, user, user));
        assert_eq!(digests(&mut lease, id).await.0, [bytes(second)]);
        sqlx::query("UPDATE users SET status = 'disabled' WHERE id = $1")
            .bind(user.as_uuid())
            .execute(&mut *lease)
            .await
            .expect("disabled");
        let refused = rotate_for_active_account(&mut lease, &rotation(id, second, digest(), NOW))
            .await
            .expect("rotate");
        assert!(refused.is_none());
        assert_eq!(digests(&mut lease, id).await.0, [bytes(second)]);
    });
}

#[test]
fn one_statement_refuses_what_rotate_refuses() {
    test_db::run(async {
        let mut lease = rolled_back_lease().await;
        let first = digest();
        let (_, id) = session_with(&mut lease, first).await;

        for refused in [
            rotation(id, digest(), digest(), NOW),
            rotation(id, first, digest(), NOW + Duration::days(8)),
            rotation(SessionId::generate(), first, digest(), NOW),
        ] {
            assert!(
                rotate_for_active_account(&mut lease, &refused)
                    .await
                    .expect("rotate")
                    .is_none()
            );
        }
        assert_eq!(digests(&mut lease, id).await.0, [bytes(first)]);
    });
}
