// The API key from a file (MARIN_API_KEY_FILE, a systemd credential,
// api.key_file) and the check of its characters.
#include "api_key.hpp"

#include "checks.hpp"
#include "marin/config/config_error.hpp"
#include "small_file.hpp"

namespace marin::config::detail {

namespace {

// A token is a few dozen bytes; anything this large is the wrong file.
constexpr std::size_t max_key_file_bytes = 64 * 1024;

}  // namespace

std::optional<std::string> check_key_characters(std::string_view key) {
    for (std::size_t i = 0; i < key.size(); ++i) {
        auto c = static_cast<unsigned char>(key[i]);
        if (c <= 0x20 || c >= 0x7f) {
            return "the key holds a space, a line break, a control or a non-ASCII character at byte " +
                   std::to_string(i + 1) + " (the key must be one line of printable ASCII)";
        }
    }
    return std::nullopt;
}

std::string read_key_file(const std::filesystem::path& path, std::string_view what) {
    auto fail = [&](const std::string& why) -> ConfigError {
        return ConfigError(std::string(what) + ": API key file " + path.string() + ": " + why);
    };
    std::string why;
    auto read = read_small_file(path, max_key_file_bytes, "is larger than 64 KiB: not a key file", why);
    if (!read) throw fail(why);
    std::string content = std::move(*read);
    while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) content.pop_back();
    if (content.empty()) throw fail("is empty");
    if (auto bad = check_key_characters(content)) throw fail(*bad);
    return content;
}

}  // namespace marin::config::detail
