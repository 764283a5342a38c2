#include "copy_text.hpp"

#include <gtest/gtest.h>

using marin::storage::detail::append_copy_field;

TEST(CopyText, EscapesTheFourSpecialBytesAndNull) {
    std::string line;
    append_copy_field(line, std::string_view{"a\\b\tc\nd\re"});
    EXPECT_EQ(line, "a\\\\b\\tc\\nd\\re");
    line.clear();
    append_copy_field(line, std::optional<std::string>{});
    EXPECT_EQ(line, "\\N");
    line.clear();
    append_copy_field(line, std::optional<std::string>{"\\N"});
    EXPECT_EQ(line, "\\\\N");  // the text \N, not NULL
    line.clear();
    append_copy_field(line, std::optional<std::string>{""});
    EXPECT_EQ(line, "");  // empty string, not NULL
}

TEST(CopyText, PassesMultibyteUtf8AsIs) {
    std::string line;
    append_copy_field(line, std::string_view{"caf\xc3\xa9 \xf0\x9f\x9a\x80"});
    EXPECT_EQ(line, "caf\xc3\xa9 \xf0\x9f\x9a\x80");
}
