//! The names the wire gives the account's fields: the one place where the
//! domain's [`AccountField`] becomes `displayName`.

use domain::user::AccountField;

/// The field as the JSON of the API names it.
pub(crate) fn wire_name(field: AccountField) -> &'static str {
    match field {
        AccountField::Email => "email",
        AccountField::DisplayName => "displayName",
        AccountField::Password => "password",
        AccountField::Role => "role",
        AccountField::Status => "status",
    }
}
