// sync/utf8: well-formed UTF-8 by PostgreSQL's rules (the validator the page
// parser's snippets and the fuzz targets' checks share).
#include <gtest/gtest.h>

#include <string>

#include "marin/sync/utf8.hpp"

namespace marin::sync {
namespace {

TEST(Utf8, CharacterLengths) {
    EXPECT_EQ(utf8_char_length(""), 0u);
    EXPECT_EQ(utf8_char_length("a"), 1u);
    EXPECT_EQ(utf8_char_length(std::string("\0", 1)), 1u);
    EXPECT_EQ(utf8_char_length("\xC3\xA9"), 2u);          // é
    EXPECT_EQ(utf8_char_length("\xE2\x82\xAC"), 3u);      // €
    EXPECT_EQ(utf8_char_length("\xF0\x9F\x9A\x80"), 4u);  // rocket
}

TEST(Utf8, RefusesWhatPostgresRefuses) {
    EXPECT_EQ(utf8_char_length("\x80"), 0u);              // stray continuation byte
    EXPECT_EQ(utf8_char_length("\xC0\xAF"), 0u);          // overlong '/'
    EXPECT_EQ(utf8_char_length("\xE0\x80\xAF"), 0u);      // overlong, three bytes
    EXPECT_EQ(utf8_char_length("\xED\xA0\x80"), 0u);      // surrogate U+D800
    EXPECT_EQ(utf8_char_length("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
    EXPECT_EQ(utf8_char_length("\xE2\x82"), 0u);          // truncated
    EXPECT_EQ(utf8_char_length("\xC3\x41"), 0u);          // continuation missing
}

TEST(Utf8, WholeTexts) {
    EXPECT_TRUE(is_valid_utf8(""));
    EXPECT_TRUE(is_valid_utf8("Caf\xC3\xA9 \xE2\x82\xAC 12"));
    EXPECT_TRUE(is_valid_utf8(std::string("NUL\0inside", 10)));
    EXPECT_FALSE(is_valid_utf8("ok then \xFF"));
    EXPECT_FALSE(is_valid_utf8("cut \xF0\x9F\x9A"));
}

}  // namespace
}  // namespace marin::sync
