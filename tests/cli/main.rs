//! The `normalog` binary: exit codes, stdout (data only), stderr (diagnostics), files.

#[path = "../util/mod.rs"]
mod util;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

mod bench;
mod closed_pipes;
mod commands;
mod envelopes;
mod gen_times;
mod inputs;
mod mistakes;
mod normalize;
mod outputs;
mod test_cmd;

fn normalog() -> Command {
    Command::new(env!("CARGO_BIN_EXE_normalog"))
}

fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = normalog()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn normalog");
    // Written on a thread of its own: normalize writes events before its input ends (a
    // paused stream), and a full stdout pipe would otherwise wait for this write.
    let mut pipe = child.stdin.take().expect("stdin");
    let text = stdin.to_owned();
    let writer = std::thread::spawn(move || pipe.write_all(text.as_bytes()));
    let out = child.wait_with_output().expect("wait");
    // A run refused before reading its input may exit before the write ends.
    if let Err(e) = writer.join().expect("stdin writer") {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
    }
    out
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 stdout")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("utf-8 stderr")
}

fn events(o: &Output) -> Vec<Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each stdout line is JSON"))
        .collect()
}

const ACTIVITY: &str = r#"{"email":"ann@example.com","time":"2023-07-01T14:00:00.5Z","ip_address":"10.1.2.3","type":"Sign in"}"#;
