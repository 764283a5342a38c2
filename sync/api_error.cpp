#include "marin/sync/api_error.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace marin::sync {

ApiError::ApiError(Kind kind, unsigned status, std::string endpoint, const std::string& message)
    : std::runtime_error(message), kind_(kind), status_(status), endpoint_(std::move(endpoint)) {}

std::string_view to_string(ApiError::Kind kind) noexcept {
    switch (kind) {
        case ApiError::Kind::auth_refused:
            return "auth refused";
        case ApiError::Kind::bad_request:
            return "bad request";
        case ApiError::Kind::not_found:
            return "not found";
        case ApiError::Kind::retries_exhausted:
            return "retries exhausted";
        case ApiError::Kind::transport:
            return "transport";
        case ApiError::Kind::body_too_large:
            return "body too large";
        case ApiError::Kind::protocol:
            return "protocol";
        case ApiError::Kind::cancelled:
            return "cancelled";
    }
    return "unknown";
}

std::string shorten_text(std::string text, std::size_t max_bytes) {
    if (text.size() > max_bytes) {
        std::size_t cut = max_bytes;
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
        text.resize(cut);
        text += "...";
    }
    return text;
}

namespace {

std::string trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    const auto last = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(first, last - first + 1));
}

// The message of one JSON error value, or empty if it carries none.
std::string message_of(const boost::json::value& v) {
    if (const auto* obj = v.if_object()) {
        if (const auto* m = obj->if_contains("message")) {
            if (const auto* s = m->if_string()) return std::string(*s);
            return boost::json::serialize(*m);
        }
        if (const auto* errors = obj->if_contains("errors")) {
            if (const auto* s = errors->if_string()) return std::string(*s);
            return "errors: " + boost::json::serialize(*errors);
        }
        if (const auto* e = obj->if_contains("error")) {
            if (const auto* s = e->if_string()) return std::string(*s);
            return message_of(*e);
        }
        return {};
    }
    if (const auto* arr = v.if_array()) {
        std::string joined;
        for (const auto& item : *arr) {
            auto m = message_of(item);
            if (m.empty()) continue;
            if (!joined.empty()) joined += "; ";
            joined += m;
        }
        return joined;
    }
    if (const auto* s = v.if_string()) return std::string(*s);
    return {};
}

}  // namespace

std::string extract_error_message(std::string_view body, std::size_t max_chars) {
    const auto text = trim(body);
    if (text.empty()) return {};
    boost::system::error_code ec;
    const auto v = boost::json::parse(text, ec);
    if (!ec) {
        auto m = message_of(v);
        if (!m.empty()) return shorten_text(std::move(m), max_chars);
    }
    return shorten_text(text, max_chars);
}

}  // namespace marin::sync
