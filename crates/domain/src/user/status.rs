use std::fmt;
use std::str::FromStr;

/// Whether an account may sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UserStatus {
    /// May sign in.
    Active,
    /// Refused at sign-in, and its tokens are refused too.
    Disabled,
}

impl UserStatus {
    /// The name used in the API and in the store.
    #[must_use]
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Disabled => "disabled",
        }
    }
}

/// A status name that is neither `active` nor `disabled`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be one of: active, disabled")]
pub struct UnknownStatus;

impl FromStr for UserStatus {
    type Err = UnknownStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "active" => Ok(Self::Active),
            "disabled" => Ok(Self::Disabled),
            _ => Err(UnknownStatus),
        }
    }
}

impl fmt::Display for UserStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_its_name() {
        for status in [UserStatus::Active, UserStatus::Disabled] {
            assert_eq!(status.as_str().parse::<UserStatus>(), Ok(status));
        }
    }

    #[test]
    fn rejects_other_names() {
        for name in ["", "Active", "locked"] {
            assert_eq!(name.parse::<UserStatus>(), Err(UnknownStatus), "{name:?}");
        }
    }
}
