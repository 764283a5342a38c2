// Turning one JSON value of an API record into the text PostgreSQL accepts
// for a typed column. The API sends numbers both as numbers and as strings,
// timestamps in two spellings, ids as strings or numbers: every variant that
// API-NOTES.md lists is accepted here. A value that cannot be stored as it is
// (a NUL character, a number out of the column's range, a malformed date)
// becomes NULL or is made safe, and the caller counts it; it never fails the
// record.
#pragma once

#include <boost/json/value.hpp>

#include <optional>
#include <string>

#include "marin/model/table_spec.hpp"

namespace marin::sync {

struct ConvertedValue {
    std::optional<std::string> text;  // nullopt = SQL NULL
    bool sanitized = false;           // the value was changed or dropped to be storable
};

// `value` is nullptr when the record lacks the field.
[[nodiscard]] ConvertedValue convert_value(const boost::json::value* value, model::ColumnType type);

// `text` with each NUL character made U+FFFD, the Unicode replacement
// character: PostgreSQL's text and jsonb refuse NUL, and a value visibly
// altered beats one silently cut. Adds the NULs replaced to `replaced`. The
// one NUL replacement of the mapping: typed columns and _raw (record_mapper).
[[nodiscard]] std::string replace_nul(std::string_view text, unsigned& replaced);

// The individual parsers, exposed for tests.
[[nodiscard]] std::optional<std::string> normalize_decimal(std::string_view text);
[[nodiscard]] std::optional<std::string> normalize_bigint(std::string_view text);
[[nodiscard]] std::optional<std::string> normalize_float(std::string_view text);
[[nodiscard]] std::optional<std::string> normalize_timestamp(std::string_view text);
[[nodiscard]] std::optional<std::string> normalize_date(std::string_view text);

}  // namespace marin::sync
