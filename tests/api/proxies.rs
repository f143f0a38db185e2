//! The client address behind reverse proxies: only our proxies' entries of `X-Forwarded-For`
//! are believed, so a client cannot escape its rate limits by writing the header itself.
use serde_json::json;

use crate::helpers::*;

async fn login_from(app: &TestApp, forwarded_for: Option<&str>) -> u16 {
    let mut request = app.post(
        "/api/v1/auth/token",
        &json!({"email": "nobody@example.fr", "password": "wrong password!"}),
    );
    if let Some(chain) = forwarded_for {
        request = request.header("X-Forwarded-For", chain);
    }
    request.send().await.unwrap().status().as_u16()
}

api_test!(async fn forged_chains_do_not_escape_the_login_limit(app) env ["PRIX_AUTH_RATE_LIMIT" = "3", "PRIX_TRUSTED_PROXIES" = "127.0.0.1/32, 10.0.0.0/8"] {
    // The test client is the trusted proxy: the client is the rightmost other address.
    let app = &app;
    let statuses: Vec<u16> = futures::future::join_all((0..6).map(|i| async move {
        login_from(app, Some(&format!("203.0.113.{i}, 10.1.2.3, 198.51.100.7, 10.0.0.1"))).await
    })).await;
    assert_eq!(statuses.iter().filter(|status| **status == 401).count(), 3, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|status| **status == 429).count(), 3, "{statuses:?}");
    // Another real client behind the same proxy has its own budget.
    assert_eq!(login_from(app, Some("198.51.100.8")).await, 401);
});

api_test!(async fn without_trusted_proxies_the_header_is_ignored(app) env ["PRIX_AUTH_RATE_LIMIT" = "3"] {
    let mut statuses = Vec::new();
    for i in 0..5 {
        statuses.push(login_from(&app, Some(&format!("198.51.100.{i}"))).await);
    }
    assert_eq!(statuses, [401, 401, 401, 429, 429]);
});

api_test!(async fn voter_codes_are_limited_per_email_domain(app) env ["PRIX_VOTER_CODES_PER_DOMAIN" = "2", "PRIX_VOTER_RATE_LIMIT" = "1000"] {
    let prize = uuid::Uuid::new_v4();
    let request = |email: String| {
        let app = &app;
        async move {
            app.post(&format!("/api/v1/prizes/{prize}/voter-verifications"), &json!({"email": email})).send().await.unwrap()
        }
    };
    // A catch-all domain: any local part reaches the same mailbox.
    for i in 0..2 {
        assert_eq!(request(format!("voter{i}@s{i}.catch-all.fr")).await.status(), 404);
    }
    // Subdomains of the same registrable domain count together.
    let refused = request("voter9@Sub.Catch-All.fr".into()).await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    // Other domains, and large webmail providers, are not affected.
    assert_eq!(request("voter@other.example".into()).await.status(), 404);
    for i in 0..5 {
        assert_eq!(request(format!("voter{i}@gmail.com")).await.status(), 404);
    }
});
