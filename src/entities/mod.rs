//! sea-orm entities: the persisted shape only. Rules live in `domain`, use cases in `services`.
pub mod audit_event;
pub mod refresh_token;
pub mod user;
pub mod user_role;
