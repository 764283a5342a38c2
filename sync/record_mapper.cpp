#include "marin/sync/record_mapper.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <cmath>
#include <stdexcept>

#include "marin/sync/content_hash.hpp"
#include "marin/sync/main_metric_sum.hpp"
#include "marin/sync/value_conversion.hpp"

namespace marin::sync {
namespace {

// What PostgreSQL's jsonb cannot hold, made safe in place; returns how many
// values were changed.
// - The NUL character (\u0000), in text or keys: replace_nul
//   (value_conversion.hpp), as in the typed columns.
// - Numbers out of double's range (1e400) or NaN, which Boost.JSON reads as
//   infinities and NaN and serialises as the non-JSON words Infinity and
//   NaN: they become null (found by fuzzing; jsonb would refuse the batch).
unsigned make_storable(boost::json::value& v) {
    unsigned replaced = 0;
    if (v.is_double()) {
        if (!std::isfinite(v.get_double())) {
            v = nullptr;
            ++replaced;
        }
    } else if (v.is_string()) {
        auto& s = v.get_string();
        if (s.find('\0') != boost::json::string::npos) s = replace_nul(std::string_view(s.data(), s.size()), replaced);
    } else if (v.is_array()) {
        for (auto& e : v.get_array()) replaced += make_storable(e);
    } else if (v.is_object()) {
        // Keys can hold NUL too; rebuild the object only when one does.
        auto& o = v.get_object();
        bool bad_key = false;
        for (auto& kv : o) {
            replaced += make_storable(kv.value());
            if (kv.key().find('\0') != boost::json::string_view::npos) bad_key = true;
        }
        if (bad_key) {
            boost::json::object fixed;
            for (auto& kv : o) {
                fixed[replace_nul(std::string_view(kv.key().data(), kv.key().size()), replaced)] = kv.value();
            }
            o = std::move(fixed);
        }
    }
    return replaced;
}

// Cheap test on the serialised record first: a NUL is written as the escape
// \u0000, and a non-finite number as a bare Infinity or NaN (or 1e99999 in
// some versions), which text inside strings also matches: then the slow path
// finds nothing to change, at the cost of one copy.
bool may_need_storable(const std::string& raw) {
    return raw.find("\\u0000") != std::string::npos || raw.find("Infinity") != std::string::npos ||
           raw.find("NaN") != std::string::npos || raw.find("e99999") != std::string::npos;
}

const boost::json::value* find_field(const boost::json::object& record, std::string_view field) {
    if (field.empty()) return nullptr;
    auto it = record.find(field);
    return it == record.end() ? nullptr : &it->value();
}

}  // namespace

MapOutcome map_record(const model::TableSpec& table, const boost::json::object& record, const RecordContext& context) {
    MapOutcome out;
    model::Row row;
    const auto columns = table.sent_columns();
    row.values.reserve(columns.size());
    std::string missing_keys;

    std::vector<const model::ColumnSpec*> main_metrics;
    for (const auto* column : columns) {
        if (column->role == model::ColumnRole::main_metric) {
            main_metrics.push_back(column);
            continue;
        }
        // The hash covers the values before the main-metric columns: those
        // must come last, so that the stored hashes stay what they were.
        if (!main_metrics.empty())
            throw std::logic_error("table spec " + std::string(table.name) + ": column " + std::string(column->name) +
                                   " follows a main_metric column");
        bool done = false;
        for (const auto& [name, value] : context.forced) {
            if (name == column->name) {
                row.values.push_back(value);
                done = true;
                break;
            }
        }
        if (done) continue;
        const boost::json::value* field = find_field(record, column->json_field);
        // Never a key column from the request (see RecordContext).
        if ((field == nullptr || field->is_null()) && column->role != model::ColumnRole::key) {
            for (const auto& [name, value] : context.fallback) {
                if (name == column->name) {
                    row.values.emplace_back(value);
                    done = true;
                    break;
                }
            }
            if (done) continue;
        }
        auto converted = convert_value(field, column->type);
        if (converted.sanitized) ++out.sanitized_values;
        if (column->role == model::ColumnRole::key && (!converted.text || converted.text->empty())) {
            if (!missing_keys.empty()) missing_keys += ", ";
            missing_keys += "'" + std::string(column->json_field) + "'";
            row.values.emplace_back();
            continue;
        }
        row.values.push_back(std::move(converted.text));
    }
    if (!missing_keys.empty()) {
        out.problem = "record has no usable " + missing_keys + " (key of marin." + std::string(table.name) + ")";
        return out;
    }

    row.raw = boost::json::serialize(record);
    if (may_need_storable(row.raw)) {
        boost::json::value copy(record);
        if (const auto changed = make_storable(copy); changed > 0) {
            out.sanitized_values += changed;
            row.raw = boost::json::serialize(copy);
        }
    }
    row.keeps_links = context.keeps_links;
    row.hash = content_hash(row, table.link_positions());
    // Functions of _raw (which the hash covers), appended after hashing.
    for (const auto* column : main_metrics) row.values.push_back(main_metric_sum(record, column->json_field));
    out.row = std::move(row);
    return out;
}

}  // namespace marin::sync
