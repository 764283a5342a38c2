// COPY ... FROM STDIN text format: one line per row, fields separated by a
// tab, \N for NULL, and backslash, tab, newline and carriage return escaped
// (anything else, multi-byte UTF-8 included, passes as is).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace marin::storage::detail {

void append_copy_field(std::string& line, std::string_view value);
void append_copy_field(std::string& line, const std::optional<std::string>& value);

// A text[] literal holding `values` ({"a","b\\"c"}), for a query parameter:
// every element quoted, with its double quotes and backslashes escaped.
std::string text_array(const std::vector<std::string>& values);

}  // namespace marin::storage::detail
