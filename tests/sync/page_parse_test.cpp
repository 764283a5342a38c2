// Sync: parsing a listing page and a single object, quirks included, and
// refusing what is not one.
#include <gtest/gtest.h>

#include "marin/sync/page_reader.hpp"

using marin::sync::ApiError;
using marin::sync::parse_object;
using marin::sync::parse_page;

namespace {

void expect_protocol_error(std::string_view body, std::string_view needle) {
    try {
        (void)parse_page(body);
        ADD_FAILURE() << "no error for " << body;
    } catch (const ApiError& e) {
        EXPECT_EQ(e.kind(), ApiError::Kind::protocol);
        EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
}

}  // namespace

TEST(ParsePage, DataAndRange) {
    const auto p = parse_page(
        R"({"data": [{"id": "1"}, {"id": "2"}], "range": {"total": 5, "limit": 2, "nb_pages": 3, "page": 1, "results": 2, "next": "https://h/x?page=2"}})");
    EXPECT_EQ(p.data.size(), 2u);
    EXPECT_EQ(p.range.total, 5);
    EXPECT_EQ(p.range.limit, 2);
    EXPECT_EQ(p.range.nb_pages, 3);
    EXPECT_EQ(p.range.page, 1);
    EXPECT_EQ(p.range.results, 2);
    EXPECT_EQ(p.range.next, "https://h/x?page=2");
    EXPECT_GT(p.body_bytes, 0u);
}

TEST(ParsePage, NumbersAsStringsAndNullNext) {
    const auto p = parse_page(R"({"data": [], "range": {"total": "7", "nb_pages": "1", "page": "1", "next": null}})");
    EXPECT_EQ(p.range.total, 7);
    EXPECT_EQ(p.range.nb_pages, 1);
    EXPECT_FALSE(p.range.next);
    EXPECT_FALSE(p.range.limit);
}

TEST(ParsePage, MissingRangeAndBareArray) {
    const auto a = parse_page(R"({"data": [1, 2, 3]})");
    EXPECT_EQ(a.data.size(), 3u);
    EXPECT_FALSE(a.range.page);
    const auto b = parse_page(R"([{"id": 1}])");
    EXPECT_EQ(b.data.size(), 1u);
    EXPECT_FALSE(b.range.next);
}

TEST(ParsePage, RefusesWhatIsNotAPage) {
    expect_protocol_error("", "empty body");
    expect_protocol_error("<html><body>502 Bad Gateway</body></html>", "HTML");
    expect_protocol_error(R"({"data": [)", "malformed JSON");
    expect_protocol_error(R"({"message": "Access denied"})", "Access denied");
    expect_protocol_error(R"({"errors": {"limit": "too big"}})", "error object");
    expect_protocol_error(R"({"data": {"id": "1"}})", "not an array");
    expect_protocol_error(R"({"items": []})", "no \"data\"");
    expect_protocol_error(R"("just a string")", "got a string");
    expect_protocol_error(R"({"data": [], "range": [1]})", "range");
}

TEST(ParseObject, WrappedAndBare) {
    EXPECT_EQ(parse_object(R"({"data": {"id": "5"}})").at("id").as_string(), "5");
    EXPECT_EQ(parse_object(R"({"id": "6", "name": "x"})").at("id").as_string(), "6");
    EXPECT_THROW((void)parse_object("[1]"), ApiError);
}
