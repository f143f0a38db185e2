//! The embeddable public vote: the script an organizer pastes in their page, the widget page it
//! frames, and the ceremony screen. Plain HTML, CSS and JavaScript embedded in the binary
//! (`src/widget/`): no build step, no third-party script or font.
use actix_web::{HttpRequest, HttpResponse, get, http::header, middleware::from_fn, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::{
    auth::access::authorize,
    domain::{Lang, application::VIDEO_PLAYERS, organization::frame_ancestors},
    error::{self, ApiError},
    http::language,
    i18n,
    services::ballots,
    state::AppState,
};

const PAGE: &str = include_str!("../widget/page.html");
/// What a page that cannot be shown says instead, in the visitor's language, never as JSON.
const ERROR_PAGE: &str = include_str!("../widget/error.html");

/// The files the pages and the organizer's page load: name, media type, contents.
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "embed.js",
        "text/javascript; charset=utf-8",
        include_str!("../widget/embed.js"),
    ),
    (
        "widget.js",
        "text/javascript; charset=utf-8",
        include_str!("../widget/widget.js"),
    ),
    (
        "widget.css",
        "text/css; charset=utf-8",
        include_str!("../widget/widget.css"),
    ),
];

/// Get a file of the voting widget
///
/// `embed.js` (the script an organizer's page loads), `widget.js` or `widget.css`; any other name
/// is 404. Anyone, without a token; cacheable for 5 minutes and loadable from other sites.
#[utoipa::path(
    tag = "widget",
    params(("asset" = String, Path, description = "`embed.js`, `widget.js` or `widget.css`")),
    responses(
        (status = 200, description = "The file", content_type = "text/javascript", body = String),
        error::PublicResourceErrors,
    )
)]
#[get("/{asset}", wrap = "from_fn(authorize)")]
pub async fn get_widget_asset(asset: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let (_, media_type, contents) = ASSETS
        .iter()
        .find(|(name, ..)| *name == asset.as_str())
        .ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(*media_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        // Loaded by the organizer's page, on another site.
        .insert_header(("Cross-Origin-Resource-Policy", "cross-origin"))
        .body(*contents))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WidgetQuery {
    /// `fr` or `en`; without it (or with another), the visitor's language (`Accept-Language`,
    /// French by default).
    #[param(example = "fr")]
    pub lang: Option<String>,
    /// The accent colour, as 3 or 6 hexadecimal digits without `#` (ignored otherwise); the
    /// text on it is black or white, whichever contrasts more.
    #[param(example = "1f4e96")]
    pub accent: Option<String>,
}

impl WidgetQuery {
    /// Leniently, from a page's query string: the first value of each option, anything else
    /// ignored. A pasted snippet with a repeated or unknown option still shows the vote.
    fn parse(query: &str) -> Self {
        let first = |name: &str| {
            form_urlencoded::parse(query.as_bytes())
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.into_owned())
        };
        Self {
            lang: first("lang"),
            accent: first("accent"),
        }
    }

    /// The page's language: `lang` when it names one spoken here, else the visitor's
    /// (`Accept-Language`).
    fn language(&self, request: &HttpRequest) -> Lang {
        self.lang
            .as_deref()
            .and_then(Lang::of_tag)
            .unwrap_or_else(|| language::of(request))
    }
}

/// Get the embeddable public vote page
///
/// The public vote of a public prize, to frame in the organizer's page (`embed.js` does it): the
/// ballot in every state, the vote from the email to the receipt, then the results. Framed only by
/// the organization's embed origins (`frame-ancestors`; any site when it has none). `lang` (`fr` or
/// `en`) and `accent` (a hexadecimal colour) adjust it; another prize or an edition in draft gets
/// an HTML page saying so, with 404.
#[utoipa::path(
    tag = "widget",
    params(("id" = Uuid, Path, description = "Prize id (a public prize)"), WidgetQuery),
    responses(
        (status = 200, description = "The widget page", content_type = "text/html", body = String),
        (status = 404, description = "No public prize of a public edition by this id: a page saying so", content_type = "text/html", body = String),
        (status = 500, response = error::InternalError),
    )
)]
#[get("/prizes/{id}", wrap = "from_fn(authorize)")]
pub async fn get_widget_page(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    page(&state, &request, &id, Page::Vote).await
}

/// Get the ceremony screen of a ballot
///
/// A full-screen page for a projector: the turnout while the ballot is open, then the published
/// result, fed by the live stream. For a councillors' or public prize of an edition out of draft
/// (an HTML 404 page otherwise); `lang` and `accent` as for the vote page. Anyone, without a token.
#[utoipa::path(
    tag = "widget",
    params(("id" = Uuid, Path, description = "Prize id (a councillors' or public prize)"), WidgetQuery),
    responses(
        (status = 200, description = "The ceremony screen", content_type = "text/html", body = String),
        (status = 404, description = "No ballot of a public edition by this id: a page saying so", content_type = "text/html", body = String),
        (status = 500, response = error::InternalError),
    )
)]
#[get("/prizes/{id}/live", wrap = "from_fn(authorize)")]
pub async fn get_ceremony_screen(
    state: web::Data<AppState>,
    request: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    page(&state, &request, &id, Page::Live).await
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Page {
    Vote,
    Live,
}

async fn page(
    state: &AppState,
    request: &HttpRequest,
    prize_id: &str,
    page: Page,
) -> Result<HttpResponse, ApiError> {
    let query = WidgetQuery::parse(request.query_string());
    let lang = query.language(request);
    let texts = i18n::widget_texts(lang);
    let text = |name: &str| texts.get(name).map(String::as_str).unwrap_or_default();
    let title = match page {
        Page::Vote => text("page_vote_title"),
        Page::Live => text("page_live_title"),
    };
    let found = match Uuid::parse_str(prize_id) {
        Ok(prize_id) => ballots::embed_origins(&state.db, prize_id, page == Page::Vote)
            .await
            .map(|origins| Some((prize_id, origins))),
        Err(_) => Ok(None),
    };
    let (prize_id, origins) = match found {
        Ok(Some(found)) => found,
        Ok(None) | Err(ApiError::NotFound) => {
            let html = ERROR_PAGE
                .replace("{{lang}}", lang.tag())
                .replace("{{title}}", title)
                .replace("{{message}}", text("not_found"));
            return Ok(html_page(
                HttpResponse::NotFound(),
                lang,
                &Some(Vec::new()),
                html,
            ));
        }
        Err(error) => return Err(error),
    };
    let accent = query
        .accent
        .as_deref()
        .and_then(parse_accent)
        .unwrap_or_default();
    // Inside a script element: no `<` that could close it.
    let texts = serde_json::to_string(&texts)
        .map_err(anyhow::Error::from)?
        .replace('<', "\\u003c");
    let html = PAGE
        .replace("{{lang}}", lang.tag())
        .replace("{{title}}", title)
        .replace("{{loading}}", text("loading"))
        .replace("{{texts}}", &texts)
        .replace(
            "{{class}}",
            if page == Page::Vote { "vote" } else { "live" },
        )
        .replace("{{prize}}", &prize_id.to_string())
        .replace("{{accent}}", &accent);
    Ok(html_page(HttpResponse::Ok(), lang, &origins, html))
}

/// A widget page in `lang` with its headers: `origins` are the sites that may frame it (`None`:
/// none).
fn html_page(
    mut response: actix_web::HttpResponseBuilder,
    lang: Lang,
    origins: &Option<Vec<String>>,
    html: String,
) -> HttpResponse {
    response
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_LANGUAGE, lang.tag()))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            content_security_policy(origins),
        ))
        // The video players refuse to play without knowing the embedding site.
        .insert_header((header::REFERRER_POLICY, "strict-origin-when-cross-origin"))
        .body(html)
}

/// `#` and 3 or 6 hexadecimal digits, from the digits alone.
fn parse_accent(raw: &str) -> Option<String> {
    let valid = matches!(raw.len(), 3 | 6) && raw.bytes().all(|b| b.is_ascii_hexdigit());
    valid.then(|| format!("#{}", raw.to_ascii_lowercase()))
}

/// Only the page's own files and the API, the video players, and the embedding sites allowed
/// (`None`: the stored list cannot be read, so no site).
fn content_security_policy(origins: &Option<Vec<String>>) -> String {
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; frame-src {VIDEO_PLAYERS}; frame-ancestors {}; base-uri 'none'; \
         form-action 'none'",
        origins
            .as_deref()
            .map_or_else(|| "'none'".to_owned(), frame_ancestors)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_are_hexadecimal_colours_only() {
        assert_eq!(parse_accent("1F4E96").as_deref(), Some("#1f4e96"));
        assert_eq!(parse_accent("abc").as_deref(), Some("#abc"));
        for bad in ["", "red", "1f4e9", "#1f4e96", "1f4e96\"><script>", "ggg"] {
            assert_eq!(parse_accent(bad), None, "{bad}");
        }
    }

    #[test]
    fn pages_run_no_inline_code_and_are_framed_by_the_allowed_sites_only() {
        let policy = content_security_policy(&Some(vec!["https://www.ceser.example".into()]));
        assert!(policy.contains("frame-ancestors https://www.ceser.example;"));
        assert!(policy.contains("script-src 'self';"));
        assert!(!policy.contains("unsafe-inline"));
        assert!(content_security_policy(&Some(vec![])).contains("frame-ancestors *;"));
        assert!(content_security_policy(&None).contains("frame-ancestors 'none';"));
    }
}
