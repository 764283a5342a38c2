// Pieces the simulator's request handlers share: error answers, the route an
// answer is counted under, number parameters, path prefixes.
#include "handling.hpp"

#include <charconv>
#include <limits>

namespace marin::sim {

std::string error_body(std::string_view message, bool as_array) {
    std::string out;
    JsonWriter w(out);
    if (as_array) w.begin_array();
    w.begin_object();
    w.field("message", message);
    w.end_object();
    if (as_array) w.end_array();
    return out;
}

namespace detail {

Response json_response(unsigned status, std::string body) {
    Response r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

Response error(unsigned status, std::string_view message) { return json_response(status, error_body(message, true)); }

std::optional<std::uint64_t> parse_uint(const std::string& s) {
    if (s.empty()) return std::nullopt;
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc::result_out_of_range) {
        for (char ch : s)
            if (ch < '0' || ch > '9') return std::nullopt;
        return std::numeric_limits<std::uint64_t>::max();
    }
    if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
    return v;
}

std::optional<std::int64_t> parse_int(const std::string& s) {
    if (s.empty()) return std::nullopt;
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
    return v;
}

Response not_found(std::string_view what, const std::string& id) {
    return error(404, std::string(what) + " '" + id + "' not found");
}

// `path` is `prefix` or below it ("/clients/5" covers "/clients/5/users",
// not "/clients/50").
bool under_prefix(std::string_view path, std::string_view prefix) {
    while (prefix.size() > 1 && prefix.back() == '/') prefix.remove_suffix(1);
    if (!path.starts_with(prefix)) return false;
    return path.size() == prefix.size() || prefix == "/" || path[prefix.size()] == '/';
}

Response route(std::string_view tmpl, Response r) {
    r.route = std::string(tmpl);
    return r;
}

}  // namespace detail

}  // namespace marin::sim
