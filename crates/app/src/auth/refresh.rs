use domain::audit::{AuditAction, AuditEvent, Origin};
use domain::outcome::AuthOperation;
use domain::ports::TransactionOptions;
use domain::session::{RefreshToken, Rotation, Session};
use domain::user::User;

use super::{AuthService, SignedIn};
use crate::error::{AppError, AuthFailure, Forbidden};

/// What a rotation found.
enum Rotated {
    /// The session and its account: the new secret works.
    Live(Box<(Session, User)>),
    /// The token was a replaced one: the session has been ended.
    Reused,
    /// Nothing to rotate: unknown token, ended or expired session.
    Refused,
}

impl AuthService {
    /// Exchanges a refresh token for a new pair of the same session.
    ///
    /// The presented secret is replaced in one atomic step. Presenting the
    /// secret that the last rotation replaced, within the grace window,
    /// still yields a pair (two tabs refreshing at once, a retried request);
    /// presenting any other replaced secret ends the whole session, since
    /// the token may have been stolen, and records it in the trail.
    ///
    /// # Errors
    ///
    /// [`AuthFailure::RefreshTokenReused`] after a reuse;
    /// [`AuthFailure::InvalidRefreshToken`] for an unknown token or an ended
    /// or expired session; [`Forbidden::AccountDisabled`] when the account
    /// was disabled; [`AppError::Unavailable`] or [`AppError::Internal`]
    /// when a dependency fails.
    #[tracing::instrument(name = "auth.refresh", skip_all, fields(session.id = %token.session_id(), user.id))]
    pub async fn refresh(
        &self,
        token: &RefreshToken,
        origin: &Origin,
    ) -> Result<SignedIn, AppError> {
        let outcome: Result<SignedIn, AppError> = async {
            let now = self.ports.clock.now();
            let presented = self.ports.secrets.digest(token.secret());
            let (secret, replacement) = self.ports.secrets.generate();
            let rotation = Rotation {
                session_id: token.session_id(),
                presented,
                replacement,
                now,
                lifetime: self.policy.sessions,
            };
            // The common case in one statement; a unit of work finds out
            // why when it does not rotate (a reuse, a disabled account).
            let fast = self
                .ports
                .rotations
                .rotate_for_active_account(&rotation)
                .await?;
            let rotated = match fast {
                Some(live) => Rotated::Live(Box::new(live)),
                None => self.rotate_in_unit(&rotation, origin).await?,
            };
            match rotated {
                Rotated::Live(live) => {
                    let (session, user) = *live;
                    tracing::Span::current().record("user.id", tracing::field::display(user.id));
                    tracing::debug!("session refreshed");
                    self.pair(user, &session, secret)
                }
                Rotated::Reused => {
                    tracing::warn!(
                        "a replaced refresh token was presented again; the session was ended"
                    );
                    Err(AppError::Unauthenticated(AuthFailure::RefreshTokenReused))
                }
                Rotated::Refused => {
                    Err(AppError::Unauthenticated(AuthFailure::InvalidRefreshToken))
                }
            }
        }
        .await;
        self.counted(AuthOperation::Refresh, outcome)
    }

    /// The rotation in a unit of work, with what to do when there is
    /// none: a reuse ends the session and is recorded in the trail.
    async fn rotate_in_unit(
        &self,
        rotation: &Rotation,
        origin: &Origin,
    ) -> Result<Rotated, AppError> {
        let now = rotation.now;
        let presented = rotation.presented;
        self.ports
            .transactions
            .run(TransactionOptions::READ_COMMITTED, async |unit| {
                let Some(session) = unit.sessions().rotate(rotation).await? else {
                    let Some(user) = unit
                        .sessions()
                        .end_if_reused(rotation.session_id, &presented, now)
                        .await?
                    else {
                        return Ok(Rotated::Refused);
                    };
                    let event = AuditEvent::new(AuditAction::RefreshReuse, now, origin)
                        .about(user)
                        .in_session(rotation.session_id);
                    unit.audit().record(&event).await?;
                    return Ok(Rotated::Reused);
                };
                // An error rolls the rotation back: a closed account keeps
                // its tokens as they were.
                match unit.users().find_by_id(session.user_id).await? {
                    Some(user) if user.is_active() => Ok(Rotated::Live(Box::new((session, user)))),
                    Some(_) => Err(AppError::Forbidden(Forbidden::AccountDisabled).into()),
                    None => Err(AppError::Unauthenticated(AuthFailure::InvalidRefreshToken).into()),
                }
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use domain::outcome::AuthOutcome;
    use domain::session::{RefreshSecret, SessionId};
    use domain::user::UserStatus;
    use secrecy::ExposeSecret;

    use super::*;
    use crate::fixtures::{Ports, digest, registered_user, secret};

    fn presented() -> RefreshToken {
        let secret = RefreshSecret::parse(&"p".repeat(RefreshSecret::ENCODED_LEN)).expect("valid");
        RefreshToken::new(SessionId::generate(), secret)
    }

    /// Ports where the presented secret digests to `digest(9)` and the
    /// replacement is `secret()` / `digest(1)`.
    fn ports() -> Ports {
        let mut ports = Ports::new();
        ports.secrets.expect_digest().returning(|_| digest(9));
        ports.fixed_secrets();
        ports
    }

    /// [`ports`] where the one-statement rotation rotates nothing, so that
    /// the unit of work decides.
    fn ports_deciding_in_a_unit() -> Ports {
        let mut ports = ports();
        ports
            .rotations
            .expect_rotate_for_active_account()
            .returning(|_| Ok(None));
        ports
    }

    fn session(id: SessionId, user: &User) -> Session {
        let at = time::macros::datetime!(2026-11-27 09:00 UTC);
        Session {
            id,
            user_id: user.id,
            created_at: at,
            last_used_at: at,
            expires_at: at + time::Duration::days(7),
            user_agent: None,
            ip: None,
        }
    }

    #[tokio::test]
    async fn a_live_session_of_an_active_account_is_rotated_in_one_statement() {
        let token = presented();
        let id = token.session_id();
        let user = registered_user("any password");
        let mut ports = ports();
        let now = ports.now;
        let live = (session(id, &user), user.clone());
        ports
            .rotations
            .expect_rotate_for_active_account()
            .withf(move |rotation| {
                rotation.session_id == id
                    && rotation.presented == digest(9)
                    && rotation.replacement == digest(1)
                    && rotation.now == now
            })
            .times(1)
            .returning(move |_| Ok(Some(live.clone())));
        ports.unit.sessions.expect_rotate().never();
        ports
            .tokens
            .expect_issue()
            .withf(move |issued_to, session, _| issued_to.id == user.id && *session == id)
            .times(1)
            .returning(|_, _, _| {
                Ok(domain::auth::IssuedAccessToken {
                    token: secrecy::SecretString::from("signed"),
                    lifetime: time::Duration::minutes(15),
                })
            });
        let journal = ports.journal.clone();

        let pair = ports
            .auth()
            .refresh(&token, &Origin::default())
            .await
            .expect("refreshed");

        assert_eq!(pair.refresh_token.session_id(), id);
        assert_eq!(pair.access_token.token.expose_secret(), "signed");
        assert!(journal.lock().expect("journal").is_empty());
    }

    #[tokio::test]
    async fn a_current_token_is_replaced_and_yields_a_new_pair_of_the_same_session() {
        let token = presented();
        let id = token.session_id();
        let user = registered_user("any password");
        let mut ports = ports_deciding_in_a_unit();
        let now = ports.now;
        let rotated = session(id, &user);
        ports
            .unit
            .sessions
            .expect_rotate()
            .withf(move |rotation| {
                rotation.session_id == id
                    && rotation.presented == digest(9)
                    && rotation.replacement == digest(1)
                    && rotation.now == now
            })
            .times(1)
            .returning(move |_| Ok(Some(rotated.clone())));
        let stored = user.clone();
        ports
            .unit
            .users
            .expect_find_by_id()
            .returning(move |_| Ok(Some(stored.clone())));
        ports
            .tokens
            .expect_issue()
            .withf(move |_, session, _| *session == id)
            .times(1)
            .returning(|_, _, _| {
                Ok(domain::auth::IssuedAccessToken {
                    token: secrecy::SecretString::from("signed"),
                    lifetime: time::Duration::minutes(15),
                })
            });
        let journal = ports.journal.clone();

        let pair = ports
            .auth()
            .refresh(&token, &Origin::default())
            .await
            .expect("refreshed");

        assert_eq!(pair.refresh_token.session_id(), id);
        assert_eq!(pair.refresh_token.secret().expose(), secret().expose());
        assert_eq!(pair.access_token.token.expose_secret(), "signed");
        assert_eq!(*journal.lock().expect("journal"), ["commit"]);
    }

    #[tokio::test]
    async fn a_reused_token_ends_the_session_records_it_and_is_refused() {
        let token = presented();
        let id = token.session_id();
        let user = registered_user("any password").id;
        let mut ports = ports_deciding_in_a_unit();
        ports.unit.sessions.expect_rotate().returning(|_| Ok(None));
        ports
            .unit
            .sessions
            .expect_end_if_reused()
            .withf(move |session, presented, _| *session == id && *presented == digest(9))
            .times(1)
            .returning(move |_, _, _| Ok(Some(user)));
        ports
            .unit
            .audit
            .expect_record()
            .withf(move |event| {
                event.action == AuditAction::RefreshReuse
                    && event.subject == Some(user)
                    && event.session == Some(id)
            })
            .times(1)
            .returning(|_| Ok(()));
        ports.tokens.expect_issue().never();
        let journal = ports.journal.clone();
        let outcomes = ports.outcomes.clone();

        let error = ports
            .auth()
            .refresh(&token, &Origin::default())
            .await
            .expect_err("reused");

        assert!(
            matches!(
                error,
                AppError::Unauthenticated(AuthFailure::RefreshTokenReused)
            ),
            "{error:?}"
        );
        // The session's end must be kept even though the answer is an error.
        assert_eq!(*journal.lock().expect("journal"), ["commit"]);
        assert_eq!(
            outcomes.auth(),
            [(AuthOperation::Refresh, AuthOutcome::ReuseDetected)]
        );
    }

    #[tokio::test]
    async fn an_unknown_token_is_refused_without_ending_anything() {
        let mut ports = ports_deciding_in_a_unit();
        ports.unit.sessions.expect_rotate().returning(|_| Ok(None));
        ports
            .unit
            .sessions
            .expect_end_if_reused()
            .returning(|_, _, _| Ok(None));
        ports.unit.audit.expect_record().never();

        let error = ports
            .auth()
            .refresh(&presented(), &Origin::default())
            .await
            .expect_err("refused");

        assert!(
            matches!(
                error,
                AppError::Unauthenticated(AuthFailure::InvalidRefreshToken)
            ),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn a_disabled_account_gets_no_pair_and_its_rotation_is_undone() {
        let token = presented();
        let mut user = registered_user("any password");
        user.status = UserStatus::Disabled;
        let mut ports = ports_deciding_in_a_unit();
        let rotated = session(token.session_id(), &user);
        ports
            .unit
            .sessions
            .expect_rotate()
            .returning(move |_| Ok(Some(rotated.clone())));
        ports
            .unit
            .users
            .expect_find_by_id()
            .returning(move |_| Ok(Some(user.clone())));
        ports.tokens.expect_issue().never();
        let journal = ports.journal.clone();

        let error = ports
            .auth()
            .refresh(&token, &Origin::default())
            .await
            .expect_err("disabled");

        assert!(
            matches!(error, AppError::Forbidden(Forbidden::AccountDisabled)),
            "{error:?}"
        );
        assert_eq!(*journal.lock().expect("journal"), ["rollback"]);
    }
}
