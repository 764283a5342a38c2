#include "marin/sync/page_parser.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <fmt/format.h>

#include "marin/sync/api_error.hpp"
#include "marin/sync/utf8.hpp"

namespace marin::sync {

namespace json = boost::json;

namespace {

[[noreturn]] void bad_page(const std::string& what) { throw ApiError(ApiError::Kind::protocol, 0, {}, what); }

// The start of a body or text for an error message. Messages reach log lines
// and marin.sync_runs.error, where PostgreSQL refuses NUL and malformed
// UTF-8: control characters become spaces, bytes that are not UTF-8 become
// U+FFFD, and no character is cut in two.
std::string snippet(std::string_view body) {
    constexpr std::size_t max = 120;
    std::string s;
    std::size_t i = 0;
    while (i < body.size() && s.size() < max) {
        const auto n = utf8_char_length(body.substr(i));
        if (n == 0) {
            s += "\xEF\xBF\xBD";
            ++i;
        } else if (n == 1) {
            const auto c = static_cast<unsigned char>(body[i++]);
            s.push_back(c < 0x20 || c == 0x7F ? ' ' : static_cast<char>(c));
        } else {
            s.append(body.substr(i, n));
            i += n;
        }
    }
    if (i < body.size()) s += "...";
    return s;
}

std::optional<std::int64_t> range_number(const json::object& range, std::string_view name) {
    const auto* v = range.if_contains(name);
    if (v == nullptr || v->is_null()) return std::nullopt;
    if (const auto* i = v->if_int64()) return *i;
    if (const auto* u = v->if_uint64()) {
        if (*u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
        return static_cast<std::int64_t>(*u);
    }
    if (const auto* d = v->if_double()) {
        if (std::isfinite(*d) && std::floor(*d) == *d && std::abs(*d) < 9e18) return static_cast<std::int64_t>(*d);
        return std::nullopt;
    }
    if (const auto* s = v->if_string()) {
        std::string_view text(*s);
        while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
        while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
        std::int64_t out = 0;
        const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
        if (ec == std::errc() && ptr == text.data() + text.size() && !text.empty()) return out;
        return std::nullopt;
    }
    return std::nullopt;  // tolerated: the field is then simply unknown
}

PageRange parse_range(const json::object& range) {
    PageRange r;
    r.total = range_number(range, "total");
    r.limit = range_number(range, "limit");
    r.nb_pages = range_number(range, "nb_pages");
    r.page = range_number(range, "page");
    r.results = range_number(range, "results");
    if (const auto* next = range.if_contains("next"); next != nullptr && !next->is_null()) {
        const auto* s = next->if_string();
        if (s == nullptr) bad_page(fmt::format("range.next is a {}, not a URL string", to_string(next->kind())));
        if (!s->empty()) r.next = std::string(*s);
    }
    return r;
}

json::value parse_json(std::string_view body) {
    const auto first = body.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) bad_page("empty body where JSON was expected");
    if (body[first] == '<') bad_page(fmt::format("HTML instead of JSON: {}", snippet(body.substr(first))));
    boost::system::error_code ec;
    // One arena per page, freed with it: a page's values are built once and
    // dropped together, and arena allocation made parsing markedly cheaper
    // than the general-purpose heap. The value (and whatever is moved out of
    // it by move construction) keeps the arena alive.
    auto v = json::parse(body, ec, json::make_shared_resource<json::monotonic_resource>());
    if (ec) bad_page(fmt::format("malformed JSON ({}): {}", ec.message(), snippet(body.substr(first))));
    return v;
}

std::string error_text(const json::object& obj) {
    for (const char* field : {"message", "errors", "error"}) {
        if (const auto* v = obj.if_contains(field)) {
            if (const auto* s = v->if_string()) return std::string(*s);
            return json::serialize(*v);
        }
    }
    return {};
}

}  // namespace

Page parse_page(std::string_view body) {
    auto v = parse_json(body);
    // Page::data is move-constructed from the parsed array, which hands it
    // the page's arena too (assigning would copy every value out of it).
    if (auto* arr = v.if_array()) return Page{std::move(*arr), {}, body.size()};
    auto* obj = v.if_object();
    if (obj == nullptr) bad_page(fmt::format("expected a JSON object or array, got a {}", to_string(v.kind())));
    auto* data = obj->if_contains("data");
    if (data == nullptr) {
        const auto err = error_text(*obj);
        if (!err.empty()) bad_page(fmt::format("error object instead of a page: {}", snippet(err)));
        std::string keys;
        for (const auto& kv : *obj) keys += (keys.empty() ? "" : ", ") + std::string(kv.key());
        bad_page(fmt::format("no \"data\" array in the answer (keys: {})", keys.empty() ? "none" : snippet(keys)));
    }
    if (!data->is_array()) {
        bad_page(fmt::format("\"data\" is a {}, not an array (a single-object answer where a list was expected?)",
                             to_string(data->kind())));
    }
    Page page{std::move(data->get_array()), {}, body.size()};
    if (const auto* range = obj->if_contains("range"); range != nullptr && !range->is_null()) {
        const auto* r = range->if_object();
        if (r == nullptr) bad_page(fmt::format("\"range\" is a {}, not an object", to_string(range->kind())));
        page.range = parse_range(*r);
    }
    return page;
}

json::object parse_object(std::string_view body) {
    auto v = parse_json(body);
    auto* obj = v.if_object();
    if (obj == nullptr) bad_page(fmt::format("expected a JSON object, got a {}", to_string(v.kind())));
    if (auto* data = obj->if_contains("data")) {
        if (auto* inner = data->if_object()) return std::move(*inner);
        bad_page(fmt::format("\"data\" is a {}, not an object", to_string(data->kind())));
    }
    if (obj->size() <= 2 && (obj->contains("message") || obj->contains("errors")) && !obj->contains("id")) {
        bad_page(fmt::format("error object instead of a record: {}", snippet(error_text(*obj))));
    }
    return std::move(*obj);
}

}  // namespace marin::sync
