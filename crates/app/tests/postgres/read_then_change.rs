//! A use case that reads an account and then changes it does both in one
//! unit, the row locked: a change that another session makes in between
//! is what the trail records as replaced, or makes the change stale.

use std::sync::Arc;

use adapters_postgres::{Database, PgReads, PgTransactor, Thresholds};
use app::admin::{AdminService, UserChange};
use app::auth::{AuthPolicy, AuthPorts, AuthService, Credentials, PasswordChange, Promotion};
use app::error::{AppError, AuthFailure};
use app::transaction::{RetryPolicy, Transactions};
use app::users::{ProfileChange, UserService};
use domain::audit::{AuditAction, AuditFilter, FieldChange, Origin};
use domain::auth::AccessClaims;
use domain::password::{NewPassword, Password, PasswordHash};
use domain::ports::{
    AuditReads, MockCursorSigner, MockPasswordHasher, MockPasswordStrength, MockRefreshSecrets,
    MockTokenIssuer, TransactionOptions, UserReads,
};
use domain::session::{RefreshSecret, SecretDigest, SessionId, SessionLifetime};
use domain::throttle::{NetworkPrefixes, ThrottleRule};
use domain::user::{AccountField, DisplayName, Role, User, UserChanges};
use sqlx::PgPool;
use test_db::{TestDatabase, until_a_session_waits_for_a_lock};
use time::{Duration, OffsetDateTime};

use crate::support::{Recorded, TokioClock, unique, user};

struct Store {
    _test_database: TestDatabase,
    pool: PgPool,
    reads: Arc<PgReads>,
    transactions: Transactions,
}

impl Store {
    async fn new() -> Self {
        let test_database = TestDatabase::create().await;
        let pool = test_database.pool(4).await;
        let database = Database::new(
            pool.clone(),
            Thresholds::default(),
            &opentelemetry::global::meter("tests"),
        );
        let transactions = Transactions::new(
            Arc::new(PgTransactor::new(database.clone())),
            Arc::new(TokioClock),
            RetryPolicy::default(),
            Arc::new(Recorded::default()),
        );
        Self {
            _test_database: test_database,
            pool,
            reads: Arc::new(PgReads::new(database)),
            transactions,
        }
    }

    /// An account named "Ada", with `role`.
    async fn account(&self, role: Role) -> User {
        let new = user(&unique("ada"));
        let changes = UserChanges {
            role: Some(role),
            ..UserChanges::default()
        };
        self.transactions
            .run(TransactionOptions::READ_COMMITTED, async |unit| {
                let user = unit.users().insert(&new).await?;
                Ok(unit
                    .users()
                    .update(user.id, &changes, None, OffsetDateTime::now_utc())
                    .await?)
            })
            .await
            .expect("account")
    }

    /// Renames the account in a transaction of another session, which
    /// holds the row until `commit` is awaited.
    async fn rename_elsewhere(
        &self,
        user: &User,
        name: &str,
    ) -> sqlx::Transaction<'static, sqlx::Postgres> {
        self.change_elsewhere(user, "display_name", name).await
    }

    /// Sets `column` of the account to `value` in a transaction of another
    /// session, which holds the row until `commit` is awaited.
    async fn change_elsewhere(
        &self,
        user: &User,
        column: &'static str,
        value: &str,
    ) -> sqlx::Transaction<'static, sqlx::Postgres> {
        let mut other = self.pool.begin().await.expect("begin");
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE users SET {column} = $2, version = version + 1 WHERE id = $1"
        )))
        .bind(user.id.as_uuid())
        .bind(value)
        .execute(&mut *other)
        .await
        .expect("changed");
        other
    }

    /// Commits `other` once a session waits for the rows it holds: the
    /// change under test, which must then see what `other` left.
    async fn commit_once_waited_for(&self, other: sqlx::Transaction<'static, sqlx::Postgres>) {
        until_a_session_waits_for_a_lock(&self.pool).await;
        other.commit().await.expect("commit");
    }

    /// The display-name changes the trail recorded about `user`.
    async fn recorded_renames(&self, user: &User, action: AuditAction) -> Vec<FieldChange> {
        self.recorded(user, action, AccountField::DisplayName).await
    }

    /// The changes of `field` that the trail recorded about `user`.
    async fn recorded(
        &self,
        user: &User,
        action: AuditAction,
        field: AccountField,
    ) -> Vec<FieldChange> {
        let filter = AuditFilter {
            subject: Some(user.id),
            action: Some(action),
        };
        AuditReads::list(&*self.reads, &filter, None, 10)
            .await
            .expect("trail")
            .into_iter()
            .flat_map(|record| record.changes)
            .filter(|change| change.field == field)
            .collect()
    }

    fn users(&self) -> UserService {
        UserService::new(self.transactions.clone(), Arc::new(TokioClock))
    }

    /// The authentication use cases, whose hasher takes every password and
    /// hashes it to [`NEW_HASH`].
    fn auth(&self) -> AuthService {
        let mut hasher = MockPasswordHasher::new();
        hasher.expect_verify().returning(|_, _| Ok(true));
        hasher.expect_needs_rehash().return_const(false);
        hasher
            .expect_hash()
            .returning(|_| Ok(PasswordHash::parse(NEW_HASH.to_owned()).expect("PHC")));
        let mut strength = MockPasswordStrength::new();
        strength.expect_check().returning(|_, _, _| Ok(()));
        let mut secrets = MockRefreshSecrets::new();
        secrets.expect_generate().returning(|| {
            let secret = RefreshSecret::parse(&"s".repeat(RefreshSecret::ENCODED_LEN));
            (secret.expect("valid"), SecretDigest::from_bytes([7; 32]))
        });
        let rule = ThrottleRule {
            threshold: 5,
            window: Duration::hours(1),
            base_lock: Duration::seconds(30),
            max_lock: Duration::minutes(15),
        };
        AuthService::new(
            AuthPorts {
                users: self.reads.clone(),
                sessions: self.reads.clone(),
                rotations: self.reads.clone(),
                transactions: self.transactions.clone(),
                hasher: Arc::new(hasher),
                strength: Arc::new(strength),
                tokens: Arc::new(MockTokenIssuer::new()),
                secrets: Arc::new(secrets),
                clock: Arc::new(TokioClock),
                outcomes: Arc::new(Recorded::default()),
            },
            AuthPolicy {
                sessions: SessionLifetime {
                    absolute: Duration::days(30),
                    idle: Duration::days(7),
                    grace: Duration::seconds(10),
                },
                device_lifetime: Duration::days(90),
                login_per_account: rule,
                login_per_device: rule,
                login_per_network: rule,
                login_per_wide_network: rule,
                registration_per_network: rule,
                registration_per_wide_network: rule,
                networks: NetworkPrefixes::DEFAULT,
            },
        )
    }

    fn admin(&self) -> AdminService {
        AdminService::new(
            self.reads.clone(),
            self.reads.clone(),
            self.transactions.clone(),
            Arc::new(MockCursorSigner::new()),
            Arc::new(TokioClock),
        )
    }
}

/// What the hasher of [`Store::auth`] makes of any password.
const NEW_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$bmV3$bmV3";

fn claims_of(user: &User) -> AccessClaims {
    let now = OffsetDateTime::now_utc();
    AccessClaims {
        user_id: user.id,
        session_id: SessionId::generate(),
        role: user.role,
        issued_at: now,
        expires_at: now + Duration::minutes(15),
    }
}

fn renamed(before: &str, after: &str) -> FieldChange {
    FieldChange {
        field: AccountField::DisplayName,
        before: Some(before.to_owned()),
        after: Some(after.to_owned()),
    }
}

fn name(name: &str) -> DisplayName {
    DisplayName::parse(name).expect("valid")
}

#[test]
fn a_profile_change_records_the_name_it_really_replaced() {
    test_db::run(async {
        let store = Store::new().await;
        let ada = store.account(Role::User).await;
        let other = store.rename_elsewhere(&ada, "Bea").await;
        let change = ProfileChange {
            display_name: name("Cy"),
            expected_version: None,
        };

        let (users, claims, origin) = (store.users(), claims_of(&ada), Origin::default());
        let (updated, ()) = tokio::join!(
            users.update_me(&claims, change, &origin),
            store.commit_once_waited_for(other),
        );

        let updated = updated.expect("changed");
        assert_eq!(updated.display_name.as_str(), "Cy");
        assert_eq!(
            store
                .recorded_renames(&ada, AuditAction::ProfileUpdated)
                .await,
            [renamed("Bea", "Cy")]
        );
    });
}

#[test]
fn a_profile_change_based_on_the_version_replaced_meanwhile_is_stale() {
    test_db::run(async {
        let store = Store::new().await;
        let ada = store.account(Role::User).await;
        let other = store.rename_elsewhere(&ada, "Bea").await;
        let version = ada.version;
        let change = ProfileChange {
            display_name: name("Cy"),
            expected_version: Some(version),
        };

        let (users, claims, origin) = (store.users(), claims_of(&ada), Origin::default());
        let (outcome, ()) = tokio::join!(
            users.update_me(&claims, change, &origin),
            store.commit_once_waited_for(other),
        );

        let error = outcome.expect_err("stale");
        assert!(
            matches!(error, AppError::PreconditionFailed { current } if current == version + 1),
            "{error:?}"
        );
        assert_eq!(
            store
                .recorded_renames(&ada, AuditAction::ProfileUpdated)
                .await,
            []
        );
    });
}

#[test]
fn an_administrators_change_records_the_name_it_really_replaced() {
    test_db::run(async {
        let store = Store::new().await;
        let admin = store.account(Role::Admin).await;
        let ada = store.account(Role::User).await;
        let other = store.rename_elsewhere(&ada, "Bea").await;
        let change = UserChange {
            changes: UserChanges {
                display_name: Some(name("Cy")),
                ..UserChanges::default()
            },
            expected_version: None,
        };

        let (service, claims, origin) = (store.admin(), claims_of(&admin), Origin::default());
        let (outcome, ()) = tokio::join!(
            service.update_user(&claims, ada.id, change, &origin),
            store.commit_once_waited_for(other),
        );

        outcome.expect("changed");
        assert_eq!(
            store.recorded_renames(&ada, AuditAction::UserUpdated).await,
            [renamed("Bea", "Cy")]
        );
    });
}

#[test]
fn promoting_an_account_records_the_status_it_really_replaced() {
    test_db::run(async {
        let store = Store::new().await;
        let ada = store.account(Role::User).await;
        let other = store.change_elsewhere(&ada, "status", "disabled").await;
        let (auth, origin) = (store.auth(), Origin::default());

        let password = Password::parse("the owner's passphrase".to_owned()).expect("valid");

        let (promoted, ()) = tokio::join!(
            auth.promote_to_admin(&ada.email, &password, &origin),
            store.commit_once_waited_for(other),
        );

        let Ok(Promotion::Promoted { user: promoted, .. }) = promoted else {
            panic!("not promoted: {promoted:?}");
        };
        assert_eq!((promoted.role, promoted.is_active()), (Role::Admin, true));
        assert_eq!(
            store
                .recorded(&ada, AuditAction::AdminBootstrapped, AccountField::Status)
                .await,
            [FieldChange {
                field: AccountField::Status,
                before: Some("disabled".to_owned()),
                after: Some("active".to_owned()),
            }]
        );
    });
}

#[test]
fn a_password_change_keeps_a_hash_that_changed_while_the_new_one_was_made() {
    test_db::run(async {
        let store = Store::new().await;
        let ada = store.account(Role::User).await;
        let meanwhile = "$argon2id$v=19$m=19456,t=2,p=1$b3RoZXI$b3RoZXI";
        let other = store
            .change_elsewhere(&ada, "password_hash", meanwhile)
            .await;
        let (auth, claims, origin) = (store.auth(), claims_of(&ada), Origin::default());
        let change = PasswordChange {
            current: Password::parse("the current one".to_owned()).expect("valid"),
            new: NewPassword::parse("a brand new passphrase".to_owned()).expect("valid"),
        };

        let (outcome, ()) = tokio::join!(
            auth.change_password(&claims, change, &origin),
            store.commit_once_waited_for(other),
        );

        let error = outcome.expect_err("refused");
        assert!(matches!(error, AppError::Contention(_)), "{error:?}");
        let stored = store
            .reads
            .find_by_id(ada.id)
            .await
            .expect("read")
            .expect("found");
        assert_eq!(stored.password_hash.expose(), meanwhile);
    });
}

#[test]
fn a_sign_in_racing_a_password_change_opens_no_session() {
    test_db::run(async {
        let store = Store::new().await;
        let ada = store.account(Role::User).await;
        let changed = "$argon2id$v=19$m=19456,t=2,p=1$Y2hhbmdlZA$Y2hhbmdlZA";
        let other = store.change_elsewhere(&ada, "password_hash", changed).await;
        let (auth, origin) = (store.auth(), Origin::default());
        let credentials = Credentials {
            email: ada.email.clone(),
            password: Password::parse("the old password".to_owned()).expect("valid"),
            device: None,
        };

        let (outcome, ()) = tokio::join!(
            auth.login(credentials, &origin),
            store.commit_once_waited_for(other),
        );

        let error = outcome.expect_err("refused");
        assert!(
            matches!(
                error,
                AppError::Unauthenticated(AuthFailure::InvalidCredentials)
            ),
            "{error:?}"
        );
        let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions WHERE user_id = $1")
            .bind(ada.id.as_uuid())
            .fetch_one(&store.pool)
            .await
            .expect("counted");
        assert_eq!(sessions, 0);
    });
}
