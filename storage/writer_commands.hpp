// The commands mirror_writer.cpp sends the writer thread over its bounded
// channel (osm2pgsql's db_cmd_t), and the one-shot replies that answer them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "marin/storage/mirror_writer.hpp"
#include "one_shot.hpp"

namespace marin::storage::detail {

struct Unit {};
template <class T>
using Reply = std::shared_ptr<OneShot<T>>;

// A row as COPY text, encoded on the caller's thread (escaping is most of the
// writer's own CPU, and the writer thread is the one PostgreSQL waits on):
// `key_hash` is its key fields and _hash (then, on tables with link columns,
// the links and whether the row keeps them), `line` its sent values, _raw and
// _hash, both tab-separated and without the final newline.
struct EncodedRow {
    std::string key_hash;
    std::string line;
    bool keeps_links = false;
};

// Commands without a reply (enqueue*) are answered by nobody: their failure
// stays in the writer for the next awaited call.
struct StopCmd {};
struct ReadyCmd {
    Reply<Unit> reply;
};
struct RowsCmd {
    model::TableId table;
    std::vector<EncodedRow> rows;
    ListingKey listing;
};
struct CompleteCmd {
    model::TableId table;
    ListingKey listing;
};
struct GoneCmd {
    model::TableId table;
    std::vector<std::string> key;
    Reply<Unit> reply;
};
struct ListingDoneCmd {
    std::int64_t run_id;
    std::string scope;
};
struct FlushCmd {
    Reply<Unit> reply;
};
struct TotalsCmd {
    Reply<WriterTotals> reply;
};
struct BeginRunCmd {
    std::string mode;
    Reply<std::int64_t> reply;
};
struct FinishRunCmd {
    std::int64_t run_id;
    RunOutcome outcome;
    RunTotals totals;
    std::string error;
    Reply<Unit> reply;
};

using Command = std::variant<StopCmd, ReadyCmd, RowsCmd, CompleteCmd, GoneCmd, ListingDoneCmd, FlushCmd, TotalsCmd,
                             BeginRunCmd, FinishRunCmd>;

}  // namespace marin::storage::detail
