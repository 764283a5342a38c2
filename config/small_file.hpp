#pragma once
// Reading the small files the settings name (the config file, an API key
// file): whole, but bounded, so that a wrong path (a log, a device, a FIFO)
// is refused instead of read forever. Errors carry the OS error as text.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace marin::config::detail {

// The file's bytes; nullopt with `why` set when it cannot be opened or read
// ("cannot open: ...", "cannot read: ...") or holds more than `max_bytes`
// (`why` = too_large). O_NONBLOCK: a FIFO put there by mistake must not
// hang the start.
std::optional<std::string> read_small_file(const std::filesystem::path& path, std::size_t max_bytes,
                                           std::string_view too_large, std::string& why);

// The OS error that opening the file for reading gives, or nullopt when it
// can be read.
std::optional<std::string> check_readable(const std::filesystem::path& path);

}  // namespace marin::config::detail
