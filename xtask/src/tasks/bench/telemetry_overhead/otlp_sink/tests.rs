use std::io::Cursor;

use super::{Request, read_request};

#[test]
fn requests_are_read_one_after_another_on_a_kept_alive_connection() {
    let mut connection = Cursor::new(
        "POST /v1/metrics HTTP/1.1\r\nContent-Type: application/x-protobuf\r\n\
         Content-Length: 5\r\n\r\nabcde\
         POST /v1/traces HTTP/1.1\r\ncontent-length: 3\r\nConnection: close\r\n\r\nxyz",
    );
    let first = read_request(&mut connection).expect("an in-memory read");
    let second = read_request(&mut connection).expect("an in-memory read");
    let end = read_request(&mut connection).expect("an in-memory read");
    assert_eq!(
        first,
        Some(Request {
            path: "/v1/metrics".into(),
            length: 5,
            close: false
        })
    );
    assert_eq!(
        second,
        Some(Request {
            path: "/v1/traces".into(),
            length: 3,
            close: true
        })
    );
    assert_eq!(end, None);
}

#[test]
fn a_body_cut_short_ends_the_connection() {
    let mut connection = Cursor::new("POST /v1/traces HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc");
    assert_eq!(
        read_request(&mut connection).expect("an in-memory read"),
        None
    );
}
