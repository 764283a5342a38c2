#pragma once
// Well-formed UTF-8 as PostgreSQL's UTF8 encoding accepts it: no overlong
// form, no surrogate, nothing above U+10FFFF. Used where text from the API
// reaches a log line or a text column (page_parser's snippets) and by the
// fuzz targets' checks of what the parsers produce.

#include <cstddef>
#include <string_view>

namespace marin::sync {

// Length in bytes of the well-formed UTF-8 character at the start of `s`,
// or 0 when there is none (`s` empty, a stray continuation byte, a
// truncated, overlong or out-of-range sequence, a surrogate).
std::size_t utf8_char_length(std::string_view s);

// Whether all of `s` is well-formed UTF-8 (NUL included: it is a character;
// callers that store text check for it apart).
bool is_valid_utf8(std::string_view s);

}  // namespace marin::sync
