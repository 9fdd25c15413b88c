//! The library's modules depend on each other one way, as `DESIGN.md` asks: "Dependencies
//! point one way: `schema → compile → parse → event → sink`; `pipeline` drives them; `cli`
//! uses everything and nothing uses `cli`."
//!
//! The test reads every library file under `src/` (not `main.rs` and `src/cli/`, which belong
//! to the binary), collects the crate paths it uses (`use crate::…` trees, inline
//! `crate::x::y` paths, `super::` paths, and root re-exports such as `crate::Error`), maps
//! each to the top-level module that defines it, and checks:
//!
//! 1. the import graph of the top-level modules has no circle (each import that closes one
//!    is printed with the way back);
//! 2. no library module declares or imports `cli`;
//! 3. every import goes down [`LAYERS`], with the two exceptions in [`UPWARD`].
//!
//! The layers, lowest first:
//!
//! - **Leaf utilities** (`words`, `names`, `suggest`, `fnv`, `atomic`, `json`, `strconv`,
//!   `time`, `indicators`): anyone may import them; they import only each other (check 1 keeps that
//!   acyclic) and never a stage.
//! - **The stages in `DESIGN.md`'s order**, with the few modules that sit between them:
//!   `schema`; `error` (it reports `SchemaErrors` and field types, so it imports `schema`);
//!   `compile`; `registry` (compiled plans by log type, which `parse` is built from); `parse`;
//!   `event`; `sink`.
//! - **Drivers**: `pipeline`, then `gen`, `schematest` and `pull` (the API puller, which
//!   feeds pages to the pipeline), which may use every stage.
//!
//! The stage order is the data flow, so the stage that produces events must name what it
//! produces and where it puts it. These are the only imports that go up a layer:
//!
//! - `parse` → `event`: the normalizer builds [`Event`]s (the arrow `parse → event`);
//! - `parse` → `sink`, for the `Sink` trait and the `Summary` its `finish` receives only (as
//!   in ripgrep, whose searcher owns its sink trait): the normalizer pushes each event into a
//!   sink, and the stream normalizer counts what it pushed. The writers (`sink::ndjson` and
//!   the others) stay out of its reach.
//!
//! Test modules (a `#[cfg(test)] mod …` runs to the end of its file, and files declared by
//! one) are not read: tests may use anything. Comments are not read either, so an
//! intra-doc link is not a dependency.
//!
//! [`Event`]: normalog::Event

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

/// The layers, lowest first: a module may import modules of lower layers, and a leaf
/// utility (layer 0) other leaf utilities.
const LAYERS: &[&[&str]] = &[
    &[
        "encoding",
        "hooks",
        "words",
        "names",
        "suggest",
        "fnv",
        "atomic",
        "json",
        "strconv",
        "time",
        "indicators",
    ],
    &["schema"],
    &["error"],
    &["compile"],
    &["registry"],
    &["parse"],
    &["event"],
    &["sink"],
    &["pipeline"],
    &["gen", "schematest", "pull"],
];

/// The imports allowed to go up a layer: (from, to, the only items of `to` it may name, or
/// none for any).
const UPWARD: &[(&str, &str, Option<&[&str]>)] = &[
    ("parse", "event", None),
    ("parse", "sink", Some(&["Sink", "Summary"])),
];

/// The binary's modules, which the library must never use.
const BINARY: &[&str] = &["cli"];

/// Top-level module -> imported top-level module -> the uses behind the edge.
type Graph = BTreeMap<String, BTreeMap<String, Vec<Use>>>;

/// One use of a crate path: the file and line, and the path from the crate root.
#[derive(Debug, Clone)]
struct Use {
    file: String,
    line: usize,
    path: Vec<String>,
}

impl Use {
    fn at(&self) -> String {
        format!(
            "src/{}:{}: crate::{}",
            self.file,
            self.line,
            self.path.join("::")
        )
    }
}

#[test]
fn modules_depend_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = fs::read_to_string(src.join("lib.rs")).expect("src/lib.rs");
    // All of it: the root's test helpers (`mod testing`) do not end the file.
    let lib: String = lib
        .lines()
        .map(|l| strip_comment(l).to_owned() + "\n")
        .collect();
    let modules = declared_modules(&lib);
    let reexports = root_reexports(&lib);
    let mut problems = Vec::new();

    for m in BINARY {
        if modules.contains(*m) {
            problems.push(format!(
                "src/lib.rs declares `mod {m}`: it belongs to the binary"
            ));
        }
    }
    let layer = |m: &str| LAYERS.iter().position(|l| l.contains(&m));
    for m in &modules {
        if layer(m).is_none() {
            problems.push(format!(
                "module `{m}` is in no layer: add it to LAYERS in tests/layering.rs"
            ));
        }
    }

    let mut graph = Graph::new();
    for (file, module_path) in library_files(&src) {
        let text = fs::read_to_string(src.join(&file)).expect("a source file");
        let from = module_path[0].clone();
        for u in crate_uses(&file, &module_path, &text) {
            let Some(first) = u.path.first() else {
                continue;
            };
            let to = reexports
                .get(first)
                .cloned()
                .unwrap_or_else(|| first.clone());
            if BINARY.contains(&to.as_str()) {
                problems.push(format!("{}: the library uses the binary's `{to}`", u.at()));
                continue;
            }
            if !modules.contains(&to) {
                problems.push(format!("{}: `{to}` is not a module of src/lib.rs", u.at()));
                continue;
            }
            if to != from {
                graph
                    .entry(from.clone())
                    .or_default()
                    .entry(to)
                    .or_default()
                    .push(u);
            }
        }
    }

    assert!(
        graph
            .get("parse")
            .is_some_and(|e| e.contains_key("compile")),
        "found no import of `compile` in `parse`: the test no longer reads the sources"
    );
    problems.extend(circles(&graph));
    problems.extend(upward_imports(&graph));

    assert!(
        problems.is_empty(),
        "module dependencies do not point one way:\n  {}",
        problems.join("\n  ")
    );
}

/// Each import that closes a circle, with the way back.
fn circles(graph: &Graph) -> Vec<String> {
    let mut problems = Vec::new();
    for (from, edges) in graph {
        for (to, uses) in edges {
            if let Some(back) = find_path(graph, to, from) {
                let mut msg = format!(
                    "{}: `{from}` -> `{to}` closes a circle: {from} -> {}",
                    uses[0].at(),
                    back.join(" -> ")
                );
                for pair in back.windows(2) {
                    let u = &graph[&pair[0]][&pair[1]][0];
                    let _ = write!(msg, "\n      ({} -> {}: {})", pair[0], pair[1], u.at());
                }
                problems.push(msg);
            }
        }
    }

    problems
}

/// Each import that does not go down [`LAYERS`] and is not in [`UPWARD`].
fn upward_imports(graph: &Graph) -> Vec<String> {
    let layer = |m: &str| LAYERS.iter().position(|l| l.contains(&m));
    let mut problems = Vec::new();
    for (from, edges) in graph {
        let Some(lf) = layer(from) else { continue };
        for (to, uses) in edges {
            let Some(lt) = layer(to) else { continue };
            if lt < lf || (lt == 0 && lf == 0) {
                continue;
            }
            let allowed = UPWARD.iter().find(|(f, t, _)| f == from && t == to);
            for u in uses {
                let ok = match allowed {
                    Some((_, _, None)) => true,
                    Some((_, _, Some(items))) => {
                        // `crate::sink::Sink`, or a root re-export: `crate::Sink`.
                        let item = if u.path[0] == *to {
                            u.path.get(1)
                        } else {
                            u.path.first()
                        };
                        item.is_some_and(|i| items.contains(&i.as_str()))
                    }
                    None => false,
                };
                if !ok {
                    let (at, to) = (u.at(), to.as_str());
                    problems.push(format!(
                        "{at}: `{from}` (layer {lf}) imports `{to}` (layer {lt}), not below it"
                    ));
                }
            }
        }
    }

    problems
}

/// The text without `//` comments and test modules: an inline `#[cfg(test)] mod x { … }`
/// ends its file (clippy's `items_after_test_module` holds every file to that), while a
/// `#[cfg(test)] mod x;` may sit anywhere and only its two lines are left out.
fn code_only(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::new();
    let mut skip_next = false;
    for (i, line) in lines.iter().enumerate() {
        let next = lines.get(i + 1).map_or("", |l| l.trim());
        if std::mem::take(&mut skip_next) {
            out.push('\n');
            continue;
        }
        if is_test_cfg(line) && is_mod_line(next) {
            if !next.ends_with(';') {
                break;
            }
            skip_next = true;
            out.push('\n');
            continue;
        }
        // Keep the line (empty if it is a comment) so that line numbers stay right.
        out.push_str(strip_comment(line));
        out.push('\n');
    }
    out
}

/// Whether a line declares a module (`mod x;`, `pub(crate) mod x {`).
fn is_mod_line(line: &str) -> bool {
    let rest = line
        .strip_prefix("pub(crate) ")
        .or_else(|| line.strip_prefix("pub "))
        .unwrap_or(line);
    rest.starts_with("mod ")
}

/// `line` without a `//` comment (a `//` inside a string literal cuts it too, which loses
/// nothing this test looks for).
fn strip_comment(line: &str) -> &str {
    line.find("//").map_or(line, |at| &line[..at])
}

/// The modules declared in `src/lib.rs`, outside its test module.
fn declared_modules(lib: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in lib.lines().map(str::trim) {
        if is_mod_line(line) {
            let rest = &line[line.find("mod ").unwrap_or(0) + 4..];
            let name: String = rest.chars().take_while(|&c| is_ident(c)).collect();
            out.insert(name);
        }
    }
    // The helpers for unit tests, declared in `lib.rs` under `#[cfg(test)]`.
    out.remove("testing");
    out
}

/// The crate root's re-exports: `pub use error::{Error, Position};` maps `Error` and
/// `Position` to `error`.
fn root_reexports(lib: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for stmt in use_statements(lib) {
        let tree = stmt.tree.trim_start_matches("crate::");
        let module: String = tree.chars().take_while(|&c| is_ident(c)).collect();
        for path in expand_tree(tree) {
            if let Some(last) = path.last() {
                out.insert(last.clone(), module.clone());
            }
        }
    }
    out
}

/// Every library file under `src/` (path relative to `src/`) with its module path from the
/// crate root: `sink/ndjson.rs` is `["sink", "ndjson"]`. Skips `lib.rs` (the root only
/// declares and re-exports), the binary (`main.rs`, `cli/`) and test-only files.
fn library_files(src: &Path) -> Vec<(String, Vec<String>)> {
    let mut files = Vec::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).expect("a source directory") {
            let path: PathBuf = entry.expect("a directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(src).expect("under src");
                files.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    files.sort();
    let test_only = test_only_files(src, &files);
    files
        .into_iter()
        .filter(|f| f != "lib.rs" && f != "main.rs")
        .filter(|f| !BINARY.iter().any(|b| f.starts_with(&format!("{b}/"))))
        .filter(|f| {
            !test_only
                .iter()
                .any(|t| f == t || f.starts_with(t.trim_end_matches(".rs")))
        })
        .map(|f| {
            let mut path: Vec<String> = f
                .trim_end_matches(".rs")
                .split('/')
                .map(String::from)
                .collect();
            if path.last().is_some_and(|l| l == "mod") {
                path.pop();
            }
            (f, path)
        })
        .collect()
}

/// Whether `line` is a `cfg` attribute of test code alone: `#[cfg(test)]`, or
/// `#[cfg(all(test, ...))]` (`target_os` beside it).
fn is_test_cfg(line: &str) -> bool {
    let line = line.trim();
    line == "#[cfg(test)]" || line.starts_with("#[cfg(all(test,")
}

/// Files declared by `#[cfg(test)] mod name;` (e.g. `time/tests.rs`).
fn test_only_files(src: &Path, files: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for f in files {
        let text = fs::read_to_string(src.join(f)).expect("a source file");
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        for pair in lines.windows(2) {
            if is_test_cfg(pair[0]) && is_mod_line(pair[1]) && pair[1].ends_with(';') {
                let name = pair[1]
                    .trim_end_matches(';')
                    .rsplit(' ')
                    .next()
                    .unwrap_or("");
                let dir = match f.rsplit_once('/') {
                    Some((dir, "mod.rs")) => format!("{dir}/"),
                    Some((dir, file)) if file != "lib.rs" => {
                        format!("{dir}/{}/", file.trim_end_matches(".rs"))
                    }
                    None if f != "lib.rs" => format!("{}/", f.trim_end_matches(".rs")),
                    _ => String::new(),
                };
                out.push(format!("{dir}{name}.rs"));
                out.push(format!("{dir}{name}/"));
            }
        }
    }
    out
}

/// A `use` statement: its tree after `use ` and the line it starts on.
struct UseStatement {
    tree: String,
    line: usize,
}

/// The `use` statements of `code`, with the text of each replaced by spaces in `rest`.
fn use_statements(code: &str) -> Vec<UseStatement> {
    use_statements_and_rest(code).0
}

fn use_statements_and_rest(code: &str) -> (Vec<UseStatement>, String) {
    let mut out = Vec::new();
    let mut rest = String::with_capacity(code.len());
    let mut i = 0;
    while i < code.len() {
        if code[i..].starts_with("use ") && starts_statement(&code[..i]) {
            if let Some(end) = code[i..].find(';') {
                let tree = code[i + 4..i + end]
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                let line = code[..i].matches('\n').count() + 1;
                out.push(UseStatement { tree, line });
                // Keep the newlines so that later line numbers stay right.
                rest.extend(
                    code[i..=i + end]
                        .chars()
                        .map(|c| if c == '\n' { '\n' } else { ' ' }),
                );
                i += end + 1;
                continue;
            }
        }
        let c = code[i..].chars().next().unwrap_or(' ');
        rest.push(c);
        i += c.len_utf8();
    }
    (out, rest)
}

/// Whether a `use` after `before` starts a statement: only blanks and a visibility between
/// it and the start of its line.
fn starts_statement(before: &str) -> bool {
    let line = before.rsplit('\n').next().unwrap_or(before).trim();
    ["", "pub", "pub(crate)", "pub(super)"].contains(&line)
}

/// The paths of a use tree: `a::{b, c::{d, e}}` gives `a::b`, `a::c::d`, `a::c::e`.
fn expand_tree(tree: &str) -> Vec<Vec<String>> {
    let tree = tree.trim();
    let segments = |path: &str| -> Vec<String> {
        path.split("::")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    };
    let Some(open) = tree.find('{') else {
        return vec![segments(tree.split(" as ").next().unwrap_or(tree))];
    };
    let prefix = segments(&tree[..open]);
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut out = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                push_subtree(&mut out, &prefix, &inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    push_subtree(&mut out, &prefix, &inner[start..]);
    out
}

fn push_subtree(out: &mut Vec<Vec<String>>, prefix: &[String], sub: &str) {
    if sub.trim().is_empty() {
        return;
    }
    for tail in expand_tree(sub) {
        let mut path = prefix.to_vec();
        path.extend(tail.into_iter().filter(|s| s != "self"));
        out.push(path);
    }
}

/// The crate paths used by a file (from the crate root), outside its test module.
fn crate_uses(file: &str, module_path: &[String], text: &str) -> Vec<Use> {
    let code = code_only(text);
    let (statements, rest) = use_statements_and_rest(&code);
    let mut out = Vec::new();
    let mut push = |line: usize, path: Vec<String>| {
        if let Some(path) = from_root(module_path, &path) {
            out.push(Use {
                file: file.to_owned(),
                line,
                path,
            });
        }
    };
    for stmt in statements {
        for path in expand_tree(&stmt.tree) {
            push(stmt.line, path);
        }
    }
    // Inline paths: `crate::a::b` and `super::a` in code.
    for (n, line) in rest.lines().enumerate() {
        let mut from = 0;
        while let Some(at) = find_path_start(line, from) {
            let path: String = line[at..]
                .chars()
                .take_while(|&c| is_ident(c) || c == ':')
                .collect();
            from = at + path.len().max(1);
            let path: Vec<String> = path
                .split("::")
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
            push(n + 1, path);
        }
    }
    out
}

/// Where the next `crate::` or `super::` path starts in `line`, from byte `from`.
fn find_path_start(line: &str, from: usize) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut i = from;
    while i < line.len() {
        let at_word = i == 0 || !(is_ident(char::from(bytes[i - 1])) || bytes[i - 1] == b':');
        if at_word && (line[i..].starts_with("crate::") || line[i..].starts_with("super::")) {
            return Some(i);
        }
        i += line[i..].chars().next().map_or(1, char::len_utf8);
    }
    None
}

/// A path as written in a module at `module_path`, made absolute; `None` for paths that
/// do not leave the crate root's view (`std::…`, `self::…`, other crates).
fn from_root(module_path: &[String], path: &[String]) -> Option<Vec<String>> {
    match path.first().map(String::as_str) {
        Some("crate") => Some(path[1..].to_vec()),
        Some("super") => {
            let ups = path.iter().take_while(|s| *s == "super").count();
            let base = module_path.len().checked_sub(ups)?;
            let mut abs = module_path[..base].to_vec();
            abs.extend(path[ups..].iter().cloned());
            Some(abs)
        }
        _ => None,
    }
    .filter(|p| !p.is_empty())
}

/// A path of imports from `from` to `to` (both included), if there is one.
fn find_path(graph: &Graph, from: &str, to: &str) -> Option<Vec<String>> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![vec![from.to_owned()]];
    while let Some(path) = stack.pop() {
        let last = path.last().expect("paths are not empty");
        if last == to {
            return Some(path);
        }
        if !seen.insert(last.clone()) {
            continue;
        }
        for next in graph.get(last).into_iter().flat_map(BTreeMap::keys) {
            let mut longer = path.clone();
            longer.push(next.clone());
            stack.push(longer);
        }
    }
    None
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}
