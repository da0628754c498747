//! A failure-mode taxonomy and the phrase matcher that finds its classes in prose.
//!
//! Real post-mortem archives carry no cause labels, so hindsight infers causes from the
//! text (see `infer`). The taxonomy is a shallow hierarchy, *family › class* (e.g.
//! `network › certificate-expiry`), loaded from `default.toml` (embedded in the binary)
//! and extended per site by a `TaxonomyConfig` (`[causes]` in site.toml).
//!
//! Each class has an id, a family, a human title, a description, aliases (the ids other
//! tools and teams use: `tls`, `cert-expiry`, `oom`…) and phrases.
//!
//! # Phrase syntax
//!
//! A phrase is a sequence of word slots separated by spaces, matched against the words of
//! one sentence. Phrases and text are read by the one text pipeline ([`crate::text`]):
//! the words, stop words and stemmer of search and related incidents.
//!
//! * `word` matches any word with the same stem (`crate::text::stem`): `expired`,
//!   `expires`, `expiring`, `expiry` and `expire` all match `expire`; `retries`/`retried`
//!   match `retry`; `deployment` matches `deploy`, `connection` matches `connect`.
//!   Matching is case-insensitive; apostrophes, hyphens and punctuation split words
//!   (`OOM-killed` is `oom killed`).
//! * `pre*` matches any word starting with `pre` (`expir*`: expiry, expiration, expired).
//! * `(a|b|c*)` matches any one of the alternatives.
//! * a slot followed by `?` is optional: `(disk|volume) (got|was)? full`.
//! * `..` between two slots allows up to 3 other words between them, `..N` up to N.
//! * function words (the, of, to, was, had, our, its, we, all, would…: the core and
//!   phrase tiers of the one stop-word list, [`crate::text::stop`]) are ignored both in
//!   phrases and in text, so `ran out of disk space` matches "ran out of the disk space"
//!   and `certificate expired` matches "the certificate had expired". Negations (`no`,
//!   `not`, `never`, `didn't`…) are never ignored. Single letters and digits are no words
//!   (the shared tokenizer's rule), in text or in phrases.
//! * a phrase may end with `@0.6` to give it a weight other than its list's default
//!   (`phrases` weigh 1.0, `weak` ones 0.4).
//!
//! The first slot must be required; it is the key under which the phrase is indexed.
//! All phrases of all classes are compiled into one `Matcher`: an index from the stem
//! (or prefix) of the first slot to the phrases that start with it, so scanning a text
//! costs one or two hash look-ups per word whatever the number of phrases.

pub(crate) mod infer;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::text::{Tier, Tokens, is_stop, stem_cow};

pub use infer::{Params, SectionKind, infer_texts, infer_with};
pub(crate) use infer::{infer, infer_possible};

/// The taxonomy shipped with hindsight.
pub(crate) const DEFAULT_TOML: &str = include_str!("default.toml");

/// A family: the parent of classes (`network`, `time`, `physical`…).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Family {
    pub id: String,
    pub(crate) title: String,
    #[serde(default)]
    pub(crate) description: String,
}

/// One cause class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Class {
    /// The class's id (`certificate-expiry`), as `cause:` and the export name it.
    pub id: String,
    pub(crate) family: String,
    pub(crate) title: String,
    #[serde(default)]
    pub(crate) description: String,
    /// Other names of the class: ids used by other tools, teams and sites.
    #[serde(default)]
    pub(crate) aliases: Vec<String>,
    /// Phrases that are good evidence of the class (weight 1.0 unless `@w` is given).
    #[serde(default)]
    pub(crate) phrases: Vec<String>,
    /// Phrases that only hint at the class (weight 0.4 unless `@w` is given).
    #[serde(default)]
    pub(crate) weak: Vec<String>,
    /// Multiplies the weight of every phrase of the class: below 1 for classes that
    /// write-ups often mention in passing (a provider's name, "the network").
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub(crate) prior: f32,
    /// Classes or families that are a more specific reading of this class's words: a
    /// match of this class that overlaps a match of one of them in the same sentence is
    /// not evidence for this class ("insufficient disk capacity" is a full disk, not an
    /// overload).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) yields_to: Vec<String>,
}

fn one() -> f32 {
    1.0
}

fn is_one(x: &f32) -> bool {
    *x == 1.0
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TaxonomyFile {
    #[serde(default)]
    family: Vec<Family>,
    #[serde(default)]
    class: Vec<Class>,
}

/// A site's extension of the taxonomy, read from `[causes]` in site.toml (or from the
/// TOML file that `file` names, relative to the site root).
///
/// ```toml
/// [causes]
/// map = { "tls-expiry" = "certificate-expiry", "bad-push" = "config-change" }
/// min_confidence = 0.5
///
/// [causes.phrases]            # more phrases for existing classes
/// "disk-full" = ["scratch (volume|partition*) full"]
///
/// [[causes.classes]]          # classes of the site's own
/// id = "license-expiry"
/// family = "dependency"
/// title = "Software licence expiry"
/// phrases = ["licen* expired", "licen* (key|file) expired"]
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct TaxonomyConfig {
    /// A TOML file holding the same keys, relative to the site root; merged by
    /// [`TaxonomyConfig::resolve_file`].
    pub(crate) file: Option<PathBuf>,
    /// The site's own cause labels → taxonomy class ids. Each label becomes an alias.
    pub(crate) map: BTreeMap<String, String>,
    /// More phrases for existing classes, by class id (or any name `resolve` knows).
    pub(crate) phrases: BTreeMap<String, Vec<String>>,
    /// More weak phrases for existing classes.
    pub(crate) weak: BTreeMap<String, Vec<String>>,
    /// New classes.
    pub(crate) classes: Vec<Class>,
    /// New families for new classes.
    pub(crate) families: Vec<Family>,
    /// Confidence below which an inferred cause is not reported.
    pub min_confidence: Option<f64>,
}

/// Settle a freshly loaded config's `[causes]`: merge in the file its `file` names
/// (relative to `site_root`) and check the result, so a mistake there is a configuration
/// error when the site is opened (by the CLI, or by `serve` when site.toml changes).
pub(crate) fn settle_config(
    config: &mut crate::config::Config,
    site_root: &Path,
) -> Result<(), String> {
    if let Some(table) = &config.causes {
        let merged = TaxonomyConfig::from_table(table)?.resolve_file(site_root)?;
        config.causes = Some(merged.to_table()?);
    }
    Taxonomy::for_config(config).map(|_| ())
}

impl TaxonomyConfig {
    /// The `[causes]` table of site.toml (after `file` was merged in), checked.
    pub(crate) fn from_table(table: &toml::Table) -> Result<TaxonomyConfig, String> {
        table
            .clone()
            .try_into()
            .map_err(|e| format!("site.toml [causes]: {e}"))
    }

    /// The table again, for `Config::causes`.
    pub(crate) fn to_table(&self) -> Result<toml::Table, String> {
        toml::Table::try_from(self).map_err(|e| format!("site.toml [causes]: {e}"))
    }

    /// Read the file `file` names (relative to `site_root`) and merge it under this
    /// config: keys written in site.toml win for `map` and `min_confidence`, lists are
    /// concatenated.
    pub(crate) fn resolve_file(&self, site_root: &Path) -> Result<TaxonomyConfig, String> {
        let Some(rel) = &self.file else {
            return Ok(self.clone());
        };
        let path = site_root.join(rel);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("causes file {}: {e}", path.display()))?;
        let mut from_file: TaxonomyConfig =
            toml::from_str(&text).map_err(|e| format!("causes file {}: {e}", path.display()))?;
        if from_file.file.is_some() {
            return Err(format!(
                "causes file {}: `file` cannot name another file",
                path.display()
            ));
        }
        from_file.map.extend(self.map.clone());
        for (k, v) in &self.phrases {
            from_file
                .phrases
                .entry(k.clone())
                .or_default()
                .extend(v.clone());
        }
        for (k, v) in &self.weak {
            from_file
                .weak
                .entry(k.clone())
                .or_default()
                .extend(v.clone());
        }
        from_file.classes.extend(self.classes.clone());
        from_file.families.extend(self.families.clone());
        if self.min_confidence.is_some() {
            from_file.min_confidence = self.min_confidence;
        }
        Ok(from_file)
    }
}

/// The taxonomy: families, classes and the compiled phrase matcher.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    pub(crate) families: Vec<Family>,
    /// Every class of the taxonomy.
    pub classes: Vec<Class>,
    /// Inferred causes below this confidence are dropped.
    pub min_confidence: f64,
    names: HashMap<String, usize>,
    matcher: Matcher,
    /// Per class (by index): the classes its matches yield to (`yields_to`, families
    /// expanded), sorted.
    yields: Vec<Vec<usize>>,
}

/// Default confidence cut-off of [`infer`].
pub(crate) const DEFAULT_MIN_CONFIDENCE: f64 = 0.55;
/// Causes inferred below the cut-off but at least this confident are *possible*: never
/// shown or compared as causes, only searched by, for less (`search::causes`).
pub(crate) const POSSIBLE_CONFIDENCE: f64 = 0.45;

impl Default for Taxonomy {
    fn default() -> Self {
        Taxonomy::builtin()
    }
}

impl Taxonomy {
    /// The taxonomy shipped with hindsight. Panics only if the embedded file is broken,
    /// which the unit tests rule out.
    pub fn builtin() -> Taxonomy {
        Taxonomy::builtin_ref().clone()
    }

    /// The builtin taxonomy, parsed and compiled once per process.
    pub fn builtin_ref() -> &'static Taxonomy {
        static BUILTIN: std::sync::OnceLock<Taxonomy> = std::sync::OnceLock::new();
        BUILTIN
            .get_or_init(|| Taxonomy::from_toml(DEFAULT_TOML).expect("embedded taxonomy is valid"))
    }

    /// The taxonomy a site's config asks for: the builtin one (not copied) when the site
    /// has no `[causes]`, else the builtin one extended by it.
    pub fn for_config(config: &crate::config::Config) -> Result<Cow<'static, Taxonomy>, String> {
        match &config.causes {
            None => Ok(Cow::Borrowed(Taxonomy::builtin_ref())),
            Some(table) => Taxonomy::builtin_ref()
                .with_config(&TaxonomyConfig::from_table(table)?)
                .map(Cow::Owned),
        }
    }

    /// Parse a taxonomy file (`[[family]]` and `[[class]]` tables).
    pub fn from_toml(text: &str) -> Result<Taxonomy, String> {
        let file: TaxonomyFile = toml::from_str(text).map_err(|e| format!("taxonomy: {e}"))?;
        Taxonomy::build(file.family, file.class, DEFAULT_MIN_CONFIDENCE)
    }

    fn build(families: Vec<Family>, classes: Vec<Class>, min: f64) -> Result<Taxonomy, String> {
        let mut family_ids = BTreeSet::new();
        for f in &families {
            if !family_ids.insert(f.id.as_str()) {
                return Err(format!("taxonomy: family `{}` is defined twice", f.id));
            }
        }
        let mut names: HashMap<String, usize> = HashMap::new();
        for (i, c) in classes.iter().enumerate() {
            if !family_ids.contains(c.family.as_str()) {
                return Err(format!(
                    "taxonomy: class `{}` names an unknown family `{}` (families: {})",
                    c.id,
                    c.family,
                    family_ids.iter().copied().collect::<Vec<_>>().join(", ")
                ));
            }
            let key = normalise_name(&c.id);
            if key.is_empty() {
                return Err("taxonomy: a class has an empty id".into());
            }
            if names.contains_key(&key) {
                return Err(format!("taxonomy: class `{}` is defined twice", c.id));
            }
            names.insert(key, i);
        }
        // Aliases and titles never shadow an id; the first class to claim one keeps it.
        for (i, c) in classes.iter().enumerate() {
            for alias in &c.aliases {
                let key = normalise_name(alias);
                if let Some(&other) = names.get(&key)
                    && other != i
                {
                    return Err(format!(
                        "taxonomy: alias `{alias}` of `{}` is already a name of `{}`",
                        c.id, classes[other].id
                    ));
                }
                names.insert(key, i);
            }
        }
        for (i, c) in classes.iter().enumerate() {
            names.entry(normalise_name(&c.title)).or_insert(i);
        }
        let mut yields = Vec::with_capacity(classes.len());
        for c in &classes {
            let mut to = Vec::new();
            for name in &c.yields_to {
                let before = to.len();
                if family_ids.contains(name.as_str()) {
                    to.extend(
                        classes
                            .iter()
                            .enumerate()
                            .filter(|(_, d)| d.family == *name && d.id != c.id)
                            .map(|(j, _)| j),
                    );
                } else if let Some(&j) = names.get(&normalise_name(name)) {
                    if classes[j].id == c.id {
                        return Err(format!("taxonomy: class `{}` yields to itself", c.id));
                    }
                    to.push(j);
                }
                if to.len() == before && !family_ids.contains(name.as_str()) {
                    return Err(format!(
                        "taxonomy: class `{}` yields to `{name}`, which is neither a class nor a family",
                        c.id
                    ));
                }
            }
            to.sort_unstable();
            to.dedup();
            yields.push(to);
        }
        let matcher = Matcher::compile(&classes)?;
        Ok(Taxonomy {
            families,
            classes,
            min_confidence: min,
            names,
            matcher,
            yields,
        })
    }

    /// The built-in taxonomy extended by a site's `[causes]` config. `config.file` must
    /// already be merged ([`TaxonomyConfig::resolve_file`]); it is ignored here.
    pub(crate) fn with_config(&self, config: &TaxonomyConfig) -> Result<Taxonomy, String> {
        let mut families = self.families.clone();
        let mut classes = self.classes.clone();
        for f in &config.families {
            if families.iter().any(|g| g.id == f.id) {
                return Err(format!("causes: family `{}` already exists", f.id));
            }
            families.push(f.clone());
        }
        for c in &config.classes {
            if let Some(existing) = self.resolve(&c.id) {
                return Err(format!(
                    "causes: new class `{}` is already a name of class `{}`; add phrases to it under [causes.phrases] instead",
                    c.id, existing.id
                ));
            }
            if !families.iter().any(|f| f.id == c.family) {
                return Err(format!(
                    "causes: class `{}` names an unknown family `{}`; known families: {}",
                    c.id,
                    c.family,
                    families
                        .iter()
                        .map(|f| f.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            classes.push(c.clone());
        }
        // Look names up in the extended set, so a site can map onto its own new classes.
        let index_of = |classes: &[Class], name: &str| -> Result<usize, String> {
            let key = normalise_name(name);
            classes
                .iter()
                .position(|c| {
                    normalise_name(&c.id) == key
                        || c.aliases.iter().any(|a| normalise_name(a) == key)
                })
                .ok_or_else(|| {
                    let ids: Vec<&str> = classes.iter().map(|c| c.id.as_str()).collect();
                    format!(
                        "unknown cause class `{name}`; closest known: {}",
                        closest(name, &ids, 3).join(", ")
                    )
                })
        };
        for (label, target) in &config.map {
            let i = index_of(&classes, target).map_err(|e| format!("causes.map `{label}`: {e}"))?;
            let key = normalise_name(label);
            if let Some(j) = classes.iter().position(|c| {
                normalise_name(&c.id) == key || c.aliases.iter().any(|a| normalise_name(a) == key)
            }) {
                if j != i {
                    return Err(format!(
                        "causes.map `{label}` = `{target}`: `{label}` is already a name of class `{}`",
                        classes[j].id
                    ));
                }
                continue;
            }
            classes[i].aliases.push(label.clone());
        }
        for (list, weak) in [(&config.phrases, false), (&config.weak, true)] {
            for (name, phrases) in list {
                let section = if weak {
                    "causes.weak"
                } else {
                    "causes.phrases"
                };
                let i = index_of(&classes, name).map_err(|e| format!("{section}: {e}"))?;
                let target = if weak {
                    &mut classes[i].weak
                } else {
                    &mut classes[i].phrases
                };
                target.extend(phrases.iter().cloned());
            }
        }
        let min = config.min_confidence.unwrap_or(self.min_confidence);
        if !(0.0..=1.0).contains(&min) {
            return Err(format!(
                "causes.min_confidence must be between 0 and 1, not {min}"
            ));
        }
        Taxonomy::build(families, classes, min).map_err(|e| e.replacen("taxonomy:", "causes:", 1))
    }

    /// A class by id, alias or title; case-, space-, underscore- and hyphen-insensitive.
    pub fn resolve(&self, name: &str) -> Option<&Class> {
        self.names
            .get(&normalise_name(name))
            .map(|&i| &self.classes[i])
    }

    /// Least confidence of a *possible* cause: [`POSSIBLE_CONFIDENCE`], or the cut-off
    /// when a site set it lower.
    pub(crate) fn possible_floor(&self) -> f64 {
        POSSIBLE_CONFIDENCE.min(self.min_confidence)
    }

    /// A family by id or title.
    pub(crate) fn family(&self, name: &str) -> Option<&Family> {
        let key = normalise_name(name);
        self.families
            .iter()
            .find(|f| normalise_name(&f.id) == key || normalise_name(&f.title) == key)
    }

    /// Classes of a family, in taxonomy order.
    pub(crate) fn classes_of<'a>(
        &'a self,
        family: &'a str,
    ) -> impl Iterator<Item = &'a Class> + 'a {
        self.classes.iter().filter(move |c| c.family == family)
    }

    /// Whether a match of class `index` yields to a match of class `other` (see
    /// [`Class::yields_to`]).
    pub(crate) fn yields(&self, index: usize, other: usize) -> bool {
        self.yields[index].binary_search(&other).is_ok()
    }

    pub(crate) fn class(&self, index: usize) -> &Class {
        &self.classes[index]
    }

    pub(crate) fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    /// Total number of phrases (strong and weak) in the taxonomy.
    pub fn phrase_count(&self) -> usize {
        self.matcher.patterns.len()
    }

    /// What the browser needs to read queries as causes the way [`Taxonomy::match_query`]
    /// does (names and phrases; `search.js` reads words with its port of [`crate::text`]
    /// and ports the matcher): `classes` as `[id, title, family]`, `names` (normalised
    /// name → class index), `negations` (the word list of [`is_negation`]), and `patterns` as
    /// `[class, weight, slots]` with each slot `[alternatives, optional, gap]`, an
    /// alternative being a stem or a `prefix*`. Only phrases that can score `min` or more
    /// in [`Taxonomy::match_query`] go in: the browser keeps no class below `min`, so the
    /// others could never change what it finds (and weak phrases are most of the file).
    pub(crate) fn browser_json(&self, min: f64) -> serde_json::Value {
        let mut names: Vec<(&String, &usize)> = self.names.iter().collect();
        names.sort();
        let stems = self.matcher.stems_by_id();
        let patterns: Vec<serde_json::Value> = self
            .matcher
            .patterns
            .iter()
            .filter(|p| f64::from(p.weight) * PHRASE_SCORE >= min)
            .map(|p| {
                let slots: Vec<serde_json::Value> = p
                    .slots
                    .iter()
                    .map(|slot| {
                        let alts: Vec<String> = slot
                            .alts
                            .iter()
                            .map(|a| match a {
                                Alt::Stem(s) => s.clone(),
                                Alt::Id(i) => stems[*i as usize].to_string(),
                                Alt::Prefix(p) => format!("{p}*"),
                            })
                            .collect();
                        serde_json::json!([alts, u8::from(slot.optional), slot.gap])
                    })
                    .collect();
                // Weights to 3 decimals: the file stays small and deterministic.
                let weight = (f64::from(p.weight) * 1000.0).round() / 1000.0;
                serde_json::json!([p.class, weight, slots])
            })
            .collect();
        serde_json::json!({
            "classes": self.classes.iter().map(|c| [&c.id, &c.title, &c.family]).collect::<Vec<_>>(),
            "names": names.into_iter().map(|(n, i)| (n.clone(), serde_json::json!(i))).collect::<serde_json::Map<_, _>>(),
            "families": self.families.iter().map(|f| (normalise_name(&f.id), serde_json::json!(self.classes.iter().enumerate().filter(|(_, c)| c.family == f.id).map(|(i, _)| i).collect::<Vec<_>>()))).chain(self.families.iter().map(|f| (normalise_name(&f.title), serde_json::json!(self.classes.iter().enumerate().filter(|(_, c)| c.family == f.id).map(|(i, _)| i).collect::<Vec<_>>())))).collect::<serde_json::Map<_, _>>(),
            "negations": NEGATIONS,
            "namedWord": NAMED_WORD,
            "namedWords": NAMED_WORDS,
            "patterns": patterns,
        })
    }

    /// Classes a short search query names or describes, best first, with a score in
    /// 0..1: "cause:tls", "lost power", "bad rollout", "disk filled up". A class whose
    /// id, alias or title is the query scores 1; a phrase match scores 0.95 × its
    /// weight; a name among other words scores `NAMED_WORDS` (several words, "load
    /// balancer down") or `NAMED_WORD` (one, "dns broken"); else query words that
    /// appear in a class's names score a fraction (at most 0.5).
    pub fn match_query(&self, query: &str) -> Vec<(&Class, f64)> {
        let mut scores: BTreeMap<usize, f64> = BTreeMap::new();
        if let Some(&i) = self.names.get(&normalise_name(query)) {
            scores.insert(i, 1.0);
        }
        let words = tokenize(query);
        for m in self.matcher.find(query, &words) {
            let w = self.matcher.patterns[m.pattern].weight as f64 * PHRASE_SCORE;
            let s = scores
                .entry(self.matcher.patterns[m.pattern].class)
                .or_default();
            *s = s.max(w);
        }
        // A name inside a longer query: "dns broken", "memory leak in the api".
        let content: Vec<&str> = words
            .iter()
            .filter(|w| !w.stop)
            .map(|w| &*w.lower)
            .collect();
        for n in 1..=3 {
            for gram in content.windows(n) {
                if let Some(&i) = self.names.get(&normalise_name(&gram.join(" "))) {
                    let w = if n == 1 { NAMED_WORD } else { NAMED_WORDS };
                    let s = scores.entry(i).or_default();
                    *s = s.max(w);
                }
            }
        }
        if scores.is_empty() {
            // Word overlap with ids, aliases and titles: "certificate" → certificate-expiry.
            let q: BTreeSet<String> = words
                .iter()
                .filter(|w| !w.stop)
                .map(|w| w.stem.to_string())
                .collect();
            if !q.is_empty() {
                for (i, c) in self.classes.iter().enumerate() {
                    let mut names = String::new();
                    for n in std::iter::once(&c.id)
                        .chain(&c.aliases)
                        .chain(std::iter::once(&c.title))
                    {
                        names.push_str(n);
                        names.push(' ');
                    }
                    let have: BTreeSet<String> = tokenize(&names)
                        .into_iter()
                        .map(|w| w.stem.into_owned())
                        .collect();
                    let hits = q.iter().filter(|w| have.contains(*w)).count();
                    if hits > 0 {
                        scores.insert(i, 0.5 * hits as f64 / q.len() as f64);
                    }
                }
            }
        }
        let mut out: Vec<(&Class, f64)> = scores
            .into_iter()
            .map(|(i, s)| (&self.classes[i], s))
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.id.cmp(&b.0.id)));
        out
    }
}

/// A phrase match scores this times the phrase's weight in [`Taxonomy::match_query`].
pub(crate) const PHRASE_SCORE: f64 = 0.95;
/// Score of a class whose multi-word name stands among other words of a query.
pub(crate) const NAMED_WORDS: f64 = 0.9;
/// Score of a class whose one-word name stands among other words of a query.
pub(crate) const NAMED_WORD: f64 = 0.8;

/// Lower case; spaces, underscores, slashes and dots become single hyphens.
pub(crate) fn normalise_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.trim().chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// Up to `n` names closest to `name` by edit distance (ties by name).
fn closest(name: &str, names: &[&str], n: usize) -> Vec<String> {
    let key = normalise_name(name);
    let mut scored: Vec<(usize, &str)> = names
        .iter()
        .map(|c| {
            let d = crate::words::edit_distance(&key, c);
            // A shared word counts as close whatever the length difference.
            let shares = key.split('-').any(|w| w.len() > 2 && c.contains(w));
            (if shares { d.min(3) } else { d }, *c)
        })
        .collect();
    scored.sort();
    scored
        .into_iter()
        .take(n)
        .map(|(_, c)| c.to_string())
        .collect()
}

// ---------------------------------------------------------------------------------------
// Words

/// One word of a text as the shared tokenizer reads it (`crate::text::Tokens`): byte
/// span, lower-case form, stem (`crate::text::stem_cow`), whether phrases skip it
/// ([`Tier::Phrases`] of the one stop-word list, but for `is_conjunction`) and whether
/// it is a negation. The lower-case form and the stem borrow from the text (or from its
/// lower-case copy) whenever they can: scanning an archive makes millions of words, and
/// a `String` or two for each was half of inference's time.
#[derive(Debug, Clone, PartialEq)]
pub struct Word<'a> {
    /// Byte offset of the word's first character in the text.
    pub start: usize,
    /// Byte offset just past the word.
    pub end: usize,
    /// The word in lower case.
    pub lower: Cow<'a, str>,
    /// Its stem (`crate::text::stem`).
    pub stem: Cow<'a, str>,
    /// Whether it is a stop word of the phrase tier ([`crate::text::Tier::Phrases`]).
    pub stop: bool,
    /// A negation (`not`, `no`, `never`, `without`, the `didn` of `didn't`…). A phrase
    /// gap never skips one: `disk .. full` does not match "the disk was not full".
    pub neg: bool,
}

impl Word<'_> {
    /// The word as spoken: a contraction the tokenizer split (`wasn` of `wasn't`) is
    /// read whole, so the negation rules can name `wasn't`.
    pub(crate) fn spoken(&self) -> &str {
        if !self.neg {
            return &self.lower;
        }
        match &*self.lower {
            "wasn" => "wasn't",
            "isn" => "isn't",
            "weren" => "weren't",
            "aren" => "aren't",
            "didn" => "didn't",
            "doesn" => "doesn't",
            "don" => "don't",
            "hadn" => "hadn't",
            "hasn" => "hasn't",
            "haven" => "haven't",
            "couldn" => "couldn't",
            "wouldn" => "wouldn't",
            "shouldn" => "shouldn't",
            "won" => "won't",
            "can" => "can't",
            other => other,
        }
    }
}

/// Split a text into words with the shared tokenizer (`crate::text::tokens`): runs of
/// letters and digits of 2 to 40 characters; apostrophes, hyphens and everything else
/// separate words (`didn't` is `didn` + `t`, and `didn` is read as a negation).
pub fn tokenize(text: &str) -> Vec<Word<'_>> {
    let mut words = Vec::with_capacity(text.len() / 6);
    split_words(text, None, &mut words);
    words
}

/// [`tokenize`] for a text whose ASCII lower-case copy (`text.to_ascii_lowercase()`,
/// same length and offsets) the caller already has, into `words` (cleared first,
/// reused): every ASCII word borrows its lower-case form and stem from `lowered`.
pub(crate) fn tokenize_lowered_into<'a>(
    text: &'a str,
    lowered: &'a str,
    words: &mut Vec<Word<'a>>,
) {
    debug_assert_eq!(text.len(), lowered.len());
    words.clear();
    split_words(text, Some(lowered), words);
}

/// [`tokenize_lowered_into`] into a new vector.
#[cfg(test)]
pub(crate) fn tokenize_lowered<'a>(text: &'a str, lowered: &'a str) -> Vec<Word<'a>> {
    let mut words = Vec::with_capacity(text.len() / 6);
    tokenize_lowered_into(text, lowered, &mut words);
    words
}

fn split_words<'a>(text: &'a str, lowered: Option<&'a str>, words: &mut Vec<Word<'a>>) {
    let mut tokens = Tokens::new(text);
    while let Some((start, end, ascii)) = tokens.next_span() {
        words.push(word(text, lowered, start, end, ascii));
    }
}

fn word<'a>(
    text: &'a str,
    lowered: Option<&'a str>,
    start: usize,
    end: usize,
    ascii: bool,
) -> Word<'a> {
    let raw = &text[start..end];
    let lower: Cow<'a, str> = if ascii {
        match lowered {
            Some(l) => Cow::Borrowed(&l[start..end]),
            None if raw.bytes().any(|b| b.is_ascii_uppercase()) => {
                Cow::Owned(raw.to_ascii_lowercase())
            }
            None => Cow::Borrowed(raw),
        }
    } else {
        Cow::Owned(raw.to_lowercase())
    };
    let stem = match &lower {
        Cow::Borrowed(l) => stem_cow(l),
        Cow::Owned(l) => Cow::Owned(stem_cow(l).into_owned()),
    };
    let stop = is_stop(&lower, Tier::Phrases) && !is_conjunction(&lower);
    let neg = is_negation(&lower) || (lower.ends_with('n') && before_nt(&text[end..]));
    Word {
        start,
        end,
        lower,
        stem,
        stop,
        neg,
    }
}

/// `and`, `or`, `but`, `so`: stop words of every reader, but words for phrases, since
/// they join clauses and a phrase stays within one ("the date was invalid, so
/// certificate creation failed" is no `invalid certificate`).
pub(crate) fn is_conjunction(lower: &str) -> bool {
    matches!(lower, "and" | "or" | "but" | "so")
}

/// Whether a word is followed by the `'t` (or `’t`) of a contraction: `didn't`.
fn before_nt(rest: &str) -> bool {
    let rest = rest
        .strip_prefix('\'')
        .or_else(|| rest.strip_prefix('’'))
        .and_then(|r| r.strip_prefix(['t', 'T']));
    rest.is_some_and(|r| !r.starts_with(char::is_alphanumeric))
}

/// `not`, `no`, `never`, `without`, `nor`, `neither`, `none`, `nothing`, `cannot`,
/// `unrelated`, `excluded` (a word of its own; contractions such as `didn't` are found
/// by [`tokenize`] from the text after the word).
pub(crate) fn is_negation(lower: &str) -> bool {
    NEGATIONS.contains(&lower)
}

/// The negation words of [`is_negation`].
const NEGATIONS: [&str; 11] = [
    "not",
    "no",
    "never",
    "without",
    "nor",
    "neither",
    "none",
    "nothing",
    "cannot",
    "unrelated",
    "excluded",
];

// ---------------------------------------------------------------------------------------
// Compiled phrases

#[derive(Debug, Clone, PartialEq)]
enum Alt {
    Stem(String),
    /// A stem interned by the matcher (what `Stem` becomes once compiled).
    Id(u32),
    Prefix(String),
}

impl Alt {
    /// Whether the alternative matches word `w`, whose interned stem is `id`.
    fn matches(&self, w: &Word<'_>, id: u32) -> bool {
        match self {
            Alt::Stem(s) => *w.stem == **s,
            Alt::Id(i) => *i == id,
            Alt::Prefix(p) => w.lower.starts_with(p.as_str()),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Slot {
    alts: Vec<Alt>,
    optional: bool,
    /// Other words allowed before this slot (after the previous one).
    gap: usize,
}

/// One compiled phrase.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Pattern {
    pub(crate) class: usize,
    pub(crate) weight: f32,
    /// The phrase as written.
    pub(crate) source: String,
    slots: Vec<Slot>,
}

/// All phrases of a taxonomy compiled into an index keyed by the first slot.
#[derive(Debug, Clone, Default)]
pub(crate) struct Matcher {
    pub(crate) patterns: Vec<Pattern>,
    /// Every stem a phrase uses, interned (looked up once per word of the text, hence
    /// the fast hasher).
    stems: FxHashMap<String, u32>,
    /// Phrases by the interned stem of their first slot.
    by_stem: Vec<Vec<u32>>,
    /// Prefix phrases keyed by the first two characters of the prefix (every prefix has
    /// at least two).
    by_prefix: FxHashMap<(char, char), Vec<(String, u32)>>,
}

/// One phrase match: the pattern and the span of words (indices into the content words
/// given to [`Matcher::find_in`]) and bytes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PhraseMatch {
    pub(crate) pattern: usize,
    pub(crate) first_word: usize,
    pub(crate) last_word: usize,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// Most variants one phrase may expand to.
const MAX_VARIANTS: usize = 256;

/// Expand the multi-word alternatives of a phrase into separate phrases:
/// `(black friday|launch) traffic` → `black friday traffic`, `(launch) traffic`. A hyphen
/// separates words as it does in text (`long-standing` → `long standing`).
pub(crate) fn expand_phrase(phrase: &str) -> Result<Vec<String>, String> {
    let (text, weight) = match phrase.rsplit_once('@') {
        Some((head, w)) => (head, format!(" @{}", w.trim())),
        None => (phrase, String::new()),
    };
    // Top-level tokens: whitespace outside parentheses splits.
    let mut tokens: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut depth = 0i32;
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if !(0..=1).contains(&depth) {
            return Err(format!(
                "phrase `{phrase}`: unbalanced or nested parentheses"
            ));
        }
        if c.is_whitespace() && depth == 0 {
            if !cur.is_empty() {
                tokens.push(std::mem::take(&mut cur));
            }
        } else {
            cur.push(c);
        }
    }
    if depth != 0 {
        return Err(format!("phrase `{phrase}`: a `(` is not closed"));
    }
    if !cur.is_empty() {
        tokens.push(cur);
    }
    let split_words = |s: &str| -> Vec<String> {
        s.split(|c: char| c.is_whitespace() || c == '-' || c == '/')
            .filter(|w| !w.is_empty())
            .map(String::from)
            .collect()
    };
    // Each token becomes a list of choices, each a list of tokens.
    let mut variants: Vec<Vec<String>> = vec![Vec::new()];
    for token in tokens {
        let mut choices: Vec<Vec<String>> = Vec::new();
        if token.starts_with('(') {
            let (body, optional) = match token.strip_suffix('?') {
                Some(b) => (b, true),
                None => (token.as_str(), false),
            };
            let inner = body
                .strip_prefix('(')
                .and_then(|b| b.strip_suffix(')'))
                .ok_or_else(|| format!("phrase `{phrase}`: `{token}` is not `(a|b)`"))?;
            let mut singles = Vec::new();
            for alt in inner.split('|') {
                let words = split_words(alt);
                match words.len() {
                    0 => return Err(format!("phrase `{phrase}`: empty alternative in `{token}`")),
                    1 => singles.push(words[0].clone()),
                    _ => choices.push(words),
                }
            }
            if !singles.is_empty() {
                let q = if optional { "?" } else { "" };
                choices.push(vec![format!("({}){q}", singles.join("|"))]);
            }
            if optional && choices.len() > 1 {
                choices.push(Vec::new());
            }
        } else if token.starts_with("..") {
            choices.push(vec![token]);
        } else {
            choices.push(split_words(&token));
        }
        let mut next = Vec::with_capacity(variants.len() * choices.len());
        for v in &variants {
            for c in &choices {
                let mut n = v.clone();
                n.extend(c.iter().cloned());
                next.push(n);
            }
        }
        if next.len() > MAX_VARIANTS {
            return Err(format!(
                "phrase `{phrase}` expands to more than {MAX_VARIANTS} variants"
            ));
        }
        variants = next;
    }
    Ok(variants
        .into_iter()
        .map(|v| format!("{}{weight}", v.join(" ")))
        .collect())
}

/// Parse one phrase (without multi-word alternatives: see [`expand_phrase`]) into
/// slots and a weight.
pub(crate) fn parse_phrase(
    phrase: &str,
    default_weight: f32,
) -> Result<(Vec<SlotSpec>, f32), String> {
    let mut text = phrase.trim();
    let mut weight = default_weight;
    if let Some((head, w)) = text.rsplit_once('@') {
        weight = w
            .trim()
            .parse::<f32>()
            .ok()
            .filter(|w| (0.0..=1.0).contains(w))
            .ok_or_else(|| format!("phrase `{phrase}`: `@{w}` is not a weight in 0..1"))?;
        text = head.trim();
    }
    let mut slots: Vec<SlotSpec> = Vec::new();
    let mut gap = 0usize;
    let mut pending_gap = false;
    for token in text.split_whitespace() {
        if let Some(n) = token.strip_prefix("..") {
            if pending_gap || slots.is_empty() {
                return Err(format!(
                    "phrase `{phrase}`: `..` must stand between two words"
                ));
            }
            gap = if n.is_empty() {
                3
            } else {
                n.parse()
                    .map_err(|_| format!("phrase `{phrase}`: `{token}` is not `..` or `..N`"))?
            };
            pending_gap = true;
            continue;
        }
        let (body, optional) = match token.strip_suffix('?') {
            Some(b) => (b, true),
            None => (token, false),
        };
        let alts_text = if let Some(inner) = body.strip_prefix('(') {
            inner.strip_suffix(')').ok_or_else(|| {
                format!("phrase `{phrase}`: `{token}` opens a `(` it does not close (alternatives are single words: `(a|b)`)")
            })?
        } else if body.contains(['(', ')', '|']) {
            return Err(format!(
                "phrase `{phrase}`: alternatives are written `(a|b)`, not `{token}`"
            ));
        } else {
            body
        };
        let mut alts = Vec::new();
        for alt in alts_text.split('|') {
            let alt = alt.trim().to_lowercase();
            if alt.is_empty() {
                return Err(format!("phrase `{phrase}`: empty alternative in `{token}`"));
            }
            if let Some(p) = alt.strip_suffix('*') {
                if p.chars().count() < 2 || !p.chars().all(|c| c.is_alphanumeric()) {
                    return Err(format!(
                        "phrase `{phrase}`: prefix `{alt}` needs at least two letters or digits"
                    ));
                }
                alts.push(Alt::Prefix(p.to_string()));
            } else {
                let words = tokenize(&alt);
                if words.is_empty() && alt.chars().all(char::is_alphanumeric) {
                    continue; // a single letter or digit is no word in text either
                }
                if words.len() != 1 {
                    return Err(format!(
                        "phrase `{phrase}`: `{alt}` is not one word (write multi-word variants as separate phrases)"
                    ));
                }
                if words[0].stop {
                    continue; // function words are ignored, as in text
                }
                alts.push(Alt::Stem(words[0].stem.to_string()));
            }
        }
        if alts.is_empty() {
            continue;
        }
        if slots.is_empty() && optional {
            return Err(format!(
                "phrase `{phrase}`: the first word cannot be optional"
            ));
        }
        slots.push(SlotSpec(Slot {
            alts,
            optional,
            gap: if pending_gap { gap } else { 0 },
        }));
        pending_gap = false;
        gap = 0;
    }
    if pending_gap {
        return Err(format!(
            "phrase `{phrase}`: `..` must stand between two words"
        ));
    }
    if slots.is_empty() {
        return Err(format!("phrase `{phrase}` has no words"));
    }
    Ok((slots, weight))
}

/// An opaque parsed slot (see [`parse_phrase`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SlotSpec(Slot);

/// Default weight of `phrases` entries.
pub(crate) const STRONG: f32 = 1.0;
/// Default weight of `weak` entries.
pub(crate) const WEAK: f32 = 0.4;

impl Matcher {
    fn compile(classes: &[Class]) -> Result<Matcher, String> {
        let mut m = Matcher::default();
        for (ci, c) in classes.iter().enumerate() {
            let lists = [(&c.phrases, STRONG), (&c.weak, WEAK)];
            for (list, w) in lists {
                for p in list {
                    let err = |e: String| format!("taxonomy: class `{}`: {e}", c.id);
                    for variant in expand_phrase(p).map_err(err)? {
                        let (slots, weight) = parse_phrase(&variant, w).map_err(err)?;
                        m.add(Pattern {
                            class: ci,
                            weight: weight * c.prior,
                            source: p.clone(),
                            slots: slots.into_iter().map(|s| s.0).collect(),
                        });
                    }
                }
            }
        }
        Ok(m)
    }

    /// Interned stems by id.
    fn stems_by_id(&self) -> Vec<&str> {
        let mut out = vec![""; self.stems.len()];
        for (s, &i) in &self.stems {
            out[i as usize] = s;
        }
        out
    }

    fn intern(&mut self, stem: &str) -> u32 {
        if let Some(&i) = self.stems.get(stem) {
            return i;
        }
        let i = self.stems.len() as u32;
        self.stems.insert(stem.to_string(), i);
        self.by_stem.push(Vec::new());
        i
    }

    fn add(&mut self, mut p: Pattern) {
        let id = self.patterns.len() as u32;
        for slot in &mut p.slots {
            for alt in &mut slot.alts {
                if let Alt::Stem(s) = alt {
                    let s = std::mem::take(s);
                    *alt = Alt::Id(self.intern(&s));
                }
            }
        }
        for alt in &p.slots[0].alts {
            match alt {
                Alt::Stem(_) => unreachable!("interned above"),
                Alt::Id(i) => {
                    let list = &mut self.by_stem[*i as usize];
                    if list.last() != Some(&id) {
                        list.push(id);
                    }
                }
                Alt::Prefix(s) => {
                    let list = self
                        .by_prefix
                        .entry(first_two(s).expect("checked by parse_phrase"))
                        .or_default();
                    if !list.iter().any(|(q, i)| q == s && *i == id) {
                        list.push((s.clone(), id));
                    }
                }
            }
        }
        self.patterns.push(p);
    }

    /// Every phrase match in `text` (one sentence; `words` from [`tokenize`]). Function
    /// words are skipped; spans are byte offsets in `text`.
    pub(crate) fn find(&self, _text: &str, words: &[Word<'_>]) -> Vec<PhraseMatch> {
        let content: Vec<&Word> = words.iter().filter(|w| !w.stop).collect();
        let mut out = Vec::new();
        self.find_in(&content, &mut out);
        out
    }

    /// Matches over content words (function words already removed). `first_word` and
    /// `last_word` index `content`.
    pub(crate) fn find_in(&self, content: &[&Word<'_>], out: &mut Vec<PhraseMatch>) {
        self.find_in_with(content, out, &mut FindScratch::default());
    }

    /// [`Matcher::find_in`] with buffers kept from one sentence to the next.
    pub(crate) fn find_in_with(
        &self,
        content: &[&Word<'_>],
        out: &mut Vec<PhraseMatch>,
        scratch: &mut FindScratch,
    ) {
        let FindScratch { ids, candidates } = scratch;
        ids.clear();
        ids.extend(
            content
                .iter()
                .map(|w| self.stems.get(&*w.stem).copied().unwrap_or(u32::MAX)),
        );
        for (i, w) in content.iter().enumerate() {
            candidates.clear();
            if let Some(list) = self.by_stem.get(ids[i] as usize) {
                candidates.extend_from_slice(list);
            }
            if let Some(list) = first_two(&w.lower).and_then(|key| self.by_prefix.get(&key)) {
                candidates.extend(
                    list.iter()
                        .filter(|(q, _)| w.lower.starts_with(q.as_str()))
                        .map(|&(_, id)| id),
                );
            }
            if candidates.len() > 1 {
                candidates.sort_unstable();
                candidates.dedup();
            }
            for &pid in candidates.iter() {
                let p = &self.patterns[pid as usize];
                if let Some(last) = match_rest(&p.slots, 1, i + 1, content, ids) {
                    out.push(PhraseMatch {
                        pattern: pid as usize,
                        first_word: i,
                        last_word: last,
                        start: w.start,
                        end: content[last].end,
                    });
                }
            }
        }
    }
}

/// Buffers of [`Matcher::find_in_with`]: reading an archive matches millions of
/// sentences, each would otherwise allocate its own.
#[derive(Debug, Default)]
pub(crate) struct FindScratch {
    ids: Vec<u32>,
    candidates: Vec<u32>,
}

/// The first two characters of a word, if it has two.
fn first_two(word: &str) -> Option<(char, char)> {
    let mut chars = word.chars();
    Some((chars.next()?, chars.next()?))
}

/// Match slots `si..` with the next word to consider at `pos`; returns the index of the
/// last matched word. `pos - 1` is the last word matched so far.
fn match_rest(
    slots: &[Slot],
    si: usize,
    pos: usize,
    words: &[&Word<'_>],
    ids: &[u32],
) -> Option<usize> {
    if si == slots.len() {
        return Some(pos - 1);
    }
    let slot = &slots[si];
    let limit = (pos + slot.gap + 1).min(words.len());
    for j in pos..limit {
        if slot.alts.iter().any(|a| a.matches(words[j], ids[j]))
            && let Some(end) = match_rest(slots, si + 1, j + 1, words, ids)
        {
            return Some(end);
        }
        if words[j].neg {
            break; // a gap never skips a negation
        }
    }
    if slot.optional {
        return match_rest(slots, si + 1, pos, words, ids);
    }
    None
}

#[cfg(test)]
mod tests;
