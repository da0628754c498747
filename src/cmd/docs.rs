//! `hindsight schema NAME`, `hindsight completions SHELL` and `hindsight man`: print a
//! bundled JSON Schema, a shell completion script or the man page. The last two are
//! generated from the clap definition that `cli` passes in.

use std::io::Write;

use super::Failure;

/// Print the schema called `name` (see `crate::schema::SCHEMAS`).
pub(crate) fn schema(name: &str) -> Result<(), Failure> {
    let text = crate::schema::get(name).ok_or_else(|| {
        Failure::Usage(format!(
            "no schema called `{name}`; expected one of {}",
            crate::schema::names().join(", ")
        ))
    })?;
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(anyhow::Error::from)?;
    Ok(())
}

/// Print the completion script of `shell` for `command`.
pub(crate) fn completions(
    mut command: clap::Command,
    shell: clap_complete::Shell,
) -> Result<(), Failure> {
    let name = command.get_name().to_string();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command, name, &mut out);
    std::io::stdout()
        .lock()
        .write_all(&out)
        .map_err(anyhow::Error::from)?;
    Ok(())
}

/// Print the man page (roff) of `command`: synopsis, options and the subcommands.
pub(crate) fn man(command: clap::Command) -> Result<(), Failure> {
    let mut out = Vec::new();
    clap_mangen::Man::new(command)
        .render(&mut out)
        .map_err(anyhow::Error::from)?;
    std::io::stdout()
        .lock()
        .write_all(&out)
        .map_err(anyhow::Error::from)?;
    Ok(())
}
