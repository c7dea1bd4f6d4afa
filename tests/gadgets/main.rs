//! Gadgets: spec parsing on real gadget specs of the time (fixtures/SOURCES.md) and
//! malformed ones, the emulator's OAuth Proxy over loopback (refused first request,
//! approval through the consent page, success, per-gadget isolation), and signed fetch
//! (valid, tampered, wrong certificate, stale timestamp).

mod proxy;
mod signed_fetch;
mod spec;

#[path = "../../examples/gadget_backend.rs"]
#[allow(dead_code)]
mod gadget_backend;

#[test]
fn the_gadget_backend_example_verifies_a_signed_fetch() {
    let answer = gadget_backend::run().unwrap();
    assert_eq!(
        answer,
        "hello alice@example.com (gadget http://gadgets.example.com/hello.xml, via container.example.com)"
    );
}
