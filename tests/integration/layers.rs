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
    ("record", 2),
    ("ledger", 2),
    ("agenda", 3),
    ("plan", 4),
    ("mail", 5),
    ("send", 6),
    ("cli", 7),
    ("lib", 8),
    ("main", 8),
];

/// Imports across a layer that the rule allows: `error` escapes what it prints with
/// `terminal`.
const ALLOWED_SIDEWAYS: &[(&str, &str)] = &[("error", "terminal")];

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
        if a == b || rb < ra || ALLOWED_SIDEWAYS.contains(&pair) {
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
    cycles.sort();
    cycles.dedup();
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

/// The most non-blank lines a file of `src/` may have outside its test module.
const FILE_BUDGET: usize = 800;

/// The most lines a function of `src/` may have, from `fn` to its closing brace,
/// counting neither blank lines nor comments; test modules aside.
const FN_BUDGET: usize = 100;

/// Functions whose body is one flat `match` table, allowed over [`FN_BUDGET`]: (file,
/// function, why). The test checks that the body is a single `match`.
const FLAT_MATCHES: &[(&str, &str, &str)] = &[];

/// Offenders against the budgets that are let be, skipped: files (`src/a/b.rs`) and
/// functions (`src/a/b.rs::name`). Empty since issue #11 reshaped the crate; an entry
/// needs a reason in a comment. A new offender fails, and so does an entry here that is
/// no longer over its budget (the list only shrinks).
const KNOWN_OVER: &[&str] = &[];

/// `text` with the insides of comments, string, byte-string, raw-string and character
/// literals blanked to spaces (line breaks kept), so that braces and `fn` in them do
/// not count. A lifetime (`'a`) is not a character literal.
fn blank_literals(text: &str) -> String {
    let b: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
        } else if let Some(hashes) = raw_string_at(&b, i) {
            // r#"…"# (or br#"…"#): ends at a quote followed by as many hashes.
            let open = b[i..].iter().position(|&c| c == '"').unwrap() + 1;
            out.extend(std::iter::repeat_n(' ', open));
            i += open;
            while i < b.len() {
                if b[i] == '"'
                    && b[i + 1..]
                        .iter()
                        .take(hashes)
                        .filter(|&&c| c == '#')
                        .count()
                        == hashes
                {
                    out.extend(std::iter::repeat_n(' ', hashes + 1));
                    i += hashes + 1;
                    break;
                }
                out.push(blank(b[i]));
                i += 1;
            }
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < b.len() && b[i] != '"' {
                let n = if b[i] == '\\' { 2 } else { 1 };
                out.extend(b[i..(i + n).min(b.len())].iter().map(|&c| blank(c)));
                i += n;
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' && char_literal_len(&b, i).is_some() {
            let n = char_literal_len(&b, i).unwrap();
            out.extend(std::iter::repeat_n(' ', n));
            i += n;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The number of `#` of a raw string starting at `i` (`r"`, `r#"`, `br#"`), if one does.
fn raw_string_at(b: &[char], i: usize) -> Option<usize> {
    if i > 0 && is_ident(b[i - 1]) {
        return None;
    }
    let mut j = i;
    if b.get(j) == Some(&'b') || b.get(j) == Some(&'c') {
        j += 1;
    }
    if b.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let hashes = b[j..].iter().take_while(|&&c| c == '#').count();
    (b.get(j + hashes) == Some(&'"')).then_some(hashes)
}

/// The length of the character literal starting at `i` (`'x'`, `'\n'`, `'\u{1F600}'`),
/// or `None` for a lifetime or label.
fn char_literal_len(b: &[char], i: usize) -> Option<usize> {
    match b.get(i + 1)? {
        '\\' => {
            let close = b[i + 2..].iter().take(12).position(|&c| c == '\'')?;
            Some(close + 3)
        }
        _ => (b.get(i + 2) == Some(&'\'')).then_some(3),
    }
}

/// The lines of a file before its trailing `#[cfg(test)] mod tests`, as [`code`] cuts.
fn before_tests(lines: &[&str]) -> usize {
    lines
        .windows(2)
        .position(|w| w[0].trim() == "#[cfg(test)]" && w[1].starts_with("mod tests"))
        .unwrap_or(lines.len())
}

/// Each non-test function of a file: (name, lines from `fn` to its closing brace that
/// are neither blank nor only comment, whether its body is a single `match`).
fn functions(text: &str) -> Vec<(String, usize, bool)> {
    let blanked = blank_literals(text);
    let lines: Vec<&str> = blanked.lines().collect();
    let end = before_tests(&lines);
    let code: String = lines[..end].join("\n");
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 2 < chars.len() {
        let is_fn = chars[i] == 'f'
            && chars[i + 1] == 'n'
            && chars[i + 2].is_whitespace()
            && (i == 0 || !is_ident(chars[i - 1]));
        if !is_fn {
            i += 1;
            continue;
        }
        let name: String = chars[i + 2..]
            .iter()
            .skip_while(|c| c.is_whitespace())
            .take_while(|&&c| is_ident(c))
            .collect();
        // The body's `{`, unless a `;` at the top level ends a declaration first.
        let mut depth = 0i32;
        let mut open = None;
        for (k, &c) in chars.iter().enumerate().skip(i) {
            match c {
                '(' | '[' => depth += 1,
                ')' | ']' => depth -= 1,
                ';' if depth == 0 => break,
                '{' if depth == 0 => {
                    open = Some(k);
                    break;
                }
                _ => {}
            }
        }
        let Some(open) = open else {
            i += 2;
            continue;
        };
        let mut braces = 0i32;
        let mut close = chars.len() - 1;
        for (k, &c) in chars.iter().enumerate().skip(open) {
            match c {
                '{' => braces += 1,
                '}' => {
                    braces -= 1;
                    if braces == 0 {
                        close = k;
                        break;
                    }
                }
                _ => {}
            }
        }
        let span: String = chars[i..=close].iter().collect();
        let size = span.lines().filter(|l| !l.trim().is_empty()).count();
        let body: String = chars[open + 1..close].iter().collect();
        let body = body.trim();
        let flat = body.starts_with("match ") && body.ends_with('}') && {
            // The match's own braces close at the end of the body.
            let from = body.find('{').unwrap_or(0);
            let mut d = 0i32;
            let mut last = 0;
            for (k, c) in body.char_indices().skip_while(|(k, _)| *k < from) {
                match c {
                    '{' => d += 1,
                    '}' => {
                        d -= 1;
                        if d == 0 {
                            last = k;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            last + 1 == body.len()
        };
        out.push((name, size, flat));
        i += 2;
    }
    out
}

/// Every `.rs` file of `src/` but `tests.rs` files, as (`src/…` path, text).
fn source_files() -> Vec<(String, String)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    modules(&root.join("src"), &[], &mut found);
    found
        .into_iter()
        .map(|(_, file)| {
            let rel = file
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read_to_string(&file).unwrap())
        })
        .collect()
}

/// The offenders found (name → size), checked against [`KNOWN_OVER`] entries that
/// `is_mine` selects: new offenders and listed ones no longer over `budget`.
fn check_budget(
    what: &str,
    budget: usize,
    over: BTreeMap<String, usize>,
    is_mine: impl Fn(&str) -> bool,
) {
    let mut wrong = Vec::new();
    for (name, size) in &over {
        if !KNOWN_OVER.contains(&name.as_str()) {
            wrong.push(format!(
                "{name}: {size} lines, over the {what} budget of {budget}"
            ));
        }
    }
    for known in KNOWN_OVER.iter().filter(|k| is_mine(k)) {
        if !over.contains_key(*known) {
            wrong.push(format!(
                "{known} is no longer over the {what} budget of {budget}: remove it from KNOWN_OVER"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn no_file_is_over_its_budget() {
    let mut over = BTreeMap::new();
    for (path, text) in source_files() {
        let lines: Vec<&str> = text.lines().collect();
        let end = before_tests(&lines);
        let size = lines[..end].iter().filter(|l| !l.trim().is_empty()).count();
        if size > FILE_BUDGET {
            over.insert(path, size);
        }
    }
    check_budget("file", FILE_BUDGET, over, |k| !k.contains("::"));
}

#[test]
fn no_function_is_over_its_budget() {
    let mut over = BTreeMap::new();
    let mut wrong = Vec::new();
    for (path, text) in source_files() {
        for (name, size, flat) in functions(&text) {
            let allowed = FLAT_MATCHES
                .iter()
                .any(|(file, f, _)| *file == path && *f == name);
            if allowed && !flat {
                wrong.push(format!(
                    "{path}::{name} is in FLAT_MATCHES but its body is not a single `match`"
                ));
            }
            if size > FN_BUDGET && !allowed {
                let key = format!("{path}::{name}");
                let e = over.entry(key).or_insert(0);
                *e = size.max(*e);
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    check_budget("function", FN_BUDGET, over, |k| k.contains("::"));
}

#[test]
fn the_budget_reader_ignores_braces_in_literals_and_comments() {
    let text = r##"
fn a() {
    let s = "}{ fn x() {";
    let r = r#"}"#;
    let c = '}';
    let q = '\'';
    // }
    /* } /* nested } */ } */
    fn inner<'a>(x: &'a str) -> [u8; 2] { [0; 2] }
}
trait T { fn decl(&self); }
fn flat(x: u8) -> u8 {
    match x {
        0 => 1,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    fn hidden() {}
}
"##;
    let fns = functions(text);
    let names: Vec<(&str, usize, bool)> =
        fns.iter().map(|(n, s, f)| (n.as_str(), *s, *f)).collect();
    assert_eq!(
        names,
        [("a", 7, false), ("inner", 1, false), ("flat", 6, true)]
    );
}
