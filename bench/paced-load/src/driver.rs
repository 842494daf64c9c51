//! One thread driving every connection: each sends its next request when
//! it is due, or as soon as its answer is in if that is later, and never
//! has more than one in flight.

use std::cmp::Ordering;
use std::io::{self, ErrorKind, Read, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};

use crate::alarm::Alarm;
use crate::http::{Head, Status, malformed};
use crate::schedule::Schedule;

/// The alarm's token; each connection's is its index.
const ALARM: Token = Token(usize::MAX);

/// What the connections saw.
#[derive(Default)]
pub struct Tally {
    /// Of each answered request, from when it was due to its answer.
    pub latencies: Vec<Duration>,
    pub non_success: u64,
    /// Requests lost to a connection that failed or an answer that was not
    /// HTTP; each is followed by a new connection.
    pub failures: u64,
}

struct Connection {
    stream: Option<TcpStream>,
    schedule: Schedule,
    /// When the request in flight, or the next one, is due.
    due: Option<Instant>,
    in_flight: bool,
    received: Vec<u8>,
}

/// Sends `request` to `address` over one connection per schedule.
pub fn run(address: SocketAddr, request: &[u8], schedules: Vec<Schedule>) -> io::Result<Tally> {
    let mut poll = Poll::new()?;
    let mut events = Events::with_capacity(schedules.len() + 1);
    let alarm = Alarm::new(&poll, ALARM)?;
    let mut connections: Vec<Connection> = schedules
        .into_iter()
        .map(|mut schedule| Connection {
            stream: None,
            due: schedule.next(),
            schedule,
            in_flight: false,
            received: Vec::with_capacity(16 * 1024),
        })
        .collect();
    let mut tally = Tally::default();
    loop {
        let now = Instant::now();
        let mut next_due: Option<Instant> = None;
        for (index, connection) in connections.iter_mut().enumerate() {
            let Some(due) = connection.due.filter(|_| !connection.in_flight) else {
                continue;
            };
            if due > now {
                next_due = Some(next_due.map_or(due, |next| next.min(due)));
            } else if connection
                .send(&poll, Token(index), address, request)
                .is_err()
            {
                tally.failures += 1;
                connection.fail();
            }
        }
        let waiting = connections.iter().any(|connection| connection.in_flight);
        if next_due.is_none() && !waiting {
            return Ok(tally);
        }
        if let Some(due) = next_due {
            alarm.set(due.saturating_duration_since(Instant::now()))?;
        }
        match poll.poll(&mut events, None) {
            Err(error) if error.kind() == ErrorKind::Interrupted => {}
            other => other?,
        }
        for event in &events {
            if event.token() == ALARM {
                alarm.acknowledge();
                continue;
            }
            let Some(connection) = connections.get_mut(event.token().0) else {
                continue;
            };
            match connection.receive() {
                Ok(Some(status)) => tally.record(connection.answered(status)),
                Ok(None) => {}
                Err(_) => {
                    tally.failures += 1;
                    connection.fail();
                }
            }
        }
        events.clear();
    }
}

impl Tally {
    fn record(&mut self, (latency, status): (Duration, Status)) {
        self.latencies.push(latency);
        if !(200..300).contains(&status.code) {
            self.non_success += 1;
        }
    }
}

impl Connection {
    /// Writes the request, connecting first if there is no connection.
    fn send(
        &mut self,
        poll: &Poll,
        token: Token,
        address: SocketAddr,
        request: &[u8],
    ) -> io::Result<()> {
        let stream = match &mut self.stream {
            Some(stream) => stream,
            None => self.stream.insert(connect(poll, token, address)?),
        };
        // A request this small fits an empty send buffer whole.
        if stream.write(request)? != request.len() {
            return Err(malformed("a request written in part"));
        }
        self.in_flight = true;
        self.received.clear();
        Ok(())
    }

    /// Reads what has arrived; the status once the whole answer is in.
    fn receive(&mut self) -> io::Result<Option<Status>> {
        let Some(stream) = self.stream.as_mut().filter(|_| self.in_flight) else {
            return Ok(None);
        };
        let mut chunk = [0u8; 8192];
        loop {
            match stream.read(&mut chunk) {
                Ok(0) => return Err(ErrorKind::UnexpectedEof.into()),
                Ok(read) => self.received.extend_from_slice(&chunk[..read]),
                Err(error) if error.kind() == ErrorKind::WouldBlock => break,
                Err(error) if error.kind() == ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
        }
        let Some(head) = Head::parse(&self.received)? else {
            return Ok(None);
        };
        match self.received.len().cmp(&(head.length + head.body)) {
            Ordering::Less => Ok(None),
            Ordering::Equal => Ok(Some(head.status)),
            Ordering::Greater => Err(malformed("bytes after the answer")),
        }
    }

    /// Ends the request in flight, and gives its latency.
    fn answered(&mut self, status: Status) -> (Duration, Status) {
        let latency = self.due.map_or(Duration::ZERO, |due| due.elapsed());
        if !status.keep_alive {
            self.stream = None;
        }
        self.next();
        (latency, status)
    }

    /// Drops the connection and the request, and moves on to the next.
    fn fail(&mut self) {
        self.stream = None;
        self.next();
    }

    fn next(&mut self) {
        self.in_flight = false;
        self.due = self.schedule.next();
    }
}

fn connect(poll: &Poll, token: Token, address: SocketAddr) -> io::Result<TcpStream> {
    // Connecting blocks, briefly, so that a request is never written to a
    // socket still connecting.
    let stream = std::net::TcpStream::connect(address)?;
    stream.set_nodelay(true)?;
    stream.set_nonblocking(true)?;
    let mut stream = TcpStream::from_std(stream);
    poll.registry()
        .register(&mut stream, token, Interest::READABLE)?;
    Ok(stream)
}
