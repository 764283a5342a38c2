// COPY ... FROM STDIN text format: one line per row, fields separated by a
// tab, \N for NULL, and backslash, tab, newline and carriage return escaped
// (anything else, multi-byte UTF-8 included, passes as is).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace marin::storage::detail {

void append_copy_field(std::string& line, std::string_view value);
void append_copy_field(std::string& line, const std::optional<std::string>& value);

}  // namespace marin::storage::detail
