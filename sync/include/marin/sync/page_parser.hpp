// The body of one list answer, {"data": [...], "range": {...}}, or of a
// single-object answer, parsed. Pure functions: no I/O, no Asio, so that the
// fuzz targets (tests/fuzz/) build them alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace marin::sync {

// The `range` object; numbers may arrive as strings, any field may be absent.
struct PageRange {
    std::optional<std::int64_t> total, limit, nb_pages, page, results;
    std::optional<std::string> next;  // absolute URL of the next page; nullopt if null/absent/""
};

struct Page {
    boost::json::array data;
    PageRange range;  // all empty when the answer had no `range` (a single page)
    std::size_t body_bytes = 0;
};

// Accepts {"data": [...], "range": {...}}, {"data": [...]} and a bare
// top-level array. Throws ApiError(protocol) naming what is wrong for
// malformed JSON, HTML, an empty body, an error object or any other shape.
Page parse_page(std::string_view body);

// A single-object answer, wrapped ({"data": {...}}) or bare ({...}).
// Throws ApiError(protocol) otherwise.
boost::json::object parse_object(std::string_view body);

}  // namespace marin::sync
