//! The rules, as pure functions and types: no I/O here, everything unit-tested.
pub mod address_proof;
pub mod application;
pub mod attachment;
pub mod audit_chain;
pub mod ballot;
pub mod calendar;
pub mod departement;
pub mod display_name;
pub mod edition;
pub mod email;
pub mod jury;
pub mod organization;
pub mod pagination;
pub mod password;
pub mod refusal;
pub mod role;
pub mod roster;
pub mod scoring;
pub mod validation;
pub mod voter;

pub use display_name::DisplayName;
pub use email::Email;
pub use password::Password;
pub use role::Role;
pub use validation::FieldError;
