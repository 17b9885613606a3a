//! A small flag parser: `--name value`, repeated flags, `--json`, and positionals.

use anyhow::{Result, bail};

/// Parsed command-line arguments of one subcommand.
#[derive(Debug, Default)]
pub struct Args {
    flags: Vec<(String, String)>,
    pub json: bool,
    pub positional: Vec<String>,
}

impl Args {
    pub fn parse(argv: &[String]) -> Result<Args> {
        let mut args = Args::default();
        let mut iter = argv.iter();
        while let Some(arg) = iter.next() {
            if arg == "--json" {
                args.json = true;
            } else if let Some(name) = arg.strip_prefix("--") {
                let (name, value) = match name.split_once('=') {
                    Some((n, v)) => (n.to_string(), v.to_string()),
                    None => match iter.next() {
                        Some(v) => (name.to_string(), v.clone()),
                        None => bail!("--{name} needs a value"),
                    },
                };
                args.flags.push((name, value));
            } else {
                args.positional.push(arg.clone());
            }
        }
        Ok(args)
    }

    /// The last value of a flag.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.flags
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a repeatable flag.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.flags
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn required(&self, name: &str) -> Result<&str> {
        self.get(name)
            .ok_or_else(|| anyhow::anyhow!("--{name} is required"))
    }

    /// Refuses flags the command does not know, naming the first.
    pub fn only(&self, known: &[&str]) -> Result<()> {
        if let Some((name, _)) = self
            .flags
            .iter()
            .find(|(n, _)| !known.contains(&n.as_str()))
        {
            bail!("unknown flag --{name}");
        }
        Ok(())
    }
}
