//! Starting the service and talking to it.

use adapters_crypto::SigningKey;
use clap::Parser as _;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use server::{Application, Cli, Shutdown};
use sqlx::PgPool;
use test_db::TestDatabase;
use tokio::io::AsyncReadExt as _;
use tokio::net::TcpStream;
use uuid::Uuid;

use crate::log_audit;

pub const PASSWORD: &str = "correct horse battery staple";

/// The argon2id memory of the services under test, with one pass: a hash
/// costs tens of microseconds rather than a millisecond or more, and these
/// tests check behaviour, not cost (`hashing.rs` sets its own).
pub const CHEAP_ARGON2_MEMORY_KIB: u32 = 64;

/// A running service and what a test needs to talk to it.
pub struct TestApp {
    pub base: String,
    /// The base URL of the metrics listener.
    pub metrics: String,
    pub client: reqwest::Client,
    /// The key the service signs with, to forge tokens it must refuse.
    pub key: SigningKey,
    /// Asks the service to stop, as SIGTERM does.
    pub shutdown: Shutdown,
    /// The service's database, for a second instance or direct checks.
    pub database_url: String,
    db: PgPool,
    /// The service's database: dropped with the app, kept when the test
    /// fails.
    _database: TestDatabase,
}

/// How the service under test runs.
#[derive(Debug, Clone, Copy)]
pub struct AppSettings {
    pub http_workers: usize,
    pub db_max_connections: u32,
}

impl AppSettings {
    /// For tests of requests that race in the database: two connections,
    /// so that two requests' statements reach it at once.
    pub const RACING: Self = Self {
        http_workers: 1,
        db_max_connections: 2,
    };
}

impl Default for AppSettings {
    fn default() -> Self {
        Self {
            http_workers: 1,
            // One: enough for tests of behaviour, and each connection is a
            // server process started and stopped for every test. A code
            // path that needed two connections at once would wait here
            // until the acquire timeout, so the suite would show it.
            db_max_connections: 1,
        }
    }
}

/// Starts the service on a random port against a database of its own,
/// with cheap password hashing (these tests check behaviour, not cost).
pub async fn spawn_app() -> TestApp {
    spawn_app_configured(AppSettings::default(), &[]).await
}

/// [`spawn_app`] with [`AppSettings::RACING`] and these further
/// command-line flags.
pub async fn spawn_racing_app(flags: &[&str]) -> TestApp {
    spawn_app_configured(AppSettings::RACING, &owned(flags)).await
}

/// [`spawn_app`], with these further command-line flags.
pub async fn spawn_app_with_flags(flags: &[&str]) -> TestApp {
    spawn_app_configured(AppSettings::default(), &owned(flags)).await
}

/// Flags as the command line takes them.
fn owned(flags: &[&str]) -> Vec<String> {
    flags.iter().map(|&flag| flag.to_owned()).collect()
}

/// [`spawn_app`], with more workers or database connections and these
/// further command-line flags.
pub async fn spawn_app_configured(settings: AppSettings, flags: &[String]) -> TestApp {
    // A migrated clone of the template: the service need not migrate.
    spawn_app_on(TestDatabase::create().await, settings, flags).await
}

/// [`spawn_app_configured`], on `database`.
pub async fn spawn_app_on(
    database: TestDatabase,
    settings: AppSettings,
    flags: &[String],
) -> TestApp {
    let database_url = database.url();
    let Started {
        base,
        metrics,
        key,
        shutdown,
    } = start(&database_url, settings, flags, None).await;
    TestApp {
        base,
        metrics,
        client: reqwest::Client::new(),
        key,
        shutdown,
        database_url,
        // Most tests never read the database behind the service's back.
        db: database.lazy_pool(2),
        _database: database,
    }
}

/// Starts the service against a database server that is not there, which
/// it waits for at most `acquire_timeout_ms`: its base URL.
pub async fn spawn_app_without_database(acquire_timeout_ms: u64) -> String {
    start(
        "postgres://doorman@localhost/doorman?host=/nonexistent",
        AppSettings::default(),
        &[format!("--db-acquire-timeout-ms={acquire_timeout_ms}")],
        None,
    )
    .await
    .base
}

/// A service just started.
struct Started {
    base: String,
    metrics: String,
    key: SigningKey,
    shutdown: Shutdown,
}

/// Starts the service and its metrics listener on random ports, signing
/// with `key` or a new key.
async fn start(
    database_url: &str,
    settings: AppSettings,
    extra: &[String],
    key: Option<&SigningKey>,
) -> Started {
    // Through the suite's transaction pooler when it has one, migrating
    // (if asked to) directly.
    let (service_url, pooler_flags) = match test_db::through_pooler(database_url) {
        Some(pooled) => (
            pooled,
            vec![
                "--db-pooler=transaction".to_owned(),
                format!("--migration-database-url={database_url}"),
            ],
        ),
        None => (database_url.to_owned(), Vec::new()),
    };
    let arguments = [
        "doorman".to_owned(),
        format!("--database-url={service_url}"),
        "--bind-address=127.0.0.1:0".to_owned(),
        format!("--http-workers={}", settings.http_workers),
        format!("--db-max-connections={}", settings.db_max_connections),
        format!("--argon2-memory-kib={CHEAP_ARGON2_MEMORY_KIB}"),
        "--argon2-iterations=1".to_owned(),
        "--log=off".to_owned(),
        "--metrics-bind-address=127.0.0.1:0".to_owned(),
    ];
    let audit_flags = log_audit::service_flags()
        .iter()
        .map(|&flag| flag.to_owned());
    let arguments: Vec<String> = arguments
        .into_iter()
        .chain(pooler_flags)
        .chain(audit_flags)
        .collect();
    let mut cli = Cli::try_parse_from(arguments.iter().chain(extra)).expect("arguments parse");
    let key = match key {
        Some(key) => {
            SigningKey::from_pkcs8_pem(&key.to_pkcs8_pem().expect("encodes")).expect("decodes")
        }
        None => SigningKey::generate(),
    };
    cli.config.access_token_private_key = Some(key.to_pkcs8_pem().expect("encodes"));
    let application = Application::build(&cli.config)
        .await
        .expect("the service starts");
    let base = format!("http://{}", application.address());
    let metrics = format!(
        "http://{}",
        application.metrics_address().expect("metrics are served")
    );
    let shutdown = application.shutdown();
    // Stopped by `shutdown`: a test process's signals stay its own.
    tokio::spawn(application.run());
    Started {
        base,
        metrics,
        key,
        shutdown,
    }
}

/// The session id of a refresh token, `<session id>.<secret>`.
pub fn session_id(refresh_token: &str) -> Uuid {
    refresh_token
        .split_once('.')
        .and_then(|(id, _)| id.parse().ok())
        .expect("<session id>.<secret>")
}

/// An address no other test uses.
pub fn unique_email() -> String {
    let email = format!("user-{}@example.com", Uuid::now_v7().simple());
    log_audit::remember(&email);
    email
}

/// The tokens of a sign-in.
pub struct Tokens {
    pub access: String,
    pub refresh: String,
}

impl Tokens {
    pub fn of(body: &Value) -> Self {
        log_audit::remember_fields_of(body);
        Self {
            access: body["accessToken"]
                .as_str()
                .expect("accessToken")
                .to_owned(),
            refresh: body["refreshToken"]
                .as_str()
                .expect("refreshToken")
                .to_owned(),
        }
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Whether the service runs behind the suite's transaction pooler.
    pub fn behind_pooler(&self) -> bool {
        test_db::through_pooler(&self.database_url).is_some()
    }

    /// What a scrape of the metrics listener returns.
    pub async fn scrape(&self) -> String {
        let response = self
            .client
            .get(format!("{}/metrics", self.metrics))
            .send()
            .await
            .expect("scraped");
        assert_eq!(response.status(), StatusCode::OK);
        response.text().await.expect("text")
    }

    /// Another instance of the service on the same database and key, with
    /// these further flags: its base URL.
    pub async fn another_instance(&self, flags: &[&str]) -> String {
        self.another_instance_with_key(&self.key, flags).await
    }

    /// Another instance of the service on the same database, signing with
    /// `key`, with these further flags: its base URL. It has the default
    /// settings (one connection): a test that races two instances needs
    /// more.
    pub async fn another_instance_with_key(&self, key: &SigningKey, flags: &[&str]) -> String {
        start(
            &self.database_url,
            AppSettings::default(),
            &owned(flags),
            Some(key),
        )
        .await
        .base
    }

    /// Signs in: the token pair.
    pub async fn sign_in(&self, email: &str) -> Tokens {
        self.sign_in_with(email, PASSWORD).await
    }

    /// Signs in with `password`: the token pair.
    pub async fn sign_in_with(&self, email: &str, password: &str) -> Tokens {
        let response = self.login(email, password).await;
        assert_eq!(response.status(), StatusCode::OK);
        Tokens::of(&response.json().await.expect("json"))
    }

    /// Registers a new account and signs in: its address and token pair.
    pub async fn new_account(&self) -> (String, Tokens) {
        let email = unique_email();
        assert_eq!(self.register(&email).await.status(), StatusCode::CREATED);
        let tokens = self.sign_in(&email).await;
        (email, tokens)
    }

    pub async fn refresh(&self, refresh_token: &str) -> Response {
        self.post_json(
            "/v1/auth/refresh",
            &json!({ "refreshToken": refresh_token }),
        )
        .await
    }

    /// A request with a bearer token, to add to.
    pub fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
    ) -> reqwest::RequestBuilder {
        log_audit::remember(token);
        self.client
            .request(method, self.url(path))
            .bearer_auth(token)
    }

    /// Registers an account, makes it an administrator in the database and
    /// signs in: its id and token pair.
    pub async fn new_admin(&self) -> (Uuid, Tokens) {
        let (email, _) = self.new_account().await;
        let id = self.user_id(&email).await;
        self.alter_account("UPDATE users SET role = 'admin' WHERE id = $1", id)
            .await;
        (id, self.sign_in(&email).await)
    }

    /// A request with a bearer token and, when given, a JSON body.
    pub async fn send_with_token(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<&Value>,
    ) -> Response {
        let mut request = self.request(method, path, token);
        if let Some(body) = body {
            log_audit::remember_fields_of(body);
            request = request.json(body);
        }
        request.send().await.expect("request sent")
    }

    /// Runs `sql` on the service's database and returns the first column of
    /// its single row; `sql` gets `id` as `$1`.
    pub async fn count(&self, sql: &'static str, id: Uuid) -> i64 {
        sqlx::query_scalar(sql)
            .bind(id)
            .fetch_one(&self.db)
            .await
            .unwrap_or_else(|error| panic!("{sql}: {error}"))
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        log_audit::remember_fields_of(body);
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn register(&self, email: &str) -> Response {
        self.post_json(
            "/v1/auth/register",
            &json!({"email": email, "password": PASSWORD, "displayName": "Ada Lovelace"}),
        )
        .await
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.post_json(
            "/v1/auth/login",
            &json!({"email": email, "password": password}),
        )
        .await
    }

    /// Registers an account and signs in: its id and access token.
    pub async fn signed_in_user(&self) -> (Uuid, String) {
        let email = unique_email();
        assert_eq!(self.register(&email).await.status(), StatusCode::CREATED);
        let body: Value = self
            .login(&email, PASSWORD)
            .await
            .json()
            .await
            .expect("json");
        let id = body["user"]["id"]
            .as_str()
            .expect("id")
            .parse()
            .expect("uuid");
        (id, body["accessToken"].as_str().expect("token").to_owned())
    }

    /// Changes the account directly in the database, for what the API
    /// offers no way to do yet: `sql` gets the account's id as `$1`.
    pub async fn alter_account(&self, sql: &'static str, id: Uuid) {
        sqlx::query(sql)
            .bind(id)
            .execute(&self.db)
            .await
            .unwrap_or_else(|error| panic!("{sql}: {error}"));
    }

    /// The service's database, for checks a test makes there.
    pub fn pool(&self) -> PgPool {
        self.db.clone()
    }

    /// Changes the attempt counters directly in the database.
    pub async fn alter_throttles(&self, sql: &'static str) {
        sqlx::query(sql)
            .execute(&self.db)
            .await
            .unwrap_or_else(|error| panic!("{sql}: {error}"));
    }

    /// The stored password hash of account `id`.
    pub async fn password_hash(&self, id: Uuid) -> String {
        sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
            .bind(id)
            .fetch_one(&self.db)
            .await
            .expect("the account exists")
    }

    /// The id of the account with `email`.
    pub async fn user_id(&self, email: &str) -> Uuid {
        sqlx::query_scalar("SELECT id FROM users WHERE lower(email) = lower($1)")
            .bind(email)
            .fetch_one(&self.db)
            .await
            .expect("the account exists")
    }

    /// How many accounts have `email` in any letter case.
    pub async fn accounts_with_email(&self, email: &str) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM users WHERE lower(email) = lower($1)")
            .bind(email)
            .fetch_one(&self.db)
            .await
            .expect("count accounts")
    }

    pub async fn get_with_token(&self, path: &str, token: &str) -> Response {
        self.request(reqwest::Method::GET, path, token)
            .send()
            .await
            .expect("request sent")
    }
}

/// Checks that `response` is an error in the contract's shape, named by the
/// service's own request id (a UUID v7, in the header too, since the
/// helpers send no `x-request-id`), and returns the `error` object.
pub async fn assert_error(response: Response, status: StatusCode, kind: &str) -> Value {
    assert_eq!(response.status(), status);
    let request_id = response
        .headers()
        .get("x-request-id")
        .expect("x-request-id header")
        .to_str()
        .expect("ascii")
        .to_owned();
    let body: Value = response.json().await.expect("a JSON error body");
    let error = body["error"].clone();
    assert_eq!(error["type"], kind, "{body}");
    assert_eq!(error["statusCode"], status.as_u16(), "{body}");
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert_eq!(error["requestId"], request_id.as_str(), "{body}");
    let ours: Uuid = request_id.parse().expect("the service's own id, a UUID");
    assert_eq!(ours.get_version_num(), 7, "{body}");
    error
}

/// Reads one response: its head, then as much body as its
/// `content-length` says.
pub async fn read_response(stream: &mut TcpStream) -> (String, String) {
    let mut received = Vec::new();
    let mut chunk = [0; 4096];
    loop {
        let read = stream.read(&mut chunk).await.expect("read the response");
        assert_ne!(read, 0, "closed before a whole response: {received:?}");
        received.extend_from_slice(&chunk[..read]);
        let text = String::from_utf8_lossy(&received);
        let Some((head, body)) = text.split_once("\r\n\r\n") else {
            continue;
        };
        let length: usize = head
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().expect("a content-length"))
            })
            .expect("a content-length");
        if body.len() >= length {
            return (head.to_owned(), body.to_owned());
        }
    }
}
