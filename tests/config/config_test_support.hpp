#pragma once
// A private temporary folder per test and helpers to load a config text.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "marin/config/load.hpp"

namespace marin::config::test {

// The token the tests use: no message may ever hold it.
inline constexpr const char* secret_key = "tok-SECRET-7f3a9c";

class TempDir {
  public:
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "marin-config-test-XXXXXX").string();
        if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        std::error_code ec;
        std::filesystem::permissions(path_, std::filesystem::perms::owner_all, ec);
        std::filesystem::remove_all(path_, ec);
    }
    const std::filesystem::path& path() const { return path_; }

    std::filesystem::path write(const std::string& name, const std::string& content) const {
        auto file = path_ / name;
        std::filesystem::create_directories(file.parent_path());
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        out << content;
        return file;
    }

  private:
    std::filesystem::path path_;
};

// Loads `toml` written to a file named marin-sync.toml in `dir`.
inline Settings load_text(const TempDir& dir, const std::string& toml, const Environment& env = {}) {
    return load_settings(dir.write("marin-sync.toml", toml), env);
}

// The ConfigError message that loading gives; fails the test when the load succeeds.
inline std::string error_of(const TempDir& dir, const std::string& toml, const Environment& env = {}) {
    try {
        load_text(dir, toml, env);
    } catch (const ConfigError& error) {
        return error.what();
    }
    ADD_FAILURE() << "no ConfigError for:\n" << toml;
    return {};
}

}  // namespace marin::config::test
