//! Scenarios built into the binary, so `brink run` needs no file. Each is
//! the text of a file under `scenarios/`; a file on disk with the same path
//! is read instead when it exists (see the CLI's resolver).

/// One built-in scenario.
#[derive(Debug, Clone, Copy)]
pub struct Builtin {
    /// Short name (`brink run NAME`).
    pub name: &'static str,
    /// Its path under the repository (`scenarios/...`).
    pub file: &'static str,
    /// The file's text.
    pub text: &'static str,
}

macro_rules! builtin {
    ($name:literal, $file:literal) => {
        Builtin {
            name: $name,
            file: concat!("scenarios/", $file),
            text: include_str!(concat!("../../scenarios/", $file)),
        }
    };
}

/// All built-in scenarios; the first is the default of `brink run`.
pub const BUILTINS: &[Builtin] = &[
    builtin!("us_iraq_2024", "us_iraq_2024.toml"),
    builtin!("us_iraq_2023_backtest", "us_iraq_2023_backtest.toml"),
    builtin!("israel_hezbollah_2024", "israel_hezbollah_2024.toml"),
    builtin!("israel_hezbollah_2023_backtest", "israel_hezbollah_2023_backtest.toml"),
    builtin!("ipd", "games/ipd.toml"),
];

/// Data files built in beside the scenarios (a built-in scenario's
/// `[posterior] file`), found by their path under the repository.
pub const DATA: &[Builtin] = &[builtin!("us_iraq_2024_posterior", "us_iraq_2024_posterior.csv")];

/// Finds a built-in data file by its path (`scenarios/x.csv`) or file name.
pub fn find_data(name: &str) -> Option<&'static Builtin> {
    let name = name.trim_start_matches("./");
    DATA.iter()
        .find(|b| b.file == name || b.file.strip_prefix("scenarios/") == Some(name))
}

/// The default scenario of `brink run`.
pub fn flagship() -> &'static Builtin {
    &BUILTINS[0]
}

/// Finds a built-in by name (`us_iraq_2024`), file name
/// (`us_iraq_2024.toml`) or path (`scenarios/us_iraq_2024.toml`).
pub fn find(name: &str) -> Option<&'static Builtin> {
    let name = name.trim_start_matches("./");
    BUILTINS.iter().find(|b| {
        b.name == name
            || b.file == name
            || b.file.strip_prefix("scenarios/") == Some(name)
            || b.file.rsplit('/').next() == Some(name)
    })
}
