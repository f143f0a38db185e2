//! Words for people, kept apart from any language: a message of the catalogue (`locales/`),
//! named by its id, with the values it shows. The rules say *what* to tell; the edge
//! (`crate::i18n`) renders it in the reader's language.
use std::fmt::Display;

/// A message of the catalogue and its arguments. Build one with [`text!`](crate::text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// The message's id in every catalogue (`locales/*/*.ftl`).
    pub id: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

/// A value a message shows: a text shown as it is, a number (which a message may choose its
/// plural form by), another message, or several, rendered in the same language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Plain(String),
    Number(i64),
    Text(Text),
    /// Messages shown one after the other, separated by a space.
    List(Vec<Text>),
}

impl<T: Display> From<T> for Arg {
    fn from(value: T) -> Self {
        Arg::Plain(value.to_string())
    }
}

impl From<Text> for Arg {
    fn from(text: Text) -> Self {
        Arg::Text(text)
    }
}

/// A message: `text!` takes the message's id (a string literal), then its arguments as
/// `name = value`; a bare `name` takes the variable of that name.
macro_rules! text {
    ($id:literal $(, $name:ident $(= $value:expr)?)* $(,)?) => {
        $crate::domain::text::Text {
            id: $id,
            args: vec![$((stringify!($name), $crate::domain::text::Arg::from(text!(@value $name $($value)?)))),*],
        }
    };
    (@value $name:ident $value:expr) => { $value };
    (@value $name:ident) => { $name };
}
