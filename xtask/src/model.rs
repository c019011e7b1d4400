//! Reads the OpenAPI description into the model the renderer writes:
//! structs, enums, tagged unions, and resources with their operations.
//!
//! Types come from the schema alone: `type` (with `"null"` for nullable),
//! `required`, `enum`, `const`, `$ref`, `items` and `anyOf`. Examples only
//! feed the documentation.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Map, Value};

use crate::names;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Ty {
    Str,
    /// A decimal string: `conductor::Amount`.
    Amount,
    /// `YYYY-MM-DD`: `conductor::Date`.
    Date,
    /// An ISO 8601 timestamp with an offset: `conductor::DateTime`.
    DateTime,
    Bool,
    Int,
    Float,
    /// Any JSON value.
    Json,
    /// A JSON object with any keys.
    Map,
    Vec(Box<Ty>),
    Struct(usize),
    Enum(usize),
    Union(usize),
}

#[derive(Clone, Debug)]
pub(crate) struct Field {
    pub(crate) wire: String,
    pub(crate) ty: Ty,
    pub(crate) required: bool,
    pub(crate) nullable: bool,
    pub(crate) doc: String,
    pub(crate) example: Option<Value>,
}

impl Field {
    /// Whether the Rust field is an `Option`.
    pub(crate) fn optional(&self) -> bool {
        self.nullable || !self.required
    }
}

#[derive(Debug)]
pub(crate) struct Struct {
    pub(crate) name: String,
    pub(crate) candidates: Vec<String>,
    pub(crate) doc: String,
    pub(crate) fields: Vec<Field>,
    /// Sent by the client (a request body or part of one).
    pub(crate) input: bool,
    /// Query parameters: no `#[non_exhaustive]`, so a struct literal with
    /// `..Default::default()` works.
    pub(crate) query: bool,
    /// The `const` fields the schema fixes (`objectType`), left out of the
    /// struct: the Rust type already says what the object is.
    pub(crate) consts: Vec<(String, String)>,
}

#[derive(Debug)]
pub(crate) struct Enum {
    pub(crate) name: String,
    pub(crate) candidates: Vec<String>,
    pub(crate) doc: String,
    pub(crate) values: Vec<String>,
}

/// A `anyOf` of objects told apart by one `const` field.
#[derive(Debug)]
pub(crate) struct Union {
    pub(crate) name: String,
    pub(crate) doc: String,
    pub(crate) tag: String,
    pub(crate) variants: Vec<(String, usize)>,
}

#[derive(Debug)]
pub(crate) enum Shape {
    /// A cursor-paginated list.
    Page { item: Ty },
    /// A list returned whole; `more` when its envelope still has
    /// `hasMore` (always `false`).
    List { item: Ty, more: bool },
    /// Anything else: one value.
    One,
}

#[derive(Debug)]
pub(crate) struct Operation {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) rust_method: String,
    pub(crate) doc: String,
    pub(crate) shape: Shape,
    pub(crate) path_args: Vec<String>,
    pub(crate) query: Option<usize>,
    pub(crate) body: Option<usize>,
    pub(crate) response: Ty,
}

#[derive(Debug)]
pub(crate) struct Resource {
    /// The module and accessor: `invoices`, `health_check`.
    pub(crate) module: String,
    /// The handle type: `Invoices`; `None` for operations on `QbdClient`
    /// itself (the health check).
    pub(crate) handle: Option<String>,
    /// The model one record is: `Invoice`.
    pub(crate) singular: String,
    pub(crate) operations: Vec<Operation>,
}

#[derive(Debug)]
pub(crate) struct Api {
    pub(crate) structs: Vec<Struct>,
    pub(crate) enums: Vec<Enum>,
    pub(crate) unions: Vec<Union>,
    pub(crate) resources: Vec<Resource>,
}

const QBD: &str = "/quickbooks-desktop/";

struct Builder<'a> {
    schemas: &'a Map<String, Value>,
    structs: Vec<Struct>,
    struct_keys: HashMap<String, usize>,
    enums: Vec<Enum>,
    enum_keys: HashMap<Vec<String>, usize>,
    unions: Vec<Union>,
    components: HashMap<String, Ty>,
}

impl Api {
    pub(crate) fn from_spec(spec: &Value) -> Result<Api, String> {
        let schemas = spec["components"]["schemas"].as_object().ok_or("no components.schemas")?;
        let paths = spec["paths"].as_object().ok_or("no paths")?;
        let mut builder = Builder {
            schemas,
            structs: Vec::new(),
            struct_keys: HashMap::new(),
            enums: Vec::new(),
            enum_keys: HashMap::new(),
            unions: Vec::new(),
            components: HashMap::new(),
        };

        // Operations grouped as the official SDKs group them, by the
        // resource of `client.qbd.<resource>.<method>`.
        let mut grouped: BTreeMap<String, Vec<(String, String, &Value)>> = BTreeMap::new();
        for (path, item) in paths {
            if !path.starts_with(QBD) {
                continue;
            }
            for (method, operation) in item.as_object().into_iter().flatten() {
                if !matches!(method.as_str(), "get" | "post" | "put" | "patch" | "delete") {
                    continue;
                }
                let sdk = sdk_method(method, path, operation)?;
                let parts: Vec<&str> = sdk.split('.').collect();
                let module = match parts.as_slice() {
                    ["qbd", resource, _] => (*resource).to_owned(),
                    ["qbd", single] => (*single).to_owned(),
                    _ => return Err(format!("{method} {path}: unexpected SDK method {sdk}")),
                };
                grouped.entry(module).or_default().push((method.clone(), path.clone(), operation));
            }
        }

        let mut resources = Vec::new();
        for (module, mut operations) in grouped {
            operations.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
            let singular = builder.singular_of(&module, &operations);
            let handle = (operations.len() > 1 || module != "health_check").then(|| names::pascal(&module));
            let mut resource =
                Resource { module: module.clone(), handle, singular: singular.clone(), operations: vec![] };
            for (method, path, operation) in operations {
                resource.operations.push(builder.operation(&module, &singular, &method, &path, operation)?);
            }
            resources.push(resource);
        }
        builder.name_everything();
        let taken: BTreeSet<&str> = (builder.structs.iter().map(|s| s.name.as_str()))
            .chain(builder.enums.iter().map(|e| e.name.as_str()))
            .chain(builder.unions.iter().map(|u| u.name.as_str()))
            .collect();
        for resource in &mut resources {
            if let Some(handle) = &mut resource.handle {
                if taken.contains(handle.as_str()) {
                    handle.push_str("Endpoints");
                }
            }
        }
        Ok(Api { structs: builder.structs, enums: builder.enums, unions: builder.unions, resources })
    }
}

/// The official SDKs' call path of an operation, `qbd.invoices.list`: from
/// the Python sample of `x-codeSamples` (`conductor.qbd.invoices.list(`), or
/// from `x-sdk-method` (`client.qbd.invoices.list`), or else from the path
/// and method (`GET /quickbooks-desktop/invoices` is `qbd.invoices.list`).
fn sdk_method(method: &str, path: &str, operation: &Value) -> Result<String, String> {
    let samples = operation["x-codeSamples"].as_array().into_iter().flatten();
    let python = samples.filter(|s| s["lang"] == "Python").find_map(|s| s["source"].as_str());
    if let Some(source) = python {
        let call = source.split("conductor.").skip(1).find_map(|rest| {
            let name = rest.split('(').next()?;
            (rest.len() > name.len()
                && name
                    .split('.')
                    .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')))
            .then_some(name)
        });
        return call
            .map(str::to_owned)
            .ok_or_else(|| format!("{method} {path}: no `conductor.<call>(` in the Python sample"));
    }
    if let Some(sdk) = operation["x-sdk-method"].as_str() {
        return Ok(sdk.strip_prefix("client.").unwrap_or(sdk).to_owned());
    }
    path_method(method, path)
        .ok_or_else(|| format!("{method} {path}: no code sample or x-sdk-method, and the path says no method"))
}

/// The call path the official SDKs give a path and method when nothing
/// else names it: a collection's `list` and `create`, a record's
/// `retrieve`, `update` and `delete`, and an action's own name.
fn path_method(method: &str, path: &str) -> Option<String> {
    let rest = path.strip_prefix(QBD)?;
    let segments: Vec<&str> = rest.split('/').collect();
    let resource = names::snake(segments.first()?);
    let action = match (method, segments.as_slice()) {
        ("get", [_]) => "list".to_owned(),
        ("post", [_]) => "create".to_owned(),
        ("get", [_, id]) if id.starts_with('{') => "retrieve".to_owned(),
        ("post", [_, id]) if id.starts_with('{') => "update".to_owned(),
        ("delete", [_, id]) if id.starts_with('{') => "delete".to_owned(),
        (_, [_, id, action]) if id.starts_with('{') => names::snake(action),
        (_, [_, action]) => names::snake(action),
        _ => return None,
    };
    Some(format!("qbd.{resource}.{action}"))
}

/// The summary and the description, without repeating one in the other.
fn description(value: &Value) -> String {
    let summary = value["summary"].as_str().unwrap_or("").trim();
    let text = value["description"].as_str().unwrap_or("").trim();
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    if summary.is_empty() || flat(text).starts_with(flat(summary).trim_end_matches('.')) {
        text.to_owned()
    } else if text.is_empty() {
        summary.to_owned()
    } else {
        format!("{summary}.\n\n{text}")
    }
}

fn response_schema(operation: &Value) -> Option<&Value> {
    operation["responses"]["200"]["content"]["application/json"].get("schema")
}

fn ref_name(value: &Value) -> Option<&str> {
    value["$ref"].as_str().and_then(|r| r.rsplit('/').next())
}

/// The Rust name of a component schema: `qbd_invoice` → `Invoice`,
/// `qbd_invoice_delete_response` → `InvoiceDeleted`.
fn component_name(name: &str) -> String {
    // `qbd_report_row_qbd_report_data_row` is a `qbd_report_data_row`.
    let name = name.rsplit("_qbd_").next().unwrap_or(name);
    let name = name.strip_prefix("qbd_").unwrap_or(name);
    if let Some(stem) = name.strip_suffix("_delete_response") {
        format!("{}Deleted", names::pascal(stem))
    } else if let Some(stem) = name.strip_suffix("_void_response") {
        format!("{}Voided", names::pascal(stem))
    } else if name == "health_check_response" {
        "HealthCheck".into()
    } else {
        names::pascal(name)
    }
}

/// The alternatives of an `anyOf` or a `oneOf` (which the description uses
/// with a `discriminator` for report rows).
fn variants_of(value: &Value) -> Option<&Vec<Value>> {
    value["anyOf"].as_array().or_else(|| value["oneOf"].as_array())
}

/// The one value a schema allows: its `const`, or an `enum` of one string
/// (the description spells a few fixed values that way).
fn fixed_value(value: &Value) -> Option<&str> {
    if let Some(fixed) = value["const"].as_str() {
        return Some(fixed);
    }
    match value["enum"].as_array().map(Vec::as_slice) {
        Some([one]) => one.as_str(),
        _ => None,
    }
}

/// A property's `description` or `example`: its own, or that of the one
/// alternative of an `anyOf` with `null` (where the description puts them
/// for nullable fields).
fn annotation<'v>(property: &'v Value, key: &str) -> Option<&'v Value> {
    property.get(key).or_else(|| {
        let real: Vec<&Value> = variants_of(property)?.iter().filter(|v| types_of(v) != ["null"]).collect();
        match real.as_slice() {
            [one] => one.get(key),
            _ => None,
        }
    })
}

/// The type of a string, by what the description says it holds: a decimal
/// string is an amount; `format: date` or `(YYYY-MM-DD)` a date;
/// `format: date-time`, the timestamp format `YYYY-MM-DDThh:mm:ss±hh:mm`
/// or "the date and time when" a timestamp. Anything else is text.
fn string(value: &Value, doc: &str) -> Ty {
    let text = value["description"].as_str().unwrap_or(doc);
    let lower = text.to_ascii_lowercase();
    match value["format"].as_str() {
        Some("date") => Ty::Date,
        Some("date-time") => Ty::DateTime,
        _ if text.contains("decimal string") => Ty::Amount,
        _ if lower.contains("yyyy-mm-ddthh:mm:ss") || lower.starts_with("the date and time") => Ty::DateTime,
        _ if text.contains("(YYYY-MM-DD)") => Ty::Date,
        _ => Ty::Str,
    }
}

/// The type names of a schema's `type`, which is a string or a list.
fn types_of(value: &Value) -> Vec<&str> {
    match &value["type"] {
        Value::String(one) => vec![one.as_str()],
        Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

impl Builder<'_> {
    fn resolve<'v>(&'v self, value: &'v Value) -> &'v Value {
        match ref_name(value) {
            Some(name) => &self.schemas[name],
            None => value,
        }
    }

    /// The items of a list envelope (`objectType: "list"` with `data`).
    fn list_items<'v>(&'v self, schema: &'v Value) -> Option<&'v Value> {
        let schema = self.resolve(schema);
        (schema["properties"]["objectType"]["const"] == "list").then(|| &schema["properties"]["data"]["items"])
    }

    /// The model one record of a resource is: what its list holds or its
    /// retrieve returns.
    fn singular_of(&self, module: &str, operations: &[(String, String, &Value)]) -> String {
        for (_, _, operation) in operations {
            let Some(schema) = response_schema(operation) else { continue };
            let target = self.list_items(schema).unwrap_or(schema);
            if let Some(name) = ref_name(target) {
                if !name.ends_with("_response") && name.starts_with("qbd_") && name != "qbd_report" {
                    return component_name(name);
                }
            }
        }
        names::pascal(&names::singular(module))
    }

    fn operation(
        &mut self,
        module: &str,
        singular: &str,
        method: &str,
        path: &str,
        operation: &Value,
    ) -> Result<Operation, String> {
        let sdk = sdk_method(method, path, operation)?;
        let rust_method = sdk.rsplit('.').next().unwrap_or_default().to_owned();
        let params: Vec<&Value> = operation["parameters"].as_array().into_iter().flatten().collect();
        let path_args: Vec<String> = (params.iter())
            .filter(|p| p["in"] == "path")
            .filter_map(|p| p["name"].as_str().map(str::to_owned))
            .collect();
        let query: Vec<&Value> = params.iter().copied().filter(|p| p["in"] == "query").collect();
        let paginated = query.iter().any(|p| p["name"] == "cursor");

        let query = if query.is_empty() {
            None
        } else {
            let name = match (module, rust_method.as_str()) {
                ("reports", report) => format!("{}ReportParams", names::pascal(report)),
                (_, action) => format!("{singular}{}Params", names::pascal(action)),
            };
            Some(self.query_struct(&name, (module, &rust_method), &query)?)
        };
        let body = match operation["requestBody"]["content"]["application/json"].get("schema") {
            None => None,
            Some(schema) => {
                let name = format!("{singular}{}Params", names::pascal(&rust_method));
                let doc = format!("The body of `qbd.{module}().{rust_method}(..)`; unset fields are not sent.");
                let Ty::Struct(body) = self.ty(schema, &name, true, Some(name.clone()), &doc) else {
                    return Err(format!("{method} {path}: the body is not an object"));
                };
                Some(body)
            }
        };

        let schema = response_schema(operation).ok_or_else(|| format!("{method} {path}: no JSON 200 response"))?;
        let (shape, response) = match self.list_items(schema) {
            Some(items) => {
                let items = items.clone();
                let item = self.ty(&items, &format!("{singular}ListItem"), false, None, "");
                let more = self.resolve(schema)["properties"].get("hasMore").is_some();
                let shape = if paginated {
                    Shape::Page { item: item.clone() }
                } else {
                    Shape::List { item: item.clone(), more }
                };
                (shape, Ty::Vec(Box::new(item)))
            }
            None => {
                // Confirmations are named for what they confirm; the one value
                // of a resource that is an operation is the resource.
                let hint = match rust_method.as_str() {
                    "delete" => format!("{singular}Deleted"),
                    "void" => format!("{singular}Voided"),
                    method if method == module => singular.to_owned(),
                    method => format!("{singular}{}Response", names::pascal(method)),
                };
                (Shape::One, self.ty(schema, &hint, false, None, ""))
            }
        };
        Ok(Operation {
            method: method.to_owned(),
            path: path.to_owned(),
            rust_method,
            doc: description(operation),
            shape,
            path_args,
            query,
            body,
            response,
        })
    }

    fn query_struct(&mut self, name: &str, (module, method): (&str, &str), params: &[&Value]) -> Result<usize, String> {
        let mut fields = Vec::new();
        for param in params {
            let wire = param["name"].as_str().ok_or("a parameter without a name")?.to_owned();
            // `AgingReportParams` and `reportType` → `AgingReportType`.
            let hint = format!("{}{}", name.trim_end_matches("Params"), names::pascal(&wire))
                .replace("ReportReport", "Report");
            let param_doc = param["description"].as_str().unwrap_or("");
            let ty = self.ty(&param["schema"], &hint, true, None, param_doc);
            let example = param.get("example").or_else(|| param["schema"].get("example")).cloned();
            fields.push(Field {
                wire,
                ty,
                required: param["required"] == true,
                nullable: false,
                doc: param["description"].as_str().unwrap_or("").to_owned(),
                example,
            });
        }
        fields.sort_by(|a, b| a.wire.cmp(&b.wire));
        let doc = format!("The query parameters of `qbd.{module}().{method}(..)`; unset ones are not sent.");
        self.structs.push(Struct {
            name: name.to_owned(),
            candidates: vec![name.to_owned()],
            doc,
            fields,
            input: true,
            query: true,
            consts: vec![],
        });
        Ok(self.structs.len() - 1)
    }

    /// The type of a schema. `own` names an object that must keep its own
    /// type (a request body); other inline objects with the same fields
    /// share one.
    fn ty(&mut self, value: &Value, hint: &str, input: bool, own: Option<String>, doc: &str) -> Ty {
        if let Some(name) = ref_name(value) {
            return self.component(name, input);
        }
        if let Some(variants) = variants_of(value) {
            let real: Vec<&Value> = variants.iter().filter(|v| types_of(v) != ["null"]).collect();
            return match real.as_slice() {
                [one] => self.ty(one, hint, input, own, doc),
                many => self.union(many, hint, input, doc),
            };
        }
        let types = types_of(value);
        // An enum of one value is a fixed string, as a `const` is.
        if let Some(values) = value["enum"].as_array().filter(|values| fixed_value(value).is_none() || values.len() > 1)
        {
            let values: Vec<String> = values.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect();
            let doc = value["description"].as_str().unwrap_or(doc).to_owned();
            return Ty::Enum(self.intern_enum(values, doc, hint.to_owned()));
        }
        if types.contains(&"array") {
            let item = self.ty(&value["items"], &names::singular(hint), input, None, doc);
            return Ty::Vec(Box::new(item));
        }
        if value.get("properties").is_some() {
            return Ty::Struct(self.object(value, hint, input, own, doc));
        }
        if types.contains(&"object") {
            return Ty::Map;
        }
        match types.iter().find(|t| **t != "null") {
            Some(&"string") => string(value, doc),
            Some(&"boolean") => Ty::Bool,
            Some(&"integer") => Ty::Int,
            Some(&"number") => Ty::Float,
            _ => Ty::Json,
        }
    }

    fn component(&mut self, name: &str, input: bool) -> Ty {
        if let Some(done) = self.components.get(name) {
            if input {
                mark_input(&mut self.structs, done);
            }
            return done.clone();
        }
        let schema = &self.schemas[name];
        let own = names::published(name).map_or_else(|| component_name(name), str::to_owned);
        let ty = self.ty(schema, &own, input, Some(own.clone()), "");
        self.components.insert(name.to_owned(), ty.clone());
        ty
    }

    fn union(&mut self, variants: &[&Value], hint: &str, input: bool, doc: &str) -> Ty {
        let schemas = self.schemas;
        let resolved: Vec<&Value> = (variants.iter()).map(|v| ref_name(v).map_or(*v, |name| &schemas[name])).collect();
        // The tag: the one property every variant fixes with `const`.
        let tag = (resolved[0]["properties"].as_object().into_iter().flatten())
            .find(|(key, _)| resolved.iter().all(|v| fixed_value(&v["properties"][key.as_str()]).is_some()))
            .map(|(key, _)| key.clone());
        let Some(tag) = tag else { return Ty::Json };
        let mut out = Vec::new();
        for (variant, schema) in variants.iter().zip(&resolved) {
            let value = fixed_value(&schema["properties"][tag.as_str()]).unwrap_or_default().to_owned();
            let Ty::Struct(index) = self.ty(variant, &format!("{hint}{}", names::pascal(&value)), input, None, "")
            else {
                return Ty::Json;
            };
            out.push((value, index));
        }
        let name = names::singular(hint);
        self.unions.push(Union { name, doc: doc.to_owned(), tag, variants: out });
        Ty::Union(self.unions.len() - 1)
    }

    fn object(&mut self, value: &Value, hint: &str, input: bool, own: Option<String>, doc: &str) -> usize {
        let required: BTreeSet<&str> =
            value["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        let mut fields = Vec::new();
        let mut consts = Vec::new();
        let parent = own.as_deref().unwrap_or(hint).to_owned();
        for (wire, property) in value["properties"].as_object().into_iter().flatten() {
            if let Some(fixed) = fixed_value(property) {
                consts.push((wire.clone(), fixed.to_owned()));
                continue;
            }
            let field_doc = annotation(property, "description").and_then(Value::as_str).unwrap_or("").to_owned();
            let hint = format!("{parent}{}", names::pascal(wire)).replace("ReportReport", "Report");
            let ty = self.ty(property, &hint, input, None, &field_doc);
            let nullable = types_of(property).contains(&"null")
                || variants_of(property).into_iter().flatten().any(|v| types_of(v) == ["null"]);
            fields.push(Field {
                wire: wire.clone(),
                ty,
                required: required.contains(wire.as_str()),
                nullable,
                doc: field_doc,
                example: annotation(property, "example").cloned(),
            });
        }
        let doc = value["description"].as_str().filter(|d| !d.trim().is_empty()).unwrap_or(doc).to_owned();
        self.intern_struct(fields, consts, doc, hint.to_owned(), own, input)
    }

    fn intern_struct(
        &mut self,
        fields: Vec<Field>,
        consts: Vec<(String, String)>,
        doc: String,
        candidate: String,
        own: Option<String>,
        input: bool,
    ) -> usize {
        let shape = fields.iter().map(|f| format!("{}:{:?}:{}:{}", f.wire, f.ty, f.required, f.nullable));
        let key = format!("{}|{consts:?}|{}", own.as_deref().unwrap_or(""), shape.collect::<Vec<_>>().join(","));
        if let Some(&index) = self.struct_keys.get(&key) {
            if !self.structs[index].candidates.contains(&candidate) {
                self.structs[index].candidates.push(candidate);
            }
            if input {
                mark_input(&mut self.structs, &Ty::Struct(index));
            }
            return index;
        }
        let name = own.unwrap_or_default();
        self.structs.push(Struct { name, candidates: vec![candidate], doc, fields, input, query: false, consts });
        self.struct_keys.insert(key, self.structs.len() - 1);
        self.structs.len() - 1
    }

    fn intern_enum(&mut self, values: Vec<String>, doc: String, candidate: String) -> usize {
        if let Some(&index) = self.enum_keys.get(&values) {
            if !self.enums[index].candidates.contains(&candidate) {
                self.enums[index].candidates.push(candidate);
            }
            return index;
        }
        self.enums.push(Enum { name: String::new(), candidates: vec![candidate], doc, values: values.clone() });
        self.enum_keys.insert(values, self.enums.len() - 1);
        self.enums.len() - 1
    }

    /// Names every struct without one and every enum: its one candidate, or
    /// for types used in several places, the words their candidates end
    /// with.
    fn name_everything(&mut self) {
        let mut taken: BTreeSet<String> = BTreeSet::new();
        // Names the crate defines by hand in the same module.
        taken.extend(["CursorPage", "CursorStream", "Qbd", "QbdClient"].map(str::to_owned));
        taken.extend(self.structs.iter().filter(|s| !s.name.is_empty()).map(|s| s.name.clone()));
        taken.extend(self.unions.iter().map(|u| u.name.clone()));
        for shape in self.structs.iter_mut().filter(|s| s.name.is_empty()) {
            let preferred = if is_reference(shape) {
                "ObjectRef".to_owned()
            } else {
                let preferred = preferred_name(&shape.candidates, shape.input);
                names::published(&preferred).map_or(preferred, str::to_owned)
            };
            shape.name = unique(&mut taken, preferred, &shape.candidates, shape.input);
        }
        for shape in &mut self.enums {
            shape.name = unique(&mut taken, preferred_name(&shape.candidates, false), &shape.candidates, false);
        }
    }
}

/// Whether a struct is a reference to another record, `{id, fullName}`, as
/// QuickBooks returns every reference: one type, `ObjectRef`, wherever it
/// appears.
fn is_reference(shape: &Struct) -> bool {
    let mut wires: Vec<&str> = shape.fields.iter().map(|f| f.wire.as_str()).collect();
    wires.sort_unstable();
    !shape.input && shape.consts.is_empty() && wires == ["fullName", "id"]
}

/// Marks a struct, and every struct inside it, as sent by the client.
fn mark_input(structs: &mut [Struct], ty: &Ty) {
    match ty {
        Ty::Struct(index) => {
            if std::mem::replace(&mut structs[*index].input, true) {
                return;
            }
            let inner: Vec<Ty> = structs[*index].fields.iter().map(|f| f.ty.clone()).collect();
            for ty in inner {
                mark_input(structs, &ty);
            }
        }
        Ty::Vec(inner) => mark_input(structs, inner),
        _ => {}
    }
}

/// The name of a type used in several places: the words their candidate
/// names end with. `input` types sent in a body whose shared words are one
/// (`Address`) are that word's `...Input`.
fn preferred_name(candidates: &[String], input: bool) -> String {
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
    // `...CreateParamsLine` and `...UpdateParamsLine`: the words before
    // `Params` that all candidates share, then the rest (`InvoiceLine`); a
    // body part with nothing shared is an `...Input`, a list or report
    // filter keeps `List` or `Report`.
    if let Some(at) = suffix.iter().position(|w| w == "Params").filter(|at| *at <= 1) {
        let rest: Vec<String> = suffix.split_off(at + 1);
        let before: Vec<String> = suffix[..at].to_vec();
        let prefix: Vec<&String> = (0..)
            .map_while(|i| split[0].get(i).filter(|w| split.iter().all(|ws| ws.get(i) == Some(*w))))
            .take_while(|w| !matches!(w.as_str(), "Params" | "Create" | "Update"))
            .collect();
        suffix = match before.first().map(String::as_str) {
            _ if rest.is_empty() => vec![],
            Some("List" | "Report") => before.into_iter().chain(rest).collect(),
            // An update's part differs from the create's of the same name.
            Some("Update") if prefix.is_empty() => rest.into_iter().chain(["UpdateInput".to_owned()]).collect(),
            _ if prefix.is_empty() => rest.into_iter().chain(["Input".to_owned()]).collect(),
            _ if rest.first() == prefix.last().copied() => rest,
            _ => prefix.into_iter().cloned().chain(rest).collect(),
        };
    }
    // Parts of one body with one word in common (`...CreateParamsCreditLine`
    // and `...CreateParamsDebitLine`) are the body's that word
    // (`JournalEntryCreateParamsLine`); parts of the bodies of different
    // resources sharing one word are `...Input`.
    let prefix: Vec<&String> =
        (0..).map_while(|i| split[0].get(i).filter(|w| split.iter().all(|ws| ws.get(i) == Some(*w)))).collect();
    match prefix.iter().position(|w| *w == "Params") {
        Some(at) if input && suffix.len() == 1 => {
            return prefix[..=at].iter().map(|w| w.as_str()).chain([suffix[0].as_str()]).collect();
        }
        None if input && suffix.len() == 1 && suffix[0] != "Input" => return format!("{}Input", suffix[0]),
        _ => {}
    }
    // One word alone (`Status`, `Line`) says too little: take the shortest
    // candidate instead.
    if suffix.len() < 2 {
        candidates.iter().min_by_key(|c| (c.len(), (*c).clone())).cloned().unwrap_or_default()
    } else {
        suffix.concat()
    }
}

fn unique(taken: &mut BTreeSet<String>, preferred: String, candidates: &[String], input: bool) -> String {
    let mut options = vec![preferred.clone()];
    if input && !preferred.ends_with("Input") {
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

impl Api {
    /// Every type a type names, itself included.
    pub(crate) fn reach(&self, ty: &Ty, seen: &mut BTreeSet<Ty>) {
        if !seen.insert(ty.clone()) {
            return;
        }
        match ty {
            Ty::Vec(inner) => self.reach(inner, seen),
            Ty::Struct(index) => {
                for field in &self.structs[*index].fields {
                    self.reach(&field.ty, seen);
                }
            }
            Ty::Union(index) => {
                for (_, variant) in &self.unions[*index].variants {
                    self.reach(&Ty::Struct(*variant), seen);
                }
            }
            _ => {}
        }
    }

    /// The types each operation of a resource uses.
    pub(crate) fn types_of(&self, resource: &Resource) -> BTreeSet<Ty> {
        let mut seen = BTreeSet::new();
        for operation in &resource.operations {
            self.reach(&operation.response, &mut seen);
            for index in operation.query.iter().chain(&operation.body) {
                self.reach(&Ty::Struct(*index), &mut seen);
            }
        }
        seen
    }
}

impl PartialOrd for Ty {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ty {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        format!("{self:?}").cmp(&format!("{other:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(candidates: &[&str], input: bool) -> String {
        preferred_name(&candidates.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>(), input)
    }

    #[test]
    fn a_type_used_in_several_places_is_named_for_what_they_share() {
        // The words all candidates end with.
        assert_eq!(named(&["InvoiceLineGroup", "CreditMemoLineGroup"], false), "LineGroup");
        // Parts of the bodies of different resources: `...Input`, and
        // `...UpdateInput` for an update's.
        assert_eq!(named(&["BillCreateParamsExpenseLine", "CheckCreateParamsExpenseLine"], true), "ExpenseLineInput");
        assert_eq!(
            named(&["VendorUpdateParamsAdditionalNote", "CustomerUpdateParamsAdditionalNote"], true),
            "AdditionalNoteUpdateInput"
        );
        assert_eq!(
            named(&["InvoiceCreateParamsBillingAddress", "BillCreateParamsVendorAddress"], true),
            "AddressInput"
        );
        // Parts of one body keep its name.
        assert_eq!(
            named(&["JournalEntryCreateParamsCreditLine", "JournalEntryCreateParamsDebitLine"], true),
            "JournalEntryCreateParamsLine"
        );
        assert_eq!(
            named(&["CreditMemoUpdateParamsLineGroupLine", "CreditMemoUpdateParamsLine"], true),
            "CreditMemoUpdateParamsLine"
        );
        // List and report filters keep `List` or `Report`.
        assert_eq!(named(&["InvoiceListParamsStatus", "BillListParamsStatus"], false), "ListStatus");
        // One word in common says too little: the shortest candidate.
        assert_eq!(named(&["AccountStatus", "CustomerJobStatus"], false), "AccountStatus");
    }

    #[test]
    fn unique_names_fall_back_to_inputs_then_candidates_then_numbers() {
        let mut taken: BTreeSet<String> = ["Address", "AddressInput", "Line"].map(str::to_owned).into();
        assert_eq!(unique(&mut taken, "Address".into(), &["BillAddress".into()], true), "BillAddress");
        assert_eq!(unique(&mut taken, "Contact".into(), &[], true), "Contact");
        assert_eq!(unique(&mut taken, "Line".into(), &[], false), "Line2");
    }

    #[test]
    fn sdk_methods_come_from_the_python_sample_then_x_sdk_method_then_the_path() {
        let sample = serde_json::json!({"x-codeSamples": [
            {"lang": "JavaScript", "source": "await conductor.qbd.invoices.list({"},
            {"lang": "Python", "source": "import os\nfrom conductor import Conductor\n\nconductor = Conductor(\n    api_key=os.environ.get(\"CONDUCTOR_SECRET_KEY\"),\n)\npage = conductor.qbd.invoices.list(\n)"},
        ]});
        assert_eq!(sdk_method("get", "/quickbooks-desktop/invoices", &sample).unwrap(), "qbd.invoices.list");
        let tagged = serde_json::json!({"x-sdk-method": "client.qbd.health_check"});
        assert_eq!(sdk_method("get", "/quickbooks-desktop/health-check", &tagged).unwrap(), "qbd.health_check");
        let bare = serde_json::json!({});
        for (method, path, expected) in [
            ("get", "/quickbooks-desktop/bill-check-payments", "qbd.bill_check_payments.list"),
            ("post", "/quickbooks-desktop/bill-check-payments", "qbd.bill_check_payments.create"),
            ("get", "/quickbooks-desktop/invoices/{id}", "qbd.invoices.retrieve"),
            ("post", "/quickbooks-desktop/invoices/{id}", "qbd.invoices.update"),
            ("delete", "/quickbooks-desktop/invoices/{id}", "qbd.invoices.delete"),
            ("post", "/quickbooks-desktop/invoices/{id}/void", "qbd.invoices.void"),
            ("get", "/quickbooks-desktop/reports/aging", "qbd.reports.aging"),
        ] {
            assert_eq!(sdk_method(method, path, &bare).unwrap(), expected, "{method} {path}");
        }
        let unnamed = serde_json::json!({"x-codeSamples": [{"lang": "Python", "source": "print(1)"}]});
        assert!(sdk_method("get", "/quickbooks-desktop/invoices", &unnamed).is_err());
    }

    #[test]
    fn a_fixed_value_is_a_const_or_an_enum_of_one() {
        assert_eq!(fixed_value(&serde_json::json!({"const": "qbd_invoice"})), Some("qbd_invoice"));
        assert_eq!(fixed_value(&serde_json::json!({"enum": ["custom_summary"]})), Some("custom_summary"));
        assert_eq!(fixed_value(&serde_json::json!({"enum": ["a", "b"]})), None);
        let nullable =
            serde_json::json!({"anyOf": [{"type": "string", "description": "Said inside."}, {"type": "null"}]});
        assert_eq!(annotation(&nullable, "description"), Some(&serde_json::json!("Said inside.")));
    }

    #[test]
    fn components_are_named_without_their_prefix() {
        assert_eq!(component_name("qbd_invoice"), "Invoice");
        assert_eq!(component_name("qbd_invoice_delete_response"), "InvoiceDeleted");
        assert_eq!(component_name("qbd_bill_void_response"), "BillVoided");
        assert_eq!(component_name("qbd_health_check_response"), "HealthCheck");
        assert_eq!(component_name("qbd_report_row_qbd_report_data_row"), "ReportDataRow");
    }
}
