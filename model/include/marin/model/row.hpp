// One record on its way from the API to a mirror table.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "marin/model/table_spec.hpp"

namespace marin::model {

struct Row {
    // One value per TableSpec::sent_columns(), in that order, already in the
    // text form PostgreSQL accepts for the column's type; nullopt is NULL.
    std::vector<std::optional<std::string>> values;
    // The record as the API sent it (re-serialised compactly, with values that
    // PostgreSQL cannot store made safe), stored as _raw.
    std::string raw;
    // Hex digest of everything above but link columns: equal hashes (and
    // equal links) mean an unchanged row, so the writer can skip it before
    // PostgreSQL parses any JSON.
    std::string hash;
    // The row comes from a listing that does not know the table's link
    // columns (TableSpec::link_positions; their values here are NULL): the
    // writer leaves them as stored. The hash never covers link columns.
    bool keeps_links = false;
};

}  // namespace marin::model
