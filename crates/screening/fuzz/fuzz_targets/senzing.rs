//! Senzing JSON lines (OpenSanctions export).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = meridian_screening::formats::senzing::parse("senzing.json", data);
});
