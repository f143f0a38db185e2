//! The structure the README describes, checked: layers point down, and the use-case modules
//! do not depend on each other in a cycle.
use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
};

fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(sources(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
    files
}

fn src(layer: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(layer)
}

plain_test!(
    fn layers_only_point_down() {
        for (layer, forbidden) in [
            (
                "domain",
                &[
                    "crate::services",
                    "crate::http",
                    "crate::entities",
                    "crate::state",
                    "crate::startup",
                ][..],
            ),
            ("entities", &["crate::services", "crate::http"][..]),
            (
                "services",
                &["crate::http", "crate::startup", "crate::state"][..],
            ),
        ] {
            for file in sources(&src(layer)) {
                let text = std::fs::read_to_string(&file).unwrap();
                for upward in forbidden {
                    assert!(
                        !text.contains(upward),
                        "{} reaches up to {upward}",
                        file.display()
                    );
                }
            }
        }
    }
);

/// The service modules a service module names (`editions::…`, `services::{editions, …}`).
fn service_dependencies() -> BTreeMap<String, BTreeSet<String>> {
    let services = src("services");
    let modules: Vec<String> = std::fs::read_dir(&services)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter_map(|path| {
            path.file_stem()
                .map(|stem| stem.to_string_lossy().into_owned())
        })
        .filter(|name| name != "mod")
        .collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in sources(&services) {
        let relative = file.strip_prefix(&services).unwrap();
        let module = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = module.trim_end_matches(".rs").to_owned();
        let text = std::fs::read_to_string(&file).unwrap();
        let named = graph.entry(module.clone()).or_default();
        // A service module is reached by a `services::x` path or a `services::{x, …}` import
        // (`domain::jury` and `entities::…` share names with services and are not them).
        let mut mentioned: BTreeSet<String> = text
            .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .filter_map(|word| {
                word.trim_start_matches("crate::")
                    .strip_prefix("services::")
            })
            .filter_map(|path| path.split("::").next())
            .map(str::to_owned)
            .collect();
        mentioned.extend(grouped_imports(&text));
        named.extend(
            mentioned
                .into_iter()
                .filter(|other| *other != module && modules.contains(other)),
        );
    }
    graph
}

/// The first names inside each `services::{…}` import.
fn grouped_imports(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    for (start, _) in text.match_indices("services::{") {
        let (mut depth, mut segment_start) = (0, true);
        let mut current = String::new();
        for c in text[start + "services::".len()..].chars() {
            match c {
                '{' => {
                    depth += 1;
                    segment_start = depth == 1;
                }
                '}' if depth == 1 => break,
                '}' => depth -= 1,
                ',' if depth == 1 => segment_start = true,
                c if depth == 1 && segment_start && (c.is_alphanumeric() || c == '_') => {
                    current.push(c)
                }
                c if c.is_whitespace() && current.is_empty() => {}
                _ => {
                    if !current.is_empty() {
                        names.push(std::mem::take(&mut current));
                    }
                    segment_start = false;
                }
            }
        }
    }
    names
}

plain_test!(
    fn service_modules_form_no_cycle() {
        let graph = service_dependencies();
        // Depth-first search for a path back to where it started.
        fn reaches(
            graph: &BTreeMap<String, BTreeSet<String>>,
            from: &str,
            to: &str,
            seen: &mut BTreeSet<String>,
        ) -> bool {
            graph.get(from).into_iter().flatten().any(|next| {
                next == to || (seen.insert(next.clone()) && reaches(graph, next, to, seen))
            })
        }
        for module in graph.keys() {
            assert!(
                !reaches(&graph, module, module, &mut BTreeSet::new()),
                "services::{module} depends on itself through {:?}",
                graph[module]
            );
        }
        assert!(
            graph["jury"].contains("editions"),
            "the scan sees dependencies"
        );
    }
);

plain_test!(
    /// The rules refuse in `domain`; a use case refuses by itself only what the database
    /// decides: a unique index already taken, an atomic counter exhausted.
    fn services_refuse_only_what_the_database_decides() {
        const DECIDED_BY_THE_DATABASE: [&str; 8] = [
            "EditionNumberTaken",
            "CollegeNameTaken",
            "AlreadyVoted",
            "ShortNameTaken",
            "EmailTaken",
            "TooManyAttempts",
            "ConflictAlreadyDeclared",
            "ScorecardExists",
        ];
        for file in sources(&src("services")) {
            let text = std::fs::read_to_string(&file).unwrap();
            for (at, _) in text.match_indices("ProblemCode::") {
                let code: String = text[at + "ProblemCode::".len()..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric())
                    .collect();
                assert!(
                    DECIDED_BY_THE_DATABASE.contains(&code.as_str()),
                    "{} refuses with {code}: write the rule in src/domain",
                    file.display()
                );
            }
        }
    }
);
