//! The hand-written TypeScript declarations (`src/types.d.ts`) against scim-core's Rust
//! types: every variant and field is serialised with serde_json and must be named by the
//! declarations, and the declarations must name nothing else.
//!
//! Completeness on the Rust side is the compiler's job: variants come from [`every!`], one
//! list that is also an exhaustive `match`, and structs are built with struct literals, so a
//! new variant or field fails to build here until it is listed. Serde's own field lists
//! ([`serde_fields`]) catch what a literal cannot reach (a struct with private fields, types
//! scim-core does not export). On the TypeScript side the declarations are parsed (a small
//! subset of TS; anything else is an error) and compared exactly: string-literal unions,
//! interface keys, which keys are optional, and the JSON values must fit the declared types.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use scim_core::{
    AllProfiles, Auth, Basis, Behaviour, ComplexReplace, Deactivated, DeleteMode, Diff, DiffEntry, DiffKind, Entry,
    Explanation, IdMismatch, IdStyle, IfMatchUnversioned, KnobSource, ListKey, MemberDisplay, MemberReferences,
    MissingExtensionUrn, MultiplePrimary, Omitted, Outcome, Paging, PatchResponse, Profile, ProfileRow, ScimError,
    ScimType, Section, StringBooleans, Unknown, UnsupportedFilter, Verdict,
};
use serde::Serialize;
use serde::de::{DeserializeOwned, Visitor};
use serde_json::{Map, Value, json};

/// The declarations as shipped (appended to the bindings' `.d.ts` by `src/types.rs`).
const DTS: &str = include_str!("../src/types.d.ts");

/// Declared types that the facade builds itself (options it reads field by field, objects
/// it assembles), not serialised from a scim-core type: nothing in Rust to check them against.
const FACADE_TYPES: &[&str] = &[
    "MockServerOptions",
    "ProfileInfo",
    "ScimRequest",
    "ResourceMeta",
    "ScimBody",
    "ScimResponse",
    "Comparison",
    "CompareAllOptions",
];

/// Every variant of an enum, from one list that is also an exhaustive `match`: a variant
/// added in Rust fails to compile here until it is listed (with values for its fields).
macro_rules! every {
    ($enum:ident: $($variant:ident $({ $($field:ident: $value:expr),* $(,)? })?),+ $(,)?) => {{
        fn exhaustive(v: &$enum) {
            match v {
                $($enum::$variant { .. } => {})+
            }
        }
        let _ = exhaustive;
        vec![$($enum::$variant $({ $($field: $value),* })?),+]
    }};
}

// ---------------------------------------------------------------------------------------
// The Rust side.
// ---------------------------------------------------------------------------------------

fn outcomes() -> Vec<Outcome> {
    every!(Outcome: Added, Replaced, Unchanged, ClearedByNull, ClearedByEmptyArray, Removed, ClearedOmitted,
        KeptOmitted, KeptWriteOnly, KeptImmutable, IgnoredReadOnly, IgnoredUnknown, Coerced, RejectedImmutable,
        RejectedType, RejectedRequired, RejectedUnknown, RejectedUniqueness, RejectedPrimary, RejectedIdMismatch,
        RejectedSchemas)
}

fn scim_types() -> Vec<ScimType> {
    every!(ScimType: InvalidFilter, TooMany, Uniqueness, Mutability, InvalidSyntax, InvalidPath, NoTarget,
        InvalidValue, InvalidVers, Sensitive, InvalidCursor)
}

fn auths() -> Vec<Auth> {
    every!(Auth:
        None,
        Bearer { token: Some("t0ken".into()) },
        RawHeader { header: "X-Session".into(), secret: Some("s3cret".into()), challenge: Some("Session".into()) },
    )
}

fn id_styles() -> Vec<IdStyle> {
    every!(IdStyle: Uuid, Numeric { start: 93521 })
}

/// A behaviour with every knob away from its default.
fn behaviour() -> Behaviour {
    Behaviour {
        omitted: Omitted::Keep,
        unknown_attributes: Unknown::Ignore,
        id_mismatch: IdMismatch::Reject,
        multiple_primary: MultiplePrimary::KeepLast,
        string_booleans: StringBooleans::Coerce,
        missing_extension_urn: MissingExtensionUrn::Accept,
        complex_replace: ComplexReplace::Merge,
        versioning: false,
        strict_media_types: false,
        patch_response: PatchResponse::NoContent,
        delete_mode: DeleteMode::Deactivate,
        deactivated: Deactivated::NotFound,
        case_sensitive_paths: false,
        if_match_unversioned: IfMatchUnversioned::Reject,
        unsupported_method_status: 501,
        sorting: false,
        paging: Paging::Cursor,
        default_page_size: Some(10),
        max_page_size: 100,
        filter_operators: Some(vec!["eq".into(), "and".into()]),
        unsupported_filter: UnsupportedFilter::EmptyList,
        filter_required: true,
        patch_path_required: true,
        list_key: ListKey::Lowercase,
        member_references: MemberReferences::Accepted,
        member_display: MemberDisplay::Echoed,
    }
}

/// Each enum-valued field of `Behaviour` (by its JSON name) with all its values.
fn knobs() -> Vec<(&'static str, BTreeSet<String>)> {
    vec![
        ("omitted", strings(&every!(Omitted: Clear, Keep))),
        ("unknownAttributes", strings(&every!(Unknown: Reject, Ignore))),
        ("idMismatch", strings(&every!(IdMismatch: Ignore, Reject))),
        ("multiplePrimary", strings(&every!(MultiplePrimary: Reject, KeepLast))),
        ("stringBooleans", strings(&every!(StringBooleans: Reject, Coerce))),
        ("missingExtensionUrn", strings(&every!(MissingExtensionUrn: Reject, Accept))),
        ("complexReplace", strings(&every!(ComplexReplace: Whole, Merge))),
        ("patchResponse", strings(&every!(PatchResponse: Resource, NoContent, EmptyObject))),
        ("deleteMode", strings(&every!(DeleteMode: Delete, Deactivate))),
        ("deactivated", strings(&every!(Deactivated: Visible, NotFound))),
        ("ifMatchUnversioned", strings(&every!(IfMatchUnversioned: Ignore, Reject))),
        ("paging", strings(&every!(Paging: Index, Cursor, None))),
        ("unsupportedFilter", strings(&every!(UnsupportedFilter: Reject, EmptyList))),
        ("listKey", strings(&every!(ListKey: Capitalized, Lowercase))),
        ("memberReferences", strings(&every!(MemberReferences: Checked, Accepted))),
        ("memberDisplay", strings(&every!(MemberDisplay: Derived, Echoed))),
    ]
}

/// A profile with every field present (non-empty, away from defaults).
fn full_profile() -> Profile {
    let rfc = Profile::builtin("rfc").expect("rfc profile");
    let ping = Profile::builtin("ping").expect("ping profile");
    let inline = Profile::from_json(&rfc.to_json().to_string()).expect("exported profile loads");
    let mut resource_type = ping.resource_types[0].clone();
    resource_type.description = "A person".into();
    resource_type.meta_resource_type = Some("Users".into());
    resource_type.schema_extensions.truncate(1);
    resource_type.schema_extensions[0].required = true;
    resource_type.methods = Some(vec!["GET".into(), "PATCH".into()]);
    resource_type.required_attributes = vec!["name.givenName".into()];
    resource_type.put_ignores = vec!["userName".into()];
    resource_type.list_omits_extensions = true;
    resource_type.filter_attributes = Some(vec!["userName".into()]);
    resource_type.ref_templates = BTreeMap::from([("name".into(), "https://example.com/{value}".into())]);
    resource_type.max_values = Some(1);
    resource_type.max_patch_operations = Some(20);
    resource_type.max_member_changes = Some(100);
    resource_type.max_member_removals = Some(1);
    resource_type.never_returned = vec!["title".into()];
    resource_type.members_replaceable = false;
    let source = KnobSource {
        basis: Basis::Documented,
        url: "https://example.com/docs".into(),
        quote: "PUT keeps what the body leaves out".into(),
        note: "An example".into(),
    };
    Profile {
        name: "full".into(),
        title: "Every field".into(),
        description: "PUT keeps what the body leaves out".into(),
        sources: vec!["https://example.com/docs".into()],
        base_path: "/api/{version}/scim/v2".into(),
        base_path_defaults: BTreeMap::from([("version".into(), "v24.1".into())]),
        behaviour: behaviour(),
        id_style: IdStyle::Numeric { start: 1 },
        media: rfc.media.clone(),
        auth: auths().pop().expect("an auth variant"),
        // Both forms of a schema entry: a built-in URN and a full definition.
        schemas: rfc.schemas.iter().take(1).chain(&inline.schemas).cloned().collect(),
        resource_types: vec![resource_type],
        seed: rfc.seed.clone(),
        knob_sources: BTreeMap::from([("behaviour.omitted".into(), source)]),
    }
}

fn full_entry() -> Entry {
    Entry {
        path: "title".into(),
        outcome: Outcome::Replaced,
        old: Some(json!("Tour Guide")),
        new: Some(json!("Guide")),
        rule: "RFC 7644 §3.5.1".into(),
        note: "replaced".into(),
    }
}

fn minimal_entry() -> Entry {
    Entry {
        path: "title".into(),
        outcome: Outcome::KeptOmitted,
        old: None,
        new: None,
        rule: "behaviour.omitted = keep".into(),
        note: String::new(),
    }
}

fn full_diff_entry() -> DiffEntry {
    DiffEntry {
        section: Section::Body,
        path: "name.givenName".into(),
        kind: DiffKind::Changed,
        left: Some(json!("Barbara")),
        right: Some(json!("Babs")),
        volatile: false,
    }
}

fn minimal_diff_entry() -> DiffEntry {
    DiffEntry {
        section: Section::Status,
        path: "status".into(),
        kind: DiffKind::Equal,
        left: None,
        right: None,
        volatile: true,
    }
}

fn full_scim_error() -> ScimError {
    ScimError {
        status: 400,
        scim_type: Some(ScimType::InvalidValue),
        detail: "Attribute 'userName' is required.".into(),
        allow: Some("GET".into()),
    }
}

fn to_json(value: &impl Serialize) -> Value {
    serde_json::to_value(value).expect("serialises")
}

fn object(value: &Value) -> &Map<String, Value> {
    value.as_object().unwrap_or_else(|| panic!("expected a JSON object, got {value}"))
}

/// The JSON strings of unit variants (serde's names, `rename_all` applied).
fn strings<T: Serialize>(variants: &[T]) -> BTreeSet<String> {
    let names: BTreeSet<String> = variants
        .iter()
        .map(|v| match to_json(v) {
            Value::String(s) => s,
            other => panic!("not a unit variant: {other}"),
        })
        .collect();
    assert_eq!(names.len(), variants.len(), "a variant is listed twice: {names:?}");
    names
}

/// Keys of a serialised output value; optional = left out of the minimal value.
fn output_keys(full: &Value, minimal: &Value) -> BTreeMap<String, bool> {
    let (full, minimal) = (object(full), object(minimal));
    assert!(minimal.keys().all(|k| full.contains_key(k)), "the full value lacks a key of the minimal one");
    full.keys().map(|k| (k.clone(), !minimal.contains_key(k))).collect()
}

/// Keys of an input value; optional = `T` still deserialises without it.
fn input_keys<T: DeserializeOwned>(full: &Value, keep: &[&str]) -> BTreeMap<String, bool> {
    object(full)
        .keys()
        .filter(|k| !keep.contains(&k.as_str()))
        .map(|k| {
            let mut without = full.clone();
            without.as_object_mut().map(|o| o.remove(k));
            (k.clone(), serde_json::from_value::<T>(without).is_ok())
        })
        .collect()
}

/// [`input_keys`] for a type known only through a value (scim-core does not export it).
fn input_keys_like<T: DeserializeOwned + Serialize>(value: &T) -> BTreeMap<String, bool> {
    input_keys::<T>(&to_json(value), &[])
}

/// The field names serde's derive gives `T` (what it passes to `deserialize_struct`): every
/// field that is (de)serialised, whether or not a given value carries it.
fn serde_fields<T: DeserializeOwned>() -> BTreeSet<String> {
    match T::deserialize(FieldProbe) {
        Err(Probed(Some(fields))) => fields.iter().map(|f| f.to_string()).collect(),
        _ => panic!("{} is not a struct with named fields", std::any::type_name::<T>()),
    }
}

fn serde_fields_like<T: DeserializeOwned>(_: &T) -> BTreeSet<String> {
    serde_fields::<T>()
}

/// A deserializer that only reports the field list a derived `Deserialize` asks for.
struct FieldProbe;

#[derive(Debug)]
struct Probed(Option<&'static [&'static str]>);

impl fmt::Display for Probed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "probed: {:?}", self.0)
    }
}

impl std::error::Error for Probed {}

impl serde::de::Error for Probed {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Probed(None)
    }
}

impl<'de> serde::Deserializer<'de> for FieldProbe {
    type Error = Probed;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Probed> {
        Err(Probed(None))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Probed> {
        Err(Probed(Some(fields)))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

// ---------------------------------------------------------------------------------------
// The TypeScript side: a parser for the subset the declarations use.
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Ty {
    /// A string literal type.
    Lit(String),
    /// A named type, with type arguments: `string`, `Outcome`, `Record<string, unknown>`.
    Ref(String, Vec<Ty>),
    Obj(Obj),
    Array(Box<Ty>),
    Tuple(Vec<Ty>),
    Union(Vec<Ty>),
    Readonly(Box<Ty>),
}

#[derive(Debug, Clone, PartialEq)]
struct Obj {
    fields: Vec<Field>,
    /// `[key: string]: T`
    index: Option<Box<Ty>>,
}

#[derive(Debug, Clone, PartialEq)]
struct Field {
    name: String,
    optional: bool,
    ty: Ty,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Punct(char),
}

fn tokenize(src: &str) -> Result<Vec<Tok>, String> {
    let mut toks = Vec::new();
    let mut chars = src.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '/' if src[at..].starts_with("//") => while chars.next_if(|&(_, c)| c != '\n').is_some() {},
            '/' if src[at..].starts_with("/*") => {
                let end = src[at + 2..].find("*/").ok_or("unterminated comment")?;
                while chars.next_if(|&(i, _)| i < at + 2 + end + 2).is_some() {}
            }
            '"' => {
                let mut s = String::new();
                loop {
                    match chars.next() {
                        Some((_, '"')) => break,
                        Some((_, '\\')) => return Err(format!("escapes in string literals are not supported: {s}")),
                        Some((_, c)) => s.push(c),
                        None => return Err("unterminated string".into()),
                    }
                }
                toks.push(Tok::Str(s));
            }
            c if c.is_alphabetic() || c == '_' || c == '$' => {
                let mut s = String::from(c);
                while let Some((_, c)) = chars.next_if(|&(_, c)| c.is_alphanumeric() || c == '_' || c == '$') {
                    s.push(c);
                }
                toks.push(Tok::Ident(s));
            }
            '{' | '}' | '[' | ']' | '(' | ')' | '<' | '>' | ':' | ';' | ',' | '|' | '?' | '=' => {
                toks.push(Tok::Punct(c))
            }
            other => return Err(format!("unexpected character {other:?} at byte {at}")),
        }
    }
    Ok(toks)
}

struct Parser {
    toks: Vec<Tok>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }

    fn next(&mut self) -> Result<Tok, String> {
        let t = self.toks.get(self.at).cloned().ok_or("unexpected end of the declarations")?;
        self.at += 1;
        Ok(t)
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(&Tok::Punct(c)) {
            self.at += 1;
            return true;
        }
        false
    }

    fn expect(&mut self, c: char) -> Result<(), String> {
        if self.eat(c) { Ok(()) } else { Err(format!("expected {c:?}, found {:?} ({})", self.peek(), self.context())) }
    }

    fn ident(&mut self) -> Result<String, String> {
        match self.next()? {
            Tok::Ident(s) => Ok(s),
            other => Err(format!("expected a name, found {other:?} ({})", self.context())),
        }
    }

    fn keyword(&mut self, word: &str) -> Result<(), String> {
        match self.next()? {
            Tok::Ident(s) if s == word => Ok(()),
            other => Err(format!("expected `{word}`, found {other:?} ({})", self.context())),
        }
    }

    /// The tokens before the current one, for error messages.
    fn context(&self) -> String {
        let from = self.at.saturating_sub(6);
        format!("after {:?}", &self.toks[from..self.at.min(self.toks.len())])
    }

    /// `export interface Name { ... }` and `export type Name = T;`, nothing else.
    fn declarations(&mut self) -> Result<BTreeMap<String, Ty>, String> {
        let mut decls = BTreeMap::new();
        while self.peek().is_some() {
            self.keyword("export")?;
            let (name, ty) = match self.ident()?.as_str() {
                "interface" => {
                    let name = self.ident()?;
                    self.expect('{')?;
                    (name, Ty::Obj(self.members(true)?))
                }
                "type" => {
                    let name = self.ident()?;
                    self.expect('=')?;
                    let ty = self.ty()?;
                    self.expect(';')?;
                    (name, ty)
                }
                other => return Err(format!("unsupported declaration `export {other}`")),
            };
            if decls.insert(name.clone(), ty).is_some() {
                return Err(format!("{name} is declared twice"));
            }
        }
        Ok(decls)
    }

    /// Members after `{`, through `}`. Interfaces end every member with `;`.
    fn members(&mut self, interface: bool) -> Result<Obj, String> {
        let mut obj = Obj { fields: Vec::new(), index: None };
        while !self.eat('}') {
            if self.eat('[') {
                self.ident()?;
                self.expect(':')?;
                if self.ty()? != Ty::Ref("string".into(), vec![]) {
                    return Err("index signatures must have string keys".into());
                }
                self.expect(']')?;
                self.expect(':')?;
                obj.index = Some(Box::new(self.ty()?));
            } else {
                let name = match self.next()? {
                    Tok::Ident(s) | Tok::Str(s) => s,
                    other => return Err(format!("expected a member name, found {other:?} ({})", self.context())),
                };
                let optional = self.eat('?');
                self.expect(':')?;
                let ty = self.ty()?;
                if obj.fields.iter().any(|f| f.name == name) {
                    return Err(format!("member {name} is declared twice"));
                }
                obj.fields.push(Field { name, optional, ty });
            }
            if interface {
                self.expect(';')?;
            } else if !self.eat(';') && !self.eat(',') && self.peek() != Some(&Tok::Punct('}')) {
                return Err(format!("expected ';' or '}}' ({})", self.context()));
            }
        }
        Ok(obj)
    }

    fn ty(&mut self) -> Result<Ty, String> {
        self.eat('|');
        let mut members = vec![self.postfix()?];
        while self.eat('|') {
            members.push(self.postfix()?);
        }
        Ok(if members.len() == 1 { members.remove(0) } else { Ty::Union(members) })
    }

    fn postfix(&mut self) -> Result<Ty, String> {
        let mut ty = self.primary()?;
        while self.peek() == Some(&Tok::Punct('[')) && self.toks.get(self.at + 1) == Some(&Tok::Punct(']')) {
            self.at += 2;
            ty = Ty::Array(Box::new(ty));
        }
        Ok(ty)
    }

    fn primary(&mut self) -> Result<Ty, String> {
        match self.next()? {
            Tok::Str(s) => Ok(Ty::Lit(s)),
            Tok::Ident(s) if s == "readonly" => Ok(Ty::Readonly(Box::new(self.postfix()?))),
            Tok::Ident(name) => {
                let mut args = Vec::new();
                if self.eat('<') {
                    args.push(self.ty()?);
                    while self.eat(',') {
                        args.push(self.ty()?);
                    }
                    self.expect('>')?;
                }
                Ok(Ty::Ref(name, args))
            }
            Tok::Punct('{') => Ok(Ty::Obj(self.members(false)?)),
            Tok::Punct('(') => {
                let ty = self.ty()?;
                self.expect(')')?;
                Ok(ty)
            }
            Tok::Punct('[') => {
                let mut items = vec![self.ty()?];
                while self.eat(',') {
                    items.push(self.ty()?);
                }
                self.expect(']')?;
                Ok(Ty::Tuple(items))
            }
            other => Err(format!("expected a type, found {other:?} ({})", self.context())),
        }
    }
}

fn parse(src: &str) -> Result<BTreeMap<String, Ty>, String> {
    Parser { toks: tokenize(src)?, at: 0 }.declarations()
}

/// Names a type may use besides the declared ones.
const BUILTIN_TYPES: &[(&str, usize)] = &[
    ("string", 0),
    ("number", 0),
    ("boolean", 0),
    ("unknown", 0),
    ("object", 0),
    ("null", 0),
    ("Record", 2),
    ("Partial", 1),
    ("Iterable", 1),
];

// ---------------------------------------------------------------------------------------
// Comparing the two.
// ---------------------------------------------------------------------------------------

/// The parsed declarations, by name.
struct Decls(BTreeMap<String, Ty>);

impl Decls {
    /// Follows alias and interface names to what they stand for.
    fn resolve<'a>(&'a self, mut ty: &'a Ty) -> &'a Ty {
        while let Ty::Ref(name, args) = ty {
            match self.0.get(name) {
                Some(target) if args.is_empty() => ty = target,
                _ => break,
            }
        }
        ty
    }

    fn decl(&self, name: &str) -> Result<&Ty, String> {
        self.0.get(name).ok_or_else(|| format!("{name}: not declared"))
    }

    fn obj<'a>(&'a self, what: &str, ty: &'a Ty) -> Result<&'a Obj, String> {
        match self.resolve(ty) {
            Ty::Obj(o) => Ok(o),
            other => Err(format!("{what}: expected an object type, found {other:?}")),
        }
    }

    /// A declared interface (or alias of an object type).
    fn interface(&self, name: &str) -> Result<&Obj, String> {
        self.obj(name, self.decl(name)?)
    }

    fn field<'a>(&self, what: &str, obj: &'a Obj, name: &str) -> Result<&'a Field, String> {
        obj.fields.iter().find(|f| f.name == name).ok_or_else(|| format!("{what}: no member {name}"))
    }

    /// The declared type of `Interface.member`.
    fn member(&self, interface: &str, name: &str) -> Result<&Ty, String> {
        Ok(&self.field(interface, self.interface(interface)?, name)?.ty)
    }

    /// The strings of a string-literal union (or of one literal).
    fn literals(&self, what: &str, ty: &Ty) -> Result<BTreeSet<String>, String> {
        match self.resolve(ty) {
            Ty::Lit(s) => Ok(BTreeSet::from([s.clone()])),
            Ty::Union(members) => {
                let mut out = BTreeSet::new();
                for m in members {
                    for s in self.literals(what, m)? {
                        if !out.insert(s.clone()) {
                            return Err(format!("{what}: \"{s}\" is listed twice"));
                        }
                    }
                }
                Ok(out)
            }
            other => Err(format!("{what}: expected a union of string literals, found {other:?}")),
        }
    }

    /// The members of a discriminated union `{ kind: "a"; ... } | { kind: "b"; ... }`, by kind.
    fn tagged<'a>(&'a self, what: &str, ty: &'a Ty) -> Result<BTreeMap<String, &'a Obj>, String> {
        let members = match self.resolve(ty) {
            Ty::Union(members) => members.iter().collect(),
            other => vec![other],
        };
        let mut out = BTreeMap::new();
        for m in members {
            let obj = self.obj(what, m)?;
            let tag = self.field(what, obj, "kind")?;
            let kinds = self.literals(&format!("{what}.kind"), &tag.ty)?;
            let kind = match (tag.optional, kinds.len()) {
                (false, 1) => kinds.into_iter().next().unwrap_or_default(),
                _ => return Err(format!("{what}: each member needs one required `kind` literal, found {kinds:?}")),
            };
            if out.insert(kind.clone(), obj).is_some() {
                return Err(format!("{what}: kind \"{kind}\" is declared twice"));
            }
        }
        Ok(out)
    }

    /// Whether a JSON value fits a type; the error says where it does not.
    fn fit(&self, v: &Value, ty: &Ty, at: &str) -> Result<(), String> {
        let wrong = |what: &str| Err(format!("{at}: expected {what}, got {v}"));
        match ty {
            Ty::Lit(s) if v.as_str() == Some(s) => Ok(()),
            Ty::Lit(s) => wrong(&format!("\"{s}\"")),
            Ty::Ref(name, args) => match (name.as_str(), args.as_slice()) {
                ("string", []) if v.is_string() => Ok(()),
                ("number", []) if v.is_number() => Ok(()),
                ("boolean", []) if v.is_boolean() => Ok(()),
                ("null", []) if v.is_null() => Ok(()),
                ("object", []) if v.is_object() || v.is_array() => Ok(()),
                ("unknown", []) => Ok(()),
                ("string" | "number" | "boolean" | "null" | "object", []) => wrong(name),
                ("Record", [Ty::Ref(key, _), value_ty]) if key == "string" => match v {
                    Value::Object(o) => o.iter().try_for_each(|(k, v)| self.fit(v, value_ty, &format!("{at}.{k}"))),
                    _ => wrong("an object"),
                },
                ("Partial", [inner]) => match self.resolve(inner) {
                    Ty::Obj(obj) => {
                        let fields = obj.fields.iter().map(|f| Field { optional: true, ..f.clone() }).collect();
                        self.fit(v, &Ty::Obj(Obj { fields, index: obj.index.clone() }), at)
                    }
                    _ => Err(format!("{at}: Partial of a non-object")),
                },
                (name, []) => match self.0.get(name) {
                    Some(target) => self.fit(v, target, at),
                    None => Err(format!("{at}: unknown type {name}")),
                },
                _ => Err(format!("{at}: unsupported type {ty:?}")),
            },
            Ty::Obj(obj) => {
                let Value::Object(o) = v else { return wrong("an object") };
                for (k, item) in o {
                    match (obj.fields.iter().find(|f| &f.name == k), &obj.index) {
                        (Some(f), _) => self.fit(item, &f.ty, &format!("{at}.{k}"))?,
                        (None, Some(index)) => self.fit(item, index, &format!("{at}.{k}"))?,
                        (None, None) => return Err(format!("{at}: key {k} is not declared")),
                    }
                }
                match obj.fields.iter().find(|f| !f.optional && !o.contains_key(&f.name)) {
                    Some(f) => Err(format!("{at}: required key {} is missing", f.name)),
                    None => Ok(()),
                }
            }
            Ty::Array(item) => match v {
                Value::Array(a) => a.iter().enumerate().try_for_each(|(i, x)| self.fit(x, item, &format!("{at}[{i}]"))),
                _ => wrong("an array"),
            },
            Ty::Tuple(items) => match v {
                Value::Array(a) if a.len() == items.len() => {
                    a.iter().zip(items).enumerate().try_for_each(|(i, (x, t))| self.fit(x, t, &format!("{at}[{i}]")))
                }
                _ => wrong(&format!("a {}-tuple", items.len())),
            },
            Ty::Union(members) => {
                if let Ok(names) = self.literals(at, ty) {
                    let known = v.as_str().is_some_and(|s| names.contains(s));
                    return if known { Ok(()) } else { wrong(&format!("one of {names:?}")) };
                }
                let errors: Vec<String> = members.iter().filter_map(|m| self.fit(v, m, at).err()).collect();
                if errors.len() < members.len() { Ok(()) } else { Err(errors.join("; or ")) }
            }
            Ty::Readonly(inner) => self.fit(v, inner, at),
        }
    }

    /// Every named type is declared or built in (with its number of type arguments).
    fn unknown_references(&self) -> Vec<String> {
        fn walk(ty: &Ty, out: &mut Vec<(String, usize)>) {
            match ty {
                Ty::Lit(_) => {}
                Ty::Ref(name, args) => {
                    out.push((name.clone(), args.len()));
                    args.iter().for_each(|a| walk(a, out));
                }
                Ty::Obj(obj) => {
                    obj.fields.iter().for_each(|f| walk(&f.ty, out));
                    obj.index.iter().for_each(|t| walk(t, out));
                }
                Ty::Array(t) | Ty::Readonly(t) => walk(t, out),
                Ty::Tuple(ts) | Ty::Union(ts) => ts.iter().for_each(|t| walk(t, out)),
            }
        }
        let mut refs = Vec::new();
        self.0.values().for_each(|t| walk(t, &mut refs));
        refs.into_iter()
            .filter(|(name, arity)| {
                !(self.0.contains_key(name) && *arity == 0 || BUILTIN_TYPES.contains(&(name.as_str(), *arity)))
            })
            .map(|(name, arity)| format!("type {name} (with {arity} type arguments) is neither declared nor built in"))
            .collect()
    }
}

/// The problems found so far.
#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    /// Records the error of a lookup that failed (a missing declaration, member, ...).
    fn ok<T>(&mut self, r: Result<T, String>) -> Option<T> {
        r.map_err(|e| self.0.push(e)).ok()
    }

    /// Exactly the same strings on both sides.
    fn same_strings(&mut self, what: &str, ts: Result<BTreeSet<String>, String>, rust: &BTreeSet<String>) {
        let Some(ts) = self.ok(ts) else { return };
        let missing: Vec<_> = rust.difference(&ts).collect();
        let extra: Vec<_> = ts.difference(rust).collect();
        if !missing.is_empty() {
            self.0.push(format!("{what}: the TypeScript lacks {missing:?}, which Rust has"));
        }
        if !extra.is_empty() {
            self.0.push(format!("{what}: the TypeScript has {extra:?}, which Rust does not"));
        }
    }

    /// Exactly the same keys, and the same ones optional (`?`).
    fn same_keys(&mut self, what: &str, ts: Result<&Obj, String>, rust: &BTreeMap<String, bool>) {
        let Some(obj) = self.ok(ts) else { return };
        let ts: BTreeMap<String, bool> = obj.fields.iter().map(|f| (f.name.clone(), f.optional)).collect();
        let names = |m: &BTreeMap<String, bool>| m.keys().cloned().collect::<BTreeSet<_>>();
        self.same_strings(&format!("{what} keys"), Ok(names(&ts)), &names(rust));
        for (key, &optional) in rust {
            if ts.get(key).is_some_and(|&o| o != optional) {
                let (ts_says, rust_says) = if optional { ("required", "optional") } else { ("optional", "required") };
                self.0.push(format!("{what}.{key}: {ts_says} in the TypeScript, {rust_says} in Rust"));
            }
        }
    }

    /// A discriminated union against the Rust variants: (kind, keys of that variant).
    fn same_tagged(
        &mut self,
        d: &Decls,
        what: &str,
        ty: Result<&Ty, String>,
        rust: &[(String, BTreeMap<String, bool>)],
    ) {
        let Some(ts) = self.ok(ty.and_then(|ty| d.tagged(what, ty))) else { return };
        let kinds: BTreeSet<String> = rust.iter().map(|(k, _)| k.clone()).collect();
        self.same_strings(&format!("{what} kinds"), Ok(ts.keys().cloned().collect()), &kinds);
        for (kind, keys) in rust {
            if let Some(obj) = ts.get(kind) {
                self.same_keys(&format!("{what} (kind \"{kind}\")"), Ok(obj), keys);
            }
        }
    }

    /// The JSON value fits the declared type.
    fn fits(&mut self, d: &Decls, what: &str, value: &Value, ty: Result<&Ty, String>) {
        let Some(ty) = self.ok(ty) else { return };
        if let Err(e) = d.fit(value, ty, what) {
            self.0.push(format!("the JSON does not fit: {e}"));
        }
    }

    /// An output interface: its keys (optional = left out of the minimal value), and both
    /// values fit it.
    fn output(&mut self, d: &Decls, name: &str, full: &Value, minimal: &Value) {
        self.same_keys(name, d.interface(name), &output_keys(full, minimal));
        self.fits(d, name, full, d.decl(name));
        self.fits(d, &format!("{name} (minimal)"), minimal, d.decl(name));
    }
}

/// The keys of a JSON object.
fn keys(value: &Value) -> BTreeSet<String> {
    object(value).keys().cloned().collect()
}

/// Keys of a value whose type the test reaches only through the value (scim-core does not
/// export it): the value must carry all of serde's fields (else the example is incomplete);
/// optional as deserialisation says.
fn fields_in<T: DeserializeOwned + Serialize>(value: &T) -> BTreeMap<String, bool> {
    let keys = input_keys_like(value);
    assert_eq!(
        keys.keys().cloned().collect::<BTreeSet<_>>(),
        serde_fields_like(value),
        "the example {} must carry every field",
        std::any::type_name::<T>()
    );
    keys
}

/// (kind, keys with the optional ones as deserialisation says) of each variant of an
/// internally tagged enum.
fn variant_keys<T: DeserializeOwned + Serialize>(variants: &[T]) -> Vec<(String, BTreeMap<String, bool>)> {
    variants
        .iter()
        .map(|v| {
            let json = to_json(v);
            let kind = json["kind"].as_str().expect("a `kind` tag").to_string();
            let mut keys = input_keys::<T>(&json, &["kind"]);
            keys.insert("kind".into(), false);
            (kind, keys)
        })
        .collect()
}

/// The built-in profiles, as JSON.
fn builtin_profiles() -> Vec<(String, Value)> {
    Profile::builtins()
        .into_iter()
        .map(|info| {
            let p = Profile::builtin(&info.name).unwrap_or_else(|| panic!("built-in profile {}", info.name));
            (info.name, to_json(&p))
        })
        .collect()
}

/// Everything wrong with `dts` as declarations of the Rust types.
fn problems(dts: &str) -> Vec<String> {
    let d = match parse(dts) {
        Ok(decls) => Decls(decls),
        Err(e) => return vec![format!("the declarations do not parse: {e}")],
    };
    let mut p = Problems(d.unknown_references());

    // Outcome: the alias and the member that uses it.
    let outcomes = strings(&outcomes());
    p.same_strings("Outcome", d.decl("Outcome").and_then(|t| d.literals("Outcome", t)), &outcomes);
    p.same_strings(
        "ExplanationEntry.outcome",
        d.member("ExplanationEntry", "outcome").and_then(|t| d.literals("ExplanationEntry.outcome", t)),
        &outcomes,
    );

    // Explanation and its entries.
    let (entry, entry_min) = (to_json(&full_entry()), to_json(&minimal_entry()));
    assert_eq!(keys(&entry), serde_fields::<Entry>(), "full_entry() must carry every field");
    p.output(&d, "ExplanationEntry", &entry, &entry_min);
    for outcome in self::outcomes() {
        let e = to_json(&Entry { outcome, ..full_entry() });
        p.fits(&d, &format!("ExplanationEntry (outcome {})", e["outcome"]), &e, d.decl("ExplanationEntry"));
    }
    let mut explanation = Explanation::new("PUT /Users/{id}", "rfc");
    explanation.entries.extend([full_entry(), minimal_entry()]);
    explanation.notes.push("The profile keeps omitted attributes.".into());
    let explanation = to_json(&explanation);
    assert_eq!(keys(&explanation), serde_fields::<Explanation>(), "the full Explanation must carry every field");
    p.output(&d, "Explanation", &explanation, &to_json(&Explanation::new("PATCH /Users/{id}", "rfc")));

    // Behaviour: keys (always all present), knob values, and the JSON types of the rest.
    let behaviour = to_json(&behaviour());
    assert_eq!(keys(&behaviour), serde_fields::<Behaviour>(), "behaviour() must carry every field");
    p.output(&d, "Behaviour", &behaviour, &behaviour);
    p.fits(&d, "Behaviour (default)", &to_json(&Behaviour::default()), d.decl("Behaviour"));
    let knobs = knobs();
    let enum_valued: BTreeSet<String> =
        object(&behaviour).iter().filter(|(_, v)| v.is_string()).map(|(k, _)| k.clone()).collect();
    assert_eq!(
        knobs.iter().map(|(k, _)| k.to_string()).collect::<BTreeSet<_>>(),
        enum_valued,
        "knobs() must list every enum-valued field of Behaviour"
    );
    for (knob, values) in &knobs {
        let what = format!("Behaviour.{knob}");
        p.same_strings(&what, d.member("Behaviour", knob).and_then(|t| d.literals(&what, t)), values);
    }

    // The profile, field by field, and the types inside it.
    let profile = full_profile();
    let profile_json = to_json(&profile);
    assert_eq!(keys(&profile_json), serde_fields::<Profile>(), "full_profile() must carry every field");
    p.same_keys("ProfileDefinition", d.interface("ProfileDefinition"), &input_keys::<Profile>(&profile_json, &[]));
    p.fits(&d, "ProfileDefinition", &profile_json, d.decl("ProfileDefinition"));
    p.fits(&d, "ProfileDefinition (rfc, exported)", &Profile::rfc().to_json(), d.decl("ProfileDefinition"));
    for (name, json) in builtin_profiles() {
        p.fits(&d, &format!("ProfileDefinition ({name})"), &json, d.decl("ProfileDefinition"));
    }
    // behaviour: a Partial, as every knob may be left out.
    if let Some(ty) = p.ok(d.member("ProfileDefinition", "behaviour")) {
        if *ty != Ty::Ref("Partial".into(), vec![Ty::Ref("Behaviour".into(), vec![])]) {
            p.0.push(format!("ProfileDefinition.behaviour: expected Partial<Behaviour>, found {ty:?}"));
        }
    }
    if let Some((knob, _)) = input_keys::<Behaviour>(&behaviour, &[]).into_iter().find(|(_, optional)| !optional) {
        p.0.push(format!("Behaviour.{knob}: required in a profile, but ProfileDefinition.behaviour is a Partial"));
    }
    // idStyle and auth: discriminated unions, one member per variant.
    let (id_styles, auths) = (id_styles(), auths());
    p.same_tagged(&d, "ProfileDefinition.idStyle", d.member("ProfileDefinition", "idStyle"), &variant_keys(&id_styles));
    p.same_tagged(&d, "ProfileDefinition.auth", d.member("ProfileDefinition", "auth"), &variant_keys(&auths));
    for id_style in &id_styles {
        let v = to_json(id_style);
        p.fits(&d, &format!("IdStyle {}", v["kind"]), &v, d.member("ProfileDefinition", "idStyle"));
    }
    for auth in &auths {
        let v = to_json(auth);
        p.fits(&d, &format!("Auth {}", v["kind"]), &v, d.member("ProfileDefinition", "auth"));
        let bare = json!({ "kind": v["kind"] });
        if serde_json::from_value::<Auth>(bare.clone()).is_ok() {
            p.fits(&d, &format!("Auth {} (kind only)", v["kind"]), &bare, d.member("ProfileDefinition", "auth"));
        }
    }
    // media, resource types and schema extensions: types scim-core does not export.
    let media = d.member("ProfileDefinition", "media").and_then(|t| d.obj("ProfileDefinition.media", t));
    p.same_keys("ProfileDefinition.media", media, &fields_in(&profile.media));
    match d.member("ProfileDefinition", "resourceTypes") {
        Ok(Ty::Array(item)) if **item == Ty::Ref("ResourceTypeDefinition".into(), vec![]) => {}
        other => {
            p.0.push(format!("ProfileDefinition.resourceTypes: expected ResourceTypeDefinition[], found {other:?}"))
        }
    }
    let rt = &profile.resource_types[0];
    p.same_keys("ResourceTypeDefinition", d.interface("ResourceTypeDefinition"), &fields_in(rt));
    let ext = d.member("ResourceTypeDefinition", "schemaExtensions").and_then(|t| match t {
        Ty::Array(item) => d.obj("ResourceTypeDefinition.schemaExtensions[]", item),
        other => Err(format!("ResourceTypeDefinition.schemaExtensions: expected an array, found {other:?}")),
    });
    p.same_keys("ResourceTypeDefinition.schemaExtensions[]", ext, &fields_in(&rt.schema_extensions[0]));

    // Diffs.
    let (entry, entry_min) = (to_json(&full_diff_entry()), to_json(&minimal_diff_entry()));
    assert_eq!(keys(&entry), serde_fields::<DiffEntry>(), "full_diff_entry() must carry every field");
    p.output(&d, "DiffEntry", &entry, &entry_min);
    for (key, values) in [
        ("section", strings(&every!(Section: Status, Header, Body))),
        ("kind", strings(&every!(DiffKind: Added, Removed, Changed, Equal))),
    ] {
        let what = format!("DiffEntry.{key}");
        p.same_strings(&what, d.member("DiffEntry", key).and_then(|t| d.literals(&what, t)), &values);
    }
    let diff =
        Diff { entries: vec![full_diff_entry(), minimal_diff_entry()], differences: 1, significant_differences: 1 };
    let diff = to_json(&diff);
    assert_eq!(keys(&diff), serde_fields::<Diff>(), "the Diff must carry every field");
    let no_diff = to_json(&Diff { entries: vec![], differences: 0, significant_differences: 0 });
    p.output(&d, "Diff", &diff, &no_diff);

    // Errors: the RFC 7644 §3.12 body (`ScimError::to_json`) carries `schemas` and every
    // serialised field of ScimError; ScimBody, the type of every response body, declares
    // those fields alike.
    let error = full_scim_error().to_json();
    let mut error_keys = serde_fields::<ScimError>();
    error_keys.insert("schemas".into());
    assert_eq!(keys(&error), error_keys, "ScimError::to_json must carry `schemas` and every field of ScimError");
    p.output(&d, "ScimErrorBody", &error, &ScimError::new(404, None, "Resource 42 not found.").to_json());
    let scim_types = strings(&scim_types());
    p.same_strings("ScimType", d.decl("ScimType").and_then(|t| d.literals("ScimType", t)), &scim_types);
    p.same_strings(
        "ScimErrorBody.scimType",
        d.member("ScimErrorBody", "scimType").and_then(|t| d.literals("ScimErrorBody.scimType", t)),
        &scim_types,
    );
    if let (Ok(error_obj), Ok(body_obj)) = (d.interface("ScimErrorBody"), d.interface("ScimBody")) {
        for f in &error_obj.fields {
            match body_obj.fields.iter().find(|b| b.name == f.name) {
                Some(b) if b.ty == f.ty => {}
                Some(b) => p.0.push(format!("ScimBody.{}: {:?}, but ScimErrorBody.{0}: {:?}", f.name, b.ty, f.ty)),
                None => p.0.push(format!("ScimBody: no member {} (ScimErrorBody has it)", f.name)),
            }
        }
    }
    for t in self::scim_types() {
        let body = ScimError::new(400, Some(t), "detail").to_json();
        p.fits(&d, &format!("ScimErrorBody (scimType {})", body["scimType"]), &body, d.decl("ScimErrorBody"));
        p.fits(&d, &format!("ScimBody (scimType {})", body["scimType"]), &body, d.decl("ScimBody"));
    }

    // compareAll's table.
    let verdicts = strings(&every!(Verdict: Replaced, Kept, Cleared, Ignored, Rejected));
    p.same_strings("Verdict", d.decl("Verdict").and_then(|t| d.literals("Verdict", t)), &verdicts);
    let row = ProfileRow {
        profile: "zoom".into(),
        title: "Zoom".into(),
        status: 400,
        scim_type: Some("invalidSyntax".into()),
        detail: "Attribute 'x' is not defined.".into(),
        outcomes: BTreeMap::from([("title".to_string(), Verdict::Rejected)]),
    };
    let row_min =
        ProfileRow { status: 200, scim_type: None, detail: String::new(), outcomes: BTreeMap::new(), ..row.clone() };
    let (row_json, row_min_json) = (to_json(&row), to_json(&row_min));
    assert_eq!(keys(&row_json), serde_fields::<ProfileRow>(), "the full ProfileRow must carry every field");
    p.output(&d, "ProfileRow", &row_json, &row_min_json);
    let all = to_json(&AllProfiles { attributes: vec!["title".into()], rows: vec![row, row_min] });
    assert_eq!(keys(&all), serde_fields::<AllProfiles>(), "AllProfiles must carry every field");
    p.output(&d, "AllProfiles", &all, &to_json(&AllProfiles { attributes: vec![], rows: vec![] }));
    let table = to_json(&scim_core::compare_all(&scim_core::Request::new("PATCH", "/Users/1"), &[]));
    p.fits(&d, "AllProfiles (compare_all)", &table, d.decl("AllProfiles"));

    // Every declaration is either checked above or built by the facade.
    const CHECKED: &[&str] = &[
        "Outcome",
        "ExplanationEntry",
        "Explanation",
        "Behaviour",
        "ProfileDefinition",
        "IdStyle",
        "Auth",
        "ResourceTypeDefinition",
        "DiffEntry",
        "Diff",
        "ScimErrorBody",
        "ScimType",
        "Verdict",
        "ProfileRow",
        "AllProfiles",
    ];
    for name in d.0.keys().filter(|n| !CHECKED.contains(&n.as_str()) && !FACADE_TYPES.contains(&n.as_str())) {
        p.0.push(format!("{name}: declared, but neither checked against Rust nor listed in FACADE_TYPES"));
    }
    let mut seen = BTreeSet::new();
    p.0.retain(|problem| seen.insert(problem.clone()));
    p.0
}

#[test]
fn the_declarations_match_the_rust_types() {
    let problems = problems(DTS);
    assert!(problems.is_empty(), "src/types.d.ts has drifted from the Rust types:\n  {}", problems.join("\n  "));
}

/// The check is not vacuous: drift in either direction, in each kind of declaration, is
/// reported.
#[test]
fn drift_is_reported() {
    let cases: &[(&str, &str, &str)] = &[
        // A Rust variant the TypeScript lacks, and a literal Rust does not have.
        (
            r#""clearedByEmptyArray" | "removed""#,
            r#""clearedByEmptyArray""#,
            r#"Outcome: the TypeScript lacks ["removed"]"#,
        ),
        (r#""keptImmutable""#, r#""keptImmutable" | "vanished""#, r#"Outcome: the TypeScript has ["vanished"]"#),
        (r#""keep";"#, r#""keep" | "sometimes";"#, r#"Behaviour.omitted: the TypeScript has ["sometimes"]"#),
        (r#""whole" | "merge""#, r#""whole""#, r#"Behaviour.complexReplace: the TypeScript lacks ["merge"]"#),
        (r#" | "sensitive""#, "", r#"ScimType: the TypeScript lacks ["sensitive"]"#),
        (r#""header" | "#, "", r#"DiffEntry.section: the TypeScript lacks ["header"]"#),
        (r#" | "equal""#, "", r#"DiffEntry.kind: the TypeScript lacks ["equal"]"#),
        // Members: missing, extra, optionality.
        (
            "  seed?: Record<string, Record<string, unknown>[]>;\n",
            "",
            r#"ProfileDefinition keys: the TypeScript lacks ["seed"]"#,
        ),
        ("  auth?: Auth;\n", "", r#"ProfileDefinition keys: the TypeScript lacks ["auth"]"#),
        (
            "  rule: string;\n",
            "  rule: string;\n  why: string;\n",
            r#"ExplanationEntry keys: the TypeScript has ["why"]"#,
        ),
        (
            "  note?: string;\n",
            "  note: string;\n",
            "ExplanationEntry.note: required in the TypeScript, optional in Rust",
        ),
        (
            "  schemas: (string",
            "  schemas?: (string",
            "ProfileDefinition.schemas: optional in the TypeScript, required in Rust",
        ),
        ("  volatile: boolean;\n", "", r#"DiffEntry keys: the TypeScript lacks ["volatile"]"#),
        ("  significantDifferences: number;\n", "", r#"Diff keys: the TypeScript lacks ["significantDifferences"]"#),
        ("  notes?: string[];\n", "", r#"Explanation keys: the TypeScript lacks ["notes"]"#),
        ("  detail: string;\n}", "}", r#"ScimErrorBody keys: the TypeScript lacks ["detail"]"#),
        (
            "  metaResourceType?: string;\n",
            "",
            r#"ResourceTypeDefinition keys: the TypeScript lacks ["metaResourceType"]"#,
        ),
        ("required?: boolean }", "required: boolean }", "schemaExtensions[].required: required in the TypeScript"),
        (
            "media?: { defaultResponse?: string }",
            "media?: { defaultResponse?: string; charset?: string }",
            r#"ProfileDefinition.media keys: the TypeScript has ["charset"]"#,
        ),
        // Discriminated unions: a variant, a member, optionality.
        ("  | { kind: \"none\" }\n", "", r#"ProfileDefinition.auth kinds: the TypeScript lacks ["none"]"#),
        (
            "challenge?: string }",
            "challenge?: string; realm?: string }",
            r#"(kind "rawHeader") keys: the TypeScript has ["realm"]"#,
        ),
        (
            r#"kind: "numeric"; start: number"#,
            r#"kind: "numeric"; start?: number"#,
            r#"(kind "numeric").start: optional in the TypeScript"#,
        ),
        // The types of values.
        (
            "  versioning: boolean;\n",
            "  versioning: string;\n",
            "the JSON does not fit: Behaviour.versioning: expected string, got false",
        ),
        (
            "  differences: number;\n",
            "  differences: string;\n",
            "the JSON does not fit: Diff.differences: expected string, got 1",
        ),
        (
            "  scimType?: ScimType;\n  detail?: string;\n",
            "  scimType?: string;\n  detail?: string;\n",
            "ScimBody.scimType: Ref(\"string\"",
        ),
        // Declarations nothing checks, and names nothing declares.
        (
            "export interface Comparison",
            "export interface Extra { x: string; }\nexport interface Comparison",
            "Extra: declared, but neither checked",
        ),
        (
            "idStyle?: IdStyle;",
            "idStyle?: IdStlye;",
            "type IdStlye (with 0 type arguments) is neither declared nor built in",
        ),
        // Syntax outside the supported subset.
        ("export type Outcome =", "export enum Extra {}\nexport type Outcome =", "the declarations do not parse"),
    ];
    for (from, to, expected) in cases {
        assert_eq!(DTS.matches(from).count(), 1, "the case's text must occur once in types.d.ts: {from:?}");
        let problems = problems(&DTS.replacen(from, to, 1));
        assert!(
            problems.iter().any(|p| p.contains(expected)),
            "replacing {from:?} by {to:?}: expected a problem containing {expected:?}, got:\n  {}",
            problems.join("\n  ")
        );
    }
}

#[test]
fn the_parser_reads_the_subset_and_nothing_else() {
    let decls = parse(
        r#"// comment
        /** doc */ export type A = | "x" | "y";
        export interface B { a?: A; "b": readonly [string, number][]; c: Record<string, { d: string, e?: number }>; [k: string]: unknown; }"#,
    )
    .expect("parses");
    assert_eq!(decls["A"], Ty::Union(vec![Ty::Lit("x".into()), Ty::Lit("y".into())]));
    let Ty::Obj(b) = &decls["B"] else { panic!("B is an object type") };
    let members: Vec<_> = b.fields.iter().map(|f| (f.name.as_str(), f.optional)).collect();
    assert_eq!(members, [("a", true), ("b", false), ("c", false)]);
    assert!(b.index.is_some());
    for bad in [
        "type A = string;",
        "export type A = string",
        "export interface B { a: string }",
        "export interface B { a: string; a: number; }",
        "export const x: number;",
        "export type A = 1;",
        "export type A = \"x\\\"\";",
    ] {
        assert!(parse(bad).is_err(), "{bad}");
    }
}
