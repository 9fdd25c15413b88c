//! Load a schema from a string and normalize a few records with it, reading typed fields
//! and indicators from the borrowed events.
//!
//! ```sh
//! cargo run --example custom_schema
//! ```

use normalog::indicators::Column;
use normalog::{NormalizerBuilder, Position, Registry};

const SCHEMA: &str = r"
schema: Custom.Login
fields:
  - name: user
    required: true
    type: object
    fields:
      - name: email
        type: string
        indicators: [email]
  - name: at
    type: timestamp
    timeFormat: unix_ms
    isEventTime: true
  - name: from
    type: string
    indicators: [ip]
  - name: ok
    type: boolean
";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut registry = Registry::new();
    registry.add_str(SCHEMA, "login.yml")?;
    let mut normalizer = NormalizerBuilder::new().build(&registry)?;

    let records = [
        r#"{"user":{"email":"ann@example.com"},"at":1688220000000,"from":"192.0.2.1","ok":"true"}"#,
        r#"{"at":1688220001000}"#,
    ];
    // Where each record starts, as rejects say it: its byte offset, line and index.
    let mut byte = 0;
    for (i, r) in records.iter().enumerate() {
        let mut line = r.as_bytes().to_vec();
        let position = Position::new(byte, i as u64 + 1, i as u64);
        byte += r.len() as u64 + 1;
        match normalizer.normalize(&mut line, position) {
            Ok(event) => {
                let email = event.get(&["user", "email"]).and_then(|v| v.as_str());
                let ok = event.get(&["ok"]).and_then(|v| v.as_bool());
                println!(
                    "{} at {}: email={email:?} ok={ok:?} ips={:?}",
                    event.log_type(),
                    event.event_time(),
                    event.indicators(Column::IpAddresses)
                );
            }
            Err(reject) => println!("rejected: {reject}"),
        }
    }
    Ok(())
}
