#include "marin/sync/value_conversion.hpp"

#include <boost/json/serialize.hpp>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <limits>

namespace marin::sync {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly n digits at text[pos] into out.
bool read_digits(std::string_view text, std::size_t pos, std::size_t n, int& out) {
    if (pos + n > text.size()) return false;
    out = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (!is_digit(text[pos + i])) return false;
        out = out * 10 + (text[pos + i] - '0');
    }
    return true;
}

bool valid_ymd(int y, int m, int d) {
    static constexpr std::array<int, 12> days = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > days[static_cast<std::size_t>(m - 1)]) return false;
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(m == 2 && d == 29 && !leap);
}

std::string format_double(double v) {
    std::array<char, 32> buf{};
    auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
    return ec == std::errc{} ? std::string(buf.data(), end) : std::string{};
}

// "+05:30" from ('+', 5, ':', 30); built by hand (string concatenation of
// literals trips GCC 12's false -Wrestrict at -O3).
std::string two_digit_pair(char sign, int a, char sep, int b) {
    std::string out(6, '0');
    out[0] = sign;
    out[1] = static_cast<char>('0' + a / 10);
    out[2] = static_cast<char>('0' + a % 10);
    out[3] = sep;
    out[4] = static_cast<char>('0' + b / 10);
    out[5] = static_cast<char>('0' + b % 10);
    return out;
}

ConvertedValue from_text(std::optional<std::string> normalized) {
    if (normalized) return {std::move(normalized), false};
    return {std::nullopt, true};
}

ConvertedValue number_as(const boost::json::value& v, model::ColumnType type) {
    using model::ColumnType;
    if (v.is_int64() || v.is_uint64()) {
        std::string digits = v.is_int64() ? std::to_string(v.get_int64()) : std::to_string(v.get_uint64());
        if (type == ColumnType::bigint && v.is_uint64() &&
            v.get_uint64() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            return {std::nullopt, true};
        return {std::move(digits), false};
    }
    const double d = v.get_double();
    if (!std::isfinite(d)) return {std::nullopt, true};
    if (type == ColumnType::bigint) {
        // An integral count sent as 12.0 is still a count; 12.5 is not.
        if (d != std::trunc(d) || std::fabs(d) >= 9.2e18) return {std::nullopt, true};
        return {std::to_string(static_cast<std::int64_t>(d)), false};
    }
    return {format_double(d), false};
}

}  // namespace

std::optional<std::string> normalize_decimal(std::string_view t) {
    // [+-]digits[.digits][e[+-]digits], at least one digit in the mantissa.
    std::size_t i = 0;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    std::size_t mantissa_digits = 0;
    while (i < t.size() && is_digit(t[i])) ++i, ++mantissa_digits;
    if (i < t.size() && t[i] == '.') {
        ++i;
        while (i < t.size() && is_digit(t[i])) ++i, ++mantissa_digits;
    }
    if (mantissa_digits == 0) return std::nullopt;
    if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
        ++i;
        bool negative = false;
        if (i < t.size() && (t[i] == '+' || t[i] == '-')) negative = t[i++] == '-';
        int exponent = 0;
        std::size_t exp_digits = 0;
        while (i < t.size() && is_digit(t[i])) {
            exponent = std::min(exponent * 10 + (t[i] - '0'), 100000);
            ++i, ++exp_digits;
        }
        if (exp_digits == 0) return std::nullopt;
        // PostgreSQL's numeric takes exponents up to about +-1000; beyond that
        // the value is not a figure any network reports.
        if (exponent > 1000 && !negative) return std::nullopt;
        if (exponent > 1000 && negative) return std::string("0");
    }
    if (i != t.size()) return std::nullopt;
    return std::string(t);
}

std::optional<std::string> normalize_bigint(std::string_view t) {
    std::int64_t v = 0;
    const char* first = t.data();
    if (!t.empty() && t.front() == '+') ++first;
    auto [end, ec] = std::from_chars(first, t.data() + t.size(), v);
    if (ec == std::errc{} && end == t.data() + t.size()) return std::to_string(v);
    // "12.0" is an integral count spelled as a decimal.
    double d = 0;
    auto [dend, dec] = std::from_chars(t.data(), t.data() + t.size(), d);
    if (dec == std::errc{} && dend == t.data() + t.size() && std::isfinite(d) && d == std::trunc(d) &&
        std::fabs(d) < 9.2e18)
        return std::to_string(static_cast<std::int64_t>(d));
    return std::nullopt;
}

std::optional<std::string> normalize_float(std::string_view t) {
    double d = 0;
    const char* first = t.data();
    if (!t.empty() && t.front() == '+') ++first;
    auto [end, ec] = std::from_chars(first, t.data() + t.size(), d);
    if (ec != std::errc{} || end != t.data() + t.size() || !std::isfinite(d)) return std::nullopt;
    return format_double(d);
}

std::optional<std::string> normalize_date(std::string_view t) {
    int y = 0, m = 0, d = 0;
    if (t.size() != 10 || t[4] != '-' || t[7] != '-' || !read_digits(t, 0, 4, y) || !read_digits(t, 5, 2, m) ||
        !read_digits(t, 8, 2, d) || !valid_ymd(y, m, d))
        return std::nullopt;
    return std::string(t);
}

std::optional<std::string> normalize_timestamp(std::string_view t) {
    // YYYY-MM-DD[T ]HH:MM[:SS[.frac]][Z|+HH[:]MM|-HH[:]MM]; no offset = UTC.
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (t.size() < 16 || !read_digits(t, 0, 4, y) || t[4] != '-' || !read_digits(t, 5, 2, mo) || t[7] != '-' ||
        !read_digits(t, 8, 2, d) || (t[10] != 'T' && t[10] != ' ') || !read_digits(t, 11, 2, h) || t[13] != ':' ||
        !read_digits(t, 14, 2, mi))
        return std::nullopt;
    std::size_t i = 16;
    std::string frac;
    if (i < t.size() && t[i] == ':') {
        if (!read_digits(t, i + 1, 2, s)) return std::nullopt;
        i += 3;
        if (i < t.size() && t[i] == '.') {
            ++i;
            while (i < t.size() && is_digit(t[i]) && frac.size() < 6) frac.push_back(t[i++]);
            while (i < t.size() && is_digit(t[i])) ++i;  // beyond microseconds
            if (frac.empty()) return std::nullopt;
        }
    }
    std::string offset = "+00:00";
    if (i < t.size()) {
        if (t[i] == 'Z' && i + 1 == t.size()) {
            i = t.size();
        } else if (t[i] == '+' || t[i] == '-') {
            int oh = 0, om = 0;
            std::size_t j = i + 1;
            if (!read_digits(t, j, 2, oh)) return std::nullopt;
            j += 2;
            if (j < t.size() && t[j] == ':') ++j;
            if (j < t.size()) {
                if (!read_digits(t, j, 2, om)) return std::nullopt;
                j += 2;
            }
            if (j != t.size() || oh > 15 || om > 59) return std::nullopt;
            offset = two_digit_pair(t[i], oh, ':', om);
            i = j;
        } else {
            return std::nullopt;
        }
    }
    if (!valid_ymd(y, mo, d) || h > 23 || mi > 59 || s > 60) return std::nullopt;
    std::string out(t.substr(0, 10));
    out += ' ';
    out += t.substr(11, 5);
    out += ':';
    out += static_cast<char>('0' + s / 10);
    out += static_cast<char>('0' + s % 10);
    if (!frac.empty()) {
        out += '.';
        out += frac;
    }
    out += offset;
    return out;
}

std::string replace_nul(std::string_view text, unsigned& replaced) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (c == '\0') {
            ++replaced;
            out += "\xEF\xBF\xBD";
            continue;
        }
        out.push_back(c);
    }
    return out;
}

ConvertedValue convert_value(const boost::json::value* value, model::ColumnType type) {
    using model::ColumnType;
    if (value == nullptr || value->is_null()) return {std::nullopt, false};
    const auto& v = *value;
    switch (type) {
        case ColumnType::text: {
            if (v.is_string()) {
                unsigned replaced = 0;
                std::string s = replace_nul(v.get_string(), replaced);
                return {std::move(s), replaced > 0};
            }
            if (v.is_bool()) return {v.get_bool() ? "true" : "false", false};
            if (v.is_number()) return number_as(v, ColumnType::numeric);
            unsigned replaced = 0;
            std::string s = replace_nul(boost::json::serialize(v), replaced);
            return {std::move(s), replaced > 0};
        }
        case ColumnType::numeric:
            if (v.is_number()) return number_as(v, type);
            if (v.is_string()) return from_text(normalize_decimal(v.get_string()));
            return {std::nullopt, true};
        case ColumnType::bigint:
            if (v.is_number()) return number_as(v, type);
            if (v.is_string()) return from_text(normalize_bigint(v.get_string()));
            return {std::nullopt, true};
        case ColumnType::float8:
            if (v.is_number()) return number_as(v, type);
            if (v.is_string()) return from_text(normalize_float(v.get_string()));
            return {std::nullopt, true};
        case ColumnType::boolean:
            if (v.is_bool()) return {v.get_bool() ? "true" : "false", false};
            if (v.is_int64() && (v.get_int64() == 0 || v.get_int64() == 1))
                return {v.get_int64() == 1 ? "true" : "false", false};
            if (v.is_string()) {
                const auto s = v.get_string();
                if (s == "true" || s == "1") return {"true", false};
                if (s == "false" || s == "0") return {"false", false};
            }
            return {std::nullopt, true};
        case ColumnType::timestamptz:
            if (v.is_string()) {
                if (v.get_string().empty()) return {std::nullopt, false};
                return from_text(normalize_timestamp(v.get_string()));
            }
            if (v.is_int64()) {
                // UNIX seconds, as the API's request parameters use them. Years
                // 1 to 9999 only, as in the text form: PostgreSQL refuses year 0
                // and before, and strftime's %Y would not pad years below 1000.
                std::time_t secs = static_cast<std::time_t>(v.get_int64());
                std::tm tm{};
                if (gmtime_r(&secs, &tm) == nullptr || tm.tm_year < 1 - 1900 || tm.tm_year > 9999 - 1900)
                    return {std::nullopt, true};
                std::array<char, 64> buf{};
                const int n =
                    std::snprintf(buf.data(), buf.size(), "%04d-%02d-%02d %02d:%02d:%02d+00:00", tm.tm_year + 1900,
                                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
                return {std::string(buf.data(), static_cast<std::size_t>(n)), false};
            }
            return {std::nullopt, true};
        case ColumnType::date:
            if (v.is_string()) return from_text(normalize_date(v.get_string()));
            return {std::nullopt, true};
        case ColumnType::json_subtree:
            return {std::nullopt, false};  // derived from _raw inside PostgreSQL
    }
    return {std::nullopt, true};
}

}  // namespace marin::sync
