//! Just enough of HTTP/1.1 to read an answer to a `GET`: its status, its
//! length, and whether the connection stays open.

use std::io;

pub fn malformed(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_owned())
}

#[derive(Debug, PartialEq)]
pub struct Status {
    pub code: u16,
    pub keep_alive: bool,
}

/// An answer's status line and headers, once they have all arrived.
#[derive(Debug, PartialEq)]
pub struct Head {
    pub status: Status,
    /// Bytes of the status line and headers, with the blank line.
    pub length: usize,
    /// Bytes of the body, from `Content-Length`.
    pub body: usize,
}

impl Head {
    pub fn parse(received: &[u8]) -> io::Result<Option<Self>> {
        let Some(end) = received.windows(4).position(|window| window == b"\r\n\r\n") else {
            return Ok(None);
        };
        let text =
            std::str::from_utf8(&received[..end]).map_err(|_| malformed("a head not UTF-8"))?;
        let mut lines = text.split("\r\n");
        let code = lines
            .next()
            .and_then(|line| line.strip_prefix("HTTP/1.1 "))
            .and_then(|rest| rest.get(..3))
            .and_then(|code| code.parse().ok())
            .ok_or_else(|| malformed("no HTTP/1.1 status line"))?;
        let mut body = None;
        let mut keep_alive = true;
        for line in lines {
            let (name, value) = line
                .split_once(':')
                .ok_or_else(|| malformed("a header without a colon"))?;
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                body = Some(
                    value
                        .parse()
                        .map_err(|_| malformed("a bad Content-Length"))?,
                );
            } else if name.eq_ignore_ascii_case("connection") && value.eq_ignore_ascii_case("close")
            {
                keep_alive = false;
            }
        }
        Ok(Some(Self {
            status: Status { code, keep_alive },
            length: end + 4,
            body: body.ok_or_else(|| malformed("an answer without Content-Length"))?,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_is_read_once_complete() {
        let answer =
            b"HTTP/1.1 401 Unauthorized\r\ncontent-length: 2\r\nConnection: close\r\n\r\n{}";
        assert_eq!(Head::parse(&answer[..20]).ok(), Some(None));
        let head = Head::parse(answer).ok().flatten();
        assert_eq!(
            head,
            Some(Head {
                status: Status {
                    code: 401,
                    keep_alive: false
                },
                length: answer.len() - 2,
                body: 2,
            })
        );
    }

    #[test]
    fn an_answer_without_its_length_is_malformed() {
        assert!(Head::parse(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n").is_err());
        assert!(Head::parse(b"SMTP ready\r\n\r\n").is_err());
    }
}
