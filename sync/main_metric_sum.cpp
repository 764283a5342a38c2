#include "marin/sync/main_metric_sum.hpp"

#include <boost/json/value.hpp>

#include <algorithm>

#include "marin/sync/value_conversion.hpp"

namespace marin::sync {
namespace {

// A decimal as mantissa x 10^-scale; 36 digits fit in 128 bits with room
// for the carry of a sum. (__extension__: GCC's 128-bit integer is not ISO.)
__extension__ typedef __int128 Wide;
struct Decimal {
    Wide mantissa = 0;
    int scale = 0;
};
constexpr int max_digits = 36;

Wide pow10(int n) {
    Wide p = 1;
    while (n-- > 0) p *= 10;
    return p;
}

bool too_big(Wide m) {
    static const Wide limit = pow10(max_digits);
    return m >= limit || m <= -limit;
}

std::optional<Decimal> parse(std::string_view t) {
    const auto normal = normalize_decimal(t);
    if (!normal) return std::nullopt;
    std::string_view s = *normal;
    bool negative = false;
    std::size_t i = 0;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
    Decimal d;
    int digits = 0;
    bool fraction = false;
    for (; i < s.size() && s[i] != 'e' && s[i] != 'E'; ++i) {
        if (s[i] == '.') {
            fraction = true;
            continue;
        }
        if (d.mantissa != 0 || s[i] != '0') ++digits;
        if (digits > max_digits) return std::nullopt;
        d.mantissa = d.mantissa * 10 + (s[i] - '0');
        if (fraction) ++d.scale;
    }
    if (i < s.size()) {  // exponent: moves the point
        long exponent = 0;
        bool exp_negative = false;
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) exp_negative = s[i++] == '-';
        for (; i < s.size(); ++i) {
            exponent = exponent * 10 + (s[i] - '0');
            if (exponent > 2 * max_digits) break;
        }
        if (d.mantissa == 0) {
            d.scale = exp_negative ? static_cast<int>(std::min<long>(d.scale + exponent, max_digits)) : 0;
        } else if (exp_negative) {
            d.scale += static_cast<int>(exponent);
        } else if (exponent <= d.scale) {
            d.scale -= static_cast<int>(exponent);
        } else {
            const int shift = static_cast<int>(exponent) - d.scale;
            if (digits + shift > max_digits) return std::nullopt;
            d.mantissa *= pow10(shift);
            d.scale = 0;
        }
        if (d.scale > max_digits) return std::nullopt;
    }
    if (negative) d.mantissa = -d.mantissa;
    return d;
}

std::optional<Decimal> add(Decimal a, Decimal b) {
    if (a.scale < b.scale) std::swap(a, b);
    const int shift = a.scale - b.scale;
    if (shift > max_digits || b.mantissa >= pow10(max_digits - shift) || b.mantissa <= -pow10(max_digits - shift))
        return std::nullopt;
    b.mantissa *= pow10(shift);
    a.mantissa += b.mantissa;
    if (too_big(a.mantissa) || too_big(b.mantissa)) return std::nullopt;
    return a;
}

std::string format(const Decimal& d) {
    Wide m = d.mantissa < 0 ? -d.mantissa : d.mantissa;
    std::string digits;
    do {
        digits.push_back(static_cast<char>('0' + static_cast<int>(m % 10)));
        m /= 10;
    } while (m != 0);
    while (static_cast<int>(digits.size()) <= d.scale) digits.push_back('0');
    std::reverse(digits.begin(), digits.end());
    if (d.scale > 0) digits.insert(digits.end() - d.scale, '.');
    return d.mantissa < 0 ? "-" + digits : digits;
}

// The entry's number as decimal text, as marin.json_number reads it: a JSON
// number, or a string holding one (blanks around it allowed); else nullopt.
std::optional<std::string> number_text(const boost::json::value& number) {
    if (number.is_number()) return convert_value(&number, model::ColumnType::numeric).text;
    if (!number.is_string()) return std::nullopt;
    std::string_view s = number.get_string();
    const auto blank = [](char c) { return c == ' '; };  // btrim() trims spaces only
    while (!s.empty() && blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && blank(s.back())) s.remove_suffix(1);
    return normalize_decimal(s);
}

}  // namespace

std::optional<std::string> add_decimals(std::string_view a, std::string_view b) {
    const auto x = parse(a);
    const auto y = parse(b);
    if (!x || !y) return std::nullopt;
    const auto sum = add(*x, *y);
    if (!sum) return std::nullopt;
    return format(*sum);
}

std::optional<std::string> main_metric_sum(const boost::json::object& record, std::string_view metric) {
    const auto it = record.find("main_metrics");
    if (it == record.end() || !it->value().is_array()) return std::string("0");
    std::optional<std::string> total;
    for (const auto& entry : it->value().get_array()) {
        const auto* e = entry.if_object();
        if (!e) continue;
        const auto name = e->find("name");
        if (name == e->end() || !name->value().is_string() || name->value().get_string() != metric) continue;
        const auto number = e->find("number");
        if (number == e->end()) continue;
        auto text = number_text(number->value());
        if (!text) continue;
        if (!total) {
            total = std::move(text);  // one entry (the usual case): its text as sent
            continue;
        }
        total = add_decimals(*total, *text);
        if (!total) return std::nullopt;
    }
    return total ? total : std::optional<std::string>("0");
}

}  // namespace marin::sync
