//! sea-orm entities: the persisted shape only. Rules live in `domain`, use cases in `services`.
pub mod application;
pub mod application_answer;
pub mod application_location;
pub mod attachment;
pub mod audit_event;
pub mod criterion;
pub mod edition;
pub mod organization;
pub mod organization_admin;
pub mod prize;
pub mod refresh_token;
pub mod user;
pub mod user_role;
