use uuid::Uuid;

use super::{
    refusal::{ProblemCode, Refusal, refuse},
    validation::FieldError,
};

/// A short name: 2 to 32 characters among a-z, 0-9 and `-` (used in addresses and exports).
pub fn parse_short_name(raw: &str) -> Result<String, FieldError> {
    let name = raw.trim();
    let valid = (2..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if valid {
        Ok(name.to_owned())
    } else {
        Err(FieldError::new(
            "",
            "invalid_format",
            text!("field-short-name-format"),
        ))
    }
}

/// The sites that may embed an organization's voting widget: at most this many.
pub const MAX_EMBED_ORIGINS: usize = 20;

/// A web origin a widget may be embedded in: `https://host[:port]` (or `http://` for local
/// development), nothing after the host; returned in its canonical form (lower case, no
/// default port), as a browser sends it. The host is a domain name (letters, digits and
/// hyphens in labels of at most 63 characters), an IPv4 or an IPv6 address: it goes into a
/// `Content-Security-Policy` header, where anything else would change its meaning.
pub fn parse_embed_origin(raw: &str) -> Result<String, FieldError> {
    let invalid = || FieldError::new("", "invalid_format", text!("field-must-be-an-origin-such"));
    let trimmed = raw.trim().trim_end_matches('/');
    let url = url::Url::parse(trimmed).map_err(|_| invalid())?;
    let bare = url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none()
        && url.username().is_empty()
        && url.password().is_none();
    let host_valid = match url.host() {
        Some(url::Host::Domain(domain)) => is_domain_name(domain),
        Some(url::Host::Ipv4(_) | url::Host::Ipv6(_)) => true,
        None => false,
    };
    if !matches!(url.scheme(), "http" | "https") || !bare || !host_valid || url.port() == Some(0) {
        return Err(invalid());
    }
    Ok(url.origin().ascii_serialization())
}

fn is_domain_name(domain: &str) -> bool {
    domain.len() <= 253
        && domain.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// The `frame-ancestors` of a widget page from the organization's stored origins: any site
/// when it lists none; no site at all when one of them is not a valid origin (a value written
/// around the API is not trusted into the header).
pub fn frame_ancestors(stored: &[String]) -> String {
    if stored.is_empty() {
        return "*".to_owned();
    }
    let origins: Result<Vec<String>, _> = stored
        .iter()
        .map(|origin| parse_embed_origin(origin).map_err(|_| ()))
        .collect();
    match origins {
        Ok(origins) => origins.join(" "),
        Err(()) => "'none'".to_owned(),
    }
}

/// Staff do not remove themselves from their organization's staff: another admin does, so
/// that an organization is never left without one by mistake.
pub fn check_staff_removal(caller: Uuid, removed: Uuid) -> Result<(), Refusal> {
    if caller == removed {
        return refuse(ProblemCode::CannotLockOutSelf, text!("cannot-leave-staff"));
    }
    Ok(())
}

/// An organization's staff are accounts holding the admin role.
pub fn check_staff_candidate(holds_admin_role: bool) -> Result<(), Refusal> {
    if !holds_admin_role {
        return refuse(ProblemCode::NotAnAdmin, text!("not-an-admin"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_are_admins() {
        assert!(check_staff_candidate(true).is_ok());
        assert_eq!(
            check_staff_candidate(false).unwrap_err().code,
            ProblemCode::NotAnAdmin
        );
    }

    #[test]
    fn staff_do_not_remove_themselves() {
        let (me, other) = (Uuid::from_u128(1), Uuid::from_u128(2));
        assert!(check_staff_removal(me, other).is_ok());
        assert_eq!(
            check_staff_removal(me, me).unwrap_err().code,
            ProblemCode::CannotLockOutSelf
        );
    }

    #[test]
    fn short_names_are_slugs() {
        assert_eq!(parse_short_name(" ceser-ara ").unwrap(), "ceser-ara");
        for bad in ["C", "ceser ara", "CESER", "-x", "x-", "é-a"] {
            assert!(parse_short_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn embed_origins_are_bare_origins_in_canonical_form() {
        assert_eq!(
            parse_embed_origin("https://WWW.Ceser.example/").unwrap(),
            "https://www.ceser.example"
        );
        assert_eq!(
            parse_embed_origin("https://ceser.example:443").unwrap(),
            "https://ceser.example"
        );
        assert_eq!(
            parse_embed_origin("http://localhost:8000").unwrap(),
            "http://localhost:8000"
        );
        for bad in [
            "ceser.example",
            "https://ceser.example/vote",
            "https://ceser.example?x=1",
            "https://user@ceser.example",
            "javascript:alert(1)",
            "ftp://ceser.example",
            "https://ceser.example; script-src *",
            "https://ceser.example;sandbox",
            "https://a.example,b",
            "https://a.example'",
            "https://a.example\"x",
            "https://a.example{x}",
            "https://*",
            "https://*.com",
            "https://a..example",
            "https://-a.example",
            "https://a.example:0",
            &*format!("https://{}.example", "a".repeat(64)),
            "*",
            "",
        ] {
            assert!(parse_embed_origin(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_embed_origin("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            parse_embed_origin("https://[::1]").unwrap(),
            "https://[::1]"
        );
        assert_eq!(frame_ancestors(&[]), "*");
        assert_eq!(
            frame_ancestors(&[
                "https://a.example".into(),
                "https://a.example;sandbox".into()
            ]),
            "'none'",
            "a stored value that is not an origin closes the widget to every site"
        );
        assert_eq!(
            frame_ancestors(&["https://a.example".into(), "https://b.example".into()]),
            "https://a.example https://b.example"
        );
    }
}
