//! A task's own few requests to the service, or to Prometheus.
use std::fmt::Write as _;
use std::io::{Read as _, Write as _};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};

use anyhow::{Context, bail};
use serde_json::{Value, json};

use super::{Account, HTTP_TIMEOUT};

/// Just enough HTTP/1.0 for a task's own requests to a server on
/// 127.0.0.1.
pub struct Client {
    port: u16,
    /// Sent as `Authorization: Bearer`.
    bearer: Option<String>,
}

/// What a sign-in or a refresh returns.
pub struct Tokens {
    pub access: String,
    pub refresh: String,
}

impl Client {
    pub fn new(port: u16) -> Self {
        Self { port, bearer: None }
    }

    /// The same server, its requests authorised by an access token.
    pub fn with_bearer(&self, access_token: &str) -> Self {
        Self {
            port: self.port,
            bearer: Some(access_token.to_owned()),
        }
    }

    /// The status and the JSON body (null when there is none or it is not
    /// JSON) of a request.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> anyhow::Result<(u16, Value)> {
        let (status, body) = self.exchange(method, path, body)?;
        Ok((status, serde_json::from_str(&body).unwrap_or(Value::Null)))
    }

    /// The status and the body, as text, of a request.
    pub fn exchange(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> anyhow::Result<(u16, String)> {
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        let mut stream = TcpStream::connect_timeout(&address, HTTP_TIMEOUT)?;
        stream.set_read_timeout(Some(HTTP_TIMEOUT))?;
        stream.set_write_timeout(Some(HTTP_TIMEOUT))?;
        let body = body.map(Value::to_string).unwrap_or_default();
        let mut request = format!(
            "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1:{}\r\nAccept: application/json\r\n",
            self.port
        );
        if let Some(token) = &self.bearer {
            let _ = write!(request, "Authorization: Bearer {token}\r\n");
        }
        if !body.is_empty() {
            let _ = write!(
                request,
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            );
        } else if method != "GET" {
            // An HTTP/1.0 request with a method that takes a body must say
            // how long it is: actix answers 400 otherwise.
            request.push_str("Content-Length: 0\r\n");
        }
        request.push_str("\r\n");
        request.push_str(&body);
        stream.write_all(request.as_bytes())?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response)?;
        let response = String::from_utf8_lossy(&response);
        let (head, body) = response
            .split_once("\r\n\r\n")
            .context("the response has no end of headers")?;
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .context("the response has no status")?;
        Ok((status, body.to_owned()))
    }

    pub fn register(&self, account: &Account<'_>, display_name: &str) -> anyhow::Result<()> {
        let body = json!({
            "email": account.email,
            "password": account.password,
            "displayName": display_name,
        });
        let (status, answer) = self.request("POST", "/v1/auth/register", Some(&body))?;
        if status != 201 {
            bail!("registering {} got {status}: {answer}", account.email);
        }
        Ok(())
    }

    /// Signs in, and checks that the account is active with its role.
    pub fn sign_in(&self, account: &Account<'_>) -> anyhow::Result<Tokens> {
        let body = json!({"email": account.email, "password": account.password});
        let (status, answer) = self.request("POST", "/v1/auth/login", Some(&body))?;
        let user = &answer["user"];
        let Some(tokens) = Tokens::of(&answer).filter(|_| status == 200) else {
            bail!("signing in as {} got {status}: {answer}", account.email);
        };
        if user["role"] != account.role || user["status"] != "active" {
            bail!(
                "{} is no longer an active {}: {user}",
                account.email,
                account.role
            );
        }
        Ok(tokens)
    }

    /// Trades a refresh token for a new pair.
    pub fn refresh(&self, refresh_token: &str) -> anyhow::Result<Tokens> {
        let body = json!({"refreshToken": refresh_token});
        let (status, answer) = self.request("POST", "/v1/auth/refresh", Some(&body))?;
        match Tokens::of(&answer).filter(|_| status == 200) {
            Some(tokens) => Ok(tokens),
            None => bail!("refreshing got {status}: {answer}"),
        }
    }
}

impl Tokens {
    /// The pair in the body of a sign-in or refresh.
    pub fn of(answer: &Value) -> Option<Self> {
        Some(Self {
            access: answer["accessToken"].as_str()?.to_owned(),
            refresh: answer["refreshToken"].as_str()?.to_owned(),
        })
    }
}
