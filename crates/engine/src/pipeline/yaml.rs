//! YAML to a tree that remembers where every node came from, with limits that make hostile
//! files harmless: aliases are expanded against a node budget (no "billion laughs"), nesting
//! is capped, and duplicate keys are errors, as on GitHub.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::finding::Finding;

/// Nodes an expanded document may hold. A real workflow has a few hundred.
const NODE_BUDGET: usize = 100_000;
/// Nesting deeper than this is not a workflow.
const MAX_DEPTH: usize = 64;

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl Pos {
    fn of(mark: Marker) -> Pos {
        Pos {
            line: mark.line() as u32,
            col: mark.col() as u32 + 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A scalar and whether it was quoted (a quoted `true` is a string, not a boolean).
    Scalar(String, bool),
    Seq(Vec<Node>),
    /// Keys in file order.
    Map(Vec<(Node, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub value: Value,
}

impl Node {
    /// The scalar text, if this is a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s, _) => Some(s),
            _ => None,
        }
    }

    /// True for an empty plain scalar or `~`/`null`.
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar(s, false) if s.is_empty() || s == "~" || s == "null")
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The value under `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }

    /// What kind of value this is, in words for error messages.
    pub fn kind(&self) -> &'static str {
        match &self.value {
            Value::Scalar(..) if self.is_null() => "nothing (null)",
            Value::Scalar(..) => "a single value",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// The same as a code the UI's catalogs say (`yamlKinds`).
    pub fn kind_code(&self) -> &'static str {
        match &self.value {
            Value::Scalar(..) if self.is_null() => "null",
            Value::Scalar(..) => "value",
            Value::Seq(_) => "list",
            Value::Map(_) => "mapping",
        }
    }
}

/// A YAML error with its position and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub pos: Pos,
    /// The problem as a code for the UI's catalogs (boxed: the error stays small to return).
    pub finding: Box<Finding>,
    pub message: String,
    pub fix: &'static str,
}

/// The fix for the parser's own syntax errors.
const SYNTAX_FIX: &str =
    "fix the YAML at this position (indentation with spaces, a missing colon, quote or bracket)";

/// Parses the first document of `text`. An empty file is an error: a workflow needs content.
pub fn parse(text: &str) -> Result<Node, YamlError> {
    // The parser stops reading at a NUL and says nothing: the rest of the file (a job that
    // would have been refused, say) would silently vanish.
    if let Some(at) = text.find('\0') {
        let before = &text[..at];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        return Err(YamlError {
            pos: Pos {
                line: line as u32,
                col: col as u32,
            },
            finding: Box::new(Finding::new("yamlNul")),
            message: "the file holds a NUL byte, which YAML does not allow".into(),
            fix: "remove it: a workflow is text (`tr -d '\\000'` does it)",
        });
    }
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    // Read every document, so a second one is reported rather than silently dropped.
    if let Err(e) = parser.load(&mut builder, true) {
        return Err(YamlError {
            pos: Pos::of(*e.marker()),
            // The parser's own words, quoted: they name the token it stumbled on.
            finding: Box::new(Finding::new("yamlSyntax").with("said", e.info())),
            message: e.info().to_owned(),
            fix: SYNTAX_FIX,
        });
    }
    if let Some(e) = builder.error {
        return Err(e);
    }
    builder.root.ok_or(YamlError {
        pos: Pos { line: 1, col: 1 },
        finding: Box::new(Finding::new("yamlEmpty")),
        message: "the file is empty".into(),
        fix: "write the workflow: `name`, `on` and `jobs`",
    })
}

#[derive(Default)]
struct Builder {
    /// Open collections: the node being built and, for maps, a pending key.
    stack: Vec<(Node, Option<Node>, usize)>,
    anchors: Vec<(usize, Node)>,
    root: Option<Node>,
    nodes: usize,
    error: Option<YamlError>,
}

impl Builder {
    fn fail(&mut self, pos: Pos, finding: Finding, message: String, fix: &'static str) {
        if self.error.is_none() {
            self.error = Some(YamlError {
                pos,
                finding: Box::new(finding),
                message,
                fix,
            });
        }
    }

    fn count(&mut self, node: &Node, pos: Pos) -> bool {
        self.nodes += size(node);
        if self.nodes > NODE_BUDGET {
            self.fail(
                pos,
                Finding::new("yamlBomb").with("most", NODE_BUDGET),
                format!("the document expands to more than {NODE_BUDGET} values; aliases (*name) that repeat each other grow exponentially (a \"YAML bomb\")"),
                "write the values out instead of nesting aliases",
            );
            return false;
        }
        true
    }

    /// Attaches a finished node to its parent (or makes it the root).
    fn attach(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.push((anchor, node.clone()));
        }
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some((parent, pending, _)) => match &mut parent.value {
                Value::Seq(items) => items.push(node),
                Value::Map(entries) => match pending.take() {
                    None => *pending = Some(node),
                    Some(key) => {
                        let duplicate = key.as_str().and_then(|k| {
                            entries
                                .iter()
                                .find(|(e, _)| e.as_str() == Some(k))
                                .map(|_| k.to_owned())
                        });
                        entries.push((key.clone(), node));
                        if let Some(k) = duplicate {
                            self.fail(
                                key.pos,
                                Finding::new("yamlDuplicateKey").with("key", &k),
                                format!("the key `{k}` appears twice in the same mapping"),
                                "rename one of them, or merge the two into one",
                            );
                        }
                    }
                },
                Value::Scalar(..) => {}
            },
        }
    }
}

fn size(node: &Node) -> usize {
    1 + match &node.value {
        Value::Scalar(..) => 0,
        Value::Seq(items) => items.iter().map(size).sum(),
        Value::Map(entries) => entries.iter().map(|(k, v)| size(k) + size(v)).sum(),
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        let pos = Pos::of(mark);
        match ev {
            Event::DocumentStart if self.root.is_some() => self.fail(
                pos,
                Finding::new("yamlTwoDocuments"),
                "the file holds more than one YAML document (---); a workflow is one".into(),
                "put each workflow in a file of its own",
            ),
            Event::Scalar(text, style, anchor, _) => {
                let node = Node {
                    pos,
                    value: Value::Scalar(text, style != TScalarStyle::Plain),
                };
                if self.count(&node, pos) {
                    self.attach(node, anchor);
                }
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if self.stack.len() >= MAX_DEPTH {
                    return self.fail(
                        pos,
                        Finding::new("yamlTooDeep").with("most", MAX_DEPTH),
                        format!("values are nested more than {MAX_DEPTH} levels deep"),
                        "flatten the structure",
                    );
                }
                let value = if matches!(ev, Event::SequenceStart(..)) {
                    Value::Seq(Vec::new())
                } else {
                    Value::Map(Vec::new())
                };
                self.nodes += 1;
                self.stack.push((Node { pos, value }, None, anchor));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((node, _, anchor)) = self.stack.pop() {
                    self.attach(node, anchor);
                }
            }
            Event::Alias(id) => match self
                .anchors
                .iter()
                .rev()
                .find(|(a, _)| *a == id)
                .map(|(_, n)| n.clone())
            {
                Some(mut node) => {
                    if self.count(&node, pos) {
                        node.pos = pos;
                        self.attach(node, 0);
                    }
                }
                None => self.fail(
                    pos,
                    Finding::new("yamlUnknownAlias"),
                    "an alias (*name) refers to an anchor that is not defined before it".into(),
                    "define the anchor (&name) before using it",
                ),
            },
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_lines_and_columns() {
        let root = parse("name: ci\non:\n  push:\n    branches: [main]\n").unwrap();
        let on = root.get("on").unwrap();
        assert_eq!(
            on.get("push").unwrap().get("branches").unwrap().pos,
            Pos { line: 4, col: 15 }
        );
        assert_eq!(root.get("name").unwrap().as_str(), Some("ci"));
    }

    #[test]
    fn quoted_scalars_are_told_apart_from_plain_ones() {
        let root = parse("a: true\nb: 'true'\n").unwrap();
        assert_eq!(
            root.get("a").unwrap().value,
            Value::Scalar("true".into(), false)
        );
        assert_eq!(
            root.get("b").unwrap().value,
            Value::Scalar("true".into(), true)
        );
    }

    #[test]
    fn a_billion_laughs_is_stopped_not_expanded() {
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (i, name) in ["b", "c", "d", "e", "f", "g", "h", "i"].iter().enumerate() {
            let prev = if i == 0 {
                "a".to_string()
            } else {
                ["b", "c", "d", "e", "f", "g", "h"][i - 1].to_string()
            };
            bomb.push_str(&format!("{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        let err = parse(&bomb).unwrap_err();
        assert!(err.message.contains("YAML bomb"), "{err:?}");
    }

    #[test]
    fn duplicate_keys_deep_nesting_and_bad_syntax_are_errors_with_positions() {
        let err = parse("jobs:\n  a: 1\n  a: 2\n").unwrap_err();
        assert_eq!((err.pos.line, err.pos.col), (3, 3));
        assert!(err.message.contains("`a` appears twice"));
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert!(parse(&deep).unwrap_err().message.contains("nested"));
        let err = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(err.pos.line >= 1, "{err:?}");
        assert!(parse("").unwrap_err().message.contains("empty"));
        let err = parse("a: *nowhere\n").unwrap_err();
        assert!(err.message.contains("anchor"), "{err:?}");
    }
}
