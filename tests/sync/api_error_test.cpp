// Sync: the message found in an API error body, ApiError, text shortened
// on a character boundary.
#include <gtest/gtest.h>

#include "marin/sync/api_error.hpp"

using marin::sync::ApiError;
using marin::sync::extract_error_message;

TEST(ExtractErrorMessage, ObjectWithMessage) {
    EXPECT_EQ(extract_error_message(R"({"message": "Access denied"})"), "Access denied");
}

TEST(ExtractErrorMessage, ArrayOfMessages) {
    EXPECT_EQ(extract_error_message(R"([{"message": "Invalid id"}])"), "Invalid id");
    EXPECT_EQ(extract_error_message(R"([{"message": "a"}, {"message": "b"}])"), "a; b");
}

TEST(ExtractErrorMessage, FormErrors) {
    const auto m = extract_error_message(R"({"errors": {"name": ["too long"]}})");
    EXPECT_NE(m.find("errors"), std::string::npos);
    EXPECT_NE(m.find("too long"), std::string::npos);
}

TEST(ExtractErrorMessage, NonJsonAndEmpty) {
    EXPECT_EQ(extract_error_message("  <html>Bad Gateway</html>\n"), "<html>Bad Gateway</html>");
    EXPECT_EQ(extract_error_message(""), "");
    EXPECT_EQ(extract_error_message(std::string(1000, 'x'), 10), std::string(10, 'x') + "...");
}

TEST(ApiErrorTest, CarriesKindStatusAndEndpoint) {
    const ApiError e(ApiError::Kind::not_found, 404, "campaigns", "GET /x: HTTP 404");
    EXPECT_EQ(e.kind(), ApiError::Kind::not_found);
    EXPECT_EQ(e.status(), 404u);
    EXPECT_EQ(e.endpoint(), "campaigns");
    EXPECT_STREQ(e.what(), "GET /x: HTTP 404");
    EXPECT_EQ(marin::sync::to_string(ApiError::Kind::body_too_large), "body too large");
}

TEST(ShortenText, CutsOnACharacterBoundary) {
    EXPECT_EQ(marin::sync::shorten_text("abc", 5), "abc");
    EXPECT_EQ(marin::sync::shorten_text("abcdef", 3), "abc...");
    // "é" is two bytes: a cut inside it backs off before it.
    EXPECT_EQ(marin::sync::shorten_text("ab\xC3\xA9z", 3), "ab...");
    EXPECT_EQ(marin::sync::shorten_text("ab\xC3\xA9z", 4), "ab\xC3\xA9...");
}
