//! Authentication (who is calling) and authorization (what each operation allows).
pub mod access;
pub mod jwt;
pub mod password;
pub mod policy;
pub mod principal;
pub mod secret_token;

pub use jwt::{Claims, JwtKeys};
pub use principal::{Principal, TokenLimits};
