//! The app's message catalogue: one Fluent file per language (`*.ftl` beside this
//! file), compiled into the binary. Every sentence a screen shows comes from here;
//! a message missing in one language, or taking other placeholders than in English,
//! fails this module's tests.

use super::language::Language;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::cell::Cell;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::OnceLock;

/// The catalogue source of each language, in [`Language::ALL`] order (a test holds
/// it so).
const SOURCES: [(Language, &str); 4] = [
    (Language::En, include_str!("en.ftl")),
    (Language::Ja, include_str!("ja.ftl")),
    (Language::Ko, include_str!("ko.ftl")),
    (Language::Es, include_str!("es.ftl")),
];

/// What a message whose id is not in the catalogue shows: visible on screen and easy
/// to search for in a rendering test.
pub const MISSING: &str = "⟦missing⟧";

/// A value for a message's placeholder.
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    Text(&'a str),
    /// A number that chooses the plural form (`{ $n -> [one] … *[other] … }`).
    Count(u64),
}

/// The messages of one language.
pub struct Catalogue {
    language: Language,
    bundle: FluentBundle<FluentResource>,
}

impl Catalogue {
    /// The catalogue of `language`, parsed once.
    pub fn of(language: Language) -> &'static Catalogue {
        static CATALOGUES: OnceLock<Vec<Catalogue>> = OnceLock::new();
        let all = CATALOGUES.get_or_init(|| {
            SOURCES
                .iter()
                .map(|&(language, source)| Catalogue::parse(language, source))
                .collect()
        });
        &all[language.index()]
    }

    /// The catalogue of the language the app speaks now.
    pub fn current() -> &'static Catalogue {
        Self::of(current_language())
    }

    fn parse(language: Language, source: &str) -> Self {
        // A syntax error drops only the broken entry; the tests fail on any.
        let resource = FluentResource::try_new(source.to_owned()).unwrap_or_else(|(r, _)| r);
        let tag = language
            .as_str()
            .parse()
            .unwrap_or_else(|_| unic_langid::LanguageIdentifier::default());
        let mut bundle = FluentBundle::new_concurrent(vec![tag]);
        // Placeables stay as typed: no invisible bidi isolation marks around them
        // (every language here is written left to right).
        bundle.set_use_isolating(false);
        let _ = bundle.add_resource(resource);
        Self { language, bundle }
    }

    pub fn language(&self) -> Language {
        self.language
    }

    /// Whether the message (or `message.attribute`) is in this catalogue.
    pub fn has(&self, id: &str, attribute: Option<&str>) -> bool {
        match (self.bundle.get_message(id), attribute) {
            (Some(message), None) => message.value().is_some(),
            (Some(message), Some(attribute)) => message.get_attribute(attribute).is_some(),
            (None, _) => false,
        }
    }

    /// A message with no placeholder.
    pub fn text(&self, id: &str) -> String {
        self.format(id, &[])
    }

    /// A message with its placeholders filled in by name.
    pub fn format(&self, id: &str, args: &[(&str, Arg<'_>)]) -> String {
        let pattern = self.bundle.get_message(id).and_then(|m| m.value());
        self.format_pattern(pattern, args)
    }

    /// An attribute of a message (`.detail`), with its placeholders filled in.
    pub fn attribute(&self, id: &str, attribute: &str, args: &[(&str, Arg<'_>)]) -> String {
        let pattern = self
            .bundle
            .get_message(id)
            .and_then(|m| m.get_attribute(attribute))
            .map(|a| a.value());
        self.format_pattern(pattern, args)
    }

    fn format_pattern(
        &self,
        pattern: Option<&fluent_syntax::ast::Pattern<&str>>,
        args: &[(&str, Arg<'_>)],
    ) -> String {
        let Some(pattern) = pattern else {
            return MISSING.to_owned();
        };
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            let value = match *value {
                Arg::Text(text) => FluentValue::from(text),
                Arg::Count(n) => FluentValue::from(n),
            };
            fluent_args.set(*name, value);
        }
        let mut errors = vec![];
        self.bundle
            .format_pattern(pattern, Some(&fluent_args), &mut errors)
            .into_owned()
    }
}

static CURRENT: AtomicU8 = AtomicU8::new(0);

thread_local! {
    /// A language this thread speaks for a while, whatever the app's ([`speaking`]).
    static THIS_THREAD: Cell<Option<Language>> = const { Cell::new(None) };
}

/// The language the app speaks now (English until [`set_language`]).
pub fn current_language() -> Language {
    if let Some(language) = THIS_THREAD.with(Cell::get) {
        return language;
    }
    let index = CURRENT.load(Ordering::Relaxed) as usize;
    Language::ALL.get(index).copied().unwrap_or(Language::En)
}

/// Runs `work` with this thread speaking `language`, the rest of the app unchanged:
/// a rendering test shows a screen in each language while other tests run.
pub fn speaking<R>(language: Language, work: impl FnOnce() -> R) -> R {
    let before = THIS_THREAD.with(|cell| cell.replace(Some(language)));
    let result = work();
    THIS_THREAD.with(|cell| cell.set(before));
    result
}

/// Speak `language` from now on: every view built after this uses it.
pub fn set_language(language: Language) {
    CURRENT.store(language.index() as u8, Ordering::Relaxed);
}

#[cfg(test)]
mod tests;
