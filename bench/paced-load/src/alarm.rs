//! A wake-up at a given instant, to the microsecond, for the event loop:
//! epoll's own timeout counts in whole milliseconds, which would make every
//! request up to a millisecond late.

use std::io;
use std::os::fd::{AsFd, AsRawFd};
use std::time::Duration;

use mio::unix::SourceFd;
use mio::{Interest, Poll, Token};
use nix::sys::time::TimeSpec;
use nix::sys::timerfd::{ClockId, Expiration, TimerFd, TimerFlags, TimerSetTimeFlags};

pub struct Alarm {
    timer: TimerFd,
}

impl Alarm {
    /// An alarm whose ringing `poll` reports as `token`.
    pub fn new(poll: &Poll, token: Token) -> io::Result<Self> {
        let timer = TimerFd::new(
            ClockId::CLOCK_MONOTONIC,
            TimerFlags::TFD_NONBLOCK | TimerFlags::TFD_CLOEXEC,
        )?;
        poll.registry().register(
            &mut SourceFd(&timer.as_fd().as_raw_fd()),
            token,
            Interest::READABLE,
        )?;
        Ok(Self { timer })
    }

    /// Rings after `wait`, instead of when it was last set to.
    pub fn set(&self, wait: Duration) -> io::Result<()> {
        // A zero expiry would disarm the timer instead.
        let wait = wait.max(Duration::from_nanos(1));
        self.timer.set(
            Expiration::OneShot(TimeSpec::from_duration(wait)),
            TimerSetTimeFlags::empty(),
        )?;
        Ok(())
    }

    /// Takes the ringing in, so that the next one is reported again.
    pub fn acknowledge(&self) {
        // Nothing to read means it was re-set before it rang.
        let _ = self.timer.wait();
    }
}
