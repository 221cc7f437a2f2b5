//! The store's rooms keep their arrows: no module imports a module that imports it back,
//! directly or round a longer loop. Read from the source: every `crate::…` and `super::…`
//! path of a module (in `use` trees and inline) names the module it reaches.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every module of `src` by path (`write::series`), with its source.
fn modules(src: &Path) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(src).unwrap().with_extension("");
            let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
            if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
                parts.pop();
            }
            found.insert(parts.join("::"), std::fs::read_to_string(&path).unwrap());
        }
    }
    found
}

/// The paths a source names from `crate::` or `super::`, with `use` trees expanded.
fn paths(source: &str) -> Vec<String> {
    let code: String =
        source.lines().filter(|line| !line.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
    let mut found = Vec::new();
    let bytes: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let rest: String = bytes[i..bytes.len().min(i + 7)].iter().collect();
        let starts_word = i == 0 || !(bytes[i - 1].is_alphanumeric() || bytes[i - 1] == '_' || bytes[i - 1] == ':');
        if starts_word && (rest.starts_with("crate::") || rest.starts_with("super::")) {
            let (tree, end) = read_tree(&bytes, i);
            expand("", &tree, &mut found);
            i = end;
        } else {
            i += 1;
        }
    }
    found
}

/// The path tree from `start` (`a::b::{c, d::e}`) as text, and where it ends.
fn read_tree(chars: &[char], start: usize) -> (String, usize) {
    let mut depth = 0;
    let mut i = start;
    let mut text = String::new();
    while i < chars.len() {
        let c = chars[i];
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            c if depth == 0 && !(c.is_alphanumeric() || c == '_' || c == ':') => break,
            _ => {}
        }
        text.push(c);
        i += 1;
    }
    (text.split_whitespace().collect(), i)
}

/// Expands `a::{b, c::d}` under `prefix` into full paths.
fn expand(prefix: &str, tree: &str, out: &mut Vec<String>) {
    let tree = tree.trim_end_matches("::");
    match tree.find('{') {
        None => out.push(format!("{prefix}{tree}")),
        Some(open) => {
            let head = &tree[..open];
            let inner = &tree[open + 1..tree.len() - 1];
            let mut depth = 0;
            let mut part = String::new();
            for c in inner.chars().chain([',']) {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        if !part.is_empty() {
                            expand(&format!("{prefix}{head}"), &part, out);
                        }
                        part.clear();
                        continue;
                    }
                    _ => {}
                }
                part.push(c);
            }
        }
    }
}

/// The module a path from `module` reaches: the longest known module it names.
fn target(module: &str, path: &str, known: &BTreeSet<String>, root_items: &BTreeMap<&str, &str>) -> Option<String> {
    let mut segments: Vec<&str> = path.split("::").filter(|s| *s != "self").collect();
    let mut base: Vec<&str> = module.split("::").filter(|s| !s.is_empty()).collect();
    match segments.first().copied() {
        Some("crate") => base.clear(),
        Some("super") => {
            // A file module's `super` is its parent directory's module.
            base.pop();
        }
        _ => return None,
    }
    segments.remove(0);
    if segments.first().is_some_and(|s| *s == "super") {
        base.pop();
        segments.remove(0);
    }
    let full: Vec<&str> = base.iter().copied().chain(segments.iter().copied()).collect();
    for len in (1..=full.len()).rev() {
        let candidate = full[..len].join("::");
        if known.contains(&candidate) {
            return Some(candidate);
        }
    }
    // An item the crate root re-exports (`crate::Store`).
    full.first().and_then(|item| root_items.get(item)).map(|m| (*m).to_owned())
}

#[test]
fn no_store_module_imports_a_module_that_imports_it_back() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let modules = modules(&src);
    let known: BTreeSet<String> = modules.keys().filter(|k| !k.is_empty()).cloned().collect();
    let root_items = BTreeMap::from([
        ("Caller", "caller"),
        ("Clock", "clock"),
        ("StoreError", "error"),
        ("Store", "store"),
        ("Backend", "store"),
        ("SecretsKey", "secrets"),
        ("SecretsError", "secrets"),
        ("UpcomingSession", "read::coming_sessions"),
        ("SupervisorAgendaDigest", "read::coming_sessions"),
    ]);
    let mut arrows: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, source) in &modules {
        if module.is_empty() {
            continue;
        }
        // A parent module's own tests and declarations are not arrows of the room.
        let source = source.split("#[cfg(test)]").next().unwrap_or_default();
        for path in paths(source) {
            if let Some(to) = target(module, &path, &known, &root_items)
                && to != *module
                && !module.starts_with(&format!("{to}::"))
            {
                arrows.entry(module.clone()).or_default().insert(to);
            }
        }
    }
    assert!(arrows.get("write::series").is_some_and(|to| to.contains("write::sessions")), "{arrows:#?}");
    // Every loop, found by walking the arrows from each module.
    let mut loops = Vec::new();
    for start in arrows.keys() {
        let mut stack = vec![(start.clone(), vec![start.clone()])];
        let mut seen = BTreeSet::new();
        while let Some((at, trail)) = stack.pop() {
            for next in arrows.get(&at).into_iter().flatten() {
                if next == start {
                    loops.push(trail.join(" → ") + " → " + start);
                } else if seen.insert(next.clone()) {
                    let mut longer = trail.clone();
                    longer.push(next.clone());
                    stack.push((next.clone(), longer));
                }
            }
        }
    }
    assert!(loops.is_empty(), "modules that import each other:\n{}", loops.join("\n"));
    // The rooms' arrows point one way.
    let room = |m: &str| m.split("::").next().unwrap_or_default().to_owned();
    for (from, to) in arrows.iter().flat_map(|(from, to)| to.iter().map(move |t| (from, t))) {
        let (a, b) = (room(from), room(to));
        let backwards = matches!(
            (a.as_str(), b.as_str()),
            ("write" | "access" | "outbox", "read") | ("access" | "outbox", "write")
        );
        assert!(!backwards, "{from} → {to} points against the rooms' arrows (read → write → access, write → outbox)");
    }
}
