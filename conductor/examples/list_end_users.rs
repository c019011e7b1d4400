//! Lists your Conductor end-users as a table.
//!
//! ```sh
//! CONDUCTOR_SECRET_KEY=sk_... cargo run --example list_end_users
//! ```
//!
//! `CONDUCTOR_BASE_URL` points it at another server, such as a local mock.

use std::process::ExitCode;

use conductor::Client;

#[tokio::main]
async fn main() -> ExitCode {
    let client = match Client::from_env() {
        Ok(client) => client,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    let users = match client.end_users().list().await {
        Ok(users) => users,
        Err(error) => {
            eprintln!("listing end-users failed: {error}");
            return ExitCode::FAILURE;
        }
    };

    let rows: Vec<[String; 4]> = users
        .iter()
        .map(|user| {
            [
                user.id.clone(),
                user.company_name.clone(),
                user.email.clone(),
                user.integration_connections.len().to_string(),
            ]
        })
        .collect();
    let header = ["ID", "COMPANY", "EMAIL", "CONNECTIONS"].map(str::to_owned);
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let line: Vec<String> = row.iter().zip(widths).map(|(cell, width)| format!("{cell:<width$}")).collect();
        println!("{}", line.join("  ").trim_end());
    }
    println!("{} end-user{}", users.len(), if users.len() == 1 { "" } else { "s" });
    ExitCode::SUCCESS
}
