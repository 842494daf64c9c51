//! The task's own few requests to the service.
use std::fmt::Write as _;
use std::io::{Read as _, Write as _};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};

use anyhow::{Context, bail};
use serde_json::{Value, json};

use super::{Account, HTTP_TIMEOUT};

/// Just enough HTTP/1.0 for this task's own requests to the service.
pub(super) struct Client {
    pub(super) port: u16,
}

impl Client {
    /// The status and the JSON body (null when there is none) of a request.
    pub(super) fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> anyhow::Result<(u16, Value)> {
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        let mut stream = TcpStream::connect_timeout(&address, HTTP_TIMEOUT)?;
        stream.set_read_timeout(Some(HTTP_TIMEOUT))?;
        stream.set_write_timeout(Some(HTTP_TIMEOUT))?;
        let body = body.map(Value::to_string).unwrap_or_default();
        let mut request = format!(
            "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1:{}\r\nAccept: application/json\r\n",
            self.port
        );
        if !body.is_empty() {
            let _ = write!(
                request,
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            );
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
        Ok((status, serde_json::from_str(body).unwrap_or(Value::Null)))
    }

    pub(super) fn register(&self, account: &Account) -> anyhow::Result<()> {
        let body = json!({
            "email": account.email,
            "password": account.password,
            "displayName": "Schemathesis",
        });
        let (status, answer) = self.request("POST", "/v1/auth/register", Some(&body))?;
        if status != 201 {
            bail!("registering {} got {status}: {answer}", account.email);
        }
        Ok(())
    }

    /// Signs in, and checks that the account is active with its role.
    pub(super) fn sign_in(&self, account: &Account) -> anyhow::Result<()> {
        let body = json!({"email": account.email, "password": account.password});
        let (status, answer) = self.request("POST", "/v1/auth/login", Some(&body))?;
        let user = &answer["user"];
        if status != 200 || !answer["accessToken"].is_string() {
            bail!("signing in as {} got {status}: {answer}", account.email);
        }
        if user["role"] != account.role || user["status"] != "active" {
            bail!(
                "{} is no longer an active {}: {user}",
                account.email,
                account.role
            );
        }
        Ok(())
    }
}
