#pragma once
// Renders each object as the API serves it, with the reference's fields and
// the quirks API-NOTES.md asks clients to tolerate (numbers as strings, fields
// missing or extra, two timestamp spellings, hostile text).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "marin/sim/json_writer.hpp"
#include "marin/sim/world.hpp"

namespace marin::sim {

// Ids: decimal strings with a per-kind base, so that ids of one kind have the
// same number of digits and sort the same as text and as numbers.
std::uint64_t id_base(Kind kind);
std::string id_of(Kind kind, std::uint32_t index);
std::optional<std::uint32_t> index_of(Kind kind, std::string_view id, std::size_t count);

void render_account(JsonWriter& w, const World& world, std::uint32_t i);
// The account's `timezone` (IANA name), as render_account serves it.
std::string_view account_timezone(const World& world, std::uint32_t account);
void render_advertiser(JsonWriter& w, const World& world, std::uint32_t i);
// rev: the user's revision to render (the current one unless a removed link
// is rendered as it was last served).
void render_user(JsonWriter& w, const World& world, std::uint32_t i, std::uint16_t rev);
void render_media_plan(JsonWriter& w, const World& world, std::uint32_t i);
void render_campaign(JsonWriter& w, const World& world, std::uint32_t i);
void render_ad_set(JsonWriter& w, const World& world, std::uint32_t i);
void render_ad(JsonWriter& w, const World& world, std::uint32_t i);
void render_account_child(JsonWriter& w, const World& world, std::uint32_t account, int slot,
                          const AccountChild& child);

// The few hostile strings (quotes, backslashes, control characters, emoji,
// non-Latin scripts, SQL, 5 kB, NUL) some records carry as names.
std::optional<std::string> hostile_name(Kind kind, std::uint32_t index);

}  // namespace marin::sim
