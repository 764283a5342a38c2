// Replays every committed fuzz input through the fuzz targets' checks: the
// seed corpus (corpus/<target>/) and each input a fuzzer once failed on
// (regressions/<target>/). Part of the ordinary test build: no clang, no
// libFuzzer.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fuzz_targets.hpp"

namespace {

namespace fs = std::filesystem;

std::size_t replay(const std::string& folder, void (*target)(std::string_view)) {
    const fs::path dir = fs::path(MARIN_FUZZ_DIR) / folder;
    std::vector<fs::path> files;
    if (fs::is_directory(dir))
        for (const auto& entry : fs::directory_iterator(dir))
            if (entry.is_regular_file() && entry.path().filename().string().front() != '.')
                files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
        std::ifstream in(file, std::ios::binary);
        const std::string input((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        try {
            target(input);
        } catch (const std::exception& e) {
            ADD_FAILURE() << file.string() << ": " << e.what();
        }
    }
    return files.size();
}

TEST(FuzzReplay, PageParserCorpus) { EXPECT_GE(replay("corpus/page_parser", marin::fuzz::page_body), 50u); }

TEST(FuzzReplay, PageParserRegressions) { replay("regressions/page_parser", marin::fuzz::page_body); }

TEST(FuzzReplay, RecordMapperCorpus) { EXPECT_GE(replay("corpus/record_mapper", marin::fuzz::record), 50u); }

TEST(FuzzReplay, RecordMapperRegressions) { replay("regressions/record_mapper", marin::fuzz::record); }

}  // namespace
