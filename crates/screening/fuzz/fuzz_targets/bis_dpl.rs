//! BIS Denied Persons List (tab-separated).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = meridian_screening::formats::bis_dpl::parse("dpl.txt", data);
});
