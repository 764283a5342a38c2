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
// when the record lacks the field (a statistics row without client_id belongs
// to the media plan whose statistics were asked for); `forced` values win
// over the record. Never a key column: a record without its key is refused,
// not keyed by the request (that would collapse such records into one).
struct RecordContext {
    std::vector<std::pair<std::string_view, std::optional<std::string>>> forced;
    std::vector<std::pair<std::string_view, std::string>> fallback;
    bool keeps_links = false;  // see model::Row::keeps_links
};

struct MapOutcome {
    std::optional<model::Row> row;  // nullopt: the record cannot be keyed (a key field missing)
    unsigned sanitized_values = 0;  // values made safe or dropped to be storable
    std::string problem;            // why row is nullopt
};

[[nodiscard]] MapOutcome map_record(const model::TableSpec& table, const boost::json::object& record,
                                    const RecordContext& context);

}  // namespace marin::sync
