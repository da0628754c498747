//! `hindsight init DIR`: create a new site (site.toml and one example post-mortem) that
//! builds at once.

use std::path::Path;

use jiff::civil::Date;

use super::Failure;
use crate::config::Config;

pub fn run(dir: &Path, today: Date) -> Result<(), Failure> {
    if dir.join("site.toml").exists() {
        return Err(Failure::Usage(format!(
            "{} already holds a site.toml; refusing to overwrite it",
            dir.display()
        )));
    }
    let content = dir.join("content");
    std::fs::create_dir_all(&content)
        .map_err(|e| anyhow::anyhow!("creating {}: {e}", content.display()))?;
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "Post-mortems".into());
    let site_toml = format!(
        "# hindsight site configuration; every key is optional (see README).\ntitle = \"{}\"\ncontent_dir = \"content\"\noutput_dir = \"public\"\nseverities = [\"SEV1\", \"SEV2\", \"SEV3\", \"SEV4\"]\n",
        name.replace('"', "'")
    );
    std::fs::write(dir.join("site.toml"), site_toml)
        .map_err(|e| anyhow::anyhow!("writing site.toml: {e}"))?;
    // The example is published (not a draft) so the new site shows something at once.
    let example = super::new::template(
        "Example: checkout latency after a config push",
        today,
        &Config::default(),
    )
    .replacen("status: draft", "status: final", 1);
    let path = content.join(format!("{today}-example-checkout-latency.md"));
    std::fs::write(&path, example)
        .map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?;
    super::new::write_schema(dir)?;
    eprintln!(
        "created a new site in {}; run `hindsight build --root {}`",
        dir.display(),
        dir.display()
    );
    Ok(())
}
