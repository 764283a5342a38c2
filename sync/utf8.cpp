// Well-formed UTF-8 by PostgreSQL's rules: the length of one character, and
// the check of a whole text.
#include "marin/sync/utf8.hpp"

#include <cstdint>

namespace marin::sync {

std::size_t utf8_char_length(std::string_view s) {
    if (s.empty()) return 0;
    const auto c = static_cast<unsigned char>(s[0]);
    std::size_t follow = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        follow = 1, cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        follow = 2, cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
        follow = 3, cp = c & 0x07u;
    } else {
        return 0;
    }
    if (s.size() <= follow) return 0;
    for (std::size_t k = 1; k <= follow; ++k) {
        const auto b = static_cast<unsigned char>(s[k]);
        if ((b & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (b & 0x3Fu);
    }
    if ((follow == 2 && cp < 0x800) || (follow == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return follow + 1;
}

bool is_valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto n = utf8_char_length(s.substr(i));
        if (n == 0) return false;
        i += n;
    }
    return true;
}

}  // namespace marin::sync
