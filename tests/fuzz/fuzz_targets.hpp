// The bodies of the fuzz targets, shared by the libFuzzer entry points
// (*_fuzz.cpp, built by dev/fuzz with clang) and the GoogleTest that replays
// the committed corpus and every regression input (replay_test.cpp, built by
// the ASan test build). Each takes one input and returns when the code under
// test behaved, documented errors included (ApiError protocol for a bad
// body); it throws InvariantBroken when a result breaks a rule the rest of
// the program relies on, and lets every other exception escape: to
// libFuzzer, both are crashes.
#pragma once

#include <stdexcept>
#include <string_view>

namespace marin::fuzz {

struct InvariantBroken : std::logic_error {
    using std::logic_error::logic_error;
};

// An HTTP answer body: parse_page and parse_object, then each record through
// map_record for the table it most looks like, with the parents the crawl
// would give it.
void page_body(std::string_view body);

// One record (a JSON object; other inputs are ignored): map_record for every
// table of the model, with the crawl's parents and without.
void record(std::string_view json_text);

}  // namespace marin::fuzz
