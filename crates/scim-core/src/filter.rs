//! SCIM filters (RFC 7644 §3.4.2.2): parsing, resolving against a resource type, and
//! evaluating against stored resources.
//!
//! The grammar is the RFC's ABNF: `attrPath pr`, `attrPath op value` with the operators
//! `eq ne co sw ew gt ge lt le`, `and` / `or` (with `and` binding tighter), `not (...)`,
//! parentheses, and value paths such as `emails[type eq "work" and value co "@"]`.
//! Operators, keywords and attribute names are case-insensitive. Comparisons follow the
//! attribute's definition: `caseExact` for strings, instants for `dateTime`, numbers for
//! `integer`/`decimal`; ordering operators on `boolean` or `binary` are an `invalidFilter`.
//!
//! Parsing never panics: every malformed input is a 400 `invalidFilter` whose detail names
//! the column. Nesting (parentheses, `not`, value paths) is capped at [`MAX_DEPTH`], and
//! `and`/`or` chains are flat lists, so neither parsing nor evaluation recurses deeper than
//! the cap.
//!
//! Cost budget: a filter holds at most [`MAX_TERMS`] comparisons (`pr` and the operators,
//! value filters included), and a query evaluates at most [`MAX_EVALUATIONS`] of them
//! (comparisons × resources scanned, checked in [`crate::list`] before the scan starts), so
//! one request cannot hold a server for seconds. Both refusals are 400 `invalidFilter`
//! naming the limit.

use serde_json::{Map, Number, Value};

use crate::error::{ScimError, ScimType};
use crate::profile::registry::ResourceKind;
use crate::schema::{AttrType, Attribute};

/// The deepest nesting of `( )`, `not ( )` and `[ ]` a filter may have.
pub const MAX_DEPTH: usize = 32;

/// The most comparisons (`attr op value` and `attr pr`) one filter may hold.
pub const MAX_TERMS: usize = 200;

/// The most comparisons one query may evaluate: the filter's comparisons times the
/// resources it scans (an indexed term, see [`crate::list`], scans only its candidates).
pub const MAX_EVALUATIONS: usize = 5_000_000;

const RFC_FILTER: &str = "RFC 7644 §3.4.2.2";

/// Comparison operators of RFC 7644 §3.4.2.2, table 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

impl CmpOp {
    fn parse(s: &str) -> Option<CmpOp> {
        Some(match s.to_ascii_lowercase().as_str() {
            "eq" => CmpOp::Eq,
            "ne" => CmpOp::Ne,
            "co" => CmpOp::Co,
            "sw" => CmpOp::Sw,
            "ew" => CmpOp::Ew,
            "gt" => CmpOp::Gt,
            "ge" => CmpOp::Ge,
            "lt" => CmpOp::Lt,
            "le" => CmpOp::Le,
            _ => return None,
        })
    }

    /// The operator as written in a filter (and as `behaviour.filterOperators` lists it).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "eq",
            CmpOp::Ne => "ne",
            CmpOp::Co => "co",
            CmpOp::Sw => "sw",
            CmpOp::Ew => "ew",
            CmpOp::Gt => "gt",
            CmpOp::Ge => "ge",
            CmpOp::Lt => "lt",
            CmpOp::Le => "le",
        }
    }

    fn is_ordering(self) -> bool {
        matches!(self, CmpOp::Gt | CmpOp::Ge | CmpOp::Lt | CmpOp::Le)
    }

    fn is_substring(self) -> bool {
        matches!(self, CmpOp::Co | CmpOp::Sw | CmpOp::Ew)
    }
}

/// An attribute path as written, with its 1-based column.
#[derive(Debug, Clone, PartialEq)]
pub struct RawPath {
    pub text: String,
    pub col: usize,
}

/// A parsed filter, not yet tied to a resource type.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Not(Box<Filter>),
    Present(RawPath),
    Compare(RawPath, CmpOp, Value),
    /// `attr[filter]`: some value of a (multi-valued) complex attribute matches.
    ValuePath(RawPath, Box<Filter>),
}

/// Parses a filter; `col0` is added to columns (for filters embedded in a PATCH path).
pub fn parse(text: &str, col0: usize) -> Result<Filter, ScimError> {
    let tokens = lex(text, col0)?;
    let mut p = Parser { text, col0, tokens, pos: 0, depth: 0, in_brackets: false };
    if p.tokens.is_empty() {
        return Err(p.error(col0 + 1, "the filter is empty"));
    }
    let f = p.or_expr()?;
    if let Some(t) = p.tokens.get(p.pos) {
        let col = t.col;
        let what = t.tok.describe();
        return Err(p.error(col, &format!("unexpected {what}; expected 'and', 'or' or the end of the filter")));
    }
    let n = terms(&f);
    if n > MAX_TERMS {
        return Err(ScimError::bad_request(
            ScimType::InvalidFilter,
            format!(
                "The filter holds {n} comparisons; this server evaluates at most {MAX_TERMS} per filter. Split the query into several requests ({RFC_FILTER})."
            ),
        ));
    }
    Ok(f)
}

/// The comparisons (`attr op value`, `attr pr`) a filter holds, value filters included.
pub fn terms(f: &Filter) -> usize {
    let mut n = 0;
    let mut stack = vec![f];
    while let Some(f) = stack.pop() {
        match f {
            Filter::And(v) | Filter::Or(v) => stack.extend(v),
            Filter::Not(inner) | Filter::ValuePath(_, inner) => stack.push(inner),
            Filter::Present(_) | Filter::Compare(..) => n += 1,
        }
    }
    n
}

/// The query-wide budget: `terms` comparisons on each of `scanned` resources.
pub fn check_budget(terms: usize, scanned: usize) -> Result<(), ScimError> {
    let cost = terms.saturating_mul(scanned);
    if cost > MAX_EVALUATIONS {
        return Err(ScimError::bad_request(
            ScimType::InvalidFilter,
            format!(
                "The filter would evaluate {cost} comparisons ({terms} comparisons × {scanned} resources); this server evaluates at most {MAX_EVALUATIONS} per query. Use fewer comparisons, or lead with an indexed term such as `id eq`, `userName eq` or `userName sw` ({RFC_FILTER})."
            ),
        ));
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LParen,
    RParen,
    LBracket,
    RBracket,
    Word(String),
    Str(String),
    Num(Number),
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::LParen => "'('".into(),
            Tok::RParen => "')'".into(),
            Tok::LBracket => "'['".into(),
            Tok::RBracket => "']'".into(),
            Tok::Word(w) => format!("'{w}'"),
            Tok::Str(s) => format!("string {s:?}"),
            Tok::Num(n) => format!("number {n}"),
        }
    }
}

#[derive(Debug, Clone)]
struct Spanned {
    tok: Tok,
    col: usize,
}

fn filter_error(text: &str, col: usize, msg: &str) -> ScimError {
    let shown: String = text.chars().take(200).collect();
    let more = if text.chars().count() > 200 { "…" } else { "" };
    ScimError::bad_request(
        ScimType::InvalidFilter,
        format!("Invalid filter at column {col}: {msg} ({RFC_FILTER}). Filter: {shown}{more}"),
    )
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':' | '.' | '$')
}

fn lex(text: &str, col0: usize) -> Result<Vec<Spanned>, ScimError> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let col = |i: usize| col0 + i + 1;
    while let Some(&(_, c)) = chars.get(i) {
        let start = i;
        match c {
            ' ' | '\t' | '\n' | '\r' => {
                i += 1;
                continue;
            }
            '(' | ')' | '[' | ']' => {
                let tok = match c {
                    '(' => Tok::LParen,
                    ')' => Tok::RParen,
                    '[' => Tok::LBracket,
                    _ => Tok::RBracket,
                };
                out.push(Spanned { tok, col: col(i) });
                i += 1;
            }
            '"' => {
                i += 1;
                let mut closed = false;
                while let Some(&(_, d)) = chars.get(i) {
                    i += 1;
                    if d == '\\' {
                        i += 1;
                    } else if d == '"' {
                        closed = true;
                        break;
                    }
                }
                if !closed {
                    return Err(filter_error(text, col(start), "this string has no closing quote"));
                }
                let from = chars.get(start).map_or(0, |(b, _)| *b);
                let to = chars.get(i).map_or(text.len(), |(b, _)| *b);
                let raw = text.get(from..to).unwrap_or_default();
                let s: String = crate::from_json_str(raw).map_err(|_| {
                    filter_error(text, col(start), "this string is not a valid JSON string (check its escapes)")
                })?;
                out.push(Spanned { tok: Tok::Str(s), col: col(start) });
            }
            c if c.is_ascii_digit() || c == '-' => {
                while chars.get(i).is_some_and(|(_, d)| d.is_ascii_alphanumeric() || matches!(d, '.' | '-' | '+')) {
                    i += 1;
                }
                let from = chars.get(start).map_or(0, |(b, _)| *b);
                let to = chars.get(i).map_or(text.len(), |(b, _)| *b);
                let raw = text.get(from..to).unwrap_or_default();
                let n: Number = crate::from_json_str(raw)
                    .map_err(|_| filter_error(text, col(start), &format!("'{raw}' is not a number")))?;
                out.push(Spanned { tok: Tok::Num(n), col: col(start) });
            }
            c if c.is_ascii_alphabetic() || c == '$' || c == '_' => {
                while chars.get(i).is_some_and(|(_, d)| is_name_char(*d)) {
                    i += 1;
                }
                let from = chars.get(start).map_or(0, |(b, _)| *b);
                let to = chars.get(i).map_or(text.len(), |(b, _)| *b);
                out.push(Spanned { tok: Tok::Word(text.get(from..to).unwrap_or_default().into()), col: col(start) });
            }
            other => {
                return Err(filter_error(
                    text,
                    col(i),
                    &format!("unexpected character {other:?}; string values need double quotes"),
                ));
            }
        }
    }
    Ok(out)
}

struct Parser<'t> {
    text: &'t str,
    col0: usize,
    tokens: Vec<Spanned>,
    pos: usize,
    depth: usize,
    in_brackets: bool,
}

impl Parser<'_> {
    fn error(&self, col: usize, msg: &str) -> ScimError {
        filter_error(self.text, col, msg)
    }

    fn end_col(&self) -> usize {
        self.col0 + self.text.chars().count() + 1
    }

    fn peek(&self) -> Option<&Spanned> {
        self.tokens.get(self.pos)
    }

    fn peek_word(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Spanned { tok: Tok::Word(w), .. }) if w.eq_ignore_ascii_case(kw))
    }

    fn next_col(&self) -> usize {
        self.peek().map_or_else(|| self.end_col(), |t| t.col)
    }

    fn enter(&mut self, col: usize) -> Result<(), ScimError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(col, &format!("the filter nests deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    fn expect(&mut self, want: &Tok, what: &str) -> Result<(), ScimError> {
        match self.peek() {
            Some(t) if &t.tok == want => {
                self.pos += 1;
                Ok(())
            }
            Some(t) => Err(self.error(t.col, &format!("expected {what}, found {}", t.tok.describe()))),
            None => Err(self.error(self.end_col(), &format!("expected {what}, but the filter ends"))),
        }
    }

    fn or_expr(&mut self) -> Result<Filter, ScimError> {
        let mut terms = vec![self.and_expr()?];
        while self.peek_word("or") {
            self.pos += 1;
            terms.push(self.and_expr()?);
        }
        Ok(if terms.len() == 1 { terms.pop().unwrap_or(Filter::And(vec![])) } else { Filter::Or(terms) })
    }

    fn and_expr(&mut self) -> Result<Filter, ScimError> {
        let mut terms = vec![self.unary()?];
        while self.peek_word("and") {
            self.pos += 1;
            terms.push(self.unary()?);
        }
        Ok(if terms.len() == 1 { terms.pop().unwrap_or(Filter::And(vec![])) } else { Filter::And(terms) })
    }

    fn group(&mut self) -> Result<Filter, ScimError> {
        let col = self.next_col();
        self.expect(&Tok::LParen, "'('")?;
        self.enter(col)?;
        let inner = self.or_expr()?;
        self.expect(&Tok::RParen, &format!("')' to close the '(' at column {col}"))?;
        self.depth -= 1;
        Ok(inner)
    }

    fn unary(&mut self) -> Result<Filter, ScimError> {
        let Some(t) = self.peek().cloned() else {
            return Err(self.error(self.end_col(), "expected an attribute, 'not' or '(', but the filter ends"));
        };
        match &t.tok {
            Tok::LParen => self.group(),
            Tok::Word(w)
                if w.eq_ignore_ascii_case("not")
                    && matches!(self.tokens.get(self.pos + 1), Some(Spanned { tok: Tok::LParen, .. })) =>
            {
                self.pos += 1;
                self.enter(t.col)?;
                let inner = self.group()?;
                self.depth -= 1;
                Ok(Filter::Not(Box::new(inner)))
            }
            Tok::Word(w) => {
                self.pos += 1;
                self.attr_expr(RawPath { text: w.clone(), col: t.col })
            }
            other => {
                Err(self.error(t.col, &format!("expected an attribute name, 'not' or '(', found {}", other.describe())))
            }
        }
    }

    fn attr_expr(&mut self, path: RawPath) -> Result<Filter, ScimError> {
        let Some(t) = self.peek().cloned() else {
            return Err(self.error(
                self.end_col(),
                &format!("'{}' needs an operator (eq, ne, co, sw, ew, gt, ge, lt, le or pr)", path.text),
            ));
        };
        match &t.tok {
            Tok::LBracket => {
                if self.in_brackets {
                    return Err(self.error(t.col, "value filters cannot be nested inside '[ ]'"));
                }
                self.pos += 1;
                self.enter(t.col)?;
                self.in_brackets = true;
                let inner = self.or_expr();
                self.in_brackets = false;
                let inner = inner?;
                self.expect(&Tok::RBracket, "']'")?;
                self.depth -= 1;
                Ok(Filter::ValuePath(path, Box::new(inner)))
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("pr") => {
                self.pos += 1;
                Ok(Filter::Present(path))
            }
            Tok::Word(w) => {
                let Some(op) = CmpOp::parse(w) else {
                    return Err(self.error(
                        t.col,
                        &format!("'{w}' is not an operator; use eq, ne, co, sw, ew, gt, ge, lt, le or pr"),
                    ));
                };
                self.pos += 1;
                let v = self.value(op)?;
                Ok(Filter::Compare(path, op, v))
            }
            other => {
                Err(self
                    .error(t.col, &format!("expected an operator after '{}', found {}", path.text, other.describe())))
            }
        }
    }

    fn value(&mut self, op: CmpOp) -> Result<Value, ScimError> {
        let Some(t) = self.peek().cloned() else {
            return Err(self.error(self.end_col(), &format!("'{}' needs a value, but the filter ends", op.as_str())));
        };
        let v = match &t.tok {
            Tok::Str(s) => Value::String(s.clone()),
            Tok::Num(n) => Value::Number(n.clone()),
            Tok::Word(w) if w.eq_ignore_ascii_case("true") => Value::Bool(true),
            Tok::Word(w) if w.eq_ignore_ascii_case("false") => Value::Bool(false),
            Tok::Word(w) if w.eq_ignore_ascii_case("null") => Value::Null,
            other => {
                return Err(self.error(
                    t.col,
                    &format!(
                        "expected a value (a quoted string, number, true, false or null) after '{}', found {}",
                        op.as_str(),
                        other.describe()
                    ),
                ));
            }
        };
        self.pos += 1;
        Ok(v)
    }
}

/// An attribute resolved against a schema: where its values live and how they compare.
#[derive(Debug, Clone)]
struct Sel {
    /// Extension URN key in the resource, if any.
    schema: Option<String>,
    top: String,
    sub: Option<String>,
    kind: AttrType,
    case_exact: bool,
}

/// A literal prepared for comparing with one attribute type.
#[derive(Debug, Clone)]
enum Lit {
    Null,
    Bool(bool),
    Num(f64),
    /// The string (lowercased unless caseExact) and, for dateTime, its instant.
    Str(String, Option<i64>),
}

/// A filter resolved against a resource type, ready to evaluate.
#[derive(Debug, Clone)]
pub enum Cond {
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
    Present(SelBox),
    Compare(SelBox, CmpOp, LitBox),
    ValuePath(SelBox, Box<Cond>),
    /// A term on an attribute this resource type lacks (searches across types): always
    /// this answer, as for an attribute with no value.
    Const(bool),
}

/// Opaque resolved attribute.
#[derive(Debug, Clone)]
pub struct SelBox(Sel);
/// Opaque prepared literal.
#[derive(Debug, Clone)]
pub struct LitBox(Lit);

/// Where filter paths are resolved.
#[derive(Clone, Copy)]
enum Scope<'a> {
    Resource(&'a ResourceKind),
    /// Inside `attr[...]`: names are sub-attributes of `attr`.
    Complex(&'a Attribute),
}

/// Resolves a parsed filter against a resource type (RFC 7644 §3.4.2.2, §3.10).
pub fn compile(f: &Filter, kind: &ResourceKind, text: &str) -> Result<Cond, ScimError> {
    compile_in(f, Scope::Resource(kind), text, false)
}

/// Like [`compile`], but an attribute the type does not define reads as absent instead of
/// failing: for `POST /.search` across resource types (RFC 7644 §3.4.3), where
/// `userName pr or displayName pr` must match Users and Groups alike.
pub fn compile_lenient(f: &Filter, kind: &ResourceKind, text: &str) -> Result<Cond, ScimError> {
    compile_in(f, Scope::Resource(kind), text, true)
}

/// Resolves a value filter (the part in brackets) against a complex attribute.
pub fn compile_for_attribute(f: &Filter, attr: &Attribute, text: &str) -> Result<Cond, ScimError> {
    compile_in(f, Scope::Complex(attr), text, false)
}

fn resolve(path: &RawPath, scope: Scope<'_>, text: &str) -> Result<(Sel, Option<Attribute>), ScimError> {
    let unknown =
        |extra: &str| filter_error(text, path.col, &format!("'{}' is not an attribute of {extra}", path.text));
    match scope {
        Scope::Resource(kind) => {
            let r = kind.resolve_path(&path.text).ok_or_else(|| unknown(&format!("{} resources", kind.def.name)))?;
            let leaf = r.sub.unwrap_or(r.attr);
            let schema = r.schema.map(str::to_string);
            Ok((
                Sel {
                    schema,
                    top: r.attr.name.clone(),
                    sub: r.sub.map(|s| s.name.clone()),
                    kind: leaf.kind,
                    case_exact: leaf.case_exact,
                },
                Some(r.attr.clone()).filter(|_| r.sub.is_none()),
            ))
        }
        Scope::Complex(attr) => {
            let s = attr.sub(&path.text).ok_or_else(|| unknown(&format!("'{}'", attr.name)))?;
            Ok((Sel { schema: None, top: s.name.clone(), sub: None, kind: s.kind, case_exact: s.case_exact }, None))
        }
    }
}

fn compile_in(f: &Filter, scope: Scope<'_>, text: &str, lenient: bool) -> Result<Cond, ScimError> {
    let path = match f {
        Filter::Present(p) | Filter::Compare(p, _, _) | Filter::ValuePath(p, _) => Some(p),
        _ => None,
    };
    if let (true, Some(p), Scope::Resource(kind)) = (lenient, path, scope) {
        if kind.resolve_path(&p.text).is_none() {
            return Ok(Cond::Const(match f {
                Filter::Compare(_, CmpOp::Eq, Value::Null) => true,
                Filter::Compare(_, CmpOp::Ne, v) => !v.is_null(),
                _ => false,
            }));
        }
    }
    let all = |v: &[Filter]| v.iter().map(|x| compile_in(x, scope, text, lenient)).collect::<Result<Vec<_>, _>>();
    Ok(match f {
        Filter::And(v) => Cond::And(all(v)?),
        Filter::Or(v) => Cond::Or(all(v)?),
        Filter::Not(x) => Cond::Not(Box::new(compile_in(x, scope, text, lenient)?)),
        Filter::Present(p) => {
            let (sel, _) = resolve(p, scope, text)?;
            Cond::Present(SelBox(sel))
        }
        Filter::Compare(p, op, v) => {
            let (mut sel, whole) = resolve(p, scope, text)?;
            // A complex attribute compared as a whole compares its `value` sub-attribute
            // (`emails co "@example.com"`).
            if sel.kind == AttrType::Complex {
                let value = whole.as_ref().and_then(|a| a.sub("value")).ok_or_else(|| {
                    filter_error(
                        text,
                        p.col,
                        &format!(
                            "'{}' is complex; compare one of its sub-attributes, e.g. '{}.<name>'",
                            p.text, p.text
                        ),
                    )
                })?;
                sel.sub = Some(value.name.clone());
                sel.kind = value.kind;
                sel.case_exact = value.case_exact;
            }
            let lit = literal(&sel, *op, v, p, text)?;
            Cond::Compare(SelBox(sel), *op, LitBox(lit))
        }
        Filter::ValuePath(p, inner) => {
            if matches!(scope, Scope::Complex(_)) {
                return Err(filter_error(text, p.col, "value filters cannot be nested"));
            }
            let (sel, whole) = resolve(p, scope, text)?;
            let Some(attr) = whole.filter(|a| a.kind == AttrType::Complex) else {
                return Err(filter_error(
                    text,
                    p.col,
                    &format!("'{}[...]' needs a complex attribute such as emails or members", p.text),
                ));
            };
            Cond::ValuePath(SelBox(sel), Box::new(compile_in(inner, Scope::Complex(&attr), text, false)?))
        }
    })
}

fn literal(sel: &Sel, op: CmpOp, v: &Value, p: &RawPath, text: &str) -> Result<Lit, ScimError> {
    let bad = |msg: String| filter_error(text, p.col, &msg);
    let kind = sel.kind.as_str();
    if v.is_null() {
        return match op {
            CmpOp::Eq | CmpOp::Ne => Ok(Lit::Null),
            _ => Err(bad(format!("'{}' cannot compare with null; use eq null, ne null or pr", op.as_str()))),
        };
    }
    match sel.kind {
        AttrType::Boolean => {
            if !matches!(op, CmpOp::Eq | CmpOp::Ne) {
                return Err(bad(format!("'{}' is boolean: only eq, ne and pr apply, not '{}'", p.text, op.as_str())));
            }
            v.as_bool()
                .map(Lit::Bool)
                .ok_or_else(|| bad(format!("'{}' is boolean; compare it with true or false", p.text)))
        }
        AttrType::Integer | AttrType::Decimal => {
            if op.is_substring() {
                return Err(bad(format!("'{}' is a number: co, sw and ew apply to strings", p.text)));
            }
            v.as_f64().map(Lit::Num).ok_or_else(|| bad(format!("'{}' is {kind}; compare it with a number", p.text)))
        }
        AttrType::Binary if op.is_ordering() => {
            Err(bad(format!("'{}' is binary: gt, ge, lt and le do not apply", p.text)))
        }
        AttrType::Complex => Err(bad(format!("'{}' is complex; compare one of its sub-attributes", p.text))),
        AttrType::DateTime => {
            let s =
                v.as_str().ok_or_else(|| bad(format!("'{}' is a dateTime; compare it with a quoted date", p.text)))?;
            let instant = crate::time::parse_datetime(s);
            if instant.is_none() && !op.is_substring() {
                return Err(bad(format!("{s:?} is not an xsd:dateTime such as 2011-05-13T04:42:34Z")));
            }
            Ok(Lit::Str(s.to_string(), instant))
        }
        AttrType::String | AttrType::Reference | AttrType::Binary => {
            let s =
                v.as_str().ok_or_else(|| bad(format!("'{}' is a {kind}; compare it with a quoted string", p.text)))?;
            Ok(Lit::Str(if sel.case_exact { s.to_string() } else { s.to_lowercase() }, None))
        }
    }
}

/// Calls `f` on every value the selector reaches; stops at the first `true`.
fn any_value(res: &Map<String, Value>, sel: &Sel, f: &mut dyn FnMut(&Value) -> bool) -> bool {
    let container = match &sel.schema {
        Some(urn) => match res.get(urn).and_then(Value::as_object) {
            Some(o) => o,
            None => return false,
        },
        None => res,
    };
    let Some(v) = container.get(&sel.top) else {
        return false;
    };
    let mut visit = |x: &Value| -> bool {
        match &sel.sub {
            Some(s) => x.get(s).is_some_and(|y| !y.is_null() && f(y)),
            None => !x.is_null() && f(x),
        }
    };
    match v {
        Value::Array(items) => items.iter().any(&mut visit),
        other => visit(other),
    }
}

fn present(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        _ => true,
    }
}

fn compare(sel: &Sel, op: CmpOp, lit: &Lit, v: &Value) -> bool {
    use std::cmp::Ordering;
    let ord = |o: Ordering| match op {
        CmpOp::Eq => o == Ordering::Equal,
        CmpOp::Ne => o != Ordering::Equal,
        CmpOp::Gt => o == Ordering::Greater,
        CmpOp::Ge => o != Ordering::Less,
        CmpOp::Lt => o == Ordering::Less,
        CmpOp::Le => o != Ordering::Greater,
        _ => false,
    };
    match lit {
        Lit::Null => false,
        Lit::Bool(b) => v.as_bool().is_some_and(|x| ord(x.cmp(b))),
        Lit::Num(n) => v.as_f64().and_then(|x| x.partial_cmp(n)).is_some_and(ord),
        Lit::Str(s, instant) => {
            let Some(raw) = v.as_str() else { return false };
            if let (Some(i), false) = (instant, op.is_substring()) {
                return crate::time::parse_datetime(raw).is_some_and(|x| ord(x.cmp(i)));
            }
            let fold = !sel.case_exact && sel.kind != AttrType::DateTime;
            if fold && raw.is_ascii() && s.is_ascii() {
                // Fast path without allocating: ASCII case folding (the literal is folded).
                let (x, s) = (raw.as_bytes(), s.as_bytes());
                let eq_at = |i: usize| x.get(i..i + s.len()).is_some_and(|w| w.eq_ignore_ascii_case(s));
                return match op {
                    CmpOp::Co => s.is_empty() || (0..x.len()).any(eq_at),
                    CmpOp::Sw => eq_at(0),
                    CmpOp::Ew => x.len() >= s.len() && eq_at(x.len() - s.len()),
                    _ => ord(x.iter().map(u8::to_ascii_lowercase).cmp(s.iter().copied())),
                };
            }
            let folded;
            let x: &str = if fold {
                folded = raw.to_lowercase();
                &folded
            } else {
                raw
            };
            match op {
                CmpOp::Co => x.contains(s.as_str()),
                CmpOp::Sw => x.starts_with(s.as_str()),
                CmpOp::Ew => x.ends_with(s.as_str()),
                _ => ord(x.cmp(s.as_str())),
            }
        }
    }
}

impl Cond {
    /// Whether a resource (or, inside a value path, one complex value) matches.
    pub fn matches(&self, res: &Map<String, Value>) -> bool {
        match self {
            Cond::And(v) => v.iter().all(|c| c.matches(res)),
            Cond::Or(v) => v.iter().any(|c| c.matches(res)),
            Cond::Not(c) => !c.matches(res),
            Cond::Const(b) => *b,
            Cond::Present(SelBox(sel)) => any_value(res, sel, &mut |v| present(v)),
            Cond::Compare(SelBox(sel), op, LitBox(lit)) => match (op, lit) {
                (CmpOp::Eq, Lit::Null) => !any_value(res, sel, &mut |v| present(v)),
                (CmpOp::Ne, Lit::Null) => any_value(res, sel, &mut |v| present(v)),
                // `ne` holds when no value equals (an absent attribute is "not equal").
                (CmpOp::Ne, _) => !any_value(res, sel, &mut |v| compare(sel, CmpOp::Eq, lit, v)),
                _ => any_value(res, sel, &mut |v| compare(sel, *op, lit, v)),
            },
            Cond::ValuePath(SelBox(sel), inner) => {
                let plain = Sel { sub: None, ..sel.clone() };
                any_value(res, &plain, &mut |v| v.as_object().is_some_and(|o| inner.matches(o)))
            }
        }
    }
}

/// A comparison a store index can answer: the string value at `attr` (or at `attr.sub` in
/// each of its values) folded per `case_exact`, compared by `op` (`eq`, `sw` or `co`) with
/// `key`, the literal as the filter compares it (already folded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe<'a> {
    pub attr: &'a str,
    pub sub: Option<&'a str>,
    pub case_exact: bool,
    pub op: CmpOp,
    pub key: &'a str,
}

/// The shortest `co` literal (in bytes) an index answers: it looks up 3-byte pieces.
pub const MIN_CONTAINS: usize = 3;

impl Cond {
    /// The comparisons that bound this condition's matches: itself when it is an `eq`, `sw`
    /// or `co` (of at least [`MIN_CONTAINS`] bytes) on a core string attribute, or such
    /// terms of a top-level `and` (every match of the whole satisfies each of them); `eq`
    /// first, then `sw`, then `co`.
    pub fn probes(&self) -> Vec<Probe<'_>> {
        let mut out: Vec<Probe<'_>> = match self {
            Cond::And(terms) => terms.iter().filter_map(Cond::probe).collect(),
            other => other.probe().into_iter().collect(),
        };
        out.sort_by_key(|p| match p.op {
            CmpOp::Eq => 0,
            CmpOp::Sw => 1,
            _ => 2,
        });
        out
    }

    fn probe(&self) -> Option<Probe<'_>> {
        let Cond::Compare(SelBox(sel), op, LitBox(Lit::Str(key, None))) = self else {
            return None;
        };
        if sel.schema.is_some() || sel.kind != AttrType::String {
            return None;
        }
        match op {
            CmpOp::Eq | CmpOp::Sw => {}
            CmpOp::Co if key.len() >= MIN_CONTAINS => {}
            _ => return None,
        }
        Some(Probe { attr: &sel.top, sub: sel.sub.as_deref(), case_exact: sel.case_exact, op: *op, key })
    }
}

/// The attribute paths a filter names outside value filters, in order.
pub fn paths(f: &Filter) -> Vec<&RawPath> {
    let mut out = Vec::new();
    let mut stack = vec![f];
    while let Some(f) = stack.pop() {
        match f {
            Filter::And(v) | Filter::Or(v) => stack.extend(v.iter().rev()),
            Filter::Not(x) => stack.push(x),
            Filter::Present(p) | Filter::Compare(p, _, _) | Filter::ValuePath(p, _) => out.push(p),
        }
    }
    out
}

/// An `invalidFilter` for a path no resource type defines.
pub fn unknown_attribute(text: &str, p: &RawPath) -> ScimError {
    filter_error(text, p.col, &format!("'{}' is not an attribute of any resource type of this server", p.text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Profile;
    use serde_json::json;

    fn users() -> ResourceKind {
        Profile::rfc().compile().unwrap().kind("User").unwrap().clone()
    }

    fn check(filter: &str, res: &Value) -> bool {
        let kind = users();
        let f = parse(filter, 0).unwrap();
        compile(&f, &kind, filter).unwrap().matches(res.as_object().unwrap())
    }

    fn err(filter: &str) -> String {
        let kind = users();
        match parse(filter, 0).and_then(|f| compile(&f, &kind, filter)) {
            Ok(_) => panic!("{filter} should fail"),
            Err(e) => {
                assert_eq!(e.scim_type, Some(ScimType::InvalidFilter));
                e.detail
            }
        }
    }

    #[test]
    fn precedence_and_binds_tighter() {
        let u = json!({"userName": "a", "title": "t"});
        assert!(check(r#"userName eq "x" and title eq "y" or title eq "t""#, &u));
        assert!(!check(r#"userName eq "x" and (title eq "y" or title eq "t")"#, &u));
        assert!(check(r#"NOT (userName EQ "b")"#, &u));
    }

    #[test]
    fn value_paths_and_case() {
        let u = json!({"emails": [{"type": "work", "value": "A@X.com"}, {"type": "home", "value": "b@y"}]});
        assert!(check(r#"emails[type eq "work" and value co "@x."]"#, &u));
        assert!(!check(r#"emails[type eq "home" and value co "@x."]"#, &u));
        assert!(check(r#"EMAILS.VALUE sw "a@""#, &u));
        assert!(check(r#"emails co "b@y""#, &u));
    }

    #[test]
    fn depth_cap_at_the_boundary() {
        let ok = format!("{}userName pr{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert!(check(&ok, &json!({"userName": "a"})));
        let deep = format!("{}userName pr{}", "(".repeat(MAX_DEPTH + 1), ")".repeat(MAX_DEPTH + 1));
        assert!(err(&deep).contains("deeper than 32"));
    }

    #[test]
    fn errors_name_the_column() {
        assert!(err(r#"userName xq "x""#).contains("column 10"));
        assert!(err(r#"userName eq "x" and"#).contains("column 20"));
        assert!(err(r#"nope eq "x""#).contains("column 1"));
        assert!(err(r#"active gt true"#).contains("boolean"));
        assert!(err("(userName pr").contains("')'"));
    }

    #[test]
    fn fuzzy_inputs_never_panic() {
        let pieces = [
            "(", ")", "[", "]", "\"", "\\", "not", "and", "or", "eq", "pr", "emails", "1e999", "-", " ", "é",
            "userName", "\"x\"", ".",
        ];
        let kind = users();
        let mut seed: u64 = 7;
        for _ in 0..3000 {
            let mut s = String::new();
            for _ in 0..(seed % 9) {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                s.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            let _ = parse(&s, 0).and_then(|f| compile(&f, &kind, &s));
        }
        let long = "userName pr and ".repeat(5000) + "userName pr";
        assert!(err(&long).contains("5001 comparisons"));
    }

    #[test]
    fn term_cap_at_the_boundary() {
        let at = |n: usize| format!("{}userName pr", "userName pr or ".repeat(n - 1));
        assert!(check(&at(MAX_TERMS), &json!({"userName": "a"})));
        let over = err(&at(MAX_TERMS + 1));
        assert!(over.contains(&format!("{} comparisons", MAX_TERMS + 1)) && over.contains("at most 200"), "{over}");
        // Value filters count too.
        assert!(parse(&format!("emails[{}]", at(MAX_TERMS)), 0).is_ok());
        assert!(parse(&format!("emails[{}] and userName pr", at(MAX_TERMS)), 0).is_err());
    }

    #[test]
    fn evaluation_budget() {
        assert!(check_budget(MAX_TERMS, MAX_EVALUATIONS / MAX_TERMS).is_ok());
        let e = check_budget(5000, 100_000).unwrap_err();
        assert_eq!(e.scim_type, Some(ScimType::InvalidFilter));
        assert!(e.detail.contains("500000000 comparisons") && e.detail.contains("at most 5000000"), "{}", e.detail);
        assert!(check_budget(usize::MAX, usize::MAX).is_err(), "no overflow");
    }
}
