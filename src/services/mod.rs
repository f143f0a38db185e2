//! Use cases: each runs in one transaction and writes its audit event in that transaction.
pub mod accounts;
pub mod addresses;
pub mod applications;
pub mod attachments;
pub mod audit;
pub mod ballots;
pub mod editions;
pub mod jury;
pub mod live;
pub mod lookups;
pub mod mail;
pub mod organizations;
pub mod privacy;
pub mod roster;
pub mod sessions;
pub mod staff;
pub mod voters;
