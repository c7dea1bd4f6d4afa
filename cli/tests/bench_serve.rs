//! `gdauth bench-serve`, the emulator's load harness, run briefly: both phases report
//! requests, rates and percentiles, and a short run at several clients sees no refusal.

use std::process::Command;

#[path = "support/mod.rs"]
mod support;

#[test]
fn a_short_run_reports_both_phases_without_refusals() {
    let out = Command::new(env!("CARGO_BIN_EXE_gdauth"))
        .args(["bench-serve", "--clients", "8", "--seconds", "1", "--json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    // A progress line per second and phase on stderr.
    assert!(stderr.contains("signed feed reads:   1/1 s"), "{stderr}");
    let report: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(report["clients"], 8);
    let phases = report["phases"].as_array().unwrap();
    assert_eq!(phases.len(), 2);
    for p in phases {
        assert!(p["requests"].as_u64().unwrap() > 0, "{p}");
        assert!(p["per_second"].as_f64().unwrap() > 0.0, "{p}");
        assert!(
            p["p50_ms"].as_f64().unwrap() <= p["p99_ms"].as_f64().unwrap(),
            "{p}"
        );
        assert_eq!(p["refused"], serde_json::json!({}), "{p}");
    }
    assert!(report["signed_to_open_ratio"].as_f64().unwrap() > 0.0);
}

#[test]
fn refusals_are_counted_by_cause_and_fail_the_run() {
    // A target that knows the consumer by another secret: every signed read is refused.
    let server = support::Serve::start(&[
        "--consumer",
        "bench.example.com:another-secret",
        "--user",
        "user@example.com:pw",
    ]);
    let out = Command::new(env!("CARGO_BIN_EXE_gdauth"))
        .args(["bench-serve", "--clients", "2", "--seconds", "1", "--json"])
        .args(["--target", server.base()])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).trim()).unwrap();
    assert_eq!(report["embedded"], false);
    assert_eq!(report["phases"][0]["refused"], serde_json::json!({}));
    let refused = report["phases"][1]["refused"].as_object().unwrap().clone();
    assert_eq!(refused.len(), 1, "{report}");
    let (cause, n) = refused.iter().next().unwrap();
    assert_eq!(cause, "401 signature_invalid");
    assert_eq!(
        n.as_u64(),
        report["phases"][1]["requests"].as_u64(),
        "every signed read is counted once"
    );
}
