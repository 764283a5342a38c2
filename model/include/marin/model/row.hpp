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
    // Hex digest of everything above: equal hashes mean an unchanged row, so
    // the writer can skip it before PostgreSQL parses any JSON.
    std::string hash;
};

}  // namespace marin::model
