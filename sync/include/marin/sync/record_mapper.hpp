// One API record (a JSON object from a listing) into a mirror row.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "marin/model/row.hpp"
#include "marin/model/table_spec.hpp"

namespace marin::sync {

// Values that come from the request rather than the record body: an ad set's
// campaign is in the path, not in the ad set. `fallback` values are used only
// when the record lacks the field (a statistics row without its date is keyed
// by the window that produced it, as API-NOTES.md asks); `forced` values win
// over the record.
struct RecordContext {
    std::vector<std::pair<std::string_view, std::optional<std::string>>> forced;
    std::vector<std::pair<std::string_view, std::string>> fallback;
};

struct MapOutcome {
    std::optional<model::Row> row;  // nullopt: the record cannot be keyed (no id at all)
    unsigned sanitized_values = 0;  // values made safe or dropped to be storable
    std::string problem;            // why row is nullopt
};

[[nodiscard]] MapOutcome map_record(const model::TableSpec& table, const boost::json::object& record,
                                    const RecordContext& context);

}  // namespace marin::sync
