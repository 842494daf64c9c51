use crate::id::uuid_v7_id;

uuid_v7_id! {
    /// The identifier of a user: a UUID v7, so identifiers sort by creation
    /// time.
    UserId
}
