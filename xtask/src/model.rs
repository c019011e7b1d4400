//! Reads the OpenAPI description into the model the renderer writes: shapes
//! (structs), enums, and resources with their operations.
//!
//! The published description omits `type` on most properties, so types are
//! inferred: `$ref` and `items` first, then `type`, then the example value.
//! Structs with the same fields are written once.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Map, Value};

use crate::names;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Ty {
    Str,
    Bool,
    Int,
    Float,
    Json,
    Vec(Box<Ty>),
    Shape(usize),
    Enum(usize),
}

#[derive(Clone, Debug)]
pub(crate) struct Field {
    pub(crate) wire: String,
    pub(crate) ty: Ty,
    pub(crate) optional: bool,
    pub(crate) doc: String,
}

#[derive(Debug)]
pub(crate) struct Shape {
    pub(crate) fields: Vec<Field>,
    pub(crate) doc: String,
    pub(crate) candidates: Vec<String>,
    pub(crate) name: String,
    /// Sent in a request body: gets a `new` with its required fields.
    pub(crate) input: bool,
    /// The query parameters of a list: all optional, with `Default`.
    pub(crate) query: bool,
}

#[derive(Debug)]
pub(crate) struct EnumShape {
    pub(crate) values: Vec<String>,
    pub(crate) doc: String,
    pub(crate) candidates: Vec<String>,
    pub(crate) name: String,
}

#[derive(Debug)]
pub(crate) enum OpKind {
    /// A cursor-paginated list: `params` has `cursor`.
    Page { params: usize, item: Ty },
    /// A list returned whole.
    List { params: Option<usize>, item: Ty },
    /// Create (no id) or update (with id), with a JSON body.
    Body { id: bool, body: usize },
    /// Retrieve (with or without id) or delete.
    Plain { id: bool },
}

#[derive(Debug)]
pub(crate) struct Operation {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) rust_method: String,
    pub(crate) doc: String,
    pub(crate) kind: OpKind,
    pub(crate) response: Ty,
}

#[derive(Debug)]
pub(crate) struct Resource {
    pub(crate) slug: String,
    pub(crate) handle: String,
    pub(crate) accessor: String,
    pub(crate) operations: Vec<Operation>,
}

#[derive(Debug)]
pub(crate) struct Api {
    pub(crate) shapes: Vec<Shape>,
    pub(crate) enums: Vec<EnumShape>,
    pub(crate) resources: Vec<Resource>,
}

struct Builder<'a> {
    schemas: &'a Map<String, Value>,
    shapes: Vec<Shape>,
    shape_keys: HashMap<String, usize>,
    enums: Vec<EnumShape>,
    enum_keys: HashMap<Vec<String>, usize>,
    /// Resolved component schemas: the type and whether the schema itself is
    /// nullable (`oneOf: [ref, {}]`).
    resolved: HashMap<String, (Ty, bool)>,
    in_progress: BTreeSet<String>,
    /// Whether the object being read is a named model, never merged.
    distinct: bool,
    /// Whether the objects being read are sent (a request body) rather than
    /// received.
    input: bool,
}

/// Response fields that every record has, so they are not `Option`.
const ALWAYS_PRESENT: &[&str] =
    &["id", "objectType", "createdAt", "updatedAt", "revisionNumber", "fullName", "deleted"];

const QBD: &str = "/quickbooks-desktop/";

impl Api {
    pub(crate) fn from_spec(spec: &Value) -> Result<Api, String> {
        let schemas = spec["components"]["schemas"].as_object().ok_or("no components.schemas")?;
        let paths = spec["paths"].as_object().ok_or("no paths")?;
        let mut builder = Builder {
            schemas,
            shapes: Vec::new(),
            shape_keys: HashMap::new(),
            enums: Vec::new(),
            enum_keys: HashMap::new(),
            resolved: HashMap::new(),
            in_progress: BTreeSet::new(),
            distinct: false,
            input: false,
        };

        let mut by_resource: BTreeMap<String, Vec<(String, String, &Value)>> = BTreeMap::new();
        for (path, item) in paths {
            let Some(rest) = path.strip_prefix(QBD) else { continue };
            let slug = rest.split('/').next().unwrap_or_default().to_owned();
            for (method, operation) in item.as_object().into_iter().flatten() {
                if matches!(method.as_str(), "get" | "post" | "put" | "patch" | "delete") {
                    by_resource.entry(slug.clone()).or_default().push((method.clone(), path.clone(), operation));
                }
            }
        }

        let mut resources = Vec::new();
        for (slug, mut operations) in by_resource {
            operations.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
            let singular = builder.singular_of(&slug, &operations);
            let mut resource = Resource {
                handle: names::pascal(&slug),
                accessor: names::snake(&slug),
                slug: slug.clone(),
                operations: Vec::new(),
            };
            for (method, path, operation) in operations {
                resource.operations.push(builder.operation(&slug, &singular, &method, &path, operation)?);
            }
            resources.push(resource);
        }
        builder.name_everything();
        let models: BTreeSet<&str> = builder
            .shapes
            .iter()
            .map(|s| s.name.as_str())
            .chain(builder.enums.iter().map(|e| e.name.as_str()))
            .collect();
        for resource in &mut resources {
            if models.contains(resource.handle.as_str()) {
                resource.handle.push_str("Endpoints");
            }
        }
        Ok(Api { shapes: builder.shapes, enums: builder.enums, resources })
    }
}

fn description(value: &Value) -> String {
    let mut parts = Vec::new();
    for key in ["summary", "description"] {
        if let Some(text) = value.get(key).and_then(Value::as_str) {
            if !parts.iter().any(|p: &String| p == text) {
                parts.push(text.to_owned());
            }
        }
    }
    parts.join("\n\n")
}

fn response_schema(operation: &Value) -> Option<&Value> {
    operation["responses"]["200"]["content"]["application/json"].get("schema")
}

impl Builder<'_> {
    /// The model name of one item of a resource, from what its operations
    /// return: `qbd_invoice` → `Invoice`.
    fn singular_of(&self, slug: &str, operations: &[(String, String, &Value)]) -> String {
        for (method, path, operation) in operations {
            let Some(schema) = response_schema(operation) else { continue };
            let reference = if method == "get" && !path.contains('{') {
                let Some(name) = schema["$ref"].as_str().and_then(|r| r.rsplit('/').next()) else { continue };
                self.schemas[name]["properties"]["data"]["items"]["$ref"].as_str().or(schema["$ref"].as_str())
            } else {
                schema["$ref"].as_str()
            };
            if let Some(name) = reference.and_then(|r| r.rsplit('/').next()) {
                if let Some(model) = name.strip_prefix("qbd_") {
                    return names::pascal(model);
                }
            }
        }
        names::pascal(&names::singular(slug))
    }

    fn operation(
        &mut self,
        slug: &str,
        singular: &str,
        method: &str,
        path: &str,
        operation: &Value,
    ) -> Result<Operation, String> {
        let has_id = path.contains("{id}");
        let params: Vec<&Value> = operation["parameters"].as_array().into_iter().flatten().collect();
        let query: Vec<&Value> = params.iter().copied().filter(|p| p["in"] == "query").collect();
        let paginated = query.iter().any(|p| p["name"] == "cursor");
        let collection = !has_id && path.trim_end_matches('/').ends_with(slug);

        let schema = response_schema(operation).ok_or_else(|| format!("{method} {path} has no JSON 200 response"))?;
        let (rust_method, kind, response) = match (method, has_id) {
            ("get", false) if collection && slug != "company" && slug != "preferences" && slug != "health-check" => {
                let list_name = schema["$ref"].as_str().and_then(|r| r.rsplit('/').next()).unwrap_or_default();
                let items = &self.schemas[list_name]["properties"]["data"]["items"];
                let (item, _) = self.ty(items, &format!("{singular}ListItem"));
                let params = if query.is_empty() { None } else { Some(self.query_shape(singular, &query)?) };
                let kind = match (paginated, params) {
                    (true, Some(params)) => OpKind::Page { params, item: item.clone() },
                    (_, params) => OpKind::List { params, item: item.clone() },
                };
                ("list".to_owned(), kind, Ty::Vec(Box::new(item)))
            }
            ("get", _) => {
                let name = if slug == "health-check" { "HealthCheck".to_owned() } else { singular.to_owned() };
                let (response, _) = self.ty(schema, &name);
                let rust_method = if slug == "health-check" { "check" } else { "retrieve" };
                (rust_method.to_owned(), OpKind::Plain { id: has_id }, response)
            }
            ("post", _) => {
                let action = if has_id { "Update" } else { "Create" };
                let body_schema = &operation["requestBody"]["content"]["application/json"]["schema"];
                self.input = true;
                let (body, _) = self.ty(body_schema, &format!("{singular}{action}Params"));
                self.input = false;
                let Ty::Shape(body) = body else { return Err(format!("{method} {path}: the body is not an object")) };
                self.mark_input(body);
                let (response, _) = self.ty(schema, singular);
                let rust_method = if has_id { "update" } else { "create" };
                (rust_method.to_owned(), OpKind::Body { id: has_id, body }, response)
            }
            ("delete", true) => {
                let (response, _) = self.ty(schema, &format!("{singular}Deleted"));
                ("delete".to_owned(), OpKind::Plain { id: true }, response)
            }
            _ => return Err(format!("{method} {path}: no rule for this operation")),
        };
        Ok(Operation {
            method: method.to_owned(),
            path: path.to_owned(),
            rust_method,
            doc: description(operation),
            kind,
            response,
        })
    }

    fn query_shape(&mut self, singular: &str, params: &[&Value]) -> Result<usize, String> {
        let mut fields = Vec::new();
        for param in params {
            let wire = param["name"].as_str().ok_or("a parameter without a name")?.to_owned();
            if param["required"] == true {
                return Err(format!("query parameter {wire} is required; list parameters are all optional here"));
            }
            let (ty, _) = self.ty(&param["schema"], &format!("{singular}List{}", names::pascal(&wire)));
            fields.push(Field {
                wire,
                ty,
                optional: true,
                doc: param["description"].as_str().unwrap_or("").to_owned(),
            });
        }
        fields.sort_by(|a, b| a.wire.cmp(&b.wire));
        let name = format!("{singular}ListParams");
        let doc = format!("The query parameters of listing `{singular}` records; unset ones are not sent.");
        Ok(self.intern_shape(fields, doc, name, true))
    }

    /// The type of a schema or property, and whether it is nullable.
    fn ty(&mut self, value: &Value, hint: &str) -> (Ty, bool) {
        let nullable = value["nullable"] == true;
        if let Some(reference) = value["$ref"].as_str() {
            let (ty, null) = self.component(reference.rsplit('/').next().unwrap_or_default(), hint);
            return (ty, nullable || null);
        }
        if let Some(variants) = value["oneOf"].as_array() {
            let real: Vec<&Value> = variants.iter().filter(|v| v.as_object().is_some_and(|o| !o.is_empty())).collect();
            if real.len() == 1 {
                let (ty, _) = self.ty(real[0], hint);
                return (ty, true);
            }
            return (Ty::Json, nullable);
        }
        if let Some(items) = value.get("items") {
            let (item, _) = self.ty(items, &names::singular(hint));
            return (Ty::Vec(Box::new(item)), nullable);
        }
        if let Some(values) = value["enum"].as_array() {
            let values: Vec<String> = values.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect();
            let doc = value["description"].as_str().unwrap_or("").to_owned();
            return (Ty::Enum(self.intern_enum(values, doc, hint.to_owned())), nullable);
        }
        if value.get("properties").is_some() {
            return (Ty::Shape(self.object(value, hint)), nullable);
        }
        let ty = match value["type"].as_str() {
            Some("string") => Ty::Str,
            Some("boolean") => Ty::Bool,
            Some("integer") => Ty::Int,
            Some("number") => Ty::Float,
            Some(_) => Ty::Json,
            None => match value.get("example") {
                Some(Value::String(_)) => Ty::Str,
                Some(Value::Bool(_)) => Ty::Bool,
                Some(Value::Number(n)) if n.is_i64() || n.is_u64() => {
                    if counts_whole_units(hint) {
                        Ty::Int
                    } else {
                        Ty::Float
                    }
                }
                Some(Value::Number(_)) => Ty::Float,
                Some(Value::Array(items)) => match items.first() {
                    Some(Value::String(_)) | None => Ty::Vec(Box::new(Ty::Str)),
                    _ => Ty::Vec(Box::new(Ty::Json)),
                },
                _ if value.get("format").is_some() => Ty::Str,
                _ if hint.ends_with("HasMore") => Ty::Bool,
                _ => Ty::Json,
            },
        };
        (ty, nullable)
    }

    fn component(&mut self, name: &str, hint: &str) -> (Ty, bool) {
        if let Some(done) = self.resolved.get(name) {
            return done.clone();
        }
        if !self.in_progress.insert(name.to_owned()) {
            return (Ty::Json, true);
        }
        let schema = &self.schemas[name];
        let own_name = match name.strip_prefix("qbd_") {
            Some(model) => names::pascal(model),
            None => hint.to_owned(),
        };
        // Resource models and request bodies keep their own names even when
        // another has the same fields: a credit-card credit is not a charge.
        let distinct = name.ends_with("_request") || schema["properties"].get("objectType").is_some();
        let previous = std::mem::replace(&mut self.distinct, distinct);
        let result = self.ty(schema, &own_name);
        self.distinct = previous;
        self.in_progress.remove(name);
        // Named component schemas are shared by every place that refers to
        // them; inline `_...` schemas keep the name of their first place.
        self.resolved.insert(name.to_owned(), result.clone());
        result
    }

    fn object(&mut self, value: &Value, name: &str) -> usize {
        let distinct = std::mem::take(&mut self.distinct);
        let required: BTreeSet<&str> =
            value["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        let mut fields = Vec::new();
        for (wire, property) in value["properties"].as_object().into_iter().flatten() {
            let (ty, nullable) = self.ty(property, &format!("{name}{}", names::pascal(wire)));
            let required = required.contains(wire.as_str());
            let optional = if self.input {
                nullable || !required
            } else {
                // The description does not say which response fields can be
                // null, and QuickBooks leaves most of them unset: only the
                // fields every record has are not `Option`.
                nullable || !required || !ALWAYS_PRESENT.contains(&wire.as_str())
            };
            fields.push(Field {
                wire: wire.clone(),
                ty,
                optional,
                doc: property["description"].as_str().unwrap_or("").to_owned(),
            });
        }
        fields.sort_by(|a, b| a.wire.cmp(&b.wire));
        self.intern_shape(fields, description(value), name.to_owned(), distinct)
    }

    fn intern_shape(&mut self, fields: Vec<Field>, doc: String, candidate: String, distinct: bool) -> usize {
        let query = candidate.ends_with("ListParams") && distinct;
        let own = if distinct { candidate.as_str() } else { "" };
        let key = format!(
            "{own}|{}",
            fields.iter().map(|f| format!("{}:{:?}:{}", f.wire, f.ty, f.optional)).collect::<Vec<_>>().join(",")
        );
        if let Some(&index) = self.shape_keys.get(&key) {
            if !self.shapes[index].candidates.contains(&candidate) {
                self.shapes[index].candidates.push(candidate);
            }
            return index;
        }
        self.shapes.push(Shape { fields, doc, candidates: vec![candidate], name: String::new(), input: false, query });
        self.shape_keys.insert(key, self.shapes.len() - 1);
        self.shapes.len() - 1
    }

    fn intern_enum(&mut self, values: Vec<String>, doc: String, candidate: String) -> usize {
        if let Some(&index) = self.enum_keys.get(&values) {
            if !self.enums[index].candidates.contains(&candidate) {
                self.enums[index].candidates.push(candidate);
            }
            return index;
        }
        self.enums.push(EnumShape { values: values.clone(), doc, candidates: vec![candidate], name: String::new() });
        self.enum_keys.insert(values, self.enums.len() - 1);
        self.enums.len() - 1
    }

    /// Marks a request body shape, and every shape inside it, as input.
    fn mark_input(&mut self, index: usize) {
        if std::mem::replace(&mut self.shapes[index].input, true) {
            return;
        }
        let inner: Vec<usize> = self.shapes[index].fields.iter().filter_map(|f| shape_in(&f.ty)).collect();
        for shape in inner {
            self.mark_input(shape);
        }
    }

    /// Names every shape and enum: its one candidate, or for shapes used in
    /// several places, the words their candidate names end with.
    fn name_everything(&mut self) {
        let mut taken: BTreeSet<String> = BTreeSet::new();
        // Names that the crate defines by hand in the same module.
        taken.extend(["CursorPage", "CursorStream", "Qbd", "QbdClient"].map(str::to_owned));
        for shape in &mut self.shapes {
            let is_ref = shape.fields.len() == 2
                && shape.fields.iter().all(|f| matches!(f.wire.as_str(), "id" | "fullName") && f.ty == Ty::Str);
            let preferred = if is_ref {
                shape.doc = "A reference to a QuickBooks object: its `id` and its `fullName`.".into();
                "ObjectRef".to_owned()
            } else {
                preferred_name(&shape.candidates)
            };
            shape.name = unique(&mut taken, preferred, &shape.candidates, shape.input);
            if shape.candidates.len() > 1 && !is_ref {
                let shown: Vec<&str> = shape.candidates.iter().take(6).map(String::as_str).collect();
                let more = shape.candidates.len().saturating_sub(6);
                let more = if more > 0 { format!(" and {more} more") } else { String::new() };
                shape.doc = format!("{}\n\nShared by {}{more}.", shape.doc, shown.join(", "));
            }
        }
        for shape in &mut self.enums {
            shape.name = unique(&mut taken, preferred_name(&shape.candidates), &shape.candidates, false);
        }
    }
}

fn shape_in(ty: &Ty) -> Option<usize> {
    match ty {
        Ty::Shape(index) => Some(*index),
        Ty::Vec(inner) => shape_in(inner),
        _ => None,
    }
}

/// Integer examples are counts or codes where the name says so; quantities
/// and money can be fractional in QuickBooks, so they are `f64`.
fn counts_whole_units(hint: &str) -> bool {
    let lower = hint.to_ascii_lowercase();
    let fractional = ["quantity", "difference", "charge", "point", "threshold", "onhand", "amount", "rate", "price"];
    !fractional.iter().any(|word| lower.ends_with(word) || lower.contains(&format!("{word}s")))
}

fn preferred_name(candidates: &[String]) -> String {
    if candidates.len() == 1 {
        return candidates[0].clone();
    }
    let split: Vec<Vec<String>> = candidates.iter().map(|c| names::words(c)).collect();
    let mut suffix: Vec<String> = Vec::new();
    'words: for back in 1.. {
        let mut word: Option<&String> = None;
        for words in &split {
            let Some(w) = words.len().checked_sub(back).map(|i| &words[i]) else { break 'words };
            match word {
                None => word = Some(w),
                Some(seen) if seen == w => {}
                Some(_) => break 'words,
            }
        }
        match word {
            Some(w) => suffix.insert(0, w.clone()),
            None => break,
        }
    }
    if suffix.is_empty() {
        candidates.iter().min_by_key(|c| (c.len(), (*c).clone())).cloned().unwrap_or_default()
    } else {
        suffix.concat()
    }
}

fn unique(taken: &mut BTreeSet<String>, preferred: String, candidates: &[String], input: bool) -> String {
    let mut options = vec![preferred.clone()];
    if input {
        options.push(format!("{preferred}Input"));
    }
    let mut sorted: Vec<&String> = candidates.iter().collect();
    sorted.sort_by_key(|c| (c.len(), (*c).clone()));
    options.extend(sorted.into_iter().cloned());
    for option in options {
        if taken.insert(option.clone()) {
            return option;
        }
    }
    for n in 2.. {
        let option = format!("{preferred}{n}");
        if taken.insert(option.clone()) {
            return option;
        }
    }
    unreachable!("an unbounded counter finds a free name")
}
