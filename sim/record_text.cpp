// The pieces records are made of: hostile strings and names, hashed digits,
// timestamps, revisions.
#include "record_text.hpp"

#include <cstdio>

#include "marin/sim/records.hpp"

namespace marin::sim::detail {

namespace {

constexpr std::array<std::string_view, 9> hostile_strings = {
    "Quote \"double\" and 'single' quotes",
    "Back\\slash \\\\ C:\\temp\\new",
    "Tab\there\nnew line\r\nCRLF",
    "Emoji \xF0\x9F\x9A\x80\xF0\x9F\x94\xA5 campaign \xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD",
    "\xD0\x9A\xD0\xB0\xD0\xBC\xD0\xBF\xD0\xB0\xD0\xBD\xD0\xB8\xD1\x8F "
    "\xE5\xBA\x83\xE5\x91\x8A\xE3\x82\xAD\xE3\x83\xA3\xE3\x83\xB3\xE3\x83\x9A\xE3\x83\xBC\xE3\x83\xB3 "
    "\xD8\xAD\xD9\x85\xD9\x84\xD8\xA9 \xEA\xB4\x91\xEA\xB3\xA0",
    "'; DROP TABLE marin.ads; --",
    "",  // the 5 kB name, built below
    std::string_view("NUL\0byte in a name", 18),
    "Robert'); DELETE FROM marin.campaigns WHERE ('1'='1",
};

std::string long_name() {
    std::string s;
    s.reserve(5200);
    while (s.size() < 5000) s += "Very long campaign name segment / ";
    return s;
}

}  // namespace

std::string hostile(std::size_t v) {
    v %= hostile_strings.size();
    if (v == 6) return long_name();
    return std::string(hostile_strings[v]);
}

std::string digits(std::uint64_t x, int n) {
    std::string s(static_cast<std::size_t>(n), '0');
    for (int i = n - 1; i >= 0; --i) {
        s[static_cast<std::size_t>(i)] = static_cast<char>('0' + x % 10);
        x /= 10;
    }
    if (s[0] == '0') s[0] = '1';
    return s;
}

std::string alnum(std::uint64_t x, int n) {
    static constexpr char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::string s;
    for (int i = 0; i < n; ++i) {
        s += chars[x % 36];
        x = x / 36 + mix64(x);
    }
    return s;
}

std::string hex(std::uint64_t x, int n) {
    static constexpr char chars[] = "0123456789abcdef";
    std::string s;
    for (int i = 0; i < n; ++i) {
        s += chars[x & 0xf];
        x = (x >> 4) | (mix64(x) << 60);
    }
    return s;
}

std::string timestamp(Day day, std::uint64_t seconds, bool colon) {
    seconds %= 86400;
    std::string s = format_day(day);
    char buf[32];
    const auto hh = seconds / 3600, mm = seconds / 60 % 60, ss = seconds % 60;
    const int n = std::snprintf(buf, sizeof buf, "T%02u:%02u:%02u%s", static_cast<unsigned>(hh),
                                static_cast<unsigned>(mm), static_cast<unsigned>(ss), colon ? "+00:00" : "+0000");
    s.append(buf, static_cast<std::size_t>(n));
    return s;
}

std::string with_rev(std::string name, std::uint16_t rev) {
    if (rev > 0) {
        name += " v";
        name += std::to_string(rev + 1);
    }
    return name;
}

std::string name_or_hostile(Kind k, std::uint32_t i, std::string normal, std::uint16_t rev) {
    if (auto bad = hostile_name(k, i)) return with_rev(std::move(*bad), rev);
    return with_rev(std::move(normal), rev);
}

void string_array(JsonWriter& w, std::string_view k, std::initializer_list<std::string_view> v) {
    w.key(k);
    w.begin_array();
    for (auto s : v) w.string(s);
    w.end_array();
}

std::string cents_text(std::int64_t c) {
    std::string s = std::to_string(c / 100);
    const auto frac = c % 100;
    s += '.';
    s += static_cast<char>('0' + frac / 10);
    s += static_cast<char>('0' + frac % 10);
    return s;
}

}  // namespace marin::sim::detail

namespace marin::sim {

std::optional<std::string> hostile_name(Kind kind, std::uint32_t i) {
    using detail::hostile;
    using detail::hostile_strings;
    switch (kind) {
        case Kind::ad:
            if (i >= 5 && i < 5 + hostile_strings.size()) return hostile(i - 5);
            if (i % 1009 == 500) return hostile(i / 1009);
            return std::nullopt;
        case Kind::campaign:
            if (i == 2) return hostile(5);
            if (i == 6) return hostile(3);
            if (i % 211 == 100) return hostile(i / 211);
            return std::nullopt;
        case Kind::ad_set:
            if (i == 1) return hostile(7);
            if (i % 307 == 150) return hostile(i / 307);
            return std::nullopt;
        case Kind::media_plan:
            if (i == 1) return hostile(4);
            return std::nullopt;
        case Kind::advertiser:
            if (i == 1) return hostile(0);
            return std::nullopt;
        case Kind::account:
            if (i == 2) return hostile(1);
            return std::nullopt;
        case Kind::audience:
            if (i == 1) return hostile(2);
            return std::nullopt;
        default:
            return std::nullopt;
    }
}

}  // namespace marin::sim
