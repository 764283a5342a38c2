#include "marin/sync/url_mask.hpp"

#include <cctype>

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

namespace marin::sync {

namespace {

void replace_all(std::string& text, std::string_view needle, std::string_view with) {
    if (needle.empty()) return;
    for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + with.size())) {
        text.replace(pos, needle.size(), with);
    }
}

bool ends_value(char c) {
    return c == '&' || c == '#' || c == '"' || c == '\'' || c == '<' || c == '>' ||
           std::isspace(static_cast<unsigned char>(c)) != 0;
}

bool starts_param(const std::string& text, std::size_t pos) {
    if (pos == 0) return true;
    const char c = text[pos - 1];
    return c == '?' || c == '&' || c == ';' || c == '"' || c == '\'' ||
           std::isspace(static_cast<unsigned char>(c)) != 0;
}

}  // namespace

std::string mask_key(std::string_view url_or_text, std::string_view key) {
    std::string text(url_or_text);
    constexpr std::string_view masked = "***";
    if (!key.empty()) {
        replace_all(text, key, masked);
        const auto encoded = boost::urls::encode(key, boost::urls::unreserved_chars);
        if (encoded != key) replace_all(text, encoded, masked);
    }
    // Whatever value a `key=` parameter holds (someone else's key, an old one).
    constexpr std::string_view param = "key=";
    for (auto pos = text.find(param); pos != std::string::npos; pos = text.find(param, pos + 1)) {
        if (!starts_param(text, pos)) continue;
        const auto value_start = pos + param.size();
        auto value_end = value_start;
        while (value_end < text.size() && !ends_value(text[value_end])) ++value_end;
        if (value_end == value_start) continue;
        text.replace(value_start, value_end - value_start, masked);
    }
    return text;
}

}  // namespace marin::sync
