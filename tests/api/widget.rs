//! The embeddable vote: its files, its pages in both languages, and who may frame them.
use reqwest::Response;
use serde_json::{Value, json};

use crate::{
    ballots::ceremony,
    helpers::{TestApp, assert_problem, json, prize_of_kind},
    jury::shortlisted,
};

fn header<'a>(response: &'a Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .map_or("", |value| value.to_str().unwrap())
}

async fn set_embed_origins(
    app: &TestApp,
    organization: &str,
    token: &str,
    origins: &[&str],
) -> Response {
    let current = json(
        app.get(&format!("/api/v1/organizations/{organization}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let mut body = json!({
        "short_name": current["short_name"], "name": current["name"], "region": current["region"],
        "default_departements": current["default_departements"], "contact_email": current["contact_email"],
        "postal_addresses": current["postal_addresses"], "embed_origins": origins,
    });
    body["embed_origins"] = json!(origins);
    app.request(
        reqwest::Method::PUT,
        &format!("/api/v1/organizations/{organization}"),
    )
    .json(&body)
    .bearer_auth(token)
    .send()
    .await
    .unwrap()
}

api_test!(async fn the_embed_script_and_the_widget_files_are_served(app) {
    for (asset, media_type) in [
        ("embed.js", "text/javascript; charset=utf-8"),
        ("widget.js", "text/javascript; charset=utf-8"),
        ("widget.css", "text/css; charset=utf-8"),
    ] {
        let response = app.get(&format!("/widget/v1/{asset}")).send().await.unwrap();
        assert_eq!(response.status(), 200, "{asset}");
        assert_eq!(header(&response, "content-type"), media_type);
        assert_eq!(header(&response, "cross-origin-resource-policy"), "cross-origin");
        assert!(!response.text().await.unwrap().is_empty());
    }
    for missing in ["/widget/v1/secrets.txt", "/widget/v1/..%2Fsrc%2Fmain.rs", "/widget/v1/embed.js%00"] {
        let response = app.get(missing).send().await.unwrap();
        assert_eq!(response.status(), 404, "{missing}");
    }
});

api_test!(async fn the_widget_page_is_framed_only_by_the_organizations_sites(app) {
    let (run, prize) = shortlisted(&app, "public").await;
    let page = format!("/widget/v1/prizes/{prize}");
    let open = app.get(&page).send().await.unwrap();
    assert_eq!(open.status(), 200);
    assert_eq!(header(&open, "content-type"), "text/html; charset=utf-8");
    let policy = header(&open, "content-security-policy").to_owned();
    assert!(policy.contains("frame-ancestors *;"), "no sites listed: any, for development: {policy}");
    assert!(policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"), "{policy}");
    let html = open.text().await.unwrap();
    assert!(html.contains("<html lang=\"fr\">") && html.contains(&prize));
    assert!(!html.contains("<script>") && !html.contains("style="), "no inline code or style");

    let token = &run.organization.admin.token;
    let refused = set_embed_origins(&app, &run.organization.id, token, &["https://ceser.example/vote"]).await;
    let problem = assert_problem(refused, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "embed_origins[0]");
    let saved = set_embed_origins(
        &app,
        &run.organization.id,
        token,
        &["https://www.CESER.example/", "http://localhost:8000"],
    )
    .await;
    assert_eq!(saved.status(), 200);
    assert_eq!(
        json(saved).await["embed_origins"],
        json!(["https://www.ceser.example", "http://localhost:8000"])
    );
    let listed = app.get(&page).send().await.unwrap();
    assert!(header(&listed, "content-security-policy")
        .contains("frame-ancestors https://www.ceser.example http://localhost:8000;"));

    // English, an accent colour; anything else in the query changes nothing it should not.
    let english = app.get(&format!("{page}?lang=en&accent=B00020")).send().await.unwrap();
    let html = english.text().await.unwrap();
    assert!(html.contains("<html lang=\"en\">") && html.contains("data-accent=\"#b00020\""));
    let hostile = app
        .get(&format!("{page}?lang=%22%3E%3Cscript%3E&accent=%22%3E%3Cscript%3Ealert(1)%3C/script%3E"))
        .send()
        .await
        .unwrap();
    assert_eq!(hostile.status(), 200);
    let html = hostile.text().await.unwrap();
    assert!(!html.contains("alert(1)") && html.contains("<html lang=\"fr\">"));
});

api_test!(async fn the_vote_page_is_for_public_prizes_of_public_editions(app) {
    let (_, councillors) = ceremony(&app).await;
    let vote = app.get(&format!("/widget/v1/prizes/{councillors}")).send().await.unwrap();
    assert_eq!(vote.status(), 404, "the vote itself is for public prizes");
    let live = app.get(&format!("/widget/v1/prizes/{councillors}/live")).send().await.unwrap();
    assert_eq!(live.status(), 200, "the ceremony screen shows any ballot");
    assert!(live.text().await.unwrap().contains("class=\"live\""));

    // A draft edition's prize is not public yet.
    let organization = app.create_organization("ceser-widget-draft").await;
    let draft = app
        .create_numbered_edition(&organization, 77, crate::helpers::open_calendar())
        .await;
    let public_prize = prize_of_kind(&draft, "public");
    let hidden = app.get(&format!("/widget/v1/prizes/{public_prize}")).send().await.unwrap();
    assert_eq!(hidden.status(), 404);
});

api_test!(async fn embed_origins_cannot_rewrite_the_pages_security_policy(app) {
    let (run, prize) = shortlisted(&app, "public").await;
    let (organization, token) = (&run.organization.id, &run.organization.admin.token);
    for hostile in [
        "https://ceser.example;sandbox",
        "https://a.example,b",
        "https://a.example'",
        "https://*",
        "https://*.com",
        "https://a..example",
        "https://a.example:0",
    ] {
        let refused = set_embed_origins(&app, organization, token, &[hostile]).await;
        assert_problem(refused, 422, "validation_failed").await;
    }
    let twice = set_embed_origins(&app, organization, token, &["https://a.example", "https://A.example/"]).await;
    assert_problem(twice, 422, "validation_failed").await;
    // A value written around the API closes the widget to every site rather than opening it.
    for stored in ["not json", r#"["https://a.example;sandbox"]"#] {
        app.execute(&format!("UPDATE organizations SET embed_origins = '{stored}'"))
            .await;
        let page = app.get(&format!("/widget/v1/prizes/{prize}")).send().await.unwrap();
        assert_eq!(page.status(), 200);
        assert!(header(&page, "content-security-policy").contains("frame-ancestors 'none';"), "{stored}");
    }
});

api_test!(async fn a_page_that_cannot_be_shown_says_so_in_the_visitors_language(app) {
    let (run, public) = shortlisted(&app, "public").await;
    let edition = json(app.get(&format!("/api/v1/editions/{}", run.edition)).send().await.unwrap()).await;
    let councillors = prize_of_kind(&edition, "councillors");
    for (path, lang, words) in [
        (format!("/widget/v1/prizes/{councillors}"), "fr", "Ce scrutin n'existe pas"),
        (format!("/widget/v1/prizes/{}?lang=en", uuid::Uuid::new_v4()), "en", "This ballot does not exist"),
        ("/widget/v1/prizes/not-an-id".to_owned(), "fr", "Ce scrutin n'existe pas"),
        ("/widget/v1/prizes/not-an-id/live?lang=en".to_owned(), "en", "This ballot does not exist"),
    ] {
        let response = app.get(&path).send().await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(header(&response, "content-type"), "text/html; charset=utf-8");
        let html = response.text().await.unwrap();
        assert!(html.contains(&format!("<html lang=\"{lang}\">")) && html.contains(words), "{path}: {html}");
        assert!(!html.contains("urn:prix-ceser"), "no JSON in a page");
    }
    // A repeated or unknown option is no reason to refuse the page.
    let lenient = app
        .get(&format!("/widget/v1/prizes/{public}?lang=en&lang=fr&theme=dark&accent=zzz"))
        .send()
        .await
        .unwrap();
    assert_eq!(lenient.status(), 200);
    assert!(lenient.text().await.unwrap().contains("<html lang=\"en\">"));
});

/// The texts a widget page carries for its script, as JSON.
fn texts_of(html: &str) -> Value {
    let tag = r#"<script type="application/json" id="texts">"#;
    let start = html.find(tag).expect("the texts") + tag.len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

api_test!(async fn the_widget_speaks_the_visitors_language_unless_the_page_names_one(app) {
    let (_, prize) = shortlisted(&app, "public").await;
    let page = format!("/widget/v1/prizes/{prize}");
    for (query, accept, lang) in [("", None, "fr"), ("", Some("en-US,en;q=0.9"), "en"), ("?lang=fr", Some("en"), "fr"), ("?lang=en", None, "en"), ("?lang=de", Some("en"), "en")] {
        let mut request = app.get(&format!("{page}{query}"));
        if let Some(accept) = accept {
            request = request.header("accept-language", accept);
        }
        let response = request.send().await.unwrap();
        assert_eq!(header(&response, "content-language"), lang, "{query} {accept:?}");
        let html = response.text().await.unwrap();
        assert!(html.contains(&format!("<html lang=\"{lang}\">")), "{query} {accept:?}");
        let texts = texts_of(&html);
        let (opens_at, title) = match lang {
            "en" => ("It opens on {date} (Paris time).", "<title>Public vote</title>"),
            _ => ("Il ouvrira le {date} (heure de Paris).", "<title>Vote du public</title>"),
        };
        assert_eq!(texts["opens_at"], opens_at, "values are left for the script to fill in");
        assert!(html.contains(title), "{html}");
    }
    // Every text the script names is sent, in both languages.
    let script = app.get("/widget/v1/widget.js").send().await.unwrap().text().await.unwrap();
    for lang in ["fr", "en"] {
        let texts = texts_of(&app.get(&format!("{page}?lang={lang}")).send().await.unwrap().text().await.unwrap());
        for (at, _) in script.match_indices("t(\"") {
            // `t(` itself, not the end of another name (`split(`).
            if script[..at].ends_with(|c: char| c.is_alphanumeric() || c == '.' || c == '_') {
                continue;
            }
            let name = script[at + 3..].split('"').next().unwrap();
            assert!(texts[name].is_string(), "{lang}: no text `{name}`");
        }
    }
});
