//! Builders shared by the services' unit tests: a fake of every port, and
//! units of work whose repositories are shared fakes too, with a journal of
//! how each unit ended.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use domain::auth::{AccessClaims, IssuedAccessToken};
use domain::error::RepoError;
use domain::outcome::{AuthOperation, AuthOutcome, PurgedKind, TransactionOutcome};
use domain::password::PasswordHash;
use domain::ports::{
    AuditLog, DeviceRepository, MockAuditLog, MockAuditReads, MockClock, MockCursorSigner,
    MockDeviceRepository, MockPasswordHasher, MockPasswordStrength, MockRefreshSecrets,
    MockSessionReads, MockSessionRepository, MockSessionRotations, MockThrottleRepository,
    MockTokenIssuer, MockUserReads, MockUserRepository, Outcomes, SessionRepository,
    ThrottleRepository, TransactionOptions, Transactor, UnitOfWork, UserRepository,
};
use domain::session::{RefreshSecret, SecretDigest, SessionId, SessionLifetime};
use domain::throttle::{Attempt, NetworkPrefixes, ThrottleRule};
use domain::user::{DisplayName, Email, NewUser, Role, User, UserId, UserStatus};
use secrecy::SecretString;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use crate::admin::AdminService;
use crate::auth::{AuthPolicy, AuthPorts, AuthService};
use crate::housekeeping::{Housekeeping, PurgePolicy};
use crate::transaction::{RetryPolicy, Transactions};
use crate::users::UserService;

/// The repositories that units of work hand out: one set shared by every
/// unit, so that a test sets expectations once.
#[derive(Default)]
pub struct UnitRepositories {
    pub users: MockUserRepository,
    pub sessions: MockSessionRepository,
    pub devices: MockDeviceRepository,
    pub throttles: MockThrottleRepository,
    pub audit: MockAuditLog,
}

/// How the units of work of a test ended, in order: `commit` or
/// `rollback`.
pub type Journal = Arc<Mutex<Vec<&'static str>>>;

/// Every outcome the services reported, in order.
#[derive(Default)]
pub struct Reported {
    pub auth: Mutex<Vec<(AuthOperation, AuthOutcome)>>,
    pub transactions: Mutex<Vec<TransactionOutcome>>,
    pub purged: Mutex<Vec<(PurgedKind, u64)>>,
}

impl Reported {
    pub fn auth(&self) -> Vec<(AuthOperation, AuthOutcome)> {
        self.auth.lock().expect("outcomes").clone()
    }

    pub fn transactions(&self) -> Vec<TransactionOutcome> {
        self.transactions.lock().expect("outcomes").clone()
    }

    pub fn purged(&self) -> Vec<(PurgedKind, u64)> {
        self.purged.lock().expect("outcomes").clone()
    }
}

impl Outcomes for Reported {
    fn auth_attempt(&self, operation: AuthOperation, outcome: AuthOutcome) {
        self.auth
            .lock()
            .expect("outcomes")
            .push((operation, outcome));
    }

    fn transaction_attempt(&self, outcome: TransactionOutcome) {
        self.transactions.lock().expect("outcomes").push(outcome);
    }

    fn purged(&self, kind: PurgedKind, rows: u64) {
        self.purged.lock().expect("outcomes").push((kind, rows));
    }
}

/// One fake of every port, to be given expectations and then wired: the
/// reads outside units of work, and `unit`, the repositories inside them.
pub struct Ports {
    pub users: MockUserReads,
    pub audit: MockAuditReads,
    pub cursors: MockCursorSigner,
    pub sessions: MockSessionReads,
    pub rotations: MockSessionRotations,
    pub unit: UnitRepositories,
    pub hasher: MockPasswordHasher,
    pub strength: MockPasswordStrength,
    pub tokens: MockTokenIssuer,
    pub secrets: MockRefreshSecrets,
    pub now: OffsetDateTime,
    pub policy: AuthPolicy,
    pub journal: Journal,
    pub outcomes: Arc<Reported>,
}

impl Ports {
    pub fn new() -> Self {
        Self {
            users: MockUserReads::new(),
            audit: MockAuditReads::new(),
            cursors: MockCursorSigner::new(),
            sessions: MockSessionReads::new(),
            rotations: MockSessionRotations::new(),
            unit: UnitRepositories::default(),
            hasher: MockPasswordHasher::new(),
            strength: MockPasswordStrength::new(),
            tokens: MockTokenIssuer::new(),
            secrets: MockRefreshSecrets::new(),
            now: datetime!(2026-11-27 09:00 UTC),
            policy: policy(),
            journal: Journal::default(),
            outcomes: Arc::default(),
        }
    }

    fn clock(&self) -> Arc<MockClock> {
        let mut clock = MockClock::new();
        clock.expect_now().return_const(self.now);
        Arc::new(clock)
    }

    fn transactions(
        unit: UnitRepositories,
        journal: &Journal,
        clock: Arc<MockClock>,
        outcomes: Arc<Reported>,
    ) -> Transactions {
        let transactor = FakeTransactor {
            repositories: Arc::new(unit),
            journal: Arc::clone(journal),
        };
        Transactions::new(
            Arc::new(transactor),
            clock,
            RetryPolicy::default(),
            outcomes,
        )
    }

    pub fn auth(self) -> AuthService {
        let clock = self.clock();
        let transactions = Self::transactions(
            self.unit,
            &self.journal,
            clock.clone(),
            self.outcomes.clone(),
        );
        AuthService::new(
            AuthPorts {
                users: Arc::new(self.users),
                sessions: Arc::new(self.sessions),
                rotations: Arc::new(self.rotations),
                transactions,
                hasher: Arc::new(self.hasher),
                strength: Arc::new(self.strength),
                tokens: Arc::new(self.tokens),
                secrets: Arc::new(self.secrets),
                clock,
                outcomes: self.outcomes,
            },
            self.policy,
        )
    }

    pub fn admin_service(self) -> AdminService {
        let clock = self.clock();
        let transactions =
            Self::transactions(self.unit, &self.journal, clock.clone(), self.outcomes);
        AdminService::new(
            Arc::new(self.users),
            Arc::new(self.audit),
            transactions,
            Arc::new(self.cursors),
            clock,
        )
    }

    pub fn user_service(self) -> UserService {
        let clock = self.clock();
        let transactions =
            Self::transactions(self.unit, &self.journal, clock.clone(), self.outcomes);
        UserService::new(transactions, clock)
    }

    pub fn housekeeping(self, policy: PurgePolicy) -> Housekeeping {
        let clock = self.clock();
        let transactor = FakeTransactor {
            repositories: Arc::new(self.unit),
            journal: Arc::clone(&self.journal),
        };
        Housekeeping::new(Arc::new(transactor), clock, policy, self.outcomes)
    }

    /// Nothing is locked: every attempt is counted as the first of its
    /// window.
    pub fn nothing_locked(&mut self) {
        self.unit
            .throttles
            .expect_reserve()
            .returning(|_, _, _| Ok(Attempt::Counted(1)));
    }

    /// Every unit of work records its audit events without complaint.
    pub fn audit_accepted(&mut self) {
        self.unit.audit.expect_record().returning(|_| Ok(()));
    }

    /// Refresh secrets that are always `secret()`, digested to `digest(1)`.
    pub fn fixed_secrets(&mut self) {
        self.secrets
            .expect_generate()
            .returning(|| (secret(), digest(1)));
    }

    /// Access tokens that sign as `signed`.
    pub fn tokens_issued(&mut self) {
        self.tokens.expect_issue().returning(|_, _, _| {
            Ok(IssuedAccessToken {
                token: SecretString::from("signed"),
                lifetime: Duration::minutes(15),
            })
        });
    }
}

/// The limits the tests run under: five failures per address and per
/// device, twenty per network and forty per wide network, three
/// registrations per network and six per wide network.
pub fn policy() -> AuthPolicy {
    let rule = |threshold| ThrottleRule {
        threshold,
        window: Duration::hours(1),
        base_lock: Duration::seconds(30),
        max_lock: Duration::minutes(15),
    };
    AuthPolicy {
        sessions: SessionLifetime {
            absolute: Duration::days(30),
            idle: Duration::days(7),
            grace: Duration::seconds(10),
        },
        device_lifetime: Duration::days(90),
        login_per_account: rule(5),
        login_per_device: rule(5),
        login_per_network: rule(20),
        login_per_wide_network: rule(40),
        registration_per_network: rule(3),
        registration_per_wide_network: rule(6),
        networks: NetworkPrefixes::DEFAULT,
    }
}

struct FakeTransactor {
    repositories: Arc<UnitRepositories>,
    journal: Journal,
}

#[async_trait]
impl Transactor for FakeTransactor {
    async fn begin(&self, _: TransactionOptions) -> Result<Box<dyn UnitOfWork>, RepoError> {
        Ok(Box::new(FakeUnit {
            repositories: Arc::clone(&self.repositories),
            journal: Arc::clone(&self.journal),
        }))
    }
}

struct FakeUnit {
    repositories: Arc<UnitRepositories>,
    journal: Journal,
}

#[async_trait]
impl UnitOfWork for FakeUnit {
    fn users(&self) -> &dyn UserRepository {
        &self.repositories.users
    }

    fn sessions(&self) -> &dyn SessionRepository {
        &self.repositories.sessions
    }

    fn devices(&self) -> &dyn DeviceRepository {
        &self.repositories.devices
    }

    fn throttles(&self) -> &dyn ThrottleRepository {
        &self.repositories.throttles
    }

    fn audit(&self) -> &dyn AuditLog {
        &self.repositories.audit
    }

    async fn nest(&self) -> Result<Box<dyn UnitOfWork>, RepoError> {
        Err(RepoError::Internal("the use cases do not nest".into()))
    }

    async fn commit(self: Box<Self>) -> Result<(), RepoError> {
        self.journal.lock().expect("journal").push("commit");
        Ok(())
    }

    async fn rollback(self: Box<Self>) -> Result<(), RepoError> {
        self.journal.lock().expect("journal").push("rollback");
        Ok(())
    }
}

/// A stand-in for a real hash: distinct per password, in PHC shape.
pub fn hash_of(password: &str) -> PasswordHash {
    PasswordHash::parse(format!("$fake$v=1${password}")).expect("PHC-shaped")
}

/// The account the store would return after inserting `new`.
pub fn stored_user(new: &NewUser) -> User {
    let at = datetime!(2026-11-27 09:00 UTC);
    User {
        id: new.id,
        email: new.email.clone(),
        display_name: new.display_name.clone(),
        password_hash: new.password_hash.clone(),
        role: Role::User,
        status: UserStatus::Active,
        email_verified: false,
        version: 1,
        created_at: at,
        updated_at: at,
    }
}

/// An active `ada@example.com` account whose password is `password`.
pub fn registered_user(password: &str) -> User {
    stored_user(&NewUser {
        id: UserId::generate(),
        email: Email::parse("ada@example.com").expect("valid"),
        display_name: DisplayName::parse("Ada").expect("valid"),
        password_hash: hash_of(password),
    })
}

/// The claims of a token of `user` in a new session.
pub fn claims_for(user: &User) -> AccessClaims {
    let now = datetime!(2026-11-27 09:00 UTC);
    AccessClaims {
        user_id: user.id,
        session_id: SessionId::generate(),
        role: user.role,
        issued_at: now,
        expires_at: now + Duration::minutes(15),
    }
}

pub fn secret() -> RefreshSecret {
    RefreshSecret::parse(&"s".repeat(RefreshSecret::ENCODED_LEN)).expect("valid")
}

/// A digest told apart by `n`.
pub fn digest(n: u8) -> SecretDigest {
    SecretDigest::from_bytes([n; 32])
}

pub fn unavailable() -> RepoError {
    RepoError::Unavailable("connection refused".into())
}
