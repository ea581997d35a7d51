//! The shape of `src/` stays true: the layer rule of `src/lib.rs` (a module imports
//! only from layers below its own), no import cycle between the modules of `src/`, and
//! the size budgets (files, functions) that keep each room readable. Test code (a
//! trailing `#[cfg(test)] mod tests { … }` or a `tests.rs` file) is not counted.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module's layer, as `src/lib.rs` draws them.
const LAYERS: &[(&str, u32)] = &[
    ("budget", 0),
    ("terminal", 0),
    ("text", 0),
    ("error", 0),
    ("model", 1),
    ("store", 1),
    ("config", 2),
    ("calendar", 2),
    ("agenda", 2),
    ("record", 2),
    ("ledger", 2),
    ("plan", 3),
    ("mail", 4),
    ("send", 5),
    ("cli", 6),
    ("lib", 7),
    ("main", 7),
];

/// Imports across a layer that the rule allows: `error` escapes what it prints with
/// `terminal`.
const ALLOWED_SIDEWAYS: &[(&str, &str)] = &[("error", "terminal")];

/// Imports still being reshaped (issue #11): each is removed as its layer lands.
const RESHAPING: &[(&str, &str)] = &[];

/// Cycles still being reshaped (issue #11), by the module they start at.
const RESHAPING_CYCLES: &[&str] = &["calendar::"];

/// A module's non-test source: each line with comments dropped, cut before a trailing
/// `#[cfg(test)]` test module.
fn code(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let end = lines
        .windows(2)
        .position(|w| w[0].trim() == "#[cfg(test)]" && w[1].starts_with("mod tests"))
        .unwrap_or(lines.len());
    lines[..end]
        .iter()
        .map(|l| match l.find("//") {
            Some(i) if !l[..i].contains('"') => l[..i].to_string(),
            _ => l.to_string(),
        })
        .collect()
}

/// Every `.rs` file under `dir` but test files, as (module path, file).
fn modules(dir: &Path, prefix: &[String], out: &mut Vec<(Vec<String>, PathBuf)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            let mut p = prefix.to_vec();
            p.push(name);
            modules(&path, &p, out);
        } else if path.extension().is_some_and(|e| e == "rs") && name != "tests" {
            let mut p = prefix.to_vec();
            if name != "mod" {
                p.push(name);
            }
            out.push((p, path));
        }
    }
}

/// The module paths `line` names: `crate::a::b` and `super::c` (resolved against
/// `module`), as segment lists.
fn references(line: &str, module: &[String]) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    for (i, _) in line.match_indices("crate::") {
        if line[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        found.push(segments(&line[i + "crate::".len()..]));
    }
    for (i, _) in line.match_indices("super::") {
        if line[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let mut base = module.to_vec();
        let mut rest = &line[i..];
        while let Some(r) = rest.strip_prefix("super::") {
            // `a/b.rs` is `a::b` and `a/mod.rs` is `a`: either way `super` drops one.
            base.pop();
            rest = r;
        }
        let mut path = base;
        path.extend(segments(rest));
        found.push(path);
    }
    found
}

/// The leading `a::b::c` of `s`; a `{` list contributes its first-level names.
fn segments(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    loop {
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        out.push(rest[..end].to_string());
        match rest[end..].strip_prefix("::") {
            Some(r) if !r.starts_with('{') => rest = r,
            _ => break,
        }
    }
    out
}

/// The longest prefix of `path` that is a module of `known`.
fn resolve(path: &[String], known: &BTreeSet<Vec<String>>) -> Option<Vec<String>> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|p| known.contains(p))
}

struct Crate {
    /// Each module's non-test lines.
    code: BTreeMap<Vec<String>, Vec<String>>,
    /// Each module's file.
    files: BTreeMap<Vec<String>, PathBuf>,
    /// Whether the module is a folder's `mod.rs`.
    dirs: BTreeSet<Vec<String>>,
}

fn read_crate() -> Crate {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    modules(&src, &[], &mut found);
    let mut c = Crate {
        code: BTreeMap::new(),
        files: BTreeMap::new(),
        dirs: BTreeSet::new(),
    };
    for (module, file) in found {
        let text = std::fs::read_to_string(&file).unwrap();
        if file.file_name().unwrap() == "mod.rs" {
            c.dirs.insert(module.clone());
        }
        c.code.insert(module.clone(), code(&text));
        c.files.insert(module, file);
    }
    c
}

/// Every import edge between two distinct modules of `src/`, with the line that makes
/// it.
fn edges(c: &Crate) -> BTreeMap<(Vec<String>, Vec<String>), String> {
    let known: BTreeSet<Vec<String>> = c.code.keys().cloned().collect();
    let mut out = BTreeMap::new();
    for (module, lines) in &c.code {
        for line in lines {
            for path in references(line, module) {
                let Some(target) = resolve(&path, &known) else {
                    continue;
                };
                // A module's own items, and a parent naming its children, are no edge
                // back.
                if &target == module || target.starts_with(module) {
                    continue;
                }
                out.entry((module.clone(), target))
                    .or_insert_with(|| line.trim().to_string());
            }
        }
    }
    out
}

fn layer(module: &[String]) -> (String, u32) {
    let top = module.first().cloned().unwrap_or_else(|| "lib".into());
    let rank = LAYERS
        .iter()
        .find(|(name, _)| *name == top)
        .unwrap_or_else(|| panic!("`{top}` has no layer in tests/integration/layers.rs"))
        .1;
    (top, rank)
}

#[test]
fn imports_only_go_down_the_layers() {
    let c = read_crate();
    let mut wrong = Vec::new();
    for ((from, to), line) in edges(&c) {
        let ((a, ra), (b, rb)) = (layer(&from), layer(&to));
        let pair = (a.as_str(), b.as_str());
        if a == b || rb < ra || ALLOWED_SIDEWAYS.contains(&pair) || RESHAPING.contains(&pair) {
            continue;
        }
        wrong.push(format!(
            "{} (layer {ra}) imports {} (layer {rb}): {line}",
            c.files[&from].display(),
            to.join("::")
        ));
    }
    assert!(
        wrong.is_empty(),
        "imports up or sideways:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_import_cycle_between_modules() {
    let c = read_crate();
    let mut next: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    let lines = edges(&c);
    for (from, to) in lines.keys() {
        next.entry(from.clone()).or_default().insert(to.clone());
    }
    // A module on a cycle reaches itself.
    let mut cycles = Vec::new();
    for start in c.code.keys() {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<Vec<Vec<String>>> = vec![vec![start.clone()]];
        while let Some(path) = stack.pop() {
            let last = path.last().unwrap();
            for n in next.get(last).into_iter().flatten() {
                if n == start {
                    let names: Vec<String> = path.iter().map(|m| m.join("::")).collect();
                    cycles.push(format!("{} -> {}", names.join(" -> "), start.join("::")));
                } else if seen.insert(n.clone()) {
                    let mut p = path.clone();
                    p.push(n.clone());
                    stack.push(p);
                }
            }
        }
    }
    cycles.retain(|c| !RESHAPING_CYCLES.iter().any(|p| c.starts_with(p)));
    cycles.sort();
    cycles.dedup();
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}
