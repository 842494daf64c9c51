/// A field of an account: what a refused value or a recorded change is
/// about. Each adapter spells it in its own language (the store's, the
/// wire's); the domain and the use cases name it only by this enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountField {
    /// The email address.
    Email,
    /// The name shown to people.
    DisplayName,
    /// The password (its hash, in the store).
    Password,
    /// The role.
    Role,
    /// The status.
    Status,
}

impl AccountField {
    /// Every field, for parsing and listing.
    pub const ALL: [Self; 5] = [
        Self::Email,
        Self::DisplayName,
        Self::Password,
        Self::Role,
        Self::Status,
    ];
}

#[cfg(test)]
mod tests {
    use super::AccountField;

    #[test]
    fn all_lists_every_field_once() {
        for (position, field) in AccountField::ALL.into_iter().enumerate() {
            // Exhaustive: a new field must be given its place in `ALL` here.
            let expected = match field {
                AccountField::Email => 0,
                AccountField::DisplayName => 1,
                AccountField::Password => 2,
                AccountField::Role => 3,
                AccountField::Status => 4,
            };
            assert_eq!(position, expected, "{field:?}");
        }
    }
}
