#pragma once
// The fields of the reference's examples, per endpoint, with their JSON types.
// Required: in every record of every example of the endpoint. Optional: in
// some example records only (or in the POST/PUT variants), so the simulator
// leaves them out on some records. "both" types: API-NOTES.md says numbers
// arrive as numbers and as strings there.
#include <boost/json.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace marin::sim::test {

enum TypeMask : unsigned { S = 1, N = 2, B = 4, A = 8, O = 16 };

struct FieldSpec {
    std::string name;
    unsigned types;
    bool required;
    bool both = false;  // both string and number must occur across records
};

using EndpointSpec = std::vector<FieldSpec>;

inline unsigned type_of(const boost::json::value& v) {
    switch (v.kind()) {
        case boost::json::kind::string:
            return S;
        case boost::json::kind::int64:
        case boost::json::kind::uint64:
        case boost::json::kind::double_:
            return N;
        case boost::json::kind::bool_:
            return B;
        case boost::json::kind::array:
            return A;
        case boost::json::kind::object:
            return O;
        default:
            return 0;
    }
}

inline const std::map<std::string, EndpointSpec>& endpoint_specs() {
    static const std::map<std::string, EndpointSpec> specs = {
        {"accounts",
         {{"id", S, true},
          {"network_id", S, true},
          {"name", S, true},
          {"timezone", S, true},
          {"active", B, true},
          {"src", S, true},
          {"currency", S, false},
          {"country", S, false},
          {"funding_instruments", A, false}}},
        {"objects",
         {{"id", S, true},
          {"name", S, true},
          {"network_id", S, true},
          {"picture", S, true},
          {"url", S, true},
          {"type", S, true}}},
        {"funding-instruments",
         {{"id", S, true},
          {"start_date", S, true},
          {"end_date", S, true},
          {"description", S, true},
          {"currency", S, true}}},
        {"lead-forms",
         {{"id", S, true}, {"name", S, true}, {"network_id", S, true}, {"csv_url", S, true}, {"locale", S, true}}},
        {"audiences",
         {{"id", S, true},
          {"name", S, true},
          {"created_at", S, true},
          {"network_id", S, true},
          {"nb_users", S | N, true, true},
          {"type", S, true},
          {"description", S, false},
          {"rule", O, false}}},
        {"targeting-clusters", {{"id", N, true}, {"name", S, true}, {"targets", A, true}}},
        {"advertisers",
         {{"id", S, true},
          {"name", S, true},
          {"currency", S, true},
          {"reporting_week", S, true},
          {"contact_name", S, false},
          {"contact_mail", S, false},
          {"contact_phone", S, false},
          {"autopause_value", S | N, false, true}}},
        {"clients",
         {{"id", S, true},
          {"margin_type", N, true},
          {"advertiser_id", S, true},
          {"deleted", B, true},
          {"archived", B, true},
          {"name", S, true},
          {"account_network_id", S, true},
          {"ads_naming", S, true},
          {"margin_value", N, true},
          {"campaign_naming", S, true},
          {"account_id", S, true},
          {"src", S, true},
          {"url_reporting", S, true},
          {"url_connection", S, true},
          {"general_objective", S, false},
          {"io_number", S, false},
          {"autopause_value", S | N, false, true},
          {"business_manager_id", S, false}}},
        {"campaigns",
         {{"status", S, true},
          {"account_id", S, true},
          {"deleted", B, true},
          {"campaign_naming", S, true},
          {"start_date", S, true},
          {"ads_naming", S, true},
          {"budget_type", S, true},
          {"url_reporting", S, true},
          {"daily_budget", N | S, true, true},
          {"client_id", S, true},
          {"budget", N, true},
          {"name", S, true},
          {"id", S, true},
          {"archived", B, true},
          {"src", S, true},
          {"special_ad_category", S, false},
          {"lifetime_budget", N, false},
          {"funding_instrument_id", S, false}}},
        {"adsets",
         {{"id", S, true},
          {"daily_budget", N | S, true, true},
          {"name", S, true},
          {"operation_status", S, true},
          {"status", S, true},
          {"bid", S | N, true, true},
          {"promoted_object", S, true},
          {"adset_billing_event", S, true},
          {"adset_optimization_goal", S, true},
          {"computed_status", S, true},
          {"adset_bid_strategy", S, false}}},
        {"ads",
         {{"id", S, true},
          {"deleted", B, true},
          {"type", S, true},
          {"target", O, true},
          {"placement", O, true},
          {"name", S, true},
          {"status", S, true},
          {"synchro_status", S, true},
          {"bid", N | S, true, true},
          {"adset_billing_event", S, true},
          {"adset_optimization_goal", S, true},
          {"adset_bid_strategy", S, true},
          {"url", S, true},
          {"src", S, true},
          {"headline", S, false},
          {"message", S, false},
          {"description", S, false},
          {"page", S, false}}},
        {"users",
         {{"id", S, true},
          {"username", S, true},
          {"email", S, true},
          {"firstname", S, true},
          {"lastname", S, true},
          {"role", S, true},
          {"created_at", S, true}}},
        {"statistics",
         {{"ctr", N, true},
          {"ctrLinks", N, true},
          {"convRate", N, true},
          {"convRateLinks", N, true},
          {"cpc", N, true},
          {"cpm", N, true},
          {"cpa", N, true},
          {"income", N, true},
          {"roi", N, true},
          {"main_metrics", A, true},
          {"other_metrics", A, true},
          {"impression", N, true},
          {"click", N, true},
          {"spent", N, true}}},
    };
    return specs;
}

// Accumulates what a crawl saw, per endpoint kind, to check optional fields
// and "both types" across records at the end.
class FieldAudit {
  public:
    void check(const std::string& endpoint, const boost::json::object& record) {
        const auto& spec = endpoint_specs().at(endpoint);
        for (const auto& f : spec) {
            const auto* v = record.if_contains(f.name);
            if (!v) {
                EXPECT_FALSE(f.required) << endpoint << " record lacks '" << f.name
                                         << "': " << boost::json::serialize(record).substr(0, 300);
                continue;
            }
            const unsigned t = type_of(*v);
            EXPECT_TRUE(t & f.types) << endpoint << "." << f.name
                                     << " has the wrong type: " << boost::json::serialize(*v).substr(0, 100);
            seen_[endpoint][f.name] |= t;
        }
        if (endpoint == "statistics") {
            const auto& mm = record.at("main_metrics").as_array();
            EXPECT_EQ(mm.size(), 19u);
            for (const auto& m : mm) {
                const auto& o = m.as_object();
                EXPECT_TRUE(o.at("name").is_string());
                EXPECT_EQ(type_of(o.at("amount")), N);
                EXPECT_EQ(type_of(o.at("number")), N);
                EXPECT_TRUE(o.at("object_id").is_string());
            }
        }
        ++records_[endpoint];
    }

    // Every field of the examples appeared somewhere; "both" fields in both types.
    void check_coverage() const {
        for (const auto& [endpoint, spec] : endpoint_specs()) {
            auto r = records_.find(endpoint);
            if (r == records_.end()) {
                ADD_FAILURE() << "no record seen for " << endpoint;
                continue;
            }
            const auto& seen = seen_.at(endpoint);
            for (const auto& f : spec) {
                auto it = seen.find(f.name);
                EXPECT_TRUE(it != seen.end()) << endpoint << "." << f.name << " never appeared";
                if (it != seen.end() && f.both) {
                    EXPECT_EQ(it->second & (S | N), unsigned(S | N))
                        << endpoint << "." << f.name << " should occur as string and as number";
                }
            }
        }
    }

    std::size_t records(const std::string& endpoint) const {
        auto it = records_.find(endpoint);
        return it == records_.end() ? 0 : it->second;
    }

  private:
    std::map<std::string, std::map<std::string, unsigned>> seen_;
    std::map<std::string, std::size_t> records_;
};

}  // namespace marin::sim::test
