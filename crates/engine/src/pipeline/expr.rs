//! GitHub Actions expressions (`${{ … }}`): parsing, GitHub's loose comparison rules, the
//! built-in functions, and interpolation into strings. Pure: contexts come in as JSON.

use serde_json::{Map, Value};

/// A parse or evaluation error; `at` is the byte offset inside the expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    pub at: usize,
    pub message: String,
}

fn err<T>(at: usize, message: impl Into<String>) -> Result<T, ExprError> {
    Err(ExprError {
        at,
        message: message.into(),
    })
}

/// What the status functions (`success()`, `failure()`…) answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct JobStatus {
    pub failed: bool,
    pub cancelled: bool,
}

/// Everything an expression can read: the contexts (`github`, `env`, `matrix`…) and the status.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub contexts: Map<String, Value>,
    pub status: JobStatus,
    /// The workspace, for `hashFiles`.
    pub workspace: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Str(String),
    Ident(String),
    Punct(&'static str),
}

fn lex(src: &str) -> Result<Vec<(usize, Tok)>, ExprError> {
    let b = src.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if c == b'\'' {
            let mut s = String::new();
            i += 1;
            loop {
                match src[i..].find('\'') {
                    None => return err(start, "a string is not closed with '"),
                    Some(j) => {
                        s.push_str(&src[i..i + j]);
                        i += j + 1;
                        if b.get(i) == Some(&b'\'') {
                            s.push('\'');
                            i += 1;
                        } else {
                            break;
                        }
                    }
                }
            }
            out.push((start, Tok::Str(s)));
        } else if c.is_ascii_digit()
            || (c == b'-'
                && b.get(i + 1).is_some_and(u8::is_ascii_digit)
                && !matches!(
                    out.last(),
                    Some((_, Tok::Num(_) | Tok::Ident(_) | Tok::Str(_)))
                        | Some((_, Tok::Punct(")" | "]")))
                ))
        {
            i += 1;
            while i < b.len()
                && (b[i].is_ascii_alphanumeric()
                    || b[i] == b'.'
                    || ((b[i] == b'-' || b[i] == b'+') && matches!(b[i - 1], b'e' | b'E')))
            {
                i += 1;
            }
            let text = &src[start..i];
            let n = if let Some(hex) = text.strip_prefix("0x") {
                i64::from_str_radix(hex, 16).ok().map(|v| v as f64)
            } else {
                text.parse::<f64>().ok()
            };
            match n {
                Some(n) => out.push((start, Tok::Num(n))),
                None => return err(start, format!("`{text}` is not a number")),
            }
        } else if c.is_ascii_alphabetic() || c == b'_' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'-') {
                i += 1;
            }
            out.push((start, Tok::Ident(src[start..i].to_owned())));
        } else {
            let two = src.get(i..i + 2).unwrap_or("");
            let p: &'static str = match two {
                "==" => "==",
                "!=" => "!=",
                "<=" => "<=",
                ">=" => ">=",
                "&&" => "&&",
                "||" => "||",
                _ => match c {
                    b'<' => "<",
                    b'>' => ">",
                    b'!' => "!",
                    b'(' => "(",
                    b')' => ")",
                    b'[' => "[",
                    b']' => "]",
                    b'.' => ".",
                    b',' => ",",
                    b'*' => "*",
                    _ => {
                        return err(
                            start,
                            format!(
                                "`{}` is not allowed in an expression",
                                &src[start..].chars().next().unwrap_or(' ')
                            ),
                        )
                    }
                },
            };
            i += p.len();
            out.push((start, Tok::Punct(p)));
        }
    }
    Ok(out)
}

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Lit(Value),
    Ctx(String),
    Index(Box<Expr>, Box<Expr>),
    /// `.*` filter: the named property of every element.
    Star(Box<Expr>),
    Not(Box<Expr>),
    Bin(&'static str, Box<Expr>, Box<Expr>),
    Call(String, Vec<Expr>, usize),
}

struct P {
    toks: Vec<(usize, Tok)>,
    i: usize,
    len: usize,
    /// How deep the parse is now: each `(`, call, index and `!` goes one deeper.
    depth: usize,
}

/// How deep an expression may nest, as on GitHub's runner ("Exceeded max expression depth
/// 50"): parentheses, calls, indexes, negations, and chains of `&&`, `||` or comparisons.
pub const MAX_DEPTH: usize = 50;
/// The largest text an expression may make (`toJSON` of `toJSON` of … doubles at each step).
pub const MAX_VALUE_BYTES: usize = 1024 * 1024;

const FUNCTIONS: &[(&str, usize, usize)] = &[
    ("contains", 2, 2),
    ("startsWith", 2, 2),
    ("endsWith", 2, 2),
    ("format", 1, 99),
    ("join", 1, 2),
    ("toJSON", 1, 1),
    ("fromJSON", 1, 1),
    ("hashFiles", 1, 99),
    ("success", 0, 0),
    ("always", 0, 0),
    ("cancelled", 0, 0),
    ("failure", 0, 0),
];

impl P {
    fn at(&self) -> usize {
        self.toks.get(self.i).map_or(self.len, |t| t.0)
    }
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.i).map(|t| &t.1)
    }
    fn eat(&mut self, p: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Punct(q)) if *q == p) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn expect(&mut self, p: &str) -> Result<(), ExprError> {
        if self.eat(p) {
            Ok(())
        } else {
            err(self.at(), format!("expected `{p}`"))
        }
    }
    /// One level deeper; refused past [`MAX_DEPTH`], before the stack could overflow.
    fn deeper(&mut self) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return err(
                self.at(),
                format!("the expression nests more than {MAX_DEPTH} levels deep, the most GitHub allows"),
            );
        }
        Ok(())
    }
    fn or(&mut self) -> Result<Expr, ExprError> {
        self.deeper()?;
        let mut l = self.and()?;
        let mut chain = 0;
        while self.eat("||") {
            chain += 1;
            self.chain(chain)?;
            l = Expr::Bin("||", Box::new(l), Box::new(self.and()?));
        }
        self.depth -= 1;
        Ok(l)
    }
    /// A chain of `n` operators nests its tree `n` deep.
    fn chain(&self, n: usize) -> Result<(), ExprError> {
        if self.depth + n > MAX_DEPTH {
            return err(
                self.at(),
                format!(
                    "the expression chains more than {MAX_DEPTH} operators, the most GitHub allows"
                ),
            );
        }
        Ok(())
    }
    fn and(&mut self) -> Result<Expr, ExprError> {
        let mut l = self.cmp()?;
        let mut chain = 0;
        while self.eat("&&") {
            chain += 1;
            self.chain(chain)?;
            l = Expr::Bin("&&", Box::new(l), Box::new(self.cmp()?));
        }
        Ok(l)
    }
    fn cmp(&mut self) -> Result<Expr, ExprError> {
        let mut l = self.unary()?;
        let mut chain = 0;
        loop {
            let op = match self.peek() {
                Some(Tok::Punct(p)) if ["==", "!=", "<", "<=", ">", ">="].contains(p) => *p,
                _ => return Ok(l),
            };
            self.i += 1;
            chain += 1;
            self.chain(chain)?;
            l = Expr::Bin(op, Box::new(l), Box::new(self.unary()?));
        }
    }
    fn unary(&mut self) -> Result<Expr, ExprError> {
        if self.eat("!") {
            self.deeper()?;
            let e = Expr::Not(Box::new(self.unary()?));
            self.depth -= 1;
            return Ok(e);
        }
        self.postfix()
    }
    fn postfix(&mut self) -> Result<Expr, ExprError> {
        let mut e = self.primary()?;
        let mut chain = 0;
        loop {
            // Each `.x`, `[i]` and `.*` wraps the tree once more.
            if matches!(self.peek(), Some(Tok::Punct("." | "["))) {
                chain += 1;
                self.chain(chain)?;
            }
            if self.eat(".") {
                if self.eat("*") {
                    e = Expr::Star(Box::new(e));
                    continue;
                }
                match self.peek().cloned() {
                    Some(Tok::Ident(name)) => {
                        self.i += 1;
                        e = Expr::Index(Box::new(e), Box::new(Expr::Lit(Value::String(name))));
                    }
                    _ => return err(self.at(), "expected a property name after `.`"),
                }
            } else if self.eat("[") {
                let idx = self.or()?;
                self.expect("]")?;
                e = Expr::Index(Box::new(e), Box::new(idx));
            } else {
                return Ok(e);
            }
        }
    }
    fn primary(&mut self) -> Result<Expr, ExprError> {
        let at = self.at();
        match self.peek().cloned() {
            None => err(at, "the expression ends too early"),
            Some(Tok::Num(n)) => {
                self.i += 1;
                Ok(Expr::Lit(num(n)))
            }
            Some(Tok::Str(s)) => {
                self.i += 1;
                Ok(Expr::Lit(Value::String(s)))
            }
            Some(Tok::Punct("(")) => {
                self.i += 1;
                let e = self.or()?;
                self.expect(")")?;
                Ok(e)
            }
            Some(Tok::Ident(name)) => {
                self.i += 1;
                match name.as_str() {
                    "true" => return Ok(Expr::Lit(Value::Bool(true))),
                    "false" => return Ok(Expr::Lit(Value::Bool(false))),
                    "null" => return Ok(Expr::Lit(Value::Null)),
                    _ => {}
                }
                if self.eat("(") {
                    let Some(&(fname, min, max)) = FUNCTIONS
                        .iter()
                        .find(|(f, _, _)| f.eq_ignore_ascii_case(&name))
                    else {
                        return err(
                            at,
                            format!(
                                "`{name}` is not a function; available: {}",
                                FUNCTIONS.iter().map(|f| f.0).collect::<Vec<_>>().join(", ")
                            ),
                        );
                    };
                    let mut args = Vec::new();
                    if !self.eat(")") {
                        loop {
                            args.push(self.or()?);
                            if self.eat(")") {
                                break;
                            }
                            self.expect(",")?;
                        }
                    }
                    if args.len() < min || args.len() > max {
                        return err(
                            at,
                            format!(
                                "`{fname}` takes {min}{} argument(s), not {}",
                                if max > min {
                                    format!(" to {max}")
                                } else {
                                    String::new()
                                },
                                args.len()
                            ),
                        );
                    }
                    Ok(Expr::Call(fname.to_owned(), args, at))
                } else {
                    Ok(Expr::Ctx(name))
                }
            }
            Some(Tok::Punct(p)) => err(at, format!("unexpected `{p}`")),
        }
    }
}

fn num(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

/// Parses the inside of `${{ … }}`.
pub fn parse(src: &str) -> Result<Expr, ExprError> {
    let toks = lex(src)?;
    let mut p = P {
        toks,
        i: 0,
        len: src.len(),
        depth: 0,
    };
    let e = p.or()?;
    if p.i < p.toks.len() {
        return err(p.at(), "unexpected text after the end of the expression");
    }
    Ok(e)
}

/// JavaScript-like truthiness, as GitHub defines it.
pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

fn to_number(v: &Value) -> f64 {
    match v {
        Value::Null => 0.0,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
        Value::String(s) if s.trim().is_empty() => 0.0,
        Value::String(s) => {
            let t = s.trim();
            t.strip_prefix("0x").map_or_else(
                || t.parse().unwrap_or(f64::NAN),
                |h| i64::from_str_radix(h, 16).map_or(f64::NAN, |v| v as f64),
            )
        }
        _ => f64::NAN,
    }
}

/// The text form used in interpolation and string functions.
pub fn to_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        other => serde_json::to_string_pretty(other).unwrap_or_default(),
    }
}

/// GitHub's loose equality: same types compare directly (strings ignoring case); different
/// primitive types compare as numbers; arrays and objects only equal themselves.
fn loose_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.eq_ignore_ascii_case(y),
        (Value::Null, Value::Null) => true,
        (Value::Array(_) | Value::Object(_), _) | (_, Value::Array(_) | Value::Object(_)) => {
            std::ptr::eq(a, b)
        }
        _ => to_number(a) == to_number(b),
    }
}

fn compare(op: &str, a: &Value, b: &Value) -> bool {
    if let (Value::String(x), Value::String(y)) = (a, b) {
        let (x, y) = (x.to_lowercase(), y.to_lowercase());
        return match op {
            "<" => x < y,
            "<=" => x <= y,
            ">" => x > y,
            _ => x >= y,
        };
    }
    let (x, y) = (to_number(a), to_number(b));
    match op {
        "<" => x < y,
        "<=" => x <= y,
        ">" => x > y,
        _ => x >= y,
    }
}

/// Evaluates a parsed expression.
pub fn eval(e: &Expr, scope: &Scope) -> Result<Value, ExprError> {
    Ok(match e {
        Expr::Lit(v) => v.clone(),
        Expr::Ctx(name) => scope.contexts.get(name).cloned().unwrap_or(Value::Null),
        Expr::Index(base, idx) if filtered(base) => {
            // After `.*`, a property applies to every element, and missing ones drop out.
            let (items, idx) = (eval(base, scope)?, eval(idx, scope)?);
            let key = to_text(&idx);
            let items = match items {
                Value::Array(items) => items,
                _ => Vec::new(),
            };
            Value::Array(
                items
                    .iter()
                    .filter_map(|item| {
                        item.as_object()?
                            .iter()
                            .find(|(k, _)| k.eq_ignore_ascii_case(&key))
                            .map(|(_, v)| v.clone())
                    })
                    .collect(),
            )
        }
        Expr::Index(obj, idx) => {
            let (obj, idx) = (eval(obj, scope)?, eval(idx, scope)?);
            match (&obj, &idx) {
                (Value::Object(m), _) => {
                    let key = to_text(&idx);
                    m.iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(&key))
                        .map(|(_, v)| v.clone())
                        .unwrap_or(Value::Null)
                }
                (Value::Array(items), _) => {
                    let n = to_number(&idx);
                    if n >= 0.0 && n.fract() == 0.0 {
                        items.get(n as usize).cloned().unwrap_or(Value::Null)
                    } else {
                        Value::Null
                    }
                }
                _ => Value::Null,
            }
        }
        Expr::Star(inner) => match eval(inner, scope)? {
            Value::Object(m) => Value::Array(m.into_iter().map(|(_, v)| v).collect()),
            Value::Array(a) => Value::Array(a),
            _ => Value::Array(Vec::new()),
        },
        Expr::Not(inner) => Value::Bool(!truthy(&eval(inner, scope)?)),
        Expr::Bin(op, l, r) => {
            let lv = eval(l, scope)?;
            match *op {
                "&&" => {
                    if truthy(&lv) {
                        eval(r, scope)?
                    } else {
                        lv
                    }
                }
                "||" => {
                    if truthy(&lv) {
                        lv
                    } else {
                        eval(r, scope)?
                    }
                }
                "==" => Value::Bool(loose_eq(&lv, &eval(r, scope)?)),
                "!=" => Value::Bool(!loose_eq(&lv, &eval(r, scope)?)),
                other => Value::Bool(compare(other, &lv, &eval(r, scope)?)),
            }
        }
        Expr::Call(name, args, at) => call(name, args, *at, scope)?,
    })
}

fn call(name: &str, args: &[Expr], at: usize, scope: &Scope) -> Result<Value, ExprError> {
    let value = call_unbounded(name, args, at, scope)?;
    if let Value::String(s) = &value {
        if s.len() > MAX_VALUE_BYTES {
            return err(
                at,
                format!(
                    "`{name}` made a text of {} bytes, over the {} MiB an expression may make",
                    s.len(),
                    MAX_VALUE_BYTES / 1024 / 1024
                ),
            );
        }
    }
    Ok(value)
}

fn call_unbounded(name: &str, args: &[Expr], at: usize, scope: &Scope) -> Result<Value, ExprError> {
    let status = scope.status;
    let vals = |scope: &Scope| {
        args.iter()
            .map(|a| eval(a, scope))
            .collect::<Result<Vec<_>, _>>()
    };
    Ok(match name {
        "success" => Value::Bool(!status.failed && !status.cancelled),
        "failure" => Value::Bool(status.failed),
        "cancelled" => Value::Bool(status.cancelled),
        "always" => Value::Bool(true),
        "contains" => {
            let v = vals(scope)?;
            Value::Bool(match &v[0] {
                Value::Array(items) => items.iter().any(|i| loose_eq(i, &v[1])),
                hay => to_text(hay)
                    .to_lowercase()
                    .contains(&to_text(&v[1]).to_lowercase()),
            })
        }
        "startsWith" => {
            let v = vals(scope)?;
            Value::Bool(
                to_text(&v[0])
                    .to_lowercase()
                    .starts_with(&to_text(&v[1]).to_lowercase()),
            )
        }
        "endsWith" => {
            let v = vals(scope)?;
            Value::Bool(
                to_text(&v[0])
                    .to_lowercase()
                    .ends_with(&to_text(&v[1]).to_lowercase()),
            )
        }
        "format" => {
            let v = vals(scope)?;
            Value::String(
                format_str(&to_text(&v[0]), &v[1..]).map_err(|m| ExprError { at, message: m })?,
            )
        }
        "join" => {
            let v = vals(scope)?;
            let sep = v.get(1).map_or_else(|| ",".to_owned(), to_text);
            match &v[0] {
                Value::Array(items) => {
                    Value::String(items.iter().map(to_text).collect::<Vec<_>>().join(&sep))
                }
                other => Value::String(to_text(other)),
            }
        }
        "toJSON" => {
            Value::String(serde_json::to_string_pretty(&vals(scope)?[0]).unwrap_or_default())
        }
        "fromJSON" => {
            let text = to_text(&vals(scope)?[0]);
            serde_json::from_str(&text).map_err(|e| ExprError {
                at,
                message: format!("fromJSON: `{text}` is not JSON ({e})"),
            })?
        }
        "hashFiles" => {
            let patterns: Vec<String> = vals(scope)?.iter().map(to_text).collect();
            Value::String(super::hash_files::hash(
                scope.workspace.as_deref(),
                &patterns,
            ))
        }
        _ => return err(at, format!("`{name}` is not a function")),
    })
}

/// `format('{0} and {1}', a, b)`, with `{{` and `}}` as literal braces.
fn format_str(template: &str, args: &[Value]) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut n = String::new();
                for d in chars.by_ref() {
                    if d == '}' {
                        break;
                    }
                    n.push(d);
                }
                let i: usize = n
                    .parse()
                    .map_err(|_| format!("format: `{{{n}}}` is not an argument number"))?;
                out.push_str(&to_text(
                    args.get(i)
                        .ok_or_else(|| format!("format: there is no argument {i}"))?,
                ));
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

/// True when `e` is the result of a `.*` filter (directly or through later properties).
fn filtered(e: &Expr) -> bool {
    match e {
        Expr::Star(_) => true,
        Expr::Index(base, _) => filtered(base),
        _ => false,
    }
}

/// True when the expression calls a status function; if it does not, `if:` adds `success() &&`.
pub fn uses_status(e: &Expr) -> bool {
    match e {
        Expr::Call(name, args, _) => {
            ["success", "failure", "cancelled", "always"].contains(&name.as_str())
                || args.iter().any(uses_status)
        }
        Expr::Index(a, b) | Expr::Bin(_, a, b) => uses_status(a) || uses_status(b),
        Expr::Not(a) | Expr::Star(a) => uses_status(a),
        Expr::Lit(_) | Expr::Ctx(_) => false,
    }
}

/// Evaluates an `if:` condition: `${{ }}` is optional there, and a condition without a status
/// function only runs when everything before succeeded.
pub fn condition(src: Option<&str>, scope: &Scope) -> Result<bool, ExprError> {
    let Some(src) = src else {
        return Ok(!scope.status.failed && !scope.status.cancelled);
    };
    let inner = src.trim();
    let inner = inner
        .strip_prefix("${{")
        .and_then(|s| s.strip_suffix("}}"))
        .unwrap_or(inner);
    let e = parse(inner)?;
    let ok = truthy(&eval(&e, scope)?);
    Ok(if uses_status(&e) {
        ok
    } else {
        ok && !scope.status.failed && !scope.status.cancelled
    })
}

/// Where the `}}` that closes an expression body starting at `body` is: the first one outside
/// a string literal, so `${{ format('{0}}}', x) }}` ends where GitHub ends it. (A `''` inside a
/// string is an escaped quote: the scan leaves the string and enters it again, as it should.)
pub fn closing(body: &str) -> Option<usize> {
    let bytes = body.as_bytes();
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' => in_string = !in_string,
            b'}' if !in_string && bytes.get(i + 1) == Some(&b'}') => return Some(i),
            _ => {}
        }
        i += 1;
    }
    // No `}}` outside a string: a string left open is the likelier mistake, and the parser
    // names it when it gets the text up to the first `}}`.
    body.find("}}")
}

/// Replaces every `${{ … }}` in `text` with its value's text form.
pub fn interpolate(text: &str, scope: &Scope) -> Result<String, ExprError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut offset = 0;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let body_start = start + 3;
        let Some(len) = closing(&rest[body_start..]) else {
            return err(
                offset + start,
                "an expression `${{` is not closed with `}}`",
            );
        };
        let body = &rest[body_start..body_start + len];
        let value = parse(body)
            .and_then(|e| eval(&e, scope))
            .map_err(|e| ExprError {
                at: offset + body_start + e.at,
                message: e.message,
            })?;
        out.push_str(&to_text(&value));
        let consumed = body_start + len + 2;
        offset += consumed;
        rest = &rest[consumed..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn scope() -> Scope {
        let mut s = Scope::default();
        s.contexts.insert("github".into(), json!({"ref": "refs/heads/main", "ref_name": "main", "event_name": "push", "run_number": 7}));
        s.contexts
            .insert("matrix".into(), json!({"os": "linux", "n": 2}));
        s.contexts.insert(
            "steps".into(),
            json!({"build": {"outputs": {"version": "1.2.0"}, "outcome": "success"}}),
        );
        s.contexts.insert(
            "needs".into(),
            json!({"a": {"result": "success"}, "b": {"result": "failure"}}),
        );
        s
    }

    fn ev(src: &str) -> Value {
        eval(&parse(src).unwrap(), &scope()).unwrap()
    }

    #[test]
    fn a_value_that_grows_past_a_mib_is_refused_where_it_grows() {
        // Each toJSON of a string escapes its quotes again: the text doubles at every level.
        let src = format!("{}'\"'{}", "toJSON(".repeat(40), ")".repeat(40));
        let e = eval(&parse(&src).unwrap(), &scope()).unwrap_err();
        assert!(e.message.contains("over the 1 MiB"), "{}", e.message);
        // The deepest expression allowed parses and evaluates on a tokio worker's stack (2 MiB),
        // even in a debug build.
        let deep = format!(
            "{}github.ref_name{}",
            "(".repeat(MAX_DEPTH - 2),
            ")".repeat(MAX_DEPTH - 2)
        );
        let value = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || eval(&parse(&deep).unwrap(), &scope()).unwrap())
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(value, json!("main"));
    }

    #[test]
    fn contexts_properties_and_indexes() {
        assert_eq!(ev("github.ref_name"), json!("main"));
        assert_eq!(ev("github['event_name']"), json!("push"));
        assert_eq!(ev("steps.build.outputs.version"), json!("1.2.0"));
        assert_eq!(
            ev("GITHUB.REF_NAME"),
            json!(null),
            "context names are case-sensitive here, properties are not"
        );
        assert_eq!(ev("github.nothing.deeper"), json!(null));
        assert_eq!(ev("needs.*.result"), json!(["success", "failure"]));
    }

    #[test]
    fn loose_equality_follows_github() {
        assert_eq!(
            ev("'MAIN' == github.ref_name"),
            json!(true),
            "strings ignore case"
        );
        assert_eq!(
            ev("matrix.n == '2'"),
            json!(true),
            "number and numeric string"
        );
        assert_eq!(ev("null == 0"), json!(true));
        assert_eq!(ev("true == 1"), json!(true));
        assert_eq!(ev("'' == 0"), json!(true));
        assert_eq!(ev("'abc' == 0"), json!(false), "NaN equals nothing");
        assert_eq!(ev("1 < 2 && 'b' > 'A'"), json!(true));
    }

    #[test]
    fn and_or_return_operands_and_not_negates() {
        assert_eq!(ev("github.ref_name && 'yes'"), json!("yes"));
        assert_eq!(ev("'' || 'fallback'"), json!("fallback"));
        assert_eq!(ev("!contains(github.ref, 'tags')"), json!(true));
    }

    #[test]
    fn functions() {
        assert_eq!(ev("contains(needs.*.result, 'failure')"), json!(true));
        assert_eq!(ev("startsWith(github.ref, 'refs/heads/')"), json!(true));
        assert_eq!(ev("endsWith('loop-service', 'SERVICE')"), json!(true));
        assert_eq!(ev("format('{0}-{1} {{x}}', 'v', 1)"), json!("v-1 {x}"));
        // A `}}` inside a string does not end the expression ("Expressions: literals").
        assert_eq!(
            interpolate("a ${{ format('{{{0}}}', 'b') }} c", &scope()).unwrap(),
            "a {b} c"
        );
        assert_eq!(
            interpolate("${{ 'it''s }}' }}", &scope()).unwrap(),
            "it's }}"
        );
        assert_eq!(
            ev("join(needs.*.result, ' | ')"),
            json!("success | failure")
        );
        assert_eq!(ev("fromJSON('[1,2]')[1]"), json!(2));
        assert_eq!(ev("toJSON(matrix.n)"), json!("2"));
    }

    #[test]
    fn conditions_add_success_unless_a_status_function_is_used() {
        let mut s = scope();
        assert!(condition(Some("github.ref_name == 'main'"), &s).unwrap());
        s.status.failed = true;
        assert!(!condition(Some("github.ref_name == 'main'"), &s).unwrap());
        assert!(condition(Some("${{ failure() }}"), &s).unwrap());
        assert!(condition(Some("always()"), &s).unwrap());
        assert!(!condition(None, &s).unwrap());
    }

    #[test]
    fn interpolation_and_errors_with_offsets() {
        assert_eq!(
            interpolate(
                "v${{ steps.build.outputs.version }} on ${{ matrix.os }}",
                &scope()
            )
            .unwrap(),
            "v1.2.0 on linux"
        );
        let e = interpolate("x ${{ github.ref ", &scope()).unwrap_err();
        assert_eq!(e.at, 2);
        let e = interpolate("${{ nosuch(1) }}", &scope()).unwrap_err();
        assert!(e.message.contains("not a function"), "{e:?}");
        assert_eq!(
            parse("contains('a')").unwrap_err().message,
            "`contains` takes 2 argument(s), not 1"
        );
        assert!(parse("1 +").is_err());
        assert!(parse("'unclosed")
            .unwrap_err()
            .message
            .contains("not closed"));
        assert!(parse("(1").is_err());
    }
}
