//! Every language has every English message, with the same attributes and the same
//! placeholders, and each file parses cleanly.

use super::*;
use fluent_syntax::ast;
use std::collections::{BTreeMap, BTreeSet};

/// Message id (or `id.attribute`) → the variables its pattern uses.
type Shape = BTreeMap<String, BTreeSet<String>>;

fn shape(language: Language, source: &str) -> Shape {
    let resource = fluent_syntax::parser::parse(source)
        .unwrap_or_else(|(_, errors)| panic!("{language:?}.ftl does not parse: {errors:?}"));
    let mut shape = Shape::new();
    for entry in resource.body {
        match entry {
            ast::Entry::Message(message) => {
                let id = message.id.name.to_owned();
                if let Some(value) = &message.value {
                    shape.insert(id.clone(), variables(value));
                }
                for attribute in &message.attributes {
                    shape.insert(
                        format!("{id}.{}", attribute.id.name),
                        variables(&attribute.value),
                    );
                }
            }
            ast::Entry::Junk { content } => panic!("{language:?}.ftl has junk: {content}"),
            _ => {}
        }
    }
    shape
}

fn variables(pattern: &ast::Pattern<&str>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    collect_pattern(pattern, &mut found);
    found
}

fn collect_pattern(pattern: &ast::Pattern<&str>, found: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            collect_expression(expression, found);
        }
    }
}

fn collect_expression(expression: &ast::Expression<&str>, found: &mut BTreeSet<String>) {
    match expression {
        ast::Expression::Inline(inline) => collect_inline(inline, found),
        ast::Expression::Select { selector, variants } => {
            collect_inline(selector, found);
            for variant in variants {
                collect_pattern(&variant.value, found);
            }
        }
    }
}

fn collect_inline(inline: &ast::InlineExpression<&str>, found: &mut BTreeSet<String>) {
    match inline {
        ast::InlineExpression::VariableReference { id } => {
            found.insert(id.name.to_owned());
        }
        ast::InlineExpression::Placeable { expression } => collect_expression(expression, found),
        ast::InlineExpression::FunctionReference { arguments, .. } => {
            for argument in &arguments.positional {
                collect_inline(argument, found);
            }
        }
        _ => {}
    }
}

#[test]
fn the_sources_are_in_the_order_of_the_languages() {
    let order: Vec<Language> = SOURCES.iter().map(|&(l, _)| l).collect();
    assert_eq!(order, Language::ALL);
}

#[test]
fn every_language_has_every_message_with_the_same_placeholders() {
    let english = shape(Language::En, SOURCES[0].1);
    assert!(
        english.len() > 100,
        "the English catalogue is the reference"
    );
    for &(language, source) in &SOURCES[1..] {
        let other = shape(language, source);
        for (id, placeholders) in &english {
            let translated = other
                .get(id)
                .unwrap_or_else(|| panic!("{id} is missing in {language:?}"));
            assert_eq!(
                translated, placeholders,
                "{id} takes other placeholders in {language:?}"
            );
        }
        for id in other.keys() {
            assert!(
                english.contains_key(id),
                "{id} in {language:?} is not in English"
            );
        }
    }
}

#[test]
fn messages_format_with_their_values_and_a_missing_one_is_visible() {
    let english = Catalogue::of(Language::En);
    assert_eq!(
        english.format("points", &[("count", Arg::Text("1")), ("n", Arg::Count(1))]),
        "1 pt"
    );
    assert_eq!(
        english.format(
            "points",
            &[("count", Arg::Text("1,250")), ("n", Arg::Count(1250))]
        ),
        "1,250 pts"
    );
    let japanese = Catalogue::of(Language::Ja);
    assert_eq!(japanese.language(), Language::Ja);
    assert_eq!(japanese.text("tab_home"), "ホーム");
    assert_eq!(english.text("no_such_message"), MISSING);
    assert!(!english.has("no_such_message", None));
    assert!(english.has("error_insufficient_points", Some("detail")));
}
