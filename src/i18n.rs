//! The message catalogues, one per language (Project Fluent, `locales/{fr,en}/*.ftl`), and the
//! rendering of a [`Text`] in a reader's language. Every text the API writes for people comes
//! from here: problem titles and details, field messages, CSV headers, the widget, emails.
use std::{
    collections::{BTreeMap, BTreeSet},
    sync::LazyLock,
};

use fluent_bundle::{FluentArgs, FluentResource, FluentValue, concurrent::FluentBundle};
use fluent_syntax::ast;
use strum::IntoEnumIterator;

use crate::domain::{Lang, Text, refusal::ProblemCode, text::Arg};

/// The catalogue files, the same names in every language's directory.
macro_rules! catalogues {
    ($($file:literal),*) => {
        /// Each language's catalogue files: (language, file name, text).
        pub const FILES: &[(Lang, &str, &str)] = &[
            $((Lang::Fr, $file, include_str!(concat!("../locales/fr/", $file))),)*
            $((Lang::En, $file, include_str!(concat!("../locales/en/", $file))),)*
        ];
    };
}
catalogues!("problems.ftl", "exports.ftl", "widget.ftl");
/// The catalogue of the widget's texts.
const WIDGET: &str = "widget.ftl";

static BUNDLES: LazyLock<Vec<(Lang, FluentBundle<FluentResource>)>> = LazyLock::new(|| {
    Lang::iter()
        .map(|lang| {
            let tag = lang.tag().parse().expect("a language tag");
            let mut bundle = FluentBundle::new_concurrent(vec![tag]);
            // Plain text and JSON, not bidirectional markup: no isolation marks around values.
            bundle.set_use_isolating(false);
            for (_, name, source) in FILES.iter().filter(|(of, ..)| *of == lang) {
                let resource = FluentResource::try_new((*source).to_owned())
                    .unwrap_or_else(|(_, errors)| panic!("locales/{lang:?}/{name}: {errors:?}"));
                bundle
                    .add_resource(resource)
                    .unwrap_or_else(|errors| panic!("locales/{lang:?}/{name}: {errors:?}"));
            }
            (lang, bundle)
        })
        .collect()
});

fn bundle(lang: Lang) -> &'static FluentBundle<FluentResource> {
    let (_, bundle) = BUNDLES
        .iter()
        .find(|(of, _)| *of == lang)
        .expect("a bundle per language");
    bundle
}

/// The message `id` in `lang` with `args`; a message missing from the catalogue shows its id
/// (and is logged: the catalogue tests make sure it does not happen).
fn format(lang: Lang, id: &str, args: Option<&FluentArgs>) -> String {
    let bundle = bundle(lang);
    let Some(pattern) = bundle.get_message(id).and_then(|message| message.value()) else {
        tracing::error!(id, lang = lang.tag(), "message missing from the catalogue");
        return id.to_owned();
    };
    let mut errors = Vec::new();
    let text = bundle
        .format_pattern(pattern, args, &mut errors)
        .into_owned();
    if !errors.is_empty() {
        tracing::error!(
            id,
            lang = lang.tag(),
            ?errors,
            "message rendered with errors"
        );
    }
    text
}

/// `text` in `lang`.
pub fn render(lang: Lang, text: &Text) -> String {
    let mut args = FluentArgs::new();
    for (name, value) in &text.args {
        let value = match value {
            Arg::Plain(plain) => FluentValue::from(plain.as_str()),
            Arg::Number(number) => FluentValue::from(*number),
            Arg::Text(inner) => FluentValue::from(render(lang, inner)),
            Arg::List(texts) => FluentValue::from(
                texts
                    .iter()
                    .map(|inner| render(lang, inner))
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        };
        args.set(*name, value);
    }
    format(lang, text.id, Some(&args))
}

/// `text` for the people running the service (logs, the command line), in English.
pub fn for_operators(text: &Text) -> String {
    render(Lang::En, text)
}

/// The catalogue id of the title of a problem `code`: `title-` and the code in kebab case.
fn title_id(code: ProblemCode) -> String {
    format!("title-{}", code.as_str().replace('_', "-"))
}

/// The short summary of a problem type, the same for each occurrence (RFC 9457 `title`).
pub fn title(lang: Lang, code: ProblemCode) -> String {
    format(lang, &title_id(code), None)
}

/// The messages of a catalogue file, each with the values it shows.
fn messages_of(lang: Lang, file: &str) -> Vec<(String, BTreeSet<String>)> {
    let Some((_, _, source)) = FILES
        .iter()
        .find(|(of, name, _)| *of == lang && *name == file)
    else {
        return Vec::new();
    };
    let Ok(resource) = fluent_syntax::parser::parse(*source) else {
        return Vec::new();
    };
    resource
        .body
        .iter()
        .filter_map(|entry| match entry {
            ast::Entry::Message(message) => Some(message),
            _ => None,
        })
        .map(|message| {
            let mut variables = BTreeSet::new();
            if let Some(value) = &message.value {
                variables_of(value, &mut variables);
            }
            (message.id.name.to_owned(), variables)
        })
        .collect()
}

/// Every variable a pattern shows, in its selectors and variants too.
fn variables_of(pattern: &ast::Pattern<&str>, found: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            variables_in(expression, found);
        }
    }
}

fn variables_in(expression: &ast::Expression<&str>, found: &mut BTreeSet<String>) {
    let inline = |inline: &ast::InlineExpression<&str>, found: &mut BTreeSet<String>| match inline {
        ast::InlineExpression::VariableReference { id } => {
            found.insert(id.name.to_owned());
        }
        ast::InlineExpression::Placeable { expression } => variables_in(expression, found),
        _ => {}
    };
    match expression {
        ast::Expression::Inline(expression) => inline(expression, found),
        ast::Expression::Select { selector, variants } => {
            inline(selector, found);
            for variant in variants {
                variables_of(&variant.value, found);
            }
        }
    }
}

/// The widget's texts in `lang` (`widget.ftl`), by the names its script uses (`opens_at` for
/// `widget-opens-at`), each value left as `{name}` for the script to fill in.
pub fn widget_texts(lang: Lang) -> BTreeMap<String, String> {
    messages_of(lang, WIDGET)
        .into_iter()
        .filter_map(|(id, variables)| {
            let name = id.strip_prefix("widget-")?.replace('-', "_");
            let mut args = FluentArgs::new();
            for variable in variables {
                let placeholder = format!("{{{variable}}}");
                args.set(variable, FluentValue::from(placeholder));
            }
            Some((name, format(lang, &id, Some(&args))))
        })
        .collect()
}

/// The ids of the messages whose id is built at run time, not written in a `text!`: problem
/// titles, and the widget's texts (sent whole).
pub fn computed_ids() -> impl Iterator<Item = String> {
    ProblemCode::iter().map(title_id).chain(
        messages_of(Lang::default(), WIDGET)
            .into_iter()
            .map(|(id, _)| id),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each message of a catalogue file and the variables it shows.
    type Messages = BTreeMap<String, BTreeSet<String>>;

    fn messages(lang: Lang, file: &str) -> Messages {
        let (_, _, source) = FILES
            .iter()
            .find(|(of, name, _)| *of == lang && *name == file)
            .unwrap_or_else(|| panic!("locales/{}/{file} is missing", lang.tag()));
        if let Err((_, errors)) = fluent_syntax::parser::parse(*source) {
            panic!("locales/{}/{file}: {errors:?}", lang.tag());
        }
        messages_of(lang, file).into_iter().collect()
    }

    fn files() -> BTreeSet<&'static str> {
        FILES.iter().map(|(_, name, _)| *name).collect()
    }

    #[test]
    fn every_message_exists_in_every_language_with_the_same_values() {
        for file in files() {
            let french = messages(Lang::Fr, file);
            for lang in Lang::iter() {
                let other = messages(lang, file);
                let only = |a: &Messages, b: &Messages| -> Vec<String> {
                    a.keys()
                        .filter(|id| !b.contains_key(*id))
                        .cloned()
                        .collect()
                };
                assert!(
                    only(&french, &other).is_empty() && only(&other, &french).is_empty(),
                    "{file}: only in French: {:?}; only in {}: {:?}",
                    only(&french, &other),
                    lang.tag(),
                    only(&other, &french)
                );
                for (id, variables) in &french {
                    assert_eq!(
                        &other[id],
                        variables,
                        "{file}: {id} shows other values in {}",
                        lang.tag()
                    );
                }
            }
        }
    }

    /// The source files of the crate, read as text.
    fn sources() -> Vec<(String, String)> {
        fn walk(dir: &std::path::Path, found: &mut Vec<(String, String)>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, found);
                } else if path.extension().is_some_and(|ext| ext == "rs") {
                    found.push((
                        path.display().to_string(),
                        std::fs::read_to_string(&path).unwrap(),
                    ));
                }
            }
        }
        let mut found = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut found,
        );
        found
    }

    #[test]
    fn every_message_written_is_in_the_catalogue_and_every_message_is_used() {
        let catalogue: BTreeSet<String> = files()
            .into_iter()
            .flat_map(|file| messages(Lang::Fr, file).into_keys())
            .collect();
        let mut used: BTreeSet<String> = computed_ids().collect();
        for (path, source) in sources() {
            for (at, call) in source.match_indices("text!(") {
                let Some(quoted) = source[at + call.len()..].trim_start().strip_prefix('"') else {
                    continue;
                };
                let id = quoted.split('"').next().unwrap_or_default();
                // Not a message id: this very test, which looks for the macro.
                if !id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                {
                    continue;
                }
                assert!(catalogue.contains(id), "{path}: `{id}` is in no catalogue");
                used.insert(id.to_owned());
            }
        }
        let unused: Vec<&String> = catalogue.difference(&used).collect();
        assert!(unused.is_empty(), "messages no code shows: {unused:?}");
    }

    #[test]
    fn texts_render_with_plural_forms_and_nested_texts() {
        let wait = |seconds: i64| text!("detail-rate-limited", seconds = Arg::Number(seconds));
        assert_eq!(
            render(Lang::En, &wait(1)),
            "Too many requests; retry in 1 second."
        );
        assert_eq!(
            render(Lang::En, &wait(30)),
            "Too many requests; retry in 30 seconds."
        );
        assert_eq!(
            render(Lang::Fr, &wait(1)),
            "Trop de requêtes ; réessayez dans 1 seconde."
        );
        let nested = text!(
            "field-unreadable",
            reason = text!("field-must-not-be-empty")
        );
        assert_eq!(
            render(Lang::En, &nested),
            "cannot be read: must not be empty"
        );
        let listed = text!(
            "jury-composition",
            jury_findings = Arg::List(vec![
                text!("composition-no-councillor"),
                text!("composition-laureate-seat"),
            ])
        );
        assert_eq!(
            render(Lang::Fr, &listed),
            "Le jury déroge à la règle de composition (Le jury ne compte aucun conseiller. \
             Le lauréat de l'édition précédente doit siéger comme personnalité qualifiée.) : \
             indiquez un motif écrit."
        );
    }
}
