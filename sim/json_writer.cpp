// JsonWriter: JSON text appended to a string, fast, with money as exact decimals.
#include "marin/sim/json_writer.hpp"

#include <array>
#include <charconv>
#include <cmath>

namespace marin::sim {

void append_json_string(std::string& out, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    out += '"';
    std::size_t run_start = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        out.append(s.data() + run_start, i - run_start);
        run_start = i + 1;
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            default:
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 0xf];
        }
    }
    out.append(s.data() + run_start, s.size() - run_start);
    out += '"';
}

void JsonWriter::key(std::string_view k) {
    separate();
    append_json_string(out_, k);
    out_ += ':';
    after_key_ = true;
}

void JsonWriter::string(std::string_view s) {
    separate();
    append_json_string(out_, s);
}

void JsonWriter::integer(std::int64_t v) {
    separate();
    std::array<char, 24> buf{};
    auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
    (void)ec;
    out_.append(buf.data(), end);
}

void JsonWriter::number(double v) {
    separate();
    if (!std::isfinite(v)) {
        out_ += '0';
        return;
    }
    if (v == std::floor(v) && std::fabs(v) < 1e15) {
        std::array<char, 24> buf{};
        auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), static_cast<std::int64_t>(v));
        (void)ec;
        out_.append(buf.data(), end);
        return;
    }
    std::array<char, 32> buf{};
    auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
    (void)ec;
    out_.append(buf.data(), end);
}

void JsonWriter::cents(std::int64_t v) {
    separate();
    if (v < 0) {
        out_ += '-';
        v = -v;
    }
    std::array<char, 24> buf{};
    auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v / 100);
    (void)ec;
    out_.append(buf.data(), end);
    const auto frac = v % 100;
    if (frac == 0) return;
    out_ += '.';
    out_ += static_cast<char>('0' + frac / 10);
    if (frac % 10 != 0) out_ += static_cast<char>('0' + frac % 10);
}

void JsonWriter::boolean(bool v) {
    separate();
    out_ += v ? "true" : "false";
}

void JsonWriter::null() {
    separate();
    out_ += "null";
}

void JsonWriter::raw(std::string_view json) {
    separate();
    out_ += json;
}

}  // namespace marin::sim
