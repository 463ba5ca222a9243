//! Command-line parsing. Hand-rolled: six flags do not justify a parser dependency, and the
//! errors can say exactly what to type instead.

use std::fmt;
use std::path::PathBuf;

use crate::config::{Config, STAGES};

pub const USAGE: &str = "\
Usage: acm-pipeline [OPTIONS]

Runs an ACM-style anomaly-detection pipeline on generated sensor data and stores the results
in SQLite.

Options:
  --equipment NAME     equipment to analyse                        [default: FD_FAN]
  --batches N          split the rows into N batches, one run each  [default: 1]
  --rows N             generated sensor rows, one per minute        [default: 20000]
  --out DIR            output directory (SQLite database, traces)   [default: ./acm-traces]
  --seed N             seed of the generated data and detectors
  --fail-stage NAME    make the stage with this span name fail (for tests), e.g. fit.pca
  -h, --help           print this help
  -V, --version        print the version

Exit codes: 0 success, 1 the pipeline failed, 2 bad command line.";

#[derive(Debug, Clone)]
pub enum Command {
    Run(Box<Config>),
    Help,
    Version,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CliError {
    UnknownFlag {
        flag: String,
        suggestion: Option<&'static str>,
    },
    MissingValue {
        flag: &'static str,
    },
    InvalidValue {
        flag: &'static str,
        value: String,
        expected: &'static str,
    },
    Unexpected {
        arg: String,
    },
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::UnknownFlag {
                flag,
                suggestion: Some(s),
            } => {
                write!(f, "unknown option `{flag}`; did you mean `{s}`?")
            }
            CliError::UnknownFlag {
                flag,
                suggestion: None,
            } => {
                write!(f, "unknown option `{flag}`; see --help")
            }
            CliError::MissingValue { flag } => write!(f, "option `{flag}` needs a value"),
            CliError::InvalidValue {
                flag,
                value,
                expected,
            } => {
                write!(
                    f,
                    "invalid value `{value}` for `{flag}`: expected {expected}"
                )
            }
            CliError::Unexpected { arg } => {
                write!(
                    f,
                    "unexpected argument `{arg}`; all options are `--name value`"
                )
            }
        }
    }
}

impl std::error::Error for CliError {}

#[derive(Debug, Clone, Copy)]
enum Flag {
    Equipment,
    Batches,
    Rows,
    Out,
    Seed,
    FailStage,
}

const VALUE_FLAGS: [(&str, Flag); 6] = [
    ("--equipment", Flag::Equipment),
    ("--batches", Flag::Batches),
    ("--rows", Flag::Rows),
    ("--out", Flag::Out),
    ("--seed", Flag::Seed),
    ("--fail-stage", Flag::FailStage),
];

/// Parses the arguments after the program name.
pub fn parse<I, S>(args: I) -> Result<Command, CliError>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let mut cfg = Config::default();
    let mut args = args.into_iter().map(Into::into);
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let found = match name.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "-V" | "--version" => return Ok(Command::Version),
            n => VALUE_FLAGS.iter().copied().find(|(f, _)| *f == n),
        };
        let Some((flag, which)) = found else {
            if !name.starts_with('-') {
                return Err(CliError::Unexpected { arg });
            }
            return Err(CliError::UnknownFlag {
                suggestion: suggest(&name),
                flag: name,
            });
        };
        let value = match inline {
            Some(v) => v,
            None => args.next().ok_or(CliError::MissingValue { flag })?,
        };
        if value.is_empty() {
            return Err(CliError::MissingValue { flag });
        }
        match which {
            Flag::Equipment => cfg.equipment = value,
            Flag::Batches => cfg.batches = number(flag, &value, "a whole number ≥ 1")?,
            Flag::Rows => cfg.rows = number(flag, &value, "a whole number of rows, e.g. 20000")?,
            Flag::Seed => cfg.seed = number(flag, &value, "a whole number")?,
            Flag::Out => cfg.out_dir = PathBuf::from(value),
            Flag::FailStage => {
                if !STAGES.contains(&value.as_str()) {
                    return Err(CliError::InvalidValue {
                        flag,
                        value,
                        expected: "a span name of the pipeline, e.g. fit.pca or persist.scores",
                    });
                }
                cfg.fail_stage = Some(value);
            }
        }
    }
    Ok(Command::Run(Box::new(cfg)))
}

fn number<T: std::str::FromStr>(
    flag: &'static str,
    value: &str,
    expected: &'static str,
) -> Result<T, CliError> {
    value
        .replace('_', "")
        .parse()
        .map_err(|_| CliError::InvalidValue {
            flag,
            value: value.to_owned(),
            expected,
        })
}

/// The known flag nearest to a misspelt one, if it is close enough to be what was meant.
fn suggest(flag: &str) -> Option<&'static str> {
    VALUE_FLAGS
        .iter()
        .map(|(f, _)| *f)
        .chain(["--help", "--version"])
        .map(|f| (f, edit_distance(flag, f)))
        .filter(|(_, d)| *d <= 3)
        .min_by_key(|(_, d)| *d)
        .map(|(f, _)| f)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{DEFAULT_EQUIPMENT, DEFAULT_OUT_DIR, DEFAULT_ROWS};

    fn run(args: &[&str]) -> Config {
        match parse(args.iter().copied()).unwrap() {
            Command::Run(c) => *c,
            other => panic!("expected a run, got {other:?}"),
        }
    }

    #[test]
    fn defaults() {
        let c = run(&[]);
        assert_eq!(c.equipment, "FD_FAN");
        assert_eq!((c.batches, c.rows), (1, 20_000));
        assert_eq!(c.out_dir, PathBuf::from("./acm-traces"));
        assert!(c.fail_stage.is_none());
    }

    #[test]
    fn all_flags_both_spellings() {
        let c = run(&[
            "--equipment",
            "ID_FAN",
            "--batches=3",
            "--rows",
            "30_000",
            "--out",
            "/tmp/x",
            "--fail-stage=fit.pca",
            "--seed",
            "9",
        ]);
        assert_eq!(c.equipment, "ID_FAN");
        assert_eq!((c.batches, c.rows, c.seed), (3, 30_000, 9));
        assert_eq!(c.out_dir, PathBuf::from("/tmp/x"));
        assert_eq!(c.fail_stage.as_deref(), Some("fit.pca"));
    }

    #[test]
    fn help_shows_the_real_defaults() {
        for d in [
            DEFAULT_EQUIPMENT,
            DEFAULT_OUT_DIR,
            &DEFAULT_ROWS.to_string(),
        ] {
            assert!(USAGE.contains(&format!("[default: {d}]")), "{d}");
        }
    }

    #[test]
    fn help_and_version() {
        assert!(matches!(parse(["--help"]), Ok(Command::Help)));
        assert!(matches!(parse(["--rows", "5", "-V"]), Ok(Command::Version)));
    }

    #[test]
    fn errors_say_what_to_do() {
        let e = parse(["--rowz", "5"]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown option `--rowz`; did you mean `--rows`?"
        );
        let e = parse(["--frobnicate"]).unwrap_err();
        assert_eq!(e.to_string(), "unknown option `--frobnicate`; see --help");
        let e = parse(["--rows"]).unwrap_err();
        assert_eq!(e, CliError::MissingValue { flag: "--rows" });
        let e = parse(["--batches", "two"]).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("invalid value `two` for `--batches`"),
            "{e}"
        );
        let e = parse(["--rows", "-5"]).unwrap_err();
        assert!(matches!(e, CliError::InvalidValue { .. }));
        let e = parse(["--fail-stage", "fit.pac"]).unwrap_err();
        assert!(e.to_string().contains("span name of the pipeline"), "{e}");
        let e = parse(["FD_FAN"]).unwrap_err();
        assert!(matches!(e, CliError::Unexpected { .. }));
        assert!(matches!(
            parse(["--out="]),
            Err(CliError::MissingValue { flag: "--out" })
        ));
    }

    #[test]
    fn edit_distance_known_values() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("--out", "--out"), 0);
    }
}
