//! The identifiers of the domain's records: UUID v7 newtypes, one type per
//! kind so that an account's id is never taken for a session's.

/// Declares `$name`, an identifier that is a UUID v7: generated now (so
/// identifiers sort by creation time), and shown and stored as its UUID.
macro_rules! uuid_v7_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(::uuid::Uuid);

        impl $name {
            /// A new identifier, made now.
            #[must_use]
            pub fn generate() -> Self {
                Self(::uuid::Uuid::now_v7())
            }

            /// The underlying UUID.
            #[must_use]
            pub fn as_uuid(&self) -> ::uuid::Uuid {
                self.0
            }
        }

        impl From<::uuid::Uuid> for $name {
            fn from(uuid: ::uuid::Uuid) -> Self {
                Self(uuid)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

pub(crate) use uuid_v7_id;
