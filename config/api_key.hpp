#pragma once
// Reading the API key from a file (MARIN_API_KEY_FILE, a systemd credential,
// api.key_file) and checking its characters. Errors name the file and the OS
// error, never the key.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace marin::config::detail {

// The key in `path`, trailing line breaks stripped. `what` says where the
// path came from ("MARIN_API_KEY_FILE", ...) and starts the error message.
// Throws ConfigError when the file cannot be read, is empty or holds more
// than one line of printable ASCII.
std::string read_key_file(const std::filesystem::path& path, std::string_view what);

// What is wrong with a key's characters (nullopt when nothing is), without
// the key: it must be printable ASCII, no spaces.
std::optional<std::string> check_key_characters(std::string_view key);

}  // namespace marin::config::detail
