#include "copy_text.hpp"

namespace marin::storage::detail {

void append_copy_field(std::string& line, std::string_view value) {
    line.reserve(line.size() + value.size() + 1);
    for (char ch : value) {
        switch (ch) {
            case '\\': line += "\\\\"; break;
            case '\t': line += "\\t"; break;
            case '\n': line += "\\n"; break;
            case '\r': line += "\\r"; break;
            default: line += ch;
        }
    }
}

void append_copy_field(std::string& line, const std::optional<std::string>& value) {
    if (value)
        append_copy_field(line, std::string_view{*value});
    else
        line += "\\N";
}

}  // namespace marin::storage::detail
