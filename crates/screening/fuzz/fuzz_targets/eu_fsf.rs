//! EU Financial Sanctions File XML.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = meridian_screening::formats::eu_fsf::parse("eu.xml", data);
});
