//! The operation table of `conductor-mcp`: every operation of the SDK with
//! its name as a Rust call path (`qbd.invoices.list`), its summary, the JSON
//! Schema of its arguments from the description, and a function that decodes
//! the arguments into the operation's Rust params type and calls the SDK.

use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use crate::model::{Api, Shape};
use crate::names;

/// One operation as the table lists it.
struct Entry {
    name: String,
    tool: String,
    method: String,
    path: String,
    write: bool,
    qbd: bool,
    paged: bool,
    /// The statements of the call, given `client`, `end_user` and `args`.
    call: String,
}

/// `conductor-mcp/src/operations.rs`.
pub(crate) fn table(api: &Api, spec: &Value) -> Result<String, String> {
    let mut entries = sdk_entries();
    for resource in &api.resources {
        for operation in &resource.operations {
            let method = operation.method.to_uppercase();
            let accessor = match &resource.handle {
                Some(_) => format!("qbd.{}()", resource.module),
                None => "qbd".to_owned(),
            };
            let name = match &resource.handle {
                Some(_) => format!("qbd.{}.{}", resource.module, operation.rust_method),
                None => format!("qbd.{}", operation.rust_method),
            };
            let singular = names::snake(&resource.singular);
            let tool = match (operation.rust_method.as_str(), resource.handle.is_some()) {
                (_, false) => operation.rust_method.clone(),
                ("list", _) => format!("list_{}", resource.module),
                (method, _) if resource.module == "reports" => format!("{method}_report"),
                (method, _) => format!("{method}_{singular}"),
            };
            let mut args: Vec<String> = Vec::new();
            let mut call = String::new();
            for path_arg in &operation.path_args {
                let wire = names::camel(path_arg);
                let _ = writeln!(call, "let {path_arg} = args.path({wire:?})?;");
                args.push(format!("&{path_arg}"));
            }
            if let Some(query) = operation.query {
                let _ = writeln!(call, "let params: {} = args.rest()?;", api.structs[query].name);
                args.push("&params".into());
            }
            if let Some(body) = operation.body {
                let _ = writeln!(call, "let params: {} = args.rest()?;", api.structs[body].name);
                args.push("&params".into());
            }
            if operation.query.is_none() && operation.body.is_none() {
                call.push_str("args.none()?;\n");
            }
            let _ = writeln!(
                call,
                "let qbd = client.qbd().for_end_user(&end_user);\nanswer({accessor}.{}({}).await)",
                operation.rust_method,
                args.join(", ")
            );
            entries.push(Entry {
                name,
                tool,
                method: method.clone(),
                path: operation.path.clone(),
                write: method != "GET",
                qbd: true,
                paged: matches!(operation.shape, Shape::Page { .. }),
                call,
            });
        }
    }
    let mut out = String::from(crate::render::HEADER);
    out.push_str(
        "\n//! Every operation of the SDK, as `conductor-mcp` serves it.\n\n\
         use conductor::qbd::*;\n\
         use conductor::{Client, CreateAuthSession, CreateEndUser};\n\n\
         use crate::call::{Args, Call, answer};\n\n\
         /// Every operation, in the order of the description's resources.\n\
         pub(crate) static OPERATIONS: &[Operation] = &[\n",
    );
    for (index, entry) in entries.iter().enumerate() {
        let operation = spec["paths"][&entry.path][entry.method.to_lowercase()].clone();
        if operation.is_null() {
            return Err(format!("{} {} is not in the description", entry.method, entry.path));
        }
        let summary = operation["summary"].as_str().unwrap_or_default().trim().to_owned();
        let description = operation["description"].as_str().unwrap_or_default().trim().to_owned();
        let schema = schema(&entry.path, &operation);
        let _ = writeln!(
            out,
            "Operation {{ name: {:?}, tool: {:?}, method: {:?}, path: {:?}, summary: {summary:?}, description: {description:?}, \
             write: {}, qbd: {}, paged: {}, schema: {:?}, call: call_{index} }},",
            entry.name,
            entry.tool,
            entry.method,
            entry.path,
            entry.write,
            entry.qbd,
            entry.paged,
            serde_json::to_string(&schema).map_err(|e| e.to_string())?,
        );
    }
    out.push_str("];\n\n");
    out.push_str(
        "/// One operation: what an agent is told of it, and how it is called.\n\
         pub(crate) struct Operation {\n\
         /// Its Rust call path: `qbd.invoices.list`.\n\
         pub(crate) name: &'static str,\n\
         /// Its tool name when every operation is a tool: `list_invoices`.\n\
         pub(crate) tool: &'static str,\n\
         /// The HTTP method.\n\
         pub(crate) method: &'static str,\n\
         /// The path, as the description has it.\n\
         pub(crate) path: &'static str,\n\
         /// The description's summary.\n\
         pub(crate) summary: &'static str,\n\
         /// The description's description: what an operation search matches besides the summary.\n\
         pub(crate) description: &'static str,\n\
         /// Whether it creates, changes, voids or deletes.\n\
         pub(crate) write: bool,\n\
         /// Whether it is for an end-user's QuickBooks.\n\
         pub(crate) qbd: bool,\n\
         /// Whether it answers one page of a list.\n\
         pub(crate) paged: bool,\n\
         /// The JSON Schema of its arguments: path, query and body fields, by their wire names.\n\
         pub(crate) schema: &'static str,\n\
         /// Decodes the arguments into the params type and calls the SDK.\n\
         pub(crate) call: fn(Client, String, Args) -> Call,\n\
         }\n\n",
    );
    for (index, entry) in entries.iter().enumerate() {
        let _ = writeln!(
            out,
            "fn call_{index}(client: Client, end_user: String, mut args: Args) -> Call {{\n\
             let _ = &end_user;\n\
             Box::pin(async move {{\n{}}})\n}}\n",
            entry.call
        );
    }
    Ok(out)
}

/// The operations the SDK declares by hand: end-users and auth sessions.
fn sdk_entries() -> Vec<Entry> {
    let entry = |name: &str, tool: &str, method: &str, path: &str, call: &str| Entry {
        name: name.into(),
        tool: tool.into(),
        method: method.into(),
        path: path.into(),
        write: method != "GET",
        qbd: false,
        paged: false,
        call: call.into(),
    };
    vec![
        entry(
            "end_users.list",
            "list_end_users",
            "GET",
            "/end-users",
            "args.none()?;\nanswer(client.end_users().list().await)\n",
        ),
        entry(
            "end_users.create",
            "create_end_user",
            "POST",
            "/end-users",
            "let params: CreateEndUser = args.rest()?;\nanswer(client.end_users().create(&params).await)\n",
        ),
        entry(
            "end_users.retrieve",
            "retrieve_end_user",
            "GET",
            "/end-users/{id}",
            "let id = args.path(\"id\")?;\nargs.none()?;\nanswer(client.end_users().retrieve(&id).await)\n",
        ),
        entry(
            "end_users.delete",
            "delete_end_user",
            "DELETE",
            "/end-users/{id}",
            "let id = args.path(\"id\")?;\nargs.none()?;\nanswer(client.end_users().delete(&id).await)\n",
        ),
        entry(
            "end_users.passthrough",
            "passthrough_end_user",
            "POST",
            "/end-users/{id}/passthrough/{integrationSlug}",
            "let id = args.path(\"id\")?;\n\
             let integration: conductor::IntegrationSlug = args.path_as(\"integrationSlug\")?;\n\
             let body: serde_json::Value = args.rest()?;\n\
             answer(client.end_users().passthrough(&id, &integration, &body).await)\n",
        ),
        entry(
            "auth_sessions.create",
            "create_auth_session",
            "POST",
            "/auth-sessions",
            "let params: CreateAuthSession = args.rest()?;\nanswer(client.auth_sessions().create(&params).await)\n",
        ),
    ]
}

/// The JSON Schema of an operation's arguments: its path and query
/// parameters and its body's properties, flat, by wire name. The end-user
/// header is left out: the server supplies it.
fn schema(path: &str, operation: &Value) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for segment in path.split('/').filter_map(|s| s.strip_prefix('{')?.strip_suffix('}')) {
        properties.insert(
            segment.to_owned(),
            json!({"type": "string", "description": format!("The `{segment}` of the path.")}),
        );
        required.push(Value::from(segment));
    }
    for parameter in operation["parameters"].as_array().into_iter().flatten() {
        if parameter["in"] != "query" {
            continue;
        }
        let name = parameter["name"].as_str().unwrap_or_default().to_owned();
        let mut schema = clean(&parameter["schema"]);
        if let (Some(description), Value::Object(fields)) = (parameter["description"].as_str(), &mut schema) {
            fields.entry("description").or_insert_with(|| description.into());
        }
        if parameter["required"] == true {
            required.push(Value::from(name.clone()));
        }
        properties.insert(name, schema);
    }
    let body = &operation["requestBody"]["content"]["application/json"]["schema"];
    if let Some(fields) = body["properties"].as_object() {
        for (name, schema) in fields {
            properties.insert(name.clone(), clean(schema));
        }
        required.extend(body["required"].as_array().into_iter().flatten().cloned());
    }
    let mut schema = json!({"type": "object", "properties": properties, "additionalProperties": false});
    if !required.is_empty() {
        schema["required"] = Value::Array(required);
    }
    schema
}

/// A schema without the description's extensions (`x-stainless-...`) and
/// examples, which only lengthen what an agent reads.
fn clean(schema: &Value) -> Value {
    match schema {
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .filter(|(key, _)| !key.starts_with("x-") && key.as_str() != "example" && key.as_str() != "examples")
                .map(|(key, value)| (key.clone(), clean(value)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(clean).collect()),
        other => other.clone(),
    }
}
