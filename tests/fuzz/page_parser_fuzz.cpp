// libFuzzer target: an HTTP answer body through the page parser, then its
// records through the mapper (fuzz_targets.cpp holds the checks). dev/fuzz
// builds and runs it; seeds in corpus/page_parser/.
#include <cstddef>
#include <cstdint>

#include "fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    marin::fuzz::page_body({reinterpret_cast<const char*>(data), size});
    return 0;
}
