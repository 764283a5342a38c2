// The per-table views and functions of the analysts' side, built from
// model::TableSpec as merge_sql.hpp builds the writer's SQL: for each mirror
// table T
//   marin.current_T        (removable tables) the rows the API still lists
//   marin.T_versions       the current row and the history rows, with
//                          _valid_from, _valid_to, _is_current
//   marin.T_as_of(timestamptz, include_removed boolean DEFAULT false)
//                          the rows as they were at a time
// with their comments. sql/002 made them first (a DO block reading the
// catalogue), sql/005 and sql/007 again for the tables whose columns they
// changed; this text reproduces what those migrations left (the pg test
// storage_views_pgtest compares the catalogues), and the migrator applies it
// after the numbered migrations (migrator.cpp, "generated views"), so a
// column added to a TableSpec reaches the views without hand-written SQL.
//
// Column order is the contract analysts' queries and views rely on, and
// CREATE OR REPLACE VIEW can only append columns: current_T and T_as_of list
// the table's columns in PostgreSQL's order (TableSpec::stored_columns());
// T_versions lists those of its layout (TableSpec::versions_laid_out_in,
// with retired columns computed where they stood), then _valid_from,
// _valid_to, _is_current, then the columns added since.
#pragma once

#include <string>
#include <vector>

#include "marin/model/table_spec.hpp"

namespace marin::storage::detail {

struct ViewColumn {
    std::string name;
    std::string type;  // as format_type() spells it
};

struct GeneratedObject {
    enum class Kind { view, function };
    Kind kind;
    std::string name;                 // unquoted: current_ads, ads_as_of
    std::string signature;            // marin.current_ads, marin.ads_as_of(timestamptz, boolean)
    std::vector<ViewColumn> columns;  // views only: the result columns, in order
    std::string create;               // CREATE OR REPLACE VIEW / FUNCTION ...
    // COMMENT ON statements; the columns the view shares with the table get
    // the table's comments, copied in the database (a DO block).
    std::string comments;
};

// The generated objects of one table (a test may pass a spec of its own).
std::vector<GeneratedObject> generated_objects(const model::TableSpec& spec);
// ... of every mirror table, in model order.
std::vector<GeneratedObject> generated_objects();

// An identifier as PostgreSQL's quote_ident writes it: bare when it is
// lower-case letters, digits and underscores (and no keyword of the ones
// that need quotes), quoted otherwise, so that the generated function bodies
// read as the ones sql/002 wrote.
std::string sql_ident(std::string_view name);

}  // namespace marin::storage::detail
