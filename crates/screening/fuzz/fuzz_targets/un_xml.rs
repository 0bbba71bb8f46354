//! UN consolidated list XML.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = meridian_screening::formats::un_xml::parse("consolidated.xml", data);
});
