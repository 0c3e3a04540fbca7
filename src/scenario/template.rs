//! `brink new NAME`: a small, commented, valid scenario to start from. It
//! is the tutorial's last step (`docs/tutorial/step5.toml`, explained in
//! `docs/scenario.md`): a ladder, three actors, an initiative, a graded
//! response, a pressure stock driving a hazard, talks, a driver, a trigger
//! and outcomes, one section of each kind.

use super::{ErrorKind, ScenarioError};

/// The tutorial's complete scenario.
const STEP5: &str = include_str!("../../docs/tutorial/step5.toml");

/// The scenario `brink new NAME` writes, named `name` (a snake_case id,
/// which becomes the output directory's name).
pub fn render(name: &str) -> Result<String, ScenarioError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ok {
        let mut e = ScenarioError::bad_flag(
            "NAME",
            &format!("expected a snake_case name (a-z, 0-9, _; starting with a letter), found `{name}`"),
        );
        debug_assert_eq!(e.kind(), ErrorKind::BadFlag);
        e.help = Some("the name becomes the output directory, out/<name>/".into());
        return Err(e);
    }
    let body = STEP5
        .split_once('\n')
        .map(|(_, rest)| rest)
        .expect("the tutorial file has a first line");
    let body = body.replacen("name = \"border\"", &format!("name = \"{name}\""), 1);
    Ok(format!(
        "# {name}: a scenario to start from, written by `brink new`.\n\
         # Each section is explained in docs/scenario.md (the tutorial builds this\n\
         # file step by step); `brink check {name}.toml` validates it and\n\
         # `brink params {name}.toml` lists every parameter with its default.\n{body}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{BuiltinResolver, parse};

    #[test]
    fn the_template_is_valid_and_named() {
        let text = render("my_crisis").unwrap();
        let l = parse(&text, "my_crisis.toml", &[], &BuiltinResolver).unwrap();
        assert_eq!(l.scenario.name, "my_crisis");
        for section in [
            "[scenario]",
            "[ladder.",
            "[actors.",
            "[dyads.",
            "[drivers.",
            "[tracks.",
            "[triggers.",
            "[outcomes.",
        ] {
            assert!(text.contains(section), "template lacks {section}");
        }
    }

    #[test]
    fn a_bad_name_is_refused() {
        assert_eq!(render("My Crisis").unwrap_err().kind(), ErrorKind::BadFlag);
        assert!(render("").is_err());
    }
}
