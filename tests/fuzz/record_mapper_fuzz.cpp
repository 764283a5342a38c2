// libFuzzer target: one JSON record through the mapper, for every table
// (fuzz_targets.cpp holds the checks). dev/fuzz builds and runs it; seeds in
// corpus/record_mapper/.
#include <cstddef>
#include <cstdint>

#include "fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    marin::fuzz::record({reinterpret_cast<const char*>(data), size});
    return 0;
}
