//! Canada Named Research Organizations CSV.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = meridian_screening::formats::ca_nro::parse("nro.csv", data);
});
