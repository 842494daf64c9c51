//! A request body that does not arrive in time.
//!
//! On its own, and named to sort early: libtest starts tests in name
//! order, and this one waits two seconds on the clock (the timeout, then
//! the server's linger before it closes), so started last it was the
//! binary's tail.

use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::helpers::spawn_app_with_flags;

#[tokio::test]
async fn a_body_that_does_not_arrive_in_time_is_a_408_and_the_connection_ends() {
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
    let mut answer = Vec::new();
    // Bounded, so that a service that waits for the body forever fails
    // the test instead of hanging it.
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut answer))
        .await
        .expect("answered and closed within 30 s")
        .expect("read until closed");

    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        answer.contains("\"type\":\"RequestTimeoutError\""),
        "{answer}"
    );
}
