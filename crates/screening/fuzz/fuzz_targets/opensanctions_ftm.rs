//! OpenSanctions FollowTheMoney entity JSON lines.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = meridian_screening::formats::opensanctions_ftm::parse("entities.ftm.json", data);
});
