// Sync: JSON values to the text of typed columns (numbers, timestamps, NUL).
#include "marin/sync/value_conversion.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace marin::sync {
namespace {

using model::ColumnType;

ConvertedValue convert(const char* json, ColumnType type) {
    const auto v = boost::json::parse(json);
    return convert_value(&v, type);
}

TEST(ValueConversion, NumbersArriveAsNumbersOrStrings) {
    EXPECT_EQ(convert("1.23", ColumnType::numeric).text, "1.23");
    EXPECT_EQ(convert(R"("1.23")", ColumnType::numeric).text, "1.23");
    EXPECT_EQ(convert("0.01", ColumnType::numeric).text, "0.01");
    EXPECT_EQ(convert(R"("1000")", ColumnType::bigint).text, "1000");
    EXPECT_EQ(convert("1000", ColumnType::bigint).text, "1000");
    EXPECT_EQ(convert("12.0", ColumnType::bigint).text, "12");
    EXPECT_EQ(convert(R"("0")", ColumnType::numeric).text, "0");
    EXPECT_EQ(convert("2.5", ColumnType::float8).text, "2.5");
    EXPECT_EQ(convert(R"("2.5")", ColumnType::float8).text, "2.5");
}

TEST(ValueConversion, UnstorableValuesBecomeNullAndAreCounted) {
    for (auto [json, type] : std::initializer_list<std::pair<const char*, ColumnType>>{
             {R"("abc")", ColumnType::numeric},
             {R"("1e5000")", ColumnType::numeric},
             {R"("NaN")", ColumnType::numeric},
             {"12.5", ColumnType::bigint},
             {"18446744073709551615", ColumnType::bigint},
             {R"("99999999999999999999")", ColumnType::bigint},
             {R"("inf")", ColumnType::float8},
             {R"("yes")", ColumnType::boolean},
             {R"("2018-13-01T00:00:00+0000")", ColumnType::timestamptz},
             {R"("2019-02-29")", ColumnType::date},
             {"-62135596801", ColumnType::timestamptz},  // UNIX seconds before year 1
             {"253402300800", ColumnType::timestamptz},  // ... after year 9999
             {"[1]", ColumnType::numeric},
         }) {
        const auto c = convert(json, type);
        EXPECT_FALSE(c.text.has_value()) << json;
        EXPECT_TRUE(c.sanitized) << json;
    }
}

TEST(ValueConversion, BothTimestampSpellingsNormalise) {
    EXPECT_EQ(convert(R"("2018-01-01T08:00:00+0000")", ColumnType::timestamptz).text, "2018-01-01 08:00:00+00:00");
    EXPECT_EQ(convert(R"("2017-11-28T10:18:11+00:00")", ColumnType::timestamptz).text, "2017-11-28 10:18:11+00:00");
    EXPECT_EQ(convert(R"("2020-01-22T15:37:10-0530")", ColumnType::timestamptz).text, "2020-01-22 15:37:10-05:30");
    EXPECT_EQ(convert(R"("2020-01-22T15:37:10.123456789Z")", ColumnType::timestamptz).text,
              "2020-01-22 15:37:10.123456+00:00");
    EXPECT_EQ(convert("1514793600", ColumnType::timestamptz).text, "2018-01-01 08:00:00+00:00");
    EXPECT_EQ(convert("-62135596800", ColumnType::timestamptz).text, "0001-01-01 00:00:00+00:00");
    EXPECT_FALSE(convert(R"("")", ColumnType::timestamptz).sanitized);
}

TEST(ValueConversion, TextKeepsEverythingButNul) {
    EXPECT_EQ(convert(R"("a'b\"c\\d\te\nf 😀 Привет")", ColumnType::text).text, std::string("a'b\"c\\d\te\nf 😀 Привет"));
    const auto nul = convert(R"("a\u0000b")", ColumnType::text);
    EXPECT_EQ(nul.text, std::string("a\xEF\xBF\xBD"
                                    "b"));
    EXPECT_TRUE(nul.sanitized);
    EXPECT_EQ(convert("2200", ColumnType::text).text, "2200");  // targeting cluster ids are numbers
    EXPECT_EQ(convert("true", ColumnType::boolean).text, "true");
    EXPECT_EQ(convert(R"("false")", ColumnType::boolean).text, "false");
    EXPECT_FALSE(convert("null", ColumnType::text).text.has_value());
    EXPECT_FALSE(convert("null", ColumnType::text).sanitized);
}

}  // namespace
}  // namespace marin::sync
