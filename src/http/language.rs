//! The language of each answer: negotiated from `Accept-Language` (French, unless the caller
//! prefers English), told in `Content-Language` and, for caches, in `Vary`. An error is
//! rendered again in that language (it is first rendered in French, before the language of
//! the request is known to it).
use std::future::{Ready, ready};

use actix_web::{
    Error, FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError,
    body::{BoxBody, MessageBody},
    dev::{Payload, ServiceRequest, ServiceResponse},
    http::{
        StatusCode,
        header::{self, AcceptLanguage, Header, HeaderMap, HeaderValue, Preference, Quality},
    },
    middleware::Next,
};

use crate::{
    domain::{Lang, language::in_language, pagination::Page},
    error::ApiError,
    services::{
        applications::Application,
        ballots::{BallotView, Laureate, ResultsDocument},
        editions::{Criterion, CriterionTexts, Edition, EditionTexts, Prize, PrizeTexts},
        organizations::Organization,
    },
};

/// The language asked for in `Accept-Language`: its languages by preference, those marked
/// `q=0` (not acceptable) left out; French when the header is absent or unreadable.
fn asked(message: &impl HttpMessage) -> Lang {
    let Ok(AcceptLanguage(mut items)) = AcceptLanguage::parse(message) else {
        return Lang::default();
    };
    items.retain(|item| item.quality > Quality::ZERO);
    // Stable: languages of equal weight keep the order they were listed in.
    items.sort_by_key(|item| std::cmp::Reverse(item.quality));
    Lang::negotiate(items.iter().map(|item| match &item.item {
        Preference::Specific(tag) => Some(tag.as_str()),
        Preference::Any => None,
    }))
}

/// The language of the request being answered.
pub fn of(request: &HttpRequest) -> Lang {
    request
        .extensions()
        .get::<Lang>()
        .copied()
        .unwrap_or_else(|| asked(request))
}

/// The language of the answer, for a handler that writes text for people.
#[derive(Debug, Clone, Copy)]
pub struct Language(pub Lang);

impl FromRequest for Language {
    type Error = Error;
    type Future = Ready<Result<Self, Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Language(of(request))))
    }
}

/// Middleware: negotiates the language, renders a problem document in it, and says so.
pub async fn negotiate(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let lang = asked(&request);
    request.extensions_mut().insert(lang);
    let response = match next.call(request).await {
        Ok(response) => response.map_into_boxed_body(),
        // An inner middleware's refusal (authentication, access) is answered further out.
        Err(error) => return Err(Localized { error, lang }.into()),
    };
    let localized = (lang != Lang::default())
        .then(|| response.response().error()?.as_error::<ApiError>())
        .flatten()
        .map(|problem| problem.body(lang));
    let mut response = match localized {
        Some(body) => response.map_body(|_, _| BoxBody::new(body)),
        None => response,
    };
    tell(response.headers_mut(), lang);
    Ok(response)
}

/// Says the answer's language when it holds words (not a file, a script or an empty answer),
/// unless the handler said it (a page in the language it was asked in by its query, say).
fn tell(headers: &mut HeaderMap, lang: Lang) {
    if has_words(headers) && !headers.contains_key(header::CONTENT_LANGUAGE) {
        headers.insert(
            header::CONTENT_LANGUAGE,
            HeaderValue::from_static(lang.tag()),
        );
    }
    headers.append(header::VARY, HeaderValue::from_static("Accept-Language"));
}

/// Whether an answer's media type holds words in a language: text (but not scripts and style
/// sheets), JSON and problem documents, signed documents.
fn has_words(headers: &HeaderMap) -> bool {
    let Some(media_type) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(|value| value.trim().to_ascii_lowercase())
    else {
        return false;
    };
    match media_type.as_str() {
        "text/javascript" | "text/css" => false,
        "application/json" | "application/problem+json" | "application/jose" => true,
        other => other.starts_with("text/"),
    }
}

/// An error on its way out, to be answered in `lang`.
#[derive(Debug)]
struct Localized {
    error: Error,
    lang: Lang,
}

impl std::fmt::Display for Localized {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(formatter)
    }
}

impl ResponseError for Localized {
    fn status_code(&self) -> StatusCode {
        self.error.as_response_error().status_code()
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = match self.error.as_error::<ApiError>() {
            Some(problem) => problem.respond(self.lang),
            None => self.error.error_response(),
        };
        tell(response.headers_mut(), self.lang);
        response
    }
}

/// What organizers write for visitors, in the reader's language (`localized`): the English as
/// written where there is one, else the French. The texts as written stay as they are.
pub trait ForReader {
    fn for_reader(self, lang: Lang) -> Self;
}

impl ForReader for Edition {
    fn for_reader(mut self, lang: Lang) -> Self {
        self.localized = EditionTexts::of(
            lang,
            &self.title,
            self.title_en.as_deref(),
            self.theme.as_deref(),
            self.theme_en.as_deref(),
        );
        self.criteria = self.criteria.for_reader(lang);
        self.prizes = self.prizes.for_reader(lang);
        self
    }
}

impl ForReader for Criterion {
    fn for_reader(mut self, lang: Lang) -> Self {
        self.localized = CriterionTexts::of(
            lang,
            (&self.label_fr, self.label_en.as_deref()),
            &self.description,
            self.description_en.as_deref(),
        );
        self
    }
}

impl ForReader for Prize {
    fn for_reader(mut self, lang: Lang) -> Self {
        self.localized = PrizeTexts::of(
            lang,
            &self.name,
            self.name_en.as_deref(),
            self.description.as_deref(),
            self.description_en.as_deref(),
        );
        self
    }
}

impl ForReader for Application {
    fn for_reader(mut self, lang: Lang) -> Self {
        self.automatic_check = self.automatic_check.map(|check| check.in_language(lang));
        self
    }
}

impl ForReader for BallotView {
    fn for_reader(mut self, lang: Lang) -> Self {
        self.name = self.name.in_language(lang);
        self
    }
}

impl ForReader for Laureate {
    fn for_reader(mut self, lang: Lang) -> Self {
        self.name = self.name.in_language(lang);
        self
    }
}

impl ForReader for ResultsDocument {
    fn for_reader(mut self, lang: Lang) -> Self {
        self.edition = self.edition.in_language(lang);
        self.laureates = self.laureates.for_reader(lang);
        for ballot in &mut self.ballots {
            ballot.name = std::mem::take(&mut ballot.name).in_language(lang);
        }
        self
    }
}

impl ForReader for Organization {
    fn for_reader(mut self, lang: Lang) -> Self {
        self.localized_name = in_language(lang, &self.name, self.name_en.as_deref()).to_owned();
        self
    }
}

impl<T: ForReader> ForReader for Vec<T> {
    fn for_reader(self, lang: Lang) -> Self {
        self.into_iter().map(|item| item.for_reader(lang)).collect()
    }
}

impl<T: ForReader> ForReader for Page<T> {
    fn for_reader(mut self, lang: Lang) -> Self {
        self.items = self.items.for_reader(lang);
        self
    }
}
