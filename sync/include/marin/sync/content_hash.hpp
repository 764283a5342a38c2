// The fingerprint the writer compares to decide that a row did not change.
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "marin/model/row.hpp"

namespace marin::sync {

// Hex SHA-256 (first 128 bits) over the row's values (with NULLs marked)
// and its _raw text, the values at `link_positions` taken as NULL: a link
// column is compared on its own (model::ColumnSpec::link), so a row that
// does not know the link hashes like one that does. Collisions at 128 bits
// are not a practical concern; the digest only has to change whenever
// anything stored would change.
[[nodiscard]] std::string content_hash(const model::Row& row, std::span<const std::size_t> link_positions = {});

}  // namespace marin::sync
