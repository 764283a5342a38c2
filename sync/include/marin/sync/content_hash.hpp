// The fingerprint the writer compares to decide that a row did not change.
#pragma once

#include <string>

#include "marin/model/row.hpp"

namespace marin::sync {

// Hex SHA-256 (first 128 bits) over the row's values (with NULLs marked)
// and its _raw text. Collisions at 128 bits are not a practical concern; the
// digest only has to change whenever anything stored would change.
[[nodiscard]] std::string content_hash(const model::Row& row);

}  // namespace marin::sync
