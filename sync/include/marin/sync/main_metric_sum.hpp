// The figures analysts sum out of a statistics row's main_metrics array
// (link clicks, installs, ...), added up exactly at sync time so that the
// roll-ups read a numeric column instead of unnesting JSON per query.
#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace marin::sync {

// The exact decimal sum of `number` over the entries of record["main_metrics"]
// whose "name" is `metric`, as numeric text: "0" when there are none (or the
// field is no array), entries whose number is neither a JSON number nor a
// numeric string are skipped. The same value as the SQL
// coalesce(sum(marin.json_number(e -> 'number')) FILTER (WHERE e ->> 'name' = metric), 0)
// over jsonb_array_elements(main_metrics), which the views used before.
// nullopt only for a sum beyond 36 significant digits (no network's count).
[[nodiscard]] std::optional<std::string> main_metric_sum(const boost::json::object& record, std::string_view metric);

// Exact sum of two decimal texts ([+-]digits[.digits][e[+-]digits]); the
// result keeps the larger number of decimals, as PostgreSQL's numeric does.
// nullopt when either is no decimal or the sum needs more than 36 digits.
[[nodiscard]] std::optional<std::string> add_decimals(std::string_view a, std::string_view b);

}  // namespace marin::sync
