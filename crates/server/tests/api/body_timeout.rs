//! A request body that does not arrive in time.
//!
//! On its own, and named to sort early: libtest starts tests in name
//! order, and this one waits a second on the clock for the timeout, so
//! started last it would be the binary's tail.

use std::time::Duration;

use tokio::io::AsyncWriteExt as _;
use tokio::net::TcpStream;

use crate::helpers::{read_response, spawn_app_with_flags};

#[tokio::test]
async fn a_body_that_does_not_arrive_in_time_is_a_408_that_closes_the_connection() {
    let app = spawn_app_with_flags(&["--http-body-timeout-secs=1"]).await;
    let address = app.base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).await.expect("connected");

    stream
        .write_all(
            b"POST /v1/auth/login HTTP/1.1\r\nHost: doorman\r\n\
              Content-Type: application/json\r\nContent-Length: 64\r\n\r\n{\"email\":",
        )
        .await
        .expect("sent the head and a part of the body");
    // Bounded, so that a service that waits for the body forever fails
    // the test instead of hanging it.
    let (head, body) = tokio::time::timeout(Duration::from_secs(30), read_response(&mut stream))
        .await
        .expect("answered within 30 s");

    assert!(head.starts_with("HTTP/1.1 408"), "{head}");
    // The request's unread body is still on the wire, so the server must
    // not read what follows as the next request; the close after the
    // response is actix's linger, a second more on the clock.
    assert!(
        head.to_ascii_lowercase()
            .contains("\r\nconnection: close\r\n"),
        "{head}"
    );
    assert!(body.contains("\"type\":\"RequestTimeoutError\""), "{body}");
}
